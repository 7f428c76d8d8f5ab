/**
 * The direct answer to a narrow question, read off the lead fact's own fields: its date for
 * "when", its amount or count for "how much", who said or decided it for "who". A line in front
 * of the facts, so the reply answers the question asked before it shows the receipts.
 */
import { formatAmount, formatCount, formatDate } from "../knowledge/format.js";
import type { Fact, KnowledgeBase } from "../knowledge/types.js";
import type { IntentAnalysis } from "../search/intent.js";

export function directAnswer(kb: KnowledgeBase, lead: Fact, intent: IntentAnalysis): string | undefined {
  switch (intent.primary) {
    case "when":
      return lead.date ? `When: ${formatDate(lead.date)}.` : undefined;
    case "how-much": {
      const count = lead.count ? formatCount(lead.count) : undefined;
      const money = lead.amount ? formatAmount(lead.amount) : undefined;
      const figure = intent.wantsCount ? (count ?? money) : (money ?? count);
      return figure ? `${intent.wantsCount && count ? "How many" : "How much"}: ${figure}.` : undefined;
    }
    case "who": {
      const named = lead.by.length > 0 ? lead.by : lead.about.filter((id) => isSomeone(kb, id));
      const names = named.map((id) => kb.entities.get(id)?.name).filter((name) => name !== undefined);
      return names.length > 0 ? `Who: ${list(names)}.` : undefined;
    }
    default:
      return undefined;
  }
}

function isSomeone(kb: KnowledgeBase, id: string): boolean {
  const kind = kb.entities.get(id)?.kind;
  return kind !== undefined && kind !== "product" && kind !== "api" && kind !== "law";
}

function list(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
