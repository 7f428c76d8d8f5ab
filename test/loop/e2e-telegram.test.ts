/**
 * The feedback loop end to end through Telegram: the real telegraf inside our adapter, against the Bot
 * API stand-in, with the knowledge base a copy on disk that the tests edit. Every wait is on a call the
 * stand-in recorded, never a sleep.
 */
import type { Message } from "telegraf/types";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramAdapter } from "../../src/adapters/telegram/index.js";
import { type RecordedCall, startTelegramStandIn, type TelegramStandIn } from "../fakes/telegram-api.js";
import { ANSWERABLE, gapsCli, loopBot, QUESTION, WEATHER_EDIT, WEATHER_FACT } from "./support.js";

const USER = 2001;
const OTHER = 2002;
const ADMIN = 1001;
const GROUP = -300;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness() {
  const h = await loopBot(cleanups, { admins: [`telegram:${ADMIN}`] });
  const api = await startTelegramStandIn();
  cleanups.push(() => api.close());
  const adapter = createTelegramAdapter({ bot: h.bot, token: api.token, apiRoot: api.apiRoot });
  cleanups.push(async () => {
    await adapter.stop();
    await h.loop.stop();
    await h.subscriptions.stop();
  });
  await adapter.start();
  await api.waitForCall("getUpdates", undefined, 30_000);
  h.subscriptions.attach(adapter);
  h.loop.start();

  /**
   * Pushes an update and returns the calls the bot made while handling it, once telegraf has confirmed
   * it and the bot's `expect` calls (answerCallbackQuery for a button, a sendMessage to `chat`) are in.
   * The timeouts are generous: the machine running the tests may be busy.
   */
  const exchange = async (update: object, expect: { chat?: number; answers?: boolean }) => {
    const before = api.calls.length;
    const pushed = api.pushUpdate(update);
    await api.waitForAck(pushed.update_id, 30_000);
    const since = (c: RecordedCall) => api.calls.indexOf(c) >= before;
    if (expect.answers) await api.waitForCall("answerCallbackQuery", since, 30_000);
    if (expect.chat !== undefined) {
      const chat = String(expect.chat);
      await api.waitForCall("sendMessage", (c) => since(c) && String(c.params.chat_id) === chat, 30_000);
    }
    return api.calls.slice(before).filter((call) => call.method !== "getUpdates");
  };
  /** Sends `text` as `from` in `chat` and returns the bot's last message there. */
  const say = async (text: string, from: number, chat: number = from) => {
    const calls = await exchange(api.message({ text, from, chat }), { chat });
    const sent = calls.filter((c) => c.method === "sendMessage" && String(c.params.chat_id) === String(chat));
    return sent.at(-1) as RecordedCall;
  };
  /** Presses the button whose label matches on `call`'s message; the calls the press made. */
  const press = async (call: RecordedCall, label: RegExp, from: number, replies = true) => {
    const button = buttons(call).find((b) => label.test(b.text));
    if (!button) throw new Error(`no button ${label} in ${JSON.stringify(buttons(call))}`);
    const chat = message(call).chat.id;
    const calls = await exchange(
      api.callbackQuery({ from, message: message(call), data: button.callback_data }),
      {
        answers: true,
        ...(replies ? { chat } : {}),
      },
    );
    expect(calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
    return calls;
  };
  return { ...h, api, say, press };
}

/** The bot's message as a successful call made it. */
const message = (call: RecordedCall): Message.TextMessage => {
  if (!call.response?.ok) throw new Error(`not a successful call: ${JSON.stringify(call.response)}`);
  return call.response.result as Message.TextMessage;
};
/** What Telegram shows of a sent message (tags removed). */
const text = (call: RecordedCall | undefined) => (call?.response?.ok ? message(call).text : "");
const buttons = (call: RecordedCall | undefined) =>
  (
    (
      call?.params.reply_markup as
        | { inline_keyboard?: { text: string; callback_data: string }[][] }
        | undefined
    )?.inline_keyboard ?? []
  ).flat();
const lastSend = (calls: RecordedCall[]) => calls.filter((c) => c.method === "sendMessage").at(-1);
const toast = (calls: RecordedCall[]) =>
  String(calls.find((c) => c.method === "answerCallbackQuery")?.params.text ?? "");
const answersTo = (api: TelegramStandIn, chat: number) =>
  api.calls.filter(
    (c) =>
      c.method === "sendMessage" &&
      String(c.params.chat_id) === String(chat) &&
      c.response?.ok === true &&
      text(c).includes("Now I can answer"),
  );

describe("the feedback loop through Telegram", () => {
  it('"I don\'t know" → Notify me → a fact on disk answers it → the answer arrives once, saying which question', async () => {
    const h = await harness();
    const unknown = await h.say(QUESTION, USER);
    expect(text(unknown)).toContain("I don't know");
    const pressed = await h.press(unknown, /Notify me/, USER);
    expect(text(lastSend(pressed))).toContain("I'll tell you here when I can answer");

    const listed = await h.say("/notifications", USER);
    expect(text(listed)).toContain(QUESTION);
    expect(buttons(listed).map((b) => b.text)).toEqual(["Drop 1"]);

    h.kb.edit(WEATHER_EDIT);
    const result = await h.subscriptions.publisher.reload("test edit");
    expect(result.status).toBe("published");
    await h.loop.reask(); // after the run the publication started
    const delivered = await h.api.waitForCall(
      "sendMessage",
      (c) => String(c.params.chat_id) === String(USER) && text(c).includes("Now I can answer"),
      15_000,
    );
    expect(text(delivered)).toMatch(/^You asked "did acme sell location data to a weather app\?" on \d/);
    expect(text(delivered)).toContain(WEATHER_FACT);
    expect(text(delivered)).toContain("Sources");

    // Another change, and another re-ask: the question was answered, so nothing more is sent.
    h.kb.edit({ "deals/acme-streamco.yaml": ["about $150 million", "about $160 million"] });
    await h.subscriptions.publisher.reload("second edit");
    const again = await h.loop.reask();
    expect(again.queued).toBe(0);
    expect(answersTo(h.api, USER)).toHaveLength(1);
    expect(h.store.stats().outbox).toMatchObject({ pending: 0, sent: 1 });
    expect(text(await h.say("/notifications", USER))).toContain("not waiting for any answer");
  }, 60_000);

  it("a dropped question is not answered later", async () => {
    const h = await harness();
    await h.press(await h.say(QUESTION, USER), /Notify me/, USER);
    const dropped = await h.press(await h.say("/notifications", USER), /Drop 1/, USER);
    expect(text(lastSend(dropped))).toContain("I won't tell you");
    h.kb.edit(WEATHER_EDIT);
    await h.subscriptions.publisher.reload("test edit");
    expect((await h.loop.reask()).queued).toBe(0);
    expect(h.store.stats().outbox.pending + h.store.stats().outbox.sent).toBe(0);
  }, 60_000);

  it("feedback: one vote per user per answer, 👎 asks why, and npm run gaps shows it with the unanswered questions", async () => {
    const h = await harness();
    const answer = await h.say(`@receipts_test_bot ${ANSWERABLE}`, USER, GROUP);
    expect(buttons(answer).map((b) => b.text)).toEqual(expect.arrayContaining(["👍", "👎"]));
    const rows = (answer.params.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard;
    expect(rows.at(-1)?.map((b) => b.text)).toEqual(["👍", "👎"]); // a row of their own

    expect(toast(await h.press(answer, /^👍$/, USER, false))).toContain("Thanks");
    await h.press(answer, /^👍$/, USER, false); // the same user again: still one vote
    const why = lastSend(await h.press(answer, /^👎$/, USER)); // and a change of mind: still one
    expect(text(why)).toContain("What was wrong");
    expect(toast(await h.press(why as RecordedCall, /Out of date/, USER, false))).toContain("noted");
    const other = lastSend(await h.press(answer, /^👎$/, OTHER));
    await h.press(other as RecordedCall, /^Wrong$/, OTHER, false);

    const votes = h.store.db
      .prepare("SELECT vote, reason, fact_ids, kb_version, voter FROM loop_feedback")
      .all() as {
      vote: string;
      reason: string;
      fact_ids: string;
      kb_version: string;
      voter: string;
    }[];
    expect(votes).toHaveLength(2);
    expect(votes.map((v) => v.reason).sort()).toEqual(["outdated", "wrong"]);
    expect(votes.every((v) => v.kb_version === h.holder.current.kb.version)).toBe(true);
    expect(votes.every((v) => JSON.parse(v.fact_ids).includes("as-inbox"))).toBe(true);
    // Nothing that names the user: the voter is a keyed hash.
    expect(votes.some((v) => v.voter.includes(String(USER)))).toBe(false);

    await h.say(QUESTION, USER);
    await h.say("Did Acme sell location data to weather apps", OTHER);
    await h.say("what is the capital of france", OTHER);
    const gaps = await gapsCli(h.data.dir, h.kb.dir);
    expect(gaps.unanswered[0]).toMatchObject({ count: 2 });
    expect(gaps.unanswered).toHaveLength(2);
    expect(gaps.disliked.find((f) => f.factId === "as-inbox")).toMatchObject({
      count: 2,
      reasons: { outdated: 1, wrong: 1 },
    });

    const stats = await h.say("/stats", ADMIN);
    expect(text(stats)).toContain("Most asked, not answered");
    expect(text(stats)).toContain("as-inbox");
    expect(text(await h.say("/stats", USER))).toContain("for the bot's admins");
  }, 60_000);

  it("/suggest reaches /queue, an admin decides, and the user hears back", async () => {
    const h = await harness();
    expect(text(await h.say("/suggest http://127.0.0.1:8080/admin", USER))).toContain(
      "private or local address",
    );
    expect(text(await h.say("/suggest https://user:secret@example.com/x", USER))).toContain(
      "user name or password",
    );
    expect(text(await h.say("/suggest ftp://example.com/file", USER))).toContain("only http:// and https://");
    expect(text(await h.say("/suggest https://example.com/acme-weather-report", USER))).toContain(
      "#1 is in the queue",
    );
    expect(text(await h.say("/suggest Acme sold location data to a weather app", USER))).toContain(
      "#2 is in the queue",
    );
    expect(text(await h.say("/queue", USER))).toContain("for the bot's admins");

    const queue = await h.say("/queue", ADMIN);
    expect(text(queue)).toContain("https://example.com/acme-weather-report");
    expect(text(queue)).toContain("Acme sold location data to a weather app");
    const accepted = await h.press(queue, /Accept #1/, ADMIN);
    expect(text(lastSend(accepted))).toContain("#1 accepted");
    const heard = await h.api.waitForCall(
      "sendMessage",
      (c) => String(c.params.chat_id) === String(USER) && text(c).includes("was accepted"),
      15_000,
    );
    expect(text(heard)).toContain("was accepted");

    const why = lastSend(await h.press(queue, /Reject #2/, ADMIN));
    // The reasons came in a message of their own: the decision replaces it in place (Telegram browsing).
    const decided = await h.press(why as RecordedCall, /no source supports/, ADMIN, false);
    expect(String(decided.find((c) => c.method === "editMessageText")?.params.text)).toContain("#2 rejected");
    const rejected = await h.api.waitForCall(
      "sendMessage",
      (c) => String(c.params.chat_id) === String(USER) && text(c).includes("was not taken"),
      15_000,
    );
    expect(text(rejected)).toContain("was not taken: no source supports the claim");
    expect(text(await h.say("/queue", ADMIN))).toContain("The queue is empty");

    // Rate limit: five a day per user (two were refused before they counted).
    for (const n of [3, 4, 5])
      expect(text(await h.say(`/suggest claim number ${n}`, USER))).toContain(`#${n}`);
    expect(text(await h.say("/suggest one too many", USER))).toContain("Please try again later");
    expect(text(await h.say("/suggest another user's claim", OTHER))).toContain("#6 is in the queue");
  }, 60_000);
});
