/**
 * The Telegram adapter end to end: the real telegraf, inside our adapter, against the local Bot
 * API stand-in (test/fakes/telegram-api.ts), with the bot built from the real knowledge base.
 * Tests synchronise on the stand-in's recorded calls and on telegraf's acknowledgement of a batch
 * (its next getUpdates), never on sleeps: the adapter finishes handling an update before telegraf
 * polls again, so once an update is acknowledged everything it caused has been recorded.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { InlineQueryResultArticle, InputTextMessageContent, Message } from "telegraf/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTelegramAdapter,
  type TelegramAdapter,
  type TelegramAdapterOptions,
  TelegramFatalError,
} from "../../src/adapters/telegram/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot, type BotOptions, type Typist } from "../../src/bot/bot.js";
import { FloodGate } from "../../src/bot/flood.js";
import { infoReply } from "../../src/bot/replies.js";
import type { Reply, Request } from "../../src/bot/types.js";
import { createLogger } from "../../src/log.js";
import {
  parseTelegramHtml,
  type RecordedCall,
  type StandInOptions,
  startTelegramStandIn,
  type TelegramStandIn,
  telegramErrors,
} from "../fakes/telegram-api.js";
import { knowledgeFrom } from "../support/knowledge.js";

let knowledge: KnowledgeHolder;

beforeAll(async () => {
  knowledge = new KnowledgeHolder(await knowledgeFrom());
});

/** An extra command that shows how the adapter translated the user, to check admin look-ups. */
const whoami = {
  name: "whoami",
  usage: "/whoami",
  description: "Who the bot thinks you are",
  handle: (request: Request) =>
    infoReply("You", [
      `user ${request.user.id} (${request.user.name ?? "no name"}) in ${request.chat.kind} chat ${request.chat.id}`,
      `canManageChat=${request.user.canManageChat}`,
    ]),
};

type LogLine = { level: number; msg: string; [key: string]: unknown };

interface Harness {
  api: TelegramStandIn;
  adapter: TelegramAdapter;
  bot: Bot;
  logs: LogLine[];
  /** The errors passed to onFatal, and a promise of the next one. */
  fatal: TelegramFatalError[];
  nextFatal: () => Promise<TelegramFatalError>;
  close: () => Promise<void>;
}

async function harness(
  setup: {
    bot?: Bot;
    botOptions?: BotOptions;
    standIn?: StandInOptions;
    adapter?: Partial<TelegramAdapterOptions>;
    /** Start the adapter and wait for its first poll (default true). */
    start?: boolean;
  } = {},
): Promise<Harness> {
  const api = await startTelegramStandIn(setup.standIn);
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const bot = setup.bot ?? new Bot(knowledge, { flood: null, extensions: [whoami], ...setup.botOptions });
  const fatal: TelegramFatalError[] = [];
  let waiting: ((error: TelegramFatalError) => void) | undefined;
  const adapter = createTelegramAdapter({
    bot,
    token: api.token,
    apiRoot: api.apiRoot,
    log: createLogger({ level: "debug", destination }),
    onFatal: (error) => {
      fatal.push(error);
      waiting?.(error);
    },
    ...setup.adapter,
  });
  if (setup.start !== false) {
    await adapter.start();
    if (!setup.adapter?.webhook) await api.waitForCall("getUpdates");
  }
  return {
    api,
    adapter,
    bot,
    logs,
    fatal,
    nextFatal: () =>
      new Promise((resolve) => {
        const [first] = fatal;
        if (first) resolve(first);
        else waiting = resolve;
      }),
    close: async () => {
      await adapter.stop();
      await api.close();
    },
  };
}

/**
 * Pushes updates as one batch, waits until telegraf has acknowledged it, and returns the calls the
 * adapter made meanwhile (getUpdates left out).
 */
async function exchange(api: TelegramStandIn, ...updates: object[]): Promise<RecordedCall[]> {
  const before = api.calls.length;
  const pushed = updates.map((update) => api.pushUpdate(update));
  const last = pushed.at(-1);
  if (last) await api.waitForAck(last.update_id, 15_000);
  return api.calls.slice(before).filter((call) => call.method !== "getUpdates");
}

const sends = (calls: RecordedCall[], chatId?: number) =>
  calls.filter(
    (call) =>
      call.method === "sendMessage" && (chatId === undefined || `${call.params.chat_id}` === `${chatId}`),
  );
