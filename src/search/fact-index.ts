/**
 * The search index over facts and deals (MiniSearch, BM25+). Scores are adjusted for what the
 * question wants (intents) and whom it names (entities), and a fact inherits part of its
 * deal's score.
 */
import MiniSearch from "minisearch";
import SearchableMap from "minisearch/SearchableMap";
import { entitiesOfFact, withParents } from "../knowledge/relations.js";
import type { Deal, Fact, KnowledgeBase } from "../knowledge/types.js";
import { EntityMatcher, typoAllowance, typoDistance } from "./entities.js";
import { analyseQuery, type Query } from "./query.js";
import { isStopWord, termsOfWord, words } from "./text.js";

/**
 * Two kinds of document share the index: one per fact (its text, the ways people ask for it,
 * the names of whoever it is by or about) and one per deal (title, summary, tags and the
 * names of its parties). Deal text is indexed once, not once per fact, which keeps the index
 * small; a fact's score adds a share of its deal's.
 */
interface IndexDocument {
  readonly id: string;
  readonly text?: string;
  readonly questions?: string;
  readonly names?: string;
  readonly deal?: string;
}

const DEAL_PREFIX = "deal:";

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

/** In coverage, a named entity counts as two words, however many words its name has. */
const ENTITY_WEIGHT = 2;
/** Re-ranking (entities, intents, focus) looks at this many of MiniSearch's best facts. */
const RERANK_DEPTH = 300;
/** Terms indexed more often than this share of the facts (and this floor) are too common to search on. */
const COMMON_SHARE = 0.02;
const COMMON_FLOOR = 2_000;
/** How many of the best-matching deals bring all their facts into the running. */
const DEALS_EXPANDED = 3;
/** How much of its deal's score a fact inherits. */
const DEAL_SHARE = 0.5;
/** In coverage, a word the index doesn't know (likely a name it knows nothing about) counts as three. */
const UNKNOWN_WEIGHT = 3;

const FIELD_BOOST = { text: 2, questions: 2, deal: 1, names: 1.2 };

export class FactIndex {
  private readonly search_: MiniSearch<IndexDocument>;
  /** Every index term → how many times it is indexed. */
  private readonly terms = new Map<string, number>();
  /** Every word as written in the knowledge base → how often; a radix tree, for typo correction. */
  private readonly vocabulary: SearchableMap<number>;
  private readonly entitiesOf = new Map<string, ReadonlySet<string>>();
  /** A deal's parties and their parents, worked out once per deal. */
  private readonly dealParties = new Map<string, ReadonlySet<string>>();
  /** Every entity any fact of a deal involves. */
  private readonly dealEntities = new Map<string, Set<string>>();
  readonly matcher: EntityMatcher;

