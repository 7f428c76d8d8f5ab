/**
 * The store on PostgreSQL (node-postgres), for several instances of the bot on one database:
 * selected by DATABASE_URL=postgres://…. Same tables and meaning as the SQLite store (store.ts),
 * with its own numbered migrations (PG_MIGRATIONS), applied under an advisory lock so instances
 * starting together migrate once.
 *
 * What several instances need beyond SQLite: an outbox row is claimed with `FOR UPDATE SKIP LOCKED`
 * and a lease (a crashed holder's claims return to the queue when the lease ends); one dispatcher
 * per platform is chosen with `pg_try_advisory_lock` on a connection of its own (`leadership`), so
 * it is let go the moment its process dies; publishing takes `pg_advisory_xact_lock` inside the
 * publishing transaction (`lockPublishing`), so two instances reloading at once publish once.
 */
import pg from "pg";
import type { ChatRef, Platform, Reply } from "../bot/types.js";
import type { SnapshotFact } from "./diff.js";
import {
  type ChatSubscriptions,
  type OutboxRow,
  type OutboxState,
  SEEN_UPDATES_MS,
  StoreError,
  type StoreOptions,
  type StoreStats,
} from "./store.js";
import type { Leadership, SubscriptionStore } from "./store-api.js";
import { isTopic, type Topic } from "./topics.js";

/** One schema step, run in a transaction with its bookkeeping row. */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: "subscriptions, snapshot, outbox with claims, admin chats",
    sql: `
      CREATE TABLE subscriptions (
        platform   TEXT   NOT NULL,
        chat_id    TEXT   NOT NULL,
        chat_kind  TEXT   NOT NULL CHECK (chat_kind IN ('private', 'group')),
        topic      TEXT   NOT NULL,
        created_by TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (platform, chat_id, topic)
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE snapshot (fact_id TEXT PRIMARY KEY, hash TEXT NOT NULL, record TEXT NOT NULL);
      CREATE TABLE change_sets (
        id           BIGSERIAL PRIMARY KEY,
        from_version TEXT,
        to_version   TEXT   NOT NULL,
        summary      TEXT   NOT NULL,
        created_at   BIGINT NOT NULL
      );
      CREATE TABLE digests (
        id         BIGSERIAL PRIMARY KEY,
        change_set BIGINT REFERENCES change_sets (id),
        reply      TEXT NOT NULL
      );
      CREATE TABLE outbox (
        id            BIGSERIAL PRIMARY KEY,
        platform      TEXT    NOT NULL,
        chat_id       TEXT    NOT NULL,
        key           TEXT    NOT NULL,
        change_set    BIGINT  REFERENCES change_sets (id),
        digest        BIGINT  NOT NULL REFERENCES digests (id),
        state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        not_before    BIGINT  NOT NULL DEFAULT 0,
        created_at    BIGINT  NOT NULL,
        sent_at       BIGINT,
        last_error    TEXT,
        claimed_by    TEXT,
        claimed_until BIGINT  NOT NULL DEFAULT 0,
        UNIQUE (platform, chat_id, key)
      );
      CREATE INDEX outbox_pending ON outbox (platform, id) WHERE state = 'pending';
      CREATE INDEX outbox_next ON outbox (platform, not_before) WHERE state = 'pending';
      CREATE INDEX outbox_chat ON outbox (platform, chat_id, id) WHERE state = 'pending';
      CREATE TABLE admin_chats (
        platform TEXT NOT NULL,
        user_id  TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        PRIMARY KEY (platform, user_id)
      );`,
  },
  {
    version: 2,
    name: "chat settings, seen updates, conversation focus, flood buckets",
    sql: `
      CREATE TABLE chat_settings (
        platform TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (platform, chat_id, key)
      );
      CREATE TABLE seen_updates (
        platform  TEXT   NOT NULL,
        update_id TEXT   NOT NULL,
        seen_at   BIGINT NOT NULL,
        PRIMARY KEY (platform, update_id)
      );
      CREATE TABLE conversation_focus (
        chat  TEXT PRIMARY KEY,
        focus TEXT   NOT NULL,
        at    BIGINT NOT NULL
      );
      CREATE TABLE flood_buckets (
        key    TEXT PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        at     BIGINT  NOT NULL,
        warned BOOLEAN NOT NULL DEFAULT false
      );`,
  },
];

