import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RateLimiter, TELEGRAM_DISPATCH } from "../../src/subscriptions/limits.js";

describe("RateLimiter", () => {
  it("holds everyone at 30 a second, counting each send until a window after its answer", () => {
    const limiter = new RateLimiter(TELEGRAM_DISPATCH);
    for (let i = 0; i < 30; i++) limiter.end(limiter.begin(String(i + 1), i), i + 2);
    expect(limiter.delay("999", 30)).toEqual({ ms: 2 + 1000 - 30, global: true });
    expect(limiter.delay("999", 1002)).toEqual({ ms: 0, global: false });
  });

  it("holds one chat at one a second while others go", () => {
    const limiter = new RateLimiter(TELEGRAM_DISPATCH);
    limiter.end(limiter.begin("7", 0), 5);
    expect(limiter.delay("7", 10)).toEqual({ ms: 995, global: false });
    expect(limiter.delay("8", 10)).toEqual({ ms: 0, global: false });
  });

  it("waits for a send in flight when it is what fills the window", () => {
    const limiter = new RateLimiter(TELEGRAM_DISPATCH);
    limiter.begin("7", 0);
    expect(limiter.delay("7", 5_000).ms).toBe(Number.POSITIVE_INFINITY);
  });

  it("holds a group at 20 a minute, and only groups", () => {
    const limiter = new RateLimiter(TELEGRAM_DISPATCH);
    for (let i = 0; i < 20; i++) {
      const t = i * 1_500;
      limiter.end(limiter.begin("-100", t), t + 1);
      limiter.end(limiter.begin("100", t), t + 1);
    }
    expect(limiter.delay("-100", 30_000)).toEqual({ ms: 1 + 60_000 - 30_000, global: false });
    expect(limiter.delay("100", 30_000)).toEqual({ ms: 0, global: false });
  });

  it("never lets the platform see more than the limit in any window, whatever the latency", () => {
    // The platform counts a send at some moment between its start and its answer.
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 400 }),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          {
            minLength: 40,
            maxLength: 200,
          },
        ),
        (sends) => {
          const limiter = new RateLimiter({
            rules: [{ scope: "all", limit: 30, windowMs: 1_000 }],
            concurrency: 8,
          });
          const seen: number[] = [];
          const open: { end: number; ticket: ReturnType<RateLimiter["begin"]> }[] = [];
          let now = 0;
          for (const [chat, latency, where] of sends) {
            for (;;) {
              // Answers that have arrived by now are recorded first.
              open.sort((a, b) => a.end - b.end);
              while (open[0] && open[0].end <= now) {
                const done = open.shift();
                if (done) limiter.end(done.ticket, done.end);
              }
              const { ms } = limiter.delay(String(chat), now);
              if (ms === 0) break;
              now = Number.isFinite(ms) ? now + ms : (open[0]?.end ?? now + 1);
            }
            open.push({ end: now + latency, ticket: limiter.begin(String(chat), now) });
            seen.push(now + latency * where);
          }
          seen.sort((a, b) => a - b);
          for (let i = 30; i < seen.length; i++)
            expect((seen[i] ?? 0) - (seen[i - 30] ?? 0)).toBeGreaterThanOrEqual(1_000);
        },
      ),
    );
  });
});
