import { beforeAll, describe, expect, it } from "vitest";
import type { Knowledge } from "../../src/answer/knowledge.js";
import { typoDistance } from "../../src/search/entities.js";
import { normalise, terms } from "../../src/search/text.js";
import { knowledgeFrom } from "../support/knowledge.js";

describe("text analysis", () => {
  it("drops stop words, question words included", () => {
    expect(terms("What did they do and when?")).toEqual([]);
  });

  it("stems inflections onto one term", () => {
    const [a, b, c] = [terms("message"), terms("messages"), terms("messaging")];
    expect(a).toEqual(b);
    expect(b).toEqual(c);
  });

  it("folds synonyms: DM, inbox and private messages are messages", () => {
    const message = terms("message")[0];
    expect(terms("DMs")).toEqual([message]);
    expect(terms("inbox")).toEqual([message]);
    expect(terms("private messages")).toEqual([message]);
    expect(terms("paid")).toEqual(terms("spent"));
  });

  it("keeps apostrophes and accents from splitting words", () => {
    expect(terms("Netflix's")).toEqual(terms("Netflix"));
    expect(normalise("Café")).toBe("cafe");
    expect(terms("didn't")).toEqual([]);
  });

  it("counts a swap of two letters as one typo", () => {
    expect(typoDistance("netfilx", "netflix")).toBe(1);
    expect(typoDistance("securty", "security")).toBe(1);
    expect(typoDistance("uber", "user")).toBe(1);
    expect(typoDistance("starbuck", "struck")).toBe(2);
  });
});

describe("query analysis on the real knowledge base", () => {
  let knowledge: Knowledge;
  beforeAll(async () => {
    knowledge = await knowledgeFrom();
  });
  const analyse = (q: string) => knowledge.index.analyse(q);

  it("finds entities by name and alias: Meta and FB are Facebook", () => {
    for (const q of ["did meta share data", "FB data deal", "facebook inbox"]) {
      expect(analyse(q).entities.map((e) => e.id)).toContain("facebook");
    }
    expect(analyse("what did Reed Hastings do").entities.map((e) => e.id)).toEqual(["reed-hastings"]);
    expect(analyse("the titan api").entities.map((e) => e.id)).toEqual(["titan-api"]);
    expect(analyse("vppa amendment").entities.map((e) => e.id)).toEqual(["vppa"]);
  });

  it("tolerates typos in names and longer words, not in short ones", () => {
    expect(analyse("cambrige analitica").entities.map((e) => e.id)).toEqual(["cambridge-analytica"]);
    expect(analyse("netfilx facebook").entities.map((e) => e.id)).toContain("netflix");
    expect(analyse("twiter securty emails").terms).toEqual(analyse("twitter security emails").terms);
    // A short unknown word is not "corrected" into a known one (uber is not user).
    expect(analyse("uber").unknownTerms.size).toBe(1);
  });

  it("marks words the index does not know as unknown", () => {
    const query = analyse("did talkspace share therapy chats");
    expect([...query.unknownTerms]).toEqual(terms("talkspace"));
  });

  it("recognises what kind of answer is wanted", () => {
    expect([...analyse("how much did netflix pay?").intents]).toContain("amount");
    expect([...analyse("when was the vppa amended?").intents]).toContain("date");
    expect([...analyse("who sued meta?").intents]).toContain("who");
    expect([...analyse("is it true netflix read my messages").intents]).toContain("verify");
    expect([...analyse("did meta deny it?").intents]).toContain("denial");
    expect([...analyse("what happened in court").intents]).toContain("outcome");
    expect(analyse("did netflix read my messages").intents.size).toBe(0);
  });

  it("tells follow-ups and off-topic questions apart from fresh ones", () => {
    expect(analyse("how much did they pay?").followUp).toBe(true);
    expect(analyse("when was that?").followUp).toBe(true);
    expect(analyse("did netflix read facebook messages").followUp).toBe(false);
    expect(analyse("reset my netflix password").offTopic).toBe(true);
    expect(analyse("how do i cancel my netflix subscription").offTopic).toBe(true);
    expect(analyse("did the weather channel app sell my location").offTopic).toBe(false);
  });
});