/** The text Telegram shows (tags removed, entities decoded) of a successful send or edit. */
const shown = (call: RecordedCall | undefined): string => {
  if (!call?.response?.ok) throw new Error(`not a successful call: ${JSON.stringify(call?.response)}`);
  return (call.response.result as Message.TextMessage).text;
};
const sentMessage = (call: RecordedCall | undefined): Message.TextMessage => {
  if (!call?.response?.ok) throw new Error(`not a successful call: ${JSON.stringify(call?.response)}`);
  return call.response.result as Message.TextMessage;
};
const buttons = (call: RecordedCall | undefined) =>
  (
    (
      call?.params.reply_markup as
        | { inline_keyboard?: { text: string; callback_data: string }[][] }
        | undefined
    )?.inline_keyboard ?? []
  ).flat();
/** Every send succeeded (the stand-in rejects bad HTML, over-long text and bad buttons) and is HTML. */
function expectValid(calls: RecordedCall[]): void {
  const sent = calls.filter((call) => call.method === "sendMessage" || call.method === "editMessageText");
  for (const call of sent) {
    expect(call.response, String(call.params.text).slice(0, 200)).toMatchObject({ ok: true });
    expect(call.params).toMatchObject({ parse_mode: "HTML", link_preview_options: { is_disabled: true } });
    expect(String(call.params.text).length).toBeLessThanOrEqual(4096);
  }
}
const errorLogs = (logs: LogLine[]) => logs.filter((line) => line.level >= 50);

const GROUP = -1001234567890;

