/**
 * Running on Telegram and Discord, step by step: logs and metrics, stopping on signals, the
 * subscription store, the bot layer (observed for metrics), the health server, one adapter per
 * configured platform, then the notification dispatchers and the knowledge watcher.
 */
import type { Adapter } from "./adapters/adapter.js";
import type { KnowledgeHolder } from "./answer/knowledge.js";
import { Bot } from "./bot/bot.js";
import type { Platform } from "./bot/types.js";
import type { Config } from "./config.js";
import { createLogger, type Logger, logQuestion } from "./log.js";
import { type Loop, openLoop } from "./loop/service.js";
import { type AdapterState, type HealthServer, startHealthServer } from "./ops/health.js";
import { Metrics } from "./ops/metrics.js";
import { observeQuestions } from "./ops/questions.js";
import { gracefulShutdown, type Shutdown } from "./ops/shutdown.js";
import { warm } from "./startup.js";
import type { Deliverer } from "./subscriptions/deliver.js";
import { DataDirLockedError } from "./subscriptions/lock.js";
import { openSubscriptions, type Subscriptions } from "./subscriptions/service.js";
import { sharedBotState } from "./subscriptions/shared-state.js";
import { StoreError } from "./subscriptions/store.js";

/** Attempts before the dispatcher gives a transiently failing notification up (its default). */
const MAX_ATTEMPTS = 10;

/** What is running, for /healthz and for stopping it in order. */
interface Running {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly states: Map<Platform, AdapterState>;
  /** Adapters that started. */
  readonly adapters: Adapter[];
  /** The adapter starting now, which a stop must stop too. */
  starting?: Adapter;
  subscriptions?: Subscriptions;
  loop?: Loop;
  health?: HealthServer;
}

export async function runOnPlatforms(config: Config, knowledge: KnowledgeHolder): Promise<number> {
  const running: Running = {
    log: createLogger({
      level: config.logLevel,
      secrets: [config.telegram?.token, config.discord?.token, databasePassword(config.databaseUrl)],
    }),
    metrics: new Metrics(),
    states: new Map(),
    adapters: [],
  };
  warm(knowledge); // before the first update, not during it
  const shutdown = stopOnSignals(running);
  const subscriptions = await openStore(running, config, knowledge);
  if (!subscriptions) return 1;
  running.loop = openLoop({ config, holder: knowledge, subscriptions, log: running.log });
  const bot = observedBot(running, config, knowledge, subscriptions, running.loop);
  if (!(await serveHealth(running, config, knowledge, shutdown))) return 1;
  if (config.telegram) {
    const telegram = await telegramAdapter(
      running,
      bot,
      shutdown,
      config.telegram,
      config.logMessageText,
      subscriptions,
    );
    if (!(await start(running, shutdown, telegram))) return 0;
  }
  if (config.discord) {
    const discord = await discordAdapter(running, bot, config.discord, config.logMessageText);
    if (!(await start(running, shutdown, discord))) return 0;
  }
  deliverNotifications(running, subscriptions);
  running.loop.start();
  running.log.info(
    { platforms: running.adapters.map((a) => a.platform), version: knowledge.current.kb.version },
    "receipts ready",
  );
  return 0;
}

/** SIGINT, SIGTERM or a fatal error: stop taking messages and notifications, let sends in flight finish, close SQLite. */
function stopOnSignals(running: Running): Shutdown {
  return gracefulShutdown({
    log: running.log,
    async stop() {
      for (const platform of running.states.keys()) running.states.set(platform, "stopped");
      const intake = [...running.adapters, ...(running.starting ? [running.starting] : [])];
      // Dispatchers stop first (no new sends; those in flight are answered and recorded) while the
      // adapters stop taking updates; both before the store closes under them.
      await Promise.allSettled([
        ...(running.subscriptions?.dispatchers ?? []).map((dispatcher) => dispatcher.stop()),
        ...intake.map((adapter) => adapter.stop()),
      ]);
      await running.loop?.stop();
      await running.subscriptions?.stop();
      await running.health?.close();
    },
  });
}

/**
 * Subscriptions in SQLite (DATA_DIR), or PostgreSQL when DATABASE_URL is set: the first start
 * publishes silently, later ones send digests of what changed while down.
 */
