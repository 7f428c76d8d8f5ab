/**
 * Proves the Telegram stand-in is faithful enough for the real telegraf client: long polling,
 * offsets, Telegram's validation errors, error injection, conflicts, webhooks and rate limits.
 * Tests synchronise on recorded calls (waitForCall / waitForAck), never on sleeps.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Markup, Telegraf, Telegram, TelegramError } from "telegraf";
import { message } from "telegraf/filters";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseTelegramHtml,
  startTelegramStandIn,
  type TelegramStandIn,
  telegramErrors,
  type UploadedFile,
} from "./telegram-api.js";

/** Calls the stand-in directly, the way curl would, to see raw Bot API responses. */
async function raw(api: TelegramStandIn, method: string, params: object) {
  const res = await fetch(`${api.apiRoot}bot${api.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return {
    status: res.status,
    body: (await res.json()) as { ok: boolean; error_code?: number; description?: string; result?: unknown },
  };
}

/** Resolves with the error passed to bot.catch next. */
function nextCaught(errors: { waiting?: (e: unknown) => void }) {
  return new Promise<unknown>((resolve) => {
    errors.waiting = resolve;
  });
}

/** A 1×1 PNG. */
const ONE_PIXEL_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

describe("telegram stand-in driven by the real telegraf (long polling)", () => {
  let api: TelegramStandIn;
  let bot: Telegraf;
  let launched: Promise<void>;
  const caught: { waiting?: (e: unknown) => void } = {};

  beforeAll(async () => {
    api = await startTelegramStandIn();
    bot = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
    bot.catch((error) => caught.waiting?.(error));
    bot.start((ctx) => ctx.reply("Welcome to <b>Receipts</b> &amp; friends", { parse_mode: "HTML" }));
    bot.on(message("text"), (ctx) => ctx.reply(`You said: ${ctx.message.text}`));
    launched = bot.launch(); // resolves only when polling stops, so it is not awaited here
    await api.waitForCall("getUpdates");
  });

  afterAll(async () => {
    bot.stop("tests done");
    await launched;
    await api.close();
  });

  it("delivers updates by long polling and records the replies", async () => {
    expect(api.calls.map((c) => c.method).slice(0, 3)).toEqual(["getMe", "deleteWebhook", "getUpdates"]);
    const start = api.pushUpdate(api.message({ text: "/start" }));
    const text = api.pushUpdate(api.message({ text: "where are the receipts, @someone?" }));
    expect(start.message.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    expect(text.message.entities).toEqual([{ type: "mention", offset: 24, length: 8 }]);
    expect(text.update_id).toBe(start.update_id + 1);

    const welcome = await api.waitForCall("sendMessage", (c) => String(c.params.text).startsWith("Welcome"));
    const echo = await api.waitForCall("sendMessage", (c) => String(c.params.text).startsWith("You said"));
    expect(welcome.params).toMatchObject({ chat_id: api.defaultUser.id, parse_mode: "HTML" });
    expect(echo.params.text).toBe("You said: where are the receipts, @someone?");
    await api.waitForAck(text.update_id); // telegraf polled again with offset = last update_id + 1

    const sent = api.sentMessages(api.defaultUser.id);
    expect(sent.map((m) => ("text" in m ? m.text : ""))).toEqual([
      "Welcome to Receipts & friends",
      "You said: where are the receipts, @someone?",
    ]);
    expect(sent[0]?.message_id).toBeGreaterThan(text.message.message_id); // ids grow per chat, both sides
    expect(sent[0] && "entities" in sent[0] ? sent[0].entities : []).toEqual([
      { type: "bold", offset: 11, length: 8 },
    ]);
  });

  it("answers a second concurrent getUpdates with 409 and keeps serving the bot", async () => {
    await api.waitForCall("getUpdates", (c) => c.response === undefined); // the bot's poll, held open
    const second = await raw(api, "getUpdates", { timeout: 0 });
    expect(second).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description:
          "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      },
    });
    expect(api.stats.conflicts).toBe(1);
    const later = api.pushUpdate(api.message({ text: "still there?" }));
    await api.waitForCall("sendMessage", (c) => c.params.text === "You said: still there?");
    await api.waitForAck(later.update_id);
  });

  it("rejects text Telegram would reject, with Telegram's descriptions", async () => {
    const chat = api.defaultUser.id;
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as TelegramError,
      );

    const unclosed = await failure(bot.telegram.sendMessage(chat, "<b>unclosed", { parse_mode: "HTML" }));
    expect(unclosed).toBeInstanceOf(TelegramError);
    expect(unclosed?.code).toBe(400);
    expect(unclosed?.description).toBe(
      "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    );
    const br = await failure(bot.telegram.sendMessage(chat, "a<br>b", { parse_mode: "HTML" }));
    expect(br?.description).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 1',
    );

    expect((await failure(bot.telegram.sendMessage(chat, "x".repeat(4097))))?.description).toBe(
      "Bad Request: message is too long",
    );
    expect((await failure(bot.telegram.sendMessage(chat, "😀".repeat(2049))))?.description).toBe(
      "Bad Request: message is too long",
    );
    await bot.telegram.sendMessage(chat, "x".repeat(4096));
    await bot.telegram.sendMessage(chat, `<b>${"&amp;".repeat(4096)}</b>`, { parse_mode: "HTML" }); // counted after parsing
    expect((await failure(bot.telegram.sendMessage(chat, "  ")))?.description).toBe(
      "Bad Request: message text is empty",
    );

    const keyboard = (data: string) => Markup.inlineKeyboard([Markup.button.callback("Show receipts", data)]);
    await bot.telegram.sendMessage(chat, "ok", keyboard("d".repeat(64)));
    expect((await failure(bot.telegram.sendMessage(chat, "no", keyboard("d".repeat(65)))))?.description).toBe(
      "Bad Request: BUTTON_DATA_INVALID",
    );
    expect((await failure(bot.telegram.sendMessage(chat, "no", keyboard("é".repeat(33)))))?.description).toBe(
      "Bad Request: BUTTON_DATA_INVALID", // 33 characters, but 66 bytes
    );
  });

  it("edits like Telegram: unknown message, unchanged text, success", async () => {
    const chat = api.defaultUser.id;
    const sent = await bot.telegram.sendMessage(chat, "draft");
    await expect(bot.telegram.editMessageText(chat, 9999, undefined, "x")).rejects.toThrow(
      "Bad Request: message to edit not found",
    );
    await expect(bot.telegram.editMessageText(chat, sent.message_id, undefined, "draft")).rejects.toThrow(
      "Bad Request: message is not modified",
    );
    const edited = await bot.telegram.editMessageText(chat, sent.message_id, undefined, "final");
    expect(edited).toMatchObject({ message_id: sent.message_id, text: "final" });
    expect(api.sentMessages(chat).at(-1)).toMatchObject({ text: "final", edit_date: expect.any(Number) });
  });

  it("shows injected errors to telegraf as TelegramError with parameters", async () => {
    api.failNext("sendMessage", telegramErrors.tooManyRequests(7));
    const error = nextCaught(caught);
    api.pushUpdate(api.message({ text: "busy?" }));
    const err = (await error) as TelegramError;
    expect(err).toBeInstanceOf(TelegramError);
    expect(err.code).toBe(429);
    expect(err.parameters?.retry_after).toBe(7);
    expect(api.stats.tooManyRequests).toBe(1);

    const group = -1001234567890;
    api.failNext("sendMessage", { ...telegramErrors.migrated(-1009876543210), chatId: group });
    await expect(bot.telegram.sendMessage(group, "hi")).rejects.toMatchObject({
      response: {
        ok: false,
        error_code: 400,
        description: "Bad Request: group chat was upgraded to a supergroup chat",
        parameters: { migrate_to_chat_id: -1009876543210 },
      },
    });
    api.blockChat(4242);
    await expect(bot.telegram.sendMessage(4242, "hi")).rejects.toThrow(
      "403: Forbidden: bot was blocked by the user",
    );
    api.unblockChat(4242);
    await bot.telegram.sendMessage(4242, "hi again");
  });

  it("supports commands, admins, callback and inline queries, and multipart uploads", async () => {
    await bot.telegram.setMyCommands([{ command: "start", description: "Say hello" }]);
    expect(api.commands()).toEqual([{ command: "start", description: "Say hello" }]);
    expect(await bot.telegram.getMyCommands()).toEqual([{ command: "start", description: "Say hello" }]);
    expect((await bot.telegram.getMe()).username).toBe("receipts_test_bot");

    api.setAdmins(-100777, [api.defaultUser.id]);
    const admins = await bot.telegram.getChatAdministrators(-100777);
    expect(admins.map((m) => [m.status, m.user.id])).toEqual([["administrator", api.defaultUser.id]]);
    expect((await bot.telegram.getChatMember(-100777, 555)).status).toBe("member");

    const sent = await bot.telegram.sendMessage(
      api.defaultUser.id,
      "pick",
      Markup.inlineKeyboard([Markup.button.callback("A", "a")]),
    );
    const query = api.callbackQuery({ message: sent, data: "a" }).callback_query;
    await expect(bot.telegram.answerCbQuery("bogus")).rejects.toThrow("query is too old");
    expect(await bot.telegram.answerCbQuery(query.id, "done")).toBe(true);

    const inline = api.inlineQuery({ query: "acme" }).inline_query;
    const results = Array.from({ length: 51 }, (_, n) => ({
      type: "article" as const,
      id: String(n),
      title: `Deal ${n}`,
      input_message_content: { message_text: `Deal ${n}` },
    }));
    await expect(bot.telegram.answerInlineQuery(inline.id, results)).rejects.toMatchObject({ code: 400 });
    expect(await bot.telegram.answerInlineQuery(inline.id, results.slice(0, 50))).toBe(true);

    await expect(
      bot.telegram.sendPhoto(
        api.defaultUser.id,
        { source: Buffer.from("not really a picture"), filename: "r.png" },
        { caption: "receipt" },
      ),
    ).rejects.toMatchObject({ code: 400, description: "Bad Request: IMAGE_PROCESS_FAILED" });
    const png = Buffer.from(ONE_PIXEL_PNG, "base64");
    const photoSent = await bot.telegram.sendPhoto(
      api.defaultUser.id,
      { source: png, filename: "r.png" },
      { caption: "<b>receipt</b>", parse_mode: "HTML" },
    );
    expect(photoSent).toMatchObject({
      caption: "receipt",
      caption_entities: [{ type: "bold", offset: 0, length: 7 }],
    });
    expect(photoSent.photo.at(-1)).toMatchObject({ width: 1, height: 1 });
    const photo = api.calls.filter((call) => call.method === "sendPhoto").at(-1);
    expect(photo?.params).toMatchObject({
      chat_id: api.defaultUser.id, // multipart values are strings; ids are numbers again
      caption: "<b>receipt</b>",
      photo: { filename: "r.png", size: png.length },
    });
    expect((photo?.params.photo as UploadedFile | undefined)?.bytes.equals(png)).toBe(true);
    await expect(
      bot.telegram.sendPhoto(
        api.defaultUser.id,
        { source: png, filename: "r.png" },
        { caption: "x".repeat(1025) },
      ),
    ).rejects.toMatchObject({ code: 400, description: "Bad Request: message caption is too long" });
  });
});

describe("telegram stand-in: conflicts, webhooks, rate limits, HTML parser", () => {
  it("'terminate-old' answers the held poll with 409, as api.telegram.org does", async () => {
    const api = await startTelegramStandIn({ conflict: "terminate-old" });
    const first = raw(api, "getUpdates", { timeout: 5 });
    await api.waitForCall("getUpdates");
    const second = raw(api, "getUpdates", { timeout: 5 });
    expect((await first).status).toBe(409);
    await api.waitForCall("getUpdates");
    const update = api.pushUpdate(api.message({ text: "hello" }));
    expect((await second).body.result).toEqual([update]); // the held poll is answered as soon as an update arrives
    await api.close();
  });

  it("lets a restarted bot poll at once, and delivers only the update types it asked for", async () => {
    const api = await startTelegramStandIn();
    const launch = () => {
      const bot = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
      bot.on("message", (ctx) => ctx.reply("pong"));
      return { bot, launched: bot.launch() };
    };
    const first = launch();
    await api.waitForCall("getUpdates", (c) => c.response === undefined);
    first.bot.stop(); // aborts the held poll; the stand-in must free the slot rather than answer 409 later
    await first.launched;

    const second = launch();
    const memberUpdate = api.pushUpdate({ chat_member: { chat: { id: -5, type: "group", title: "g" } } });
    const ping = api.pushUpdate(api.message({ text: "ping" }));
    await api.waitForCall("sendMessage", (c) => c.params.text === "pong");
    await api.waitForAck(ping.update_id);
    const delivered = api.calls.flatMap((c) =>
      c.method === "getUpdates" ? (c.response?.ok && c.response.result) || [] : [],
    );
    expect(delivered).not.toContainEqual(memberUpdate); // chat_member is opt-in through allowed_updates
    expect(api.stats.conflicts).toBe(0);
    second.bot.stop();
    await second.launched;
    await api.close();
  });

  it("posts updates to a telegraf webhook with the secret token and executes webhook replies", async () => {
    const api = await startTelegramStandIn();
    const bot = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
    bot.start(async (ctx) => {
      await ctx.reply("hello from the webhook");
      await ctx.sendChatAction("typing"); // telegraf puts this one in the webhook response body
    });
    const server = createServer(bot.webhookCallback("/hook", { secretToken: "s3cret" }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await bot.telegram.setWebhook("https://receipts.invalid/hook", { secret_token: "s3cret" }); // stored, never contacted
      expect(api.webhookInfo()).toEqual({ url: "https://receipts.invalid/hook", secretToken: "s3cret" });
      expect((await raw(api, "getUpdates", {})).body.description).toMatch(
        /^Conflict: can't use getUpdates method while webhook is active/,
      );

      expect((await api.postWebhook(hook, api.message({ text: "/start" }), "wrong")).status).toBe(403);
      expect((await api.postWebhook(hook, api.message({ text: "/start" }))).status).toBe(200);
      expect((await api.waitForCall("sendMessage")).params.text).toBe("hello from the webhook");
      expect(await api.waitForCall("sendChatAction")).toMatchObject({
        via: "webhook-reply",
        params: { action: "typing" },
      });
      await expect(api.postWebhook("https://bot-api.example.org/x", {})).rejects.toThrow(
        "only posts to local http URLs",
      );
    } finally {
      server.close();
      await api.close();
    }
  });

  it("enforces optional rate limits with 429 retry_after", async () => {
    const api = await startTelegramStandIn({ limits: { perChatPerSecond: 1, perGroupPerMinute: 20 } });
    const telegram = new Telegram(api.token, { apiRoot: api.apiRoot });
    await telegram.sendMessage(5, "one");
    await expect(telegram.sendMessage(5, "two")).rejects.toMatchObject({
      code: 429,
      parameters: { retry_after: 1 },
    });
    await telegram.sendMessage(6, "other chat is fine");
    expect(api.stats.tooManyRequests).toBe(1);
    await api.close();
  });

  it("parses HTML the way Telegram does", () => {
    expect(
      parseTelegramHtml('<b>a <i>b</i></b> <a href="https://x.test/?a=1&amp;b=2">c</a> &lt;&#38;&#x3E;'),
    ).toEqual({
      text: "a b c <&>",
      entities: [
        { type: "bold", offset: 0, length: 3 },
        { type: "italic", offset: 2, length: 1 },
        { type: "text_link", offset: 4, length: 1, url: "https://x.test/?a=1&b=2" },
      ],
    });
    expect(
      parseTelegramHtml('<pre><code class="language-ts">x</code></pre><span class="tg-spoiler">s</span>'),
    ).toEqual({
      text: "xs",
      entities: [
        { type: "pre", offset: 0, length: 1, language: "ts" },
        { type: "spoiler", offset: 1, length: 1 },
      ],
    });
    expect(parseTelegramHtml("<b><i>x</b></i>")).toEqual({
      error: 'can\'t parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
    });
    expect(parseTelegramHtml("é & b")).toEqual({
      error: "can't parse entities: Character '&' must be escaped as &amp; at byte offset 3",
    });
    expect(parseTelegramHtml("1 < 2")).toMatchObject({
      error: expect.stringContaining("can't parse entities"),
    });
    expect(parseTelegramHtml("<span>x</span>")).toMatchObject({
      error: expect.stringContaining('must have class "tg-spoiler"'),
    });
  });
});
