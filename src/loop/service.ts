/**
 * The feedback loop as one piece platforms.ts can hold, on top of the subscriptions (their database,
 * outbox, dispatchers and publisher):
 *
 *   const loop = openLoop({ config, holder, subscriptions, log });
 *   const bot = new Bot(holder, { extensions: [...subscriptions.extensions, ...loop.extensions],
 *                                 answerExtensions: [loop.answers] });
 *   loop.start();       // forgets what outlived its keep (then every 6 hours), catches up on changes made while down
 *   await loop.stop();  // before subscriptions.stop() closes the database
 */
import type { KnowledgeHolder } from "../answer/knowledge.js";
import type { AnswerExtension, CommandExtension } from "../bot/bot.js";
import type { Reply, Request } from "../bot/types.js";
import type { Config } from "../config.js";
import { type Logger, silentLogger } from "../log.js";
import type { Language } from "../search/languages/index.js";
import type { Subscriptions } from "../subscriptions/service.js";
import { SqliteSubscriptionStore } from "../subscriptions/sqlite-store.js";
import { expired, isAdmin, type LoopContext } from "./context.js";
import { onAnswered, pressFeedback } from "./feedback.js";
import { findGaps, gapBlocks } from "./gaps.js";
import { LOOP_COMMANDS } from "./messages.js";
import { notificationsReply, onUnknown, pressDrop, pressNotify } from "./notify.js";
import { type ReaskResult, reask } from "./reask.js";
import { RETENTION, SqliteLoopStore } from "./store.js";
import { pressQueue, queue, suggest } from "./suggest.js";

export interface LoopOptions {
  readonly config: Pick<Config, "admins" | "feedback" | "logMessageText">;
  readonly holder: KnowledgeHolder;
  readonly subscriptions: Pick<Subscriptions, "store" | "publisher" | "dispatchers" | "extensions">;
  readonly log?: Logger;
  readonly now?: () => number;
}

export interface Loop {
  /** Undefined where the loop is off (on PostgreSQL, for now). */
  readonly context: LoopContext | undefined;
  /** /notifications, /suggest, /queue, and /stats with the top gaps for admins. */
  readonly extensions: readonly CommandExtension[];
  /** The buttons on answers and on "I don't know", and what pressing them does. */
  readonly answers: AnswerExtension;
  /** Re-asks pending questions against the knowledge base now answering (one run at a time). */
  reask(): Promise<ReaskResult>;
  start(): void;
  stop(): Promise<void>;
}

/** How often records past their keep are looked for while the bot runs. */
const PRUNE_EVERY_MS = 6 * 3600_000;

type Press = (context: LoopContext, request: Request, data: string, language: Language) => Promise<Reply>;

const ACTIONS: readonly [string, Press][] = [
  ["ntf:", pressNotify],
  ["ntd:", pressDrop],
  ["fb:", pressFeedback],
  ["sq:", pressQueue],
];

export function openLoop(options: LoopOptions): Loop {
  const log = (options.log ?? silentLogger).child({ component: "loop" });
  const { config, holder, subscriptions } = options;
  // The loop's tables live in the SQLite database beside the outbox it queues to; its PostgreSQL
  // twin is not written yet, so with DATABASE_URL the loop is off and answers go without its buttons.
  if (!(subscriptions.store instanceof SqliteSubscriptionStore)) {
    log.warn("the feedback loop (notify me, feedback, /suggest) runs on SQLite only for now: it is off");
    return inactiveLoop();
  }
  const context: LoopContext = {
    store: new SqliteLoopStore(subscriptions.store.store, options.now),
    holder,
    admins: config.admins,
    feedback: config.feedback,
    logMessageText: config.logMessageText,
    now: options.now ?? Date.now,
    queued: (platforms) => {
      for (const dispatcher of subscriptions.dispatchers)
        if (platforms.has(dispatcher.platform)) dispatcher.notify();
    },
  };
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let pruning: NodeJS.Timeout | undefined;

  /** Forgets what outlived its keep (see RETENTION); at start, then every few hours. */
  const prune = () => {
    if (stopped) return;
    void context.store
      .prune(context.now(), RETENTION)
      .then((pruned) => {
        if (Object.values(pruned).some((n) => n > 0)) log.info(pruned, "old loop records forgotten");
      })
      .catch((error: unknown) => log.error({ err: error }, "forgetting old loop records failed"));
  };

  const run = (): Promise<ReaskResult> => {
    const next = chain.then(async () => {
      const result = await reask(context.store, holder.current, context.now());
      if (result.queued > 0) context.queued(result.platforms);
      if (result.changed > 0)
        log.info({ ...result, platforms: [...result.platforms] }, "pending questions asked again");
      return result;
    });
    chain = next.catch((error: unknown) => log.error({ err: error }, "re-asking pending questions failed"));
    return next;
  };

  subscriptions.publisher.onPublished(() => {
    if (!stopped) void run().catch(() => undefined);
  });

  const baseStats = subscriptions.extensions.find((extension) => extension.name === "stats");
  const commands: CommandExtension[] = [
    {
      ...LOOP_COMMANDS.notifications,
      handle: (request, _args, language) => notificationsReply(context, request, language),
    },
    {
      ...LOOP_COMMANDS.suggest,
      handle: (request, args, language) => suggest(context, request, args, language),
    },
    { ...LOOP_COMMANDS.queue, handle: (request, args, language) => queue(context, request, args, language) },
  ];
  if (baseStats) {
    // /stats as the subscriptions show it, and for admins the top 5 gaps under it.
    commands.push({
      ...baseStats,
      async handle(request, args, language) {
        const reply = await baseStats.handle(request, args, language);
        if (reply.tone === "error" || !isAdmin(context, request)) return reply;
        const gaps = await findGaps(context.store, 5, context.now());
        return { ...reply, blocks: [...reply.blocks, ...gapBlocks(gaps, holder.current.kb, language)] };
      },
    });
  }

  return {
    context,
    extensions: commands,
    answers: {
      prefixes: ACTIONS.map(([prefix]) => prefix),
      // The loop adds to answers; it never stands in their way: if its store fails, the answer goes as it is.
      async answered(request, answer, reply, language) {
        try {
          const asked = await onUnknown(context, request, answer, reply, language);
          return await onAnswered(context, request, answer, asked);
        } catch (error) {
          log.error({ err: error }, "could not record a question for the feedback loop");
          return reply;
        }
      },
      action(request, data, language) {
        const handler = ACTIONS.find(([prefix]) => data.startsWith(prefix))?.[1];
        return handler ? handler(context, request, data, language) : expired(language);
      },
    },
    reask: run,
    start() {
      prune();
      pruning ??= setInterval(prune, PRUNE_EVERY_MS);
      pruning.unref();
      void run().catch(() => undefined);
    },
    async stop() {
      stopped = true;
      if (pruning) clearInterval(pruning);
      await chain;
    },
  };
}

/** The loop, off: no commands, answers as they are. */
function inactiveLoop(): Loop {
  const done = async (): Promise<ReaskResult> => ({ asked: 0, changed: 0, queued: 0, platforms: new Set() });
  return {
    context: undefined,
    extensions: [],
    answers: { prefixes: [], answered: async (_request, _answer, reply) => reply },
    reask: done,
    start() {},
    async stop() {},
  };
}
