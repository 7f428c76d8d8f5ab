/**
 * What the feedback loop keeps: questions it could not answer, chats waiting for an answer, answers
 * that carry feedback buttons and their votes, and suggested sources. `LoopStore` is the contract
 * (async, so another database can serve it); `SqliteLoopStore` keeps it in the subscription database,
 * in the tables of src/loop/schema.ts, and queues its messages in that database's outbox, in the same
 * transaction as the state change that implies them (a crash never loses one nor sends one twice).
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Platform, Reply } from "../bot/types.js";
import { languageOfLocale } from "../i18n/messages.js";
import type { Language } from "../search/languages/index.js";
import type { Store } from "../subscriptions/store.js";
import type { FeedbackReason } from "./messages.js";

export interface PendingQuestion {
  readonly id: number;
  readonly platform: Platform;
  readonly chatId: string;
  readonly question: string;
  readonly askedAt: number;
  /** The chat's language when it asked to be told: its answer is said in it. */
  readonly language: Language;
}

export interface UnansweredQuestion {
  readonly id: number;
  readonly text: string;
  readonly chatHash: string;
  readonly createdAt: number;
}

export interface AnswerRecord {
  readonly id: number;
  readonly factIds: readonly string[];
  readonly kbVersion: string;
}

export interface Suggestion {
  readonly id: number;
  readonly kind: "url" | "claim";
  readonly text: string;
  readonly platform: Platform;
  readonly chatId: string | undefined;
  readonly state: "open" | "accepted" | "rejected";
  readonly createdAt: number;
  /** The chat's language when it suggested: the decision is told in it. */
  readonly language: Language;
}

/** One group of similar unanswered questions: how often, when last, and one wording of it. */
export interface GapGroup {
  readonly key: string;
  readonly example: string;
  readonly count: number;
  readonly lastSeen: number;
}

export interface DislikedFact {
  readonly factId: string;
  readonly count: number;
  readonly lastSeen: number;
  readonly reasons: Readonly<Partial<Record<FeedbackReason, number>>>;
}

/** A message to queue in the outbox: to a chat, under a key unique for that chat. */
export interface Delivery {
  readonly platform: Platform;
  readonly chatId: string;
  readonly key: string;
  readonly reply: Reply;
}

export interface LoopStore {
  /** A keyed hash (HMAC with this database's own salt): user and chat ids are never stored as they are. */
  hash(value: string): Promise<string>;

  recordUnanswered(text: string, groupKey: string, chatHash: string, kbVersion: string): Promise<number>;
  unanswered(id: number): Promise<UnansweredQuestion | undefined>;

  /** "added", "exists" (this chat already waits for it) or "limit" (the chat waits for `max` already). */
  addPending(
    platform: Platform,
    chatId: string,
    question: string,
    expiresAt: number,
    max: number,
    language: Language,
  ): Promise<"added" | "exists" | "limit">;
  pendingOf(platform: Platform, chatId: string, now: number): Promise<PendingQuestion[]>;
  dropPending(platform: Platform, chatId: string, id: number): Promise<PendingQuestion | undefined>;
  /** Every chat's pending questions not expired at `now`. */
  allPending(now: number): Promise<PendingQuestion[]>;

  /** The fact hashes pending questions were last asked against; empty before the first time. */
  factHashes(): Promise<Map<string, string>>;
  /**
   * In one transaction: queue `deliveries`, forget the pending questions they answer (`answered`),
   * and record `hashes` as the facts asked against.
   */
  settleAnswers(
    deliveries: readonly Delivery[],
    answered: readonly number[],
    hashes: ReadonlyMap<string, string>,
  ): Promise<number>;

  recordAnswer(factIds: readonly string[], kbVersion: string, question: string | undefined): Promise<number>;
  answer(id: number): Promise<AnswerRecord | undefined>;
  /** Stores a vote (a later one from the same voter replaces it); false when the answer is gone. */
  vote(
    voter: string,
    answer: AnswerRecord,
    vote: "up" | "down",
    reason: FeedbackReason | undefined,
  ): Promise<void>;
  feedbackCount(answerId: number): Promise<number>;

