/**
 * "Tell me when you know" across a crash: the real bot (src/main.ts) in a child process, talking to the
 * Telegram stand-in through a proxy that can hold sends. Four chats get "I don't know" and press Notify;
 * the knowledge base gains, on disk, a fact that answers them; once one answer has been delivered and
 * the others are in flight, the bot is killed with SIGKILL. A new bot on the same DATA_DIR delivers the
 * rest: every chat gets its answer exactly once.
 */
import type { Message } from "telegraf/types";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/subscriptions/store.js";
import { type RecordedCall, startTelegramStandIn } from "../fakes/telegram-api.js";
import { knowledgeCopy, tempDir } from "../subscriptions/support.js";
import { type LogLine, startBot } from "../support/bot-process.js";
import { startProxy } from "../support/hold-proxy.js";
import { QUESTION, WEATHER_EDIT, WEATHER_FACT } from "./support.js";

const CHATS = [7001, 7002, 7003, 7004];
const DELIVERED_BEFORE_CRASH = 1;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sent = (line: LogLine) => line.msg === "notification sent";
const message = (call: RecordedCall): Message.TextMessage => {
  if (!call.response?.ok) throw new Error(`not a successful call: ${JSON.stringify(call.response)}`);
  return call.response.result as Message.TextMessage;
};
const shown = (call: RecordedCall) => message(call).text;

describe("notify me, across a crash", () => {
  it("a bot killed while delivering answers, and restarted, delivers each answer exactly once", async () => {
    const api = await startTelegramStandIn({ conflict: "terminate-old" });
    cleanups.push(() => api.close());
    const proxy = await startProxy(api.apiRoot);
    cleanups.push(() => proxy.close());
    const kb = knowledgeCopy();
    cleanups.push(kb.remove);
    const data = tempDir();
    cleanups.push(data.remove);
    const env = { TELEGRAM_BOT_TOKEN: api.token, DATA_DIR: data.dir, KNOWLEDGE_DIR: kb.dir };

    const first = startBot({ ...env, TELEGRAM_API_ROOT: proxy.url });
    cleanups.push(first.kill);
    await first.waitForLog((l) => l.msg === "receipts ready");

    for (const chat of CHATS) {
      const before = api.calls.length;
      const since = (c: RecordedCall) =>
        api.calls.indexOf(c) >= before && String(c.params.chat_id) === String(chat);
      const asked = api.pushUpdate(api.message({ text: QUESTION, from: chat }));
      await api.waitForAck(asked.update_id, 30_000);
      const unknown = await api.waitForCall("sendMessage", since, 30_000).catch((e) => {
        throw new Error(`${e}\n${first.output().slice(-6000)}`);
      });
      expect(shown(unknown)).toContain("I don't know");
      const keyboard = (
        unknown.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }
      ).inline_keyboard;
      const notify = keyboard.flat().find((b) => b.text.includes("Notify me"));
      const pressed = api.pushUpdate(
        api.callbackQuery({ from: chat, message: message(unknown), data: String(notify?.callback_data) }),
      );
      await api.waitForAck(pressed.update_id, 30_000);
      expect(shown(await api.waitForCall("sendMessage", since, 30_000))).toContain("I'll tell you here");
    }
    const store = openStore(data.dir);
    expect((store.db.prepare("SELECT count(*) AS n FROM loop_pending").get() as { n: number }).n).toBe(
      CHATS.length,
    );
    store.close();

    proxy.holdSendsAfter(DELIVERED_BEFORE_CRASH);
    kb.edit(WEATHER_EDIT);
    await first.waitForLog(sent, DELIVERED_BEFORE_CRASH);
    await proxy.holding(); // more answers are in flight right now
    first.child.kill("SIGKILL");
    expect((await first.exited)[1]).toBe("SIGKILL");

    const answersTo = () => {
      const counts = new Map<string, number>();
      for (const message of api.sentMessages()) {
        if (
          "text" in message &&
          message.text.includes("Now I can answer") &&
          message.text.includes(WEATHER_FACT)
        )
          counts.set(String(message.chat.id), (counts.get(String(message.chat.id)) ?? 0) + 1);
      }
      return counts;
    };
    expect([...answersTo().values()]).toEqual(Array(DELIVERED_BEFORE_CRASH).fill(1));

    const second = startBot({ ...env, TELEGRAM_API_ROOT: api.apiRoot });
    cleanups.push(second.kill);
    await second.waitForLog(sent, CHATS.length - DELIVERED_BEFORE_CRASH);
    second.child.kill("SIGTERM");
    expect((await second.exited)[0], second.output()).toBe(0);

    const counts = answersTo();
    expect([...counts.keys()].sort()).toEqual(CHATS.map(String));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const after = openStore(data.dir);
    cleanups.push(() => after.close());
    expect(after.stats().outbox).toEqual({ pending: 0, sent: CHATS.length, dead: 0 });
    expect((after.db.prepare("SELECT count(*) AS n FROM loop_pending").get() as { n: number }).n).toBe(0);
  }, 90_000);
});
