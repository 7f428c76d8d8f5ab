import { afterEach, describe, expect, it } from "vitest";
import type { ChatRef, Platform } from "../../src/bot/types.js";
import { loadKnowledgeDir } from "../../src/knowledge/load.js";
import { Publisher } from "../../src/subscriptions/publisher.js";
import { openStore, type Store } from "../../src/subscriptions/store.js";
import { heldKnowledgeCopy, NEW_FACT, replyText } from "./support.js";

const chat = (platform: Platform, id: string): ChatRef => ({ platform, id, kind: "private" });
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function setup(admins: string[] = []) {
  const { kb, holder } = await heldKnowledgeCopy(cleanups);
  const store = openStore(":memory:");
  cleanups.push(() => store.close());
  const queued: Platform[][] = [];
  const publisher = new Publisher({
    store,
    holder,
    knowledgeDir: kb.dir,
    admins: new Set(admins),
    onQueued: (platforms) => queued.push([...platforms].sort()),
  });
  return { kb, holder, store, publisher, queued, first: holder.current.kb };
}

function outbox(store: Store) {
  return store.db
    .prepare("SELECT platform, chat_id AS chat, key, state FROM outbox ORDER BY platform, chat_id")
    .all() as { platform: string; chat: string; key: string; state: string }[];
}

