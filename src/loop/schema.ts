/**
 * The feedback loop's tables, as migrations of the subscription database (appended to its MIGRATIONS,
 * so one file and one migration history hold everything). What each table keeps, and for how long, is
 * in the README ("Closing the loop").
 */
import type { Migration } from "../subscriptions/store.js";

export const LOOP_MIGRATIONS: readonly Migration[] = [
  {
    version: 3,
    name: "feedback loop: notify me, feedback, gaps, suggestions",
    up: (db) =>
      db.exec(`
        -- A random salt for the hashes below, made once per database.
        CREATE TABLE loop_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

        -- The facts as the loop last re-asked pending questions against: fact id -> content hash.
        CREATE TABLE loop_facts (fact_id TEXT PRIMARY KEY, hash TEXT NOT NULL) WITHOUT ROWID;

        -- Questions answered "I don't know" (90 days): for npm run gaps, and for the Notify button.
        CREATE TABLE loop_unanswered (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          text       TEXT    NOT NULL,
          group_key  TEXT    NOT NULL,
          chat_hash  TEXT    NOT NULL,
          kb_version TEXT    NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX loop_unanswered_group ON loop_unanswered (group_key, created_at);
        CREATE INDEX loop_unanswered_time ON loop_unanswered (created_at);

        -- "Notify me when I can answer this" (180 days).
        CREATE TABLE loop_pending (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          platform   TEXT    NOT NULL,
          chat_id    TEXT    NOT NULL,
          question   TEXT    NOT NULL,
          asked_at   INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          UNIQUE (platform, chat_id, question)
        );
        CREATE INDEX loop_pending_expiry ON loop_pending (expires_at);

        -- Answers that carry feedback buttons (90 days): which facts, from which version.
        CREATE TABLE loop_answers (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          fact_ids   TEXT    NOT NULL,
          kb_version TEXT    NOT NULL,
          question   TEXT,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX loop_answers_time ON loop_answers (created_at);

        -- One vote per user per answer: voter is a salted hash of the user and the answer, nothing more.
        CREATE TABLE loop_feedback (
          voter      TEXT    PRIMARY KEY,
          answer_id  INTEGER NOT NULL,
          vote       TEXT    NOT NULL CHECK (vote IN ('up', 'down')),
          reason     TEXT,
          fact_ids   TEXT    NOT NULL,
          kb_version TEXT    NOT NULL,
          created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX loop_feedback_time ON loop_feedback (created_at);

        -- /suggest: the moderation queue. chat_id is where the answer goes; cleared once it is queued.
        CREATE TABLE loop_suggestions (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          kind       TEXT    NOT NULL CHECK (kind IN ('url', 'claim')),
          text       TEXT    NOT NULL,
          platform   TEXT    NOT NULL,
          chat_id    TEXT,
          user_hash  TEXT    NOT NULL,
          state      TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'rejected')),
          reason     TEXT,
          created_at INTEGER NOT NULL,
          decided_at INTEGER
        );
        CREATE INDEX loop_suggestions_open ON loop_suggestions (state, id);
        CREATE INDEX loop_suggestions_user ON loop_suggestions (user_hash, created_at);
      `),
  },
];

/**
 * The language a chat read when it asked to be told something later (a pending question, a
 * suggestion), so the message queued for it then is in that language; NULL (before) reads as English.
 * Appended after the subscriptions' migration 5.
 */
export const LOOP_LANGUAGE_MIGRATION: Migration = {
  version: 6,
  name: "feedback loop: the language to answer pending questions and suggestions in",
  up: (db) =>
    db.exec(`
      ALTER TABLE loop_pending ADD COLUMN language TEXT;
      ALTER TABLE loop_suggestions ADD COLUMN language TEXT;
    `),
};
