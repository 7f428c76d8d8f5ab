/**
 * A claim's verdict, chosen from the facts that match it: their statuses, who alleged or
 * denied them, and (for "Partly") the amount or the party the claim gets wrong. The words are
 * fixed templates filled with knowledge-base values; nothing is written freely.
 */
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

  if (lead.status === "unsupported") return { label: "unsupported", text: "Not supported by the sources." };
  const denial = facts.find((fact) => fact.status === "denied") ?? denialIn(kb, lead);
  switch (lead.status) {
    case "alleged": {
      const by = names(kb, lead.by);
      const denied = denial ? `; denied by ${names(kb, denial.by) || "the other side"}` : "";
      return { label: "alleged", text: `Alleged${by ? ` by ${by}` : ""}, not proven${denied}.` };
    }
    case "denied":
      return { label: "denied", text: `Denied${names(kb, lead.by) ? ` by ${names(kb, lead.by)}` : ""}.` };
    case "ruled":
      return {
        label: "ruled",
        text: `Decided${names(kb, lead.by) ? ` by ${names(kb, lead.by)}` : ""}: see the ruling below.`,
      };
    case "confirmed":
      return { label: "confirmed", text: "Confirmed by the parties or by documents." };
    case "reported":
      return { label: "reported", text: "Reported by the press; not confirmed by a court or regulator." };
    default:
      return undefined;
  }
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
      return {
        label: "partly",
        text: `Partly: the sources tie the ${money(matching)} to ${instead.name}, not ${missing.name}.`,
      };
  }
  if (matching) return undefined;
  const figure = facts.find((fact) => fact.amount !== undefined);
  if (!figure?.amount) return undefined;
  return {
    label: "partly",
    text: `Partly: the sources give ${money(figure)}, not ${formatMoney(claimed, figure.amount.currency)}.`,
  };
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
  return { label: "partly", text: `Partly: nothing in the sources ties ${missing.name} to this.` };
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

function names(kb: KnowledgeBase, ids: readonly string[]): string {
  const list = ids.map((id) => kb.entities.get(id)?.name ?? id);
  if (list.length <= 1) return list[0] ?? "";
  return `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;
}

function money(fact: Fact): string {
  return fact.amount ? formatMoney(fact.amount.value, fact.amount.currency) : "";
}