describe("telegram adapter: a person in a private chat", () => {
  let h: Harness;
  const chat = 1001; // the stand-in's default user
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("sets the command menu from the bot's commands at start, then long-polls", () => {
    const methods = h.api.calls.map((call) => call.method);
    // One menu by default (English) and one per language Telegram apps may be set to.
    expect(methods.slice(0, 9)).toEqual([
      "getMe",
      ...Array(6).fill("setMyCommands"),
      "deleteWebhook",
      "getUpdates",
    ]);
    expect(h.api.commands(undefined, "de")?.find((c) => c.command === "deals")?.description).toBe(
      "Alle Deals, die ich kenne",
    );
    expect(h.api.commands()).toEqual(
      h.bot.commands.map((command) => ({ command: command.name, description: command.description })),
    );
    expect(h.api.commands()?.map((c) => c.command)).toEqual([
      "start",
      "help",
      "deals",
      "deal",
      "sources",
      "timeline",
      "language",
      "whoami",
    ]);
  });

  it("/start greets and lists the commands", async () => {
    const calls = await exchange(h.api, h.api.message({ text: "/start" }));
    expectValid(calls);
    const [welcome] = sends(calls, chat);
    expect(shown(welcome)).toContain("Hi! I answer questions about who shared whose data with whom");
    expect(shown(welcome)).toContain("/deals");
    expect(welcome?.params.reply_parameters).toBeUndefined(); // private chats need no quoting
  });

  it("a deep link (/start deal_netflix-facebook) opens that deal", async () => {
    const calls = await exchange(h.api, h.api.message({ text: "/start deal_netflix-facebook" }));
    expectValid(calls);
    expect(shown(sends(calls)[0])).toMatch(/^Netflix and Facebook's alleged "special relationship"/);
  });

  it("/deals, /deal and /sources answer, and /deal without a name says how to use it", async () => {
    const deals = await exchange(h.api, h.api.message({ text: "/deals" }));
    expect(shown(sends(deals)[0])).toMatch(/^\d+ deals/);
    const deal = await exchange(h.api, h.api.message({ text: "/deal netflix facebook" }));
    expect(shown(sends(deal)[0])).toContain("Klein v. Meta");
    const sources = await exchange(h.api, h.api.message({ text: "/sources netflix-facebook" }));
    expect(shown(sends(sources)[0])).toContain("Sources");
    const usage = await exchange(h.api, h.api.message({ text: "/deal" }));
    expect(shown(sends(usage)[0])).toContain("Usage: /deal <deal name>");
    expectValid([...deals, ...deal, ...sources, ...usage]);
  });

  it("answers a question in HTML with numbered source links and the three buttons", async () => {
    const calls = await exchange(
      h.api,
      h.api.message({ text: "did facebook let netflix into people's inboxes?" }),
    );
    expectValid(calls);
    const answer = sends(calls);
    expect(answer.length).toBeGreaterThanOrEqual(1);
    const html = answer.map((call) => String(call.params.text)).join("\n");
    expect(html).toMatch(/\[1\] <a href="https:\/\/[^"]+">/);
    expect(html).toContain("<b>Sources</b>");
    expect(answer.map(shown).join("\n")).toContain("Alleged:");
    expect(buttons(answer.at(-1)).map((b) => b.text)).toEqual([
      "Sources",
      "More on this deal",
      "Related deals",
    ]);
    for (const call of answer.slice(0, -1)) expect(call.params.reply_markup).toBeUndefined();
  });

  it("answers a follow-up from the conversation so far", async () => {
    const other = 2002;
    await exchange(h.api, h.api.message({ from: other, text: "did netflix pay meta 100 million for DMs?" }));
    const followUp = await exchange(
      h.api,
      h.api.message({ from: other, text: "how much did they pay then?" }),
    );
    const fresh = await exchange(h.api, h.api.message({ from: 2003, text: "how much did they pay then?" }));
    expectValid([...followUp, ...fresh]);
    expect(sends(followUp).map(shown).join("\n")).toMatch(/Netflix/);
    expect(sends(followUp).map(shown).join("\n")).not.toEqual(sends(fresh).map(shown).join("\n"));
  });

  it("each button answers its callback query; browsing edits the button's own message in place", async () => {
    const asked = await exchange(
      h.api,
      h.api.message({ text: "did netflix get access to facebook messages?" }),
    );
    const answerCall = sends(asked).at(-1);
    const answer = sentMessage(answerCall);
    const data = Object.fromEntries(buttons(answerCall).map((b) => [b.text, b.callback_data]));
    const press = async (message: Message, callbackData: string) => {
      const update = h.api.callbackQuery({ message, data: callbackData });
      const calls = await exchange(h.api, update);
      expectValid(calls);
      const answered = calls.filter((call) => call.method === "answerCallbackQuery");
      expect(answered).toHaveLength(1);
      expect(answered[0]?.params.callback_query_id).toBe(update.callback_query.id);
      expect(answered[0]?.response).toMatchObject({ ok: true });
      return calls;
    };

    // On an answer, a button opens a new message: the answer stays as it was.
    const sources = await press(answer, data.Sources ?? "");
    expect(shown(sends(sources)[0])).toMatch(/^Sources/);
    expect(sources.some((call) => call.method === "editMessageText")).toBe(false);

    const more = await press(answer, data["More on this deal"] ?? "");
    const dealView = sends(more).at(-1);
    expect(shown(sends(more)[0])).toContain("Netflix and Facebook");
    expect(buttons(dealView).map((b) => b.text)).toContain("Related deals");

    const related = await press(answer, data["Related deals"] ?? "");
    expect(shown(sends(related)[0])).toMatch(/related/i);

    // On a message a button produced, the next button edits it in place, like a menu.
    const relatedButton = buttons(dealView).find((b) => b.text === "Related deals");
    const inPlace = await press(sentMessage(dealView), relatedButton?.callback_data ?? "");
    const edit = inPlace.find((call) => call.method === "editMessageText");
    expect(edit?.params.message_id).toBe(sentMessage(dealView).message_id);
    expect(sends(inPlace)).toHaveLength(0);
    expect(shown(edit)).toMatch(/related/i);
  });

  it("an expired button gets a toast, not a message", async () => {
    const sent = sentMessage(sends(await exchange(h.api, h.api.message({ text: "/help" })))[0]);
    const calls = await exchange(h.api, h.api.callbackQuery({ message: sent, data: "deal:no-such-deal" }));
    expect(sends(calls)).toHaveLength(0);
    const [toast] = calls.filter((call) => call.method === "answerCallbackQuery");
    expect(toast?.params.text).toMatch(/^That button has expired/);
    expect(toast?.response).toMatchObject({ ok: true });
  });

  it("odd input gets a clear answer in valid HTML within limits, and nothing crashes", async () => {
    const inputs = [
      '<b>bold</b> & <script>alert("x")</script> &amp; netflix </i>',
      "*did* _netflix_ [read](http://x.test) `messages` ~~on~~ facebook? \\ | > #",
      `${"did netflix read facebook messages? ".repeat(120)}`.slice(0, 4000),
      "🧾🤔 did netflix 👀 read facebook 💬 messages? 👨‍👩‍👧‍👦🏳️‍🌈",
      "هل قرأت نتفليكس رسائل فيسبوك؟",
      "האם נטפליקס קראה הודעות בפייסבוק?",
      "\u202Enetflix\u202C facebook \u0000 \uD800 messages",
      "   ",
      "/",
      "/nosuchcommand with args",
      `/deal ${"x".repeat(3000)}`,
    ];
    for (const text of inputs) {
      const calls = await exchange(h.api, h.api.message({ text }));
      expectValid(calls);
      expect(sends(calls).length, text.slice(0, 40)).toBeGreaterThanOrEqual(1);
    }
    const long = await exchange(
      h.api,
      h.api.message({ text: "netflix facebook messages ".repeat(160).slice(0, 4000) }),
    );
    expect(sends(long).map(shown).join("\n")).toContain("I read only the first 1000 characters");
    const unknown = await exchange(h.api, h.api.message({ text: "/nosuchcommand" }));
    expect(shown(sends(unknown)[0])).toContain("I don't know /nosuchcommand");
    expect(errorLogs(h.logs)).toEqual([]);
  });

  it("a sticker, a photo or an empty message is told how to ask; a photo's caption is the question", async () => {
    for (const update of [h.api.sticker({}), h.api.photo({}), h.api.message({ text: "" })]) {
      const calls = await exchange(h.api, update);
      expectValid(calls);
      expect(shown(sends(calls)[0])).toContain("Ask me a question in your own words");
    }
    const captioned = await exchange(h.api, h.api.photo({ caption: "did netflix read facebook messages?" }));
    expectValid(captioned);
    expect(sends(captioned).map(shown).join("\n")).toContain("Sources");
  });

  it("ignores its own inline cards posted into the chat", async () => {
    const card = h.api.message({ text: "Alleged: something from a card" });
    const calls = await exchange(h.api, { message: { ...card.message, via_bot: h.api.botUser } });
    expect(calls).toEqual([]);
  });

  it("an edited message is answered again, quoting the edit", async () => {
    const original = h.api.message({ text: "did netflx read my mesages" });
    await exchange(h.api, original);
    const calls = await exchange(
      h.api,
      h.api.editedMessage(original.message, "did netflix pay for my messages?"),
    );
    expectValid(calls);
    const [first] = sends(calls);
    expect(first?.params.reply_parameters).toMatchObject({ message_id: original.message.message_id });
    expect(sends(calls).map(shown).join("\n")).toMatch(/paid|pay/i);
  });

  it("inline mode offers at most 50 cards, each one valid HTML message", async () => {
    const update = h.api.inlineQuery({ query: "facebook" });
    const calls = await exchange(h.api, update);
    const [answered] = calls.filter((call) => call.method === "answerInlineQuery");
    expect(answered?.response).toMatchObject({ ok: true });
    expect(answered?.params.inline_query_id).toBe(update.inline_query.id);
    const results = answered?.params.results as InlineQueryResultArticle[];
    expect(results.length).toBeGreaterThan(1);
    expect(results.length).toBeLessThanOrEqual(50);
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
    for (const result of results) {
      expect(result.type).toBe("article");
      expect(Buffer.byteLength(result.id)).toBeLessThanOrEqual(64);
      expect(result.title.length).toBeGreaterThan(0);
      const content = result.input_message_content as InputTextMessageContent;
      expect(content.parse_mode).toBe("HTML");
      const parsed = parseTelegramHtml(content.message_text);
      if ("error" in parsed) throw new Error(`${result.id}: ${parsed.error}`);
      expect(parsed.text.length).toBeLessThanOrEqual(4096);
      expect(content.message_text.length).toBeLessThanOrEqual(4096);
    }
    expect(JSON.stringify(results)).toContain("<a href=");

    const empty = await exchange(h.api, h.api.inlineQuery({ query: "   " }));
    const [none] = empty.filter((call) => call.method === "answerInlineQuery");
    expect(none?.params.results).toEqual([]);
    expect(none?.params.button).toEqual({ text: "Ask me in a private chat", start_parameter: "inline" });
    expect(none?.response).toMatchObject({ ok: true });
  });
});

describe("telegram adapter: groups", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("ignores group messages not addressed to the bot, and commands for other bots", async () => {
    const calls = await exchange(
      h.api,
      h.api.message({ chat: GROUP, text: "did netflix read facebook messages?" }),
      h.api.message({ chat: GROUP, text: "/deals@some_other_bot" }),
      h.api.message({ chat: GROUP, text: "mail me at someone@receipts_test_bot.example" }),
      h.api.sticker({ chat: GROUP }),
      h.api.photo({ chat: GROUP, caption: "look at this" }),
    );
    expect(calls).toEqual([]);
  });

  it("answers a mention, quoting the question, with the mention taken out", async () => {
    const question = h.api.message({
      chat: GROUP,
      text: "@receipts_test_bot did netflix read facebook messages?",
    });
    const calls = await exchange(h.api, question);
    expectValid(calls);
    const answer = sends(calls, GROUP);
    expect(answer.length).toBeGreaterThanOrEqual(1);
    expect(answer[0]?.params.reply_parameters).toMatchObject({ message_id: question.message.message_id });
    expect(answer.map(shown).join("\n")).toContain("Sources");

    const onlyMention = await exchange(h.api, h.api.message({ chat: GROUP, text: "@Receipts_Test_Bot" }));
    expect(shown(sends(onlyMention)[0])).toContain("Ask me a question in your own words");
  });

  it("answers a reply to one of its messages", async () => {
    const [mine] = h.api.sentMessages(GROUP);
    expect(mine).toBeDefined();
    const calls = await exchange(
      h.api,
      h.api.message({ chat: GROUP, text: "did meta deny it?", reply_to_message: mine as Message }),
    );
    expectValid(calls);
    expect(sends(calls, GROUP).map(shown).join("\n")).toMatch(/den/i);
  });

  it("answers commands, looking up whether the sender is an admin", async () => {
    const plain = await exchange(h.api, h.api.message({ chat: GROUP, text: "/whoami" }));
    expect(plain.map((call) => call.method)).toEqual(["getChatMember", "sendMessage"]);
    expect(plain[0]?.params).toMatchObject({ chat_id: GROUP, user_id: 1001 });
    expect(shown(sends(plain)[0])).toContain(`user 1001 (Ada) in group chat ${GROUP}`);
    expect(shown(sends(plain)[0])).toContain("canManageChat=false");

    h.api.setAdmins(GROUP, [1001]);
    const admin = await exchange(h.api, h.api.message({ chat: GROUP, text: "/whoami@receipts_test_bot" }));
    expect(shown(sends(admin)[0])).toContain("canManageChat=true");

    const question = await exchange(h.api, h.api.message({ chat: GROUP, text: "@receipts_test_bot /deals" }));
    expect(shown(sends(question)[0])).toMatch(/^\d+ deals/);

    const privately = await exchange(h.api, h.api.message({ text: "/whoami" }));
    expect(privately.map((call) => call.method)).toEqual(["sendMessage"]); // no look-up in private chats
    expect(shown(privately[0])).toContain("canManageChat=true");
  });

  it("answers in the forum topic it was asked in", async () => {
    const asked = h.api.message({ chat: GROUP, text: "/deals" });
    const topic = { ...asked.message, is_topic_message: true, message_thread_id: 77 };
    const calls = await exchange(h.api, { message: topic });
    expectValid(calls);
    expect(sends(calls, GROUP)[0]?.params).toMatchObject({ message_thread_id: 77 });
  });

  it("introduces itself when added to a group", async () => {
    const chat = { id: -4242, type: "group" as const, title: "Data club" };
    const calls = await exchange(h.api, {
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: h.api.defaultUser,
        new_chat_members: [h.api.botUser],
      },
    });
    expectValid(calls);
    expect(shown(sends(calls, chat.id)[0])).toContain("I answer questions about who shared whose data");
  });

  it("buttons work in groups too", async () => {
    const asked = await exchange(h.api, h.api.message({ chat: GROUP, text: "/deal netflix-facebook" }));
    const last = sends(asked).at(-1);
    const data = buttons(last).find((b) => b.text === "Sources")?.callback_data ?? "";
    const calls = await exchange(h.api, h.api.callbackQuery({ message: sentMessage(last), data }));
    expectValid(calls);
    const [first, ...rest] = calls.map((call) => call.method);
    expect(first).toBe("answerCallbackQuery");
    expect(rest.length).toBeGreaterThanOrEqual(1);
    expect(new Set(rest)).toEqual(new Set(["sendMessage"]));
  });
});

