/**
 * Several instances on one real PostgreSQL: what one instance knows, the others know (focus, flood
 * buckets, update ids); one dispatcher per platform sends, and a standby takes over when it dies;
 * a knowledge-base version is published once however many instances reload it.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramAdapter } from "../../src/adapters/telegram/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import type { Reply, Request } from "../../src/bot/types.js";
import { openPgStore, type PgStore } from "../../src/subscriptions/pg-store.js";
import { Publisher } from "../../src/subscriptions/publisher.js";
import { sharedBotState } from "../../src/subscriptions/shared-state.js";
import { startTelegramStandIn } from "../fakes/telegram-api.js";
import { startBot } from "../support/bot-process.js";
import { knowledgeFrom } from "../support/knowledge.js";
import { usePostgres } from "../support/postgres.js";
import { fixtureKb, heldKnowledgeCopy, NEW_FACT, tempDir } from "./support.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

const server = usePostgres();

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `n` instances' stores on one new database, each with its own connections. */
async function instances(n: number): Promise<PgStore[]> {
  const url = await server.createDatabase();
  const stores: PgStore[] = [];
  for (let i = 0; i < n; i++) {
    const store = await openPgStore(url);
    cleanups.push(() => store.close());
    stores.push(store);
  }
  return stores;
}

const digest = (title: string): Reply => ({ tone: "info", title, blocks: [], citations: [], actions: [] });

async function queueDigests(store: PgStore, chats: readonly string[]) {
  const set = await store.addChangeSet(undefined, "v2", {});
  const id = await store.addDigest(set, digest("v2"));
  for (const chat of chats) await store.enqueue("telegram", chat, `cs:${set}`, set, id);
}

