/** With SITE_URL, every reply about deals links each deal to its page and each fact to its anchor there. */
import { beforeAll, describe, expect, it } from "vitest";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import type { Inline, Input, Reply } from "../../src/bot/types.js";
import { knowledgeFrom } from "../support/knowledge.js";

const SITE_URL = "https://receipts.example.org/data/";
const page = (deal: string) => `${SITE_URL}deals/${deal}.html`;

let linked: Bot;
let plain: Bot;
beforeAll(async () => {
  const holder = new KnowledgeHolder(await knowledgeFrom());
  linked = new Bot(holder, { flood: null, siteUrl: SITE_URL });
  plain = new Bot(holder, { flood: null });
});

const ask = (bot: Bot, input: Input) =>
  bot.handle({
    chat: { platform: "console", id: "links", kind: "private" },
    user: { id: "u1", canManageChat: true },
    input,
  });
const hrefs = (reply: Reply): string[] =>
  reply.blocks.flatMap((block) =>
    block.content.flatMap((part: Inline) => (typeof part !== "string" && part.href ? [part.href] : [])),
  );

describe("links to the site", () => {
  it("an answer from several deals links each deal's heading to its page, and previews the lead deal's", async () => {
    const reply = await ask(linked, { kind: "text", text: "what did meta share?" });
    const headings = reply.blocks.filter((block) => block.kind === "heading");
    expect(headings.length).toBeGreaterThan(1);
    for (const heading of headings) {
      const [label] = heading.content;
      expect(typeof label === "string" ? undefined : label?.href).toMatch(
        /^https:\/\/receipts\.example\.org\/data\/deals\/[a-z0-9-]+\.html$/,
      );
    }
    expect(reply.title).toBeUndefined();
    expect(reply.page).toBe(hrefs(reply)[0]);
    const facts = reply.blocks.filter((block) => block.kind === "item");
    for (const fact of facts) {
      const [status] = fact.content;
      expect(typeof status === "string" ? undefined : status?.href).toMatch(/\.html#[a-z0-9-]+$/);
    }
  });

  it("/deal, /sources, the Related button and /deals link deals to their pages", async () => {
    const deal = await ask(linked, { kind: "command", name: "deal", args: "netflix-facebook" });
    expect(deal.page).toBe(page("netflix-facebook"));
    expect(hrefs(deal).every((href) => href.startsWith(`${page("netflix-facebook")}#`))).toBe(true);
    const sources = await ask(linked, { kind: "command", name: "sources", args: "netflix-facebook" });
    expect(sources.page).toBe(page("netflix-facebook"));
    const related = await ask(linked, { kind: "action", data: "rel:netflix-facebook" });
    expect(hrefs(related).length).toBeGreaterThan(0);
    const deals = await ask(linked, { kind: "command", name: "deals", args: "" });
    expect(hrefs(deals)).toHaveLength(deals.blocks.length);
    expect(deals.page).toBeUndefined();
  });

  it("a name fitting several deals offers each with a link to its page", async () => {
    const choices = await ask(linked, { kind: "command", name: "deal", args: "netflix" });
    expect(choices.title).toMatch(/^Which one\?/);
    expect(hrefs(choices)).toHaveLength(choices.blocks.length);
  });

  it("without SITE_URL, nothing links to a site", async () => {
    for (const input of [
      { kind: "text", text: "what did meta share?" },
      { kind: "command", name: "deal", args: "netflix-facebook" },
      { kind: "command", name: "deals", args: "" },
      { kind: "command", name: "deal", args: "netflix" },
    ] as const) {
      const reply = await ask(plain, input);
      expect(reply.page).toBeUndefined();
      expect(hrefs(reply)).toEqual([]);
    }
  });
});
