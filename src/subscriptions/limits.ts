/**
 * Sliding-window rate limits for outgoing notifications, one limiter per platform.
 *
 * A send occupies a window from the moment it starts until `windowMs` after its answer arrives. The
 * platform counts it at some moment in between, so counting the whole span means that however the
 * network delays a request, the platform never sees more than `limit` sends in any window: no 429s by
 * construction, at the price of one round trip per window (30 per 1,001 ms on a 1 ms link).
 */

export interface RateRule {
  /** "all": every send; "chat": per chat; "group": per chat that `isGroup` says is a group. */
  readonly scope: "all" | "chat" | "group";
  readonly limit: number;
  readonly windowMs: number;
}

export interface DispatchLimits {
  readonly rules: readonly RateRule[];
  /** Sends in flight at once. More hides network latency; each is a message that a crash leaves unsure. */
  readonly concurrency: number;
  /** Which chat ids are groups, for "group" rules. */
  readonly isGroup?: (chatId: string) => boolean;
}

/**
 * Telegram's published limits: about 30 messages a second overall, one a second per chat, 20 a
 * minute per group (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
 * Group and supergroup ids are negative.
 */
export const TELEGRAM_DISPATCH: DispatchLimits = {
  rules: [
    { scope: "all", limit: 30, windowMs: 1_000 },
    { scope: "chat", limit: 1, windowMs: 1_000 },
    { scope: "group", limit: 20, windowMs: 60_000 },
  ],
  concurrency: 4,
  isGroup: (chatId) => chatId.startsWith("-"),
};

/**
 * Discord allows 50 requests a second per bot and about 5 messages per 5 seconds per channel; its
 * REST client also queues on the rate-limit headers, so these stay a little under.
 */
export const DISCORD_DISPATCH: DispatchLimits = {
  rules: [
    { scope: "all", limit: 40, windowMs: 1_000 },
    { scope: "chat", limit: 5, windowMs: 5_000 },
  ],
  concurrency: 4,
};

/** Limits for a platform without published ones: gentle. */
export const DEFAULT_DISPATCH: DispatchLimits = {
  rules: [
    { scope: "all", limit: 10, windowMs: 1_000 },
    { scope: "chat", limit: 1, windowMs: 1_000 },
  ],
  concurrency: 2,
};

interface Span {
  readonly start: number;
  /** When the answer arrived; undefined while in flight. */
  end: number | undefined;
}

export interface Ticket {
  readonly spans: readonly Span[];
}

export class RateLimiter {
  private readonly windows = new Map<string, Span[]>();
  private readonly longest: number;
  private sweptAt = 0;

  constructor(private readonly limits: DispatchLimits) {
    this.longest = Math.max(0, ...limits.rules.map((rule) => rule.windowMs));
  }

  /**
   * Milliseconds until a send to `chatId` is allowed: 0 now; Infinity when it waits for a send in
   * flight to finish. `global` says whether the wait is for everyone, not just this chat.
   */
  delay(chatId: string, now: number): { ms: number; global: boolean } {
    let ms = 0;
    let global = false;
    for (const rule of this.limits.rules) {
      const key = this.keyOf(rule, chatId);
      if (key === undefined) continue;
      const wait = this.waitFor(key, rule, now);
      if (wait > ms) {
        ms = wait;
        global = rule.scope === "all";
      } else if (wait > 0 && wait === ms && rule.scope === "all") {
        global = true;
      }
    }
    return { ms, global };
  }

  /** Records the start of a send; pass the ticket to `end` when its answer arrives. */
  begin(chatId: string, now: number): Ticket {
    const spans: Span[] = [];
    for (const rule of this.limits.rules) {
      const key = this.keyOf(rule, chatId);
      if (key === undefined) continue;
      const span: Span = { start: now, end: undefined };
      const list = this.windows.get(key) ?? [];
      list.push(span);
      this.windows.set(key, list);
      spans.push(span);
    }
    return { spans };
  }

  end(ticket: Ticket, now: number): void {
    for (const span of ticket.spans) span.end = now;
    if (now - this.sweptAt > this.longest) this.sweep(now);
  }

  private keyOf(rule: RateRule, chatId: string): string | undefined {
    if (rule.scope === "all") return `all/${rule.windowMs}`;
    if (rule.scope === "group" && !this.limits.isGroup?.(chatId)) return undefined;
    return `${rule.scope}/${rule.windowMs}/${chatId}`;
  }

  private waitFor(key: string, rule: RateRule, now: number): number {
    const list = this.windows.get(key);
    if (!list) return 0;
    const live = list.filter((span) => span.end === undefined || span.end > now - rule.windowMs);
    if (live.length !== list.length) {
      if (live.length === 0) this.windows.delete(key);
      else this.windows.set(key, live);
    }
    if (live.length < rule.limit) return 0;
    // The oldest (live.length - limit + 1) spans must leave the window; spans in flight leave last.
    const ends = live.map((span) => span.end ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    const leaving = ends[live.length - rule.limit] ?? Number.POSITIVE_INFINITY;
    return Math.max(1, leaving + rule.windowMs - now);
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, list] of this.windows) {
      const live = list.filter((span) => span.end === undefined || span.end > now - this.longest);
      if (live.length === 0) this.windows.delete(key);
      else if (live.length !== list.length) this.windows.set(key, live);
    }
  }
}
