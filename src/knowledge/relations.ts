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

/** Longest a deal label gets: short enough for a heading, a link or a button. */
const DEAL_LABEL_MAX = 48;

/**
 * A deal's short name: its `label` when it has one, else its title up to the first colon,
 * parenthesis or dash ("Netflix and Facebook's alleged "special relationship""), cut after a
 * whole word to at most 48 characters.
 */
export function dealLabel(deal: Pick<Deal, "title" | "label">): string {
  if (deal.label?.trim()) return deal.label.trim();
  const head = deal.title.split(/:\s| \(| [—–-] |;\s/)[0]?.trim() || deal.title.trim();
  if ([...head].length <= DEAL_LABEL_MAX) return head;
  const cut = [...head].slice(0, DEAL_LABEL_MAX - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > DEAL_LABEL_MAX / 2 ? cut.slice(0, space) : cut).replace(/[\s,;.]+$/, "")}…`;
}
