/** RankedSearch ranks exactly as MiniSearch's own search: the same documents, scores, terms and order. */
import { beforeAll, describe, expect, it } from "vitest";
import type { KnowledgeBase } from "../../src/knowledge/types.js";
import { RankedSearch } from "../../src/search/ranked-search.js";
import { isStopWord, termsOfWord, words } from "../../src/search/text.js";
import { knowledgeFrom } from "../support/knowledge.js";
import { loadQuestions } from "../support/questions.js";

interface Doc {
  readonly id: string;
  readonly text?: string;
  readonly questions?: string;
  readonly deal?: string;
  readonly names?: string;
}

const boost = { text: 2, questions: 2, deal: 1, names: 1.2 };
const bm25 = { k: 1.2, b: 0.5, d: 0.5 };
const options = {
  fields: ["text", "questions", "deal", "names"],
  tokenize: (text: string) => words(text).filter((word) => !isStopWord(word)),
  processTerm: (word: string) => termsOfWord(word),
  searchOptions: {
    tokenize: (text: string) => text.split(" "),
    processTerm: (term: string) => term,
    boost,
    bm25,
  },
};

function documents(kb: KnowledgeBase): Doc[] {
  return [
    ...[...kb.facts.values()].map((fact) => ({
      id: fact.id,
      text: fact.text,
      ...(fact.questions.length > 0 ? { questions: fact.questions.join("\n") } : {}),
    })),
    ...[...kb.deals.values()].map((deal) => ({
      id: `deal:${deal.id}`,
      deal: [deal.title, deal.summary, ...deal.tags].join("\n"),
    })),
  ];
}

/** Every document a ranking gives, as MiniSearch's results would describe it. */
function drain(
  search: RankedSearch<Doc>,
  terms: string[],
  extra: Parameters<RankedSearch<Doc>["ranked"]>[1],
) {
  const ranking = search.ranked(terms, extra);
  const out = [];
  for (let doc = ranking.next(); doc >= 0; doc = ranking.next())
    out.push({
      id: ranking.id(doc),
      score: ranking.score(doc),
      terms: ranking.terms(doc),
      text: [...ranking.termsIn(doc, "text")].sort(),
    });
  return out;
}

let search: RankedSearch<Doc>;
let kb: KnowledgeBase;
let queries: string[][];
beforeAll(async () => {
  kb = (await knowledgeFrom()).kb;
  search = new RankedSearch<Doc>(options);
  search.addAll(documents(kb));
  search.prepare();
  queries = loadQuestions()
    .filter((_, i) => i % 3 === 0)
    .map((q) => [
      ...new Set(
        words(q.q)
          .filter((word) => !isStopWord(word))
          .flatMap(termsOfWord),
      ),
    ])
    .filter((terms) => terms.length > 0);
}, 120_000);

describe("RankedSearch", () => {
  it("gives MiniSearch's results for the question set, in MiniSearch's order", () => {
    expect(queries.length).toBeGreaterThan(200);
    for (const terms of queries) {
      const expected = search.search(terms.join(" ")).map((result) => ({
        id: String(result.id),
        score: result.score,
        terms: result.queryTerms,
        text: Object.entries(result.match)
          .filter(([, fields]) => fields.includes("text"))
          .map(([term]) => term)
          .sort(),
      }));
      expect(drain(search, terms, { boost, bm25 })).toEqual(expected);
    }
  });

  it("weighs terms and filters documents as MiniSearch's boostTerm and filter do", () => {
    const deal = [...kb.deals.keys()][0] as string;
    const accept = (id: string) => id === `deal:${deal}` || kb.facts.get(id)?.deal === deal;
    for (const terms of queries.slice(0, 60)) {
      const termBoost = (term: string) => (term === terms[0] ? 0.5 : 1);
      const expected = search
        .search(terms.join(" "), { boostTerm: termBoost, filter: (result) => accept(String(result.id)) })
        .map((result) => [String(result.id), result.score]);
      const got = drain(search, terms, { boost, bm25, termBoost, accept }).map((r) => [r.id, r.score]);
      expect(got).toEqual(expected);
    }
  });

  it("reads back a saved index as a RankedSearch that ranks the same", () => {
    const loaded = RankedSearch.loadRanked<Doc>(search.toJSON(), options);
    loaded.prepare();
    for (const terms of queries.slice(0, 60))
      expect(drain(loaded, terms, { boost, bm25 })).toEqual(drain(search, terms, { boost, bm25 }));
  });

  it("says which terms a document's field holds, as the text's own terms", () => {
    const facts = [...kb.facts.values()].slice(0, 200);
    for (const fact of facts) {
      const own = new Set(words(fact.text).flatMap(termsOfWord));
      for (const terms of queries.slice(0, 20))
        for (const term of terms) expect(search.holds(fact.id, "text", term)).toBe(own.has(term));
    }
    expect(search.holds("no-such-fact", "text", "data")).toBe(false);
  });

  it("keeps more than 32 query terms apart", () => {
    const many = [...new Set(queries.flat())].slice(0, 70);
    const expected = search
      .search(many.join(" "))
      .map((result) => [String(result.id), result.score, result.queryTerms]);
    const got = drain(search, many, { boost, bm25 }).map((r) => [r.id, r.score, r.terms]);
    expect(got).toEqual(expected);
  });
});
