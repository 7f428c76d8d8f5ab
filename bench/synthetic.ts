/**
 * A synthetic knowledge base of any size, shaped like the real one: deals as many facts long
 * as the real ones on average, two to three company parties each, fact text drawn from the real knowledge base's words with
 * their real frequencies, amounts and dates on some facts. Deterministic for a given seed.
 */
import type { Deal, Entity, Fact, FactStatus, KnowledgeBase, Source } from "../src/knowledge/types.js";
import { FACT_STATUSES } from "../src/knowledge/types.js";

/** A small, fast, seedable PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "zen",
  "tra",
  "vo",
  "rex",
  "qua",
  "nim",
  "bel",
  "dor",
  "fy",
  "gal",
  "hux",
  "jo",
  "pi",
  "sar",
  "tul",
  "wex",
  "yor",
];

export interface Synthetic {
  readonly kb: KnowledgeBase;
  /** Questions built from facts' own words, each with the fact it should find. */
  readonly questions: readonly { q: string; fact: string }[];
}

export function syntheticKnowledgeBase(factCount: number, real: KnowledgeBase, seed = 42): Synthetic {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

  // Real words, as often as the real knowledge base uses them, in facts as long as the real ones.
  const realTexts = [...real.facts.values()].map((fact) =>
    fact.text.split(/\s+/).filter((w) => w.length > 0),
  );
  const words = realTexts.flat();
  const lengths = realTexts.map((text) => text.length);

  const factsPerDeal = Math.max(1, Math.round(real.facts.size / real.deals.size));
  const companyCount = Math.max(20, Math.round(factCount / 25));
  const entities = new Map<string, Entity>();
  for (let i = 0; i < companyCount; i++) {
    const name = `${pick(SYLLABLES)}${pick(SYLLABLES)}${pick(SYLLABLES)}`.replace(/^./, (c) =>
      c.toUpperCase(),
    );
    const id = `co-${i}`;
    entities.set(id, { id, name: `${name} ${i}`, kind: "company", aliases: [`${name}${i}`] });
  }
  const sources = new Map<string, Source>();
  for (let i = 0; i < Math.max(10, factCount / 5); i++) {
    const id = `src-${i}`;
    sources.set(id, {
      id,
      url: `https://example.org/${i}`,
      title: `Report ${i}`,
      publisher: "Example",
      kind: "press",
    });
  }
  const sourceIds = [...sources.keys()];
  const companyIds = [...entities.keys()];

  const deals = new Map<string, Deal>();
  const facts = new Map<string, Fact>();
  const questions: { q: string; fact: string }[] = [];
  for (let d = 0; facts.size < factCount; d++) {
    const id = `deal-${d}`;
    const parties = [pick(companyIds), pick(companyIds), ...(rand() < 0.5 ? [pick(companyIds)] : [])];
    const names = parties.map((p) => entities.get(p)?.name ?? p);
    const dealFacts: Fact[] = [];
    for (let f = 0; f < factsPerDeal && facts.size < factCount; f++) {
      const length = Math.max(1, pick(lengths) - 1);
      const text = `${names[f % names.length]} ${Array.from({ length }, () => pick(words)).join(" ")}.`;
      const fact: Fact = {
        id: `${id}-f${f}`,
        deal: id,
        text,
        status: pick(FACT_STATUSES) as FactStatus,
        sources: [pick(sourceIds), pick(sourceIds)],
        ...(rand() < 0.6 ? { date: `${2000 + Math.floor(rand() * 25)}` } : {}),
        ...(rand() < 0.2 ? { amount: { value: Math.floor(rand() * 1e9), currency: "USD" } } : {}),
        by: [],
        about: [],
        questions: [],
      };
      dealFacts.push(fact);
      facts.set(fact.id, fact);
      if (rand() < 0.01 || questions.length < 50) {
        const tokens = text.replace(/[^\p{L}\p{N}\s]/gu, "").split(/\s+/);
        const start = Math.floor(rand() * Math.max(1, tokens.length - 5));
        questions.push({
          q: `${names[f % names.length]} ${tokens.slice(start, start + 4).join(" ")}?`,
          fact: fact.id,
        });
      }
    }
    deals.set(id, {
      id,
      title: `${names.join(" and ")} data deal ${d}`,
      parties,
      status: "reported",
      summary: Array.from({ length: 25 }, () => pick(words)).join(" "),
      tags: [pick(words), pick(words)],
      related: [],
      facts: dealFacts,
    });
  }
  return { kb: { version: `synthetic-${factCount}`, sources, entities, deals, facts }, questions };
}
