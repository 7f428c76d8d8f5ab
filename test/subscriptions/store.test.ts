import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatRef, Reply } from "../../src/bot/types.js";
import { snapshotOf } from "../../src/subscriptions/diff.js";
import { MIGRATIONS, type Migration, migrate, openStore, type Store } from "../../src/subscriptions/store.js";
import { fixtureKb, tempDir } from "./support.js";

const reply: Reply = { tone: "info", title: "t", blocks: [], citations: [], actions: [] };
const dm = (id: string): ChatRef => ({ platform: "telegram", id, kind: "private" });
const group = (id: string): ChatRef => ({ platform: "telegram", id, kind: "group" });

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function memoryStore(options: Parameters<typeof openStore>[1] = {}): Store {
  const store = openStore(":memory:", options);
  cleanups.push(() => store.close());
  return store;
}

/** A digest queued for `chat` under change set `cs`. */
function queue(store: Store, chatId: string, cs: string, platform: "telegram" | "discord" = "telegram") {
  const set = store.addChangeSet(undefined, cs, {});
  return store.enqueue(platform, chatId, `cs:${cs}`, set, store.addDigest(set, reply));
}

describe("migrations", () => {
  it("creates the schema once, in WAL mode, and reopens without migrating again", () => {
    const data = tempDir();
    cleanups.push(data.remove);
    const first = openStore(data.dir);
    expect(first.db.pragma("journal_mode", { simple: true })).toBe("wal");
    first.subscribe(dm("1"), "all");
    first.close();
    const again = openStore(data.dir);
    cleanups.push(() => again.close());
    expect(again.topicsOf("telegram", "1")).toEqual(["all"]);
    const applied = again.db.prepare("SELECT version, name FROM schema_migrations").all();
    expect(applied).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it("applies only the migrations a database has not seen, in order", () => {
    const db = new Database(":memory:");
    cleanups.push(() => db.close());
    const log: number[] = [];
    const step = (version: number): Migration => ({
      version,
      name: `step ${version}`,
      up: (d) => {
        log.push(version);
        d.exec(`CREATE TABLE t${version} (x)`);
      },
    });
    expect(migrate(db, [step(1)])).toBe(1);
    expect(migrate(db, [step(2), step(1), step(3)])).toBe(3);
    expect(log).toEqual([1, 2, 3]);
  });

  it("rolls back a migration that fails, and keeps the ones before it", () => {
    const db = new Database(":memory:");
    cleanups.push(() => db.close());
    const broken: Migration = {
      version: 2,
      name: "broken",
      up: (d) => {
        d.exec("CREATE TABLE half (x)");
        throw new Error("disk on fire");
      },
    };
    const ok: Migration = { version: 1, name: "ok", up: (d) => d.exec("CREATE TABLE whole (x)") };
    expect(() => migrate(db, [ok, broken])).toThrow("disk on fire");
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    expect(tables).toContain("whole");
    expect(tables).not.toContain("half");
    expect(db.prepare("SELECT max(version) AS v FROM schema_migrations").get()).toEqual({ v: 1 });
  });

  it("refuses a database from a newer version of the bot", () => {
    const db = new Database(":memory:");
    cleanups.push(() => db.close());
    migrate(db);
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', 0)").run();
    expect(() => migrate(db)).toThrow(
      new RegExp(`schema version 99, newer than this code knows \\(${MIGRATIONS.length}\\)`),
    );
  });
});

describe("subscriptions", () => {
  it("are unique per platform, chat and topic", () => {
    const store = memoryStore();
    expect(store.subscribe(dm("1"), "entity:acme")).toBe("added");
    expect(store.subscribe(dm("1"), "entity:acme")).toBe("exists");
    expect(store.subscribe({ ...dm("1"), platform: "discord" }, "entity:acme")).toBe("added");
    expect(store.subscribe(dm("1"), "deal:acme-streamco")).toBe("added");
    expect(store.topicsOf("telegram", "1").sort()).toEqual(["deal:acme-streamco", "entity:acme"]);
    expect(store.chats().map((c) => ({ ...c, topics: [...c.topics].sort() }))).toEqual([
      { platform: "discord", chatId: "1", topics: ["entity:acme"] },
      { platform: "telegram", chatId: "1", topics: ["deal:acme-streamco", "entity:acme"] },
    ]);
    expect(store.unsubscribe(dm("1"), "entity:acme")).toBe(true);
    expect(store.unsubscribe(dm("1"), "entity:acme")).toBe(false);
    expect(store.unsubscribeAll(dm("1"))).toBe(1);
    expect(store.topicsOf("telegram", "1")).toEqual([]);
  });

  it("are limited per chat", () => {
    const store = memoryStore({ maxTopicsPerChat: 2 });
    store.subscribe(dm("1"), "all");
    store.subscribe(dm("1"), "entity:a");
    expect(store.subscribe(dm("1"), "entity:b")).toBe("limit");
  });
});

describe("snapshot", () => {
  it("round-trips the published facts and version", () => {
    const store = memoryStore();
    const kb = fixtureKb();
    expect(store.publishedVersion()).toBeUndefined();
    const snapshot = snapshotOf(kb);
    store.transaction(() => store.replaceSnapshot(kb.version, snapshot));
    expect(store.publishedVersion()).toBe(kb.version);
    expect(store.snapshot()).toEqual(snapshot);
  });
});

describe("outbox", () => {
  it("queues a digest once per chat and key", () => {
    const store = memoryStore();
    const set = store.addChangeSet("a", "b", {});
    const digest = store.addDigest(set, reply);
    expect(store.enqueue("telegram", "1", `cs:${set}`, set, digest)).toBe(true);
    expect(store.enqueue("telegram", "1", `cs:${set}`, set, digest)).toBe(false);
    expect(store.enqueue("discord", "1", `cs:${set}`, set, digest)).toBe(true);
    expect(store.due("telegram", Date.now(), 10)).toHaveLength(1);
    expect(store.digest(digest)).toEqual(reply);
  });

  it("offers each chat's oldest pending row only, and forgets sent ones", () => {
    const store = memoryStore();
    queue(store, "1", "v1");
    queue(store, "2", "v1");
    queue(store, "1", "v2");
    const due = store.due("telegram", Date.now(), 10);
    expect(due.map((r) => [r.chatId, r.key])).toEqual([
      ["1", "cs:v1"],
      ["2", "cs:v1"],
    ]);
    store.markSent(due[0]?.id ?? 0);
    expect(store.due("telegram", Date.now(), 10).map((r) => [r.chatId, r.key])).toEqual([
      ["2", "cs:v1"],
      ["1", "cs:v2"],
    ]);
    expect(store.stats().outbox).toEqual({ pending: 2, sent: 1, dead: 0 });
    expect(store.pendingCount()).toBe(2);
  });

  it("defers a row together with the chat's later rows", () => {
    const now = 1_000_000;
    const store = memoryStore({ now: () => now });
    queue(store, "1", "v1");
    queue(store, "1", "v2");
    queue(store, "2", "v2");
    const [first] = store.due("telegram", now, 10);
    if (!first) throw new Error("no row");
    store.defer(first, now + 5_000, "502", true);
    expect(store.due("telegram", now, 10).map((r) => r.chatId)).toEqual(["2"]);
    expect(store.nextDue("telegram")).toBe(0); // chat 2's row was due all along
    expect(store.due("telegram", now + 5_000, 10).map((r) => [r.chatId, r.attempts])).toEqual([
      ["1", 1],
      ["2", 0],
    ]);
  });

  it("lets one owner at a time claim a row, until its lease runs out or it is released", () => {
    const now = 1_000_000;
    const store = memoryStore({ now: () => now });
    queue(store, "1", "v1");
    queue(store, "1", "v2");
    const [row] = store.due("telegram", now, 10, "a");
    if (!row) throw new Error("no row");
    expect(store.claim(row.id, "a", now, 60_000)).toBe(true);
    expect(store.claim(row.id, "b", now, 60_000)).toBe(false);
    // Neither the claimed row nor, behind it, the chat's next one is due for anyone else.
    expect(store.due("telegram", now, 10, "b")).toEqual([]);
    expect(store.due("telegram", now, 10, "a").map((r) => r.id)).toEqual([row.id]);
    expect(store.claim(row.id, "b", now + 60_000, 60_000)).toBe(true); // a's lease ran out
    expect(store.releaseClaims("a")).toBe(0);
    expect(store.releaseClaims("b")).toBe(1);
    store.markSent(row.id);
    expect(store.claim(row.id, "a", now, 60_000)).toBe(false); // sent: nobody's to send
  });

  it("drops a chat that is gone: its subscriptions and its pending rows", () => {
    const store = memoryStore();
    store.subscribe(dm("1"), "all");
    store.subscribe(dm("2"), "all");
    queue(store, "1", "v1");
    queue(store, "1", "v2");
    expect(store.dropChat("telegram", "1", "blocked")).toEqual({ subscriptions: 1, pending: 2 });
    expect(store.chats().map((c) => c.chatId)).toEqual(["2"]);
    expect(store.stats().outbox.dead).toBe(2);
  });

  it("moves a chat's subscriptions and pending rows to its new id, without duplicates", () => {
    const store = memoryStore();
    store.subscribe(group("-1"), "all");
    store.subscribe(group("-1"), "entity:acme");
    store.subscribe(group("-100"), "all");
    const set = store.addChangeSet(undefined, "v", {});
    const digest = store.addDigest(set, reply);
    store.enqueue("telegram", "-1", `cs:${set}`, set, digest);
    store.enqueue("telegram", "-1", "notice:x", null, digest);
    store.enqueue("telegram", "-100", "notice:x", null, digest);
    store.moveChat("telegram", "-1", "-100");
    expect(store.topicsOf("telegram", "-1")).toEqual([]);
    expect(store.topicsOf("telegram", "-100").sort()).toEqual(["all", "entity:acme"]);
    const pending = store.due("telegram", Date.now(), 10).map((r) => [r.chatId, r.key]);
    expect(pending).toEqual([["-100", `cs:${set}`]]);
    expect(store.stats().outbox).toEqual({ pending: 2, sent: 0, dead: 1 });
  });

  it("prunes old sent rows and digests no row needs", () => {
    let now = 0;
    const store = memoryStore({ now: () => now });
    queue(store, "1", "v1");
    const [row] = store.due("telegram", 0, 1);
    store.markSent(row?.id ?? 0);
    now = 10_000;
    queue(store, "2", "v2");
    expect(store.prune(5_000)).toBe(1);
    expect(store.stats().outbox).toEqual({ pending: 1, sent: 0, dead: 0 });
    expect(store.digest(row?.id ?? 0)).toBeUndefined();
  });
});