async function openStore(
  running: Running,
  config: Config,
  knowledge: KnowledgeHolder,
): Promise<Subscriptions | undefined> {
  const { metrics } = running;
  try {
    running.subscriptions = await openSubscriptions({
      config,
      holder: knowledge,
      log: running.log,
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
    await running.subscriptions.publishCurrent();
  } catch (error) {
    console.error(
      error instanceof DataDirLockedError || error instanceof StoreError
        ? error.message
        : `receipts: cannot open the subscription store in ${config.dataDir}: ${String(error)}`,
    );
    return undefined;
  }
  const subscriptions = running.subscriptions;
  metrics.watchOutbox(
    () => subscriptions.outboxDepth(),
    () => running.subscriptions?.storeFault()?.unrecorded ?? 0,
  );
  return running.subscriptions;
}

/** The bot layer with the subscription and feedback-loop commands; every question counted and logged. */
function observedBot(
  running: Running,
  config: Config,
  knowledge: KnowledgeHolder,
  subscriptions: Subscriptions,
  loop: Loop,
): Bot {
  return observeQuestions(
    new Bot(knowledge, {
      extensions: [...subscriptions.extensions, ...loop.extensions],
      answerExtensions: [loop.answers],
      settings: subscriptions.settings,
      ...(config.siteUrl ? { siteUrl: config.siteUrl } : {}),
      // On PostgreSQL, focus and flood buckets are shared by every instance.
      ...sharedBotState(subscriptions.store),
    }),
    ({ platform, status, seconds, text }) => {
      running.metrics.questionAnswered(platform, status, seconds);
      logQuestion(
        running.log,
        { platform, status, latencyMs: seconds * 1000, text },
        { messageText: config.logMessageText },
      );
    },
  );
}

/** /healthz and /metrics on HEALTH_PORT, when it is set; false when the port cannot be had. */
async function serveHealth(
  running: Running,
  config: Config,
  knowledge: KnowledgeHolder,
  shutdown: Shutdown,
): Promise<boolean> {
  if (config.healthPort === undefined) return true;
  try {
    running.health = await startHealthServer({
      port: config.healthPort,
      host: config.healthHost,
      metrics: running.metrics,
      log: running.log,
      providers: {
        adapters: () => [...running.states].map(([platform, state]) => ({ platform, state })),
        knowledge: () => {
          const { kb } = knowledge.current;
          return { version: kb.version, deals: kb.deals.size, facts: kb.facts.size };
        },
        outboxDepth: () => running.subscriptions?.outboxDepth() ?? 0,
        outboxFault: () => running.subscriptions?.storeFault(),
      },
    });
    return true;
  } catch (error) {
    console.error(
      `receipts: cannot listen on HEALTH_HOST ${config.healthHost} HEALTH_PORT ${config.healthPort} (${(error as NodeJS.ErrnoException).code ?? String(error)}): choose a free port and an address of this machine, or unset HEALTH_PORT`,
    );
    await shutdown.begin(1, "health listener failed");
    return false;
  }
}

/** The Telegram adapter (telegraf is loaded only when a token is set). */
async function telegramAdapter(
  running: Running,
  bot: Bot,
  shutdown: Shutdown,
  settings: NonNullable<Config["telegram"]>,
  logMessageText: boolean,
  subscriptions: Subscriptions,
) {
  const { createTelegramAdapter } = await import("./adapters/telegram/index.js");
  const { store } = subscriptions;
  return createTelegramAdapter({
    bot,
    ...settings,
    // Webhook mode: an update Telegram delivers twice (to any instance) is answered once.
    ...(settings.webhook
      ? {
          webhook: {
            ...settings.webhook,
            firstDelivery: (id: number) => store.firstDelivery("telegram", String(id)),
          },
        }
      : {}),
    log: running.log,
    logMessageText,
    // Another instance took over the token (409) or the token was revoked: exit 1, saying so.
    onFatal: (error) => {
      running.states.set("telegram", "failed");
      console.error(error.message);
      void shutdown.begin(1, "telegram stopped");
    },
  });
}

/** The Discord adapter (discord.js, the slowest module to load, only when a token is set). */
async function discordAdapter(
  running: Running,
  bot: Bot,
  settings: NonNullable<Config["discord"]>,
  logMessageText: boolean,
) {
  const { createDiscordAdapter } = await import("./adapters/discord/index.js");
  return createDiscordAdapter({ bot, ...settings, log: running.log, logMessageText });
}

/** Starts an adapter; false when it failed (the shutdown has begun) or a stop came first. */
async function start(running: Running, shutdown: Shutdown, adapter: Adapter): Promise<boolean> {
  if (shutdown.stopping) return false;
  running.states.set(adapter.platform, "starting");
  running.starting = adapter;
  try {
    await adapter.start();
  } catch (error) {
    if (shutdown.stopping) return false;
    running.states.set(adapter.platform, "failed");
    console.error(error instanceof Error ? error.message : String(error));
    await shutdown.begin(1, `${adapter.platform} did not start`);
    return false;
  } finally {
    running.starting = undefined;
  }
  if (shutdown.stopping) return false;
  running.adapters.push(adapter);
  running.states.set(adapter.platform, "ready");
  return true;
}

/** One dispatcher per platform adapter; reload on knowledge edits, SIGHUP and /reload. */
function deliverNotifications(running: Running, subscriptions: Subscriptions): void {
  for (const adapter of running.adapters)
    if ("deliver" in adapter) subscriptions.attach(adapter as Adapter & Deliverer);
  subscriptions.watch();
}

/** DATABASE_URL's password, kept out of the log like the tokens. */
function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
