/** A reply with a picture (a timeline): every renderer still renders its words; plain text names the picture. */
import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/bot/types.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderPlain } from "../../src/render/plain.js";
import { renderTelegram } from "../../src/render/telegram.js";

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

  it("renders for Telegram and Discord as the same reply without it", () => {
    const { image: _, ...without } = withImage;
    expect(renderTelegram(withImage)).toEqual(renderTelegram(without));
    expect(renderDiscord(withImage)).toEqual(renderDiscord(without));
  });
});
