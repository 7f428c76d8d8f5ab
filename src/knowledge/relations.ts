/** Who a fact concerns, as the search index and the subscriptions both need to know it. */
import type { Deal, Fact, KnowledgeBase } from "./types.js";

/** The entities a fact concerns directly: its deal's parties, who said it, what it is about. */
export function entitiesOfFact(
  fact: Pick<Fact, "by" | "about">,
  deal: Pick<Deal, "parties"> | undefined,
): string[] {
  return [...new Set([...(deal?.parties ?? []), ...fact.by, ...fact.about])];
}

/** These entities and all their parents (Instagram → Facebook), without looping on a cycle. */
export function withParents(kb: KnowledgeBase, ids: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    let current: string | undefined = id;
    while (current !== undefined && !out.has(current)) {
      out.add(current);
      current = kb.entities.get(current)?.parent;
    }
  }
  return out;
}

/**
 * A deal's short name: its `label`, or its title up to the first colon, parenthesis or dash
 * ("Netflix and Facebook's alleged "special relationship"…" → "Netflix and Facebook's alleged
 * "special relationship""), cut to 48 characters.
 */
export function dealLabel(deal: Pick<Deal, "title" | "label">): string {
  if (deal.label) return deal.label;
  const head = deal.title.split(/\s*(?::|\(|\s[–—-]\s|;)\s*/)[0]?.trim() || deal.title;
  const chars = [...head];
  return chars.length <= 48 ? head : `${chars.slice(0, 47).join("").trimEnd()}…`;
}
