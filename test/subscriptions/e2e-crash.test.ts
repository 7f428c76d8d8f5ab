/**
 * Crash safety end to end: the real bot (src/main.ts) in a child process, talking to the Telegram
 * stand-in through a small proxy that can hold requests. Twenty chats follow everything; the knowledge
 * base is edited on disk; once eight digests have been delivered and recorded and more are in flight,
 * the child is killed with SIGKILL. A new child on the same DATA_DIR must deliver the other twelve:
 * every chat ends with the digest exactly once.
 *
 * Why a proxy: a request the platform carried out but whose answer never reached the bot is the one
 * case no bot can settle without idempotency keys (see src/subscriptions/dispatcher.ts). Holding the
 * requests after the eighth makes the crash land where the outcome is knowable: the in-flight digests
 * never reached Telegram, so they must be sent after the restart, and the eight recorded ones must not.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/subscriptions/store.js";
import { startTelegramStandIn } from "../fakes/telegram-api.js";
import { type LogLine, startBot } from "../support/bot-process.js";
import { startProxy } from "../support/hold-proxy.js";
import { knowledgeCopy, NEW_FACT, tempDir } from "./support.js";

const CHATS = Array.from({ length: 20 }, (_, i) => 5001 + i);
const DELIVERED_BEFORE_CRASH = 8;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sent = (line: LogLine) => line.msg === "notification sent";

describe("crash safety", () => {
  it("a bot killed in the middle of a dispatch and restarted loses nothing and repeats nothing", async () => {
    const api = await startTelegramStandIn({ conflict: "terminate-old" });
    cleanups.push(() => api.close());
    const proxy = await startProxy(api.apiRoot);
    cleanups.push(() => proxy.close());
    const kb = knowledgeCopy();
    cleanups.push(kb.remove);
    const data = tempDir();
    cleanups.push(data.remove);

    const seed = openStore(data.dir);
    seed.subscribeMany(
      CHATS.map((id) => ({ chat: { platform: "telegram", id: String(id), kind: "private" }, topic: "all" })),
    );
    seed.close();
    const env = { TELEGRAM_BOT_TOKEN: api.token, DATA_DIR: data.dir, KNOWLEDGE_DIR: kb.dir };

    // First life: publish silently, then deliver the edit's digest until killed.
    const first = startBot({ ...env, TELEGRAM_API_ROOT: proxy.url });
    cleanups.push(first.kill);
    const [published] = await first.waitForLog((l) => l.msg === "knowledge base published");
    expect(published?.status).toBe("first");
    await first.waitForLog((l) => l.msg?.startsWith("watching the knowledge folder") === true);
    proxy.holdSendsAfter(DELIVERED_BEFORE_CRASH);
    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    await first.waitForLog(sent, DELIVERED_BEFORE_CRASH);
    await proxy.holding(); // more digests are in flight right now
    first.child.kill("SIGKILL");
    expect((await first.exited)[1]).toBe("SIGKILL");

    const digestsTo = () => {
      const counts = new Map<string, number>();
      for (const message of api.sentMessages()) {
        if ("text" in message && message.text.includes("settled the case in 2025")) {
          counts.set(String(message.chat.id), (counts.get(String(message.chat.id)) ?? 0) + 1);
        }
      }
      return counts;
    };
    expect([...digestsTo().values()]).toEqual(Array(DELIVERED_BEFORE_CRASH).fill(1));

    // Second life, straight to the stand-in: the rest, and nothing already delivered.
    const second = startBot({ ...env, TELEGRAM_API_ROOT: api.apiRoot });
    cleanups.push(second.kill);
    const [again] = await second.waitForLog((l) => l.msg === "knowledge base published");
    expect(again?.status).toBe("unchanged");
    await second.waitForLog(sent, CHATS.length - DELIVERED_BEFORE_CRASH);
    second.child.kill("SIGTERM");
    expect((await second.exited)[0], second.output()).toBe(0);

    const counts = digestsTo();
    expect([...counts.keys()].sort()).toEqual(CHATS.map(String));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const store = openStore(data.dir);
    cleanups.push(() => store.close());
    expect(store.stats().outbox).toEqual({ pending: 0, sent: CHATS.length, dead: 0 });
  }, 90_000);
});
