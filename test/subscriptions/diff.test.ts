import { describe, expect, it } from "vitest";
import { changesFor, contentHash, diffKnowledge, isEmpty, snapshotOf } from "../../src/subscriptions/diff.js";
import { fixtureKb, NEW_FACT } from "./support.js";

const BASE = fixtureKb();
const SNAPSHOT = snapshotOf(BASE);

describe("diffKnowledge", () => {
  it("finds nothing between a knowledge base and its own snapshot", () => {
    expect(isEmpty(diffKnowledge(SNAPSHOT, BASE))).toBe(true);
  });

  it("finds an added fact, with the topics of its deal, parties and their parents", () => {
    const kb = fixtureKb({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    const changes = diffKnowledge(SNAPSHOT, kb);
    expect(changes.facts).toEqual([
      expect.objectContaining({ kind: "added", id: "as-settlement", deal: "acme-streamco" }),
    ]);
    expect(changes.facts[0]?.topics).toEqual(
      expect.arrayContaining(["all", "deal:acme-streamco", "entity:acme", "entity:streamco"]),
    );
    expect(changes.dealsAdded).toEqual([]);
  });

  it("names what changed in a fact: text, status, sources", () => {
    const kb = fixtureKb({
      "deals/acme-streamco.yaml": [
        "status: alleged\n    sources: [court-filing, news-report]",
        "status: confirmed\n    sources: [court-filing]",
      ],
      "deals/acme-breach.yaml": ["$5 million in 2019.", "$5 million in 2019, and Acme paid it."],
    });
    const changes = diffKnowledge(SNAPSHOT, kb);
    const byId = new Map(changes.facts.map((c) => [c.id, c]));
    expect(byId.get("as-inbox")).toMatchObject({ kind: "changed", fields: ["status", "sources"] });
    expect(byId.get("as-inbox")).toMatchObject({ before: { status: "alleged" } });
    expect(byId.get("ab-fine")).toMatchObject({ kind: "changed", fields: ["text"] });
    expect(changes.facts).toHaveLength(2);
  });

  it("does not count routing-only edits (about, by, questions) as changes", () => {
    const kb = fixtureKb({
      "deals/acme-streamco.yaml": [
        "      - could streamco read my messages",
        "      - can streamco see my dms",
      ],
    });
    expect(kb.version).not.toBe(BASE.version);
    expect(isEmpty(diffKnowledge(SNAPSHOT, kb))).toBe(true);
  });

  it("finds retracted facts and removed deals, and keeps their published words", () => {
    const kb = fixtureKb({ "deals/acme-breach.yaml": null });
    const changes = diffKnowledge(SNAPSHOT, kb);
    expect(changes.dealsRemoved).toEqual([
      { id: "acme-breach", title: "Acme Social's 2018 data breach fine" },
    ]);
    expect(changes.facts).toEqual([
      expect.objectContaining({
        kind: "retracted",
        id: "ab-fine",
        before: expect.objectContaining({ text: "A regulator fined Acme Social $5 million in 2019." }),
      }),
    ]);
    expect(changes.facts[0]?.topics).toContain("entity:acme");
  });

  it("finds a new deal and its facts", () => {
    const deal = `id: streamco-ads
title: StreamCo's ad data deal
parties: [streamco]
status: reported
summary: StreamCo shares ad data.
facts:
  - id: sa-one
    text: StreamCo was reported to share ad data.
    status: reported
    sources: [news-report]
`;
    const kb = fixtureKb({ "deals/streamco-ads.yaml": deal });
    const changes = diffKnowledge(SNAPSHOT, kb);
    expect(changes.dealsAdded).toEqual(["streamco-ads"]);
    expect(changes.facts.map((c) => c.id)).toEqual(["sa-one"]);
  });

  it("routes a fact about a product to the product's parent company", () => {
    const onProduct = { "deals/acme-breach.yaml": ["parties: [acme]", "parties: [acme-chat]"] } as const;
    const before = fixtureKb({ ...onProduct });
    // Changing a deal's parties only routes: nothing a reader sees changed.
    expect(isEmpty(diffKnowledge(SNAPSHOT, before))).toBe(true);
    const after = fixtureKb({
      "deals/acme-breach.yaml": `${"id: acme-breach\ntitle: t\nparties: [acme-chat]\nstatus: fined\nsummary: s\n"}facts:
  - id: ab-fine
    text: Changed words.
    status: ruled
    sources: [news-report]
`,
    });
    const changes = diffKnowledge(snapshotOf(before), after);
    expect(changes.facts[0]?.topics).toEqual(expect.arrayContaining(["entity:acme-chat", "entity:acme"]));
    expect(changes.facts[0]?.topics).not.toContain("entity:streamco");
  });

  it("selects a chat's share of a change set by its topics", () => {
    const kb = fixtureKb({
      "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`],
      "deals/acme-breach.yaml": ["$5 million in 2019.", "$6 million in 2019."],
    });
    const changes = diffKnowledge(SNAPSHOT, kb);
    expect(changesFor(changes, new Set(["entity:streamco"])).facts.map((c) => c.id)).toEqual([
      "as-settlement",
    ]);
    expect(changesFor(changes, new Set(["deal:acme-breach"])).facts.map((c) => c.id)).toEqual(["ab-fine"]);
    expect(changesFor(changes, new Set(["entity:acme"])).facts).toHaveLength(2);
    expect(changesFor(changes, new Set(["all"])).facts).toHaveLength(2);
    expect(changesFor(changes, new Set(["entity:jane-doe"])).facts).toHaveLength(0);
  });
});

describe("contentHash", () => {
  it("is stable and sensitive to what a reader sees", () => {
    const fact = { deal: "d", text: "t", status: "alleged" as const, sources: ["a", "b"] };
    expect(contentHash(fact)).toBe(contentHash({ ...fact }));
    expect(contentHash(fact)).not.toBe(contentHash({ ...fact, sources: ["b", "a"] }));
    expect(contentHash(fact)).not.toBe(contentHash({ ...fact, date: "2020" }));
    expect(contentHash(fact)).not.toBe(contentHash({ ...fact, amount: { value: 1, currency: "USD" } }));
  });
});
