/**
 * The subscription store: SQLite through better-sqlite3, in WAL mode, one file in DATA_DIR.
 *
 * Tables: subscriptions (unique per platform, chat and topic); the snapshot of the last published
 * knowledge base (fact id → content hash and what a digest needs to announce it); change sets;
 * digests (a rendered Reply, shared by every chat with the same view of a change set); and the
 * outbox, one row per chat per change set (unique per platform, chat and key), pending → sent or dead.
 * A pending row is sent only by the owner that claimed it (see OutboxStore.claim).
 *
 * Every write that must stay consistent with another happens in one transaction: the snapshot
 * advances in the same transaction that writes the outbox rows it implies (see publisher.ts).
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { ChatRef, Platform, Reply } from "../bot/types.js";
import { LOOP_LANGUAGE_MIGRATION, LOOP_MIGRATIONS } from "../loop/schema.js";
import type { SnapshotFact } from "./diff.js";
import { isTopic, type Topic } from "./topics.js";

export type Db = Database.Database;

/** One schema step. `up` runs inside a transaction together with the bookkeeping row. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Db) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "subscriptions, snapshot, outbox",
    up: (db) =>
      db.exec(`
        CREATE TABLE subscriptions (
          platform   TEXT    NOT NULL,
          chat_id    TEXT    NOT NULL,
          chat_kind  TEXT    NOT NULL CHECK (chat_kind IN ('private', 'group')),
          topic      TEXT    NOT NULL,
          created_by TEXT,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (platform, chat_id, topic)
        ) WITHOUT ROWID;

        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

        CREATE TABLE snapshot (
          fact_id TEXT PRIMARY KEY,
          hash    TEXT NOT NULL,
          record  TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE change_sets (
          id           INTEGER PRIMARY KEY AUTOINCREMENT,
          from_version TEXT,
          to_version   TEXT    NOT NULL,
          summary      TEXT    NOT NULL,
          created_at   INTEGER NOT NULL
        );

        CREATE TABLE digests (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          change_set INTEGER REFERENCES change_sets (id),
          reply      TEXT    NOT NULL
        );

        CREATE TABLE outbox (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          platform   TEXT    NOT NULL,
          chat_id    TEXT    NOT NULL,
          -- 'cs:<change set id>' for a digest, 'notice:<fingerprint>' for an admin notice.
          key        TEXT    NOT NULL,
          change_set INTEGER REFERENCES change_sets (id),
          digest     INTEGER NOT NULL REFERENCES digests (id),
          state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
          attempts   INTEGER NOT NULL DEFAULT 0,
          not_before INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          sent_at    INTEGER,
          last_error TEXT,
          UNIQUE (platform, chat_id, key)
        );
        CREATE INDEX outbox_pending ON outbox (platform, id) WHERE state = 'pending';
        CREATE INDEX outbox_next ON outbox (platform, not_before) WHERE state = 'pending';
        CREATE INDEX outbox_chat ON outbox (platform, chat_id, id) WHERE state = 'pending';

        -- Where an admin can be told things: their DM with the bot, learnt when they use an admin command there.
        CREATE TABLE admin_chats (
          platform TEXT NOT NULL,
          user_id  TEXT NOT NULL,
          chat_id  TEXT NOT NULL,
          PRIMARY KEY (platform, user_id)
        ) WITHOUT ROWID;
      `),
  },
  {
    version: 2,
    name: "outbox claims",
    // Who is sending a row, and until when that claim holds.
    up: (db) =>
      db.exec(`
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        ALTER TABLE outbox ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
      `),
  },
  // The feedback loop's tables (src/loop/schema.ts).
  ...LOOP_MIGRATIONS,
  {
    version: 4,
    name: "chat settings",
    // Per-chat settings by key (the reply language), apart from subscriptions: a chat may set its
    // language without following anything.
    up: (db) =>
      db.exec(`
        CREATE TABLE chat_settings (
          platform   TEXT    NOT NULL,
          chat_id    TEXT    NOT NULL,
          key        TEXT    NOT NULL,
          value      TEXT    NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (platform, chat_id, key)
        ) WITHOUT ROWID;
      `),
  },
  {
    version: 5,
    name: "seen updates",
    // The update ids already answered (a webhook retry is answered once).
    up: (db) =>
      db.exec(`
        CREATE TABLE seen_updates (
          platform  TEXT    NOT NULL,
          update_id TEXT    NOT NULL,
          seen_at   INTEGER NOT NULL,
          PRIMARY KEY (platform, update_id)
        ) WITHOUT ROWID;
      `),
  },
  LOOP_LANGUAGE_MIGRATION,
];

export class StoreError extends Error {
  constructor(message: string) {
    super(`receipts store: ${message}`);
    this.name = "StoreError";
  }
}

/**
 * Applies the migrations the database has not seen, each in its own transaction. Refuses a database
 * written by a newer version of the bot rather than guess at its schema.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const current =
    (db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as { v: number | null }).v ?? 0;
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (current > known) {
    throw new StoreError(
      `the database is at schema version ${current}, newer than this code knows (${known})`,
    );
  }
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      record.run(migration.version, migration.name, Date.now());
    })();
  }
  return Math.max(current, known);
}

export type OutboxState = "pending" | "sent" | "dead";

export interface OutboxRow {
  readonly id: number;
  readonly platform: Platform;
  readonly chatId: string;
  readonly key: string;
  readonly changeSet: number | null;
  readonly attempts: number;
  readonly digest: number;
}

/**
 * What the notification dispatcher needs from a store: the outbox, and nothing else. Kept apart so
 * that another database can serve it with the same meaning (see the methods' comments).
 *
 * Claims: a row is sent only by the owner (one dispatcher) that claimed it, and a claim holds until
 * its lease ends, so two writers on one database never both send a row. A lease must outlast any
 * one send; the claims of a process that died are released by the next one to take the data
 * folder's lock (`releaseClaims`), or else run out with their lease.
 */
