/**
 * The search index: one MiniSearch document per fact, carrying the fact's text, the ways people
 * ask for it, its deal's title, summary and tags, and the names of every entity it involves.
 * Scores are MiniSearch's BM25+, then adjusted for what the question wants (intents) and whom
 * it names (entities).
 */
import MiniSearch from "minisearch";
import SearchableMap from "minisearch/SearchableMap";
import type { Fact, KnowledgeBase } from "../knowledge/types.js";
import { EntityMatcher, typoAllowance, typoDistance } from "./entities.js";
import { analyseQuery, type Query } from "./query.js";
import { termsOfWord, words } from "./text.js";

interface FactDocument {
  readonly id: string;
  readonly text: string;
  readonly questions: string;
  readonly deal: string;
  readonly names: string;
}

export interface Hit {
  readonly fact: Fact;
  readonly score: number;
  /** Share of the question's weighted terms found in this fact's document, 0..1. */
  readonly coverage: number;
  /** How many of the entities the question names this fact involves. */
  readonly entityMatches: number;
}

export interface SearchOptions {
  /** Only facts of this deal. */
  readonly deal?: string;
  /** Favour facts of this deal (the conversation's deal in focus). */
  readonly preferDeal?: string;
  /** Favour these facts (the previous answer's), e.g. for "when was that?". */
  readonly preferFacts?: readonly string[];
  readonly limit?: number;
}

/** Words so common in this domain that matching them says little about the topic. */
const GENERIC = new Set([
  "data",
  "user",
  "share",
  "sell",
  "compani",
  "privaci",
  "inform",
  "person",
  "deal",
  "access",
  "app",
  "use",
  "collect",
]);

const ENTITY_WEIGHT = 2;
const UNKNOWN_WEIGHT = 3;

const FIELD_BOOST = { text: 2, questions: 2, deal: 0.7, names: 1.2 };

export class FactIndex {
  private readonly search_: MiniSearch<FactDocument>;
  /** Every index term, to tell known terms from unknown ones. */
  private readonly terms = new Set<string>();
  /** Every word as written in the knowledge base → how often; a radix tree, for typo correction. */
  private readonly vocabulary = new SearchableMap<number>();
  private readonly entitiesOf = new Map<string, ReadonlySet<string>>();
  readonly matcher: EntityMatcher;

  private constructor(readonly kb: KnowledgeBase) {
    this.matcher = new EntityMatcher(kb);
    const vocabulary = this.vocabulary;
    const known = this.terms;
    this.search_ = new MiniSearch<FactDocument>({
      fields: ["text", "questions", "deal", "names"],
      tokenize: (text) => words(text),
      processTerm: (word) => {
        const terms = termsOfWord(word);
        if (terms.length > 0) vocabulary.update(word, (count = 0) => count + 1);
        for (const term of terms) known.add(term);
        return terms;
      },
      searchOptions: {
        // Queries arrive as analysed terms (see analyseQuery): split, don't analyse twice.
        tokenize: (text) => text.split(" "),
        processTerm: (term) => term,
        boost: FIELD_BOOST,
        bm25: { k: 1.2, b: 0.5, d: 0.5 },
      },
    });
    this.search_.addAll([...kb.facts.values()].map((fact) => this.documentOf(fact)));
  }

  static build(kb: KnowledgeBase): FactIndex {
    return new FactIndex(kb);
  }

  get size(): number {
    return this.search_.documentCount;
  }

  /**
   * A typed word as the knowledge base writes it: itself when its terms are indexed, else the
   * most common word within a typo's reach (same first letter; a swap of two letters is one typo).
   */
  spell = (word: string): { word: string; distance: number } | undefined => {
    const terms = termsOfWord(word);
    if (terms.length > 0 && terms.every((term) => this.terms.has(term))) return { word, distance: 0 };
    const allowed = typoAllowance(word);
    if (allowed === 0) return undefined;
    let best: { word: string; distance: number; count: number } | undefined;
    for (const [candidate, [count]] of this.vocabulary.fuzzyGet(word, allowed + 1)) {
      if (candidate[0] !== word[0]) continue;
      const distance = typoDistance(word, candidate);
      if (distance > allowed) continue;
      if (!best || distance < best.distance || (distance === best.distance && count > best.count)) {
        best = { word: candidate, distance, count };
      }
    }
    return best && { word: best.word, distance: best.distance };
  };

  analyse(question: string): Query {
    return analyseQuery(question, this.matcher, this.spell);
  }

