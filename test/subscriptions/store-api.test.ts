/**
 * The store's meaning, through the async interface the bot uses, on both implementations: SQLite
 * (DATA_DIR) and a real PostgreSQL server started for this file (test/support/postgres.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ChatRef, Reply } from "../../src/bot/types.js";
import { snapshotOf } from "../../src/subscriptions/diff.js";
import { openSubscriptionStore } from "../../src/subscriptions/open.js";
import type { StoreOptions } from "../../src/subscriptions/store.js";
import type { SubscriptionStore } from "../../src/subscriptions/store-api.js";
import { usePostgres } from "../support/postgres.js";
import { fixtureKb, tempDir } from "./support.js";

const reply: Reply = { tone: "info", title: "t", blocks: [], citations: [], actions: [] };
const dm = (id: string): ChatRef => ({ platform: "telegram", id, kind: "private" });
const group = (id: string): ChatRef => ({ platform: "telegram", id, kind: "group" });

const server = usePostgres();

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Open = (options?: StoreOptions) => Promise<SubscriptionStore>;

const KINDS: [string, Open][] = [
  [
    "sqlite",
    async (options) => {
      const data = tempDir();
      cleanups.push(data.remove);
      const store = await openSubscriptionStore({ dataDir: data.dir }, options);
      cleanups.push(() => store.close());
      return store;
    },
  ],
  [
    "postgres",
    async (options) => {
      const store = await openSubscriptionStore(
        { dataDir: "unused", databaseUrl: await server.createDatabase() },
        options,
      );
      cleanups.push(() => store.close());
      return store;
    },
  ],
];

/** A digest queued for `chat` under change set `cs`. */
async function queue(store: SubscriptionStore, chatId: string, cs: string) {
  const set = await store.addChangeSet(undefined, cs, {});
  return store.enqueue("telegram", chatId, `cs:${cs}`, set, await store.addDigest(set, reply));
}

