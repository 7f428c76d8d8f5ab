/**
 * What the renderers share: a reply's words as plain text, citation marks, dates, source details,
 * actions, and cutting text to a limit without breaking a word or a character. Nothing here knows a
 * platform's markup; each renderer escapes what these functions return.
 */
import type { Citation } from "../answer/types.js";
import type { Action, Block, Inline } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import { formatDate } from "../knowledge/format.js";
import type { Language } from "../search/languages/index.js";
import { ELLIPSIS } from "../text/clip.js";

export { formatDate };

/** Sent when a reply has nothing to show: every platform refuses an empty message. */
export const EMPTY_TEXT = "…";

/** Source titles and publishers are cut to these lengths so one long source cannot crowd out the rest. */
export const SOURCE_TITLE_MAX = 200;
export const SOURCE_PUBLISHER_MAX = 100;

/** An inline part with every flag spelled out. */
export interface Span {
  readonly text: string;
  readonly bold: boolean;
  readonly italic: boolean;
  readonly code: boolean;
  readonly href: string | undefined;
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Replaces lone surrogates with U+FFFD: sent as JSON to a platform, they would arrive garbled or be refused. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, "\uFFFD");
}

export function isWellFormed(text: string): boolean {
  return !HAS_LONE_SURROGATE.test(text);
}

export function isBlank(text: string): boolean {
  return text.trim() === "";
}

/** Collapses runs of whitespace, newlines included, to one space: for text that must stay on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function inlineText(part: Inline): string {
  return typeof part === "string" ? part : part.text;
}

/** A block's words without markup: what is measured and cut when the block is too long to keep whole. */
export function blockText(block: Block): string {
  return block.content.map(inlineText).join("");
}

/**
 * A block's inline parts with lone surrogates replaced, empty parts dropped, and neighbours with the
 * same formatting merged, so that no renderer emits `**a****b**` or `<b>a</b><b>b</b>`.
 */
export function spans(content: readonly Inline[]): Span[] {
  const result: Span[] = [];
  for (const part of content) {
    const span: Span =
      typeof part === "string"
        ? { text: wellFormed(part), bold: false, italic: false, code: false, href: undefined }
        : {
            text: wellFormed(part.text),
            bold: part.bold === true,
            italic: part.italic === true,
            code: part.code === true,
            href: part.href,
          };
    if (span.text === "") continue;
    const last = result[result.length - 1];
    if (
      last &&
      last.bold === span.bold &&
      last.italic === span.italic &&
      last.code === span.code &&
      last.href === span.href
    ) {
      result[result.length - 1] = { ...last, text: last.text + span.text };
    } else {
      result.push(span);
    }
  }
  return result;
}

/**
 * The marks to show after a block: "[1]", "[3]". Numbers are shown once each, in the block's order,
 * and only when the reply lists that citation, so every mark a reader sees leads to a source.
 */
export function citationMarks(cites: readonly number[] | undefined, listed: ReadonlySet<number>): string[] {
  return [...new Set(cites ?? [])].filter((n) => listed.has(n)).map((n) => `[${n}]`);
}

/** The citation numbers of a list of citations. */
export function citationNumbers(citations: readonly Citation[]): Set<number> {
  return new Set(citations.map((citation) => citation.n));
}

/** A source's title on one line, cut to SOURCE_TITLE_MAX; its url when it has no title. */
export function sourceTitle(
  citation: Citation,
  measure: Measure = length,
  language: Language = "en",
): string {
  const title =
    oneLine(wellFormed(citation.title)) ||
    oneLine(wellFormed(citation.url)) ||
    t(language, "render.untitled");
  return truncate(title, SOURCE_TITLE_MAX, measure);
}