  /** Suggestions by this user since `since`, for the rate limit. */
  suggestionsSince(userHash: string, since: number): Promise<number>;
  addSuggestion(
    kind: "url" | "claim",
    text: string,
    platform: Platform,
    chatId: string,
    userHash: string,
    language: Language,
  ): Promise<number>;
  openSuggestions(limit: number): Promise<Suggestion[]>;
  /** Decides an open suggestion and queues `tell(suggestion)` to its chat, in one transaction. */
  decideSuggestion(
    id: number,
    state: "accepted" | "rejected",
    reason: string | undefined,
    tell: (suggestion: Suggestion) => Reply,
  ): Promise<Suggestion | undefined>;

  topUnanswered(limit: number, since: number): Promise<GapGroup[]>;
  mostDisliked(limit: number, since: number): Promise<DislikedFact[]>;

  /** Forgets what has outlived its keep: see `LoopRetention`. */
  prune(now: number, retention: LoopRetention): Promise<Record<string, number>>;
}

export interface LoopRetention {
  readonly unansweredMs: number;
  readonly answersMs: number;
  readonly feedbackMs: number;
  readonly suggestionsMs: number;
}

const DAY = 24 * 3600_000;
export const RETENTION: LoopRetention = {
  unansweredMs: 90 * DAY,
  answersMs: 90 * DAY,
  feedbackMs: 365 * DAY,
  suggestionsMs: 180 * DAY,
};
export const PENDING_DAYS = 180;

type PendingRow = {
  id: number;
  platform: Platform;
  chat_id: string;
  question: string;
  asked_at: number;
  language: string | null;
};
type SuggestionRow = {
  id: number;
  kind: "url" | "claim";
  text: string;
  platform: Platform;
  chat_id: string | null;
  state: Suggestion["state"];
  created_at: number;
  language: string | null;
};

/** A stored language code; rows from before it was kept (NULL) are English. */
const languageOf = (code: string | null): Language => languageOfLocale(code ?? undefined) ?? "en";

const pending = (r: PendingRow): PendingQuestion => ({
  id: r.id,
  platform: r.platform,
  chatId: r.chat_id,
  question: r.question,
  askedAt: r.asked_at,
  language: languageOf(r.language),
});

const suggestion = (r: SuggestionRow): Suggestion => ({
  id: r.id,
  kind: r.kind,
  text: r.text,
  platform: r.platform,
  chatId: r.chat_id ?? undefined,
  state: r.state,
  createdAt: r.created_at,
  language: languageOf(r.language),
});

/** The loop's store in the subscription database (SQLite). Sync underneath; async to its callers. */
export class SqliteLoopStore implements LoopStore {
  private readonly salt: string;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {
    const db = store.db;
    const existing = db.prepare("SELECT value FROM loop_meta WHERE key = 'salt'").get() as
      | { value: string }
      | undefined;
    this.salt = existing?.value ?? randomBytes(32).toString("hex");
    if (!existing) db.prepare("INSERT INTO loop_meta (key, value) VALUES ('salt', ?)").run(this.salt);
  }

  private get db() {
    return this.store.db;
  }

  async hash(value: string): Promise<string> {
    return createHmac("sha256", this.salt).update(value).digest("hex").slice(0, 32);
  }