describe.each(KINDS)("store on %s", (kind, open) => {
  it("says which database it is", async () => {
    expect((await open()).kind).toBe(kind);
  });

  it("keeps subscriptions unique per platform, chat and topic", async () => {
    const store = await open();
    expect(await store.subscribe(dm("1"), "entity:acme")).toBe("added");
    expect(await store.subscribe(dm("1"), "entity:acme")).toBe("exists");
    expect(await store.subscribe({ ...dm("1"), platform: "discord" }, "entity:acme")).toBe("added");
    expect(await store.subscribe(dm("1"), "deal:acme-streamco")).toBe("added");
    expect((await store.topicsOf("telegram", "1")).sort()).toEqual(["deal:acme-streamco", "entity:acme"]);
    expect((await store.chats()).map((c) => ({ ...c, topics: [...c.topics].sort() }))).toEqual([
      { platform: "discord", chatId: "1", topics: ["entity:acme"] },
      { platform: "telegram", chatId: "1", topics: ["deal:acme-streamco", "entity:acme"] },
    ]);
    expect(await store.unsubscribe(dm("1"), "entity:acme")).toBe(true);
    expect(await store.unsubscribe(dm("1"), "entity:acme")).toBe(false);
    expect(await store.unsubscribeAll(dm("1"))).toBe(1);
    expect(await store.topicsOf("telegram", "1")).toEqual([]);
  });

  it("limits the topics of a chat, even when asked at once", async () => {
    const store = await open({ maxTopicsPerChat: 2 });
    const outcomes = await Promise.all(
      ["all", "entity:a", "entity:b", "entity:c"].map((t) => store.subscribe(dm("1"), t as "all")),
    );
    expect(outcomes.filter((o) => o === "added")).toHaveLength(2);
    expect(outcomes.filter((o) => o === "limit")).toHaveLength(2);
  });

  it("subscribes many chats at once", async () => {
    const store = await open();
    await store.subscribeMany(
      Array.from({ length: 50 }, (_, i) => ({ chat: dm(String(i)), topic: "all" as const })),
    );
    expect((await store.stats()).subscriptions).toBe(50);
  });

  it("round-trips the published snapshot and version", async () => {
    const store = await open();
    const kb = fixtureKb();
    expect(await store.publishedVersion()).toBeUndefined();
    const snapshot = snapshotOf(kb);
    await store.transaction((tx) => tx.replaceSnapshot(kb.version, snapshot));
    expect(await store.publishedVersion()).toBe(kb.version);
    expect(await store.snapshot()).toEqual(snapshot);
  });

  it("writes all of a transaction or none of it", async () => {
    const store = await open();
    await expect(
      store.transaction(async (tx) => {
        await tx.subscribe(dm("1"), "all");
        await tx.setMeta("published_version", "v9");
        throw new Error("killed");
      }),
    ).rejects.toThrow("killed");
    expect(await store.topicsOf("telegram", "1")).toEqual([]);
    expect(await store.publishedVersion()).toBeUndefined();
  });

  it("queues a digest once per chat and key", async () => {
    const store = await open();
    const set = await store.addChangeSet("a", "b", {});
    const digest = await store.addDigest(set, reply);
    expect(await store.enqueue("telegram", "1", `cs:${set}`, set, digest)).toBe(true);
    expect(await store.enqueue("telegram", "1", `cs:${set}`, set, digest)).toBe(false);
    expect(await store.enqueue("discord", "1", `cs:${set}`, set, digest)).toBe(true);
    expect(await store.due("telegram", Date.now(), 10)).toHaveLength(1);
    expect(await store.digest(digest)).toEqual(reply);
  });

  it("offers each chat's oldest pending row only, and forgets sent ones", async () => {
    const store = await open();
    await queue(store, "1", "v1");
    await queue(store, "2", "v1");
    await queue(store, "1", "v2");
    const due = await store.due("telegram", Date.now(), 10);
    expect(due.map((r) => [r.chatId, r.key])).toEqual([
      ["1", "cs:v1"],
      ["2", "cs:v1"],
    ]);
    await store.markSent(due[0]?.id ?? 0);
    expect((await store.due("telegram", Date.now(), 10)).map((r) => [r.chatId, r.key])).toEqual([
      ["2", "cs:v1"],
      ["1", "cs:v2"],
    ]);
    expect((await store.stats()).outbox).toEqual({ pending: 2, sent: 1, dead: 0 });
    expect(await store.pendingCount()).toBe(2);
  });

  it("defers a row together with the chat's later rows", async () => {
    const now = 1_000_000;
    const store = await open({ now: () => now });
    await queue(store, "1", "v1");
    await queue(store, "1", "v2");
    await queue(store, "2", "v2");
    const [first] = await store.due("telegram", now, 10);
    if (!first) throw new Error("no row");
    await store.defer(first, now + 5_000, "502", true);
    expect((await store.due("telegram", now, 10)).map((r) => r.chatId)).toEqual(["2"]);
    expect(await store.nextDue("telegram")).toBe(0);
    expect((await store.due("telegram", now + 5_000, 10)).map((r) => [r.chatId, r.attempts])).toEqual([
      ["1", 1],
      ["2", 0],
    ]);
  });

  it("lets one owner at a time claim a row, until its lease runs out or it is released", async () => {
    const now = 1_000_000;
    const store = await open({ now: () => now });
    await queue(store, "1", "v1");
    await queue(store, "1", "v2");
    const [row] = await store.due("telegram", now, 10, "a");
    if (!row) throw new Error("no row");
    expect(await store.claim(row.id, "a", now, 60_000)).toBe(true);
    expect(await store.claim(row.id, "b", now, 60_000)).toBe(false);
    expect(await store.due("telegram", now, 10, "b")).toEqual([]);
    expect((await store.due("telegram", now, 10, "a")).map((r) => r.id)).toEqual([row.id]);
    expect(await store.claim(row.id, "b", now + 60_000, 60_000)).toBe(true); // a's lease ran out
    expect(await store.releaseClaims("a")).toBe(0);
    expect(await store.releaseClaims("b", "discord")).toBe(0);
    expect(await store.releaseClaims("b", "telegram")).toBe(1);
    await store.markSent(row.id);
    expect(await store.claim(row.id, "a", now, 60_000)).toBe(false); // sent: nobody's to send
  });

  it("gives each row to one of many claimers at once", async () => {
    const store = await open();
    for (let i = 0; i < 20; i++) await queue(store, String(i), "v1");
    const rows = await store.due("telegram", Date.now(), 100);
    const owners = ["a", "b", "c", "d"];
    const won = await Promise.all(
      rows.flatMap((row) => owners.map((owner) => store.claim(row.id, owner, Date.now(), 60_000))),
    );
    expect(won.filter(Boolean)).toHaveLength(rows.length);
  });

  it("drops a chat that is gone: its subscriptions and its pending rows", async () => {
    const store = await open();
    await store.subscribe(dm("1"), "all");
    await store.subscribe(dm("2"), "all");
    await queue(store, "1", "v1");
    await queue(store, "1", "v2");
    expect(await store.dropChat("telegram", "1", "blocked")).toEqual({ subscriptions: 1, pending: 2 });
    expect((await store.chats()).map((c) => c.chatId)).toEqual(["2"]);
    expect((await store.stats()).outbox.dead).toBe(2);
  });

  it("moves a chat's subscriptions and pending rows to its new id, without duplicates", async () => {
    const store = await open();
    await store.subscribe(group("-1"), "all");
    await store.subscribe(group("-1"), "entity:acme");
    await store.subscribe(group("-100"), "all");
    const set = await store.addChangeSet(undefined, "v", {});
    const digest = await store.addDigest(set, reply);
    await store.enqueue("telegram", "-1", `cs:${set}`, set, digest);
    await store.enqueue("telegram", "-1", "notice:x", null, digest);
    await store.enqueue("telegram", "-100", "notice:x", null, digest);
    await store.moveChat("telegram", "-1", "-100");
    expect(await store.topicsOf("telegram", "-1")).toEqual([]);
    expect((await store.topicsOf("telegram", "-100")).sort()).toEqual(["all", "entity:acme"]);
    const pending = (await store.due("telegram", Date.now(), 10)).map((r) => [r.chatId, r.key]);
    expect(pending).toEqual([["-100", `cs:${set}`]]);
    expect((await store.stats()).outbox).toEqual({ pending: 2, sent: 0, dead: 1 });
  });

  it("prunes old sent rows and digests no row needs", async () => {
    let now = 0;
    const store = await open({ now: () => now });
    await queue(store, "1", "v1");
    const [row] = await store.due("telegram", 0, 1);
    await store.markSent(row?.id ?? 0);
    now = 10_000;
    await queue(store, "2", "v2");
    expect(await store.prune(5_000)).toBe(1);
    expect((await store.stats()).outbox).toEqual({ pending: 1, sent: 0, dead: 0 });
    expect(await store.digest(row?.digest ?? 0)).toBeUndefined();
  });

  it("remembers admins' DMs", async () => {
    const store = await open();
    expect(await store.adminChat("discord", "7")).toBeUndefined();
    await store.rememberAdminChat("discord", "7", "dm-7");
    await store.rememberAdminChat("discord", "7", "dm-8");
    expect(await store.adminChat("discord", "7")).toBe("dm-8");
  });

  it("keeps a setting per chat", async () => {
    const store = await open();
    expect(await store.getChatSetting("telegram", "1", "language")).toBeUndefined();
    await store.setChatSetting("telegram", "1", "language", "de");
    await store.setChatSetting("telegram", "1", "language", "fr");
    await store.setChatSetting("discord", "1", "language", "es");
    expect(await store.getChatSetting("telegram", "1", "language")).toBe("fr");
    expect(await store.getChatSetting("discord", "1", "language")).toBe("es");
    await store.setChatSetting("telegram", "1", "language", undefined);
    expect(await store.getChatSetting("telegram", "1", "language")).toBeUndefined();
  });

  it("tells a first delivery of an update from a repeat", async () => {
    const store = await open();
    expect(await store.firstDelivery("telegram", "42")).toBe(true);
    expect(await store.firstDelivery("telegram", "42")).toBe(false);
    expect(await store.firstDelivery("discord", "42")).toBe(true);
    const racing = await Promise.all([1, 2, 3].map(() => store.firstDelivery("telegram", "43")));
    expect(racing.filter(Boolean)).toHaveLength(1);
  });
});