describe("telegram adapter: errors", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("waits out a 429 for retry_after, then retries", async () => {
    h.api.failNext("sendMessage", telegramErrors.tooManyRequests(1));
    const calls = await exchange(h.api, h.api.message({ text: "/help" }));
    const [limited, retried] = sends(calls);
    expect(limited?.response).toMatchObject({ ok: false, error_code: 429 });
    expect(retried?.response).toMatchObject({ ok: true });
    expect((retried?.time ?? 0) - (limited?.time ?? 0)).toBeGreaterThanOrEqual(950);
    expect(
      h.logs.some((line) => line.msg === "telegram: rate limited, waiting" && line.retryAfterMs === 1000),
    ).toBe(true);
  });

  it("handles 403 (blocked) quietly and keeps going", async () => {
    const user = 3003;
    h.api.blockChat(user);
    const calls = await exchange(h.api, h.api.message({ from: user, text: "/help" }));
    expect(sends(calls)).toHaveLength(1); // no retry, no error message
    expect(sends(calls)[0]?.response).toMatchObject({ ok: false, error_code: 403 });
    expect(errorLogs(h.logs)).toEqual([]);
    expect(h.logs.find((line) => line.status === "gone")).toMatchObject({ level: 30, chatId: user });
    h.api.unblockChat(user);
    const later = await exchange(h.api, h.api.message({ from: user, text: "/help" }));
    expect(sends(later)[0]?.response).toMatchObject({ ok: true });
  });

  it("a failing send (not 403) is logged and does not stop polling", async () => {
    h.api.failNext("sendMessage", {
      error_code: 400,
      description: "Bad Request: can't parse entities: test",
    });
    const calls = await exchange(h.api, h.api.message({ text: "/help" }));
    expect(sends(calls)).toHaveLength(1);
    const later = await exchange(h.api, h.api.message({ text: "/help" }));
    expect(sends(later)[0]?.response).toMatchObject({ ok: true });
  });
});

