/**
 * Drains one platform's outbox through its Deliverer, within the platform's rate limits. It sends a
 * row only after claiming it in the store (OutboxStore.claim), so another dispatcher on the same
 * database never sends the same row.
 *
 * A row stays `pending` until the platform has said "sent"; it is marked sent in the same tick the
 * answer arrives, before anything else runs. So after a crash (kill -9 included) every row that was
 * not acknowledged is sent again and every acknowledged one is not: nothing is lost.
 *
 * What remains is the one window no bot can close on an API without idempotency keys (Telegram has
 * none): a request the platform has carried out but whose answer had not reached us when the process
 * died. At most `concurrency` messages are in that window at any moment; after a restart they are sent
 * again, so a crash at exactly that moment can repeat a digest, and never lose one. We choose "at
 * least once" for that window because a repeated update is a nuisance and a lost one is a silent
 * failure. A graceful stop (SIGTERM) waits for the sends in flight and leaves no such window.
 *
 * Outcomes: sent → done. retry (429) → the whole platform waits retry_after, and the row after it.
 * gone (blocked, kicked, chat not found, unknown channel, missing access) → the chat's subscriptions
 * are deleted and its pending rows die. moved (Telegram migrate_to_chat_id) → subscriptions and
 * pending rows follow the new id and the row is sent again at once. transient (network, 5xx) →
 * exponential backoff with jitter, dead after `maxAttempts`; several in a row, whatever the chat, pause
 * the whole platform with the same backoff (an outage should not use up every row's attempts).
 * failed → dead.
 *
 * Several instances on one PostgreSQL: each starts a dispatcher per platform, and only the one holding
 * the store's leadership for the platform (an advisory lock) sends; the others stand by, trying every
 * `standbyMs`, and the one that takes over releases the platform's claims (their holder died). On
 * SQLite leadership is always granted (DATA_DIR's lock already allows one process).
 *
 * When the store cannot record an outcome (disk full, read-only file system, I/O error), a send the
 * platform took is remembered in memory and never sent again; the dispatcher stops taking rows, tries
 * to record what it remembers with backoff, says so once (`storeFault`, `onStoreFault`, an error in
 * the log), and carries on when the store takes writes again. Only a restart before then forgets
 * what was sent, and those rows go out once more: at least once, never lost.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Platform, Reply } from "../bot/types.js";
import type { Logger } from "../log.js";
import { silentLogger } from "../log.js";
import type { Deliverer, DeliveryResult } from "./deliver.js";
import { type DispatchLimits, RateLimiter } from "./limits.js";
import { asSubscriptionStore } from "./sqlite-store.js";
import type { OutboxRow, Store } from "./store.js";
import type { Leadership, SubscriptionStore } from "./store-api.js";

export interface DispatcherOptions {
  readonly limits: DispatchLimits;
  readonly log?: Logger;
  /** First backoff after a transient failure; doubles each attempt. Default 2 s. */
  readonly backoffMs?: number;
  /** Longest backoff. Default 10 minutes. */
  readonly maxBackoffMs?: number;
  /** Attempts before a transiently failing row is given up. Default 25 (hours, with the backoff cap). */
  readonly maxAttempts?: number;
  /**
   * Transient failures in a row, across chats, after which the whole platform is paused (with the
   * same backoff): when Telegram or the network is down, rows should not burn their attempts. Default 3.
   */
  readonly outageAfter?: number;
  /** Longest idle wait before the outbox is looked at again. Default 30 s. */
  readonly idleMs?: number;
  readonly now?: () => number;
  /** Who claims rows; unique per dispatcher. Default: host, pid and a random part. */
  readonly owner?: string;
  /** How long a claim on a row holds; longer than any send takes. Default 10 minutes. */
  readonly leaseMs?: number;
  /** Called after each outcome is recorded (metrics, tests). */
  readonly onOutcome?: (row: OutboxRow, result: DeliveryResult) => void;
  /** Called on each failure to write to the store, and with undefined once writes work again. */
  readonly onStoreFault?: (fault: StoreFault | undefined) => void;
  /**
   * While another instance is the platform's active dispatcher (PostgreSQL), how often to try to
   * take over. Default 2 s, so a standby takes over well within 10 s of the active one dying.
   */
  readonly standbyMs?: number;
  /** Called when this dispatcher becomes the platform's active one, and when it stops being it. */
  readonly onActive?: (active: boolean) => void;
}

/** The store refuses writes: what the dispatcher knows about it while it waits. */
export interface StoreFault {
  /** When the first write failed. */
  readonly since: number;
  /** The last failure, as the store explains it (which file, what to do). */
  readonly error: string;
  /** Failed attempts to write so far. */
  readonly failures: number;
  /** Sends the platform took that are not recorded yet: kept in memory, never sent again. */
  readonly unrecorded: number;
}

