import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/bot/types.js";
import { escapeHtml, renderTelegram, TELEGRAM_LIMITS } from "../../src/render/telegram.js";
import { isWellFormed, wellFormed } from "../../src/render/text.js";
import { reply, text } from "./replies.js";
import { parseTelegramHtml } from "./telegram-html.js";

const utf8 = (s: string) => new TextEncoder().encode(s).length;

describe("renderTelegram on arbitrary replies", () => {
  it("sends valid HTML within Telegram's limits, with buttons only on the last message", () => {
    fc.assert(
      fc.property(reply(), (input) => {
        const messages = renderTelegram(input);
        expect(messages.length).toBeGreaterThan(0);
        for (const [i, message] of messages.entries()) {
          expect(message.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
          const parsed = parseTelegramHtml(message.text);
          expect(parsed.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
          expect(parsed.text.trim()).not.toBe("");
          expect(isWellFormed(message.text)).toBe(true);
          expect(message.link_preview_options.is_disabled).toBe(true);
          if (i < messages.length - 1) expect(message.reply_markup).toBeUndefined();
        }
        const keyboard = messages.at(-1)?.reply_markup?.inline_keyboard ?? [];
        for (const row of keyboard) {
          expect(row.length).toBeGreaterThan(0);
          expect(row.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.buttonsPerRow);
          for (const button of row) {
            expect(utf8(button.callback_data)).toBeGreaterThan(0);
            expect(utf8(button.callback_data)).toBeLessThanOrEqual(TELEGRAM_LIMITS.callbackData);
            expect(button.text.trim()).not.toBe("");
          }
        }
        // Every action that can be carried intact is, once, in order; nothing else is.
        const carried = [
          ...new Set(
            input.actions
              .filter(
                (a) =>
                  a.label.trim() !== "" && isWellFormed(a.data) && utf8(a.data) >= 1 && utf8(a.data) <= 64,
              )
              .map((a) => a.data),
          ),
        ];
        expect(keyboard.flat().map((button) => button.callback_data)).toEqual(carried);
      }),
    );
  });

  it("lists every marked citation in the Sources section, which follows the last block", () => {
    fc.assert(
      fc.property(reply({ allowBrackets: false }), (input) => {
        const shown = renderTelegram(input).map((message) => parseTelegramHtml(message.text).text);
        const all = shown.join("\n");
        const start = all.search(/(^|\n)Sources\n\[/);
        const body = start === -1 ? all : all.slice(0, start);
        const sources = start === -1 ? "" : all.slice(start);
        const listed = new Set([...sources.matchAll(/^\[(\d+)\] /gm)].map((match) => Number(match[1])));
        for (const match of body.matchAll(/\[(\d+)\]/g)) expect(listed).toContain(Number(match[1]));
        // All citations are listed: Telegram can always split, so none is dropped.
        expect(listed).toEqual(new Set(input.citations.map((citation) => citation.n)));
      }),
    );
  });

  it("shows plain paragraphs exactly as written, whatever their characters, when they fit", () => {
    const paragraphs = fc
      .array(text({ maxPieces: 30 }), { maxLength: 40 })
      .filter((texts) => texts.every((t) => escapeHtml(t).length <= TELEGRAM_LIMITS.text));
    fc.assert(
      fc.property(paragraphs, (texts) => {
        const input: Reply = {
          tone: "info",
          blocks: texts.map((t) => ({ kind: "paragraph", content: [t] })),
          citations: [],
          actions: [],
        };
        const shown = renderTelegram(input).map((message) => parseTelegramHtml(message.text).text);
        const kept = texts.filter((t) => t.trim() !== "").map(wellFormed);
        expect(shown.join("\n")).toBe(kept.length > 0 ? kept.join("\n") : "…");
      }),
    );
  });
});
