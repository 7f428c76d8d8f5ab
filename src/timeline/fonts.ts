/**
 * The fonts timelines are drawn with, shipped in `assets/fonts/` so a picture looks the same on
 * every machine (no system fonts are used), and how wide a text set in them is, so labels can be
 * cut to fit before they are drawn.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** Atkinson Hyperlegible (Braille Institute, SIL Open Font License 1.1): made to be told apart easily. */
export const FONT_FAMILY = "Atkinson Hyperlegible";

export const FONT_DIR = path.resolve(import.meta.dirname, "../../assets/fonts");

export const FONT_FILES = {
  regular: path.join(FONT_DIR, "AtkinsonHyperlegible-Regular.ttf"),
  bold: path.join(FONT_DIR, "AtkinsonHyperlegible-Bold.ttf"),
} as const;

export type FontWeight = keyof typeof FONT_FILES;

/** Advance widths per code point, in em, read from the font's cmap and hmtx tables. */
interface Metrics {
  readonly advance: ReadonlyMap<number, number>;
  /** For a character the font lacks (drawn by no font: resvg loads only ours). */
  readonly fallback: number;
}

const metricsCache = new Map<FontWeight, Metrics>();

/** How wide `text` is, in pixels, set at `size` pixels (kerning left out: labels keep a margin). */
export function textWidth(text: string, size: number, weight: FontWeight = "regular"): number {
  const { advance, fallback } = metricsOf(weight);
  let em = 0;
  for (const char of text) em += advance.get(char.codePointAt(0) as number) ?? fallback;
  return em * size;
}

/**
 * `text` cut after a whole word (or, for one long word, between characters) so that it and a
 * final "…" are at most `width` pixels wide; `text` itself when it fits.
 */
export function fitText(text: string, width: number, size: number, weight: FontWeight = "regular"): string {
  if (textWidth(text, size, weight) <= width) return text;
  const room = width - textWidth("…", size, weight);
  const chars = [...text];
  let used = 0;
  let end = 0;
  while (end < chars.length) {
    used += textWidth(chars[end] as string, size, weight);
    if (used > room) break;
    end++;
  }
  const cut = chars.slice(0, end).join("");
  const space = cut.lastIndexOf(" ");
  const words = space > cut.length / 2 ? cut.slice(0, space) : cut;
  return `${words.replace(/[\s,;:.–—-]+$/, "")}…`;
}

function metricsOf(weight: FontWeight): Metrics {
  let metrics = metricsCache.get(weight);
  if (!metrics) {
    metrics = readMetrics(readFileSync(FONT_FILES[weight]));
    metricsCache.set(weight, metrics);
  }
  return metrics;
}

/** The few TrueType tables widths need: head (units per em), hhea, hmtx, and cmap format 4. */
function readMetrics(font: Buffer): Metrics {
  const tables = new Map<string, number>();
  for (let i = 0, n = font.readUInt16BE(4); i < n; i++) {
    const record = 12 + 16 * i;
    tables.set(font.toString("latin1", record, record + 4), font.readUInt32BE(record + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`timeline: the font has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = font.readUInt16BE(table("head") + 18);
  const hMetrics = font.readUInt16BE(table("hhea") + 34);
  const hmtx = table("hmtx");
  const glyphAdvance = (glyph: number) =>
    font.readUInt16BE(hmtx + 4 * Math.min(glyph, hMetrics - 1)) / unitsPerEm;

  const cmap = table("cmap");
  let subtable: number | undefined;
  for (let i = 0, n = font.readUInt16BE(cmap + 2); i < n; i++) {
    const record = cmap + 4 + 8 * i;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const offset = cmap + font.readUInt32BE(record + 4);
    if ((platform === 3 && encoding === 1) || platform === 0) {
      if (font.readUInt16BE(offset) === 4) subtable = offset;
    }
  }
  if (subtable === undefined) throw new Error("timeline: the font has no Unicode cmap (format 4)");
  const segments = font.readUInt16BE(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  const advance = new Map<number, number>();
  for (let s = 0; s < segments; s++) {
    const start = font.readUInt16BE(starts + 2 * s);
    const end = font.readUInt16BE(ends + 2 * s);
    const delta = font.readUInt16BE(deltas + 2 * s);
    const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * s);
    for (let code = start; code <= end && code !== 0xffff; code++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (code + delta) & 0xffff;
      else {
        const at = rangeOffsets + 2 * s + rangeOffset + 2 * (code - start);
        const raw = font.readUInt16BE(at);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) advance.set(code, glyphAdvance(glyph));
    }
  }
  return { advance, fallback: glyphAdvance(0) };
}
