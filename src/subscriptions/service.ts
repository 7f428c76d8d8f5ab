/**
 * Subscriptions as one piece platforms.ts can hold: the store, the publisher, the commands, a dispatcher
 * per platform adapter, and the knowledge watcher.
 *
 *   const subscriptions = await openSubscriptions({ config, holder, log });
 *   const bot = new Bot(holder, { extensions: subscriptions.extensions, settings: subscriptions.settings });
 *   await subscriptions.publishCurrent();  // first start: silent snapshot
 *   subscriptions.attach(telegramAdapter); // an Adapter that is also a Deliverer
 *   subscriptions.watch();                 // KNOWLEDGE_DIR changes and SIGHUP
 *   ...
 *   await subscriptions.stop();            // sends in flight finish, then the database closes
 *
 * SQLite in DATA_DIR (one process: DATA_DIR's lock keeps a second out) unless DATABASE_URL names
 * PostgreSQL, where several instances share the database: each platform's dispatcher is active on
 * one instance and stands by on the others (see Dispatcher and PgStore.leadership).
 */
import type { KnowledgeHolder } from "../answer/knowledge.js";
import type { CommandExtension } from "../bot/bot.js";
import type { ChatSettings } from "../bot/chat-settings.js";
import type { Platform } from "../bot/types.js";
import type { Config } from "../config.js";
import { type Logger, silentLogger } from "../log.js";
import { StoreChatSettings } from "./chat-settings.js";
import { subscriptionCommands } from "./commands.js";
import type { Deliverer } from "./deliver.js";
import { Dispatcher, type DispatcherOptions, type StoreFault } from "./dispatcher.js";
import { DEFAULT_DISPATCH, DISCORD_DISPATCH, type DispatchLimits, TELEGRAM_DISPATCH } from "./limits.js";
import { lockDataDir } from "./lock.js";
import { isPostgresUrl, openSubscriptionStore } from "./open.js";
import { Publisher, type PublishResult } from "./publisher.js";
import { SqliteSubscriptionStore } from "./sqlite-store.js";
import type { SubscriptionStore } from "./store-api.js";
import { type KnowledgeWatcher, watchKnowledge } from "./watcher.js";

export interface SubscriptionsOptions {
  readonly config: Pick<Config, "dataDir" | "knowledgeDir" | "admins"> & { readonly databaseUrl?: string };
  readonly holder: KnowledgeHolder;
  readonly log?: Logger;
  /** Per-platform limits; Telegram's and Discord's published ones by default. */
  readonly limits?: Partial<Record<Platform, DispatchLimits>>;
  readonly dispatcher?: Omit<DispatcherOptions, "limits" | "log">;
  /** Sent and dead outbox rows older than this are forgotten at start. Default 30 days. */
  readonly keepMs?: number;
}

export interface Subscriptions {
  readonly store: SubscriptionStore;
  readonly publisher: Publisher;
  readonly extensions: readonly CommandExtension[];
  /** Per-chat settings (the reply language) in the same store. */
  readonly settings: ChatSettings;
  readonly dispatchers: readonly Dispatcher[];
  /** Publishes the knowledge base now answering: silently on the first start, else with digests. */
  publishCurrent(): Promise<PublishResult>;
  /** Notifications waiting (for metrics and /healthz): SQLite's now, PostgreSQL's as of a few seconds ago. */
  outboxDepth(): number | undefined;
  /** Set while the dispatchers are paused because the store refuses writes. */
  storeFault(): StoreFault | undefined;
  /** Starts draining the outbox of the deliverer's platform. */
  attach(deliverer: Deliverer): Dispatcher;
  /** Reloads on changes to the knowledge folder and on SIGHUP. */
  watch(options?: { debounceMs?: number }): void;
  /** Stops watching and dispatching (sends in flight finish), then closes the database. */
  stop(): Promise<void>;
}

const LIMITS: Partial<Record<Platform, DispatchLimits>> = {
  telegram: TELEGRAM_DISPATCH,
  discord: DISCORD_DISPATCH,
};