/** "Publisher, 2 Apr 2024 (originally Other Publisher)", or as much of it as the citation has. */
export function sourceDetails(
  citation: Citation,
  measure: Measure = length,
  language: Language = "en",
): string {
  const publisher = truncate(oneLine(wellFormed(citation.publisher)), SOURCE_PUBLISHER_MAX, measure);
  const date = citation.published === undefined ? "" : oneLine(wellFormed(formatDate(citation.published)));
  const original =
    citation.original === undefined
      ? ""
      : truncate(oneLine(wellFormed(citation.original.publisher)), SOURCE_PUBLISHER_MAX, measure);
  const details = [publisher, date].filter((part) => part !== "").join(", ");
  if (original === "") return details;
  const originally = t(language, "render.originally", { publisher: original });
  return details === "" ? originally : `${details} (${originally})`;
}

/** The URL, normalised, when it is http(s); anything else is not made a link. */
export function httpUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** How a platform counts a string against its limits. */
export type Measure = (text: string) => number;

/** UTF-16 code units: what Telegram counts, and never less than what Discord counts. */
export const length: Measure = (text) => text.length;

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Cuts `text` so that `measure(result) <= max`, ending it with "…". Cuts after the last whole word when
 * that keeps at least half the room, else between two characters (never inside a surrogate pair or an
 * emoji sequence). `measure` must not shrink as text grows: pass the escaped length when the result will
 * be escaped, so the limit holds after escaping. Returns "" when not even "…" fits.
 */
/** The heading of a reply's list of sources, in the reply's language. */
export function sourcesHeading(language: Language = "en"): string {
  return t(language, "render.sources");
}

export function truncate(text: string, max: number, measure: Measure = length): string {
  if (measure(text) <= max) return text;
  if (measure(ELLIPSIS) > max) return "";
  // The longest prefix that fits with the ellipsis; `fits(0)` holds, so the search is well-founded.
  const fits = (end: number) => measure(text.slice(0, end) + ELLIPSIS) <= max;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  const end = wordEnd(text, low) ?? characterEnd(text, low);
  return text.slice(0, end).trimEnd() + ELLIPSIS;
}

function wordEnd(text: string, end: number): number | undefined {
  if (end === 0) return undefined;
  if (/\s/.test(text.charAt(end))) return end;
  for (let i = end - 1; i >= end / 2; i--) {
    if (/\s/.test(text.charAt(i))) return i;
  }
  return undefined;
}

function characterEnd(text: string, end: number): number {
  const start = Math.max(0, end - 200);
  let boundary = start;
  for (const { index } of segmenter.segment(text.slice(start, Math.min(text.length, end + 1)))) {
    if (start + index > end) break;
    boundary = start + index;
  }
  if (boundary > start || start === 0) return boundary;
  // An implausibly long grapheme cluster: settle for not splitting a surrogate pair.
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

/**
 * The actions a platform can carry intact, in order: a non-blank label (on one line, cut to
 * `labelMax`), data that is well-formed and that `accepts` allows, each data value once. An action
 * that cannot be carried is dropped rather than sent altered, since its data must come back untouched.
 */
export function usableActions(
  actions: readonly Action[],
  labelMax: number,
  accepts: (data: string) => boolean,
): Action[] {
  const seen = new Set<string>();
  const result: Action[] = [];
  for (const action of actions) {
    const label = truncate(oneLine(wellFormed(action.label)), labelMax);
    if (label === "" || !isWellFormed(action.data) || !accepts(action.data) || seen.has(action.data))
      continue;
    seen.add(action.data);
    result.push({ label, data: action.data, ...(action.newRow ? { newRow: true as const } : {}) });
  }
  return result;
}

/** Splits `items` into rows of at most `size`; an item marked `newRow` starts a row of its own. */
export function rows<T>(
  items: readonly T[],
  size: number,
  newRow: (item: T) => boolean = () => false,
): T[][] {
  const result: T[][] = [];
  let row: T[] = [];
  for (const item of items) {
    if (row.length >= size || (row.length > 0 && newRow(item))) {
      result.push(row);
      row = [];
    }
    row.push(item);
  }
  if (row.length > 0) result.push(row);
  return result;
}