describe("telegram adapter: a handler that throws", () => {
  class ThrowingBot extends Bot {
    override async handle(request: Request): Promise<Reply> {
      const input = request.input;
      if (
        (input.kind === "text" && input.text === "boom") ||
        (input.kind === "action" && input.data === "boom")
      ) {
        throw new Error("handler exploded");
      }
      return super.handle(request);
    }
    override cards(query: string, limit: number, typist: Typist) {
      if (query === "boom") throw new Error("cards exploded");
      return super.cards(query, limit, typist);
    }
  }
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ bot: new ThrowingBot(knowledge, { flood: null }) });
  });
  afterAll(async () => {
    await h.close();
  });

  it("tells the user briefly, logs the error, and keeps polling", async () => {
    const calls = await exchange(h.api, h.api.message({ text: "boom" }));
    expectValid(calls);
    expect(shown(sends(calls)[0])).toMatch(/^Sorry, something went wrong/);
    expect(errorLogs(h.logs)).toMatchObject([
      { msg: "telegram: handler failed", err: { message: "handler exploded" } },
    ]);

    const later = await exchange(h.api, h.api.message({ text: "/help" }));
    expect(shown(sends(later)[0])).toContain("Commands");
  });

  it("answers a button's callback query and an inline query even when their handler throws", async () => {
    const sent = sentMessage(sends(await exchange(h.api, h.api.message({ text: "/help" })))[0]);
    const pressed = await exchange(h.api, h.api.callbackQuery({ message: sent, data: "boom" }));
    expect(pressed.map((call) => call.method)).toEqual(["answerCallbackQuery"]);
    expect(pressed[0]?.params.text).toMatch(/^Sorry, something went wrong/);
    expect(pressed[0]?.response).toMatchObject({ ok: true });

    const inline = await exchange(h.api, h.api.inlineQuery({ query: "boom" }));
    expect(inline.map((call) => call.method)).toEqual(["answerInlineQuery"]);
    expect(inline[0]?.response).toMatchObject({ ok: true });
  });
});

