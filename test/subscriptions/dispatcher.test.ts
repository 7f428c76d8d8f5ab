import { afterEach, describe, expect, it } from "vitest";
import type { ChatRef, Reply } from "../../src/bot/types.js";
import type { DeliveryResult } from "../../src/subscriptions/deliver.js";
import { Dispatcher, type DispatcherOptions } from "../../src/subscriptions/dispatcher.js";
import type { DispatchLimits } from "../../src/subscriptions/limits.js";
import { openStore, type Store } from "../../src/subscriptions/store.js";
import { fakeDeliverer, tempDir } from "./support.js";

const FAST: DispatchLimits = { rules: [{ scope: "all", limit: 1_000, windowMs: 1_000 }], concurrency: 4 };
const digest = (title: string): Reply => ({ tone: "info", title, blocks: [], citations: [], actions: [] });

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function memoryStore(): Store {
  const store = openStore(":memory:");
  cleanups.push(() => store.close());
  return store;
}

/** Queues change set `name` for each chat, subscribing the chat to everything first. */
function queue(store: Store, name: string, chats: readonly string[]) {
  const set = store.addChangeSet(undefined, name, {});
  const id = store.addDigest(set, digest(name));
  for (const chat of chats) {
    const ref: ChatRef = { platform: "telegram", id: chat, kind: chat.startsWith("-") ? "group" : "private" };
    store.subscribe(ref, "all");
    store.enqueue("telegram", chat, `cs:${set}`, set, id);
  }
}

function start(
  store: Store,
  deliverer: ReturnType<typeof fakeDeliverer>,
  options: Partial<DispatcherOptions> = {},
) {
  const dispatcher = new Dispatcher(store, deliverer, { limits: FAST, backoffMs: 5, ...options });
  dispatcher.start();
  cleanups.push(() => dispatcher.stop());
  return dispatcher;
}

const states = (store: Store) =>
  store.db.prepare("SELECT chat_id AS chat, key, state, attempts FROM outbox ORDER BY id").all() as {
    chat: string;
    key: string;
    state: string;
    attempts: number;
  }[];

