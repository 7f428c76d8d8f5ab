import { beforeAll, describe, expect, it } from "vitest";
import { Conversations } from "../../src/answer/conversation.js";
import { buildKnowledge, type Knowledge } from "../../src/answer/knowledge.js";
import type { Fact } from "../../src/knowledge/types.js";
import { FIXTURE_DIR, knowledgeFrom, loadFixture } from "../support/knowledge.js";

describe("answers from the fixture knowledge base", () => {
  let knowledge: Knowledge;
  beforeAll(async () => {
    knowledge = await knowledgeFrom(FIXTURE_DIR);
  });
  const ask = (q: string, focus?: Parameters<Knowledge["engine"]["answer"]>[1]) =>
    knowledge.engine.answer(q, focus);

  it("answers only with knowledge-base facts, quoted whole, with numbered shared citations", () => {
    const { answer } = ask("could streamco read acme messages?");
    expect(answer.status).toBe("answered");
    expect(answer.facts[0]?.id).toBe("as-inbox");
    for (const fact of answer.facts) expect(fact.text).toBe(knowledge.kb.facts.get(fact.id)?.text);
    // Citations are numbered 1..n in order of first use, and facts point into them.
    expect(answer.citations.map((c) => c.n)).toEqual(answer.citations.map((_, i) => i + 1));
    const cited = answer.facts.flatMap((f) => f.cites);
    expect(new Set(cited)).toEqual(new Set(answer.citations.map((c) => c.n)));
    // The best receipt only: the court filing, not the news report that carries another outlet's text…
    expect(answer.citations.map((c) => c.id)).not.toContain("news-report");
    expect(answer.facts[0]?.sources).toEqual(["court-filing", "news-report"]);
    // …which is shown, with the outlet it comes from, where it is all a fact has.
    const ads = ask("how much did streamco spend on acme ads?").answer;
    expect(ads.citations.find((c) => c.id === "news-report")?.original?.publisher).toBe(
      "Example Original Outlet",
    );
  });

  it("brings a deal's denial along with an allegation", () => {
    const { answer } = ask("did streamco get access to acme inboxes?");
    const statuses = answer.facts.map((f) => f.status);
    expect(statuses[0]).toBe("alleged");
    expect(statuses).toContain("denied");
  });

  it("ranks facts with an amount first for 'how much'", () => {
    expect(ask("how much did streamco spend on acme ads?").answer.facts[0]?.id).toBe("as-ads");
    expect(ask("how much was acme fined?").answer.facts[0]?.id).toBe("ab-fine");
  });

  it("says it does not know, with suggestions, when nothing fits", () => {
    for (const q of [
      "what's the weather in paris tomorrow",
      "did globex sell my photos to initech?",
      "hello",
      "reset my acme password",
    ]) {
      const { answer, focus } = ask(q);
      expect(answer.status, q).toBe("unknown");
      expect(answer.facts).toEqual([]);
      expect(answer.suggestions.length, q).toBeGreaterThan(0);
      expect(focus).toBeUndefined();
    }
  });

  it("resolves a follow-up against the deal in focus", () => {
    const first = ask("acme regulator fine");
    expect(first.answer.facts[0]?.deal).toBe("acme-breach");
    const followUp = ask("when was that?", first.focus);
    expect(followUp.answer.status).toBe("answered");
    expect(followUp.answer.facts[0]?.id).toBe("ab-fine");
    // Without the focus, the same words are not an answerable question.
    expect(ask("when was that?").answer.status).toBe("unknown");
  });

  it("lists related deals", () => {
    const { answer } = ask("acme regulator fine");
    expect(answer.related.map((d) => d.id)).toEqual(["acme-streamco"]);
  });
});