export interface OutboxStore {
  /**
   * Rows of `platform` that may be sent at `now`: each chat's oldest pending row, oldest first, left
   * out while another owner's claim on it holds (and with it the chat's later rows).
   */
  due(platform: Platform, now: number, limit: number, owner?: string): OutboxRow[];
  /**
   * Claims a due row for `owner` until `now + leaseMs`. False when the row is no longer pending or
   * another owner's claim on it holds: then it is not ours to send. Atomic (one conditional update).
   */
  claim(id: number, owner: string, now: number, leaseMs: number): boolean;
  /** Lets go of the claims on pending rows: `owner`'s, or everyone's (only for the lock's holder); of one platform's rows when given. */
  releaseClaims(owner?: string, platform?: Platform): number;
  /** When the earliest pending row of a platform becomes due; undefined when none is pending. */
  nextDue(platform: Platform): number | undefined;
  /** A digest's reply; undefined when it was pruned. */
  digest(id: number): Reply | undefined;
  markSent(id: number): void;
  markDead(id: number, reason: string, attempted?: boolean): void;
  /** Tries the row again at `until`, with the chat's later rows behind it. */
  defer(
    row: Pick<OutboxRow, "id" | "platform" | "chatId">,
    until: number,
    reason: string,
    attempted: boolean,
  ): void;
  /** The chat is gone: its subscriptions go, its pending rows die. */
  dropChat(platform: Platform, chatId: string, reason: string): { subscriptions: number; pending: number };
  /** The chat has a new id: subscriptions and pending rows follow it. */
  moveChat(platform: Platform, from: string, to: string): void;
  /** Runs `work` in one transaction: all of its writes happen, or none. */
  transaction<T>(work: () => T): T;
  /** A failed call's error in an operator's words: which database, and what to do about it. */
  explain(error: unknown): string;
}

export interface ChatSubscriptions {
  readonly platform: Platform;
  readonly chatId: string;
  readonly topics: readonly Topic[];
}

/** The setting a chat's digests are written in: its chosen language, else the one it subscribed in. */
export const DIGEST_LANGUAGE_KEYS = ["language", "subscribed-language"] as const;

export interface StoreStats {
  readonly chats: number;
  readonly subscriptions: number;
  readonly byPlatform: Readonly<Record<string, { chats: number; subscriptions: number }>>;
  readonly outbox: Readonly<Record<OutboxState, number>>;
  readonly pendingByPlatform: Readonly<Record<string, number>>;
  readonly publishedVersion: string | undefined;
  readonly changeSets: number;
}

