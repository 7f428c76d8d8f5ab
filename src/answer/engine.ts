/**
 * Question (+ what is in focus) → Answer. Every fact in an answer is a knowledge-base fact,
 * quoted whole; the engine only chooses, orders and numbers them. When nothing fits well
 * enough it says so: an honest "unknown" beats a confident wrong answer.
 */
import type { Fact, KnowledgeBase } from "../knowledge/types.js";
import type { FactIndex, Hit } from "../search/fact-index.js";
import type { Query } from "../search/query.js";
import { Citations } from "./citations.js";
import type { Focus } from "./conversation.js";
import type { Answer, AnswerFact, DealRef } from "./types.js";

export interface AnswerResult {
  readonly answer: Answer;
  /** What to keep in focus for the next question of this chat (undefined: keep the old one). */
  readonly focus?: Focus;
}

/** Tuning knobs, in one place. */
export const ANSWER_DEFAULTS = {
  /** Least share of the question's weighted terms the best fact must cover. */
  minCoverage: 0.55,
  /** A question of this many terms or more rarely has every word in one fact… */
  longQuestionTerms: 8,
  /** …so it needs this much less coverage. */
  longQuestionAllowance: 0.05,
  /** A question that refers back ("what did the FTC do about it?") stays in the deal in focus at this coverage. */
  followUpCoverage: 0.35,
  /** Most facts in one answer. */
  maxFacts: 5,
  /** A supporting fact must score at least this share of the lead's score. */
  supportRatio: 0.3,
  /** A second deal joins the answer when its best fact scores this share of the lead's. */
  secondDealRatio: 0.75,
  maxSuggestions: 3,
  maxRelated: 3,
} as const;

