/** What the answer engine produces: only knowledge-base facts, with their citations. */

import type { Phrase } from "../i18n/messages.js";
import type { SourceTier } from "../knowledge/tiers.js";
import type { Amount, Count, FactStatus, PartialDate, Source } from "../knowledge/types.js";
import type { Intent, SmallTalk } from "../search/intent.js";
import type { Language } from "../search/languages/index.js";

export interface Citation {
  /** 1-based, shared by every fact of the answer that cites this source. */
  readonly n: number;
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly publisher: string;
  readonly published?: PartialDate;
  readonly original?: Source["original"];
  readonly tier: SourceTier;
}

export interface AnswerFact {
  readonly id: string;
  readonly deal: string;
  readonly text: string;
  readonly status: FactStatus;
  readonly date?: PartialDate;
  readonly amount?: Amount;
  readonly count?: Count;
  /** Citation numbers (see Answer.citations) of the fact's best sources, best first. */
  readonly cites: readonly number[];
  /** Every source the fact cites (ids), best first: the full list, one tap away. */
  readonly sources: readonly string[];
}

export interface DealRef {
  readonly id: string;
  readonly title: string;
  /** A short name for the deal, for headings and buttons. */
  readonly label: string;
}

/**
 * A one-line verdict on a claim, chosen from the statuses of the facts that match it (never
 * written freely): "Not supported by the sources", "Alleged, not proven; denied by Meta",
 * "Partly: the sources tie the $60 million to Google, not OpenAI".
 */
export interface Verdict {
  readonly label: "unsupported" | "alleged" | "confirmed" | "ruled" | "reported" | "denied" | "partly";
  /** In English (what `ask --json` shows). */
  readonly text: string;
  /** The same words as a message, to be said in the chat's language. */
  readonly phrase?: Phrase;
}

/** Why there is no answer. */
export type Unanswered =
  /** nothing in the knowledge base covers enough of the question */
  | "no-match"
  /** thanks, hi, bye: a short friendly line */
  | "small-talk"
  /** advice, opinions, how-to, predictions: out of scope */
  | "advice"
  /** a follow-up whose answer would repeat the last one */
  | "nothing-new";

export interface Answer {
  readonly question: string;
  readonly status: "answered" | "unknown";
  /** What the question asked for (see search/intent.ts). */
  readonly intent: Intent;
  /** The language the question was understood in: replies are framed in it; facts stay in English. */
  readonly language: Language;
  /** For "unknown": why. */
  readonly unanswered?: Unanswered;
  /** For small talk: which kind, so the reply fits. */
  readonly smallTalk?: SmallTalk;
  /** For a claim to check (or a yes/no question the facts settle): the verdict, said first. */
  readonly verdict?: Verdict;
  /** For a narrow question: the answer itself, read off the lead fact ("When: 2 Apr 2024."). */
  readonly direct?: string;
  /** `direct` as a message, to be said in the chat's language. */
  readonly directPhrase?: Phrase;
  /** The facts, most relevant first and grouped by deal; the first is the lead. Empty when unknown. */
  readonly facts: readonly AnswerFact[];
  readonly citations: readonly Citation[];
  /** The deals the facts come from, in order of first appearance (for "nothing-new", the deal in focus). */
  readonly deals: readonly DealRef[];
  /** Deals a reader may confuse with, or want next to, the ones answered. */
  readonly related: readonly DealRef[];
  /** Questions the bot can answer, to ask next: about what the question named, when it can. */
  readonly suggestions: readonly string[];
}
