/**
 * What the bot keeps per chat and per user, in PostgreSQL when several instances share it: the
 * conversation's focus (a follow-up landing on another instance still knows the deal in focus) and
 * the flood gate's buckets (a limit holds across instances). On SQLite (one process) the bot's
 * in-memory Conversations and FloodGate stay: `sharedBotState` returns nothing to replace them.
 */
import type { Focus, SharedFocus } from "../answer/conversation.js";
import type { BotOptions } from "../bot/bot.js";
import { FLOOD_DEFAULTS, type FloodCounter, type FloodOptions } from "../bot/flood.js";
import type { PgStore } from "./pg-store.js";
import type { SubscriptionStore } from "./store-api.js";

/** Focus in the database; forgotten after `ttlMs` without a new message (Conversations' 30 minutes). */
export class PgFocus implements SharedFocus {
  constructor(
    private readonly store: PgStore,
    private readonly ttlMs = 30 * 60_000,
  ) {}

  async get(chat: string): Promise<Focus | undefined> {
    const text = await this.store.getFocus(chat, this.ttlMs);
    return text === undefined ? undefined : (JSON.parse(text) as Focus);
  }

  async set(chat: string, focus: Focus): Promise<void> {
    await this.store.setFocus(chat, JSON.stringify(focus));
  }
}

/** FloodGate's token bucket, kept in the database (one row per user, updated under a lock). */
export class PgFloodGate implements FloodCounter {
  private readonly burst: number;
  private readonly perSecond: number;

  constructor(
    private readonly store: PgStore,
    options: Omit<FloodOptions, "now"> = {},
  ) {
    this.burst = options.burst ?? FLOOD_DEFAULTS.burst;
    this.perSecond = options.perSecond ?? FLOOD_DEFAULTS.perSecond;
  }

  check(key: string): Promise<"allow" | "warn" | "ignore"> {
    return this.store.floodStep(key, this.burst, this.perSecond);
  }
}

/** The bot options that share per-chat state through `store`: none on SQLite. */
export function sharedBotState(store: SubscriptionStore): Pick<BotOptions, "sharedFocus" | "flood"> {
  if (store.kind !== "postgres") return {};
  const pg = store as PgStore;
  return { sharedFocus: new PgFocus(pg), flood: new PgFloodGate(pg) };
}
