import { describe, expect, it } from "vitest";
import { isTopic, parseTopic, suggestTopics, topicLabel, topicsOf } from "../../src/subscriptions/topics.js";
import { fixtureKb } from "./support.js";

const kb = fixtureKb();
const topicOf = (typed: string) => {
  const parsed = parseTopic(typed, kb);
  return parsed.ok ? parsed.topic : undefined;
};

describe("parseTopic", () => {
  it.each([
    ["all", "all"],
    ["Everything", "all"],
    ["acme-streamco", "deal:acme-streamco"],
    ["acme streamco", "deal:acme-streamco"],
    ["deal: acme-breach", "deal:acme-breach"],
    ["acme-br", "deal:acme-breach"],
    ["Acme Social", "entity:acme"],
    ["ACM", "entity:acme"],
    ["acme", "entity:acme"],
    ["Stream Co", "entity:streamco"],
    ["streamco", "entity:streamco"],
    ["company:streamco", "entity:streamco"],
    ["DMs", "entity:acme-chat"],
    ["Jane Doe", "entity:jane-doe"],
    ["jane doe's", "entity:jane-doe"],
    ["Acme Socail", "entity:acme"],
    ["data breach fine", "deal:acme-breach"],
  ])("%s → %s", (typed, topic) => {
    expect(topicOf(typed)).toBe(topic);
  });

  it("offers suggestions for what it does not know", () => {
    const parsed = parseTopic("acm", kb);
    expect(parsed.ok).toBe(true);
    const unknown = parseTopic("netflix", kb);
    expect(unknown.ok).toBe(false);
    expect(parseTopic("", kb).ok).toBe(false);
    const near = parseTopic("str", kb);
    expect(near).toMatchObject({ ok: false });
    if (!near.ok) expect(near.suggestions.map((s) => s.value)).toContain("StreamCo");
  });
});

describe("topics", () => {
  it("labels topics in words, and survives a topic whose subject is gone", () => {
    expect(topicLabel("all", kb)).toBe("everything");
    expect(topicLabel("entity:acme", kb)).toBe("Acme Social");
    expect(topicLabel("deal:acme-breach", kb)).toBe("Acme Social's 2018 data breach fine");
    expect(topicLabel("deal:gone", kb)).toBe("gone");
  });

  it("includes parents of the entities a fact concerns", () => {
    expect(topicsOf(kb, ["acme-streamco"], ["acme-chat"]).sort()).toEqual([
      "all",
      "deal:acme-streamco",
      "entity:acme",
      "entity:acme-chat",
    ]);
  });

  it("recognises stored topics", () => {
    expect(isTopic("all")).toBe(true);
    expect(isTopic("deal:acme-streamco")).toBe(true);
    expect(isTopic("entity:")).toBe(false);
    expect(isTopic("person:x")).toBe(false);
  });

  it("suggests everything, companies and deals, and each value parses back to its topic", () => {
    const all = suggestTopics("", kb);
    expect(all[0]).toEqual({ label: "Everything (all deals)", value: "all" });
    expect(all.map((s) => s.value)).toEqual(
      expect.arrayContaining(["Acme Social", "StreamCo", "acme-streamco"]),
    );
    for (const suggestion of suggestTopics("", kb)) expect(parseTopic(suggestion.value, kb).ok).toBe(true);
    expect(suggestTopics("stre", kb).map((s) => s.value)).toEqual(["StreamCo", "acme-streamco"]);
    expect(suggestTopics("acme-b", kb).map((s) => s.value)).toEqual(["acme-breach"]);
    expect(suggestTopics("a", kb, 2)).toHaveLength(2);
  });
});
