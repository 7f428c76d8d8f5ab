/** The knowledge base validated once per version: the cache gives what the loader gives, or nothing. */
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKnowledgeCached } from "../../src/knowledge/cache.js";
import { loadKnowledgeDir } from "../../src/knowledge/load.js";
import { FIXTURE_DIR } from "../support/knowledge.js";

let work: string;
let knowledge: string;
let cache: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "receipts-cache-test-"));
  knowledge = path.join(work, "knowledge");
  cache = path.join(work, "cache");
  cpSync(FIXTURE_DIR, knowledge, { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cached = () => readdirSync(cache).filter((name) => name.endsWith(".json"));

describe("loadKnowledgeCached", () => {
  it("gives what the loader gives, from the files the first time and from the cache after", async () => {
    const fresh = await loadKnowledgeDir(knowledge, { warnings: false });
    const first = await loadKnowledgeCached(knowledge, cache);
    expect(cached()).toHaveLength(1);
    const second = await loadKnowledgeCached(knowledge, cache);
    for (const result of [fresh, first, second]) {
      if (!result.ok || !fresh.ok) throw new Error("the fixture should load");
      expect(result.kb.version).toBe(fresh.kb.version);
      for (const part of ["sources", "entities", "deals", "facts"] as const)
        expect([...result.kb[part]]).toEqual([...fresh.kb[part]]);
      expect(Object.isFrozen(result.kb.deals.values().next().value)).toBe(true);
      // Each fact is one object, in its deal's list and in the map of facts, loaded or restored
      // (ranking finds a fact's place in its deal; equal copies once ranked a fresh load differently).
      for (const deal of result.kb.deals.values())
        for (const fact of deal.facts) expect(result.kb.facts.get(fact.id)).toBe(fact);
    }
  });

  it("validates again after any edit, and never keeps a knowledge base with errors", async () => {
    const deal = path.join(knowledge, "deals", "acme-streamco.yaml");
    const text = readFileSync(deal, "utf8");
    writeFileSync(deal, text.replace("status: alleged", "status: rumoured"));
    const broken = await loadKnowledgeCached(knowledge, cache);
    expect(broken.ok).toBe(false);
    expect(cached()).toHaveLength(1);
    writeFileSync(deal, `${text}\n# an edit\n`);
    expect((await loadKnowledgeCached(knowledge, cache)).ok).toBe(true);
    expect(cached()).toHaveLength(2);
  });

  it("ignores a cache folder others may write to", async () => {
    const real = await loadKnowledgeCached(knowledge, cache);
    const [name] = cached().sort();
    const shared = path.join(work, "shared");
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o777);
    const planted = JSON.parse(readFileSync(path.join(cache, name as string), "utf8"));
    for (const entry of readdirSync(cache).filter((n) => n.endsWith(".json"))) {
      writeFileSync(path.join(shared, entry), JSON.stringify({ ...planted, version: "forged" }));
    }
    const result = await loadKnowledgeCached(knowledge, shared);
    if (!result.ok || !real.ok) throw new Error("the fixture should load");
    expect(result.kb.version).toBe(real.kb.version);
  });
});
