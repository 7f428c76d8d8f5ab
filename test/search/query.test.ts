import { beforeAll, describe, expect, it } from "vitest";
import type { Knowledge } from "../../src/answer/knowledge.js";
import { typoDistance } from "../../src/search/entities.js";
import { loadLanguageDetection } from "../../src/search/languages/index.js";
import { figuresIn } from "../../src/search/query.js";
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
    expect(terms("supplied")).toEqual(terms("sent"));
  });

  it("reads the figures a question states, money or not", () => {
    expect(figuresIn("the 1200 million fine")).toEqual([1.2e9]);
    expect(figuresIn("87 million people and a 1.5bn fund")).toEqual([87e6, 1.5e9]);
    expect(figuresIn("in 2019")).toEqual([]);
  });

  it("reads a bid as an offer", () => {
    expect(terms("bid")).toEqual(terms("offer"));
    expect(terms("bidding")).toEqual(terms("offered"));
  });

  it("folds merging, mixing and combining data onto one word", () => {
    expect(terms("merge")).toEqual(terms("combined"));
    expect(terms("mix")).toEqual(terms("combining"));
  });

  it("reads a court throwing a fine out, with words between, as overturning it", () => {
    // "Threw out" is folded as a phrase; "throw one of the fines out" keeps "throw" on its own.
    expect(terms("throw one of the fines out")).toContain(terms("overturned")[0]);
    expect(terms("the court threw out the fine")).toEqual(terms("the court overturned the fine"));
  });

  it("keeps apostrophes and accents from splitting words", () => {
    expect(terms("Netflix's")).toEqual(terms("Netflix"));
    expect(normalise("Café")).toBe("cafe");
    expect(terms("didn't")).toEqual([]);
  });

  it("reads a number the same with or without thousands separators or as 100k, and AT&T as ATT", () => {
    expect(terms("$300,000 fine")).toEqual(terms("300000 fine"));
    expect(terms("1,234,567")).toEqual(["1234567"]);
    expect(terms("2,5 million")).not.toContain("25");
    expect(terms("AT&T")).toEqual(terms("ATT"));
    expect(terms("a 100k fine")).toEqual(terms("a $100,000 fine"));
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

  it("reads a phrase whose words were mistyped as the phrase", () => {
    // "privte mesages" corrected is "private messages", one word: a message.
    const typed = analyse("netflix privte mesages lawsuit");
    expect(typed.terms).toEqual(analyse("netflix private messages lawsuit").terms);
    expect(typed.terms).toEqual(terms("netflix message lawsuit"));
    expect(typed.unknownTerms.size).toBe(0);
  });

  it("marks words the index does not know as unknown", () => {
    const query = analyse("did talkspace share therapy chats");
    expect([...query.unknownTerms]).toEqual(terms("talkspace"));
  });

  it("recognises what kind of answer is wanted", () => {
    const intent = (q: string) => analyse(q).intent.primary;
    expect(intent("how much did netflix pay?")).toBe("how-much");
    expect(intent("how many users were affected")).toBe("how-much");
    expect(analyse("how many users were affected").intent.wantsCount).toBe(true);
    // "TVs" is in the alias "Vizio TVs", but it is what is counted, not part of the name.
    expect(analyse("how many vizio tvs were tracked").intent.counted).toBe("tvs");
    expect(intent("when was the vppa amended?")).toBe("when");
    expect(intent("what year did facebook buy onavo")).toBe("when");
    expect(intent("who sued meta?")).toBe("who");
    expect(intent("which companies got the data?")).toBe("who");
    expect(intent("why did the EU fine Meta over WhatsApp?")).toBe("why");
    expect(intent("what is the titan api?")).toBe("what-is");
    expect(intent("was that even legal?")).toBe("legal");
    expect(intent("is that proven?")).toBe("legal");
    expect(intent("did meta deny it?")).toBe("denial");
    expect(intent("what happened in court")).toBe("outcome");
    expect(intent("klein v meta case status")).toBe("outcome");
    expect(intent("what's the status of the lawsuit?")).toBe("outcome");
    // A status that is no case's: HIV status.
    expect(intent("did grindr sell hiv status to advertisers")).toBe("topic");
    expect(intent("is it true netflix read my messages")).toBe("claim");
    expect(intent('"Facebook gave Netflix your DMs" - legit?')).toBe("claim");
    expect(intent("Facebook gave Netflix access to everyone's messages")).toBe("claim");
    expect(intent("did netflix read my messages")).toBe("topic");
    expect(analyse("did netflix read my messages").intent.yesNo).toBe(true);
  });

  it("tells small talk and advice from questions", () => {
    const intent = (q: string) => analyse(q).intent;
    for (const q of ["thanks!", "ok", "hi", "bye", "exit", "who are you?", "thank you so much 🙏"])
      expect(intent(q).primary, q).toBe("small-talk");
    expect(intent("thanks").smallTalk).toBe("thanks");
    expect(intent("hello there").smallTalk).toBe("greeting");
    for (const q of [
      "best vpn to protect my privacy?",
      "Will Meta get fined again next year?",
      "should i delete tiktok?",
      "is instagram down right now",
      "how much is netflix premium a month",
      "why is whatsapp not sending my messages",
      "will amazon raise prime prices",
    ])
      expect(intent(q).primary, q).toBe("advice");
    expect(intent("how much did google pay reddit").primary).toBe("how-much");
    // What a settlement pays each person, and when, is on record: no prediction.
    expect(intent("how much will i get from the vizio settlement?").primary).toBe("how-much");
    expect(intent("when will i get my settlement money?").primary).toBe("when");
    expect(intent("will i get hacked next year?").primary).toBe("advice");
  });

  it("reads 'which other phone makers' and 'which ovulation tracker' as who-questions, 'which other data' not", () => {
    expect(analyse("which other phone makers got it?").intent.primary).toBe("who");
    expect(analyse("which ovulation tracker shared health data with google?").intent.primary).toBe("who");
    expect(analyse("which other data did they get").intent.primary).not.toBe("who");
    expect(analyse("which year did it happen").intent.primary).toBe("when");
    expect(analyse("who else buys shutterstock images").others).toBe(true);
    expect(analyse("who buys shutterstock images").others).toBe(false);
  });

  it("joins irregular verb forms to their verb: told/tell, found/find, kept/keep, stolen/steal", () => {
    expect(terms("told")).toEqual(terms("telling"));
    expect(terms("found")).toEqual(terms("find"));
    expect(terms("kept")).toEqual(terms("keeps"));
    expect(terms("stolen")).toEqual(terms("steal"));
    expect(terms("took")).toEqual(terms("taking"));
  });

  it("reads a country and its adjective as one place (Irish DPC, fined in Ireland)", () => {
    expect(terms("Irish")).toEqual(terms("Ireland"));
    expect(terms("Norwegian")).toEqual(terms("Norway"));
    expect(terms("French")).toEqual(terms("France"));
  });

  it("knows 'which apps…?' asks for products by name", () => {
    expect(analyse("which apps had their tracking code?").intent.products).toBe(true);
    expect(analyse("what other services got the data").intent.products).toBe(true);
    expect(analyse("which companies got the data").intent.products).toBeUndefined();
  });

  it("reads 'say sorry' as an apology, asked of what someone said", () => {
    expect(terms("sorry")).toEqual(terms("apologised"));
    expect(terms("apology")).toEqual(terms("apologize"));
    expect(analyse("did zoom say sorry for the sdk thing").intent.primary).toBe("denial");
  });

  it("tells the words that only say what is wanted ('legal', 'fined') from topic words", () => {
    expect([...analyse("was that legal?").cues]).toEqual(["legal"]);
    expect([...analyse("how much were they fined?").cues]).toEqual(analyse("fined").terms);
    expect(analyse("who got the health data?").cues.size).toBe(0);
  });

  it("takes claim wrappers, filler and slang out before deciding", () => {
    const q = analyse("What exactly was Kochava selling?");
    expect(q.terms).toEqual(analyse("what was kochava selling").terms);
    expect(analyse("cambrige analitica how many ppl").terms).toContain(terms("people")[0]);
    expect(analyse("fact check: fb sold ur dms").entities.map((e) => e.id)).toContain("facebook");
    expect(analyse("Claim: Reddit sold posts to Google for $60 million").amounts).toEqual([60_000_000]);
  });

  it("tells follow-ups apart from fresh questions", () => {
    expect(analyse("how much did they pay?").followUp).toBe(true);
    expect(analyse("when was that?").followUp).toBe(true);
    expect(analyse("tell me more").more).toBe(true);
    expect(analyse("did netflix read facebook messages").followUp).toBe(false);
  });

  it("reads 'how did X…' as asking by what means, whatever its clause asks", () => {
    const vizio = analyse("how did vizio know what people were watching?").intent;
    expect(vizio.primary).toBe("why");
    expect(vizio.means).toBe(true);
    expect(analyse("how did the lawsuit end").intent.means).toBeUndefined();
    expect(analyse("how much did they pay").intent.means).toBeUndefined();
    expect(analyse("why did they sell it").intent.means).toBeUndefined();
  });

  it("reads 'what was the X scandal' as asking for the story, not for a definition of X", () => {
    expect(analyse("what was the google buzz privacy scandal").intent.primary).toBe("topic");
    expect(analyse("what was google buzz").intent.primary).toBe("what-is");
  });

  it("tells 'when is/do…' (a date due) from 'when did…' (a date past)", () => {
    expect(analyse("when is the deadline?").intent.upcoming).toBe(true);
    expect(analyse("when do authors get paid").intent.upcoming).toBe(true);
    expect(analyse("when did they pay?").intent.upcoming).toBeUndefined();
  });

  it("tells a yes/no question about a deed done ('did…', 'has…') from one about now ('is…')", () => {
    expect(analyse("did grindr appeal the fine?").intent.didIt).toBe(true);
    expect(analyse("is meta still doing pay or consent?").intent.didIt).toBeUndefined();
  });

  it("reads a plural noun pointing back as a follow-up too: the fines, the lawsuits", () => {
    expect(analyse("didn't a court throw one of the fines out?").anaphoric).toBe(true);
    expect(analyse("were the lawsuits dismissed?").followUp).toBe(true);
    expect(analyse("were fines ever paid by anyone").anaphoric).toBe(false);
  });
});

describe("the language of a message in a chat of another language", () => {
  let knowledge: Knowledge;
  beforeAll(async () => {
    await loadLanguageDetection();
    knowledge = await knowledgeFrom();
  });

  it("reads a short message in the chat's language when most of its words are that language's", () => {
    // A detector misreads these short messages (as English, as Italian); the chat says Spanish, French.
    const es = knowledge.index.analyse("xq texas demanda a allstate?", { language: "es" });
    expect(es.language).toBe("es");
    expect(es.intent.primary).toBe("why");
    expect(knowledge.index.analyse("meta a démenti ?", { language: "fr" }).language).toBe("fr");
    // A message plainly in another language keeps that language.
    expect(knowledge.index.analyse("Wann hat Facebook das erfahren?", { language: "fr" }).language).toBe(
      "de",
    );
  });
});