describe("telegram adapter: flood control", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ botOptions: { flood: new FloodGate({ burst: 2, perSecond: 0.001 }) } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("answers a burst, then asks politely to slow down", async () => {
    const calls = await exchange(
      h.api,
      h.api.message({ text: "/help" }),
      h.api.message({ text: "/deals" }),
      h.api.message({ text: "did netflix read facebook messages?" }),
    );
    expectValid(calls);
    const texts = sends(calls).map(shown);
    expect(texts.filter((text) => text.startsWith("Slow down a little"))).toHaveLength(1);
    expect(texts.filter((text) => !text.startsWith("Slow down a little")).length).toBeGreaterThanOrEqual(2);
    // Saying it again helps nobody: more messages in the same window get no reply at all.
    const more = await exchange(
      h.api,
      h.api.message({ text: "and now?" }),
      h.api.message({ text: "hello?" }),
    );
    expect(sends(more)).toEqual([]);
    // A button pressed while flooding gets the notice as a toast.
    const sent = h.api.sentMessages(1001)[0] as Message;
    const pressed = await exchange(
      h.api,
      h.api.callbackQuery({ message: sent, data: "src:netflix-facebook" }),
    );
    expect(pressed.map((call) => call.method)).toEqual(["answerCallbackQuery"]);
    expect(pressed[0]?.params.text).toMatch(/^Slow down a little/);
  });
});

describe("telegram adapter: fatal polling errors", () => {
  it("yields (409 Conflict through onFatal) when another process polls in its first seconds", async () => {
    const h = await harness({ standIn: { conflict: "terminate-old" } });
    const fatal = h.nextFatal();
    // Another instance was polling when this one started: api.telegram.org answers our poll with 409.
    // (One that has been serving for longer polls again instead: see test/faults/polling-conflict.)
    const intruder = fetch(`${h.api.apiRoot}bot${h.api.token}/getUpdates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ timeout: 0 }),
    });
    const error = await fatal;
    expect(error).toBeInstanceOf(TelegramFatalError);
    expect(error.code).toBe(409);
    expect(error.message).toMatch(/409 Conflict.*this one stops \(only one instance may run per bot\)/);
    expect(h.logs.some((line) => line.level === 60)).toBe(true);
    await intruder;
    await h.close();
  });

  it("reports 409 Conflict when it starts while another instance is polling", async () => {
    const api = await startTelegramStandIn();
    const other = fetch(`${api.apiRoot}bot${api.token}/getUpdates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ timeout: 30 }),
    }).catch(() => undefined);
    await api.waitForCall("getUpdates");
    let report: (error: TelegramFatalError) => void = () => {};
    const reported = new Promise<TelegramFatalError>((resolve) => {
      report = resolve;
    });
    const adapter = createTelegramAdapter({
      bot: new Bot(knowledge, { flood: null }),
      token: api.token,
      apiRoot: api.apiRoot,
      onFatal: (error) => report(error),
    });
    await adapter.start();
    expect((await reported).code).toBe(409);
    expect(api.stats.conflicts).toBe(1);
    await adapter.stop();
    await api.close();
    await other;
  });

  it("refuses to start with a token Telegram rejects, saying what to do", async () => {
    const api = await startTelegramStandIn();
    const adapter = createTelegramAdapter({
      bot: new Bot(knowledge, { flood: null }),
      token: "123456789:WRONG-token_for_the-stand-in",
      apiRoot: api.apiRoot.replace(/\/$/, ""), // without the trailing slash, which the adapter adds
    });
    const error = await adapter.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TelegramFatalError);
    expect((error as TelegramFatalError).message).toMatch(
      /rejected TELEGRAM_BOT_TOKEN \(401: Unauthorized\).*@BotFather/,
    );
    expect((error as Error).message).not.toContain("WRONG-token");
    await adapter.stop();
    await api.close();
  });
});

