import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/bot/types.js";
import { DISCORD_LIMITS, escapeMarkdown, renderDiscord, TONE_COLORS } from "../../src/render/discord.js";
import { answer, help, long, NASTY_TEXT, nasty, unknown } from "./replies.js";

const embedOf = (reply: Reply) => {
  const embed = renderDiscord(reply).embeds[0];
  if (!embed) throw new Error("no embed");
  return embed;
};

/** Undoes escapeMarkdown: what Discord shows for escaped text. */
const shownText = (markdown: string) => markdown.replace(/\\(.)/gs, "$1");

describe("renderDiscord", () => {
  it("renders an answer: one embed with marks and a Sources list, buttons, no pings", () => {
    const message = renderDiscord(answer);
    expect(message).toEqual({
      embeds: [
        {
          color: TONE_COLORS.answer,
          title: "Acme and StreamCo",
          description: [
            "• **Confirmed:** Acme shares viewing data with StreamCo. [1] [2]",
            "• **Reported:** StreamCo pays $5m a year. [3]",
            "• **Alleged:** Users were not told. [4] [1]",
            "",
            "**Sources**",
            "[1] [Acme annual report](<https://news.example/1>) — Acme, 2 Apr 2024",
            "[2] [The data deal](<https://news.example/2>) — Wire, Apr 2024",
            "[3] [StreamCo pays up](<https://news.example/3>) — Daily, 2023 \\(originally Reuters\\)",
            "[4] [Complaint](<https://news.example/4>) — District Court, 2 Apr 2024",
          ].join("\n"),
          footer: { text: "Alleged: claimed in a filing or by a party, not proven." },
        },
      ],
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 2, label: "Sources", custom_id: "src:acme-streamco" },
            { type: 2, style: 2, label: "More on this deal", custom_id: "deal:acme-streamco" },
            { type: 2, style: 2, label: "Related deals", custom_id: "rel:acme-streamco" },
          ],
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it("renders an unknown reply in the unknown colour, without title, sources or buttons", () => {
    const message = renderDiscord(unknown);
    expect(message.embeds[0]).toEqual({
      color: TONE_COLORS.unknown,
      description:
        "I don't know that: nothing in my knowledge base answers it.\n\n**Try asking**\n• _What data does Acme share?_",
    });
    expect(message.components).toEqual([]);
    expect(message.content).toBeUndefined();
  });

  it("renders help ephemerally, with inline code and no Sources section", () => {
    const message = renderDiscord(help);
    expect(message.flags).toBe(64);
    expect(message.embeds[0]?.description).toContain("• `/deals` lists every deal");
    expect(message.embeds[0]?.description).not.toContain("Sources");
  });

  it("escapes markdown in titles, blocks and sources, and leaves the footer (never markdown) as written", () => {
    const embed = embedOf(nasty);
    expect(shownText(embed.title ?? "")).toBe(NASTY_TEXT);
    expect(embed.description).toContain(`${escapeMarkdown(NASTY_TEXT)} [1]`);
    expect(embed.description).toContain(
      `• [${escapeMarkdown(NASTY_TEXT)}](<https://x.example/?a=1&b=%222%22>)`,
    );
    expect(embed.description).toContain("[1] [\\<b\\>5 \\< 6");
    expect(embed.description).toContain("— \\<Pub\\> & \\*Co\\*, 2 Apr 2024");
    expect(embed.footer?.text).toBe(NASTY_TEXT);
    expect(renderDiscord(nasty).allowed_mentions).toEqual({ parse: [] });
  });

  it("escapes every character that formats, and a number-dot that would start a list", () => {
    expect(escapeMarkdown("\\ * _ ~ ` | > < # - [ ] ( )")).toBe(
      "\\\\ \\* \\_ \\~ \\` \\| \\> \\< \\# \\- \\[ \\] \\( \\)",
    );
    expect(escapeMarkdown("1. first\n 2. second, not 3.")).toBe("1\\. first\n 2\\. second, not 3.");
  });

  it("cuts a 10,000-character lead block at a word and keeps every source", () => {
    const description = embedOf(long).description ?? "";
    expect(description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(description).toMatch(/^word0 word1 .* word\d… \[1\]\n…\n\n\*\*Sources\*\*\n\[1\] .*\n\[2\] /s);
  });

  it("drops trailing blocks before sources, saying so with a line of its own", () => {
    const blocks = Array.from({ length: 30 }, (_, i) => ({
      kind: "item" as const,
      content: [`Fact ${i} ${"x".repeat(300)}`],
      cites: [(i % 4) + 1],
    }));
    const description = embedOf({ ...answer, blocks }).description ?? "";
    expect(description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(description).toContain("• Fact 0 ");
    expect(description).not.toContain("Fact 29");
    expect(description).toContain("\n…\n\n**Sources**\n[1] ");
    expect(description).toContain("\n[4] [Complaint]");
  });

  it("when the sources alone overflow, keeps the lead block with the sources it cites", () => {
    const citations = Array.from({ length: 40 }, (_, i) => ({
      n: i + 1,
      id: `s${i}`,
      url: `https://news.example/${"p".repeat(150)}/${i}`,
      title: `A long source title ${"t".repeat(150)} ${i}`,
      publisher: "Publisher",
      tier: "original" as const,
    }));
    const reply: Reply = {
      tone: "answer",
      blocks: [
        { kind: "paragraph", content: ["Lead fact."], cites: [3, 40] },
        { kind: "paragraph", content: ["Second fact."], cites: [1] },
      ],
      citations,
      actions: [],
    };
    const description = embedOf(reply).description ?? "";
    expect(description).toMatch(/^Lead fact\. \[3\] \[40\]\n…\n\n\*\*Sources\*\*\n\[3\] .*\n\[40\] [^\n]*$/s);
  });

  it("links only http(s) URLs, and encodes what would end the link early", () => {
    const description =
      embedOf({
        tone: "info",
        blocks: [
          {
            kind: "paragraph",
            content: [
              { text: "bad", href: "javascript:alert(1)" },
              " ",
              { text: "good", href: "https://a.example/wiki/A_(b)\\c d>e" },
            ],
          },
        ],
        citations: [],
        actions: [],
      }).description ?? "";
    expect(description).toBe("bad [good](<https://a.example/wiki/A_%28b%29/c%20d%3Ee>)");
  });

  it("keeps buttons Discord accepts: custom_id up to 100 characters, once each, labels up to 80, 5 to a row", () => {
    const actions = [
      { label: "a", data: "x".repeat(100) },
      { label: "b", data: "y".repeat(101) },
      { label: "c", data: "x".repeat(100) },
      { label: "L".repeat(100), data: "long-label" },
      ...Array.from({ length: 30 }, (_, i) => ({ label: `n${i}`, data: `n${i}` })),
    ];
    const message = renderDiscord({ ...help, actions });
    const buttons = message.components.map((row) => row.components);
    expect(buttons).toHaveLength(5);
    expect(buttons.every((row) => row.length === 5)).toBe(true);
    const [first, second] = buttons[0] ?? [];
    expect(first).toMatchObject({ label: "a", custom_id: "x".repeat(100) });
    expect(second).toMatchObject({ label: `${"L".repeat(79)}…`, custom_id: "long-label" });
  });

  it("colours each tone and never sends an empty embed", () => {
    const empty: Reply = { tone: "error", blocks: [], citations: [], actions: [] };
    expect(embedOf(empty)).toEqual({ color: TONE_COLORS.error, description: "…" });
    expect(new Set(Object.values(TONE_COLORS)).size).toBe(4);
  });
});
