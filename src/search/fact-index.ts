/**
 * The search index over facts and deals (MiniSearch, BM25+). Scores are adjusted for what the
 * question wants (intents) and whom it names (entities), and a fact inherits part of its
 * deal's score.
 */
import type { AsPlainObject, Options } from "minisearch";
import SearchableMap from "minisearch/SearchableMap";
import { entitiesOfFact, withParents } from "../knowledge/relations.js";
import type { Deal, Fact, FactStatus, KnowledgeBase } from "../knowledge/types.js";
import { EntityMatcher, typoAllowance, typoDistance } from "./entities.js";
import { isPlace, placesIn } from "./places.js";
import { type AnalyseOptions, analyseQuery, type Query } from "./query.js";
import { RankedSearch } from "./ranked-search.js";
import { isCommonWord, isStopWord, normalise, terms, termsOfWord, words } from "./text.js";

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

/** How many facts a search returns unless told otherwise. */
export const SEARCH_LIMIT = 20;

export interface Hit {
  readonly fact: Fact;
  readonly score: number;
  /** Share of the question's weighted terms found in this fact's document (or half, in its deal's), 0..1. */
  readonly coverage: number;
  /** Share of the question's words (names aside) that the fact's own text holds, 0..1. */
  readonly own: number;
  /** How many of the entities the question names this fact involves. */
  readonly entityMatches: number;
}

/** A fact MiniSearch found: its score, the query terms it matched, and those in its own text. */
interface Candidate {
  readonly fact: Fact;
  readonly score: number;
  readonly terms: readonly string[];
  readonly textTerms: readonly string[];
}

/** What search works out for each candidate (see Hit), by the candidate's place. */
interface Ratings {
  readonly score: Float64Array;
  readonly coverage: Float64Array;
  readonly own: Float64Array;
  readonly named: Float64Array;
}

const NO_TERMS: ReadonlySet<string> = new Set();
/** No terms, shared: a candidate crediting none allocates nothing. */
const NO_WORDS: readonly string[] = [];

/** A built index, saved: MiniSearch's JSON and the knowledge base's words with their counts. */
export interface SavedIndex {
  /** The knowledge base version it indexes. */
  readonly version: string;
  readonly search: AsPlainObject;
  readonly words: readonly (readonly [string, number])[];
}

export interface SearchOptions {
  /** Only facts of this deal. */
  readonly deal?: string;
  /** Favour facts of this deal (the conversation's deal in focus). */
  readonly preferDeal?: string;
  /** Favour these facts (the previous answer's), e.g. for "when was that?". */
  readonly preferFacts?: readonly string[];
  /** Favour facts that name these entities (the company in focus among a deal's several parties). */
  readonly preferEntities?: readonly string[];
  /** How many facts to return: SEARCH_LIMIT unless given. */
  readonly limit?: number;
}