describe("telegram adapter: webhook mode", () => {
  let h: Harness;
  let hook: string;
  beforeAll(async () => {
    h = await harness({
      adapter: {
        webhook: {
          url: "https://receipts.invalid/telegram/hook",
          port: 0,
          host: "127.0.0.1",
          secret: "s3cret_Token-1",
        },
      },
    });
    hook = `http://127.0.0.1:${h.adapter.webhookPort()}/telegram/hook`;
  });
  afterAll(async () => {
    await h.close();
  });

  it("sets the webhook with the secret token and never long-polls", () => {
    expect(h.api.webhookInfo()).toEqual({
      url: "https://receipts.invalid/telegram/hook",
      secretToken: "s3cret_Token-1",
    });
    const set = h.api.calls.find((call) => call.method === "setWebhook");
    expect(set?.params.allowed_updates).toEqual([
      "message",
      "edited_message",
      "callback_query",
      "inline_query",
    ]);
    expect(h.api.calls.some((call) => call.method === "getUpdates")).toBe(false);
  });

  it("answers updates posted with the secret, with real API calls rather than webhook replies", async () => {
    const before = h.api.calls.length;
    const response = await h.api.postWebhook(hook, h.api.message({ text: "/start" }));
    expect(response.status).toBe(200);
    const calls = h.api.calls.slice(before);
    expect(calls.map((call) => [call.method, call.via])).toEqual([["sendMessage", "http"]]);
    expectValid(calls);

    const inline = await h.api.postWebhook(hook, h.api.inlineQuery({ query: "netflix" }));
    expect(inline.body).toBe(""); // no method in the response body
    expect((await h.api.waitForCall("answerInlineQuery")).via).toBe("http");
  });

  it("refuses requests without the secret, with a wrong one, or not a POST to its path", async () => {
    const before = h.api.calls.length;
    const update = JSON.stringify({ update_id: 1, ...h.api.message({ text: "/start" }) });
    const headers = { "content-type": "application/json" };
    const missing = await fetch(hook, { method: "POST", headers, body: update });
    expect(missing.status).toBe(403);
    expect((await h.api.postWebhook(hook, h.api.message({ text: "/start" }), "wrong")).status).toBe(403);
    const otherPath = await fetch(hook.replace("/hook", "/other"), {
      method: "POST",
      headers: { ...headers, "x-telegram-bot-api-secret-token": "s3cret_Token-1" },
      body: update,
    });
    expect(otherPath.status).toBe(403);
    expect((await fetch(hook)).status).toBe(403);
    expect(h.api.calls.slice(before)).toEqual([]);
  });
});

describe("telegram adapter: webhook refused", () => {
  it("fails to start, saying why, when Telegram refuses the webhook URL", async () => {
    const h = await harness({
      start: false,
      adapter: {
        webhook: { url: "http://receipts.invalid/hook", port: 0, host: "127.0.0.1", secret: "s3cret" },
      },
    });
    const error = await h.adapter.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TelegramFatalError);
    expect((error as Error).message).toMatch(/refused the webhook \(400: .*HTTPS.*\).*public HTTPS URL/);
    expect(h.adapter.webhookPort()).toBeUndefined(); // the server it opened is closed again
    await h.close();
  });
});

