/**
 * Timelines as PNG pictures: the SVG of svg.ts rasterised by resvg with the fonts in
 * `assets/fonts/` only (no system fonts), so the picture is the same on every machine.
 */
import { renderAsync } from "@resvg/resvg-js";
import type { Deal, KnowledgeBase } from "../knowledge/types.js";
import { FONT_FAMILY, FONT_FILES } from "./fonts.js";
import { timelineSvg } from "./svg.js";

const RENDER_OPTIONS = {
  font: {
    loadSystemFonts: false,
    fontFiles: Object.values(FONT_FILES),
    defaultFontFamily: FONT_FAMILY,
    sansSerifFamily: FONT_FAMILY,
  },
  fitTo: { mode: "original" },
  background: "#ffffff",
  logLevel: "off",
} as const;

/** An SVG document → PNG bytes, at the SVG's own size. */
export async function rasterise(svg: string): Promise<Buffer> {
  return (await renderAsync(svg, RENDER_OPTIONS)).asPng();
}

/**
 * Timeline pictures, drawn once per knowledge-base version and deal. Only the newest version's
 * pictures are kept: a reload drops the rest. Concurrent asks for one picture draw it once.
 */
export class TimelineCache {
  private version: string | undefined;
  private readonly pictures = new Map<string, Promise<Buffer>>();

  png(deal: Deal, kb: Pick<KnowledgeBase, "version">): Promise<Buffer> {
    if (kb.version !== this.version) {
      this.pictures.clear();
      this.version = kb.version;
    }
    let picture = this.pictures.get(deal.id);
    if (!picture) {
      picture = rasterise(timelineSvg(deal));
      this.pictures.set(deal.id, picture);
      // A failed drawing is not remembered: the next ask tries again.
      picture.catch(() => this.pictures.delete(deal.id));
    }
    return picture;
  }
}