/** Words so common in this domain that matching them says little about the topic. */
const GENERIC = new Set([
  "case",
  "stori",
  "scandal",
  "thing",
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
/** Entity kinds a question is about (its subject), as opposed to who ruled or which law applies. */
const SUBJECT_KINDS: ReadonlySet<string> = new Set(["company", "product", "person", "api"]);
/** How much more a fact counts when its deal's title names what the question names. */
const TITLE_NAMED = 1.5;
/** In a follow-up ranked by intent, how much more a fact holding the question's own words counts… */
const MATCHED_WORDS = 1.3;
/** …and what is left of one the chat was already shown: asked again, a follow-up wants something new. */
const ALREADY_SHOWN = 0.8;
/** For "what is X": a fact saying what X is with X as its subject, one that defines X elsewhere in it, one opening with what X does. */
const DEFINES_AS_SUBJECT = 2.8;
const DEFINES = 2.6;
const DESCRIBES = 2;
/** How much more a fact counts when it names the place the question names. */
const PLACE_NAMED = 1.5;
/** What is left of a fact's score when it does not involve a subject the question names. */
const MISSED_SUBJECT = 0.3;
/** For "what happened?", what is left of an allegation by anyone but an authority: it starts the story. */
const ALLEGED_OUTCOME = 0.7;
/** Entity kinds whose word is an action taken: a regulator's charges, a court's findings. */
const AUTHORITIES: ReadonlySet<string> = new Set(["regulator", "court"]);
/** How much more a fact telling what a person can do counts for "how do I…?". */
const RECOURSE = 2;
/** How much more a fact counts when its amount or count is the figure the question states. */
const SAME_FIGURE = 2;
/** How much more a fact naming whom something was passed to counts for "who got it?". */
const RECEIVED = 1.3;
/** For "what happened?", a fact stating an order's terms (not marked ruled) counts nearly as a ruling. */
const ORDER_TERMS_FIT = 1.8;
/** For "what was it about?", what is left of how it ended (a ruling, a sum paid, an order's terms). */
const ABOUT_OUTCOME = 0.5;
/** …and how much more what was alleged counts: a lawsuit is about its claims. */
const ABOUT_ALLEGED = 1.5;
/** Re-ranking (entities, intents, focus) looks at this many of MiniSearch's best facts. */
const RERANK_DEPTH = 300;
/** A question word found only in a fact's deal (title, summary, tags) counts this much of a word in the fact. */
const DEAL_TERM_SHARE = 0.5;
/** A fact whose own text holds none of the question's words keeps this share of its score; all of them, 1.5×. */
const OWN_FLOOR = 0.5;
/** …for a why-question, whose answer gives a cause rather than restating the event. */
const WHY_OWN_FLOOR = 1;
/** Score a fact gets for each common term (left out of the search) its own text holds. */
const COMMON_TERM_SCORE = 0.5;
/** How many of the best candidates have the common terms (looked up in the index) and the wording checked. */
const COMMON_CHECKED = 60;
/** Unknown words whose nearest known word is remembered (see spell), each at most this long. */
const TYPOS_REMEMBERED = 10_000;
const TYPO_WORD_MAX = 64;
/** Facts whose words are remembered for the wording check (see WORDING_LIFT). */
const FACT_WORDS_CACHE = 5_000;
/**
 * A fact whose text says the question's words in the question's order ("let netflix read", stop
 * words too) reads like its source: its score is multiplied by up to 1 + WORDING_LIFT, by the share
 * of the question's runs of WORDING_RUN words (names alone aside) its text holds. Checked in the
 * best candidates only. (Pairs of words, or a bigger lift, match by chance and cost right answers.)
 */
const WORDING_LIFT = 0.5;
const WORDING_RUN = 3;
/** Entities whose facts' definition fits are remembered (what-is questions). */
const DEFINITIONS_CACHE = 200;

/** Words that give a cause or a purpose. */
const WHY_CUES =
  /\b(?:because|since|in order to|so that|so it could|so they could|in exchange|in return|to (?:target|sell|train|improve|build|make|help|keep|get|grow|boost|reach|show|serve|avoid|protect|measure|track)|reason|aimed|meant to|designed to|purpose|motive|over (?:its|their|the|how|what)|for (?:failing|sharing|selling|violating|using|misleading|collecting|breaking|not)|after (?:it|they|the)|due to|citing|blamed|argued|accus(?:es|ed|ing)|alleg(?:es|ed|ing) that|raised (?:questions|concerns)|concerns? (?:about|over)|followed|following|in response to|amid)\b/i;
/** Words that state a cause outright, not only what came before. */
const CAUSE_CUES =
  /\b(?:because|due to|in order to|so that|so (?:it|they) could|the reason|reasons? (?:for|why)|in exchange|in return|purpose|motive)\b/i;
/** Words that tell by what means something was done: "through an SDK", "used GEDmatch to", "software that logged". */
const MEANS_CUES =
  /\b(?:through|via|using|used (?:\w+ ){1,3}to|by (?:\w+ing)|based on|obtained|gathered|from (?:an?|the) (?:\w+ )?(?:vendor|broker|source|app|sdk)|software|sdks?|tool|technology|pixel|tracker|code|match(?:ed|es|ing)?)\b/i;
/** Words that tell what a person can do about it: a setting to turn off, a form, a way to opt out. */
const RECOURSE_CUES =
  /\b(?:settings?|turn(?:ing|ed)? off|switch(?:ing|ed)? off|opt(?:ing)? out (?:by|through|via|with|in|of having)|forms?|toggle|(?:users|people|customers|members|drivers|patients|authors) (?:can|could|may)|(?:let|lets|letting|allow|allows|give|gives) (?:users|people|customers|members|drivers|patients|authors))\b/i;
/** Words of evidence: someone showed, found, revealed or reported that it happened, or the doer confirmed or admitted it. */
const EVIDENCE_CUES =
  /\b(?:demonstrat\w*|showed|shown|shows that|proved|proven|found that|revealed|reported that|documented|uncovered|confirmed|admitted|acknowledged)\b/i;
/** Words of something passed on to someone: "sent … to Google", "the recipients", "bought". */
const PASSED_TO =
  /\b(?:sent|send|sends|passed|shared|shares|sold|sells|gave|gives|handed|provided|disclosed|transmitted|licensed|supplied)\b[^.]{0,100}?\bto\b|\brecipients?\b|\b(?:received|obtained|bought)\b/i;
/** A fact that states an order's terms as its main clause: "Under the order X must…", "The settlement bars X from…". */
const ORDER_TERMS =
  /^(?:under (?:the|a|its|their) (?:[\w-]+ ){0,3}(?:order|settlement|agreement|decree|ruling|judgment)\b|the (?:[\w-]+ ){0,3}(?:order|settlement|agreement|decree|ruling|judgment) (?:also )?(?:requires|required|bars|barred|bans|banned|prohibits|prohibited|forbids|forbade|orders|ordered)\b)/i;
/** Words that introduce what something is: "Avast's subsidiary Jumpshot". */
const DESCRIPTORS =
  "subsidiary|unit|division|company|app|firm|service|programme|program|tool|vendor|broker|maker|platform|startup|api|database|feature|setting|law|act|product|spin-off|brand";
/**
 * A figure in a fact's text: money ("$150 million", "€45m"), a share ("21%"), or a number of
 * things ("480,000 subscribers", "millions of dollars"); not a date ("21 February 2024").
 */
const FIGURE =
  /[$€£]\s?\d|\b\d[\d,.]*\s*(?:%|percent|per cent|million|billion|thousand|bn|m\b)|\b(?:millions?|billions?|thousands?|hundreds?|dozens?) of\b|\b(?:19|20)\d\d\s+(?!(?:and|to|or|until|when|after|before)\b)[a-z]+s\b|\b(?!(?:19|20)\d\d\b)\d[\d,.]*\s+(?!(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)(?:[a-z]+ )?[a-z]+s\b/i;
/** A fact about what each person gets. */
const EACH =
  /\beach\b|\bper (?:person|user|member|customer|claimant|book|title|owner)\b|\bup to \$|\bclaim (?:up to|either)\b/i;
/** Facts that say a figure was not given, or that there was none. */
const UNDISCLOSED =
  /\b(?:not|never|wasn't|weren't) (?:been )?(?:disclosed|revealed|made public|announced|reported)\b|\bundisclosed\b|\b(?:did not|didn't|declined to|refused to) (?:say|disclose|reveal)\b|\bneither (?:side|party|company|of them) (?:said|disclosed|revealed)\b|\bno (?:fine|penalty|monetary|money|payment)\b|\bwithout (?:a |any )?(?:fine|penalty)\b|\b(?:did not|didn't|never|declined to) (?:impose|issue|levy|seek) (?:a |any )?(?:fine|penalty)\b/i;
/** Words of someone saying something. */
const SAID = /\b(?:said|says|statement|spokes)/i;
/** Words of rulings and findings. */
const LEGAL_CUES =
  /\b(?:court|judge|jury|ruled|ruling|unlawful|illegal|lawful|violat\w*|breach\w*|found that|findings?|no court|not proven|proven|settle\w*|fined|penalt\w*|order\w*|decision|conviction|convicted|pleaded|guilty|consent)\b/i;
/** Words of a finding on lawfulness itself: broke the law, violated, unlawful, infringed. */
const LAWFULNESS =
  /\b(?:broke|broken|breach\w*|violat\w*|unlawful\w*|illegal\w*|lawful\w*|infring\w*|contraven\w*|(?:not |no )?wrongdoing|liable)\b/i;
/** What a fact's text holds, as intentFit asks (see FactIndex.cues). */
interface FactCues {
  /** A figure, or that none was given ("undisclosed", "no fine"). */
  readonly figure: boolean;
  /** What each person gets. */
  readonly each: boolean;
  /** An explicit cause ("because", "due to"). */
  readonly cause: boolean;
  /** By what means ("through", "software", "used X to"). */
  readonly means: boolean;
  /** States an order's terms as its main clause. */
  readonly orderTerms: boolean;
  /** Something passed on to someone ("sent … to Google"). */
  readonly passedTo: boolean;
  /** What a person can do about it ("a setting to opt out"). */
  readonly recourse: boolean;
  /** Others showed, found or revealed it. */
  readonly evidence: boolean;
  /** A weaker cause or purpose. */
  readonly why: boolean;
  readonly legal: boolean;
  /** A finding on lawfulness itself (broke the law, unlawful). */
  readonly lawfulness: boolean;
  readonly said: boolean;
}

/** For "what is X", one of X's names: X defined as the subject, described elsewhere, opening with a deed. */
interface DefinitionPatterns {
  /** The name as the patterns spell it: text without it matches none of them. */
  readonly name: string;
  readonly asSubject: RegExp;
  readonly described: RegExp;
  readonly opensWithDeed: RegExp;
}

/** For a claim to check, facts that settle it (rulings, denials, what is unsupported) lead. */
const STATUS_WEIGHT_FOR_CLAIMS: Record<FactStatus, number> = {
  unsupported: 2,
  denied: 1.3,
  ruled: 1.5,
  confirmed: 1.4,
  alleged: 1.1,
  reported: 0.9,
};

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
const BM25 = { k: 1.2, b: 0.5, d: 0.5 };

export class FactIndex {
  private readonly search_: RankedSearch<IndexDocument>;
  /** Every index term → how many times it is indexed. */
  private readonly terms = new Map<string, number>();
  /** Every word as written in the knowledge base → how often; a radix tree, for typo correction. */
  private readonly vocabulary: SearchableMap<number>;
  private readonly vocabularyByLetter = new Map<string, SearchableMap<number>>();
  /** Words not in the index → the word they are a typo of (null: none), as spell found them. */
  private readonly typos = new Map<string, { readonly word: string; readonly distance: number } | null>();
  private readonly entityNameTerms = new Map<string, ReadonlySet<string>>();
  private readonly factCues = new Map<string, FactCues>();
  private readonly entityDefinitions = new Map<string, readonly DefinitionPatterns[]>();
  /** definitionFit's results: entity → fact → fit. */
  private readonly definitionFits = new Map<string, Map<string, number>>();
  /** Each fact's place in its deal's file: a deal tells its story in order. */
  private readonly placeInDeal = new Map<string, number>();
  private readonly entitiesOf = new Map<string, ReadonlySet<string>>();
  /** A deal's parties and their parents, worked out once per deal. */
  private readonly dealParties = new Map<string, ReadonlySet<string>>();
  /** Every entity any fact of a deal involves. */
  private readonly dealEntities = new Map<string, Set<string>>();
  readonly matcher: EntityMatcher;
  /** Every word as written in the knowledge base → how often (what `vocabulary` is built from). */
  private readonly words: ReadonlyMap<string, number>;
  /** Entities each fact names (see mentions), worked out when first needed. */
  private readonly mentioned = new Map<string, ReadonlySet<string>>();
  private readonly factWords = new Map<string, readonly string[]>();
  private asked?: { query: Query; known: readonly string[]; ids: ReadonlySet<string> };
  private ratings: Ratings = {
    score: new Float64Array(RERANK_DEPTH * 2),
    coverage: new Float64Array(RERANK_DEPTH * 2),
    own: new Float64Array(RERANK_DEPTH * 2),
    named: new Float64Array(RERANK_DEPTH * 2),
  };
  private readonly crowdedDeals = new Map<string, boolean>();
  private readonly dealTitleEntities = new Map<string, readonly string[]>();
  private readonly dealTermSets = new Map<string, ReadonlySet<string>>();

  private constructor(
    readonly kb: KnowledgeBase,
    saved?: SavedIndex,
  ) {
    this.matcher = new EntityMatcher(kb);
    for (const deal of kb.deals.values())
      for (const [i, fact] of deal.facts.entries()) this.placeInDeal.set(fact.id, i);
    const wordCounts = new Map<string, number>(saved?.words);
    const termCounts = this.terms;
    const options: Options<IndexDocument> = {
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
        bm25: BM25,
      },
    };
    if (saved) {
      // A saved index of this very knowledge base: who each fact involves is worked out again
      // (cheap); the index itself is read, not built.
      this.search_ = RankedSearch.loadRanked<IndexDocument>(saved.search, options);
      for (const fact of kb.facts.values()) this.involve(fact);
    } else {
      this.search_ = new RankedSearch<IndexDocument>(options);
      this.search_.addAll([...kb.facts.values()].map((fact) => this.documentOf(fact)));
      this.search_.addAll([...kb.deals.values()].map((deal) => this.dealDocument(deal)));
    }
    this.search_.prepare();
    this.vocabulary = SearchableMap.from(wordCounts);
    this.words = wordCounts;
    for (const [word, count] of wordCounts) {
      for (const term of termsOfWord(word)) termCounts.set(term, (termCounts.get(term) ?? 0) + count);
    }
  }

  /** The index as JSON, to read back with `FactIndex.build(kb, saved)` for the same knowledge base. */
  save(): SavedIndex {
    return { version: this.kb.version, search: this.search_.toJSON(), words: [...this.words] };
  }

  /**
   * The index of a knowledge base; from `saved` (see `save`) when it was saved for this very
   * version, which takes a fraction of the time.
   */
  static build(kb: KnowledgeBase, saved?: SavedIndex): FactIndex {
    return new FactIndex(kb, saved?.version === kb.version ? saved : undefined);
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
    // The search within a typo's reach is the costly part, and words recur from question to question.
    const remembered = this.typos.get(word);
    if (remembered !== undefined) return remembered ? { ...remembered } : undefined;
    const found = this.nearestWord(word, allowed);
    if (word.length <= TYPO_WORD_MAX) {
      if (this.typos.size >= TYPOS_REMEMBERED) this.typos.clear();
      this.typos.set(word, found ?? null);
    }
    return found && { ...found };
  };

  /** The most common vocabulary word within `allowed` typos of `word` (same first letter). */
  private nearestWord(word: string, allowed: number): { word: string; distance: number } | undefined {
    let best: { word: string; distance: number; count: number } | undefined;
    // A typo keeps the first letter: only words with it are searched (their rest against the
    // word's rest, the same edit distance), a twentieth of the vocabulary.
    const first = word[0] as string;
    for (const [rest, [count]] of this.wordsStartingWith(first).fuzzyGet(word.slice(1), allowed + 1)) {
      const candidate = first + rest;
      const distance = typoDistance(word, candidate);
      if (distance > allowed) continue;
      if (!best || distance < best.distance || (distance === best.distance && count > best.count)) {
        best = { word: candidate, distance, count };
      }
    }
    return best && { word: best.word, distance: best.distance };
  }

  /** The vocabulary's words starting with `letter`, keyed by the rest of each word. */
  private wordsStartingWith(letter: string): SearchableMap<number> {
    let view = this.vocabularyByLetter.get(letter);
    if (!view) {
      view = this.vocabulary.atPrefix(letter);
      this.vocabularyByLetter.set(letter, view);
    }
    return view;
  }

  analyse(question: string, options: AnalyseOptions = {}): Query {
    return analyseQuery(question, this.matcher, this.spell, options);
  }

  search(query: Query, options: SearchOptions = {}): Hit[] {
    if (query.terms.length === 0) return [];
    // Coverage counts an entity once (2), however many words its name has; other words by how
    // much they say (rare words up to 1.2, this domain's everyday words 0.3).
    const entityTerms = new Map(query.entities.map((e) => [e.id, this.nameTerms(e.id)]));
    const ofEntities = new Set([...entityTerms.values()].flatMap((set) => [...set]));
    // "FB's WhatsApp", "ig or fb": an entity named with its parent is one name, the child the more precise.
    const groups = entityGroups(query);
    const weights = new Map(
      query.terms.filter((term) => !ofEntities.has(term)).map((term) => [term, this.termWeight(term)]),
    );
    const wanted = groups.length;
    // In a large index a term found almost everywhere ranks little and costs the most to look
    // up: it is left out of the search, and checked only in the facts the other terms found.
    const common = Math.max(COMMON_FLOOR, this.size * COMMON_SHARE);
    const selective = query.terms.filter(
      (term) => (this.terms.get(term) ?? 0) <= common || ofEntities.has(term),
    );
    const searched = selective.length > 0 ? selective : query.terms;
    const checked = query.terms.filter((term) => !searched.includes(term));
    // Typos were corrected during analysis, so the search itself is exact (and fast).
    const ranking = this.search_.ranked(searched, {
      boost: FIELD_BOOST,
      bm25: BM25,
      // "fined over security phone numbers": what comes after "over" says why, not what.
      ...(query.context.size > 0 ? { termBoost: (term: string) => (query.context.has(term) ? 0.5 : 1) } : {}),
      ...(options.deal
        ? {
            accept: (id: string) =>
              id === DEAL_PREFIX + options.deal || this.kb.facts.get(id)?.deal === options.deal,
          }
        : {}),
    });

    // Deals first: their scores and matched terms carry over to their facts.
    const deals = new Map<string, { score: number; terms: readonly string[] }>();
    const factResults: Candidate[] = [];
    while (factResults.length < RERANK_DEPTH) {
      const doc = ranking.next();
      if (doc < 0) break;
      const id = ranking.id(doc);
      if (id.startsWith(DEAL_PREFIX)) {
        deals.set(id.slice(DEAL_PREFIX.length), { score: ranking.score(doc), terms: ranking.terms(doc) });
        continue;
      }
      const fact = this.kb.facts.get(id);
      if (!fact) continue;
      // Which terms the fact's own text holds (not its questions or names): names in the text.
      factResults.push({
        fact,
        score: ranking.score(doc),
        terms: ranking.terms(doc),
        textTerms: groups.length > 0 ? ranking.termsIn(doc, "text") : NO_WORDS,
      });
    }
    // A strongly matching deal brings its facts along even where their own text doesn't match.
    const topDeals = [...deals.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, DEALS_EXPANDED);
    const expanded = new Set(topDeals.map(([id]) => id));
    const seen = new Set<string>();
    for (const { fact } of factResults) if (expanded.has(fact.deal)) seen.add(fact.id);
    for (const [dealId] of topDeals) {
      for (const fact of this.kb.deals.get(dealId)?.facts ?? []) {
        if (!seen.has(fact.id)) factResults.push({ fact, score: 0, terms: NO_WORDS, textTerms: NO_WORDS });
      }
    }

    // A word neither in the index nor near one is most likely a name we know nothing about
    // ("did talkspace…"): it weighs more than an entity, so missing it costs coverage.
    for (const term of query.unknownTerms) if (weights.has(term)) weights.set(term, UNKNOWN_WEIGHT);
    const termTotal = [...weights.values()].reduce((a, b) => a + b, 0);
    const total = termTotal + ENTITY_WEIGHT * groups.length;
    // For ranking, words that only give the context count half, in what a fact holds and in the
    // whole; a question whose only words are context ("what did Kochava say about the FTC
    // lawsuit?") or everyday ones ("did Google get data from the Flo app?") is ranked by whom it
    // names and what it asks, not by who holds those words.
    let contextWeight = 0;
    let topical = false;
    for (const [term, weight] of weights) {
      if (query.context.has(term)) contextWeight += weight;
      else if (!this.isGeneric(term)) topical = true;
    }
    const rankTotal = topical ? termTotal - contextWeight / 2 : 0;
    // "Why is the Times suing OpenAI?": the reason ("it alleges OpenAI used its articles") seldom
    // repeats the event it explains, so lacking the question's words costs a why-question less.
    const ownFloor = query.intent.primary === "why" ? WHY_OWN_FLOOR : OWN_FLOOR;
    // With topic words of its own, a follow-up leans only a little on the previous answer.
    const preferred = new Map((options.preferFacts ?? []).map((id, i) => [id, i === 0 ? 1.6 : 1.2]));
    const preferEntities = options.preferEntities ?? [];
    // "Did Premom send data to China?": the place is what the question turns on.
    const places = placesIn(query.terms);
    const lawfulnessAsked = query.intent.primary === "legal";
    const lawCues = lawfulnessAsked ? [...query.cues].filter((term) => weights.has(term)) : [];

    // The question's entity groups, worked out once for all candidates: each name's index terms,
    // and whether the group names a subject (a company, a product, a person).
    const named_ = groups.map((group) =>
      group.map((id) => {
        const nameTerms = entityTerms.get(id);
        return { id, nameTerms, nameList: nameTerms ? [...nameTerms] : undefined };
      }),
    );
    const subjectGroups = groups.filter((group) =>
      group.some((id) => SUBJECT_KINDS.has(this.kb.entities.get(id)?.kind ?? "")),
    );
    // Whether a deal's title names what the question names, once per deal.
    const titleNamed = new Map<string, boolean>();
    const namesInTitle = (deal: string): boolean => {
      let found = titleNamed.get(deal);
      if (found === undefined) {
        const inTitle = this.titleEntities(deal);
        found = groups.some((group) => group.some((id) => inTitle.includes(id)));
        titleNamed.set(deal, found);
      }
      return found;
    };

    // Scores a candidate; `common` are the common terms (left out of the search) its text holds.
    // Each candidate's score, coverage, own share and entity matches, by its place in factResults.
    const rated = this.ratedFor(factResults.length);
    const rate = (i: number, common: readonly string[], wording = 0): void => {
      const result = factResults[i] as Candidate;
      const fact = result.fact;
      const deal = deals.get(fact.deal);
      const dealTerms = deal?.terms;
      // The question's own words in the fact's own text count fully; words only its deal's text
      // holds (title, summary, tags) count half: a deal's long summary matches many questions.
      let ownWeight = 0;
      for (const term of result.terms) ownWeight += weights.get(term) ?? 0;
      for (const term of common) ownWeight += weights.get(term) ?? 0;
      // "The 1200 million fine": a fact stating €1.2 billion holds the figure, in other words. In a
      // why-question the figure is what happened ("how did they get data on 87 million people?"),
      // not what is asked: the fact restating it does not answer.
      const figure =
        query.figures.length > 0 && query.intent.primary !== "why" && this.statesFigure(fact, query.figures);
      const written = figure
        ? query.figureTerms.filter((term) => !result.terms.includes(term) && !common.includes(term))
        : NO_WORDS;
      for (const term of written) ownWeight += weights.get(term) ?? 0;
      // "Was that legal?": a finding that the law was broken ("broke the Data Protection Act")
      // holds what "legal" asks, in other words.
      const credited =
        lawfulnessAsked && this.cues(fact).lawfulness
          ? lawCues.filter((term) => !result.terms.includes(term) && !common.includes(term))
          : NO_WORDS;
      for (const term of credited) ownWeight += weights.get(term) ?? 0;
      // For ranking, words that only give the context ("…say about the FTC lawsuit") count half.
      let ownRank = ownWeight;
      if (query.context.size > 0)
        for (const term of query.context)
          if (result.terms.includes(term)) ownRank -= (weights.get(term) ?? 0) / 2;
      let matchedWeight = ownWeight;
      if (dealTerms)
        for (const term of dealTerms) {
          if (
            !result.terms.includes(term) &&
            !common.includes(term) &&
            !credited.includes(term) &&
            !written.includes(term)
          )
            matchedWeight += (weights.get(term) ?? 0) * DEAL_TERM_SHARE;
        }
      const involved = this.entitiesOf.get(fact.id);
      const inDeal = this.dealEntities.get(fact.deal);
      // An entity the fact itself involves counts fully; one only its deal's other facts
      // involve (the Netflix Prize, in a fact about the prize's data) counts a little. A fact
      // that names the entity in its own text, among several parties, counts most.
      let named = 0;
      let boost = 0;
      for (const group of named_) {
        let best = 0;
        let found = false;
        for (let i = 0; i < group.length; i++) {
          const { id, nameTerms, nameList } = group[i] as (typeof group)[number];
          const inText = nameList !== undefined && containsAll(result.textTerms, nameList);
          const isInvolved = inText || (involved?.has(id) ?? false);
          const nearby = !isInvolved && (inDeal?.has(id) ?? false);
          const nameMatched =
            nameTerms !== undefined &&
            (hasAny(nameTerms, result.terms) || (dealTerms !== undefined && hasAny(nameTerms, dealTerms)));
          if (isInvolved || nearby || nameMatched) found = true;
          // The first of a group is the most precise name; its parent counts less.
          const weight = i === 0 ? 1 : 0.4;
          const strength = inText && this.crowded(fact.deal) ? 1 : isInvolved ? 0.5 : nearby ? 0.1 : 0;
          best = Math.max(best, weight * strength);
        }
        if (found) {
          // Only the parent of what was named ("facebook" in "facebook's onavo"), or an entity only
          // other facts of the deal involve: half a match.
          const first = group[0]?.nameTerms;
          const direct = best >= 0.2 || (first !== undefined && hasAny(first, result.terms));
          matchedWeight += direct ? ENTITY_WEIGHT : ENTITY_WEIGHT / 2;
          if (best >= 0.2) named++;
        }
        boost += best;
      }
      const coverage = total > 0 ? matchedWeight / total : 0;
      let score = result.score + COMMON_TERM_SCORE * common.length + DEAL_SHARE * (deal?.score ?? 0);
      if (wanted > 0) score *= named > 0 ? (1 + boost) * (0.4 + (0.6 * named) / wanted) : 0.5;
      // A company, product or person the question is about, and the fact is not: barely a match.
      if (this.missesSubject(fact, subjectGroups, result.textTerms)) score *= MISSED_SUBJECT;
      // The deal whose title names what was asked is the deal about it ("Babel Street's Locate X").
      if (wanted > 0 && namesInTitle(fact.deal)) score *= TITLE_NAMED;
      if (rankTotal > 0) score *= (ownFloor + ownRank / rankTotal) ** 2;
      if (
        places.length > 0 &&
        places.every((place) => result.terms.includes(place) || common.includes(place))
      )
        score *= PLACE_NAMED;
      score *= coverage * coverage;
      // "Who imposed the 1200 million fine?": the fact with that very figure is the one meant.
      if (figure) score *= SAME_FIGURE;
      score *= this.intentFit(fact, query, preferEntities) * (preferred.get(fact.id) ?? 1);
      if (options.preferDeal === fact.deal) score *= 1.6;
      if (preferEntities.length > 0 && preferEntities.some((id) => this.mentions(fact).has(id))) score *= 1.5;
      if (wording > 0) score *= 1 + WORDING_LIFT * wording;
      rated.score[i] = score;
      rated.coverage[i] = coverage;
      rated.own[i] = termTotal > 0 ? ownWeight / termTotal : 1;
      rated.named[i] = named;
    };

    const scores = rated.score;
    const byScore = (a: number, b: number) => {
      const x = scores[a] as number;
      const y = scores[b] as number;
      return y > x ? 1 : y < x ? -1 : 0;
    };
    const order: number[] = [];
    for (let i = 0; i < factResults.length; i++) {
      rate(i, NO_WORDS);
      order.push(i);
    }
    // Candidates best first (equal scores in the search's order: the sort is stable).
    order.sort(byScore);
    // Common terms and the question's wording are checked in the best candidates only: reading a
    // fact's text costs time.
    const runs = wordRuns(query.words, ofEntities);
    if (checked.length > 0 || runs.length > 0) {
      for (const i of order.slice(0, COMMON_CHECKED)) {
        const { fact } = factResults[i] as Candidate;
        rate(
          i,
          checked.length > 0 ? checked.filter((term) => this.search_.holds(fact.id, "text", term)) : NO_WORDS,
          runs.length > 0 ? runsIn(this.wordsOfFact(fact), runs) / runs.length : 0,
        );
      }
      order.sort(byScore);
    }
    return order.slice(0, options.limit ?? SEARCH_LIMIT).map((i) => ({
      fact: (factResults[i] as Candidate).fact,
      score: rated.score[i] as number,
      coverage: rated.coverage[i] as number,
      own: rated.own[i] as number,
      entityMatches: rated.named[i] as number,
    }));
  }

  /** Room for `count` candidates' ratings, reused from search to search (one search runs at a time). */
  private ratedFor(count: number): Ratings {
    if (this.ratings.score.length < count) {
      const size = Math.max(count, 2 * this.ratings.score.length);
      this.ratings = {
        score: new Float64Array(size),
        coverage: new Float64Array(size),
        own: new Float64Array(size),
        named: new Float64Array(size),
      };
    }
    return this.ratings;
  }

  /**
   * Facts of `deal`, best for the query's intent first: for follow-ups with no topic words.
   * `matched`: facts that hold the question's words ("the data" in "who got the data?"), which lean a little.
   */
  factsOfDeal(
    deal: string,
    query: Query,
    preferFacts: readonly string[] = [],
    preferEntities: readonly string[] = [],
    matched: ReadonlySet<string> = NO_TERMS,
    shown: ReadonlySet<string> = NO_TERMS,
  ): Hit[] {
    const facts = this.kb.deals.get(deal)?.facts ?? [];
    const preferred = new Map(preferFacts.map((id, i) => [id, i === 0 ? 3 : 1.5]));
    return facts
      .map((fact, position) => ({
        fact,
        // Earlier facts in a deal file tell the main story; a slight lean keeps ties in that order.
        score:
          this.intentFit(fact, query, preferEntities) *
          (preferred.get(fact.id) ?? 1) *
          (preferEntities.some((id) => this.mentions(fact).has(id)) ? 1.5 : 1) *
          (matched.has(fact.id) ? MATCHED_WORDS : 1) *
          (shown.has(fact.id) ? ALREADY_SHOWN : 1) *
          (1 - position / (facts.length * 20)),
        coverage: 1,
        own: 1,
        entityMatches: query.entities.length,
      }))
      .sort((a, b) => b.score - a.score);
  }

  /**
   * How well a fact fits what the question asks for: a dated fact for "when", an amount or a
   * count for "how much", a ruling for "was it legal", a denial for "what did they say"…
   * 1 is neutral; the engine multiplies a fact's relevance by it. `known`: who is already in focus
   * ("which companies got the data?" after a question about Kaiser: not Kaiser).
   */
  intentFit(fact: Fact, query: Query, known: readonly string[] = []): number {
    const { primary, all, wantsCount } = query.intent;
    let fit = 1;
    switch (primary) {
      case "when":
        fit *= fact.date ? 2.4 + (fact.date.length === 10 ? 0.3 : fact.date.length === 7 ? 0.15 : 0) : 0.35;
        break;
      case "how-much": {
        const money = fact.amount !== undefined;
        const count = fact.count !== undefined;
        // "Terms were not disclosed", "no fine": a figure's absence answers "how much" too.
        const figure = this.cues(fact).figure;
        // "How many TVs": a count of TVs, not of lawsuits.
        const countsWhatWasAsked = count && (!query.intent.counted || this.countsWhatWasAsked(fact, query));
        if (wantsCount) fit *= countsWhatWasAsked ? 2.8 : count ? 1.3 : money ? 1.2 : figure ? 1.6 : 0.4;
        else fit *= money ? 2.8 : count ? 1.4 : figure ? 1.5 : 0.4;
        // "How much do I get?": what each person gets, not the fund.
        if (query.intent.perPerson && this.saysWhatEachGets(fact)) fit *= 1.6;
        break;
      }
      case "who": {
        // "Which companies got the data?": the more names a fact gives, the more it answers.
        const asked = this.askedOf(query, known);
        let others = 0;
        for (const id of this.mentions(fact)) {
          if (asked.has(id)) continue;
          // "Which apps…?": products are the names asked for.
          if (
            this.isSomeone(id) ||
            (query.intent.products === true && this.kb.entities.get(id)?.kind === "product")
          )
            others++;
        }
        fit *= others > 0 ? 1.5 + 0.3 * Math.min(others - 1, 3) : this.namesSomeone(fact) ? 1.2 : 0.6;
        // "Which companies got the data?": names of those it was passed to answer it.
        if (query.intent.recipients && others > 0 && this.cues(fact).passedTo) fit *= RECEIVED;
        break;
      }
      case "why":
        // "How did they…": the means answer it first; a cause or purpose next.
        if (query.intent.means)
          fit *= this.cues(fact).means ? 3 : this.cues(fact).cause ? 1.4 : fact.date ? 0.6 : 0.85;
        else fit *= this.cues(fact).cause ? 2.2 : this.cues(fact).why ? 1.8 : fact.date ? 0.6 : 0.85;
        break;
      case "what-is":
        for (const entity of query.entities) fit = Math.max(fit, this.definitionFit(fact, entity.id));
        // The deal named after X tells what X is better than a passing mention elsewhere.
        if (query.entities.some((entity) => this.titleEntities(fact.deal).includes(entity.id))) fit *= 1.4;
        break;
      case "legal":
        // A ruling that the law was broken (or not) answers "was it legal?" best.
        fit *=
          fact.status === "ruled"
            ? this.cues(fact).lawfulness
              ? 2.8
              : 2.3
            : this.cues(fact).legal
              ? 1.7
              : fact.status === "alleged"
                ? 0.8
                : 1;
        break;
      case "denial":
        fit *= fact.status === "denied" ? 3 : this.cues(fact).said ? 1.3 : 0.6;
        // "What did Netflix say?": what Netflix said, not what was said about Netflix; "what did
        // the company say?": what the company in focus said, not another company.
        if (
          query.entities.some((entity) => fact.by.includes(entity.id)) ||
          (query.entities.length === 0 && known.some((id) => fact.by.includes(id)))
        )
          fit *= 2;
        break;
      case "outcome":
        // A claim someone makes in a suit is where the story starts, not how it ended; what a
        // regulator charges is itself an action taken.
        fit *=
          fact.status === "ruled"
            ? 2.2
            : this.cues(fact).orderTerms
              ? ORDER_TERMS_FIT
              : fact.amount
                ? 1.3
                : fact.status === "alleged" && !this.byAuthority(fact)
                  ? ALLEGED_OUTCOME
                  : 1;
        break;
      case "is-it-true":
      case "claim":
        fit *= STATUS_WEIGHT_FOR_CLAIMS[fact.status];
        break;
      case "topic": {
        // "Did Yahoo scan our emails?": what happened leads; the denial follows it.
        if (query.intent.yesNo && fact.status === "denied") fit *= 0.4;
        // "Tell me about…": a deal file tells its story in order, so earlier facts are the main ones.
        // A yes/no question asks about one thing in it, wherever the file tells it.
        // "xmode location data ftc": naming a regulator or a court asks what it decided.
        if (
          fact.status === "ruled" &&
          query.entities.some((e) => e.kind === "regulator" || e.kind === "court")
        )
          fit *= 1.4;
        // "What was the lawsuit about?": what was done or alleged, not how it ended (a ruling, a sum paid).
        if (query.intent.about) {
          if (fact.status === "ruled" || fact.amount || this.cues(fact).orderTerms) fit *= ABOUT_OUTCOME;
          else if (fact.status === "alleged") fit *= ABOUT_ALLEGED;
        }
        if (!query.intent.yesNo) {
          const inDeal = this.kb.deals.get(fact.deal)?.facts.length ?? 1;
          fit *= 1.25 - (0.35 * (this.placeInDeal.get(fact.id) ?? 0)) / Math.max(1, inDeal);
        }
        break;
      }
      default:
        break;
    }
    // "How can I opt out?": what a person can do (a setting, a form) answers it.
    if (query.intent.howTo && this.cues(fact).recourse) fit *= RECOURSE;
    // Secondary intents lean a little: "how much were they fined" also wants the ruling.
    if (primary !== "outcome" && all.has("outcome") && fact.status === "ruled") fit *= 1.3;
    if (primary !== "when" && all.has("when") && fact.date) fit *= 1.2;
    if (primary !== "denial" && all.has("denial") && fact.status === "denied") fit *= 1.5;
    return fit;
  }

  /** Who a question names or already has in focus (`known`), for intentFit; the last one kept (one query, many facts). */
  private askedOf(query: Query, known: readonly string[]): ReadonlySet<string> {
    const last = this.asked;
    if (last?.query === query && last.known === known) return last.ids;
    const ids = new Set([...query.entities.map((entity) => entity.id), ...known]);
    this.asked = { query, known, ids };
    return ids;
  }

  /** Whether a fact counts the very things "how many X" asks about (TVs, not lawsuits). */
  countsWhatWasAsked(fact: Fact, query: Query): boolean {
    const { counted } = query.intent;
    return fact.count !== undefined && counted !== undefined && sameThing(counted, fact.count.unit);
  }

  /** Whether a fact's amount or count is one of these figures (within 5%). */
  private statesFigure(fact: Fact, figures: readonly number[]): boolean {
    const values = [fact.amount?.value, fact.count?.value].filter((v): v is number => v !== undefined);
    return values.some((value) => figures.some((figure) => Math.abs(value - figure) <= figure * 0.05));
  }

  /** Whether a fact tells of evidence that it happened: others showed, found or revealed it, or the doer confirmed it. */
  showsEvidence(fact: Fact): boolean {
    return this.cues(fact).evidence;
  }

  /** Whether a fact says what each person gets ("up to $100 each", an amount per user). */
  saysWhatEachGets(fact: Fact): boolean {
    return fact.amount?.per === "user" || this.cues(fact).each;
  }

  /** Whether a fact names someone: who says it, or a person or organisation it is about. */
  private namesSomeone(fact: Fact): boolean {
    if (fact.by.length > 0) return true;
    for (const id of fact.about) {
      const kind = this.kb.entities.get(id)?.kind;
      if (kind && kind !== "product" && kind !== "api" && kind !== "law") return true;
    }
    return /\b(?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+\b/.test(fact.text.slice(1));
  }

  /**
   * How well a fact reads as a definition of an entity. Best, the entity as the sentence's subject
   * saying what it is ("The Titan API was a private API…", "Onavo Protect was advertised as a free
   * VPN"); then an apposition or a descriptor elsewhere ("Jumpshot, a subsidiary…", "Avast's
   * subsidiary Jumpshot", "the plan was called Project Texas"); then the entity opening the sentence
   * with what it does ("Beacon had partner sites report…"); else 1. "The Onavo service was
   * discontinued" says what became of it, not what it is.
   */
  private definitionFit(fact: Fact, entity: string): number {
    let known = this.definitionFits.get(entity);
    if (!known) {
      if (this.definitionFits.size >= DEFINITIONS_CACHE) this.definitionFits.clear();
      known = new Map();
      this.definitionFits.set(entity, known);
    }
    let fit = known.get(fact.id);
    if (fit === undefined) {
      fit = this.readDefinitionFit(fact, entity);
      known.set(fact.id, fit);
    }
    return fit;
  }

  /** definitionFit, read from the fact's text (the patterns are slow: their results are kept). */
  private readDefinitionFit(fact: Fact, entity: string): number {
    const text = normalise(fact.text).slice(0, 160);
    let fit = 1;
    for (const { name, asSubject, described, opensWithDeed } of this.definitionPatterns(entity)) {
      // Each pattern holds the name word for word; most candidates' text does not (and the
      // patterns' alternations are slow to fail).
      if (!text.includes(name)) continue;
      if (asSubject.test(text)) return DEFINES_AS_SUBJECT;
      if (described.test(text)) fit = Math.max(fit, DEFINES);
      else if (opensWithDeed.test(text)) fit = Math.max(fit, DESCRIBES);
    }
    return fit;
  }

  /** definitionFit's patterns for each of an entity's names, compiled once per entity. */
  private definitionPatterns(entity: string): readonly DefinitionPatterns[] {
    let patterns = this.entityDefinitions.get(entity);
    if (!patterns) {
      const named = this.kb.entities.get(entity);
      patterns = (named ? [named.name, ...named.aliases] : []).map((label) => {
        const plain = normalise(label);
        const name = escapeRegExp(plain);
        const opening = `^(?:the |an? )?${name}`;
        return {
          name: plain,
          asSubject: new RegExp(
            `${opening}(?: [\\w-]+){0,3}? (?:(?:is|was|are|were) (?:an?|the|one of)|(?:is|was|are|were) [\\w-]+ed (?:[\\w-]+ ){0,2}?as|means|refers to)\\b`,
          ),
          described: new RegExp(
            `\\b${name}, (?:an?|the)\\b|\\b(?:${DESCRIPTORS}) (?:(?!(?:of|for|to|in|with|by|on|from|at|and|or)\\b)[\\w-]+ ){0,2}${name}\\b|\\b(?:called|known as|named|dubbed|nicknamed) "?${name}\\b`,
          ),
          opensWithDeed: new RegExp(`${opening} (?:[a-z]+(?:ed|s)|had|has|could|can|would|will|did|does)\\b`),
        };
      });
      this.entityDefinitions.set(entity, patterns);
    }
    return patterns;
  }

  /** Whether a regulator, a court or a government body says what a fact reports. */
  private byAuthority(fact: Fact): boolean {
    return fact.by.some((id) => AUTHORITIES.has(this.kb.entities.get(id)?.kind ?? ""));
  }

  private isSomeone(id: string): boolean {
    const kind = this.kb.entities.get(id)?.kind;
    return kind !== undefined && kind !== "product" && kind !== "api" && kind !== "law";
  }

  /** The entities a fact names in its own text, or is by or about (its deal's parties aside). */
  mentions(fact: Fact): ReadonlySet<string> {
    let found = this.mentioned.get(fact.id);
    if (!found) {
      const ids = new Set([...fact.by, ...fact.about]);
      // Names as written: a fact's own text has no typos to forgive (and fuzzy matching is costly).
      for (const mention of this.matcher.find(words(fact.text), asWritten)) ids.add(mention.entity.id);
      found = ids;
      this.mentioned.set(fact.id, found);
    }
    return found;
  }

  /** A fact's words as written (stop words too), for matching a question's wording. */
  private wordsOfFact(fact: Fact): readonly string[] {
    let own = this.factWords.get(fact.id);
    if (!own) {
      own = words(fact.text);
      if (this.factWords.size >= FACT_WORDS_CACHE) this.factWords.clear();
      this.factWords.set(fact.id, own);
    }
    return own;
  }

  /** How much a question word says: rare words more, words in many facts less. */
  private termWeight(term: string): number {
    if (GENERIC.has(term)) return 0.3;
    // A place says which story it is ("fined in Ireland"), however many facts name it.
    if (isPlace(term)) return 1.2;
    const count = this.terms.get(term) ?? 0;
    if (count === 0) return 1;
    const rarity = Math.log((this.size + 1) / count) / Math.log(this.size + 1);
    return Math.min(1.2, Math.max(0.4, 0.3 + rarity));
  }

  /** Whether a deal speaks of a term anywhere: its title, summary, tags, facts, or the names of whom they involve. */
  dealSpeaksOf(deal: string, term: string): boolean {
    let terms = this.dealTermSets.get(deal);
    if (!terms) {
      const found = this.kb.deals.get(deal);
      const names = [...(this.dealEntities.get(deal) ?? [])].flatMap((id) => {
        const entity = this.kb.entities.get(id);
        return entity ? [entity.name, ...entity.aliases] : [];
      });
      const text = found
        ? [
            found.title,
            found.summary,
            ...found.tags,
            ...found.facts.flatMap((f) => [f.text, ...f.questions]),
            ...names,
          ]
        : [];
      terms = new Set(words(text.join(" ")).flatMap(termsOfWord));
      this.dealTermSets.set(deal, terms);
    }
    return terms.has(term);
  }

  /** The question's own topic words: not a name it gives, not an everyday word, not mere context. */
  topicalTerms(query: Query): string[] {
    const names = new Set(query.entities.flatMap((entity) => [...this.nameTerms(entity.id)]));
    return query.terms.filter(
      (term) => !names.has(term) && !this.isGeneric(term) && !query.context.has(term),
    );
  }

  /**
   * The question's telling words: its topic words (no names or places, no everyday, context or
   * intent words) typed as words that are not everyday English ("iphone" in "when does the new
   * iphone come out?", "weather" in "what's the weather in berlin?").
   */
  tellingTerms(query: Query): string[] {
    const topical = new Set(this.topicalTerms(query));
    const out = new Set<string>();
    for (const word of query.words) {
      if (isCommonWord(word)) continue;
      for (const term of termsOfWord(word))
        if (topical.has(term) && !query.cues.has(term) && !isPlace(term)) out.add(term);
    }
    return [...out];
  }

  /** Whether a term is one of this domain's everyday words (data, share, user…). */
  isGeneric(term: string): boolean {
    return GENERIC.has(term);
  }

  /**
   * Whether the question names a subject (a company, a product, a person) that the fact does not
   * involve at all: "epsilon doj fine" is about Epsilon, whatever else the DOJ fined.
   * `subjectGroups`: the question's entity groups that name a subject.
   */
  private missesSubject(
    fact: Fact,
    subjectGroups: readonly (readonly string[])[],
    textTerms: readonly string[],
  ): boolean {
    for (const group of subjectGroups) {
      let involved = false;
      for (const id of group)
        if (this.isInvolved(fact, id, textTerms)) {
          involved = true;
          break;
        }
      if (!involved) return true;
    }
    return false;
  }

  /** Whether a fact involves an entity: it names it in its text, or is by, about or party to it. */
  private isInvolved(fact: Fact, id: string, textTerms: readonly string[]): boolean {
    if (this.entitiesOf.get(fact.id)?.has(id)) return true;
    if (!this.kb.entities.has(id)) return false;
    for (const term of this.nameTerms(id)) if (!textTerms.includes(term)) return false;
    return true;
  }

  /** What a fact's text says it holds (a figure, a cause, a ruling…), read once per fact. */
  private cues(fact: Fact): FactCues {
    let cues = this.factCues.get(fact.id);
    if (!cues) {
      const text = fact.text;
      cues = {
        figure: FIGURE.test(text) || UNDISCLOSED.test(text),
        each: EACH.test(text),
        cause: CAUSE_CUES.test(text),
        means: MEANS_CUES.test(text),
        orderTerms: ORDER_TERMS.test(text),
        passedTo: PASSED_TO.test(text),
        recourse: RECOURSE_CUES.test(text),
        evidence: EVIDENCE_CUES.test(text),
        why: WHY_CUES.test(text),
        legal: LEGAL_CUES.test(text),
        lawfulness: LAWFULNESS.test(text),
        said: SAID.test(text),
      };
      this.factCues.set(fact.id, cues);
    }
    return cues;
  }

  /** The index terms of an entity's name, worked out once per entity (none for an unknown id). */
  private nameTerms(id: string): ReadonlySet<string> {
    let terms = this.entityNameTerms.get(id);
    if (!terms) {
      const entity = this.kb.entities.get(id);
      terms = new Set(entity ? words(entity.name).flatMap(termsOfWord) : []);
      this.entityNameTerms.set(id, terms);
    }
    return terms;
  }

  /**
   * Whether a deal has several companies among its parties (the four carriers): then a fact that
   * names the one asked about says more than one that names none.
   */
  private crowded(deal: string): boolean {
    let crowded = this.crowdedDeals.get(deal);
    if (crowded === undefined) {
      const companies = (this.kb.deals.get(deal)?.parties ?? []).filter((id) => {
        const kind = this.kb.entities.get(id)?.kind;
        return kind === "company" || kind === "product";
      });
      crowded = companies.length >= 2;
      this.crowdedDeals.set(deal, crowded);
    }
    return crowded;
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

  /** The entities a deal's title names, worked out once per deal. */
  private titleEntities(id: string): readonly string[] {
    let named = this.dealTitleEntities.get(id);
    if (!named) {
      const title = this.kb.deals.get(id)?.title ?? "";
      named = this.matcher.find(words(title), asWritten).map((mention) => mention.entity.id);
      this.dealTitleEntities.set(id, named);
    }
    return named;
  }

  /** Records who a fact involves: its deal's parties, what its deal's title names, who it is by and about. */
  private involve(fact: Fact): void {
    const deal = this.kb.deals.get(fact.deal);
    // A deal is also about whatever its title names ("Netflix Prize…"), party or not.
    const involved = withParents(this.kb, [...entitiesOfFact(fact, deal), ...this.titleEntities(fact.deal)]);
    this.entitiesOf.set(fact.id, involved);
    const ofDeal = this.dealEntities.get(fact.deal) ?? new Set<string>();
    for (const id of involved) ofDeal.add(id);
    this.dealEntities.set(fact.deal, ofDeal);
  }

  private documentOf(fact: Fact): IndexDocument {
    this.involve(fact);
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

/**
 * The question's entities as groups of one name: an entity with its parent when both are named
 * ("ig or fb"), the child first; every other entity alone.
 */
export function entityGroups(query: Pick<Query, "entities">): string[][] {
  const ids = new Set(query.entities.map((entity) => entity.id));
  const groups: string[][] = [];
  for (const entity of query.entities) {
    if (query.entities.some((other) => other.parent === entity.id)) continue;
    groups.push(entity.parent && ids.has(entity.parent) ? [entity.id, entity.parent] : [entity.id]);
  }
  return groups;
}

/**
 * The question's runs of WORDING_RUN consecutive words, but for runs of names' words only
 * ("cambridge analytica inc"), which every fact naming them holds; `nameTerms`: the names' index terms.
 */
function wordRuns(question: readonly string[], nameTerms: ReadonlySet<string>): (readonly string[])[] {
  const isName = question.map((word) => {
    const terms = termsOfWord(word);
    return terms.length > 0 && terms.every((term) => nameTerms.has(term));
  });
  const runs: (readonly string[])[] = [];
  for (let i = 0; i + WORDING_RUN <= question.length; i++) {
    if (isName.slice(i, i + WORDING_RUN).every(Boolean)) continue;
    const run = question.slice(i, i + WORDING_RUN);
    if (!runs.some((other) => other.every((word, k) => word === run[k]))) runs.push(run);
  }
  return runs;
}

/** How many of `runs` a text's words hold, word after word. */
function runsIn(text: readonly string[], runs: readonly (readonly string[])[]): number {
  let found = 0;
  for (const run of runs) {
    for (let i = 0; i + run.length <= text.length; i++) {
      let k = 0;
      while (k < run.length && text[i + k] === run[k]) k++;
      if (k === run.length) {
        found++;
        break;
      }
    }
  }
  return found;
}

/** Whether `list` holds every one of `items`. */
function containsAll(list: readonly string[], items: readonly string[]): boolean {
  for (const item of items) if (!list.includes(item)) return false;
  return true;
}

/** Whether `set` holds any of `items`. */
function hasAny(set: ReadonlySet<string>, items: readonly string[]): boolean {
  for (const item of items) if (set.has(item)) return true;
  return false;
}

/** A speller that knows every word as written: no typo matching. */
const asWritten = (word: string) => ({ word, distance: 0 });

/** Whether two nouns name the same thing ("tvs" and "TVs", "people" and "users"). */
function sameThing(a: string, b: string): boolean {
  const x = new Set(terms(a));
  return terms(b).some((term) => x.has(term));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