describe("telegram adapter: delivering notifications", () => {
  let h: Harness;
  const reply = infoReply("New fact", ["Something new about a deal."]);
  beforeAll(async () => {
    h = await harness({ start: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it("says how each delivery went, in the dispatcher's words", async () => {
    const { api, adapter } = h;
    expect(await adapter.deliver("1001", reply)).toEqual({ status: "sent" });
    expect(shown(await api.waitForCall("sendMessage"))).toContain("Something new about a deal.");

    api.failNext("sendMessage", telegramErrors.tooManyRequests(7));
    expect(await adapter.deliver("1001", reply)).toEqual({ status: "retry", afterMs: 7000 });
    api.failNext("sendMessage", telegramErrors.blocked);
    expect(await adapter.deliver("1001", reply)).toEqual({
      status: "gone",
      reason: "Forbidden: bot was blocked by the user",
    });
    api.failNext("sendMessage", telegramErrors.kicked);
    expect(await adapter.deliver(String(GROUP), reply)).toMatchObject({ status: "gone" });
    api.failNext("sendMessage", telegramErrors.chatNotFound);
    expect(await adapter.deliver("777", reply)).toEqual({
      status: "gone",
      reason: "Bad Request: chat not found",
    });
    api.failNext("sendMessage", telegramErrors.migrated(-1009876543210));
    expect(await adapter.deliver("-12345", reply)).toEqual({ status: "moved", chatId: "-1009876543210" });
    api.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    expect(await adapter.deliver("1001", reply)).toMatchObject({ status: "transient" });
    api.failNext("sendMessage", { error_code: 400, description: "Bad Request: something else" });
    expect(await adapter.deliver("1001", reply)).toEqual({
      status: "failed",
      reason: "400: Bad Request: something else",
    });
  });

  it("calls a network failure transient", async () => {
    const gone = await startTelegramStandIn();
    const apiRoot = gone.apiRoot;
    await gone.close();
    const adapter = createTelegramAdapter({ bot: h.bot, token: gone.token, apiRoot });
    expect(await adapter.deliver("1001", reply)).toMatchObject({ status: "transient" });
  });

  it("finishes a reply of several messages once it has begun, waiting out a 429", async () => {
    const api = await startTelegramStandIn({ limits: { perChatPerSecond: 1 } });
    const adapter = createTelegramAdapter({ bot: h.bot, token: api.token, apiRoot: api.apiRoot });
    const long = infoReply(
      "A long notification",
      Array.from({ length: 12 }, (_, i) => `Paragraph ${i}: ${"words ".repeat(80)}`),
    );
    expect(await adapter.deliver("1001", long)).toEqual({ status: "sent" });
    const calls = sends([...api.calls]);
    expect(calls.filter((call) => call.response?.ok).length).toBeGreaterThanOrEqual(2);
    expect(calls.some((call) => call.response?.ok === false)).toBe(true); // the 429 that was waited out
    await api.close();
  });
});

describe("npm start with TELEGRAM_BOT_TOKEN", () => {
  it("runs the Telegram adapter against TELEGRAM_API_ROOT, answers, and stops on SIGTERM", async () => {
    const api = await startTelegramStandIn();
    const dataDir = await mkdtemp(path.join(tmpdir(), "receipts-telegram-"));
    const child = spawn("npm", ["start"], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_DIR: dataDir,
      },
      // A process group of its own (npm → node scripts/run.mjs → dist/main.js), signalled as a whole.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += String(chunk);
    });
    // "close" comes once every process of the group has let go of stdout and stderr: all have exited.
    let running = true;
    const closed = new Promise<void>((resolve) =>
      child.on("close", () => {
        running = false;
        resolve();
      }),
    );
    const group = child.pid;
    try {
      await api
        .waitForCall("getUpdates", () => true, 45_000)
        .catch((error: unknown) => {
          throw new Error(`${String(error)}\n${output}`);
        });
      expect(api.commands()?.map((c) => c.command)).toContain("deals");
      const update = api.pushUpdate(api.message({ text: "did facebook let netflix read messages?" }));
      const answer = await api.waitForCall("sendMessage", () => true, 10_000);
      expect(answer.response).toMatchObject({ ok: true });
      expect(shown(answer)).toContain("Netflix");
      await api.waitForAck(update.update_id, 10_000);
      expect(output).toContain('"msg":"telegram: long polling"');

      if (group !== undefined) process.kill(-group, "SIGTERM");
      // A clean stop confirms the last updates (getUpdates with limit 1) before the process exits.
      const confirmed = await api.waitForCall("getUpdates", (call) => call.params.limit === 1, 10_000);
      expect(confirmed.params.offset).toBe(update.update_id + 1);
      await Promise.race([
        closed,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`no exit after SIGTERM\n${output}`)), 15_000),
        ),
      ]);
      expect(output).not.toContain(api.token);
      expect(output).not.toMatch(/"level":(50|60)|Error/);
    } finally {
      if (group !== undefined && running) {
        try {
          process.kill(-group, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await api.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
