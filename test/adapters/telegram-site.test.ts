/**
 * What the site adds to Telegram chats, end to end: timeline pictures, and answers linked to deal
 * pages when SITE_URL is set. The real telegraf inside our adapter, against the Bot API stand-in,
 * which takes the photo as a multipart upload, keeps its bytes, and parses the HTML as Telegram does.
 */
import type { Message } from "telegraf/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramAdapter, type TelegramAdapter } from "../../src/adapters/telegram/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { dealLabel } from "../../src/knowledge/relations.js";
import { TIMELINE_MAX_HEIGHT, TIMELINE_WIDTH } from "../../src/timeline/svg.js";
import {
  parseTelegramHtml,
  type RecordedCall,
  startTelegramStandIn,
  type TelegramStandIn,
  type UploadedFile,
} from "../fakes/telegram-api.js";
import { knowledgeFrom } from "../support/knowledge.js";
import { pngSize } from "../support/png.js";

const SITE_URL = "https://receipts.example.org/data/";
const DEAL = "netflix-facebook";
const PAGE = `${SITE_URL}deals/${DEAL}.html`;

let knowledge: KnowledgeHolder;
beforeAll(async () => {
  knowledge = new KnowledgeHolder(await knowledgeFrom());
});

interface Harness {
  api: TelegramStandIn;
  adapter: TelegramAdapter;
  close(): Promise<void>;
}

async function harness(siteUrl: string | undefined): Promise<Harness> {
  const api = await startTelegramStandIn();
  const bot = new Bot(knowledge, { flood: null, ...(siteUrl ? { siteUrl } : {}) });
  const adapter = createTelegramAdapter({ bot, token: api.token, apiRoot: api.apiRoot });
  await adapter.start();
  await api.waitForCall("getUpdates");
  return {
    api,
    adapter,
    close: async () => {
      await adapter.stop();
      await api.close();
    },
  };
}

/** Pushes one update, waits for telegraf to acknowledge it, and returns the calls it caused. */
async function exchange(api: TelegramStandIn, update: object): Promise<RecordedCall[]> {
  const before = api.calls.length;
  const pushed = api.pushUpdate(update);
  await api.waitForAck(pushed.update_id, 15_000);
  return api.calls.slice(before).filter((call) => call.method !== "getUpdates");
}

const result = <T extends Message>(call: RecordedCall | undefined): T => {
  if (!call?.response?.ok) throw new Error(`not a successful call: ${JSON.stringify(call?.response)}`);
  return call.response.result as T;
};
const buttons = (message: Message) =>
  ("reply_markup" in message && message.reply_markup ? message.reply_markup.inline_keyboard : []).flat();

/** The one photo among the calls: a valid PNG within bounds, its caption valid HTML within 1,024 characters. */
function expectTimelinePhoto(calls: RecordedCall[]): { call: RecordedCall; message: Message.PhotoMessage } {
  const photos = calls.filter((call) => call.method === "sendPhoto");
  expect(photos).toHaveLength(1);
  const call = photos[0] as RecordedCall;
  const upload = call.params.photo as UploadedFile;
  expect(upload.filename).toBe(`timeline-${DEAL}.png`);
  expect(upload.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  const size = pngSize(upload.bytes);
  expect(size.width).toBe(TIMELINE_WIDTH);
  expect(size.height).toBeGreaterThan(100);
  expect(size.height).toBeLessThanOrEqual(TIMELINE_MAX_HEIGHT);
  expect(upload.size).toBeLessThan(300 * 1024);
  const message = result<Message.PhotoMessage>(call);
  expect(message.photo.at(-1)).toMatchObject({ width: size.width, height: size.height });
  expect(call.params.parse_mode).toBe("HTML");
  const caption = parseTelegramHtml(String(call.params.caption));
  if ("error" in caption) throw new Error(caption.error);
  expect(caption.text.length).toBeLessThanOrEqual(1024);
  expect(message.caption).toBe(caption.text);
  return { call, message };
}

describe("telegram: a deal's timeline, with SITE_URL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(SITE_URL);
  });
  afterAll(async () => {
    await h.close();
  });

  it("/timeline sends the picture as a photo, captioned with the deal's label linked to its page", async () => {
    const calls = await exchange(h.api, h.api.message({ text: `/timeline ${DEAL}` }));
    const { call, message } = expectTimelinePhoto(calls);
    const label = dealLabel(knowledge.current.kb.deals.get(DEAL) as never);
    expect(message.caption).toMatch(new RegExp(`^Timeline: ${label.replace(/[^\w ]/g, ".")}`));
    expect(String(call.params.caption)).toContain(`<a href="${PAGE}"><b>Timeline: `);
    expect(message.caption_entities).toContainEqual(
      expect.objectContaining({ type: "text_link", url: PAGE }),
    );
    expect(buttons(message).map((b) => b.text)).toEqual(["More on this deal", "Sources"]);
    expect(calls.filter((c) => c.method === "sendMessage")).toHaveLength(0); // the caption holds it all
  });

  it("the Timeline button on a deal sends the photo too, and a button on the photo opens a new message", async () => {
    const deal = await exchange(h.api, h.api.message({ text: `/deal ${DEAL}` }));
    const dealMessage = result<Message.TextMessage>(deal.filter((c) => c.method === "sendMessage").at(-1));
    const timeline = buttons(dealMessage).find((b) => b.text === "Timeline");
    expect(timeline).toBeDefined();
    const pressed = await exchange(
      h.api,
      h.api.callbackQuery({
        message: dealMessage,
        data: (timeline as { callback_data: string }).callback_data,
      }),
    );
    expect(pressed.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
    expect(pressed.some((c) => c.method === "editMessageText")).toBe(false);
    const { message } = expectTimelinePhoto(pressed);
    expect(message.caption).toMatch(/^Timeline: /);

    const more = buttons(message).find((b) => b.text === "More on this deal");
    const next = await exchange(
      h.api,
      h.api.callbackQuery({ message, data: (more as { callback_data: string }).callback_data }),
    );
    expect(next.some((c) => c.method === "editMessageText")).toBe(false);
    const sent = next.filter((c) => c.method === "sendMessage");
    expect(sent.length).toBeGreaterThan(0);
    for (const call of sent) expect(call.response).toMatchObject({ ok: true });
  });
});