  search(query: Query, options: SearchOptions = {}): Hit[] {
    if (query.terms.length === 0) return [];
    // Coverage counts an entity once (2), however many words its name has; other words count
    // 1, or 0.3 for this domain's everyday words.
    const entityTerms = new Map(
      query.entities.map((e) => [e.id, new Set(words(e.name).flatMap(termsOfWord))]),
    );
    const ofEntities = new Set([...entityTerms.values()].flatMap((set) => [...set]));
    const weights = new Map(
      query.terms.filter((term) => !ofEntities.has(term)).map((term) => [term, GENERIC.has(term) ? 0.3 : 1]),
    );
    const wanted = query.entities.length;
    // Typos were corrected during analysis, so the search itself is exact (and fast).
    const results = this.search_.search(query.terms.join(" "), {
      ...(options.deal ? { filter: (result) => this.kb.facts.get(result.id)?.deal === options.deal } : {}),
    });

    // A word neither in the index nor near one is most likely a name we know nothing about
    // ("did talkspace…"): it weighs more than an entity, so missing it costs coverage.
    for (const term of query.unknownTerms) if (weights.has(term)) weights.set(term, UNKNOWN_WEIGHT);
    const total = [...weights.values()].reduce((a, b) => a + b, 0) + ENTITY_WEIGHT * entityTerms.size;
    const preferred = new Map((options.preferFacts ?? []).map((id, i) => [id, i === 0 ? 3 : 1.5]));

    const hits: Hit[] = [];
    for (const result of results) {
      const fact = this.kb.facts.get(result.id);
      if (!fact) continue;
      let matchedWeight = 0;
      for (const term of result.queryTerms) matchedWeight += weights.get(term) ?? 0;
      const involved = this.entitiesOf.get(fact.id) ?? new Set<string>();
      let named = 0;
      for (const [id, nameTerms] of entityTerms) {
        const mentioned = result.queryTerms.some((term) => nameTerms.has(term));
        if (involved.has(id)) named++;
        if (involved.has(id) || mentioned) matchedWeight += ENTITY_WEIGHT;
      }
      let score = result.score;
      if (wanted > 0) score *= named > 0 ? 1 + 0.5 * named : 0.5;
      score *= this.intentBoost(fact, query) * (preferred.get(fact.id) ?? 1);
      if (options.preferDeal === fact.deal) score *= 1.6;
      hits.push({ fact, score, coverage: total > 0 ? matchedWeight / total : 0, entityMatches: named });
    }
    hits.sort((a, b) => b.score - a.score);
    return hits.slice(0, options.limit ?? 20);
  }

  /** Facts of `deal`, best for the query's intents first: for follow-ups with no topic words. */
  factsOfDeal(deal: string, query: Query, preferFacts: readonly string[] = []): Hit[] {
    const facts = this.kb.deals.get(deal)?.facts ?? [];
    const preferred = new Map(preferFacts.map((id, i) => [id, i === 0 ? 3 : 1.5]));
    return facts
      .map((fact) => ({
        fact,
        score: this.intentBoost(fact, query) * (preferred.get(fact.id) ?? 1),
        coverage: 1,
        entityMatches: query.entities.length,
      }))
      .sort((a, b) => b.score - a.score);
  }

  /** Every entity a fact involves: its deal's parties, its by and about, and their parents. */
  entitiesOfFact(id: string): ReadonlySet<string> {
    return this.entitiesOf.get(id) ?? new Set();
  }

  private intentBoost(fact: Fact, query: Query): number {
    let boost = 1;
    const { intents } = query;
    if (intents.has("amount")) boost *= fact.amount ? 2.2 : 0.8;
    if (intents.has("date")) boost *= fact.date ? 1.6 : 0.8;
    if (intents.has("who") && fact.by.length > 0) boost *= 1.3;
    if (intents.has("verify") && (fact.status === "disputed" || fact.status === "denied")) boost *= 1.8;
    if (intents.has("denial")) boost *= fact.status === "denied" ? 2.5 : 0.9;
    if (intents.has("outcome") && fact.status === "ruled") boost *= 1.8;
    return boost;
  }

  private documentOf(fact: Fact): FactDocument {
    const deal = this.kb.deals.get(fact.deal);
    const involved = new Set<string>([...(deal?.parties ?? []), ...fact.by, ...fact.about]);
    for (const id of [...involved]) {
      const parent = this.kb.entities.get(id)?.parent;
      if (parent) involved.add(parent);
    }
    this.entitiesOf.set(fact.id, involved);
    const names = [...involved].flatMap((id) => {
      const entity = this.kb.entities.get(id);
      return entity ? [entity.name, ...entity.aliases] : [];
    });
    return {
      id: fact.id,
      text: fact.text,
      questions: fact.questions.join("\n"),
      deal: deal ? [deal.title, deal.summary, ...deal.tags].join("\n") : "",
      names: names.join("\n"),
    };
  }
}