export async function openSubscriptions(options: SubscriptionsOptions): Promise<Subscriptions> {
  const log = options.log ?? silentLogger;
  const { config, holder } = options;
  const shared = isPostgresUrl(config.databaseUrl);
  // One process per data folder: a second one stops here, naming the first. PostgreSQL is shared.
  const lock = shared ? { release() {} } : lockDataDir(config.dataDir);
  let store: SubscriptionStore;
  try {
    store = await openSubscriptionStore(config, { onWarning: (message) => log.warn(message) });
  } catch (error) {
    lock.release();
    throw error;
  }
  try {
    // SQLite: the lock says no other process uses the database, so claims left in it are a dead
    // process's. PostgreSQL: other instances are alive; a dispatcher that takes over releases them.
    if (!shared) {
      const released = await store.releaseClaims();
      if (released > 0) log.warn({ released }, "outbox rows claimed by a process that died are sent again");
    }
    const pruned = await store.prune(options.keepMs ?? 30 * 24 * 3600_000);
    if (pruned > 0) log.info({ pruned }, "old outbox rows forgotten");
  } catch (error) {
    await store.close().catch(() => undefined);
    lock.release();
    throw error;
  }
  let depth: number | undefined;
  const refreshDepth = () => {
    store.pendingCount().then(
      (n) => {
        depth = n;
      },
      () => undefined,
    );
  };
  const depthTimer = shared ? setInterval(refreshDepth, 5_000).unref() : undefined;
  if (shared) refreshDepth();
  const dispatchers: Dispatcher[] = [];
  let watcher: KnowledgeWatcher | undefined;
  let stopped = false;
  const publisher = new Publisher({
    store,
    holder,
    knowledgeDir: config.knowledgeDir,
    admins: config.admins,
    platforms: () => new Set(dispatchers.map((d) => d.platform)),
    onQueued: (platforms) => {
      for (const dispatcher of dispatchers) if (platforms.has(dispatcher.platform)) dispatcher.notify();
    },
    log,
  });
  const extensions = subscriptionCommands({
    store,
    holder,
    publisher,
    admins: config.admins,
    dispatchers: () => dispatchers,
  });

  return {
    store,
    publisher,
    extensions,
    settings: new StoreChatSettings(store),
    dispatchers,
    async publishCurrent() {
      const result = await publisher.publish(holder.current.kb);
      log.info(result, "knowledge base published");
      return result;
    },
    outboxDepth() {
      return store instanceof SqliteSubscriptionStore ? store.store.pendingCount() : depth;
    },
    storeFault() {
      const faults = dispatchers.map((d) => d.storeFault).filter((f) => f !== undefined);
      if (faults.length === 0) return undefined;
      // One store behind every dispatcher: one fault, with each dispatcher's unrecorded sends.
      return { ...(faults[0] as StoreFault), unrecorded: faults.reduce((sum, f) => sum + f.unrecorded, 0) };
    },
    attach(deliverer) {
      const limits = options.limits?.[deliverer.platform] ?? LIMITS[deliverer.platform] ?? DEFAULT_DISPATCH;
      const dispatcher = new Dispatcher(store, deliverer, { ...options.dispatcher, limits, log });
      dispatchers.push(dispatcher);
      dispatcher.start();
      return dispatcher;
    },
    watch(watchOptions = {}) {
      watcher ??= watchKnowledge(
        config.knowledgeDir,
        (trigger) => {
          if (stopped) return;
          void publisher
            .reload(trigger)
            .catch((error: unknown) => log.error({ err: error }, "reload failed"));
        },
        { log, ...watchOptions },
      );
      log.info({ dir: config.knowledgeDir }, "watching the knowledge folder; SIGHUP reloads too");
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      watcher?.close();
      await Promise.allSettled(dispatchers.map((d) => d.stop()));
      // A reload in progress finishes its transaction before the database closes.
      await publisher.settled();
      clearInterval(depthTimer);
      await store.close();
      lock.release();
    },
  };
}
