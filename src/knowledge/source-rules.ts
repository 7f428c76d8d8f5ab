/**
 * What a source's title and URL may not carry: a title is the page's own headline (or a court
 * document's docket title), never our editing notes; a URL is the page's, without tracking
 * parameters. Notes belong in `note`, the outlet in `publisher` or `original`.
 */
import type { Source } from "./types.js";

/** Words that mark an editing remark when they appear in brackets: "(URL-slug title)", "[summary]". */
const REMARK_WORDS =
  /\b(?:descriptive|url|slug|repost(?:ed)?|copy|archive[d]?|summary|syndicat\w*|rewrite|excerpt|via|mirror|translat\w*|headline|paraphrase[d]?|notes? on)\b/i;
/** Remarks that give themselves away anywhere in a title. */
const REMARK_PHRASES =
  /\burl[- ]slug\b|\brepost of\b|\barchive copy\b|\bscribd (?:archive )?copy\b|\(descriptive/i;

/** Query parameters that only say where a click came from. */
const TRACKING_PARAMS = new Set([
  "fbclid",
  "gclid",
  "dclid",
  "gbraid",
  "wbraid",
  "msclkid",
  "yclid",
  "twclid",
  "igshid",
  "mc_cid",
  "mc_eid",
  "_hsenc",
  "_hsmi",
  "hslang",
  "__twitter_impression",
  "itid",
  "st_rec",
  "ocid",
  "cmpid",
  "ncid",
  "sr_share",
  "mkt_tok",
  "guccounter",
  "guce_referrer",
  "guce_referrer_sig",
  "smid",
  "ref_src",
]);

/** Why this title is not a clean headline, or undefined when it is. */
export function titleProblem(source: Pick<Source, "title" | "publisher" | "original">): string | undefined {
  const { title } = source;
  if (REMARK_PHRASES.test(title)) return `title carries an editing remark: put it in "note"`;
  for (const [, inside] of title.matchAll(/[([]([^)\]]*)[)\]]/g)) {
    if (REMARK_WORDS.test(inside ?? ""))
      return `title carries an editing remark "${clipped(inside ?? "")}": put it in "note"`;
  }
  // "Headline (AP)", "Headline | TechCrunch": the outlet goes in publisher or original.
  const outlets = [source.publisher, source.original?.publisher].filter((name): name is string => !!name);
  const tail = /(?:\(([^()]+)\)|\s[|–—-]\s([^|–—-]+))\s*"?$/.exec(title);
  const named = tail?.[1] ?? tail?.[2];
  if (named && outlets.some((outlet) => mentions(named, outlet)))
    return `title ends with the outlet's name "${clipped(named)}": the outlet belongs in "publisher" or "original"`;
  return undefined;
}

/** The tracking parameters a URL carries (none: an empty list). */
export function trackingParams(url: string): string[] {
  try {
    return [...new URL(url).searchParams.keys()].filter((key) => {
      const lower = key.toLowerCase();
      return lower.startsWith("utm_") || TRACKING_PARAMS.has(lower);
    });
  } catch {
    return [];
  }
}

function mentions(text: string, outlet: string): boolean {
  const words = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  const name = words(outlet.replace(/^the\s+/i, ""));
  return name.length > 1 && ` ${words(text)} `.includes(` ${name} `);
}

function clipped(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