describe("several instances on one PostgreSQL", () => {
  it("a follow-up answered by another instance still knows the deal in focus", async () => {
    const [a, b] = await instances(2);
    const holder = new KnowledgeHolder(await knowledgeFrom()); // the real knowledge base
    const botA = new Bot(holder, { ...sharedBotState(a as PgStore), flood: null });
    const botB = new Bot(holder, { ...sharedBotState(b as PgStore), flood: null });
    const ask = (bot: Bot, text: string, chat: string): Promise<Reply> =>
      bot.handle({
        chat: { platform: "telegram", id: chat, kind: "private" },
        user: { id: chat, canManageChat: true },
        input: { kind: "text", text },
      });
    await ask(botA, "did facebook let netflix read messages?", "7");
    const followUp = await ask(botB, "how much did they pay?", "7");
    expect(followUp.tone).toBe("answer");
    expect(followUp.actions.map((x) => x.data)).toContain("src:netflix-facebook");
    // Another chat has no focus, on either instance.
    expect((await ask(botA, "how much did they pay?", "8")).tone).toBe("unknown");
  });

  it("a flood limit holds across instances", async () => {
    const [a, b] = await instances(2);
    const { holder } = await heldKnowledgeCopy(cleanups);
    const bots = [a, b].map((store) => new Bot(holder, { ...sharedBotState(store as PgStore) }));
    const request: Request = {
      chat: { platform: "telegram", id: "9", kind: "private" },
      user: { id: "9", canManageChat: true },
      input: { kind: "command", name: "help", args: "" },
    };
    const replies: Reply[] = [];
    // The default burst is 8: sixteen messages alternating between two instances are not all answered.
    for (let i = 0; i < 16; i++) replies.push(await (bots[i % 2] as Bot).handle(request));
    const slowDown = replies.filter((r) => r.title === "Slow down a little");
    expect(replies.length - slowDown.length).toBeLessThanOrEqual(9);
    expect(slowDown.filter((r) => !r.quiet)).toHaveLength(1); // said once, then quiet
  });

  it("answers an update Telegram delivers twice, to two instances, once", async () => {
    const [a, b] = await instances(2);
    const api = await startTelegramStandIn();
    cleanups.push(() => api.close());
    const { holder } = await heldKnowledgeCopy(cleanups);
    const hooks: string[] = [];
    for (const store of [a, b] as PgStore[]) {
      const adapter = createTelegramAdapter({
        bot: new Bot(holder, { flood: null, ...sharedBotState(store) }),
        token: api.token,
        apiRoot: api.apiRoot,
        webhook: {
          url: "https://receipts.invalid/telegram/hook",
          port: 0,
          host: "127.0.0.1",
          secret: "s3cret",
          firstDelivery: (id) => store.firstDelivery("telegram", String(id)),
        },
      });
      await adapter.start();
      cleanups.push(() => adapter.stop());
      hooks.push(`http://127.0.0.1:${adapter.webhookPort()}/telegram/hook`);
    }
    const update = { ...api.message({ text: "/deals", chat: 31, from: 31 }), update_id: 777 };
    const responses = await Promise.all(hooks.map((hook) => api.postWebhook(hook, update)));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await api.postWebhook(hooks[0] as string, update); // and a third time, later
    const other = { ...api.message({ text: "/help", chat: 31, from: 31 }), update_id: 778 };
    await api.postWebhook(hooks[1] as string, other);
    const sent = api.calls.filter((c) => c.method === "sendMessage" && String(c.params.chat_id) === "31");
    expect(sent).toHaveLength(2);
  });

  it("runs one dispatcher per platform; when it is SIGKILLed, a standby takes over and nothing is lost", async () => {
    const [seed] = await instances(1);
    const chats = Array.from({ length: 60 }, (_, i) => String(i + 1));
    await queueDigests(seed as PgStore, chats);
    const sink = await deliverySink();
    cleanups.push(sink.close);
    // 20 messages a second: the first instance is half way when it dies.
    const first = dispatchProcess(seed as PgStore, sink.url, 20);
    cleanups.push(first.kill);
    await first.state("active");
    const second = dispatchProcess(seed as PgStore, sink.url, 20);
    cleanups.push(second.kill);
    await second.state("standby");
    await sink.waitFor(20);
    expect(new Set(sink.deliveries.map((d) => d.pid))).toEqual(new Set([first.child.pid])); // one sends
    await first.kill();
    const killedAt = Date.now();
    await second.state("active");
    const tookOverMs = Date.now() - killedAt;
    await sink.waitForChats(chats.length);
    const perChat = new Map<string, number>();
    for (const { chatId } of sink.deliveries) perChat.set(chatId, (perChat.get(chatId) ?? 0) + 1);
    expect([...perChat.keys()].sort()).toEqual([...chats].sort()); // none lost
    const repeats = [...perChat.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(repeats).toBeLessThanOrEqual(4); // at most the sends in flight (concurrency 4)
    expect(tookOverMs).toBeLessThan(10_000);
  }, 60_000);

  it("npm start with DATABASE_URL: two instances behind one webhook share focus and answer a repeat once", async () => {
    const url = await server.createDatabase();
    const api = await startTelegramStandIn();
    cleanups.push(() => api.close());
    const data = tempDir();
    cleanups.push(data.remove);
    const hooks: string[] = [];
    for (const i of [1, 2]) {
      const bot = startBot({
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        TELEGRAM_WEBHOOK_URL: "https://receipts.invalid/telegram/hook",
        TELEGRAM_WEBHOOK_PORT: "0",
        TELEGRAM_WEBHOOK_SECRET: "s3cret",
        DATABASE_URL: url,
        DATA_DIR: path.join(data.dir, String(i)),
        KNOWLEDGE_DIR: path.join(ROOT, "knowledge"),
      });
      cleanups.push(bot.kill);
      const [hook] = await bot.waitForLog((l) => l.msg === "telegram: webhook mode");
      await bot.waitForLog((l) => l.msg === "receipts ready");
      hooks.push(`http://127.0.0.1:${hook?.port}/telegram/hook`);
    }
    const [one, two] = hooks as [string, string];
    const question = {
      ...api.message({ text: "did facebook let netflix read messages?", from: 41 }),
      update_id: 9001,
    };
    await Promise.all([api.postWebhook(one, question), api.postWebhook(two, question)]);
    expect(api.sentMessages(41)).toHaveLength(1); // a repeat, on the other instance, is not answered
    await api.postWebhook(two, api.message({ text: "how much did they pay?", from: 41 }));
    const followUp = api.sentMessages(41).at(-1);
    expect(followUp && "text" in followUp ? followUp.text : "").toMatch(/Netflix/);
  }, 120_000);

  it("publishes a knowledge-base version once when instances reload it at once", async () => {
    const stores = await instances(3);
    const { kb, holder } = await heldKnowledgeCopy(cleanups);
    const first = holder.current.kb;
    await new Publisher({ store: stores[0] as PgStore, holder, knowledgeDir: kb.dir }).publish(first);
    for (const id of ["1", "2", "3"])
      await (stores[0] as PgStore).subscribe({ platform: "telegram", id, kind: "private" }, "all");
    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    const publishers = stores.map((store) => new Publisher({ store, holder, knowledgeDir: kb.dir }));
    const results = await Promise.all(publishers.map((p) => p.reload("edit")));
    expect(results.filter((r) => r.status === "published")).toHaveLength(1);
    expect(results.filter((r) => r.status === "unchanged")).toHaveLength(2);
    const stats = await (stores[1] as PgStore).stats();
    expect(stats.changeSets).toBe(1);
    expect(stats.outbox.pending).toBe(3);
    expect(stats.publishedVersion).not.toBe(first.version);
    expect(fixtureKb().version).toBe(first.version);
  });
});

interface Delivery {
  readonly chatId: string;
  readonly key: string;
  readonly pid: number;
}

/** An HTTP server standing in for Telegram's sendMessage: it records who sent what. */
async function deliverySink() {
  const deliveries: Delivery[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += String(chunk);
    });
    req.on("end", () => {
      deliveries.push(JSON.parse(body) as Delivery);
      res.end("{}");
      for (const waiter of [...waiters]) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!done()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return {
    url: `http://127.0.0.1:${port}/send`,
    deliveries,
    waitFor: (count: number) => until(() => deliveries.length >= count),
    waitForChats: (count: number) => until(() => new Set(deliveries.map((d) => d.chatId)).size >= count),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** test/support/dispatch-process.ts in a child process of its own. */
function dispatchProcess(store: PgStore, sink: string, perSecond: number) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/support/dispatch-process.ts", store.url, sink, String(perSecond)],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const states: string[] = [];
  const waiters = new Set<() => void>();
  let partial = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const lines = (partial + String(chunk)).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) states.push((JSON.parse(line) as { state: string }).state);
    for (const waiter of [...waiters]) waiter();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    state: (wanted: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!states.includes(wanted)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