/** Every link in a sent message's HTML. */
const hrefs = (call: RecordedCall): string[] =>
  [...String(call.params.text ?? call.params.caption).matchAll(/<a href="([^"]+)">/g)].map((m) => m[1] ?? "");
const sends = (calls: RecordedCall[]) => calls.filter((call) => call.method === "sendMessage");

describe("telegram: a timeline refused as a photo", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(undefined);
  });
  afterAll(async () => {
    await h.close();
  });

  it("goes out as words, saying the picture could not be sent", async () => {
    const description = "Bad Request: not enough rights to send photos to the chat";
    h.api.failNext("sendPhoto", { error_code: 400, description });
    const calls = await exchange(h.api, h.api.message({ text: `/timeline ${DEAL}` }));
    expect(calls.find((c) => c.method === "sendPhoto")?.response).toMatchObject({ ok: false, description });
    const words = calls.filter((c) => c.method === "sendMessage");
    expect(words).toHaveLength(1);
    const message = result<Message.TextMessage>(words[0]);
    expect(message.text).toMatch(/^Timeline: /);
    expect(message.text).toContain("I couldn't send the picture here");
  });
});

describe("telegram: answers link to the deal's page, with SITE_URL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(SITE_URL);
  });
  afterAll(async () => {
    await h.close();
  });

  it("an answer's deal label links to its page, each fact to its anchor, and only the page is previewed", async () => {
    const calls = await exchange(
      h.api,
      h.api.message({ text: "did facebook let netflix read private messages?" }),
    );
    const [first, ...rest] = sends(calls);
    if (!first) throw new Error(`no answer; calls: ${calls.map((c) => c.method).join(", ") || "none"}`);
    for (const call of [first, ...rest]) expect(call.response).toMatchObject({ ok: true });
    expect(first.params.link_preview_options).toEqual({ url: PAGE, is_disabled: false });
    for (const call of rest) expect(call.params.link_preview_options).toEqual({ is_disabled: true });
    expect(String(first.params.text)).toMatch(new RegExp(`^<a href="${PAGE}"><b>`));
    const factLinks = hrefs(first).filter((href) => href.startsWith(`${PAGE}#`));
    expect(factLinks.length).toBeGreaterThan(0);
    const { kb } = knowledge.current;
    for (const link of factLinks) {
      const fact = kb.facts.get(decodeURIComponent(link.slice(PAGE.length + 1)));
      expect(fact?.deal, link).toBe(DEAL);
    }
    const message = result<Message.TextMessage>(first);
    expect(message.entities).toContainEqual(expect.objectContaining({ type: "text_link", url: PAGE }));
  });

  it("/deal, /sources and /deals link deals to their pages", async () => {
    const deal = sends(await exchange(h.api, h.api.message({ text: `/deal ${DEAL}` })))[0] as RecordedCall;
    expect(deal.params.link_preview_options).toEqual({ url: PAGE, is_disabled: false });
    expect(hrefs(deal)[0]).toBe(PAGE);
    expect(hrefs(deal).some((href) => href.startsWith(`${PAGE}#`))).toBe(true);
    const sources = sends(
      await exchange(h.api, h.api.message({ text: `/sources ${DEAL}` })),
    )[0] as RecordedCall;
    expect(hrefs(sources)[0]).toBe(PAGE);
    const deals = sends(await exchange(h.api, h.api.message({ text: "/deals" })));
    const all = deals.flatMap(hrefs);
    expect(all).toContain(PAGE);
    expect(all.filter((href) => href.startsWith(`${SITE_URL}deals/`))).toHaveLength(
      knowledge.current.kb.deals.size,
    );
    // A list of deals is about none of them: no preview.
    for (const call of deals) expect(call.params.link_preview_options).toEqual({ is_disabled: true });
  });
});

describe("telegram: a deal's timeline, without SITE_URL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(undefined);
  });
  afterAll(async () => {
    await h.close();
  });

  it("captions the photo with the deal's label, and links nowhere", async () => {
    const calls = await exchange(h.api, h.api.message({ text: `/timeline ${DEAL}` }));
    const { call, message } = expectTimelinePhoto(calls);
    expect(message.caption).toMatch(/^Timeline: /);
    expect(String(call.params.caption)).not.toContain("<a ");
    expect(message.caption_entities?.some((e) => e.type === "text_link")).toBeFalsy();
  });

  it("answers link to no page, and preview nothing", async () => {
    const calls = await exchange(
      h.api,
      h.api.message({ text: "did facebook let netflix read private messages?" }),
    );
    const answer = sends(calls);
    expect(answer.length).toBeGreaterThan(0);
    for (const call of answer) {
      expect(call.params.link_preview_options).toEqual({ is_disabled: true });
      expect(hrefs(call).some((href) => href.includes("receipts.example.org"))).toBe(false);
      expect(String(call.params.text)).not.toMatch(/^<a /);
    }
  });
});