describe("Publisher", () => {
  it("publishes the first version silently", async () => {
    const { store, publisher, first } = await setup();
    store.subscribe(chat("telegram", "1"), "all");
    expect(await publisher.publish(first)).toEqual({ status: "first", version: first.version });
    expect(store.publishedVersion()).toBe(first.version);
    expect(outbox(store)).toEqual([]);
    expect((await publisher.publish(first)).status).toBe("unchanged");
  });

  it("swaps in a valid edit and queues one digest per interested chat, with the snapshot, at once", async () => {
    const { kb, holder, store, publisher, queued, first } = await setup();
    await publisher.publish(first);
    store.subscribe(chat("telegram", "1"), "entity:streamco");
    store.subscribe(chat("telegram", "1"), "entity:acme"); // two matching topics: still one digest
    store.subscribe(chat("telegram", "2"), "deal:acme-breach");
    store.subscribe(chat("discord", "3"), "all");
    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });

    const result = await publisher.reload("test");
    expect(result).toMatchObject({
      status: "published",
      from: first.version,
      counts: { added: 1, changed: 0, retracted: 0 },
      notifications: 2,
    });
    expect(holder.current.kb.facts.has("as-settlement")).toBe(true);
    const answer = holder.current.engine.answer("did streamco and acme settle the case?").answer;
    expect(answer.facts.map((f) => f.id)).toContain("as-settlement");
    expect(store.publishedVersion()).toBe(holder.current.kb.version);
    expect(store.snapshot().has("as-settlement")).toBe(true);
    expect(outbox(store)).toEqual([
      { platform: "discord", chat: "3", key: "cs:1", state: "pending" },
      { platform: "telegram", chat: "1", key: "cs:1", state: "pending" },
    ]);
    expect(queued).toEqual([["discord", "telegram"]]);
    const [row] = store.due("telegram", Date.now(), 1);
    const digest = replyText(
      store.digest(row?.digest ?? 0) ?? { tone: "info", blocks: [], citations: [], actions: [] },
    );
    expect(digest).toMatch(/1 new fact about (StreamCo and Acme Social|Acme Social and StreamCo)\./);

    expect((await publisher.reload("again")).status).toBe("unchanged");
    expect(outbox(store)).toHaveLength(2);
  });

  it("writes each chat's digest in its language: the chosen one, else the one it subscribed in", async () => {
    const { kb, store, publisher, first } = await setup();
    publisher.publish(first);
    for (const id of ["en", "de", "fr", "it-chosen"]) store.subscribe(chat("telegram", id), "all");
    store.setChatSetting("telegram", "de", "language", "de");
    store.setChatSetting("telegram", "fr", "subscribed-language", "fr");
    // A chosen language wins over the one the chat subscribed in.
    store.setChatSetting("telegram", "it-chosen", "subscribed-language", "es");
    store.setChatSetting("telegram", "it-chosen", "language", "it");
    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });

    expect(await publisher.reload("test")).toMatchObject({ status: "published", notifications: 4 });
    const digestOf = (id: string) => {
      const row = store.due("telegram", Date.now(), 10).find((r) => r.chatId === id);
      const reply = store.digest(row?.digest ?? 0);
      if (!reply) throw new Error(`no digest for ${id}`);
      return { reply, text: replyText(reply) };
    };
    expect(digestOf("en").reply.title).toBe("Receipts update");
    expect(digestOf("en").text).toContain("1 new fact.");
    expect(digestOf("de").reply).toMatchObject({ language: "de", title: "Receipts-Update" });
    expect(digestOf("de").text).toContain("1 neuer Fakt.");
    expect(digestOf("de").reply.footer).toContain("Die Fakten sind auf Englisch zitiert");
    expect(digestOf("fr").reply.title).toBe("Nouvelles de Receipts");
    expect(digestOf("it-chosen").reply.title).toBe("Aggiornamento di Receipts");
    // The facts themselves stay in English.
    expect(digestOf("de").text).toContain("StreamCo and Acme settled the case in 2025");
    // One digest per view of the change set: four languages, four digests.
    expect(store.db.prepare("SELECT count(*) AS n FROM digests").get()).toEqual({ n: 4 });
  });

  it("refuses an invalid edit: the old knowledge keeps answering and admins are told once", async () => {
    const { kb, holder, store, publisher, first } = await setup(["telegram:42", "discord:7"]);
    await publisher.publish(first);
    kb.edit({ "deals/acme-streamco.yaml": ["    sources: [news-report]\n", "    soruces: [news-report]\n"] });

    const result = await publisher.reload("test");
    expect(result).toMatchObject({ status: "refused", serving: first.version });
    if (result.status !== "refused") throw new Error("not refused");
    expect(result.errors.map((p) => p.message)).toContain('unknown key "soruces" (did you mean "sources"?)');
    expect(holder.current.kb.version).toBe(first.version);
    expect(store.publishedVersion()).toBe(first.version);
    // The Discord admin has not used an admin command in a DM yet, so only Telegram's can be told.
    expect(outbox(store)).toEqual([
      { platform: "telegram", chat: "42", key: expect.stringMatching(/^notice:/), state: "pending" },
    ]);
    const [row] = store.due("telegram", Date.now(), 1);
    const notice = replyText(
      store.digest(row?.digest ?? 0) ?? { tone: "info", blocks: [], citations: [], actions: [] },
    );
    expect(notice).toContain("Knowledge base refused");
    expect(notice).toContain('knowledge/deals/acme-streamco.yaml:20:5: unknown key "soruces"');

    await publisher.reload("same problem again");
    expect(outbox(store)).toHaveLength(1);
    store.rememberAdminChat("discord", "7", "dm-7");
    kb.edit({ "deals/acme-breach.yaml": ["status: ruled", "status: decided"] });
    await publisher.reload("a new problem");
    expect(outbox(store).map((r) => r.chat)).toEqual(["dm-7", "42", "42"]);
  });

  it("writes the digests and advances the snapshot all or nothing", async () => {
    const { kb, store, publisher, first } = await setup();
    await publisher.publish(first);
    for (const id of ["1", "2", "3"]) store.subscribe(chat("telegram", id), "all");
    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    const loaded = await loadKnowledgeDir(kb.dir);
    if (!loaded.ok) throw new Error("edit does not load");

    // The process "dies" after the second digest is written: nothing of the change set survives.
    const enqueue = store.enqueue.bind(store);
    let calls = 0;
    store.enqueue = (...args) => {
      if (++calls === 3) throw new Error("killed");
      return enqueue(...args);
    };
    await expect(publisher.publish(loaded.kb)).rejects.toThrow("killed");
    expect(store.publishedVersion()).toBe(first.version);
    expect(outbox(store)).toEqual([]);
    expect(store.stats().changeSets).toBe(0);

    // The next start diffs again, to the same digests.
    store.enqueue = enqueue;
    expect(await publisher.publish(loaded.kb)).toMatchObject({ status: "published", notifications: 3 });
    expect(outbox(store).map((r) => r.chat)).toEqual(["1", "2", "3"]);
    expect(store.publishedVersion()).toBe(loaded.kb.version);
  });

  it("runs reloads one at a time", async () => {
    const { kb, publisher, first } = await setup();
    await publisher.publish(first);
    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    const results = await Promise.all([publisher.reload("one"), publisher.reload("two")]);
    expect(results.map((r) => r.status)).toEqual(["published", "unchanged"]);
    expect(publisher.last?.trigger).toBe("two");
  });
});