  async recordUnanswered(text: string, groupKey: string, chatHash: string, kbVersion: string) {
    return Number(
      this.db
        .prepare(
          "INSERT INTO loop_unanswered (text, group_key, chat_hash, kb_version, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(text, groupKey, chatHash, kbVersion, this.now()).lastInsertRowid,
    );
  }

  async unanswered(id: number) {
    const row = this.db
      .prepare("SELECT id, text, chat_hash, created_at FROM loop_unanswered WHERE id = ?")
      .get(id) as { id: number; text: string; chat_hash: string; created_at: number } | undefined;
    return row && { id: row.id, text: row.text, chatHash: row.chat_hash, createdAt: row.created_at };
  }

  async addPending(
    platform: Platform,
    chatId: string,
    question: string,
    expiresAt: number,
    max: number,
    language: Language,
  ) {
    return this.store.transaction(() => {
      const now = this.now();
      const exists = this.db
        .prepare(
          "SELECT 1 FROM loop_pending WHERE platform = ? AND chat_id = ? AND question = ? AND expires_at > ?",
        )
        .get(platform, chatId, question, now);
      if (exists) return "exists" as const;
      const { n } = this.db
        .prepare(
          "SELECT count(*) AS n FROM loop_pending WHERE platform = ? AND chat_id = ? AND expires_at > ?",
        )
        .get(platform, chatId, now) as { n: number };
      if (n >= max) return "limit" as const;
      this.db
        .prepare(
          `INSERT INTO loop_pending (platform, chat_id, question, asked_at, expires_at, language) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (platform, chat_id, question) DO UPDATE SET asked_at = excluded.asked_at,
             expires_at = excluded.expires_at, language = excluded.language`,
        )
        .run(platform, chatId, question, now, expiresAt, language);
      return "added" as const;
    });
  }

  async pendingOf(platform: Platform, chatId: string, now: number) {
    return (
      this.db
        .prepare(
          `SELECT id, platform, chat_id, question, asked_at, language FROM loop_pending
            WHERE platform = ? AND chat_id = ? AND expires_at > ? ORDER BY asked_at, id`,
        )
        .all(platform, chatId, now) as PendingRow[]
    ).map(pending);
  }

  async dropPending(platform: Platform, chatId: string, id: number) {
    const row = this.db
      .prepare(
        "DELETE FROM loop_pending WHERE id = ? AND platform = ? AND chat_id = ? RETURNING id, platform, chat_id, question, asked_at, language",
      )
      .get(id, platform, chatId) as PendingRow | undefined;
    return row && pending(row);
  }

  async allPending(now: number) {
    return (
      this.db
        .prepare(
          "SELECT id, platform, chat_id, question, asked_at, language FROM loop_pending WHERE expires_at > ? ORDER BY id",
        )
        .all(now) as PendingRow[]
    ).map(pending);
  }

  async factHashes() {
    const rows = this.db.prepare("SELECT fact_id, hash FROM loop_facts").all() as {
      fact_id: string;
      hash: string;
    }[];
    return new Map(rows.map((r) => [r.fact_id, r.hash]));
  }

  async settleAnswers(
    deliveries: readonly Delivery[],
    answered: readonly number[],
    hashes: ReadonlyMap<string, string>,
  ) {
    return this.store.transaction(() => {
      let queued = 0;
      for (const delivery of deliveries) {
        const digest = this.store.addDigest(null, delivery.reply);
        if (this.store.enqueue(delivery.platform, delivery.chatId, delivery.key, null, digest)) queued++;
      }
      const forget = this.db.prepare("DELETE FROM loop_pending WHERE id = ?");
      for (const id of answered) forget.run(id);
      this.db.prepare("DELETE FROM loop_facts").run();
      const insert = this.db.prepare("INSERT INTO loop_facts (fact_id, hash) VALUES (?, ?)");
      for (const [id, hash] of hashes) insert.run(id, hash);
      return queued;
    });
  }

  async recordAnswer(factIds: readonly string[], kbVersion: string, question: string | undefined) {
    return Number(
      this.db
        .prepare("INSERT INTO loop_answers (fact_ids, kb_version, question, created_at) VALUES (?, ?, ?, ?)")
        .run(JSON.stringify(factIds), kbVersion, question ?? null, this.now()).lastInsertRowid,
    );
  }

  async answer(id: number) {
    const row = this.db.prepare("SELECT id, fact_ids, kb_version FROM loop_answers WHERE id = ?").get(id) as
      | { id: number; fact_ids: string; kb_version: string }
      | undefined;
    return row && { id: row.id, factIds: JSON.parse(row.fact_ids) as string[], kbVersion: row.kb_version };
  }

  async vote(voter: string, answer: AnswerRecord, vote: "up" | "down", reason: FeedbackReason | undefined) {
    this.db
      .prepare(
        `INSERT INTO loop_feedback (voter, answer_id, vote, reason, fact_ids, kb_version, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (voter) DO UPDATE SET vote = excluded.vote, reason = excluded.reason, created_at = excluded.created_at`,
      )
      .run(
        voter,
        answer.id,
        vote,
        reason ?? null,
        JSON.stringify(answer.factIds),
        answer.kbVersion,
        this.now(),
      );
  }

  async feedbackCount(answerId: number) {
    return (
      this.db.prepare("SELECT count(*) AS n FROM loop_feedback WHERE answer_id = ?").get(answerId) as {
        n: number;
      }
    ).n;
  }

  async suggestionsSince(userHash: string, since: number) {
    return (
      this.db
        .prepare("SELECT count(*) AS n FROM loop_suggestions WHERE user_hash = ? AND created_at > ?")
        .get(userHash, since) as { n: number }
    ).n;
  }

  async addSuggestion(
    kind: "url" | "claim",
    text: string,
    platform: Platform,
    chatId: string,
    userHash: string,
    language: Language,
  ) {
    return Number(
      this.db
        .prepare(
          "INSERT INTO loop_suggestions (kind, text, platform, chat_id, user_hash, created_at, language) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(kind, text, platform, chatId, userHash, this.now(), language).lastInsertRowid,
    );
  }

  async openSuggestions(limit: number) {
    return (
      this.db
        .prepare(
          `SELECT id, kind, text, platform, chat_id, state, created_at, language FROM loop_suggestions
            WHERE state = 'open' ORDER BY id LIMIT ?`,
        )
        .all(limit) as SuggestionRow[]
    ).map(suggestion);
  }

  async decideSuggestion(
    id: number,
    state: "accepted" | "rejected",
    reason: string | undefined,
    tell: (suggestion: Suggestion) => Reply,
  ) {
    return this.store.transaction(() => {
      const row = this.db
        .prepare(
          `SELECT id, kind, text, platform, chat_id, state, created_at, language FROM loop_suggestions
            WHERE id = ? AND state = 'open'`,
        )
        .get(id) as SuggestionRow | undefined;
      if (!row) return undefined;
      // The chat is kept only until its answer is queued.
      this.db
        .prepare(
          "UPDATE loop_suggestions SET state = ?, reason = ?, decided_at = ?, chat_id = NULL WHERE id = ?",
        )
        .run(state, reason ?? null, this.now(), id);
      const decided = { ...suggestion(row), state };
      if (row.chat_id !== null) {
        const digest = this.store.addDigest(null, tell(decided));
        this.store.enqueue(row.platform, row.chat_id, `suggestion:${id}`, null, digest);
      }
      return decided;
    });
  }

  async topUnanswered(limit: number, since: number) {
    return (
      this.db
        .prepare(
          `SELECT group_key AS key, count(*) AS count, max(created_at) AS last_seen,
                  (SELECT u2.text FROM loop_unanswered u2 WHERE u2.group_key = u.group_key
                    ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1) AS example
             FROM loop_unanswered u WHERE created_at > ?
            GROUP BY group_key ORDER BY count DESC, last_seen DESC LIMIT ?`,
        )
        .all(since, limit) as { key: string; count: number; last_seen: number; example: string }[]
    ).map((r) => ({ key: r.key, example: r.example, count: r.count, lastSeen: r.last_seen }));
  }

  async mostDisliked(limit: number, since: number) {
    const rows = this.db
      .prepare(
        `SELECT f.value AS fact_id, count(*) AS count, max(b.created_at) AS last_seen,
                json_group_array(coalesce(b.reason, '')) AS reasons
           FROM loop_feedback b, json_each(b.fact_ids) f
          WHERE b.vote = 'down' AND b.created_at > ?
          GROUP BY f.value ORDER BY count DESC, last_seen DESC LIMIT ?`,
      )
      .all(since, limit) as { fact_id: string; count: number; last_seen: number; reasons: string }[];
    return rows.map((r) => {
      const reasons: Partial<Record<FeedbackReason, number>> = {};
      for (const reason of JSON.parse(r.reasons) as string[])
        if (reason) reasons[reason as FeedbackReason] = (reasons[reason as FeedbackReason] ?? 0) + 1;
      return { factId: r.fact_id, count: r.count, lastSeen: r.last_seen, reasons };
    });
  }

  async prune(now: number, retention: LoopRetention) {
    return this.store.transaction(() => ({
      unanswered: this.db
        .prepare("DELETE FROM loop_unanswered WHERE created_at <= ?")
        .run(now - retention.unansweredMs).changes,
      pending: this.db.prepare("DELETE FROM loop_pending WHERE expires_at <= ?").run(now).changes,
      answers: this.db
        .prepare("DELETE FROM loop_answers WHERE created_at <= ?")
        .run(now - retention.answersMs).changes,
      feedback: this.db
        .prepare("DELETE FROM loop_feedback WHERE created_at <= ?")
        .run(now - retention.feedbackMs).changes,
      suggestions: this.db
        .prepare(
          "DELETE FROM loop_suggestions WHERE state != 'open' AND coalesce(decided_at, created_at) <= ?",
        )
        .run(now - retention.suggestionsMs).changes,
    }));
  }
}