export class AnswerEngine {
  /** Starter questions for up to 25 deals (Discord's autocomplete maximum), best-covered first. */
  private readonly starters: string[];

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly index: FactIndex,
  ) {
    const deals = [...kb.deals.values()].sort((a, b) => b.facts.length - a.facts.length);
    this.starters = [];
    for (const deal of deals) {
      const question = deal.facts.find((fact) => fact.questions.length > 0)?.questions[0];
      if (question) this.starters.push(capitalise(question));
      if (this.starters.length >= 25) break;
    }
  }

  answer(question: string, focus?: Focus): AnswerResult {
    const query = this.index.analyse(question);
    const hits = this.findHits(query, focus);
    if (hits.length === 0) return { answer: this.unknown(question) };

    const facts = this.choose(hits, query);
    const lead = facts[0] as Fact;
    const entities = new Set([
      ...query.entities.map((e) => e.id),
      ...(focus?.deal === lead.deal ? focus.entities : []),
    ]);
    return {
      answer: this.compose(question, facts),
      focus: { deal: lead.deal, entities: [...entities], facts: facts.map((fact) => fact.id) },
    };
  }

  /** The suggestions the bot offers when it has nothing better: one question per well-covered deal. */
  starterQuestions(limit: number = ANSWER_DEFAULTS.maxSuggestions): string[] {
    return this.starters.slice(0, limit);
  }

  private findHits(query: Query, focus: Focus | undefined): Hit[] {
    if (query.offTopic) return [];
    // Naming only who is already in focus ("when did facebook find out?" after a Cambridge
    // Analytica question) is a follow-up too.
    const onlyFocusEntities =
      focus !== undefined &&
      query.entities.length > 0 &&
      query.terms.length <= 5 &&
      query.entities.every((entity) => this.index.entitiesOfDeal(focus.deal).has(entity.id));
    // With something in focus, a question naming nobody and with at most one topic word
    // ("how much were the users asking for?") leans on it too.
    const followUp =
      query.followUp ||
      (focus !== undefined &&
        query.entities.length === 0 &&
        query.terms.filter((term) => !this.index.isGeneric(term)).length <= 1);
    if (focus && (followUp || query.anaphoric || onlyFocusEntities)) {
      const inFocus =
        query.terms.length > 0
          ? this.index.search(query, { deal: focus.deal, preferFacts: focus.facts })
          : [];
      const top = inFocus[0];
      if (top && (followUp || top.coverage >= ANSWER_DEFAULTS.followUpCoverage)) return inFocus;
      // "when was that?" has no topic words: answer from the deal in focus, by intent.
      if (followUp) return this.index.factsOfDeal(focus.deal, query, focus.facts);
    }
    // Only everyday words ("data deal") name no topic.
    if (query.entities.length === 0 && query.terms.every((term) => this.index.isGeneric(term))) return [];
    // "how much did they pay?" with nothing in focus: who are "they"? Better to ask back.
    if (!focus && query.anaphoric && query.entities.length === 0 && query.terms.length <= 2) return [];
    let hits = this.index.search(query, focus ? { preferDeal: focus.deal } : {});
    // Two companies named: answer only from facts that involve both, or "a deal between
    // Samsung and Google" gets answered with a deal of only one of them.
    const companies = query.entities.filter((e) => e.kind === "company" || e.kind === "product").length;
    if (companies >= 2) hits = hits.filter((hit) => hit.entityMatches >= 2);
    const top = hits[0];
    const long = query.terms.length >= ANSWER_DEFAULTS.longQuestionTerms;
    const minCoverage = ANSWER_DEFAULTS.minCoverage - (long ? ANSWER_DEFAULTS.longQuestionAllowance : 0);
    if (!top || top.coverage < minCoverage) return [];
    if (query.entities.length > 0 && top.entityMatches === 0) return [];
    return hits;
  }

  /** The lead, its deal's supporting facts and any denial or dispute, then maybe a second deal. */
  private choose(hits: Hit[], query: Query): Fact[] {
    const lead = hits[0] as Hit;
    const chosen: Fact[] = [lead.fact];
    const leadDeal = lead.fact.deal;
    const inLeadDeal = hits.filter((hit) => hit.fact.deal === leadDeal && hit !== lead);

    for (const hit of inLeadDeal) {
      if (chosen.length >= ANSWER_DEFAULTS.maxFacts - 1) break;
      if (hit.score >= lead.score * ANSWER_DEFAULTS.supportRatio) chosen.push(hit.fact);
    }
    // An allegation travels with its denial or dispute, when the deal has one that bears on it.
    const contested =
      lead.fact.status === "alleged" || lead.fact.status === "unsupported" || query.intents.has("verify");
    if (contested && !chosen.some((fact) => fact.status === "denied" || fact.status === "unsupported")) {
      const rebuttal = inLeadDeal.find(
        (hit) => hit.fact.status === "denied" || hit.fact.status === "unsupported",
      );
      if (rebuttal) chosen.push(rebuttal.fact);
    }
    const other = hits.find((hit) => hit.fact.deal !== leadDeal);
    if (
      other &&
      other.score >= lead.score * ANSWER_DEFAULTS.secondDealRatio &&
      chosen.length < ANSWER_DEFAULTS.maxFacts
    ) {
      chosen.push(other.fact);
    }
    return chosen.slice(0, ANSWER_DEFAULTS.maxFacts);
  }

  /** An answer made of exactly these facts (lead first), with citations, related deals and suggestions. */
  compose(question: string, facts: readonly Fact[]): Answer {
    const citations = new Citations(this.kb.sources);
    const dealOrder = [...new Set(facts.map((fact) => fact.deal))];
    const grouped = dealOrder.flatMap((deal) => facts.filter((fact) => fact.deal === deal));
    const answerFacts: AnswerFact[] = grouped.map((fact) => ({
      id: fact.id,
      deal: fact.deal,
      text: fact.text,
      status: fact.status,
      ...(fact.date ? { date: fact.date } : {}),
      ...(fact.amount ? { amount: fact.amount } : {}),
      cites: citations.cite(fact.sources),
    }));

    const deals = dealOrder.map((id) => this.dealRef(id)).filter((ref): ref is DealRef => ref !== undefined);
    const related = [...new Set(dealOrder.flatMap((id) => this.kb.deals.get(id)?.related ?? []))]
      .filter((id) => !dealOrder.includes(id))
      .slice(0, ANSWER_DEFAULTS.maxRelated)
      .map((id) => this.dealRef(id))
      .filter((ref): ref is DealRef => ref !== undefined);

    const used = new Set(facts.map((fact) => fact.id));
    const suggestions = (this.kb.deals.get(dealOrder[0] as string)?.facts ?? [])
      .filter((fact) => !used.has(fact.id) && fact.questions.length > 0)
      .map((fact) => capitalise(fact.questions[0] as string))
      .slice(0, ANSWER_DEFAULTS.maxSuggestions);

    return {
      question,
      status: "answered",
      facts: answerFacts,
      citations: citations.list,
      deals,
      related,
      suggestions,
    };
  }

  /** "I don't know": no facts, and questions the bot can answer instead. */
  unknown(question: string): Answer {
    return {
      question,
      status: "unknown",
      facts: [],
      citations: [],
      deals: [],
      related: [],
      suggestions: this.starterQuestions(),
    };
  }

  private dealRef(id: string): DealRef | undefined {
    const deal = this.kb.deals.get(id);
    return deal && { id: deal.id, title: deal.title };
  }
}

function capitalise(text: string): string {
  const trimmed = text.trim();
  const sentence = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[?.!]$/.test(sentence) ? sentence : `${sentence}?`;
}
