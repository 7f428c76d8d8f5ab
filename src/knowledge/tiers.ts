/**
 * How much a source is worth as a receipt. A court record, a regulator's order or a company's
 * own statement (primary) beats the outlet that first reported a story (original), which beats
 * that outlet's text carried by another paper (syndication), which beats a repost, a blog or a
 * forum thread (copy). Every place that shows sources orders them this way.
 */
import type { Source, SourceKind } from "./types.js";

export const SOURCE_TIERS = ["primary", "original", "syndication", "copy"] as const;
export type SourceTier = (typeof SOURCE_TIERS)[number];

const KIND_TIER: Record<SourceKind, SourceTier> = {
  court: "primary",
  regulator: "primary",
  government: "primary",
  company: "primary",
  press: "original",
  research: "original",
  blog: "copy",
  forum: "copy",
  other: "copy",
};

/**
 * A source's tier, from its `kind` and whether it carries another outlet's text (`original`):
 * a press page that names an original is syndication, any other page that does is a copy.
 */
export function tierOf(source: Pick<Source, "kind" | "original">): SourceTier {
  const tier = KIND_TIER[source.kind];
  if (!source.original || tier === "copy") return tier;
  return source.kind === "press" ? "syndication" : "copy";
}

export function tierRank(tier: SourceTier): number {
  return SOURCE_TIERS.indexOf(tier);
}

/** Who is behind a source's text, for independence: the original outlet when it is a copy. */
export function originOf(source: Pick<Source, "publisher" | "original">): string {
  return (source.original?.publisher ?? source.publisher)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Source ids ordered best first: by tier, then independence (a second source from an origin
 * already listed goes after every source from a new origin), then as the fact lists them.
 * Unknown ids are dropped.
 */
export function orderSources(ids: readonly string[], sources: ReadonlyMap<string, Source>): string[] {
  const known = ids
    .map((id, position) => ({ id, position, source: sources.get(id) }))
    .filter((entry): entry is { id: string; position: number; source: Source } => entry.source !== undefined);
  known.sort((a, b) => tierRank(tierOf(a.source)) - tierRank(tierOf(b.source)) || a.position - b.position);
  const seen = new Set<string>();
  const fresh: string[] = [];
  const repeats: string[] = [];
  for (const { id, source } of known) {
    const origin = originOf(source);
    (seen.has(origin) ? repeats : fresh).push(id);
    seen.add(origin);
  }
  // Independence never lifts a weaker tier over a stronger one.
  return [...fresh, ...repeats].sort((a, b) => {
    const ta = tierRank(tierOf(sources.get(a) as Source));
    const tb = tierRank(tierOf(sources.get(b) as Source));
    return ta - tb;
  });
}