/** How long the due rows of one look at the outbox are used before looking again. */
const BATCH_MS = 1_000;

/** Longest wait between attempts to write to a store that refuses writes. */
const STORE_RETRY_MAX_MS = 30_000;

export interface DispatcherStats {
  sent: number;
  rateLimited: number;
  gone: number;
  moved: number;
  transient: number;
  failed: number;
}

export class Dispatcher {
  readonly platform: Platform;
  /** The name this dispatcher's claims go under. */
  readonly owner: string;
  readonly stats: DispatcherStats = { sent: 0, rateLimited: 0, gone: 0, moved: 0, transient: 0, failed: 0 };
  private readonly limiter: RateLimiter;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly inFlight = new Map<number, { chatId: string; done: Promise<void> }>();
  private pausedUntil = 0;
  /** Transient failures since the last success, whatever the chat. */
  private failuresInARow = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set by notify(): something changed while the loop was busy, so it looks again at once. */
  private woken = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  /** The due rows of the last look at the outbox, less those claimed since, and when it was. */
  private batch: { rows: OutboxRow[]; at: number } | undefined;
  /** Digests by id: thousands of rows share one. */
  private readonly replies = new Map<number, Reply>();
  /** Rows the platform took whose "sent" the store has not recorded yet. */
  private readonly unrecorded = new Map<number, OutboxRow>();
  private fault: StoreFault | undefined;
  /** While the store refuses writes, when to try it again (apart from `pausedUntil`, the platform's). */
  private storeRetryAt = 0;
  private readonly store: SubscriptionStore;
  /** The right to be the platform's one active dispatcher (always ours on SQLite). */
  private readonly leader: Leadership;
  private active = false;
  /** Whether being active or standing by has been said yet. */
  private announced = false;

  constructor(
    store: Store | SubscriptionStore,
    private readonly deliverer: Deliverer,
    private readonly options: DispatcherOptions,
  ) {
    this.store = asSubscriptionStore(store);
    this.leader = this.store.leadership(`dispatch:${deliverer.platform}`);
    this.platform = deliverer.platform;
    this.limiter = new RateLimiter(options.limits);
    this.log = (options.log ?? silentLogger).child({ component: "dispatcher", platform: this.platform });
    this.now = options.now ?? Date.now;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((error: unknown) => {
      this.running = false;
      this.log.error({ err: error }, "dispatcher stopped on an error");
    });
  }

