/** Shared by the feedback-loop tests: the bot with subscriptions and the loop, a fact that answers a question, the gaps CLI. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { openLoop } from "../../src/loop/service.js";
import { openSubscriptions } from "../../src/subscriptions/service.js";
import type { SqliteSubscriptionStore } from "../../src/subscriptions/sqlite-store.js";
import { heldKnowledgeCopy, outcomeLog, tempDir } from "../subscriptions/support.js";
import { REPO } from "../support/knowledge.js";

/** A question the fixture knowledge base cannot answer, and the edit after which it can. */
export const QUESTION = "did acme sell location data to a weather app?";
export const WEATHER_FACT = "Acme sold users' location data to a weather app in 2020";
export const WEATHER_EDIT = {
  "deals/acme-streamco.yaml": [
    "facts:\n",
    `facts:
  - id: as-weather
    text: ${WEATHER_FACT}, the news report says.
    status: reported
    sources: [news-report]
    date: 2020
`,
  ],
} as const;
/** A question the fixture answers. */
export const ANSWERABLE = "could streamco read my messages";

/** The store, the loop and the bot as platforms.ts puts them together, on a copy of the fixture on disk. */
export async function loopBot(
  cleanups: (() => unknown)[],
  options: { admins?: readonly string[]; feedback?: boolean; now?: () => number } = {},
) {
  const { kb, holder } = await heldKnowledgeCopy(cleanups);
  const data = tempDir();
  cleanups.push(data.remove);
  const admins = new Set(options.admins ?? []);
  const { onOutcome, outcome } = outcomeLog();
  const subscriptions = await openSubscriptions({
    config: { dataDir: data.dir, knowledgeDir: kb.dir, admins },
    holder,
    dispatcher: { backoffMs: 50, onOutcome },
  });
  const loop = openLoop({
    config: { admins, feedback: options.feedback ?? true, logMessageText: false },
    holder,
    subscriptions,
    ...(options.now ? { now: options.now } : {}),
  });
  const bot = new Bot(holder as KnowledgeHolder, {
    flood: null,
    extensions: [...subscriptions.extensions, ...loop.extensions],
    answerExtensions: [loop.answers],
  });
  await subscriptions.publishCurrent();
  holder.current.engine.answer(QUESTION); // what the first question loads lazily, loaded before any wait
  return {
    kb,
    holder,
    data,
    subscriptions,
    loop,
    bot,
    outcome,
    store: (subscriptions.store as SqliteSubscriptionStore).store,
  };
}

/** `npm run gaps -- --json` on a data folder, in a child process as a maintainer runs it. */
export async function gapsCli(dataDir: string, knowledgeDir: string) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", path.join(REPO, "src", "cli.ts"), "gaps", "--json"],
    { cwd: REPO, env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, KNOWLEDGE_DIR: knowledgeDir } },
  );
  return JSON.parse(stdout) as {
    unanswered: { key: string; example: string; count: number; lastSeen: number }[];
    disliked: { factId: string; count: number; lastSeen: number; reasons: Record<string, number> }[];
  };
}
