/**
 * Fault: a second process starts long polling with the same Telegram token. Telegram answers the
 * poll that was waiting with 409 Conflict, which lands on the instance that was running first. The
 * newcomer must be the one to go (exit 1, saying why) and the running instance must carry on.
 * Against the Bot API stand-in, both as api.telegram.org behaves ("terminate-old": the running
 * instance's poll is answered 409) and as it may when the requests cross ("reject-new").
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  createTelegramAdapter,
  type TelegramAdapter,
  type TelegramFatalError,
} from "../../src/adapters/telegram/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { startTelegramStandIn, type TelegramStandIn } from "../fakes/telegram-api.js";
import { knowledgeFrom } from "../support/knowledge.js";
import { capturedLog } from "./support.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function poller(api: TelegramStandIn, options: { yieldWithinMs?: number } = {}) {
  const fatal: TelegramFatalError[] = [];
  let reported: (error: TelegramFatalError) => void = () => {};
  const nextFatal = new Promise<TelegramFatalError>((resolve) => (reported = resolve));
  const { log, lines } = capturedLog();
  const adapter: TelegramAdapter = createTelegramAdapter({
    bot: new Bot(new KnowledgeHolder(await knowledgeFrom()), { flood: null }),
    token: api.token,
    apiRoot: api.apiRoot,
    log,
    onFatal: (error) => {
      fatal.push(error);
      reported(error);
    },
    ...options,
  });
  cleanups.push(() => adapter.stop());
  await adapter.start();
  return { adapter, fatal, nextFatal, lines };
}

describe("fault: a second process polls the same Telegram token", () => {
  for (const conflict of ["terminate-old", "reject-new"] as const) {
    it(`the newcomer exits saying why; the running instance carries on (${conflict})`, async () => {
      const api = await startTelegramStandIn({ conflict });
      cleanups.push(() => api.close());
      // The running instance has been serving longer than a newcomer's window.
      const running = await poller(api, { yieldWithinMs: 0 });
      await api.waitForCall("getUpdates");

      const newcomer = await poller(api);
      const [who, error] = await Promise.race([
        newcomer.nextFatal.then((e) => ["the newcomer", e] as const),
        running.nextFatal.then((e) => ["the running instance", e] as const),
      ]);
      expect(who).toBe("the newcomer");
      expect(error.code).toBe(409);
      expect(error.message).toMatch(/409 Conflict/);
      expect(error.message).toMatch(/Another process is taking updates for this TELEGRAM_BOT_TOKEN/);
      expect(error.message).toMatch(/this one stops/);
      await newcomer.adapter.stop();

      // The running one still answers.
      const update = api.pushUpdate(api.message({ text: "/help" }));
      await api.waitForAck(update.update_id, 10_000);
      expect(api.sentMessages(api.defaultUser.id)).toHaveLength(1);
      expect(running.fatal).toEqual([]);
      if (conflict === "terminate-old")
        expect(running.lines.some((l) => l.msg.startsWith("telegram: another process polled"))).toBe(true);
    });
  }
});
