/**
 * Knowledge-base diffs: what changed since the last published snapshot, fact by fact.
 *
 * Pure: a snapshot and a KnowledgeBase in, a ChangeSet out. Facts are compared by id (ids never
 * change once published, knowledge/README.md) and by a content hash of what a reader sees: text,
 * status, sources, date, amount and deal. Who said it (`by`), what it is about (`about`) and the
 * ways people ask for it (`questions`) only route notifications; editing them alone notifies nobody.
 */
import { createHash } from "node:crypto";
import { entitiesOfFact } from "../knowledge/relations.js";
import type { Fact, KnowledgeBase } from "../knowledge/types.js";
import { type Topic, topicsOf } from "./topics.js";

/** What the snapshot remembers of a published fact: enough to diff it and to announce its removal. */
export interface SnapshotFact extends Pick<Fact, "deal" | "text" | "status" | "sources" | "date" | "amount"> {
  readonly hash: string;
  readonly dealTitle: string;
  /** The deal's parties and the fact's `by` and `about` entities, when it was published. */
  readonly entities: readonly string[];
}

export type Snapshot = ReadonlyMap<string, SnapshotFact>;

export const CHANGED_FIELDS = ["text", "status", "sources", "date", "amount", "deal"] as const;
export type ChangedField = (typeof CHANGED_FIELDS)[number];

export type FactChange =
  | { readonly kind: "added"; readonly id: string; readonly deal: string; readonly topics: readonly Topic[] }
  | {
      readonly kind: "changed";
      readonly id: string;
      readonly deal: string;
      readonly fields: readonly ChangedField[];
      readonly before: SnapshotFact;
      readonly topics: readonly Topic[];
    }
  | {
      readonly kind: "retracted";
      readonly id: string;
      readonly deal: string;
      readonly before: SnapshotFact;
      readonly topics: readonly Topic[];
    };

export interface ChangeSet {
  /** Deals with no fact in the snapshot: new to subscribers. */
  readonly dealsAdded: readonly string[];
  /** Deals of the snapshot that are gone, with their titles as published. */
  readonly dealsRemoved: readonly { readonly id: string; readonly title: string }[];
  /** Added, then changed, then retracted; in knowledge-base order within each. */
  readonly facts: readonly FactChange[];
}

export function isEmpty(changes: ChangeSet): boolean {
  return changes.facts.length === 0 && changes.dealsAdded.length === 0 && changes.dealsRemoved.length === 0;
}

/** The snapshot a knowledge base would leave once published. */
export function snapshotOf(kb: KnowledgeBase): Map<string, SnapshotFact> {
  const out = new Map<string, SnapshotFact>();
  for (const fact of kb.facts.values()) {
    const deal = kb.deals.get(fact.deal);
    const content = {
      deal: fact.deal,
      text: fact.text,
      status: fact.status,
      sources: [...fact.sources],
      ...(fact.date !== undefined ? { date: fact.date } : {}),
      ...(fact.amount !== undefined ? { amount: fact.amount } : {}),
    };
    out.set(fact.id, {
      hash: contentHash(content),
      dealTitle: deal?.title ?? fact.deal,
      ...content,
      entities: entitiesOfFact(fact, deal),
    });
  }
  return out;
}

/** Hash of what a reader sees of a fact; keys in a fixed order so equal content hashes equally. */
export function contentHash(content: Pick<SnapshotFact, ChangedField>): string {
  const amount = content.amount;
  const canonical = [
    content.deal,
    content.text,
    content.status,
    content.sources,
    content.date ?? null,
    amount
      ? [amount.value, amount.currency, amount.to ?? null, amount.per ?? null, amount.approximate ?? null]
      : null,
  ];
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 16);
}

/** What changed from `before` (the published snapshot) to `kb`. */
export function diffKnowledge(
  before: Snapshot,
  kb: KnowledgeBase,
  after: Snapshot = snapshotOf(kb),
): ChangeSet {
  const added: FactChange[] = [];
  const changed: FactChange[] = [];
  const retracted: FactChange[] = [];
  const topics = (fact: SnapshotFact, previous?: SnapshotFact) =>
    topicsOf(
      kb,
      previous && previous.deal !== fact.deal ? [fact.deal, previous.deal] : [fact.deal],
      previous ? [...new Set([...fact.entities, ...previous.entities])] : fact.entities,
    );

  for (const [id, fact] of after) {
    const old = before.get(id);
    if (!old) {
      added.push({ kind: "added", id, deal: fact.deal, topics: topics(fact) });
    } else if (old.hash !== fact.hash) {
      const fields = CHANGED_FIELDS.filter(
        (field) => JSON.stringify(old[field]) !== JSON.stringify(fact[field]),
      );
      changed.push({ kind: "changed", id, deal: fact.deal, fields, before: old, topics: topics(fact, old) });
    }
  }
  for (const [id, old] of before) {
    if (!after.has(id))
      retracted.push({ kind: "retracted", id, deal: old.deal, before: old, topics: topics(old) });
  }

  const publishedDeals = new Map<string, string>();
  for (const fact of before.values()) publishedDeals.set(fact.deal, fact.dealTitle);
  return {
    dealsAdded: [...kb.deals.keys()].filter((id) => !publishedDeals.has(id)),
    dealsRemoved: [...publishedDeals]
      .filter(([id]) => !kb.deals.has(id))
      .map(([id, title]) => ({ id, title })),
    facts: [...added, ...changed, ...retracted],
  };
}

/** The part of a change set that concerns a chat following `topics`; new deals follow their facts. */
export function changesFor(changes: ChangeSet, topics: ReadonlySet<string>): ChangeSet {
  const facts = changes.facts.filter((change) => change.topics.some((topic) => topics.has(topic)));
  const deals = new Set(facts.map((change) => change.deal));
  return {
    dealsAdded: changes.dealsAdded.filter((id) => deals.has(id)),
    dealsRemoved: changes.dealsRemoved.filter(({ id }) => deals.has(id)),
    facts,
  };
}
