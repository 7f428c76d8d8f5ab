/** Per-user flood control: a token bucket per key, so a burst is fine and a flood is not. */
export interface FloodOptions {
  /** Messages a user may send in a burst. Default 8. */
  readonly burst?: number;
  /** Messages per second refilled. Default 0.5 (one every two seconds). */
  readonly perSecond?: number;
  readonly now?: () => number;
}

/** The defaults: bursts of 8, then one message every two seconds. */
export const FLOOD_DEFAULTS = { burst: 8, perSecond: 0.5 } as const;

/** One step of a flood gate: FloodGate in memory, or one shared by instances (subscriptions/shared-state.ts). */
export interface FloodCounter {
  check(key: string): "allow" | "warn" | "ignore" | Promise<"allow" | "warn" | "ignore">;
}

export class FloodGate implements FloodCounter {
  private readonly buckets = new Map<string, { tokens: number; at: number; warned: boolean }>();
  private readonly burst: number;
  private readonly perSecond: number;
  private readonly now: () => number;

  constructor(options: FloodOptions = {}) {
    this.burst = options.burst ?? FLOOD_DEFAULTS.burst;
    this.perSecond = options.perSecond ?? FLOOD_DEFAULTS.perSecond;
    this.now = options.now ?? Date.now;
  }

  /**
   * `allow` when the message may be answered; `warn` for the first one over the limit (say so,
   * politely); `ignore` for the rest until the bucket refills (saying it again helps nobody).
   */
  check(key: string): "allow" | "warn" | "ignore" {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now, warned: false };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 50_000) this.sweep(now);
    if (bucket.tokens < 1) {
      if (bucket.warned) return "ignore";
      bucket.warned = true;
      return "warn";
    }
    bucket.tokens -= 1;
    bucket.warned = false;
    return "allow";
  }

  private sweep(now: number): void {
    const full = this.burst / this.perSecond;
    for (const [key, bucket] of this.buckets) if ((now - bucket.at) / 1000 > full) this.buckets.delete(key);
  }
}