/** Advisory lock keys (two int4s: a namespace for Receipts, then what is locked). */
const LOCK_SPACE = 0x5245_4331; // "REC1"
const LOCKS = { migrate: 1, publish: 2 } as const;

/** node-postgres hands BIGINT back as a string; our BIGINTs are ids and milliseconds: numbers. */
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? Number : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** Connects, migrates, and returns the store; a failure says which database and what to do. */
export async function openPgStore(url: string, options: StoreOptions = {}): Promise<PgStore> {
  const pool = new pg.Pool({ connectionString: url, types: TYPES, max: 10 });
  pool.on("error", () => {}); // an idle connection dropped: the next query gets a new one
  try {
    await migratePg(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError(explainPgError(error, url));
  }
  return new PgStore(pool, pool, url, options);
}

/** Applies the migrations the database has not seen; refuses a schema newer than this code. */
export async function migratePg(pool: pg.Pool, migrations: readonly PgMigration[] = PG_MIGRATIONS) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_SPACE, LOCKS.migrate]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const current = Number(
      (await client.query("SELECT coalesce(max(version), 0) AS v FROM schema_migrations")).rows[0].v,
    );
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (current > known)
      throw new StoreError(
        `the database is at schema version ${current}, newer than this code knows (${known})`,
      );
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
    await client.query("COMMIT");
    return Math.max(current, known);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface OutboxRecord {
  id: number;
  platform: Platform;
  chat_id: string;
  key: string;
  change_set: number | null;
  attempts: number;
  digest: number;
}

export class PgStore implements SubscriptionStore {
  readonly kind = "postgres";
  readonly maxTopicsPerChat: number;
  private readonly now: () => number;
  private readonly leaders: PgLeadership[] = [];

  constructor(
    readonly pool: pg.Pool,
    private readonly db: Queryable,
    /** DATABASE_URL (with its password: never logged; explain() names host and database only). */
    readonly url: string,
    private readonly options: StoreOptions = {},
    private readonly inTransaction = false,
  ) {
    this.maxTopicsPerChat = options.maxTopicsPerChat ?? 50;
    this.now = options.now ?? Date.now;
  }