  private constructor(readonly kb: KnowledgeBase) {
    this.matcher = new EntityMatcher(kb);
    const wordCounts = new Map<string, number>();
    const termCounts = this.terms;
    this.search_ = new MiniSearch<IndexDocument>({
      fields: ["text", "questions", "deal", "names"],
      // Stop words never reach the index (nor count towards a field's length).
      tokenize: (text) => words(text).filter((word) => !isStopWord(word)),
      processTerm: (word) => {
        const terms = termsOfWord(word);
        if (terms.length > 0) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
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
    this.search_.addAll([...kb.deals.values()].map((deal) => this.dealDocument(deal)));
    this.vocabulary = SearchableMap.from(wordCounts);
    for (const [word, count] of wordCounts) {
      for (const term of termsOfWord(word)) termCounts.set(term, (termCounts.get(term) ?? 0) + count);
    }
  }

  static build(kb: KnowledgeBase): FactIndex {
    return new FactIndex(kb);
  }

  /** How many facts are indexed. */
  get size(): number {
    return this.kb.facts.size;
  }

  /**
   * A typed word as the knowledge base writes it: itself when its terms are indexed, else the
   * most common word within a typo's reach (same first letter; a swap of two letters is one typo).
   */
  spell = (word: string): { word: string; distance: number } | undefined => {
    const terms = termsOfWord(word);
    // A stop word is known by definition; a word whose terms are all indexed is known as typed.
    if (terms.every((term) => this.terms.has(term))) return { word, distance: 0 };
    const known = this.vocabulary.get(word);
    if (known !== undefined) return { word, distance: 0 };
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
    // In a large index a term found almost everywhere ranks little and costs the most to look
    // up: leave it out of the search and of the coverage, unless it is all the question has.
    const common = Math.max(COMMON_FLOOR, this.size * COMMON_SHARE);
    const selective = query.terms.filter(
      (term) => (this.terms.get(term) ?? 0) <= common || ofEntities.has(term),
    );
    const searched = selective.length > 0 ? selective : query.terms;
    for (const term of query.terms) if (!searched.includes(term)) weights.delete(term);
    // Typos were corrected during analysis, so the search itself is exact (and fast).
    const results = this.search_.search(searched.join(" "), {
      ...(options.deal
        ? {
            filter: (result) =>
              result.id === DEAL_PREFIX + options.deal || this.kb.facts.get(result.id)?.deal === options.deal,
          }
        : {}),
    });

    // Deals first: their scores and matched terms carry over to their facts.
    const deals = new Map<string, { score: number; terms: readonly string[] }>();
    const factResults: { id: string; score: number; terms: readonly string[] }[] = [];
    for (const result of results) {
      if (factResults.length >= RERANK_DEPTH) break;
      const id = String(result.id);
      if (id.startsWith(DEAL_PREFIX))
        deals.set(id.slice(DEAL_PREFIX.length), { score: result.score, terms: result.queryTerms });
      else factResults.push({ id, score: result.score, terms: result.queryTerms });
    }
    // A strongly matching deal brings its facts along even where their own text doesn't match.
    const seen = new Set(factResults.map((r) => r.id));
    const topDeals = [...deals.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, DEALS_EXPANDED);
    for (const [dealId] of topDeals) {
      for (const fact of this.kb.deals.get(dealId)?.facts ?? []) {
        if (!seen.has(fact.id)) factResults.push({ id: fact.id, score: 0, terms: [] });
      }
    }

    // A word neither in the index nor near one is most likely a name we know nothing about
    // ("did talkspace…"): it weighs more than an entity, so missing it costs coverage.
    for (const term of query.unknownTerms) if (weights.has(term)) weights.set(term, UNKNOWN_WEIGHT);
    const total = [...weights.values()].reduce((a, b) => a + b, 0) + ENTITY_WEIGHT * entityTerms.size;
    const preferred = new Map((options.preferFacts ?? []).map((id, i) => [id, i === 0 ? 3 : 1.5]));

    const hits: Hit[] = [];
    for (const result of factResults) {
      const fact = this.kb.facts.get(result.id);
      if (!fact) continue;
      const deal = deals.get(fact.deal);
      // The terms matched by the fact or by its deal, each counted once (hot loop: no Sets).
      const matched = deal
        ? [...result.terms, ...deal.terms.filter((t) => !result.terms.includes(t))]
        : result.terms;
      let matchedWeight = 0;
      for (const term of matched) matchedWeight += weights.get(term) ?? 0;
      const involved = this.entitiesOf.get(fact.id);
      const inDeal = this.dealEntities.get(fact.deal);
      // An entity the fact itself involves counts fully; one only its deal's other facts
      // involve (the Netflix Prize, in a fact about the prize's data) counts half.
      let named = 0;
      let boost = 0;
      for (const [id, nameTerms] of entityTerms) {
        const isInvolved = involved?.has(id) ?? false;
        const nearby = !isInvolved && (inDeal?.has(id) ?? false);
        if (isInvolved || nearby) named++;
        boost += isInvolved ? 0.5 : nearby ? 0.25 : 0;
        if (isInvolved || nearby || matched.some((term) => nameTerms.has(term)))
          matchedWeight += ENTITY_WEIGHT;
      }
      let score = result.score + DEAL_SHARE * (deal?.score ?? 0);
      if (wanted > 0) score *= named > 0 ? 1 + boost : 0.5;
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

  /** Whether a term is one of this domain's everyday words (data, share, user…). */
  isGeneric(term: string): boolean {
    return GENERIC.has(term);
  }

  /** A deal's parties and their parents. */
  entitiesOfDeal(id: string): ReadonlySet<string> {
    let parties = this.dealParties.get(id);
    if (!parties) {
      parties = withParents(this.kb, this.kb.deals.get(id)?.parties ?? []);
      this.dealParties.set(id, parties);
    }
    return parties;
  }

  private intentBoost(fact: Fact, query: Query): number {
    let boost = 1;
    const { intents } = query;
    if (intents.has("amount")) boost *= fact.amount ? 2.2 : 0.8;
    if (intents.has("date")) boost *= fact.date ? 1.6 : 0.8;
    if (intents.has("who") && fact.by.length > 0) boost *= 1.3;
    if (intents.has("verify") && (fact.status === "unsupported" || fact.status === "denied")) boost *= 1.8;
    if (intents.has("denial")) boost *= fact.status === "denied" ? 2.5 : 0.9;
    if (intents.has("outcome") && fact.status === "ruled") boost *= 1.8;
    return boost;
  }

  private documentOf(fact: Fact): IndexDocument {
    const deal = this.kb.deals.get(fact.deal);
    const involved = withParents(this.kb, entitiesOfFact(fact, deal));
    this.entitiesOf.set(fact.id, involved);
    const ofDeal = this.dealEntities.get(fact.deal) ?? new Set<string>();
    for (const id of involved) ofDeal.add(id);
    this.dealEntities.set(fact.deal, ofDeal);
    return {
      id: fact.id,
      text: fact.text,
      ...(fact.questions.length > 0 ? { questions: fact.questions.join("\n") } : {}),
      // The deal's parties are named in the deal's document; here, only who the fact adds.
      ...(fact.by.length + fact.about.length > 0
        ? { names: this.namesOf(withParents(this.kb, [...fact.by, ...fact.about])) }
        : {}),
    };
  }

  private dealDocument(deal: Deal): IndexDocument {
    return {
      id: DEAL_PREFIX + deal.id,
      deal: [deal.title, deal.summary, ...deal.tags].join("\n"),
      names: this.namesOf(withParents(this.kb, deal.parties)),
    };
  }

  private namesOf(ids: ReadonlySet<string>): string {
    return [...ids]
      .flatMap((id) => {
        const entity = this.kb.entities.get(id);
        return entity ? [entity.name, ...entity.aliases] : [];
      })
      .join("\n");
  }
}
