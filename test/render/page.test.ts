/** A reply about one deal, with its page on the site (SITE_URL set): where each renderer puts the link. */
import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/bot/types.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderPlain } from "../../src/render/plain.js";
import { renderTelegram } from "../../src/render/telegram.js";

const PAGE = "https://receipts.example.org/deals/acme-streamco.html";
const reply: Reply = {
  tone: "answer",
  title: "Acme and StreamCo <2020>",
  page: PAGE,
  blocks: Array.from({ length: 40 }, (_, i) => ({
    kind: "item" as const,
    content: [
      { text: "Alleged:", bold: true as const, href: `${PAGE}#f-${i}` },
      ` fact ${i} ${"word ".repeat(25)}`,
    ],
  })),
  citations: [],
  actions: [],
};

describe("a reply with its deal's page", () => {
  it("on Telegram: the title links to the page, which only the first message previews", () => {
    const messages = renderTelegram(reply);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages[0]?.text).toMatch(
      new RegExp(`^<a href="${PAGE}"><b>Acme and StreamCo &lt;2020&gt;</b></a>`),
    );
    expect(messages[0]?.text).toContain(`<a href="${PAGE}#f-0"><b>Alleged:</b></a>`);
    expect(messages[0]?.link_preview_options).toEqual({ url: PAGE, is_disabled: false });
    for (const message of messages.slice(1))
      expect(message.link_preview_options).toEqual({ is_disabled: true });
  });

  it("on Telegram: no page, no link and no preview; a page that is not http(s), neither", () => {
    const { page: _, ...without } = reply;
    expect(renderTelegram(without)[0]?.text).toMatch(/^<b>Acme/);
    expect(renderTelegram(without)[0]?.link_preview_options).toEqual({ is_disabled: true });
    const odd = renderTelegram({ ...reply, page: "javascript:alert(1)" })[0];
    expect(odd?.text).toMatch(/^<b>Acme/);
    expect(odd?.link_preview_options).toEqual({ is_disabled: true });
  });

  it("on Discord: the embed's title links to the page; facts link to their anchors", () => {
    const [embed] = renderDiscord(reply).embeds;
    expect(embed?.url).toBe(PAGE);
    expect(embed?.description).toContain(`[**Alleged:**](<${PAGE}#f-0>)`);
    const { title: _, ...untitled } = reply;
    expect(renderDiscord(untitled).embeds[0]?.url).toBeUndefined();
  });

  it("in plain text: the page is not repeated (the console and ask --json stay as they were)", () => {
    expect(renderPlain(reply).split("\n")[0]).toBe("Acme and StreamCo <2020>");
  });
});