  /** New rows may be waiting: look now rather than at the next timer. */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Stops taking rows, waits for the sends in flight to be answered and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    try {
      if (this.unrecorded.size > 0) await this.flush();
    } catch (error) {
      this.log.error(
        { err: error, outbox: [...this.unrecorded.keys()] },
        "stopping with sends the store never recorded: they will be sent again after a restart",
      );
    }
    try {
      await this.store.releaseClaims(this.owner);
    } catch {
      // The next start, holding the data folder's lock, releases them.
    }
    await this.leader.release().catch(() => undefined);
    if (this.active) this.setActive(false);
  }

  /** Whether this dispatcher is its platform's active one (on SQLite, once started). */
  get isActive(): boolean {
    return this.active;
  }

  private setActive(active: boolean): void {
    if (this.active === active && this.announced) return;
    this.announced = true;
    this.active = active;
    this.log.info({ owner: this.owner }, active ? "active dispatcher" : "standing by");
    this.options.onActive?.(active);
  }

  /**
   * Becomes (or stays) the platform's active dispatcher. On taking over, the platform's claims are
   * let go: the one who held them has died (its lock went with its connection), so its rows go out again.
   */
  private async lead(): Promise<boolean> {
    if (this.active && this.leader.held) return true;
    this.batch = undefined;
    if (!(await this.leader.tryAcquire())) {
      this.setActive(false);
      return false;
    }
    if (this.leader.exclusive) {
      const released = await this.store.releaseClaims(undefined, this.platform);
      if (released > 0) this.log.warn({ released }, "rows claimed by a dispatcher that died are sent again");
    }
    this.setActive(true);
    return true;
  }

  /** Set while the store refuses writes; the dispatcher sends nothing meanwhile. */
  get storeFault(): StoreFault | undefined {
    return this.fault;
  }

  /** Resolves once nothing is in flight and no row is due now (rows backing off may remain). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notify();
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let waitMs: number | undefined;
      this.woken = false;
      try {
        if (await this.lead()) waitMs = await this.pump();
        else {
          waitMs = this.options.standbyMs ?? 2_000;
          this.resolveIdle(); // another instance sends: nothing for this one to do
        }
      } catch (error) {
        waitMs = this.storeFailed(error);
      }
      if (!this.running) break;
      if (this.woken) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (waitMs !== undefined) this.timer = setTimeout(resolve, Math.max(0, waitMs));
      });
      this.wake = undefined;
      clearTimeout(this.timer);
    }
  }

  /**
   * Starts every send that the limits allow now. Returns how long to wait before looking again;
   * undefined to wait for a send to finish or for notify().
   */
  private async pump(): Promise<number | undefined> {
    const now = this.now();
    const until = Math.max(this.pausedUntil, this.storeRetryAt);
    if (until > now) return until - now;
    // What was sent is recorded before anything else is sent (this throws while the store refuses).
    if (this.unrecorded.size > 0) await this.flush();
    const { concurrency } = this.options.limits;
    if (this.inFlight.size >= concurrency) return undefined;

    const busy = new Set([...this.inFlight.values()].map((f) => f.chatId));
    // The rows of the last look, while fresh: on PostgreSQL a look is a round trip, and waiting on
    // it before each send would cost the rate. A claim still decides whether a row is ours to send.
    const cached = this.batch && this.batch.rows.length > 0 && now - this.batch.at < BATCH_MS;
    const rows = cached
      ? [...(this.batch?.rows ?? [])]
      : await this.store.due(this.platform, now, Math.max(64, concurrency * 16), this.owner);
    if (!cached) this.batch = { rows: [...rows], at: now };
    const used = (row: OutboxRow) => {
      const left = this.batch?.rows;
      const at = left?.indexOf(row) ?? -1;
      if (left && at >= 0) left.splice(at, 1);
    };
    let soonest = Number.POSITIVE_INFINITY;
    const seen = new Set<string>();
    for (const row of rows) {
      if (this.inFlight.has(row.id)) continue;
      // One digest at a time per chat, oldest first: a chat's later rows wait for its first.
      if (busy.has(row.chatId) || seen.has(row.chatId)) continue;
      seen.add(row.chatId);
      const { ms, global } = this.limiter.delay(row.chatId, now);
      if (ms > 0) {
        soonest = Math.min(soonest, ms);
        if (global) break; // nobody may send: wait
        continue; // this chat must wait; others may not
      }
      if (!this.running || !this.leader.held) break;
      used(row);
      if (!(await this.store.claim(row.id, this.owner, now, this.options.leaseMs ?? 600_000))) continue; // another's
      this.wrote();
      this.send(row, now);
      busy.add(row.chatId);
      if (this.inFlight.size >= concurrency) return undefined;
    }

    if (this.inFlight.size === 0 && rows.length === 0) {
      // Nothing due: sleep until the next backoff ends, or until notified.
      this.resolveIdle();
      const next = await this.store.nextDue(this.platform);
      const idle = this.options.idleMs ?? 30_000;
      return next === undefined ? idle : Math.min(idle, Math.max(0, next - now));
    }
    if (Number.isFinite(soonest)) return soonest;
    // Rows are due but every one waits on a send in flight (or the batch was all busy chats).
    return this.inFlight.size > 0 ? undefined : 0;
  }

  private send(row: OutboxRow, now: number): void {
    const ticket = this.limiter.begin(row.chatId, now);
    const done = (async () => {
      let result: DeliveryResult;
      try {
        const reply = await this.reply(row.digest);
        result = reply
          ? await this.deliverer.deliver(row.chatId, reply, { key: `outbox-${row.id}` })
          : { status: "failed", reason: `digest ${row.digest} is missing` };
      } catch (error) {
        result = { status: "transient", reason: error instanceof Error ? error.message : String(error) };
      }
      this.limiter.end(ticket, this.now());
      try {
        await this.record(row, result);
        this.wrote();
      } catch (error) {
        // Sent but not recorded: remembered, so it is never sent again. Any other outcome leaves the
        // row pending, to be tried again (nothing reached the chat).
        if (result.status === "sent") this.unrecorded.set(row.id, row);
        this.storeFailed(error);
      }
      this.options.onOutcome?.(row, result);
    })().finally(() => {
      this.inFlight.delete(row.id);
      this.notify();
    });
    this.inFlight.set(row.id, { chatId: row.chatId, done });
  }

  private async record(row: OutboxRow, result: DeliveryResult): Promise<void> {
    const at = { outbox: row.id, chat: row.chatId, key: row.key };
    // Anything but "sent" may defer or move rows: the next look goes to the store.
    if (result.status !== "sent") this.batch = undefined;
    const now = this.now();
    switch (result.status) {
      case "sent":
        await this.store.markSent(row.id);
        this.failuresInARow = 0;
        this.stats.sent++;
        this.log.info(at, "notification sent");
        return;
      case "retry": {
        const until = now + Math.max(0, result.afterMs);
        this.pausedUntil = Math.max(this.pausedUntil, until);
        await this.store.defer(row, until, `rate limited for ${result.afterMs} ms`, false);
        this.stats.rateLimited++;
        this.log.warn({ ...at, afterMs: result.afterMs }, "rate limited: waiting");
        return;
      }
      case "gone": {
        const dropped = await this.store.dropChat(this.platform, row.chatId, result.reason);
        this.stats.gone++;
        this.log.info({ ...at, reason: result.reason, ...dropped }, "chat is gone: subscriptions dropped");
        return;
      }
      case "moved":
        if (result.chatId === row.chatId) {
          await this.store.markDead(row.id, `moved to itself (${result.chatId})`);
          this.stats.failed++;
          return;
        }
        await this.store.moveChat(this.platform, row.chatId, result.chatId);
        this.stats.moved++;
        this.log.info({ ...at, to: result.chatId }, "chat moved: subscriptions follow it");
        return;
      case "transient": {
        this.stats.transient++;
        const attempts = row.attempts + 1;
        const maxAttempts = this.options.maxAttempts ?? 25;
        if (attempts >= maxAttempts) {
          await this.store.markDead(row.id, `gave up after ${attempts} attempts: ${result.reason}`);
          this.log.error({ ...at, reason: result.reason, attempts }, "notification given up");
          return;
        }
        const base = this.options.backoffMs ?? 2_000;
        const cap = this.options.maxBackoffMs ?? 600_000;
        const delay = Math.min(cap, base * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4);
        const outageAfter = this.options.outageAfter ?? 3;
        if (++this.failuresInARow >= outageAfter) {
          const pause = Math.min(cap, base * 2 ** (this.failuresInARow - outageAfter));
          this.pausedUntil = Math.max(this.pausedUntil, now + pause);
          this.log.warn(
            { failuresInARow: this.failuresInARow, pauseMs: pause },
            "platform unreachable: pausing",
          );
        }
        await this.store.defer(row, now + Math.round(delay), result.reason, true);
        this.log.warn(
          { ...at, reason: result.reason, attempts, retryInMs: Math.round(delay) },
          "delivery failed: will retry",
        );
        return;
      }
      case "failed":
        await this.store.markDead(row.id, result.reason);
        this.stats.failed++;
        this.log.error({ ...at, reason: result.reason }, "notification refused by the platform");
        return;
    }
  }

  /** Records the sends remembered in memory, all at once; throws while the store refuses writes. */
  private async flush(): Promise<void> {
    const rows = [...this.unrecorded.values()];
    await this.store.transaction(async (tx) => {
      for (const row of rows) await tx.markSent(row.id);
    });
    for (const row of rows) this.unrecorded.delete(row.id);
    this.stats.sent += rows.length;
    this.wrote(rows.length);
  }

  /** A write succeeded: if the store had been refusing them, the pause is over. */
  private wrote(recorded = 0): void {
    const fault = this.fault;
    if (!fault) return;
    this.fault = undefined;
    this.storeRetryAt = 0;
    this.log.info(
      { recorded, pausedMs: this.now() - fault.since },
      "store writable again: notifications resume",
    );
    this.options.onStoreFault?.(undefined);
  }

  /** A write failed: pause with backoff (said once), and return how long to wait. */
  private storeFailed(error: unknown): number {
    const now = this.now();
    const failures = (this.fault?.failures ?? 0) + 1;
    this.fault = {
      since: this.fault?.since ?? now,
      error: this.store.explain(error),
      failures,
      unrecorded: this.unrecorded.size,
    };
    const cap = Math.min(STORE_RETRY_MAX_MS, this.options.maxBackoffMs ?? STORE_RETRY_MAX_MS);
    const waitMs = Math.min(cap, (this.options.backoffMs ?? 2_000) * 2 ** (failures - 1));
    this.storeRetryAt = now + waitMs;
    if (failures === 1) {
      this.log.error(
        { err: error, problem: this.fault.error, unrecorded: this.unrecorded.size },
        "cannot record notifications: sending paused until the store takes writes again",
      );
    }
    this.options.onStoreFault?.(this.fault);
    return waitMs;
  }

  private async reply(digest: number): Promise<Reply | undefined> {
    let reply = this.replies.get(digest);
    if (reply === undefined) {
      reply = await this.store.digest(digest);
      if (this.replies.size >= 32) this.replies.clear();
      if (reply) this.replies.set(digest, reply);
    }
    return reply;
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
