import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/bot/types.js";
import { renderTelegram, TELEGRAM_LIMITS, type TelegramMessage } from "../../src/render/telegram.js";
import { answer, help, long, NASTY_TEXT, nasty, unknown } from "./replies.js";
import { parseTelegramHtml } from "./telegram-html.js";

/** Each message's HTML, checked valid and within the limits, and the text Telegram shows. */
function shown(messages: readonly TelegramMessage[]): string[] {
  return messages.map((message) => {
    expect(message.parse_mode).toBe("HTML");
    expect(message.link_preview_options).toEqual({ is_disabled: true });
    expect(message.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
    return parseTelegramHtml(message.text).text;
  });
}

describe("renderTelegram", () => {
  it("renders an answer: bold title, bulleted facts with marks, sources as links, buttons", () => {
    const messages = renderTelegram(answer);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toBe(
      [
        "<b>Acme and StreamCo</b>",
        "",
        "• <b>Confirmed:</b> Acme shares viewing data with StreamCo. [1] [2]",
        "• <b>Reported:</b> StreamCo pays $5m a year. [3]",
        "• <b>Alleged:</b> Users were not told. [4] [1]",
        "",
        "<b>Sources</b>",
        '[1] <a href="https://news.example/1">Acme annual report</a> — Acme, 2 Apr 2024',
        '[2] <a href="https://news.example/2">The data deal</a> — Wire, Apr 2024',
        '[3] <a href="https://news.example/3">StreamCo pays up</a> — Daily, 2023 (originally Reuters)',
        '[4] <a href="https://news.example/4">Complaint</a> — District Court, 2 Apr 2024',
        "",
        "<i>Alleged: claimed in a filing or by a party, not proven.</i>",
      ].join("\n"),
    );
    expect(messages[0]?.reply_markup?.inline_keyboard).toEqual([
      [
        { text: "Sources", callback_data: "src:acme-streamco" },
        { text: "More on this deal", callback_data: "deal:acme-streamco" },
        { text: "Related deals", callback_data: "rel:acme-streamco" },
      ],
    ]);
    shown(messages);
  });

  it("renders an unknown reply with a bold heading and italic suggestions, no sources, no buttons", () => {
    const [message, ...rest] = renderTelegram(unknown);
    expect(rest).toEqual([]);
    expect(message?.text).toBe(
      "I don't know that: nothing in my knowledge base answers it.\n\n<b>Try asking</b>\n• <i>What data does Acme share?</i>",
    );
    expect(message?.reply_markup).toBeUndefined();
  });

  it("renders help with code and no Sources section", () => {
    const [message] = renderTelegram(help);
    expect(message?.text).toContain("• <code>/deals</code> lists every deal");
    expect(message?.text).not.toContain("Sources");
  });

  it("escapes markup characters and keeps emoji, RTL text and @everyone as text", () => {
    const messages = renderTelegram(nasty);
    const [text] = shown(messages);
    expect(text).toContain(NASTY_TEXT);
    expect(messages[0]?.text).toContain("&lt;b&gt;5 &lt; 6 &amp; 7 &gt; 3&lt;/b&gt;");
    expect(messages[0]?.text).toContain('<a href="https://x.example/?a=1&amp;b=%222%22">');
    expect(messages[0]?.reply_markup?.inline_keyboard[0]?.[0]?.text.length).toBeLessThanOrEqual(
      TELEGRAM_LIMITS.label,
    );
  });

  it("cuts a 10,000-character block at a word, keeping its marks, and sends the rest after it", () => {
    const messages = renderTelegram(long);
    const texts = shown(messages);
    expect(messages).toHaveLength(2);
    const first = texts[0] ?? "";
    expect(first.startsWith("A long answer\n\nword0 word1")).toBe(true);
    expect(first).toMatch(/ word\d… \[1\]$/);
    expect(texts[1]).toBe(
      "After the long one. [2]\n\nSources\n[1] Source number 1 — Example News, 2 Apr 2024\n[2] Source number 2 — Example News, 2 Apr 2024",
    );
    expect(messages[0]?.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
  });

  it("splits between blocks, never inside one, and puts the buttons on the last message", () => {
    const block = "x".repeat(1000);
    const reply: Reply = {
      ...answer,
      blocks: Array.from({ length: 10 }, (_, i) => ({
        kind: "paragraph" as const,
        content: [`${i} ${block}`],
      })),
    };
    const messages = renderTelegram(reply);
    expect(messages.length).toBeGreaterThan(2);
    for (const text of shown(messages)) {
      for (const line of text.split("\n")) {
        if (line.includes("x")) expect(line).toMatch(/^\d x{1000}$/);
      }
    }
    expect(messages.slice(0, -1).every((message) => message.reply_markup === undefined)).toBe(true);
    expect(messages.at(-1)?.reply_markup).toBeDefined();
  });

  it("links only http(s) URLs", () => {
    const [message] = renderTelegram({
      tone: "info",
      blocks: [
        {
          kind: "paragraph",
          content: [
            { text: "bad", href: "javascript:alert(1)" },
            " ",
            { text: "good", href: "https://a.example" },
          ],
        },
      ],
      citations: [{ n: 1, id: "x", url: "ftp://a.example", title: "FTP", publisher: "P", tier: "original" }],
      actions: [],
    });
    expect(message?.text).toBe('bad <a href="https://a.example/">good</a>\n\n<b>Sources</b>\n[1] FTP — P');
  });

  it("drops buttons whose data is over 64 bytes and puts at most 3 in a row", () => {
    const actions = [
      { label: "a", data: "é".repeat(32) },
      { label: "b", data: "é".repeat(33) },
      ...["c", "d", "e", "f"].map((label) => ({ label, data: label })),
    ];
    const [message] = renderTelegram({ ...help, actions });
    expect(message?.reply_markup?.inline_keyboard.map((row) => row.map((button) => button.text))).toEqual([
      ["a", "c", "d"],
      ["e", "f"],
    ]);
  });

  it("sends one message even for an empty reply", () => {
    const messages = renderTelegram({
      tone: "error",
      blocks: [],
      citations: [],
      actions: [{ label: "Retry", data: "r" }],
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text.trim()).not.toBe("");
    expect(messages[0]?.reply_markup).toBeDefined();
  });
});

describe("the HTML validator used by these tests", () => {
  it("accepts what Telegram accepts", () => {
    expect(
      parseTelegramHtml(
        '<b>a &amp; <i>b</i></b> <a href="https://x.example/?a=1&amp;b=2">c</a><code>d</code>',
      ),
    ).toEqual({
      text: "a & b cd",
      hrefs: ["https://x.example/?a=1&b=2"],
    });
  });

  it.each([
    ["<b>a", "unclosed"],
    ["<b>a</i>", "unbalanced"],
    ["<u>a</u>", "allowed tag"],
    ["a < b", "allowed tag"],
    ["a > b", "bare >"],
    ["a & b", "bare &"],
    ["&nbsp;", "bare &"],
    ['<a href="javascript:x">a</a>', "not http"],
    ["<b><b>a</b></b>", "inside itself"],
    ["<code><b>a</b></code>", "inside <code>"],
    ["<b><code>a</code></b>", "inside another tag"],
    ['<a href="https://x.example"><code>a</code></a>', "inside another tag"],
    ["<a>a</a>", "href"],
  ])("rejects %s", (html, why) => {
    expect(() => parseTelegramHtml(html)).toThrow(why);
  });
});
