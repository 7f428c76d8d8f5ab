/**
 * The bot: load the knowledge base, build the bot layer, start an adapter per configured
 * platform (the console chat when none is), and stop cleanly on SIGINT/SIGTERM.
 */
import dotenv from "dotenv";
import type { Adapter } from "./adapters/adapter.js";
import { createConsoleAdapter } from "./adapters/console.js";
import { createDiscordAdapter } from "./adapters/discord/index.js";
import { createTelegramAdapter } from "./adapters/telegram/index.js";
import { buildKnowledge, KnowledgeHolder } from "./answer/knowledge.js";
import { Bot } from "./bot/bot.js";
import type { Platform } from "./bot/types.js";
import { type Config, ConfigError, loadCheckedConfig } from "./config.js";
import { loadKnowledgeDir } from "./knowledge/load.js";
import { formatProblem } from "./knowledge/report.js";
import { createLogger, logQuestion } from "./log.js";
import { type AdapterState, type HealthServer, startHealthServer } from "./ops/health.js";
import { Metrics } from "./ops/metrics.js";
import { observeQuestions } from "./ops/questions.js";
import { gracefulShutdown } from "./ops/shutdown.js";
import type { Deliverer } from "./subscriptions/deliver.js";
import { openSubscriptions, type Subscriptions } from "./subscriptions/service.js";

/** Attempts before the dispatcher gives a transiently failing notification up (its default). */
const MAX_ATTEMPTS = 10;

async function main(): Promise<number> {
  // A .env file in the working folder fills in what the environment does not set.
  const dotenvResult = dotenv.config({ quiet: true });
  const dotenvError = dotenvResult.error as NodeJS.ErrnoException | undefined;
  if (dotenvError && dotenvError.code !== "ENOENT")
    console.error(`receipts: cannot read .env: ${dotenvError.message}`);

  let config: Config;
  try {
    config = await loadCheckedConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  const loaded = await loadKnowledgeDir(config.knowledgeDir, { warnings: false });
  if (!loaded.ok) {
    for (const problem of loaded.errors) console.error(formatProblem(problem));
    console.error(`receipts: the knowledge base in ${config.knowledgeDir} has errors; run npm run kb:check`);
    return 1;
  }
  const knowledge = new KnowledgeHolder(buildKnowledge(loaded.kb));

  if (!config.telegram && !config.discord) {
    // The console chat writes to stdout, so it logs nothing there.
    const chat = createConsoleAdapter(new Bot(knowledge, { flood: null }));
    await chat.start();
    await chat.done;
    return 0;
  }

  const log = createLogger({
    level: config.logLevel,
    secrets: [config.telegram?.token, config.discord?.token],
  });
  const metrics = new Metrics();
  const states = new Map<Platform, AdapterState>();
  const adapters: Adapter[] = [];
  let starting: Adapter | undefined;
  let subscriptions: Subscriptions | undefined;
  let health: HealthServer | undefined;

  // Stop taking messages and notifications, let the sends in flight finish, close SQLite.
  const shutdown = gracefulShutdown({
    log,
    async stop() {
      for (const platform of states.keys()) states.set(platform, "stopped");
      const intake = [...adapters, ...(starting ? [starting] : [])];
      // Dispatchers stop first (no new sends; those in flight are answered and recorded) while the
      // adapters stop taking updates; both before the store closes under them.
      await Promise.allSettled([
        ...(subscriptions?.dispatchers ?? []).map((dispatcher) => dispatcher.stop()),
        ...intake.map((adapter) => adapter.stop()),
      ]);
      await subscriptions?.stop();
      await health?.close();
    },
  });

  // Subscriptions (SQLite in DATA_DIR) need a platform to deliver to: none in the console chat.
  try {
    subscriptions = openSubscriptions({
      config,
      holder: knowledge,
      log,
      dispatcher: {
        maxAttempts: MAX_ATTEMPTS,
        onOutcome: (row, result) => {
          if (result.status === "sent") metrics.notification(row.platform, "sent");
          else if (result.status === "retry") metrics.rateLimited(row.platform);
          else if (result.status === "gone") metrics.notification(row.platform, "dropped");
          else if (result.status === "failed") metrics.notification(row.platform, "failed");
          else if (result.status === "transient" && row.attempts + 1 >= MAX_ATTEMPTS)
            metrics.notification(row.platform, "failed");
        },
      },
    });
    subscriptions.publishCurrent(); // first start: silent; later: digests of what changed while down
  } catch (error) {
    console.error(`receipts: cannot open the subscription store in ${config.dataDir}: ${String(error)}`);
    return 1;
  }
  const store = subscriptions.store;
  metrics.watchOutbox(() => store.pendingCount());

  const bot = observeQuestions(
    new Bot(knowledge, { extensions: subscriptions.extensions }),
    ({ platform, status, seconds, text }) => {
      metrics.questionAnswered(platform, status, seconds);
      logQuestion(
        log,
        { platform, status, latencyMs: seconds * 1000, text },
        { messageText: config.logMessageText },
      );
    },
  );

  if (config.healthPort !== undefined) {
    try {
      health = await startHealthServer({
        port: config.healthPort,
        metrics,
        log,
        providers: {
          adapters: () => [...states].map(([platform, state]) => ({ platform, state })),
          knowledge: () => {
            const { kb } = knowledge.current;
            return { version: kb.version, deals: kb.deals.size, facts: kb.facts.size };
          },
          outboxDepth: () => store.pendingCount(),
        },
      });
    } catch (error) {
      console.error(
        `receipts: cannot listen on HEALTH_PORT ${config.healthPort} (${(error as NodeJS.ErrnoException).code ?? String(error)}): choose a free port, or unset HEALTH_PORT`,
      );
      await shutdown.begin(1, "health listener failed");
      return 1;
    }
  }

  const start = async (adapter: Adapter): Promise<boolean> => {
    states.set(adapter.platform, "starting");
    starting = adapter;
    try {
      await adapter.start();
    } catch (error) {
      if (shutdown.stopping) return false;
      states.set(adapter.platform, "failed");
      console.error(error instanceof Error ? error.message : String(error));
      await shutdown.begin(1, `${adapter.platform} did not start`);
      return false;
    } finally {
      starting = undefined;
    }
    if (shutdown.stopping) return false;
    adapters.push(adapter);
    states.set(adapter.platform, "ready");
    return true;
  };

  if (config.telegram) {
    const telegram = createTelegramAdapter({
      bot,
      ...config.telegram,
      log,
      logMessageText: config.logMessageText,
      // Another instance took over the token (409) or the token was revoked: exit 1, saying so.
      onFatal: (error) => {
        states.set("telegram", "failed");
        console.error(error.message);
        void shutdown.begin(1, "telegram stopped");
      },
    });
    if (!(await start(telegram))) return 0;
  }

  if (config.discord) {
    const discord = createDiscordAdapter({
      bot,
      ...config.discord,
      log,
      logMessageText: config.logMessageText,
    });
    if (!(await start(discord))) return 0;
  }

  // Notifications: one dispatcher per platform adapter; reload on knowledge edits, SIGHUP and /reload.
  for (const adapter of adapters)
    if ("deliver" in adapter) subscriptions.attach(adapter as Adapter & Deliverer);
  subscriptions.watch();
  log.info(
    { platforms: adapters.map((a) => a.platform), version: knowledge.current.kb.version },
    "receipts ready",
  );
  return 0;
}

const code = await main();
if (code !== 0) process.exit(code);
