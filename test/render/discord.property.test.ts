import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/bot/types.js";
import { DISCORD_LIMITS, renderDiscord } from "../../src/render/discord.js";
import { blockText, isWellFormed, wellFormed } from "../../src/render/text.js";
import { reply, text } from "./replies.js";

const SPECIALS = new Set("\\*_~`|<>#-[]()");

/** Characters Discord would read as markdown: any special character not escaped by a backslash. */
function unescapedSpecials(markdown: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < markdown.length; i++) {
    const char = markdown.charAt(i);
    if (char === "\\") i += 1;
    else if (SPECIALS.has(char)) found.push(char);
  }
  return found;
}

describe("renderDiscord on arbitrary replies", () => {
  it("keeps within every Discord limit and never pings", () => {
    fc.assert(
      fc.property(reply(), (input) => {
        const message = renderDiscord(input);
        expect(message.allowed_mentions).toEqual({ parse: [] });
        expect(message.content === undefined || message.content.length <= DISCORD_LIMITS.content).toBe(true);
        expect(message.flags).toBe(input.ephemeral ? 64 : undefined);

        expect(message.embeds).toHaveLength(1);
        const [embed] = message.embeds;
        if (!embed) return;
        const title = embed.title ?? "";
        const description = embed.description ?? "";
        const footer = embed.footer?.text ?? "";
        const fields = embed.fields ?? [];
        expect(title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
        expect(description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
        expect(footer.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
        expect(fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
        for (const field of fields) {
          expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
          expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
        }
        const total =
          title.length +
          description.length +
          footer.length +
          (embed.author?.name.length ?? 0) +
          fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
        expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embed);
        // Discord refuses empty strings and empty embeds.
        for (const value of [embed.title, embed.description, embed.footer?.text]) {
          if (value !== undefined) expect(value.trim()).not.toBe("");
        }
        expect(title + description + footer).not.toBe("");
        expect(isWellFormed(title + description + footer)).toBe(true);

        expect(message.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.rows);
        const ids = new Set<string>();
        for (const row of message.components) {
          expect(row.type).toBe(1);
          expect(row.components.length).toBeGreaterThan(0);
          expect(row.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonsPerRow);
          for (const button of row.components) {
            expect(button).toMatchObject({ type: 2, style: 2 });
            if (!("custom_id" in button)) throw new Error("a button without custom_id");
            expect(button.custom_id.length).toBeGreaterThan(0);
            expect(button.custom_id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
            expect(ids.has(button.custom_id)).toBe(false);
            ids.add(button.custom_id);
            expect(input.actions.some((action) => action.data === button.custom_id)).toBe(true);
            expect(button.label?.trim()).not.toBe("");
            expect(button.label?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.label);
          }
        }
      }),
    );
  });

  it("lists every marked citation, and all citations unless only the lead block is shown", () => {
    fc.assert(
      fc.property(reply({ allowBrackets: false }), (input) => {
        const description = renderDiscord(input).embeds[0]?.description ?? "";
        const start = description.search(/(^|\n)\*\*Sources\*\*\n/);
        const body = start === -1 ? description : description.slice(0, start);
        const sources = start === -1 ? "" : description.slice(start);
        const listed = [...sources.matchAll(/^\[(\d+)\] /gm)].map((match) => Number(match[1]));
        const marked = [...body.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
        for (const n of marked) expect(listed).toContain(n);
        if (listed.length < input.citations.length && marked.length > 0) {
          // Sources were dropped: only the lead block is shown, with none but its own sources.
          const lead = input.blocks.find((block) => blockText(block).trim() !== "");
          for (const n of listed) expect(lead?.cites ?? []).toContain(n);
        }
      }),
    );
  });

  it("escapes every markdown character in plain paragraphs and shows them as written when they fit", () => {
    const paragraphs = fc.array(text({ maxPieces: 20 }), { maxLength: 30 });
    fc.assert(
      fc.property(paragraphs, (texts) => {
        const input: Reply = {
          tone: "info",
          blocks: texts.map((t) => ({ kind: "paragraph", content: [t] })),
          citations: [],
          actions: [],
        };
        const description = renderDiscord(input).embeds[0]?.description ?? "";
        expect(unescapedSpecials(description)).toEqual([]);
        const kept = texts.filter((t) => t.trim() !== "").map(wellFormed);
        if (!description.endsWith("…")) {
          expect(description.replace(/\\(.)/gs, "$1")).toBe(kept.length > 0 ? kept.join("\n") : "…");
        }
      }),
    );
  });
});
