/** A reply with a picture (a timeline): every renderer still renders its words; plain text names the picture. */
import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/bot/types.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderPlain } from "../../src/render/plain.js";
import { renderTelegram, TELEGRAM_LIMITS } from "../../src/render/telegram.js";

const withImage: Reply = {
  tone: "info",
  title: "Timeline: Acme and StreamCo",
  blocks: [{ kind: "paragraph", content: ["3 dated facts, 2020–2024."] }],
  citations: [],
  actions: [{ label: "More on this deal", data: "deal:acme-streamco" }],
  image: {
    png: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    name: "timeline-acme-streamco.png",
    alt: "Timeline of Acme and StreamCo:\n3 dated facts.",
  },
};

describe("a reply with a picture", () => {
  it("renders as plain text with the picture's description, or where it was saved", () => {
    expect(renderPlain(withImage)).toBe(
      "Timeline: Acme and StreamCo\n\n3 dated facts, 2020–2024.\n\nPicture: Timeline of Acme and StreamCo: 3 dated facts.",
    );
    expect(renderPlain(withImage, { imagePath: "/tmp/receipts/timeline-acme-streamco.png" })).toMatch(
      /\n\nPicture saved as \/tmp\/receipts\/timeline-acme-streamco\.png$/,
    );
  });

  it("renders for Telegram as the same reply without it (the adapter sends it as a photo)", () => {
    const { image: _, ...without } = withImage;
    expect(renderTelegram(withImage)).toEqual(renderTelegram(without));
  });

  it("renders for Telegram within a caption's 1,024 characters first, the rest in messages after it", () => {
    const long: Reply = {
      ...withImage,
      blocks: Array.from({ length: 12 }, (_, i) => ({
        kind: "paragraph" as const,
        content: [`Paragraph ${i + 1}: ${"words ".repeat(30)}`],
      })),
    };
    const [caption, ...rest] = renderTelegram(long, { firstLimit: TELEGRAM_LIMITS.caption });
    expect(caption?.text.length).toBeLessThanOrEqual(1024);
    expect(caption?.text).toMatch(/^<b>Timeline: Acme and StreamCo<\/b>\n\nParagraph 1:/);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.at(-1)?.reply_markup).toBeDefined();
    expect(caption?.reply_markup).toBeUndefined();
    const words = (html: string) => html.replace(/<[^>]+>/g, "");
    expect([caption, ...rest].map((m) => words(m?.text ?? "")).join("\n\n")).toContain("Paragraph 12:");
  });

  it("renders for Discord as the same embed showing the picture, which the adapter uploads", () => {
    const { image: _, ...without } = withImage;
    const [embed] = renderDiscord(withImage).embeds;
    expect(embed).toEqual({
      ...renderDiscord(without).embeds[0],
      image: { url: "attachment://timeline-acme-streamco.png" },
    });
  });
});
