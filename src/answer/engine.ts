/**
 * Question (+ what is in focus) → Answer. Every fact in an answer is a knowledge-base fact,
 * quoted whole; the engine only chooses, orders and numbers them. When nothing fits well
 * enough it says so: an honest "unknown" beats a confident wrong answer.
 */

import { type Phrase, say } from "../i18n/messages.js";
import { dealLabel } from "../knowledge/relations.js";
import { orderSources, type SourceTier, tierOf } from "../knowledge/tiers.js";
import type { Fact, KnowledgeBase } from "../knowledge/types.js";
import { entityGroups, type FactIndex, type Hit, SEARCH_LIMIT } from "../search/fact-index.js";
import type { Intent } from "../search/intent.js";
import type { Language } from "../search/languages/index.js";
import { placesIn } from "../search/places.js";
import type { AnalyseOptions, Query } from "../search/query.js";
import { normalise, words } from "../search/text.js";
import { Citations } from "./citations.js";
import type { Focus } from "./conversation.js";
import { directAnswer } from "./direct.js";
import type { Answer, AnswerFact, DealRef, Unanswered, Verdict } from "./types.js";
import { verdictOf } from "./verdict.js";

export interface AnswerResult {
  readonly answer: Answer;
  /** What to keep in focus for the next question of this chat (undefined: keep the old one). */
  readonly focus?: Focus;
}

/** Tuning knobs, in one place. */
export const ANSWER_DEFAULTS = {
  /** Least share of the question's weighted terms the best fact must cover. */
  minCoverage: 0.55,
  /** A fact holding only the names a question gives, none of its other words, must cover this much of it. */
  namesOnlyCoverage: 0.7,
  /** "How do I…" is about using a product unless the facts speak to all of it (an opt-out setting). */
  howToCoverage: 0.7,
  /** …and its lead fact's own text must hold this share of its words. */
  howToOwn: 0.75,
  /** A question of this many terms or more rarely has every word in one fact… */
  longQuestionTerms: 8,
  /** …so it needs this much less coverage. */
  longQuestionAllowance: 0.05,
  /** A question that refers back ("what did the FTC do about it?") stays in the deal in focus at this coverage. */
  followUpCoverage: 0.35,
  /** A "how much" or "when" question looks this far down the ranking for a fact with a figure or a date. */
  fieldSearchDepth: 5,
  /** A yes/no question opens with a verdict when its lead fact covers this much of it. */
  verdictCoverage: 0.75,
  /** For "did they…?", a fact of the lead's deal telling of evidence leads when it scores this near (its score × this ≥ the lead's). */
  evidenceLean: 1.5,
  /** Most facts in one answer to a broad question ("tell me about…", a claim). */
  maxFacts: 4,
  /** Most facts in one answer to a narrow question (when, how much, who, why, what is, was it legal). */
  maxNarrowFacts: 3,
  /** A supporting fact must score at least this share of the lead's score. */
  supportRatio: 0.3,
  /** …and for a narrow question, this share. */
  narrowSupportRatio: 0.45,
  /** A second deal joins the answer when its best fact scores this share of the lead's. */
  secondDealRatio: 0.75,
  /** Sources shown per fact (the best ones), and per answer; the full list is one tap away. */
  sourcesPerFact: 2,
  sourcesPerAnswer: 6,
  maxSuggestions: 3,
  maxRelated: 3,
  /** Facts remembered per chat as already shown (for "more" and for not repeating). */
  maxShown: 40,
} as const;

/** How many facts "I don't know" looks through for deals to suggest. */
const SUGGESTION_DEPTH = 30;

/** Intents whose answer is one fact and its closest support, not the deal's story. */
const NARROW: ReadonlySet<Intent> = new Set(["when", "how-much", "who", "why", "what-is", "legal", "denial"]);

export class AnswerEngine {
  /** Starter questions for up to 25 deals (Discord's autocomplete maximum), best-covered first. */
  private readonly starters: string[];
  /**
   * This answer's search with nothing in focus, SUGGESTION_DEPTH deep: when it ends in "I don't
   * know", the suggestions come from it rather than from the same search again.
   */
  private lastSearch?: { readonly query: Query; readonly hits: readonly Hit[] };

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

