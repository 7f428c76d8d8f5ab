/**
 * A claim's verdict, chosen from the facts that match it: their statuses, who alleged or
 * denied them, and (for "Partly") the amount or the party the claim gets wrong. The words are
 * fixed templates filled with knowledge-base values; nothing is written freely.
 */
import { type Phrase, type PhraseValue, say } from "../i18n/messages.js";
import { formatMoney } from "../knowledge/format.js";
import type { Fact, KnowledgeBase } from "../knowledge/types.js";
import type { Query } from "../search/query.js";
import type { Verdict } from "./types.js";

export interface VerdictInput {
  readonly kb: KnowledgeBase;
  readonly query: Query;
  /** The facts chosen for the answer, lead first. */
  readonly facts: readonly Fact[];
  /** The entities a fact names in its own text or is by or about (see FactIndex.mentions). */
  readonly mentions: (fact: Fact) => ReadonlySet<string>;
  /** Every fact that matched the claim, best first, from any deal (to find where an amount belongs). */
  readonly candidates: readonly Fact[];
}

/** Relative difference within which two amounts are the same figure. */
const SAME_AMOUNT = 0.05;

export function verdictOf({ kb, query, facts, mentions, candidates }: VerdictInput): Verdict | undefined {
  const lead = facts[0];
  if (!lead) return undefined;
  const partly =
    wrongAmount(kb, query, facts, candidates, mentions) ?? wrongParty(kb, query, facts, mentions);
  if (partly) return partly;

  if (lead.status === "unsupported") return verdict("unsupported", "verdict.unsupported");
  const denial = facts.find((fact) => fact.status === "denied") ?? denialIn(kb, lead);
  switch (lead.status) {
    case "alleged": {
      const deniedBy = denial ? names(kb, denial.by) : [];
      return verdict("alleged", "verdict.alleged", {
        by: byWhom(kb, lead.by),
        denied: !denial
          ? ""
          : deniedBy.length > 0
            ? { key: "verdict.deniedBy", values: { names: deniedBy } }
            : { key: "verdict.deniedByOther" },
      });
    }
    case "denied":
      return verdict("denied", "verdict.denied", { by: byWhom(kb, lead.by) });
    case "ruled":
      return verdict("ruled", "verdict.ruled", { by: byWhom(kb, lead.by) });
    case "confirmed":
      return verdict("confirmed", "verdict.confirmed");
    case "reported":
      return verdict("reported", "verdict.reported");
    default:
      return undefined;
  }
}

/** A verdict from a message: its English words for `text`, the message for the chat's language. */
function verdict(
  label: Verdict["label"],
  key: string,
  values: Readonly<Record<string, PhraseValue>> = {},
): Verdict {
  const phrase: Phrase = { key, values };
  return { label, text: say("en", phrase), phrase };
}

/** " by Meta and Netflix", or nothing when nobody is named. */
function byWhom(kb: KnowledgeBase, ids: readonly string[]): PhraseValue {
  const list = names(kb, ids);
  return list.length > 0 ? { key: "verdict.by", values: { names: list } } : "";
}

/** "Partly: the sources give $150 million, not $100 million" or tie the figure to someone else. */
function wrongAmount(
  kb: KnowledgeBase,
  query: Query,
  facts: readonly Fact[],
  candidates: readonly Fact[],
  mentions: VerdictInput["mentions"],
): Verdict | undefined {
  const claimed = query.amounts[0];
  if (claimed === undefined) return undefined;
  const same = (fact: Fact) =>
    fact.amount !== undefined && Math.abs(fact.amount.value - claimed) <= claimed * SAME_AMOUNT;
  const matching = candidates.find(same);
  const named = query.entities.filter((e) => e.kind === "company" || e.kind === "product");
  if (matching && named.length > 0) {
    const ties = [...mentions(matching)]
      .map((id) => kb.entities.get(id))
      .filter((e) => e !== undefined && (e.kind === "company" || e.kind === "product"));
    const missing = named.find(
      (e) => !ties.some((t) => t?.id === e.id) && !partiesOf(kb, matching).has(e.id),
    );
    const instead = ties.find((t) => t && !named.some((e) => e.id === t.id));
    if (missing && instead)
      return verdict("partly", "verdict.partlyTie", {
        money: money(matching),
        instead: instead.name,
        missing: missing.name,
      });
  }
  if (matching) return undefined;
  const figure = facts.find((fact) => fact.amount !== undefined);
  if (!figure?.amount) return undefined;
  return verdict("partly", "verdict.partlyAmount", {
    money: money(figure),
    claimed: formatMoney(claimed, figure.amount.currency),
  });
}

/** A company the claim names that none of the answer's facts or deals involve. */
function wrongParty(
  kb: KnowledgeBase,
  query: Query,
  facts: readonly Fact[],
  mentions: VerdictInput["mentions"],
): Verdict | undefined {
  const named = query.entities.filter((e) => e.kind === "company" || e.kind === "product");
  if (named.length < 2) return undefined;
  const involved = new Set<string>();
  for (const fact of facts) {
    for (const id of mentions(fact)) involved.add(id);
    for (const id of partiesOf(kb, fact)) involved.add(id);
  }
  const missing = named.find((e) => !involved.has(e.id));
  if (!missing) return undefined;
  return verdict("partly", "verdict.partlyParty", { name: missing.name });
}

function partiesOf(kb: KnowledgeBase, fact: Fact): Set<string> {
  const out = new Set<string>();
  for (const id of kb.deals.get(fact.deal)?.parties ?? []) {
    for (
      let current: string | undefined = id;
      current && !out.has(current);
      current = kb.entities.get(current)?.parent
    )
      out.add(current);
  }
  return out;
}

/** The deal's own denial of an allegation, when the answer did not carry one. */
function denialIn(kb: KnowledgeBase, lead: Fact): Fact | undefined {
  return kb.deals.get(lead.deal)?.facts.find((fact) => fact.status === "denied");
}

/** The names of `ids`, joined later in the chat's language ("A, B and C"). */
function names(kb: KnowledgeBase, ids: readonly string[]): string[] {
  return ids.map((id) => kb.entities.get(id)?.name ?? id);
}

function money(fact: Fact): string {
  return fact.amount ? formatMoney(fact.amount.value, fact.amount.currency) : "";
}