describe("answers from the real knowledge base", () => {
  let knowledge: Knowledge;
  beforeAll(async () => {
    knowledge = await knowledgeFrom();
  });

  it("labels the Netflix inbox story as alleged, and carries the denial and the unsupported claims", () => {
    const { answer } = knowledge.engine.answer("did facebook let netflix read people's DMs?");
    expect(answer.status).toBe("answered");
    expect(answer.deals[0]?.id).toBe("netflix-facebook");
    expect(answer.facts[0]?.status).toBe("alleged");
    expect(answer.facts.some((f) => f.status === "denied" || f.status === "unsupported")).toBe(true);
    for (const citation of answer.citations) expect(citation.url).toMatch(/^https?:\/\//);
  });

  it("declines a question whose telling words its best story never speaks of", () => {
    // "iphone" and "weather" are in the knowledge base, but not in the stories these words find.
    for (const q of ["when does the new iphone come out", "what's the weather in berlin"])
      expect(knowledge.engine.answer(q).answer.status, q).toBe("unknown");
    // One of them is enough: a story about warrants for location data may say "law enforcement".
    for (const q of [
      "did the path app upload my iphone contacts",
      "can police buy my location data without a warrant",
    ])
      expect(knowledge.engine.answer(q).answer.status, q).toBe("answered");
  });

  it("counts what a senator did as Congress's", () => {
    const congress = knowledge.engine.answer(
      "did congress complain about carmakers selling driving data?",
    ).answer;
    expect(congress.facts[0]?.id).toBe("hh-letter"); // by Senators Wyden and Markey
  });

  it("answers 'how much' with 'neither side disclosed' when that is all there is", () => {
    const price = knowledge.engine.answer("how much did openai pay the ap?").answer;
    expect(price.status).toBe("answered");
    expect(price.facts[0]?.text).toMatch(/disclosed/);
  });

  it("keeps a conversation's focus per chat, and forgets it after a while", () => {
    let now = 0;
    const conversations = new Conversations({ ttlMs: 1000, now: () => now });
    const first = knowledge.engine.answer("did facebook give netflix access to messages?");
    if (first.focus) conversations.set("chat-a", first.focus);
    const followUp = knowledge.engine.answer("how much did they pay?", conversations.get("chat-a"));
    expect(followUp.answer.deals[0]?.id).toBe("netflix-facebook");
    expect(followUp.answer.facts[0]?.amount).toBeDefined();
    expect(conversations.get("chat-b")).toBeUndefined();
    now = 2000;
    expect(conversations.get("chat-a")).toBeUndefined();
  });

  it("reads 'that ruling' as the ruling just given, not as a new search for the word", () => {
    const first = knowledge.engine.answer("klein v meta netflix case status");
    const lead = first.answer.facts[0];
    expect(lead?.date).toBeDefined();
    const followUp = knowledge.engine.answer("when was that ruling?", first.focus);
    expect(followUp.answer.facts[0]?.id).toBe(lead?.id);
    // Without "that", "ruling" is a topic word of its own, searched for as usual.
    expect(knowledge.index.analyse("when was the vppa ruling?").pointedAt.size).toBe(0);
  });

  it("answers a follow-up of everyday words by what it asks for, not by who holds the words", () => {
    const first = knowledge.engine.answer("tell me about the flo health case");
    expect(first.answer.deals[0]?.id).toBe("flo-health");
    // "who got the data?": the fact naming the recipients, though it never says "data".
    const who = knowledge.engine.answer("who got the data?", first.focus);
    expect(who.answer.facts[0]?.text).toMatch(/recipients/);
    // "how much were they fined?": the word says what is asked (a figure), the focus says of what.
    const carriers = knowledge.engine.answer("did verizon and at&t sell our location data?");
    const fined = knowledge.engine.answer("how much were they fined?", carriers.focus);
    expect(fined.answer.facts[0]?.amount).toBeDefined();
    expect(fined.answer.deals[0]?.id).toBe(carriers.answer.deals[0]?.id);
  });

  it("answers 'how big was the fine?' with a fact saying no fine was imposed", () => {
    const first = knowledge.engine.answer("did the NHS give Google my hospital records?");
    const fine = knowledge.engine.answer("so how big was the fine?", first.focus);
    expect(fine.answer.facts[0]?.text).toMatch(/did not impose a fine/);
  });

  it("answers 'what is X' with the fact that says what X is or does, not with what became of it", () => {
    const lead = (q: string) => knowledge.engine.answer(q).answer.facts[0]?.text ?? "";
    // X as the subject saying what it is, over "Facebook bought Onavo, an Israeli company…".
    expect(lead("what is onavo protect")).toMatch(/^Onavo Protect was advertised/);
    // X opening the sentence with what it does, over "Facebook launched Beacon…".
    expect(lead("what was facebook beacon")).toMatch(/^Beacon had/);
    // "…in service of Project Texas's aim" does not define it; "…was called Project Texas" does.
    expect(lead("what is tiktok project texas")).toMatch(/called "Project Texas"/);
    // The deal named after Babel Street's Locate X, not another deal's passing mention of it.
    expect(knowledge.engine.answer("what is babel street locate x").answer.deals[0]?.id).toBe(
      "babel-street-locate-x",
    );
  });

  it("answers 'why' with a fact giving a cause, though it need not repeat the question's words", () => {
    const lead = (q: string) => knowledge.engine.answer(q).answer.facts[0]?.text ?? "";
    // "…which followed intensive engagement" gives a cause; "Meta intended to train…" only the plan.
    expect(lead("why did FB pause AI training in the EU in 2024")).toMatch(/decision to pause/);
    // The fine over transfers to China, with its reasons, not a court date in another TikTok case.
    expect(knowledge.engine.answer("why was tiktok fined in ireland").answer.deals[0]?.id).toBe(
      "tiktok-china-access",
    );
  });

  it("answers 'which other…?' with what the chat has not been told yet", () => {
    const first = knowledge.engine.answer("did FB give huawei access to user data?");
    const shown = new Set(first.answer.facts.map((fact) => fact.id));
    const others = knowledge.engine.answer("which other phone makers got it?", first.focus);
    expect(others.answer.status).toBe("answered");
    expect(shown.has(others.answer.facts[0]?.id ?? "")).toBe(false);
  });

  it("answers 'is that proven?' with a ruling that the law was broken", () => {
    const first = knowledge.engine.answer("tell me about the flo health case");
    const who = knowledge.engine.answer("who got the data?", first.focus);
    const proven = knowledge.engine.answer("is that proven?", who.focus);
    expect(proven.answer.facts[0]?.status).toBe("ruled");
    expect(proven.answer.facts[0]?.text).toMatch(/broke/);
  });

  it("leads with the fact that names the place a question names", () => {
    const { answer } = knowledge.engine.answer("did the premom app send fertility data to china?");
    expect(answer.facts[0]?.text).toMatch(/China/);
  });

  it("answers 'which apps…?' with the fact that names the apps", () => {
    const first = knowledge.engine.answer("why is texas suing allstate?");
    const apps = knowledge.engine.answer("which apps had their tracking code?", first.focus);
    expect(apps.answer.facts[0]?.text).toMatch(/GasBuddy/);
  });

  it("answers 'how much do I get?' with what each person gets, not the fund's total", () => {
    const { answer } = knowledge.engine.answer("how much do i get from the zoom privacy settlement");
    expect(answer.facts[0]?.amount?.per).toBe("user");
    expect(knowledge.index.analyse("how much was the zoom settlement").intent.perPerson).toBeUndefined();
  });

  it("answers 'when will I get my settlement money?' with the date payments are due, not the sum each", () => {
    const { answer } = knowledge.engine.answer("when will i get my anthropic settlement money?");
    expect(answer.facts[0]?.date).toBeDefined();
    expect(answer.facts[0]?.amount?.per).toBeUndefined();
  });

  it("answers a yes/no question with the fact that speaks to it, wherever its deal file tells it", () => {
    // The recipients are named late in the Flo file; the story's opening facts do not name Google.
    const { answer } = knowledge.engine.answer("did google get data from the flo app");
    expect(answer.facts[0]?.text).toMatch(/Google/);
  });

  it("answers 'what did the company say?' with what the company in focus said, not another", () => {
    const first = knowledge.engine.answer(
      "are local cops buying my phone location data from fog data science?",
    );
    const said = knowledge.engine.answer("what did the company say?", first.focus);
    expect(knowledge.kb.facts.get(said.answer.facts[0]?.id ?? "")?.by).toContain("fog-data-science");
  });

  it("opens with 'Who:' only when asked who said or decided it, not who got something", () => {
    const chat = new Conversations();
    const ask = (q: string) => {
      const { answer, focus } = knowledge.engine.answer(q, chat.get("who"));
      if (focus) chat.set("who", focus);
      return answer;
    };
    expect(ask("who fined verizon for selling location data?").direct).toMatch(
      /^Who: .*Federal Communications Commission/,
    );
    expect(ask("who got the data?").direct).toBeUndefined();
    expect(
      knowledge.engine.answer("who received the carriers' location data?").answer.direct,
    ).toBeUndefined();
  });

  it("answers a bare query naming a regulator with what the regulator decided", () => {
    expect(knowledge.engine.answer("xmode location data ftc").answer.facts[0]?.status).toBe("ruled");
  });

  it("answers 'what did X say about Y?' with what X said, Y being only the context", () => {
    const { answer } = knowledge.engine.answer("what did kochava say about the ftc lawsuit?");
    expect(answer.facts[0]?.status).toBe("denied");
    expect(knowledge.kb.facts.get(answer.facts[0]?.id ?? "")?.by).toContain("kochava");
  });

  it("does not answer with facts that hold only the names a question gives", () => {
    // OpenAI is in the knowledge base; an Italian fine of OpenAI is not.
    expect(knowledge.engine.answer("why did italy fine openai").answer.status).toBe("unknown");
    expect(knowledge.engine.answer("why did the irish dpc fine tiktok").answer.status).toBe("answered");
  });

  it("answers from a deal that speaks of the place a question names, or not at all", () => {
    expect(knowledge.engine.answer("did the uk fine tiktok for using children's data").answer.status).toBe(
      "unknown",
    );
    const { answer } = knowledge.engine.answer("can bytedance staff in china see european users data");
    expect(answer.deals[0]?.id).toBe("tiktok-china-access");
  });

  it("forgets the least recently used chat first when full", () => {
    const conversations = new Conversations({ maxChats: 2 });
    const focus = { deal: "netflix-facebook", entities: [], facts: [] };
    conversations.set("a", focus);
    conversations.set("b", focus);
    conversations.get("a");
    conversations.set("a", focus);
    conversations.set("c", focus);
    expect(conversations.get("b")).toBeUndefined();
    expect(conversations.get("a")).toBeDefined();
  });
});

/** The fixture with more facts added to Acme's breach deal: a small knowledge base for one rule at a time. */
function acmeBreachWith(facts: string): Knowledge {
  const result = loadFixture({
    "entities.yaml": [
      "entities:",
      "entities:\n  - id: acme-regulator\n    name: Acme Regulator\n    kind: regulator",
    ],
    "deals/acme-breach.yaml": [
      "    amount: { value: 5000000, currency: USD }",
      `    amount: { value: 5000000, currency: USD }\n${facts}`,
    ],
  });
  if (!result.ok) throw new Error(result.errors[0]?.message);
  return buildKnowledge(result.kb);
}

describe("answers what kind of fact the question's words ask for", () => {
  it("answers 'how did they…' with the means, not with what the deed was for", () => {
    const knowledge = acmeBreachWith(`  - id: ab-motive
    text: In 2018 attackers targeted Acme Social's users to sell their phone numbers.
    status: reported
    sources: [news-report]
    date: 2018
  - id: ab-means
    text: The attackers got in through a flaw in Acme Social's password reset tool.
    status: reported
    sources: [news-report]
`);
    const { answer } = knowledge.engine.answer("how did the attackers get into acme?");
    expect(answer.facts[0]?.id).toBe("ab-means");
    // A why-question still wants the motive.
    expect(knowledge.engine.answer("why did attackers target acme users?").answer.facts[0]?.id).toBe(
      "ab-motive",
    );
  });

  it("takes a figure in 'how did they…' as what happened, not as what is asked", () => {
    const knowledge = acmeBreachWith(`  - id: ab-count
    text: The attackers took the phone numbers of six million Acme Social users.
    status: reported
    sources: [news-report]
    count: { value: 6000000, unit: users }
  - id: ab-means
    text: The attackers got the phone numbers of Acme Social users through a flaw in a password tool.
    status: reported
    sources: [news-report]
`);
    const lead = (q: string) => knowledge.engine.answer(q).answer.facts[0]?.id;
    expect(lead("how did the attackers get the phone numbers of 6 million acme users?")).toBe("ab-means");
    // Asked for, the figure still points at the fact stating it.
    expect(lead("who took the phone numbers of 6 million acme users?")).toBe("ab-count");
  });

  it("answers a follow-up naming what it asks for ('what was the fine?') from the deal, not from the last answer", () => {
    // No fact says "fine": the follow-up's word finds nothing, and what it asks for decides.
    const result = loadFixture({
      "deals/acme-breach.yaml": `id: acme-breach
title: Acme Social's 2018 data breach
parties: [acme]
status: fined
summary: Acme paid for a breach.
facts:
  - id: ab-fine
    text: Acme Social had to pay $5 million in 2019.
    status: ruled
    sources: [news-report]
    date: 2019
    amount: { value: 5000000, currency: USD }
  - id: ab-users
    text: The breach exposed the records of 6 million Acme Social users.
    status: reported
    sources: [news-report]
    count: { value: 6000000, unit: users }
`,
    });
    if (!result.ok) throw new Error(result.errors[0]?.message);
    const knowledge = buildKnowledge(result.kb);
    const first = knowledge.engine.answer("how many acme social users did the breach expose?");
    expect(first.answer.facts[0]?.id).toBe("ab-users");
    const next = knowledge.engine.answer("what was the fine?", first.focus);
    expect(next.answer.facts[0]?.id).toBe("ab-fine");
  });

  it("answers a follow-up of everyday words with what the chat was not yet told", () => {
    const knowledge = acmeBreachWith(`  - id: ab-sent-report
    text: A newspaper reported that Acme Social sent user data to brokers.
    status: reported
    sources: [news-report]
  - id: ab-sent-fields
    text: The data Acme Social sent included names and email addresses.
    status: reported
    sources: [news-report]
`);
    const first = knowledge.engine.answer("did acme send user data to brokers?");
    expect(first.answer.facts[0]?.id).toBe("ab-sent-report");
    const next = knowledge.engine.answer("what data did they send exactly?", first.focus);
    expect(next.answer.facts[0]?.id).toBe("ab-sent-fields");
  });

  it("answers 'what happened with the lawsuit?' with how it ended, before what the plaintiffs claimed", () => {
    const knowledge = acmeBreachWith(`  - id: ab-suit
    text: Jane Doe sued Acme Social over the breach, alleging it ignored warnings.
    status: alleged
    sources: [news-report]
    by: [jane-doe]
  - id: ab-regulator-charges
    text: A regulator charged Acme Social over the breach.
    status: alleged
    sources: [news-report]
    by: [acme-regulator]
`);
    const query = knowledge.index.analyse("what happened with the lawsuit against acme?");
    const fitOf = (id: string) => knowledge.index.intentFit(knowledge.kb.facts.get(id) as Fact, query);
    expect(fitOf("ab-suit")).toBeLessThan(1);
    // What a regulator charges is itself something that happened.
    expect(fitOf("ab-regulator-charges")).toBe(1);
    expect(fitOf("ab-fine")).toBeGreaterThan(1);
    // "What was the lawsuit about?" asks the other way round: what was claimed, not the fine.
    for (const q of ["what was the lawsuit against acme about?", "what's the acme breach scandal"]) {
      const about = knowledge.index.analyse(q);
      const fitFor = (id: string) => knowledge.index.intentFit(knowledge.kb.facts.get(id) as Fact, about);
      expect(fitFor("ab-suit"), q).toBeGreaterThan(fitFor("ab-fine") * 2);
    }
    expect(knowledge.engine.answer("what was the lawsuit against acme about?").answer.facts[0]?.id).toBe(
      "ab-suit",
    );
  });

  it("answers 'how can I…?' with what a person can do: a setting, a form", () => {
    const knowledge = acmeBreachWith(`  - id: ab-opted-out-list
    text: Acme Social said it would send partners the list of users who had opted out of sharing their data.
    status: confirmed
    sources: [news-report]
  - id: ab-opt-out-setting
    text: Acme Social gave users a setting to opt out.
    status: confirmed
    sources: [news-report]
`);
    const query = knowledge.index.analyse("how can I opt out of acme sharing my data?");
    const fitOf = (id: string) => knowledge.index.intentFit(knowledge.kb.facts.get(id) as Fact, query);
    expect(fitOf("ab-opt-out-setting")).toBeGreaterThan(1.5 * fitOf("ab-opted-out-list"));
  });

  it("answers 'was it legal?' with a finding that the law was broken, not with a fact that says 'legal'", () => {
    const knowledge = acmeBreachWith(`  - id: ab-legal-costs
    text: The regulator also ordered Acme Social to pay its legal costs.
    status: ruled
    sources: [news-report]
  - id: ab-broke-law
    text: The regulator found that Acme Social broke data protection law.
    status: ruled
    sources: [news-report]
`);
    expect(knowledge.engine.answer("was it legal for acme to keep the data?").answer.facts[0]?.id).toBe(
      "ab-broke-law",
    );
  });

  it("answers 'how many X' with a count of X among the closest facts, not a count of something else", () => {
    const knowledge = acmeBreachWith(`  - id: ab-suits
    text: By 2020 nine lawsuits accused Acme Social of tracking what users watched on their TVs.
    status: alleged
    sources: [news-report]
    count: { value: 9, unit: lawsuits }
  - id: ab-tvs
    text: The order concerned about 11 million Acme TVs.
    status: ruled
    sources: [news-report]
    count: { value: 11000000, unit: TVs }
`);
    expect(knowledge.engine.answer("how many acme tvs were tracked?").answer.facts[0]?.id).toBe("ab-tvs");
  });

  it("reads a figure the question states as pointing at the fact with that figure, however written", () => {
    const knowledge = acmeBreachWith(`  - id: ab-big-fine
    text: In 2022 the regulator fined Acme Social €1.2 billion.
    status: ruled
    sources: [news-report]
    amount: { value: 1200000000, currency: EUR }
`);
    expect(knowledge.engine.answer("who gave acme the 1200 million fine?").answer.facts[0]?.id).toBe(
      "ab-big-fine",
    );
  });

  it("answers 'when do…?' and 'when is…?' with the latest date among the closest facts", () => {
    const knowledge = acmeBreachWith(`  - id: ab-payout
    text: Payments from the fund would reach Acme Social users by June 2021.
    status: reported
    sources: [news-report]
    date: 2021-06
`);
    const ask = (q: string) => knowledge.engine.answer(q).answer.facts[0]?.id;
    expect(ask("when do acme users get paid from the regulator's fine?")).toBe("ab-payout");
    // "When did…" asks when it happened: the fine.
    expect(ask("when did the regulator fine acme?")).toBe("ab-fine");
  });

  it("answers 'did they…?' with what others found or revealed, when it is nearly as close as the lead", () => {
    const knowledge = acmeBreachWith(`  - id: ab-sold-claim
    text: Acme Social sold user data to brokers, the plaintiffs claim.
    status: alleged
    sources: [news-report]
  - id: ab-sold-revealed
    text: A newspaper revealed that Acme Social sold user data.
    status: reported
    sources: [news-report]
`);
    expect(knowledge.engine.answer("did acme sell user data to brokers?").answer.facts[0]?.id).toBe(
      "ab-sold-revealed",
    );
  });

  it("answers 'is it doing…?' with what the company itself confirmed, when it is nearly as close as the lead", () => {
    const knowledge = acmeBreachWith(`  - id: ab-users-choose
    text: Acme Social said users could choose whether their data is sold.
    status: confirmed
    sources: [news-report]
  - id: ab-confirmed-sale
    text: Acme Social confirmed that it had agreed to sell some of the user data it held.
    status: confirmed
    sources: [news-report]
`);
    expect(knowledge.engine.answer("is acme selling users data to brokers?").answer.facts[0]?.id).toBe(
      "ab-confirmed-sale",
    );
  });

  it("answers 'which companies got the data?' with those it was passed to, not others the story names", () => {
    const knowledge = acmeBreachWith(`  - id: ab-streamco-questions
    text: StreamCo also faced questions over its own tracking.
    status: reported
    sources: [news-report]
  - id: ab-sent-to-streamco
    text: Acme Social sent the leaked data to StreamCo.
    status: reported
    sources: [news-report]
`);
    const query = knowledge.index.analyse("which companies got acme's data?");
    const fitOf = (id: string) => knowledge.index.intentFit(knowledge.kb.facts.get(id) as Fact, query);
    expect(fitOf("ab-sent-to-streamco")).toBeGreaterThan(fitOf("ab-streamco-questions"));
  });

  it("answers 'did they appeal?' with what the company did, before what others then ruled", () => {
    const knowledge = acmeBreachWith(`  - id: ab-appeal-upheld
    text: The appeals board upheld the regulator's fine against Acme.
    status: ruled
    sources: [news-report]
  - id: ab-acme-appealed
    text: Acme Social appealed the regulator's fine.
    status: denied
    sources: [news-report]
    by: [acme]
`);
    expect(knowledge.engine.answer("did acme appeal the regulator's fine?").answer.facts[0]?.id).toBe(
      "ab-acme-appealed",
    );
  });

  it("answers 'what happened?' with an order's terms as well as a ruling", () => {
    const knowledge = acmeBreachWith(`  - id: ab-order-terms
    text: Under the proposed order settling the case, Acme Social must delete the leaked data.
    status: confirmed
    sources: [news-report]
  - id: ab-order-mentioned
    text: Acme Social said the order was unfair.
    status: confirmed
    sources: [news-report]
`);
    const query = knowledge.index.analyse("what happened to acme after the breach?");
    const fitOf = (id: string) => knowledge.index.intentFit(knowledge.kb.facts.get(id) as Fact, query);
    expect(fitOf("ab-order-terms")).toBeGreaterThan(1.5);
    expect(fitOf("ab-order-mentioned")).toBe(1);
  });
});