  private async rows<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(text, params)).rows as T[];
  }

  private async changes(text: string, params: unknown[] = []): Promise<number> {
    return (await this.db.query(text, params)).rowCount ?? 0;
  }

  async transaction<T>(work: (tx: SubscriptionStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(new PgStore(this.pool, client, this.url, this.options, true));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async lockPublishing(): Promise<void> {
    if (!this.inTransaction) throw new StoreError("lockPublishing must run inside a transaction");
    await this.db.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_SPACE, LOCKS.publish]);
  }

  leadership(name: string): Leadership {
    const leader = new PgLeadership(this.url, name);
    this.leaders.push(leader);
    return leader;
  }

  // ---- subscriptions

  subscribe(chat: ChatRef, topic: Topic, by?: string): Promise<"added" | "exists" | "limit"> {
    return this.transaction(async (tx) => {
      const self = tx as PgStore;
      // One chat's subscribe calls one at a time, so the limit holds across instances.
      await self.db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`sub:${chat.platform}:${chat.id}`]);
      const topics = await self.topicsOf(chat.platform, chat.id);
      if (topics.includes(topic)) return "exists";
      if (topics.length >= this.maxTopicsPerChat) return "limit";
      await self.db.query(
        `INSERT INTO subscriptions (platform, chat_id, chat_kind, topic, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [chat.platform, chat.id, chat.kind, topic, by ?? null, this.now()],
      );
      return "added";
    });
  }

  unsubscribe(chat: Pick<ChatRef, "platform" | "id">, topic: Topic): Promise<boolean> {
    return this.changes("DELETE FROM subscriptions WHERE platform = $1 AND chat_id = $2 AND topic = $3", [
      chat.platform,
      chat.id,
      topic,
    ]).then((n) => n > 0);
  }

  unsubscribeAll(chat: Pick<ChatRef, "platform" | "id">): Promise<number> {
    return this.changes("DELETE FROM subscriptions WHERE platform = $1 AND chat_id = $2", [
      chat.platform,
      chat.id,
    ]);
  }

  async topicsOf(platform: Platform, chatId: string): Promise<Topic[]> {
    const rows = await this.rows<{ topic: string }>(
      "SELECT topic FROM subscriptions WHERE platform = $1 AND chat_id = $2 ORDER BY created_at, topic",
      [platform, chatId],
    );
    return rows.map((r) => r.topic).filter(isTopic);
  }

  async chats(): Promise<ChatSubscriptions[]> {
    const out: { platform: Platform; chatId: string; topics: Topic[] }[] = [];
    let last: (typeof out)[number] | undefined;
    for (const row of await this.rows<{ platform: Platform; chat_id: string; topic: string }>(
      "SELECT platform, chat_id, topic FROM subscriptions ORDER BY platform, chat_id",
    )) {
      if (!last || last.platform !== row.platform || last.chatId !== row.chat_id) {
        last = { platform: row.platform, chatId: row.chat_id, topics: [] };
        out.push(last);
      }
      if (isTopic(row.topic)) last.topics.push(row.topic);
    }
    return out;
  }

  async subscribeMany(rows: readonly { chat: ChatRef; topic: Topic }[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 5_000) {
      const batch = rows.slice(i, i + 5_000);
      await this.db.query(
        `INSERT INTO subscriptions (platform, chat_id, chat_kind, topic, created_at)
         SELECT p, c, k, t, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u (p, c, k, t)
         ON CONFLICT DO NOTHING`,
        [
          batch.map((r) => r.chat.platform),
          batch.map((r) => r.chat.id),
          batch.map((r) => r.chat.kind),
          batch.map((r) => r.topic),
          this.now(),
        ],
      );
    }
  }

  // ---- snapshot and change sets

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.rows<{ value: string }>("SELECT value FROM meta WHERE key = $1", [key]))[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.query(
      "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [key, value],
    );
  }

  publishedVersion(): Promise<string | undefined> {
    return this.getMeta("published_version");
  }

  async snapshot(): Promise<Map<string, SnapshotFact>> {
    const out = new Map<string, SnapshotFact>();
    for (const row of await this.rows<{ fact_id: string; hash: string; record: string }>(
      "SELECT fact_id, hash, record FROM snapshot",
    ))
      out.set(row.fact_id, { ...(JSON.parse(row.record) as Omit<SnapshotFact, "hash">), hash: row.hash });
    return out;
  }

  async replaceSnapshot(version: string, facts: ReadonlyMap<string, SnapshotFact>): Promise<void> {
    await this.db.query("DELETE FROM snapshot");
    const entries = [...facts];
    for (let i = 0; i < entries.length; i += 5_000) {
      const batch = entries.slice(i, i + 5_000);
      await this.db.query(
        "INSERT INTO snapshot (fact_id, hash, record) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])",
        [
          batch.map(([id]) => id),
          batch.map(([, fact]) => fact.hash),
          batch.map(([, { hash: _hash, ...record }]) => JSON.stringify(record)),
        ],
      );
    }
    await this.setMeta("published_version", version);
  }

  async addChangeSet(from: string | undefined, to: string, summary: object): Promise<number> {
    const [row] = await this.rows<{ id: number }>(
      "INSERT INTO change_sets (from_version, to_version, summary, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
      [from ?? null, to, JSON.stringify(summary), this.now()],
    );
    return Number(row?.id);
  }

  async addDigest(changeSet: number | null, reply: Reply): Promise<number> {
    const [row] = await this.rows<{ id: number }>(
      "INSERT INTO digests (change_set, reply) VALUES ($1, $2) RETURNING id",
      [changeSet, JSON.stringify(reply)],
    );
    return Number(row?.id);
  }

  async enqueue(
    platform: Platform,
    chatId: string,
    key: string,
    changeSet: number | null,
    digest: number,
  ): Promise<boolean> {
    const n = await this.changes(
      `INSERT INTO outbox (platform, chat_id, key, change_set, digest, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [platform, chatId, key, changeSet, digest, this.now()],
    );
    return n > 0;
  }

  // ---- outbox

  async due(platform: Platform, now: number, limit: number, owner?: string): Promise<OutboxRow[]> {
    const rows = await this.rows<OutboxRecord>(
      `SELECT o.id, o.platform, o.chat_id, o.key, o.change_set, o.attempts, o.digest
         FROM outbox o
        WHERE o.platform = $1 AND o.state = 'pending' AND o.not_before <= $2
          AND (o.claimed_until <= $2 OR o.claimed_by IS NOT DISTINCT FROM $3)
          AND NOT EXISTS (SELECT 1 FROM outbox p
                           WHERE p.platform = o.platform AND p.chat_id = o.chat_id
                             AND p.state = 'pending' AND p.id < o.id)
        ORDER BY o.id LIMIT $4`,
      [platform, now, owner ?? null, limit],
    );
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

  /** One statement: the row is locked with SKIP LOCKED, so two claimers never wait on each other. */
  async claim(id: number, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const n = await this.changes(
      `UPDATE outbox SET claimed_by = $1, claimed_until = $2
        WHERE id = (SELECT id FROM outbox
                     WHERE id = $3 AND state = 'pending' AND (claimed_until <= $4 OR claimed_by = $1)
                     FOR UPDATE SKIP LOCKED)`,
      [owner, now + leaseMs, id, now],
    );
    return n > 0;
  }

  releaseClaims(owner?: string, platform?: Platform): Promise<number> {
    if (platform !== undefined)
      return this.changes(
        `UPDATE outbox SET claimed_by = NULL, claimed_until = 0
          WHERE state = 'pending' AND platform = $1 AND claimed_by IS NOT NULL AND ($2::text IS NULL OR claimed_by = $2)`,
        [platform, owner ?? null],
      );
    return owner === undefined
      ? this.changes(
          "UPDATE outbox SET claimed_by = NULL, claimed_until = 0 WHERE state = 'pending' AND claimed_by IS NOT NULL",
        )
      : this.changes(
          "UPDATE outbox SET claimed_by = NULL, claimed_until = 0 WHERE state = 'pending' AND claimed_by = $1",
          [owner],
        );
  }

  async nextDue(platform: Platform): Promise<number | undefined> {
    const [row] = await this.rows<{ t: number | null }>(
      "SELECT min(not_before) AS t FROM outbox WHERE platform = $1 AND state = 'pending'",
      [platform],
    );
    return row?.t ?? undefined;
  }

  async digest(id: number): Promise<Reply | undefined> {
    const [row] = await this.rows<{ reply: string }>("SELECT reply FROM digests WHERE id = $1", [id]);
    return row ? (JSON.parse(row.reply) as Reply) : undefined;
  }

  async markSent(id: number): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, claimed_by = NULL, claimed_until = 0
        WHERE id = $2 AND state = 'pending'`,
      [this.now(), id],
    );
  }

  async markDead(id: number, reason: string, attempted = true): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET state = 'dead', last_error = $1, attempts = attempts + $2, claimed_by = NULL, claimed_until = 0
        WHERE id = $3 AND state = 'pending'`,
      [reason.slice(0, 500), attempted ? 1 : 0, id],
    );
  }

  defer(
    row: Pick<OutboxRow, "id" | "platform" | "chatId">,
    until: number,
    reason: string,
    attempted: boolean,
  ): Promise<void> {
    return this.transaction(async (tx) => {
      const self = tx as PgStore;
      await self.db.query(
        `UPDATE outbox SET not_before = $1, attempts = attempts + $2, last_error = $3, claimed_by = NULL, claimed_until = 0
          WHERE id = $4 AND state = 'pending'`,
        [until, attempted ? 1 : 0, reason.slice(0, 500), row.id],
      );
      await self.db.query(
        `UPDATE outbox SET not_before = GREATEST(not_before, $1)
          WHERE platform = $2 AND chat_id = $3 AND state = 'pending' AND id > $4`,
        [until, row.platform, row.chatId, row.id],
      );
    });
  }

  dropChat(platform: Platform, chatId: string, reason: string) {
    return this.transaction(async (tx) => {
      const self = tx as PgStore;
      return {
        subscriptions: await self.changes("DELETE FROM subscriptions WHERE platform = $1 AND chat_id = $2", [
          platform,
          chatId,
        ]),
        pending: await self.killChat(platform, chatId, `gone: ${reason}`),
      };
    });
  }

  private killChat(platform: Platform, chatId: string, reason: string): Promise<number> {
    return this.changes(
      "UPDATE outbox SET state = 'dead', last_error = $1 WHERE platform = $2 AND chat_id = $3 AND state = 'pending'",
      [reason.slice(0, 500), platform, chatId],
    );
  }

  moveChat(platform: Platform, from: string, to: string): Promise<void> {
    return this.transaction(async (tx) => {
      const self = tx as PgStore;
      await self.db.query(
        `INSERT INTO subscriptions (platform, chat_id, chat_kind, topic, created_by, created_at)
         SELECT platform, $1, 'group', topic, created_by, created_at FROM subscriptions
          WHERE platform = $2 AND chat_id = $3
         ON CONFLICT DO NOTHING`,
        [to, platform, from],
      );
      await self.db.query("DELETE FROM subscriptions WHERE platform = $1 AND chat_id = $2", [platform, from]);
      await self.db.query(
        `UPDATE outbox o SET chat_id = $1 WHERE platform = $2 AND chat_id = $3 AND state = 'pending'
            AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.platform = o.platform AND x.chat_id = $1 AND x.key = o.key)`,
        [to, platform, from],
      );
      await self.killChat(platform, from, `moved to ${to}; already queued there`);
    });
  }

  // ---- admins, chat settings, seen updates

  async rememberAdminChat(platform: Platform, userId: string, chatId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO admin_chats (platform, user_id, chat_id) VALUES ($1, $2, $3)
       ON CONFLICT (platform, user_id) DO UPDATE SET chat_id = excluded.chat_id`,
      [platform, userId, chatId],
    );
  }

  async adminChat(platform: Platform, userId: string): Promise<string | undefined> {
    const [row] = await this.rows<{ chat_id: string }>(
      "SELECT chat_id FROM admin_chats WHERE platform = $1 AND user_id = $2",
      [platform, userId],
    );
    return row?.chat_id;
  }

  async getChatSetting(platform: Platform, chatId: string, key: string): Promise<string | undefined> {
    const [row] = await this.rows<{ value: string }>(
      "SELECT value FROM chat_settings WHERE platform = $1 AND chat_id = $2 AND key = $3",
      [platform, chatId, key],
    );
    return row?.value;
  }

  async setChatSetting(
    platform: Platform,
    chatId: string,
    key: string,
    value: string | undefined,
  ): Promise<void> {
    if (value === undefined)
      await this.db.query("DELETE FROM chat_settings WHERE platform = $1 AND chat_id = $2 AND key = $3", [
        platform,
        chatId,
        key,
      ]);
    else
      await this.db.query(
        `INSERT INTO chat_settings (platform, chat_id, key, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (platform, chat_id, key) DO UPDATE SET value = excluded.value`,
        [platform, chatId, key, value],
      );
  }

  async firstDelivery(platform: Platform, updateId: string): Promise<boolean> {
    const n = await this.changes(
      "INSERT INTO seen_updates (platform, update_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
      [platform, updateId, this.now()],
    );
    return n > 0;
  }

  // ---- conversation focus and flood buckets (shared-state.ts uses them)

  async getFocus(chat: string, ttlMs: number): Promise<string | undefined> {
    const [row] = await this.rows<{ focus: string }>(
      "SELECT focus FROM conversation_focus WHERE chat = $1 AND at >= $2",
      [chat, this.now() - ttlMs],
    );
    return row?.focus;
  }

  async setFocus(chat: string, focus: string | undefined): Promise<void> {
    if (focus === undefined) await this.db.query("DELETE FROM conversation_focus WHERE chat = $1", [chat]);
    else
      await this.db.query(
        `INSERT INTO conversation_focus (chat, focus, at) VALUES ($1, $2, $3)
         ON CONFLICT (chat) DO UPDATE SET focus = excluded.focus, at = excluded.at`,
        [chat, focus, this.now()],
      );
  }

  /**
   * One token-bucket step for `key` (FloodGate.check's, with the bucket in the database), one
   * instance at a time per key: the bucket's row is locked while it is read and written.
   */
  floodStep(key: string, burst: number, perSecond: number): Promise<"allow" | "warn" | "ignore"> {
    return this.transaction(async (tx) => {
      const self = tx as PgStore;
      const now = this.now();
      await self.db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`flood:${key}`]);
      const [prior] = await self.rows<{ tokens: number; at: number; warned: boolean }>(
        "SELECT tokens, at, warned FROM flood_buckets WHERE key = $1",
        [key],
      );
      const tokens = Math.min(burst, prior ? prior.tokens + ((now - prior.at) / 1000) * perSecond : burst);
      const allowed = tokens >= 1;
      const outcome = allowed ? "allow" : prior?.warned ? "ignore" : "warn";
      await self.db.query(
        `INSERT INTO flood_buckets (key, tokens, at, warned) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, at = excluded.at, warned = excluded.warned`,
        [key, allowed ? tokens - 1 : tokens, now, !allowed],
      );
      return outcome;
    });
  }

  // ---- housekeeping

  async pendingCount(): Promise<number> {
    const [row] = await this.rows<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE state = 'pending'");
    return Number(row?.n ?? 0);
  }

  async stats(): Promise<StoreStats> {
    const byPlatform: Record<string, { chats: number; subscriptions: number }> = {};
    const platformRows = await this.rows<{ platform: string; chats: number; subs: number }>(
      "SELECT platform, count(DISTINCT chat_id) AS chats, count(*) AS subs FROM subscriptions GROUP BY platform",
    );
    for (const row of platformRows) byPlatform[row.platform] = { chats: row.chats, subscriptions: row.subs };
    const outbox: Record<OutboxState, number> = { pending: 0, sent: 0, dead: 0 };
    for (const row of await this.rows<{ state: OutboxState; n: number }>(
      "SELECT state, count(*) AS n FROM outbox GROUP BY state",
    ))
      outbox[row.state] = row.n;
    const pendingByPlatform: Record<string, number> = {};
    for (const row of await this.rows<{ platform: string; n: number }>(
      "SELECT platform, count(*) AS n FROM outbox WHERE state = 'pending' GROUP BY platform",
    ))
      pendingByPlatform[row.platform] = row.n;
    const [changeSets] = await this.rows<{ n: number }>("SELECT count(*) AS n FROM change_sets");
    return {
      chats: platformRows.reduce((sum, row) => sum + row.chats, 0),
      subscriptions: platformRows.reduce((sum, row) => sum + row.subs, 0),
      byPlatform,
      outbox,
      pendingByPlatform,
      publishedVersion: await this.publishedVersion(),
      changeSets: changeSets?.n ?? 0,
    };
  }

  prune(ms: number): Promise<number> {
    return this.transaction(async (tx) => {
      const self = tx as PgStore;
      const now = this.now();
      const removed = await self.changes(
        "DELETE FROM outbox WHERE state != 'pending' AND coalesce(sent_at, created_at) < $1",
        [now - ms],
      );
      await self.db.query(
        "DELETE FROM digests d WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.digest = d.id)",
      );
      await self.db.query("DELETE FROM seen_updates WHERE seen_at < $1", [now - SEEN_UPDATES_MS]);
      await self.db.query("DELETE FROM conversation_focus WHERE at < $1", [now - 24 * 3600_000]);
      await self.db.query("DELETE FROM flood_buckets WHERE at < $1", [now - 3600_000]);
      return removed;
    });
  }

  explain(error: unknown): string {
    return explainPgError(error, this.url);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.leaders.map((leader) => leader.release()));
    if (!this.pool.ended) await this.pool.end();
  }
}

/** An advisory lock on a connection of its own: held while the connection lives. */
class PgLeadership implements Leadership {
  readonly exclusive = true;
  private client: pg.Client | undefined;
  private holding = false;

  constructor(
    private readonly url: string,
    private readonly name: string,
  ) {}

  get held(): boolean {
    return this.holding;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.holding) return true;
    if (!this.client) {
      const client = new pg.Client({ connectionString: this.url, types: TYPES });
      const lost = () => {
        this.holding = false;
        if (this.client === client) this.client = undefined;
      };
      client.on("error", lost);
      client.on("end", lost);
      await client.connect();
      this.client = client;
    }
    const { rows } = await this.client.query("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [
      LOCK_SPACE,
      `leader:${this.name}`,
    ]);
    this.holding = rows[0]?.ok === true;
    return this.holding;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.holding = false;
    await client?.end().catch(() => undefined);
  }
}

/** A PostgreSQL error as an operator needs it: which database (no password), the cause, what to do. */
export function explainPgError(error: unknown, url: string): string {
  let where = "PostgreSQL";
  try {
    const parsed = new URL(url);
    where = `PostgreSQL ${parsed.hostname}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
  } catch {
    // an unparsable URL: named without details
  }
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  const message = error instanceof Error ? error.message : String(error);
  const cause = code ? `${code}: ${message}` : message;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT")
    return `cannot reach ${where} (${cause}); check DATABASE_URL's host and port, and that the server runs`;
  if (code === "28P01" || code === "28000")
    return `${where} refused the login (${cause}); check the user and password in DATABASE_URL`;
  if (code === "3D000")
    return `${where}: the database does not exist (${cause}); create it or fix DATABASE_URL`;
  if (code === "53100") return `${where}: the disk is full (${cause}); free space on the database server`;
  if (code === "25006") return `${where} is read-only (${cause}); point DATABASE_URL at the primary`;
  return `${where}: ${cause}`;
}