  answer(question: string, focus?: Focus, options: AnalyseOptions = {}): AnswerResult {
    this.lastSearch = undefined;
    const query = this.index.analyse(question, options);
    const { primary } = query.intent;
    if (primary === "small-talk") return { answer: this.unknown(question, query, "small-talk") };
    if (primary === "advice") return { answer: this.unknown(question, query, "advice") };
    let hits = this.findHits(query, focus);
    if (hits.length === 0) return { answer: this.unknown(question, query) };
    // "How much…" and "when…" ask for a figure or a date: the best close fact that has one leads,
    // and with none among the closest, the question asks for what we lack.
    if (primary === "how-much" || primary === "when") {
      const top = hits[0]?.fact.deal;
      const close = hits
        .slice(0, ANSWER_DEFAULTS.fieldSearchDepth)
        .filter((hit) => hit.fact.deal === top && this.index.intentFit(hit.fact, query) >= 1);
      // "How much do I get?": what each person gets, among the close facts, before the fund's total.
      // "How many Vizio TVs?": a count of TVs, among the close facts, before a count of lawsuits.
      // "When is the deadline?", "when do authors get paid?": the latest date among the close facts,
      // not the date the story began.
      const latest = query.intent.upcoming
        ? close.reduce<Hit | undefined>(
            (best, hit) => ((hit.fact.date ?? "") > (best?.fact.date ?? "") ? hit : best),
            undefined,
          )
        : undefined;
      const lead =
        (primary === "how-much" && query.intent.perPerson
          ? close.find((hit) => this.index.saysWhatEachGets(hit.fact))
          : undefined) ??
        close.find((hit) => this.index.countsWhatWasAsked(hit.fact, query)) ??
        latest ??
        close[0];
      if (!lead) return { answer: this.unknown(question, query) };
      hits = [lead, ...hits.filter((hit) => hit !== lead)];
    }

    // "Did Crisis Text Line sell texts to an AI company?": of the story's closest facts, the one
    // telling what others found or revealed ("Politico reported that…") answers it, when it scores
    // near the lead. Only facts of the lead's deal move: the story stays the one found.
    if (query.intent.yesNo && (primary === "topic" || primary === "is-it-true"))
      hits = leadWithinDeal(hits, (hit) => this.index.showsEvidence(hit.fact));

    // "Did Grindr appeal the fine?": of the story's closest facts, what the company asked about did
    // or said answers whether it did, before what others then ruled; when it scores near the lead.
    if (query.intent.didIt && primary === "outcome") {
      const subjects = query.entities
        .filter((entity) => entity.kind === "company")
        .map((entity) => entity.id);
      if (subjects.length > 0)
        hits = leadWithinDeal(hits, (hit) => subjects.some((id) => hit.fact.by.includes(id)));
    }

    const inFocus = focus !== undefined && hits[0]?.fact.deal === focus.deal;
    const shown = inFocus ? new Set(focus.shown ?? focus.facts) : new Set<string>();
    // "Tell me more" wants what has not been said yet; so does "which other phone makers?", when
    // anything is left to say.
    const unsaid = hits.filter((hit) => !shown.has(hit.fact.id));
    const fresh = query.more || (query.others && unsaid.length > 0) ? unsaid : hits;
    let facts = this.choose(fresh, query);
    let composed = facts.length > 0 ? this.composeFor(question, query, facts, hits) : undefined;
    // A follow-up never gets the previous reply again: the next best facts, or "nothing new".
    if (inFocus && composed && saying(composed) === focus.said) {
      const others = fresh.filter((hit) => !focus.facts.includes(hit.fact.id));
      const top = others[0];
      facts =
        top && top.fact.deal === focus.deal && this.index.intentFit(top.fact, query) >= 1
          ? this.choose(others, query)
          : [];
      composed = facts.length > 0 ? this.composeFor(question, query, facts, hits) : undefined;
    }
    if (!composed) {
      const deal = focus ? this.dealRef(focus.deal) : undefined;
      return { answer: { ...this.unknown(question, query, "nothing-new"), deals: deal ? [deal] : [] } };
    }

    const lead = facts[0] as Fact;
    const entities = new Set([
      ...query.entities.map((e) => e.id),
      ...(focus?.deal === lead.deal ? focus.entities : []),
    ]);
    const seen = focus?.deal === lead.deal ? [...(focus.shown ?? focus.facts)] : [];
    return {
      answer: composed,
      focus: {
        deal: lead.deal,
        entities: [...entities],
        facts: facts.map((fact) => fact.id),
        shown: [...new Set([...seen, ...facts.map((fact) => fact.id)])].slice(-ANSWER_DEFAULTS.maxShown),
        said: saying(composed),
      },
    };
  }