describe("Dispatcher", () => {
  it("delivers every pending digest once and marks it sent", async () => {
    const store = memoryStore();
    queue(store, "v2", ["1", "2", "3", "-4"]);
    const deliverer = fakeDeliverer();
    const dispatcher = start(store, deliverer);
    await dispatcher.whenIdle();
    expect(deliverer.calls.map((c) => c.chatId).sort()).toEqual(["-4", "1", "2", "3"]);
    expect(deliverer.calls.every((c) => c.reply.title === "v2")).toBe(true);
    expect(states(store).every((r) => r.state === "sent")).toBe(true);
    expect(dispatcher.stats.sent).toBe(4);
  });

  it("sends a chat its digests in order, one at a time", async () => {
    const store = memoryStore();
    queue(store, "first", ["1"]);
    queue(store, "second", ["1"]);
    const deliverer = fakeDeliverer();
    const dispatcher = start(store, deliverer);
    await deliverer.waitFor(2);
    await dispatcher.whenIdle();
    expect(deliverer.calls.map((c) => c.reply.title)).toEqual(["first", "second"]);
  });

  it("picks up rows queued while it runs", async () => {
    const store = memoryStore();
    const deliverer = fakeDeliverer();
    const dispatcher = start(store, deliverer, { idleMs: 60_000 });
    await dispatcher.whenIdle();
    queue(store, "later", ["9"]);
    dispatcher.notify();
    await deliverer.waitFor(1);
    expect(deliverer.calls[0]?.chatId).toBe("9");
  });

  it("waits retry_after on a 429, then sends, and sends nothing twice", async () => {
    const store = memoryStore();
    queue(store, "v", ["1", "2"]);
    const starts: number[] = [];
    const deliverer = fakeDeliverer("telegram", (_chatId, n): DeliveryResult => {
      starts.push(Date.now());
      return n === 0 ? { status: "retry", afterMs: 150 } : { status: "sent" };
    });
    const dispatcher = start(store, deliverer, { limits: { ...FAST, concurrency: 1 } });
    await deliverer.waitFor(3);
    await dispatcher.whenIdle();
    expect(deliverer.calls.map((c) => [c.chatId, c.result.status])).toEqual([
      ["1", "retry"],
      ["1", "sent"],
      ["2", "sent"],
    ]);
    // A retry carries the same key as the first attempt (a platform that can deduplicates on it).
    const [first, retried, other] = deliverer.calls.map((c) => c.key);
    expect(first).toMatch(/^outbox-\d+$/);
    expect(retried).toBe(first);
    expect(other).not.toBe(first);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(145);
    expect(dispatcher.stats.rateLimited).toBe(1);
    expect(states(store).map((r) => [r.state, r.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
    ]);
  });

  it("drops a chat that blocked the bot: its subscriptions and its later digests", async () => {
    const store = memoryStore();
    queue(store, "one", ["1", "2"]);
    queue(store, "two", ["1"]);
    const deliverer = fakeDeliverer("telegram", (chatId) =>
      chatId === "1"
        ? { status: "gone", reason: "Forbidden: bot was blocked by the user" }
        : { status: "sent" },
    );
    const dispatcher = start(store, deliverer);
    await deliverer.waitFor(2);
    await dispatcher.whenIdle();
    expect(deliverer.calls.filter((c) => c.chatId === "1")).toHaveLength(1);
    expect(store.topicsOf("telegram", "1")).toEqual([]);
    expect(store.topicsOf("telegram", "2")).toEqual(["all"]);
    expect(states(store).map((r) => [r.chat, r.state])).toEqual([
      ["1", "dead"],
      ["2", "sent"],
      ["1", "dead"],
    ]);
  });

  it("follows a group that became a supergroup", async () => {
    const store = memoryStore();
    queue(store, "v", ["-5"]);
    store.subscribe({ platform: "telegram", id: "-5", kind: "group" }, "entity:acme");
    const deliverer = fakeDeliverer("telegram", (chatId) =>
      chatId === "-5" ? { status: "moved", chatId: "-1005" } : { status: "sent" },
    );
    const dispatcher = start(store, deliverer);
    await deliverer.waitFor(2);
    await dispatcher.whenIdle();
    expect(deliverer.calls.map((c) => c.chatId)).toEqual(["-5", "-1005"]);
    expect(store.topicsOf("telegram", "-1005").sort()).toEqual(["all", "entity:acme"]);
    expect(states(store)).toEqual([{ chat: "-1005", key: "cs:1", state: "sent", attempts: 1 }]);
  });

  it("retries network errors and 5xx with backoff, and gives up in the end", async () => {
    const store = memoryStore();
    queue(store, "v", ["1", "2"]);
    const tries = new Map<string, number>();
    const deliverer = fakeDeliverer("telegram", (chatId) => {
      const n = (tries.get(chatId) ?? 0) + 1;
      tries.set(chatId, n);
      if (chatId === "2") throw new Error("ECONNRESET");
      return n <= 2 ? { status: "transient", reason: "502 Bad Gateway" } : { status: "sent" };
    });
    let outcomes = 0;
    let settled: () => void = () => {};
    const done = new Promise<void>((resolve) => (settled = resolve));
    const dispatcher = start(store, deliverer, {
      maxAttempts: 4,
      onOutcome: () => {
        if (++outcomes === 3 + 4) settled(); // chat 1: two failures and a success; chat 2: four failures
      },
    });
    await done;
    expect(states(store)).toEqual([
      { chat: "1", key: "cs:1", state: "sent", attempts: 3 },
      { chat: "2", key: "cs:1", state: "dead", attempts: 4 },
    ]);
    expect(dispatcher.stats.transient).toBe(6);
    expect(store.db.prepare("SELECT last_error FROM outbox WHERE chat_id = '2'").get()).toEqual({
      last_error: "gave up after 4 attempts: ECONNRESET",
    });
  });

  it("pauses the whole platform when failures come in a row, instead of burning every row's attempts", async () => {
    const store = memoryStore();
    queue(store, "v", ["1", "2", "3", "4"]);
    const starts: number[] = [];
    let down = true;
    const deliverer = fakeDeliverer("telegram", (): DeliveryResult => {
      starts.push(Date.now());
      return down ? { status: "transient", reason: "ECONNREFUSED" } : { status: "sent" };
    });
    const dispatcher = start(store, deliverer, {
      backoffMs: 200,
      outageAfter: 2,
      limits: { ...FAST, concurrency: 1 },
      onOutcome: () => {
        if (starts.length === 3) down = false;
      },
    });
    await deliverer.waitFor(3 + 4);
    await dispatcher.whenIdle();
    // Two failures, then a pause of one backoff before anyone is tried again.
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(195);
    expect(states(store).every((r) => r.state === "sent")).toBe(true);
  });

  it("gives up at once on a failure that retrying will not fix", async () => {
    const store = memoryStore();
    queue(store, "v", ["1"]);
    const deliverer = fakeDeliverer("telegram", () => ({
      status: "failed",
      reason: "Bad Request: message is too long",
    }));
    const dispatcher = start(store, deliverer);
    await dispatcher.whenIdle();
    expect(states(store)).toEqual([{ chat: "1", key: "cs:1", state: "dead", attempts: 1 }]);
    expect(store.topicsOf("telegram", "1")).toEqual(["all"]);
  });

  it("lets the send in flight finish and be recorded on stop", async () => {
    const store = memoryStore();
    queue(store, "v", ["1", "2"]);
    let release: (result: DeliveryResult) => void = () => {};
    const deliverer = fakeDeliverer("telegram", (chatId) =>
      chatId === "1" ? new Promise<DeliveryResult>((resolve) => (release = resolve)) : { status: "sent" },
    );
    const dispatcher = new Dispatcher(store, deliverer, { limits: { ...FAST, concurrency: 1 } });
    dispatcher.start();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const stopped = dispatcher.stop();
    release({ status: "sent" });
    await stopped;
    expect(states(store).map((r) => r.state)).toEqual(["sent", "pending"]);
    expect(deliverer.calls.map((c) => c.chatId)).toEqual(["1"]);
  });

  it("after a crash, sends what was not acknowledged and nothing that was", async () => {
    const data = tempDir();
    cleanups.push(data.remove);
    const before = openStore(data.dir);
    queue(
      before,
      "v",
      Array.from({ length: 10 }, (_, i) => String(i + 1)),
    );
    // The first process: chats 1-4 are acknowledged, then a request hangs and the process "dies".
    let hanging: () => void = () => {};
    const fifthSent = new Promise<void>((resolve) => (hanging = resolve));
    const hung = fakeDeliverer("telegram", (chatId) => {
      if (Number(chatId) <= 4) return { status: "sent" };
      hanging();
      return new Promise<DeliveryResult>(() => {});
    });
    const first = new Dispatcher(before, hung, { limits: { ...FAST, concurrency: 1 } });
    first.start();
    await fifthSent;
    // (No stop(): a killed process records nothing more. Its database handle is simply abandoned.)

    const after = openStore(data.dir);
    cleanups.push(() => after.close());
    // What a restart does once it holds the data folder's lock: the dead process's claims go.
    expect(after.releaseClaims()).toBe(1);
    const deliverer = fakeDeliverer();
    const second = start(after, deliverer);
    await deliverer.waitFor(6);
    await second.whenIdle();
    const delivered = [...hung.calls, ...deliverer.calls]
      .map((c) => c.chatId)
      .sort((a, b) => Number(a) - Number(b));
    expect(delivered).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    expect(states(after).every((r) => r.state === "sent")).toBe(true);
    before.close();
  });

  it("keeps to the per-chat and global limits it is given", async () => {
    const store = memoryStore();
    queue(store, "a", ["1", "2", "3"]);
    queue(store, "b", ["1"]);
    const starts: { chat: string; at: number }[] = [];
    const deliverer = fakeDeliverer("telegram", (chatId) => {
      starts.push({ chat: chatId, at: Date.now() });
      return { status: "sent" };
    });
    const limits: DispatchLimits = {
      rules: [
        { scope: "all", limit: 2, windowMs: 100 },
        { scope: "chat", limit: 1, windowMs: 200 },
      ],
      concurrency: 4,
    };
    const dispatcher = start(store, deliverer, { limits });
    await deliverer.waitFor(4);
    await dispatcher.whenIdle();
    const at = (chat: string, n = 0) => starts.filter((s) => s.chat === chat)[n]?.at ?? 0;
    expect(at("3") - at("1")).toBeGreaterThanOrEqual(99); // the third send waits for the global window
    expect(at("1", 1) - at("1")).toBeGreaterThanOrEqual(199); // chat 1's second digest waits for its window
  });
});
