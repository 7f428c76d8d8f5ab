/** What the answer engine produces: only knowledge-base facts, with their citations. */
import type { Amount, FactStatus, PartialDate, Source } from "../knowledge/types.js";

export interface Citation {
  /** 1-based, shared by every fact of the answer that cites this source. */
  readonly n: number;
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly publisher: string;
  readonly published?: PartialDate;
  readonly original?: Source["original"];
}

export interface AnswerFact {
  readonly id: string;
  readonly deal: string;
  readonly text: string;
  readonly status: FactStatus;
  readonly date?: PartialDate;
  readonly amount?: Amount;
  /** Citation numbers (see Answer.citations), in the order the fact lists its sources. */
  readonly cites: readonly number[];
}

export interface DealRef {
  readonly id: string;
  readonly title: string;
}

export interface Answer {
  readonly question: string;
  readonly status: "answered" | "unknown";
  /** The facts, most relevant first and grouped by deal; the first is the lead. Empty when unknown. */
  readonly facts: readonly AnswerFact[];
  readonly citations: readonly Citation[];
  /** The deals the facts come from, in order of first appearance. */
  readonly deals: readonly DealRef[];
  /** Deals a reader may confuse with, or want next to, the ones answered. */
  readonly related: readonly DealRef[];
  /** Questions the bot can answer, to ask next. */
  readonly suggestions: readonly string[];
}