  private composeFor(question: string, query: Query, facts: readonly Fact[], hits: readonly Hit[]): Answer {
    const verdict = this.verdict(query, facts, hits);
    const direct = directAnswer(this.kb, facts[0] as Fact, query.intent);
    // The English words stay on the answer (ask --json); the phrase is said in the chat's language.
    return this.compose(question, facts, {
      intent: query.intent.primary,
      language: query.language,
      ...(verdict ? { verdict } : {}),
      ...(direct ? { direct: say("en", direct), directPhrase: direct } : {}),
    });
  }

  /** The focus a chat gets when it opens a deal (/deal): follow-ups are about that deal. */
  focusOn(deal: string): Focus | undefined {
    return this.kb.deals.has(deal) ? { deal, entities: [], facts: [], shown: [] } : undefined;
  }

  /** The suggestions the bot offers when it has nothing better: one question per well-covered deal. */
  starterQuestions(limit: number = ANSWER_DEFAULTS.maxSuggestions): string[] {
    return this.starters.slice(0, limit);
  }

  private findHits(query: Query, focus: Focus | undefined): Hit[] {
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
      // "When did he leave?": "he" is the person in focus, not the company.
      const person = /\b(?:he|him|his|she|her|hers)\b/.test(words(query.text).join(" "));
      const people = person ? focus.entities.filter((id) => this.kb.entities.get(id)?.kind === "person") : [];
      const preferEntities = [
        ...(people.length > 0 ? people : focus.entities),
        ...query.entities.map((e) => e.id),
      ];
      // "When was that?" points back at the last answer; "what did Netflix say?" names its own subject.
      const preferFacts = query.entities.length > 0 ? [] : focus.facts;
      // "When was that ruling?": the noun points back at the last answer, it is no new topic.
      const pointsBack =
        query.entities.length === 0 &&
        query.pointedAt.size > 0 &&
        query.terms.every((term) => query.pointedAt.has(term));
      if (pointsBack) return this.index.factsOfDeal(focus.deal, query, preferFacts, preferEntities);
      const inFocus =
        query.terms.length > 0
          ? this.index.search(query, { deal: focus.deal, preferFacts, preferEntities })
          : [];
      // "Who got the data?", "was that legal?": no words beyond everyday ones and those that say what
      // is wanted. Among the deal's facts, the kind of fact asked for leads, not whichever holds "data".
      const fielded = query.intent.primary === "when" || query.intent.primary === "how-much";
      const topicWords = query.terms.filter(
        (term) => !this.index.isGeneric(term) && !(fielded && query.cues.has(term)),
      );
      if (followUp && query.entities.length === 0 && inFocus.length > 0 && topicWords.length === 0) {
        const matched = new Set(inFocus.filter((hit) => hit.own > 0).map((hit) => hit.fact.id));
        // "What data did they send exactly?" wants what the chat was not yet told; "how much was the
        // fine?" wants the figure, told or not.
        const shown = fielded ? undefined : new Set(focus.shown ?? focus.facts);
        return this.index.factsOfDeal(focus.deal, query, [], preferEntities, matched, shown);
      }
      const top = inFocus[0];
      if (top && (followUp || top.coverage >= ANSWER_DEFAULTS.followUpCoverage)) return inFocus;
      // "when was that?" has no topic words: answer from the deal in focus, by intent, about what was
      // just said. "What was the fine?" names what it asks for: the deal's fine, whatever was just said.
      if (followUp) {
        const namesWhatItAsks = query.terms.some((term) => query.cues.has(term));
        return this.index.factsOfDeal(focus.deal, query, namesWhatItAsks ? [] : focus.facts, preferEntities);
      }
    }
    // Only everyday words ("data deal") name no topic.
    if (query.entities.length === 0 && query.terms.every((term) => this.index.isGeneric(term))) return [];
    // "how much did they pay?" with nothing in focus: who are "they"? Better to ask back.
    if (!focus && query.anaphoric && query.entities.length === 0 && query.terms.length <= 2) return [];
    let hits: Hit[];
    if (focus) hits = this.index.search(query, { preferDeal: focus.deal });
    else {
      const deep = this.index.search(query, { limit: SUGGESTION_DEPTH });
      this.lastSearch = { query, hits: deep };
      hits = deep.slice(0, SEARCH_LIMIT);
    }
    // Two companies named: answer only from facts that involve both, or "a deal between
    // Samsung and Google" gets answered with a deal of only one of them. A claim's figure
    // found with another company stays, so the verdict can say whose it is.
    const companies = entityGroups(query).filter((group) => {
      const kind = this.kb.entities.get(group[0] as string)?.kind;
      return kind === "company" || kind === "product";
    }).length;
    if (companies >= 2) {
      const sameFigure = (hit: Hit) =>
        hit.fact.amount !== undefined &&
        query.amounts.some((value) => Math.abs(value - (hit.fact.amount?.value ?? 0)) <= value * 0.05);
      hits = hits.filter(
        (hit) => hit.entityMatches >= 2 || (query.intent.primary === "claim" && sameFigure(hit)),
      );
    }
    // "Did the UK fine TikTok…?": a place the question names is part of the story it asks about.
    const places = placesIn(query.terms);
    if (places.length > 0)
      hits = hits.filter((hit) => places.every((place) => this.index.dealSpeaksOf(hit.fact.deal, place)));
    const top = hits[0];
    const long = query.terms.length >= ANSWER_DEFAULTS.longQuestionTerms;
    const minCoverage = query.intent.howTo
      ? ANSWER_DEFAULTS.howToCoverage
      : ANSWER_DEFAULTS.minCoverage - (long ? ANSWER_DEFAULTS.longQuestionAllowance : 0);
    if (!top || top.coverage < minCoverage) return [];
    // "Why did Italy fine OpenAI?": facts about OpenAI that say nothing of Italy or a fine answer
    // another question; they must cover much more of this one.
    if (
      top.own === 0 &&
      top.coverage < ANSWER_DEFAULTS.namesOnlyCoverage &&
      this.index.topicalTerms(query).length > 0
    )
      return [];
    // "How do I back up my chats": only a fact that speaks to the very action answers it.
    if (query.intent.howTo && top.own < ANSWER_DEFAULTS.howToOwn) return [];
    if (query.entities.length > 0 && top.entityMatches === 0) return [];
    // "When does the new iPhone come out?": a story that speaks of none of the question's telling
    // words answers another question, however many of its everyday words it holds.
    const telling = !focus && query.entities.length === 0 ? this.index.tellingTerms(query) : [];
    if (telling.length > 0 && !telling.some((term) => this.index.dealSpeaksOf(top.fact.deal, term)))
      return [];
    return hits;
  }

  /** The lead, its deal's supporting facts and any denial or dispute, then maybe a second deal. */
  private choose(hits: readonly Hit[], query: Query): Fact[] {
    const lead = hits[0];
    if (!lead) return [];
    const narrow = NARROW.has(query.intent.primary);
    const max = narrow ? ANSWER_DEFAULTS.maxNarrowFacts : ANSWER_DEFAULTS.maxFacts;
    const ratio = narrow ? ANSWER_DEFAULTS.narrowSupportRatio : ANSWER_DEFAULTS.supportRatio;
    const chosen: Fact[] = [lead.fact];
    const texts = new Set([normalise(lead.fact.text)]);
    const add = (fact: Fact): boolean => {
      const text = normalise(fact.text);
      if (texts.has(text) || chosen.includes(fact)) return false;
      texts.add(text);
      chosen.push(fact);
      return true;
    };
    const leadDeal = lead.fact.deal;
    const inLeadDeal = hits.filter((hit) => hit.fact.deal === leadDeal && hit !== lead);
    // An allegation travels with its denial or dispute, when the deal has one that bears on it.
    const contested =
      lead.fact.status === "alleged" ||
      lead.fact.status === "unsupported" ||
      query.intent.primary === "claim" ||
      query.intent.primary === "is-it-true";
    const rebuttal = contested
      ? inLeadDeal.find((hit) => hit.fact.status === "denied" || hit.fact.status === "unsupported")
      : undefined;
    const room = max - (rebuttal ? 1 : 0);
    for (const hit of inLeadDeal) {
      if (chosen.length >= room) break;
      if (hit === rebuttal || hit.score < lead.score * ratio) continue;
      // A narrow question's support must fit the question as well (a date for "when").
      if (narrow && this.index.intentFit(hit.fact, query) < 1) continue;
      add(hit.fact);
    }
    if (rebuttal) add(rebuttal.fact);
    const other = narrow ? undefined : hits.find((hit) => hit.fact.deal !== leadDeal);
    if (other && other.score >= lead.score * ANSWER_DEFAULTS.secondDealRatio && chosen.length < max)
      add(other.fact);
    return chosen;
  }

  private verdict(query: Query, facts: readonly Fact[], hits: readonly Hit[]): Verdict | undefined {
    const { primary, yesNo } = query.intent;
    // A yes/no question gets a verdict only when the lead fact matches it closely.
    const close = (hits[0]?.coverage ?? 0) >= ANSWER_DEFAULTS.verdictCoverage;
    const asks = primary === "claim" || primary === "is-it-true" || (yesNo && primary === "topic" && close);
    if (!asks) return undefined;
    return verdictOf({
      kb: this.kb,
      query,
      facts,
      candidates: hits.slice(0, 20).map((hit) => hit.fact),
      mentions: (fact) => this.index.mentions(fact),
    });
  }

  /** An answer made of exactly these facts (lead first), with citations, related deals and suggestions. */
  compose(
    question: string,
    facts: readonly Fact[],
    extra: {
      intent?: Intent;
      language?: Language;
      verdict?: Verdict;
      direct?: string;
      directPhrase?: Phrase;
    } = {},
  ): Answer {
    const citations = new Citations(this.kb.sources);
    const dealOrder = [...new Set(facts.map((fact) => fact.deal))];
    const grouped = dealOrder.flatMap((deal) => facts.filter((fact) => fact.deal === deal));
    // Each fact shows its best sources; the answer as a whole shows at most a handful.
    const best = new Map(grouped.map((fact) => [fact.id, orderSources(fact.sources, this.kb.sources)]));
    const answerFacts: AnswerFact[] = grouped.map((fact, i) => {
      const ordered = best.get(fact.id) ?? [];
      const shown: string[] = [];
      // Facts still to come each keep room for one source of their own.
      const reserve = grouped
        .slice(i + 1)
        .filter((later) => !(best.get(later.id) ?? []).some((id) => citations.has(id))).length;
      for (const id of ordered) {
        if (shown.length >= ANSWER_DEFAULTS.sourcesPerFact) break;
        // A second receipt is shown only when it is a primary document or an original outlet:
        // a copy or a syndicated reprint adds nothing the first did not.
        const tier = this.tierOf(id);
        if (shown.length > 0 && tier !== "primary" && tier !== "original") break;
        const fresh = !citations.has(id) && !shown.includes(id);
        const budget = ANSWER_DEFAULTS.sourcesPerAnswer - reserve - citations.size;
        if (fresh && shown.length > 0 && budget <= 0) continue;
        shown.push(id);
        if (fresh) citations.cite([id]);
      }
      return {
        id: fact.id,
        deal: fact.deal,
        text: fact.text,
        status: fact.status,
        ...(fact.date ? { date: fact.date } : {}),
        ...(fact.amount ? { amount: fact.amount } : {}),
        ...(fact.count ? { count: fact.count } : {}),
        cites: citations.cite(shown),
        sources: ordered,
      };
    });

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
      intent: extra.intent ?? "topic",
      language: extra.language ?? "en",
      ...(extra.verdict ? { verdict: extra.verdict } : {}),
      ...(extra.direct ? { direct: extra.direct } : {}),
      ...(extra.directPhrase ? { directPhrase: extra.directPhrase } : {}),
      facts: answerFacts,
      citations: citations.list,
      deals,
      related,
      suggestions,
    };
  }

  /** No facts: why, and questions the bot can answer instead (about what the question named). */
  unknown(question: string, query?: Query, why: Unanswered = "no-match"): Answer {
    const intent = query?.intent;
    return {
      question,
      status: "unknown",
      intent: intent?.primary ?? "topic",
      language: query?.language ?? "en",
      unanswered: why,
      ...(intent?.smallTalk ? { smallTalk: intent.smallTalk } : {}),
      facts: [],
      citations: [],
      deals: [],
      related: [],
      suggestions:
        why === "small-talk" && intent?.smallTalk !== "greeting" && intent?.smallTalk !== "identity"
          ? []
          : query
            ? this.suggestionsFor(query)
            : this.starterQuestions(),
    };
  }

  /**
   * Questions about what the question named, when the knowledge base has them: the deals of
   * the companies it names, else the deals its words come closest to, else the starters.
   */
  private suggestionsFor(query: Query): string[] {
    const limit = ANSWER_DEFAULTS.maxSuggestions;
    let deals: string[] = [];
    if (query.entities.length > 0) {
      const named = new Set(query.entities.map((e) => e.id));
      deals = [...this.kb.deals.values()]
        .filter((deal) => [...this.index.entitiesOfDeal(deal.id)].some((id) => named.has(id)))
        .sort((a, b) => b.facts.length - a.facts.length)
        .map((deal) => deal.id);
    }
    if (deals.length === 0 && query.terms.some((term) => !this.index.isGeneric(term))) {
      const searched =
        this.lastSearch?.query === query
          ? this.lastSearch.hits
          : this.index.search(query, { limit: SUGGESTION_DEPTH });
      deals = [...new Set(searched.map((hit) => hit.fact.deal))];
    }
    const out: string[] = [];
    for (const id of deals) {
      const question = this.kb.deals.get(id)?.facts.find((fact) => fact.questions.length > 0)?.questions[0];
      if (question) out.push(capitalise(question));
      if (out.length >= limit) break;
    }
    for (const starter of this.starterQuestions(limit + out.length)) {
      if (out.length >= limit) break;
      if (!out.includes(starter)) out.push(starter);
    }
    return out;
  }

  private tierOf(id: string): SourceTier | undefined {
    const source = this.kb.sources.get(id);
    return source && tierOf(source);
  }

  private dealRef(id: string): DealRef | undefined {
    const deal = this.kb.deals.get(id);
    return deal && { id: deal.id, title: deal.title, label: dealLabel(deal) };
  }
}

/** What a reply says, in short: two replies that say the same are one reply repeated. */
function saying(answer: Answer): string {
  return [answer.verdict?.text ?? "", answer.direct ?? "", ...answer.facts.map((fact) => fact.id)].join("|");
}

function capitalise(text: string): string {
  const trimmed = text.trim();
  const sentence = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[?.!]$/.test(sentence) ? sentence : `${sentence}?`;
}

/**
 * `hits` led by the first of the lead's deal's closest facts that `fits`, when the lead does not
 * and that fact scores near it (within ANSWER_DEFAULTS.evidenceLean); else `hits` as they are.
 * Only facts of the lead's deal move: the story stays the one found.
 */
function leadWithinDeal(hits: Hit[], fits: (hit: Hit) => boolean): Hit[] {
  const lead = hits[0];
  if (!lead || fits(lead)) return hits;
  const better = hits
    .slice(1, ANSWER_DEFAULTS.fieldSearchDepth)
    .find(
      (hit) =>
        hit.fact.deal === lead.fact.deal &&
        hit.score * ANSWER_DEFAULTS.evidenceLean >= lead.score &&
        fits(hit),
    );
  return better ? [better, ...hits.filter((hit) => hit !== better)] : hits;
}
