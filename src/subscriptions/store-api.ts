/**
 * The store as the bot uses it: every method returns a Promise, so one interface has two
 * implementations, SQLite in DATA_DIR (sqlite-store.ts, the default, one process) and PostgreSQL
 * (pg-store.ts, selected by DATABASE_URL, several instances on one database). Each method means
 * the same on both; the store tests run against both (test/subscriptions/store-api.test.ts).
 */
import type { ChatRef, Platform, Reply } from "../bot/types.js";
import type { SnapshotFact } from "./diff.js";
import type { ChatSubscriptions, OutboxRow, StoreStats } from "./store.js";
import type { Topic } from "./topics.js";

/** What the notification dispatcher needs: the outbox (see OutboxStore in store.ts for the claims). */
export interface AsyncOutboxStore {
  /** Each chat's oldest pending row, oldest first, left out while another owner's claim holds. */
  due(platform: Platform, now: number, limit: number, owner?: string): Promise<OutboxRow[]>;
  /** Claims a due row for `owner` until `now + leaseMs`; false when it is not ours to send. */
  claim(id: number, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Lets go of the claims on pending rows: `owner`'s, or everyone's; of one platform's rows when given. */
  releaseClaims(owner?: string, platform?: Platform): Promise<number>;
  nextDue(platform: Platform): Promise<number | undefined>;
  digest(id: number): Promise<Reply | undefined>;
  markSent(id: number): Promise<void>;
  markDead(id: number, reason: string, attempted?: boolean): Promise<void>;
  defer(
    row: Pick<OutboxRow, "id" | "platform" | "chatId">,
    until: number,
    reason: string,
    attempted: boolean,
  ): Promise<void>;
  dropChat(
    platform: Platform,
    chatId: string,
    reason: string,
  ): Promise<{ subscriptions: number; pending: number }>;
  moveChat(platform: Platform, from: string, to: string): Promise<void>;
  /** Runs `work` in one transaction, with a store bound to it: all of its writes happen, or none. */
  transaction<T>(work: (tx: SubscriptionStore) => Promise<T>): Promise<T>;
  /** A failed call's error in an operator's words: which database, and what to do about it. */
  explain(error: unknown): string;
  /**
   * The right to be the one active dispatcher of `name` across every instance on this database.
   * SQLite: always granted (DATA_DIR's lock already allows one process). PostgreSQL: an advisory lock
   * held by a connection of its own, so it goes when the process dies.
   */
  leadership(name: string): Leadership;
}

export interface Leadership {
  /** True once this process holds it (at once if it already does); false while another does. */
  tryAcquire(): Promise<boolean>;
  /** Whether it is still held (false after the lock's connection was lost). */
  readonly held: boolean;
  /**
   * Whether holding it means no other dispatcher of this name runs (PostgreSQL): then the claims
   * left on the platform's rows are a dead holder's. False on SQLite, where it is always granted.
   */
  readonly exclusive: boolean;
  release(): Promise<void>;
}

export interface SubscriptionStore extends AsyncOutboxStore {
  readonly kind: "sqlite" | "postgres";
  readonly maxTopicsPerChat: number;
  subscribe(chat: ChatRef, topic: Topic, by?: string): Promise<"added" | "exists" | "limit">;
  unsubscribe(chat: Pick<ChatRef, "platform" | "id">, topic: Topic): Promise<boolean>;
  unsubscribeAll(chat: Pick<ChatRef, "platform" | "id">): Promise<number>;
  topicsOf(platform: Platform, chatId: string): Promise<Topic[]>;
  chats(): Promise<ChatSubscriptions[]>;
  subscribeMany(rows: readonly { chat: ChatRef; topic: Topic }[]): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  publishedVersion(): Promise<string | undefined>;
  snapshot(): Promise<Map<string, SnapshotFact>>;
  /** Replaces the snapshot and the published version. Call inside `transaction`. */
  replaceSnapshot(version: string, facts: ReadonlyMap<string, SnapshotFact>): Promise<void>;
  /**
   * Inside `transaction`: waits until no other instance is publishing, so that two instances
   * reloading at once publish a version once (the second then finds it published).
   */
  lockPublishing(): Promise<void>;
  addChangeSet(from: string | undefined, to: string, summary: object): Promise<number>;
  addDigest(changeSet: number | null, reply: Reply): Promise<number>;
  enqueue(
    platform: Platform,
    chatId: string,
    key: string,
    changeSet: number | null,
    digest: number,
  ): Promise<boolean>;
  rememberAdminChat(platform: Platform, userId: string, chatId: string): Promise<void>;
  adminChat(platform: Platform, userId: string): Promise<string | undefined>;
  /** A per-chat setting (the chat's /language, …); undefined when never set. */
  getChatSetting(platform: Platform, chatId: string, key: string): Promise<string | undefined>;
  /** Sets a per-chat setting; undefined removes it. */
  setChatSetting(platform: Platform, chatId: string, key: string, value: string | undefined): Promise<void>;
  /**
   * Remembers an incoming update id (a Telegram webhook update): true the first time, false when it
   * was seen already (a platform's retry), so it is answered once. Ids older than a day are forgotten.
   */
  firstDelivery(platform: Platform, updateId: string): Promise<boolean>;
  pendingCount(): Promise<number>;
  stats(): Promise<StoreStats>;
  /** Forgets sent and dead rows older than `ms`, digests no row uses, and old update ids. */
  prune(ms: number): Promise<number>;
  close(): Promise<void>;
}
