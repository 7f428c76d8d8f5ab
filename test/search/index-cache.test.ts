/** The saved search index: read back, it answers exactly as the index it was saved from. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildKnowledge, type Knowledge } from "../../src/answer/knowledge.js";
import { FactIndex } from "../../src/search/fact-index.js";
import { readSavedIndex, saveIndex } from "../../src/search/index-cache.js";
import { FIXTURE_DIR, knowledgeFrom } from "../support/knowledge.js";
import { loadQuestions } from "../support/questions.js";

let work: string;
let real: Knowledge;
/** The small fixture, for what does not depend on size (saving the real index takes a second). */
let small: Knowledge;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "receipts-index-test-"));
  real = await knowledgeFrom();
  small = await knowledgeFrom(FIXTURE_DIR);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the saved search index", () => {
  it("gives the same answers as the index it was saved from", async () => {
    const cache = path.join(work, "cache");
    expect(readSavedIndex(real.kb, cache)).toBeUndefined();
    await saveIndex(real.index, cache);
    const saved = readSavedIndex(real.kb, cache);
    expect(saved?.version).toBe(real.kb.version);
    const restored = buildKnowledge(real.kb, saved);
    const questions = loadQuestions().filter((_, i) => i % 4 === 0);
    expect(questions.length).toBeGreaterThan(100);
    const ids = (knowledge: Knowledge, q: string) =>
      knowledge.engine.answer(q).answer.facts.map((fact) => fact.id);
    for (const { q } of questions) expect(ids(restored, q), q).toEqual(ids(real, q));
  }, 120_000);

  it("is not used for another version of the knowledge base", () => {
    const saved = real.index.save();
    // A stale index, here one with no terms at all: were it used, nothing would be found.
    const stale = { ...saved, version: "another", search: { ...saved.search, index: [] } };
    const question = "Could Netflix read Facebook messages?";
    const found = (index: FactIndex) => index.search(index.analyse(question)).map((hit) => hit.fact.id);
    expect(found(FactIndex.build(real.kb, stale))).toEqual(found(real.index));
    expect(found(real.index).length).toBeGreaterThan(0);
  });

  it("treats an unreadable or damaged file as no saved index", async () => {
    const cache = path.join(work, "damaged");
    await saveIndex(small.index, cache);
    expect(readSavedIndex(small.kb, cache)).toBeDefined();
    for (const name of readdirSync(cache)) writeFileSync(path.join(cache, name), "{not json");
    expect(readSavedIndex(small.kb, cache)).toBeUndefined();
  });

  it("keeps only the most recent saved indexes, as the knowledge cache does", async () => {
    const cache = path.join(work, "many");
    mkdirSync(cache, { mode: 0o700 });
    for (let i = 0; i < 12; i++) {
      const old = path.join(cache, `index-old${i}-0000000000000000.json`);
      writeFileSync(old, "{}");
      utimesSync(old, i, i);
    }
    await saveIndex(small.index, cache);
    const left = readdirSync(cache);
    expect(left.length).toBeLessThan(12);
    expect(readSavedIndex(small.kb, cache)).toBeDefined();
  });
});
