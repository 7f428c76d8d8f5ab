/**
 * The SQLite store (store.ts, synchronous, better-sqlite3) behind the async SubscriptionStore
 * interface. Each call runs at once; a transaction is BEGIN IMMEDIATE … COMMIT around async work,
 * and while it is open, calls from outside it wait for it to end (so they never join it by accident).
 */
import type { ChatRef, Platform, Reply } from "../bot/types.js";
import type { SnapshotFact } from "./diff.js";
import type { OutboxRow, Store } from "./store.js";
import type { Leadership, SubscriptionStore } from "./store-api.js";
import type { Topic } from "./topics.js";

/** One adapter per Store, so every caller shares one transaction gate. */
const adapters = new WeakMap<Store, SqliteSubscriptionStore>();

/** The async interface over a SQLite Store; an async store is returned as it is. */
export function asSubscriptionStore(store: Store | SubscriptionStore): SubscriptionStore {
  if ("kind" in store) return store;
  let adapter = adapters.get(store);
  if (!adapter) {
    adapter = new SqliteSubscriptionStore(store);
    adapters.set(store, adapter);
  }
  return adapter;
}

interface Gate {
  /** Resolves when the open transaction ends. */
  ended?: Promise<void>;
}

export class SqliteSubscriptionStore implements SubscriptionStore {
  readonly kind = "sqlite";

  constructor(
    readonly store: Store,
    private readonly gate: Gate = {},
    /** Set on the view handed to a transaction's work: it runs inside, so it never waits. */
    private readonly inside = false,
  ) {}

  get maxTopicsPerChat(): number {
    return this.store.maxTopicsPerChat;
  }

  /** Runs a call on the Store once no transaction from elsewhere is open. */
  private async run<T>(call: (store: Store) => T): Promise<T> {
    if (!this.inside) while (this.gate.ended) await this.gate.ended;
    return call(this.store);
  }

  async transaction<T>(work: (tx: SubscriptionStore) => Promise<T>): Promise<T> {
    if (this.inside) return work(this);
    while (this.gate.ended) await this.gate.ended;
    let end = () => {};
    this.gate.ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const { db } = this.store;
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(new SqliteSubscriptionStore(this.store, this.gate, true));
        db.exec("COMMIT");
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      this.gate.ended = undefined;
      end();
    }
  }

  /** One process holds DATA_DIR: it is every platform's one dispatcher. */
  leadership(): Leadership {
    return { held: true, exclusive: false, tryAcquire: async () => true, release: async () => {} };
  }

  /** BEGIN IMMEDIATE already keeps every other writer out until the commit. */
  async lockPublishing(): Promise<void> {}

  subscribe(chat: ChatRef, topic: Topic, by?: string) {
    return this.run((s) => s.subscribe(chat, topic, by));
  }
  unsubscribe(chat: Pick<ChatRef, "platform" | "id">, topic: Topic) {
    return this.run((s) => s.unsubscribe(chat, topic));
  }
  unsubscribeAll(chat: Pick<ChatRef, "platform" | "id">) {
    return this.run((s) => s.unsubscribeAll(chat));
  }
  topicsOf(platform: Platform, chatId: string) {
    return this.run((s) => s.topicsOf(platform, chatId));
  }
  chats() {
    return this.run((s) => s.chats());
  }
  subscribeMany(rows: readonly { chat: ChatRef; topic: Topic }[]) {
    return this.run((s) => s.subscribeMany(rows));
  }
  getMeta(key: string) {
    return this.run((s) => s.getMeta(key));
  }
  setMeta(key: string, value: string) {
    return this.run((s) => s.setMeta(key, value));
  }
  publishedVersion() {
    return this.run((s) => s.publishedVersion());
  }
  snapshot() {
    return this.run((s) => s.snapshot());
  }
  replaceSnapshot(version: string, facts: ReadonlyMap<string, SnapshotFact>) {
    return this.run((s) => s.replaceSnapshot(version, facts));
  }
  addChangeSet(from: string | undefined, to: string, summary: object) {
    return this.run((s) => s.addChangeSet(from, to, summary));
  }
  addDigest(changeSet: number | null, reply: Reply) {
    return this.run((s) => s.addDigest(changeSet, reply));
  }
  enqueue(platform: Platform, chatId: string, key: string, changeSet: number | null, digest: number) {
    return this.run((s) => s.enqueue(platform, chatId, key, changeSet, digest));
  }
  due(platform: Platform, now: number, limit: number, owner?: string) {
    return this.run((s) => s.due(platform, now, limit, owner));
  }
  claim(id: number, owner: string, now: number, leaseMs: number) {
    return this.run((s) => s.claim(id, owner, now, leaseMs));
  }
  releaseClaims(owner?: string, platform?: Platform) {
    return this.run((s) => s.releaseClaims(owner, platform));
  }
  nextDue(platform: Platform) {
    return this.run((s) => s.nextDue(platform));
  }
  digest(id: number) {
    return this.run((s) => s.digest(id));
  }
  markSent(id: number) {
    return this.run((s) => s.markSent(id));
  }
  markDead(id: number, reason: string, attempted?: boolean) {
    return this.run((s) => s.markDead(id, reason, attempted));
  }
  defer(
    row: Pick<OutboxRow, "id" | "platform" | "chatId">,
    until: number,
    reason: string,
    attempted: boolean,
  ) {
    return this.run((s) => s.defer(row, until, reason, attempted));
  }
  dropChat(platform: Platform, chatId: string, reason: string) {
    return this.run((s) => s.dropChat(platform, chatId, reason));
  }
  moveChat(platform: Platform, from: string, to: string) {
    return this.run((s) => s.moveChat(platform, from, to));
  }
  rememberAdminChat(platform: Platform, userId: string, chatId: string) {
    return this.run((s) => s.rememberAdminChat(platform, userId, chatId));
  }
  adminChat(platform: Platform, userId: string) {
    return this.run((s) => s.adminChat(platform, userId));
  }
  getChatSetting(platform: Platform, chatId: string, key: string) {
    return this.run((s) => s.chatSetting(platform, chatId, key));
  }
  setChatSetting(platform: Platform, chatId: string, key: string, value: string | undefined) {
    return this.run((s) => s.setChatSetting(platform, chatId, key, value));
  }
  firstDelivery(platform: Platform, updateId: string) {
    return this.run((s) => s.firstDelivery(platform, updateId));
  }
  pendingCount() {
    return this.run((s) => s.pendingCount());
  }
  stats() {
    return this.run((s) => s.stats());
  }
  prune(ms: number) {
    return this.run((s) => s.prune(ms));
  }
  explain(error: unknown): string {
    return this.store.explain(error);
  }
  async close(): Promise<void> {
    this.store.close();
  }
}
