/**
 * The direct answer to a narrow question, read off the lead fact's own fields: its date for
 * "when", its amount or count for "how much", who said or decided it for "who said…". A line in front
 * of the facts, so the reply answers the question asked before it shows the receipts.
 */
import type { Phrase } from "../i18n/messages.js";
import { formatAmount, formatCount, formatDate } from "../knowledge/format.js";
import type { Fact, KnowledgeBase } from "../knowledge/types.js";
import type { IntentAnalysis } from "../search/intent.js";

/** The direct answer as a message (`direct.when`, `direct.howMuch`…), said in the chat's language. */
export function directAnswer(kb: KnowledgeBase, lead: Fact, intent: IntentAnalysis): Phrase | undefined {
  switch (intent.primary) {
    case "when":
      return lead.date ? { key: "direct.when", values: { date: formatDate(lead.date) } } : undefined;
    case "how-much": {
      const count = lead.count ? formatCount(lead.count) : undefined;
      const money = lead.amount ? formatAmount(lead.amount) : undefined;
      const figure = intent.wantsCount ? (count ?? money) : (money ?? count);
      if (!figure) return undefined;
      return { key: intent.wantsCount && count ? "direct.howMany" : "direct.howMuch", values: { figure } };
    }
    case "who": {
      // The lead's `by` answers "who said / found / decided it?"; "who got the data?" is in its text.
      if (!intent.whoSaid) return undefined;
      const named = lead.by.length > 0 ? lead.by : lead.about.filter((id) => isSomeone(kb, id));
      const names = named.map((id) => kb.entities.get(id)?.name).filter((name) => name !== undefined);
      return names.length > 0 ? { key: "direct.who", values: { names } } : undefined;
    }
    default:
      return undefined;
  }
}

function isSomeone(kb: KnowledgeBase, id: string): boolean {
  const kind = kb.entities.get(id)?.kind;
  return kind !== undefined && kind !== "product" && kind !== "api" && kind !== "law";
}