export interface StoreOptions {
  /** Most topics one chat may follow. Default 50. */
  readonly maxTopicsPerChat?: number;
  readonly now?: () => number;
  /** Told when opening had to tighten who may read the data folder or the database. */
  readonly onWarning?: (message: string) => void;
}

export const DB_FILE = "receipts.sqlite";

/** How long an update id is remembered: a platform retries an update for minutes, not days. */
export const SEEN_UPDATES_MS = 24 * 3600_000;

/**
 * Opens (creating if needed) `<dataDir>/receipts.sqlite`; ":memory:" for tests. It holds chat and
 * user ids, so the folder is the bot's user's alone (0700) and the database too (0600; SQLite gives
 * its -wal and -shm files the same mode). A failure says which file and what to do (StoreError).
 */
export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  if (dataDir === ":memory:") return new Store(new Database(":memory:"), options);
  const file = path.join(dataDir, DB_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    keepPrivate(dataDir, 0o700, options.onWarning);
    try {
      closeSync(openSync(file, "wx", 0o600));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    for (const own of [file, `${file}-wal`, `${file}-shm`]) keepPrivate(own, 0o600, options.onWarning);
    return new Store(new Database(file), options);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(explainStoreError(error, file));
  }
}

/** Takes group and other access away from `file` (when it exists), saying so. */
function keepPrivate(file: string, mode: number, warn: ((message: string) => void) | undefined): void {
  const current = statSync(file, { throwIfNoEntry: false });
  if (!current || (current.mode & 0o077) === 0) return;
  const was = `0${(current.mode & 0o777).toString(8)}`;
  try {
    chmodSync(file, mode);
    warn?.(`${file} was open to other users (${was}); now 0${mode.toString(8)}`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    warn?.(
      `${file} is open to other users (${was}) and could not be tightened (${code}): chmod ${mode.toString(8)} it`,
    );
  }
}

export class Store implements OutboxStore {
  readonly maxTopicsPerChat: number;
  private readonly now: () => number;
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    readonly db: Db,
    options: StoreOptions = {},
  ) {
    this.maxTopicsPerChat = options.maxTopicsPerChat ?? 50;
    this.now = options.now ?? Date.now;
    db.pragma("journal_mode = WAL");
    // FULL: a commit survives a power cut, not only a crash; at notification rates the fsync is cheap.
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    migrate(db);
    this.sql = statements(db);
  }

  // ---- subscriptions

  /** Adds a topic to a chat. "limit" when the chat already follows as many topics as it may. */
  subscribe(chat: ChatRef, topic: Topic, by?: string): "added" | "exists" | "limit" {
    return this.db.transaction(() => {
      const topics = this.topicsOf(chat.platform, chat.id);
      if (topics.includes(topic)) return "exists";
      if (topics.length >= this.maxTopicsPerChat) return "limit";
      this.sql.subscribe.run(chat.platform, chat.id, chat.kind, topic, by ?? null, this.now());
      return "added";
    })();
  }

  unsubscribe(chat: Pick<ChatRef, "platform" | "id">, topic: Topic): boolean {
    return this.sql.unsubscribe.run(chat.platform, chat.id, topic).changes > 0;
  }

  unsubscribeAll(chat: Pick<ChatRef, "platform" | "id">): number {
    return this.sql.unsubscribeAll.run(chat.platform, chat.id).changes;
  }

  topicsOf(platform: Platform, chatId: string): Topic[] {
    return (this.sql.topicsOf.all(platform, chatId) as { topic: string }[])
      .map((r) => r.topic)
      .filter(isTopic);
  }

  /** Every subscribed chat with its topics. */
  chats(): ChatSubscriptions[] {
    const out: ChatSubscriptions[] = [];
    let last: { platform: Platform; chatId: string; topics: Topic[] } | undefined;
    for (const row of this.sql.allSubscriptions.iterate() as Iterable<{
      platform: Platform;
      chat_id: string;
      topic: string;
    }>) {
      if (!last || last.platform !== row.platform || last.chatId !== row.chat_id) {
        last = { platform: row.platform, chatId: row.chat_id, topics: [] };
        out.push(last);
      }
      if (isTopic(row.topic)) last.topics.push(row.topic);
    }
    return out;
  }

  /** Many subscriptions at once, in one transaction (benchmarks, imports). */
  subscribeMany(rows: readonly { chat: ChatRef; topic: Topic }[]): void {
    this.db.transaction(() => {
      for (const { chat, topic } of rows)
        this.sql.subscribe.run(chat.platform, chat.id, chat.kind, topic, null, this.now());
    })();
  }

  // ---- snapshot and change sets

  getMeta(key: string): string | undefined {
    return (this.sql.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql.setMeta.run(key, value);
  }

  /** The knowledge-base version last published; undefined before the first start. */
  publishedVersion(): string | undefined {
    return this.getMeta("published_version");
  }

  snapshot(): Map<string, SnapshotFact> {
    const out = new Map<string, SnapshotFact>();
    for (const row of this.sql.snapshot.iterate() as Iterable<{
      fact_id: string;
      hash: string;
      record: string;
    }>) {
      out.set(row.fact_id, { ...(JSON.parse(row.record) as Omit<SnapshotFact, "hash">), hash: row.hash });
    }
    return out;
  }

  /** Replaces the snapshot and the published version. Call inside `transaction`. */
  replaceSnapshot(version: string, facts: ReadonlyMap<string, SnapshotFact>): void {
    this.sql.clearSnapshot.run();
    const insert = this.sql.snapshotFact;
    for (const [id, { hash, ...record }] of facts) insert.run(id, hash, JSON.stringify(record));
    this.setMeta("published_version", version);
  }

  addChangeSet(from: string | undefined, to: string, summary: object): number {
    return Number(
      this.sql.changeSet.run(from ?? null, to, JSON.stringify(summary), this.now()).lastInsertRowid,
    );
  }

  addDigest(changeSet: number | null, reply: Reply): number {
    return Number(this.sql.digest.run(changeSet, JSON.stringify(reply)).lastInsertRowid);
  }

  /** Queues a digest for a chat; false when that chat already has a row with this key (never twice). */
  enqueue(
    platform: Platform,
    chatId: string,
    key: string,
    changeSet: number | null,
    digest: number,
  ): boolean {
    return this.sql.enqueue.run(platform, chatId, key, changeSet, digest, this.now()).changes > 0;
  }

  /** Runs `work` in one transaction (nested calls join the outer one). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  // ---- outbox

  due(platform: Platform, now: number, limit: number, owner?: string): OutboxRow[] {
    const rows = this.sql.due.all(platform, now, now, owner ?? null, limit) as {
      id: number;
      platform: Platform;
      chat_id: string;
      key: string;
      change_set: number | null;
      attempts: number;
      digest: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      platform: r.platform,
      chatId: r.chat_id,
      key: r.key,
      changeSet: r.change_set,
      attempts: r.attempts,
      digest: r.digest,
    }));
  }

  claim(id: number, owner: string, now: number, leaseMs: number): boolean {
    return this.sql.claim.run(owner, now + leaseMs, id, now, owner).changes > 0;
  }

  releaseClaims(owner?: string, platform?: Platform): number {
    if (platform !== undefined)
      return this.sql.releasePlatform.run(platform, owner ?? null, owner ?? null).changes;
    return (owner === undefined ? this.sql.releaseAll.run() : this.sql.release.run(owner)).changes;
  }

  /** A digest's reply; undefined when it was pruned. */
  digest(id: number): Reply | undefined {
    const row = this.sql.digestReply.get(id) as { reply: string } | undefined;
    return row ? (JSON.parse(row.reply) as Reply) : undefined;
  }

  /** When the earliest pending row of a platform becomes due; undefined when none is pending. */
  nextDue(platform: Platform): number | undefined {
    return (this.sql.nextDue.get(platform) as { t: number | null }).t ?? undefined;
  }

  markSent(id: number): void {
    this.sql.markSent.run(this.now(), id);
  }

  markDead(id: number, reason: string, attempted = true): void {
    this.sql.markDead.run(reason.slice(0, 500), attempted ? 1 : 0, id);
  }

  /** Tries the row again at `until`, with the chat's later rows behind it. */
  defer(
    row: Pick<OutboxRow, "id" | "platform" | "chatId">,
    until: number,
    reason: string,
    attempted: boolean,
  ): void {
    this.transaction(() => {
      this.sql.defer.run(until, attempted ? 1 : 0, reason.slice(0, 500), row.id);
      this.sql.deferChat.run(until, row.platform, row.chatId, row.id);
    });
  }

  /** The chat is gone (blocked, kicked, deleted): its subscriptions go, its pending rows die. */
  dropChat(platform: Platform, chatId: string, reason: string): { subscriptions: number; pending: number } {
    return this.transaction(() => {
      this.sql.dropSettings.run(platform, chatId);
      return {
        subscriptions: this.sql.unsubscribeAll.run(platform, chatId).changes,
        pending: this.sql.killChat.run(`gone: ${reason}`.slice(0, 500), platform, chatId).changes,
      };
    });
  }

  /**
   * The chat has a new id (a Telegram group became a supergroup): subscriptions and pending rows
   * follow it. Where the new chat already had the same topic or digest, the old one is dropped.
   */
  moveChat(platform: Platform, from: string, to: string): void {
    this.transaction(() => {
      this.sql.moveSubscriptions.run(to, platform, from);
      this.sql.unsubscribeAll.run(platform, from);
      this.sql.moveSettings.run(to, platform, from);
      this.sql.dropSettings.run(platform, from);
      this.sql.movePending.run(to, platform, from);
      this.sql.killChat.run(`moved to ${to}; already queued there`, platform, from);
    });
  }

  // ---- chat settings (see chat-settings.ts for the async interface the bot uses)

  chatSetting(platform: Platform, chatId: string, key: string): string | undefined {
    return (this.sql.getSetting.get(platform, chatId, key) as { value: string } | undefined)?.value;
  }

  setChatSetting(platform: Platform, chatId: string, key: string, value: string | undefined): void {
    if (value === undefined) this.sql.clearSetting.run(platform, chatId, key);
    else this.sql.setSetting.run(platform, chatId, key, value, this.now());
  }

  // ---- admins

  rememberAdminChat(platform: Platform, userId: string, chatId: string): void {
    this.sql.rememberAdminChat.run(platform, userId, chatId);
  }

  adminChat(platform: Platform, userId: string): string | undefined {
    return (this.sql.adminChat.get(platform, userId) as { chat_id: string } | undefined)?.chat_id;
  }

  // ---- seen updates

  /** True the first time an update id is seen, false for a repeat (a webhook retry). */
  firstDelivery(platform: Platform, updateId: string): boolean {
    return this.sql.seeUpdate.run(platform, updateId, this.now()).changes > 0;
  }

  // ---- housekeeping

  /** Rows waiting to be sent, all platforms: cheap (a partial index), for metrics and health checks. */
  pendingCount(): number {
    return (this.sql.pendingCount.get() as { n: number }).n;
  }

  stats(): StoreStats {
    const byPlatform: Record<string, { chats: number; subscriptions: number }> = {};
    const platformRows = this.db
      .prepare(
        "SELECT platform, count(DISTINCT chat_id) AS chats, count(*) AS subs FROM subscriptions GROUP BY platform",
      )
      .all() as { platform: string; chats: number; subs: number }[];
    for (const row of platformRows) byPlatform[row.platform] = { chats: row.chats, subscriptions: row.subs };
    const outbox: Record<OutboxState, number> = { pending: 0, sent: 0, dead: 0 };
    for (const row of this.db.prepare("SELECT state, count(*) AS n FROM outbox GROUP BY state").all() as {
      state: OutboxState;
      n: number;
    }[])
      outbox[row.state] = row.n;
    const pendingByPlatform: Record<string, number> = {};
    for (const row of this.db
      .prepare("SELECT platform, count(*) AS n FROM outbox WHERE state = 'pending' GROUP BY platform")
      .all() as { platform: string; n: number }[])
      pendingByPlatform[row.platform] = row.n;
    return {
      chats: platformRows.reduce((sum, row) => sum + row.chats, 0),
      subscriptions: platformRows.reduce((sum, row) => sum + row.subs, 0),
      byPlatform,
      outbox,
      pendingByPlatform,
      publishedVersion: this.publishedVersion(),
      changeSets: (this.db.prepare("SELECT count(*) AS n FROM change_sets").get() as { n: number }).n,
    };
  }

  /** Forgets sent and dead rows older than `ms`, and digests no row uses any more. */
  prune(ms: number): number {
    return this.transaction(() => {
      const removed = this.db
        .prepare("DELETE FROM outbox WHERE state != 'pending' AND coalesce(sent_at, created_at) < ?")
        .run(this.now() - ms).changes;
      this.db.prepare("DELETE FROM digests WHERE id NOT IN (SELECT DISTINCT digest FROM outbox)").run();
      this.db.prepare("DELETE FROM seen_updates WHERE seen_at < ?").run(this.now() - SEEN_UPDATES_MS);
      return removed;
    });
  }

  explain(error: unknown): string {
    return explainStoreError(error, this.db.name);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** An SQLite error as an operator needs it: the file, the cause, and what to do. */
export function explainStoreError(error: unknown, file: string): string {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  const message = error instanceof Error ? error.message : String(error);
  const cause = code ? `${code}: ${message}` : message;
  if (code === "SQLITE_FULL" || code === "ENOSPC")
    return `cannot write ${file}: the disk is full (${cause}); free space on the disk that holds DATA_DIR`;
  if (code.startsWith("SQLITE_READONLY") || code === "EROFS" || code === "EACCES" || code === "EPERM")
    return `cannot write ${file}: it is read-only (${cause}); give the bot's user write access to the file, its -wal and -shm files and its folder, or mount DATA_DIR read-write`;
  if (code.startsWith("SQLITE_IOERR"))
    return `cannot use ${file}: input/output error (${cause}); check the disk and its free space`;
  if (code.startsWith("SQLITE_CANTOPEN"))
    return `cannot open ${file} (${cause}); check that DATA_DIR exists and that the bot's user may read and write it`;
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT"))
    return `${file} is not a usable SQLite database (${cause}); restore it from a backup, or move it aside to start with no subscriptions`;
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
    return `${file} is locked by another process (${cause}); stop the other process that uses DATA_DIR`;
  return `${file}: ${cause}`;
}

/** Every statement the store runs, prepared once. */
function statements(db: Db) {
  const prepare = (text: string) => db.prepare(text);
  return {
    subscribe: prepare(
      `INSERT INTO subscriptions (platform, chat_id, chat_kind, topic, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    unsubscribe: prepare("DELETE FROM subscriptions WHERE platform = ? AND chat_id = ? AND topic = ?"),
    unsubscribeAll: prepare("DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?"),
    getSetting: prepare("SELECT value FROM chat_settings WHERE platform = ? AND chat_id = ? AND key = ?"),
    setSetting: prepare(
      `INSERT INTO chat_settings (platform, chat_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (platform, chat_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    clearSetting: prepare("DELETE FROM chat_settings WHERE platform = ? AND chat_id = ? AND key = ?"),
    dropSettings: prepare("DELETE FROM chat_settings WHERE platform = ? AND chat_id = ?"),
    moveSettings: prepare(
      `INSERT OR IGNORE INTO chat_settings (platform, chat_id, key, value, updated_at)
       SELECT platform, ?, key, value, updated_at FROM chat_settings WHERE platform = ? AND chat_id = ?`,
    ),
    topicsOf: prepare(
      "SELECT topic FROM subscriptions WHERE platform = ? AND chat_id = ? ORDER BY created_at, topic",
    ),
    allSubscriptions: prepare(
      "SELECT platform, chat_id, topic FROM subscriptions ORDER BY platform, chat_id",
    ),
    getMeta: prepare("SELECT value FROM meta WHERE key = ?"),
    setMeta: prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
    snapshot: prepare("SELECT fact_id, hash, record FROM snapshot"),
    clearSnapshot: prepare("DELETE FROM snapshot"),
    snapshotFact: prepare("INSERT INTO snapshot (fact_id, hash, record) VALUES (?, ?, ?)"),
    changeSet: prepare(
      "INSERT INTO change_sets (from_version, to_version, summary, created_at) VALUES (?, ?, ?, ?)",
    ),
    digest: prepare("INSERT INTO digests (change_set, reply) VALUES (?, ?)"),
    enqueue: prepare(
      `INSERT INTO outbox (platform, chat_id, key, change_set, digest, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    // Each chat's oldest pending row only, so a chat gets its digests in order; not while another
    // owner's claim on it holds.
    due: prepare(
      `SELECT o.id, o.platform, o.chat_id, o.key, o.change_set, o.attempts, o.digest
         FROM outbox o
        WHERE o.platform = ? AND o.state = 'pending' AND o.not_before <= ?
          AND (o.claimed_until <= ? OR o.claimed_by IS ?)
          AND NOT EXISTS (SELECT 1 FROM outbox p
                           WHERE p.platform = o.platform AND p.chat_id = o.chat_id
                             AND p.state = 'pending' AND p.id < o.id)
        ORDER BY o.id LIMIT ?`,
    ),
    claim: prepare(
      `UPDATE outbox SET claimed_by = ?, claimed_until = ?
        WHERE id = ? AND state = 'pending' AND (claimed_until <= ? OR claimed_by IS ?)`,
    ),
    release: prepare(
      "UPDATE outbox SET claimed_by = NULL, claimed_until = 0 WHERE state = 'pending' AND claimed_by = ?",
    ),
    releaseAll: prepare(
      "UPDATE outbox SET claimed_by = NULL, claimed_until = 0 WHERE state = 'pending' AND claimed_by IS NOT NULL",
    ),
    releasePlatform: prepare(
      `UPDATE outbox SET claimed_by = NULL, claimed_until = 0
        WHERE state = 'pending' AND platform = ? AND claimed_by IS NOT NULL AND (? IS NULL OR claimed_by = ?)`,
    ),
    digestReply: prepare("SELECT reply FROM digests WHERE id = ?"),
    pendingCount: prepare("SELECT count(*) AS n FROM outbox WHERE state = 'pending'"),
    nextDue: prepare("SELECT min(not_before) AS t FROM outbox WHERE platform = ? AND state = 'pending'"),
    markSent: prepare(
      `UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, claimed_by = NULL, claimed_until = 0
        WHERE id = ? AND state = 'pending'`,
    ),
    markDead: prepare(
      `UPDATE outbox SET state = 'dead', last_error = ?, attempts = attempts + ?, claimed_by = NULL, claimed_until = 0
        WHERE id = ? AND state = 'pending'`,
    ),
    defer: prepare(
      `UPDATE outbox SET not_before = ?, attempts = attempts + ?, last_error = ?, claimed_by = NULL, claimed_until = 0
        WHERE id = ? AND state = 'pending'`,
    ),
    // Later digests to the same chat wait too, so a chat gets its digests in order.
    deferChat: prepare(
      `UPDATE outbox SET not_before = max(not_before, ?)
        WHERE platform = ? AND chat_id = ? AND state = 'pending' AND id > ?`,
    ),
    killChat: prepare(
      "UPDATE outbox SET state = 'dead', last_error = ? WHERE platform = ? AND chat_id = ? AND state = 'pending'",
    ),
    moveSubscriptions: prepare(
      "UPDATE OR IGNORE subscriptions SET chat_id = ?, chat_kind = 'group' WHERE platform = ? AND chat_id = ?",
    ),
    movePending: prepare(
      "UPDATE OR IGNORE outbox SET chat_id = ? WHERE platform = ? AND chat_id = ? AND state = 'pending'",
    ),
    rememberAdminChat: prepare(
      `INSERT INTO admin_chats (platform, user_id, chat_id) VALUES (?, ?, ?)
       ON CONFLICT (platform, user_id) DO UPDATE SET chat_id = excluded.chat_id`,
    ),
    adminChat: prepare("SELECT chat_id FROM admin_chats WHERE platform = ? AND user_id = ?"),
    seeUpdate: prepare(
      "INSERT INTO seen_updates (platform, update_id, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    ),
  };
}
