/**
 * Fault: the disk fills, or the file system turns read-only, in the middle of a fan-out. The
 * platform has taken a digest but the store cannot record that it did. Nothing may be sent twice:
 * the dispatcher remembers in memory what it sent, pauses with backoff, says so (a log line, a
 * metric, /healthz), and records everything once writes succeed again.
 */
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { health } from "../../src/ops/health.js";
import { Metrics } from "../../src/ops/metrics.js";
import type { DeliveryResult } from "../../src/subscriptions/deliver.js";
import { Dispatcher, type StoreFault } from "../../src/subscriptions/dispatcher.js";
import type { DispatchLimits } from "../../src/subscriptions/limits.js";
import { openStore, type Store } from "../../src/subscriptions/store.js";
import { fakeDeliverer, tempDir } from "../subscriptions/support.js";
import { capturedLog, counts, mountTmpfs, queueDigest, signal } from "./support.js";

const FAST: DispatchLimits = { rules: [{ scope: "all", limit: 1_000, windowMs: 1_000 }], concurrency: 2 };
const CHATS = ["1", "2", "3", "4", "5"];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Runs a fan-out to CHATS in which `breakWrites` is called as the second digest is handed over;
 * once the dispatcher has failed to record `failures` times, `mendWrites` is called. Returns what
 * was delivered and what the dispatcher said meanwhile.
 */
async function fanOutThroughFault(
  store: Store,
  breakWrites: () => void,
  mendWrites: () => void,
  failures = 4,
) {
  queueDigest(store, "v2", CHATS);
  const changed = signal();
  const faults: (StoreFault | undefined)[] = [];
  let n = 0;
  const deliverer = fakeDeliverer("telegram", (): DeliveryResult => {
    if (++n === 2) breakWrites();
    changed.poke();
    return { status: "sent" };
  });
  const { log, lines } = capturedLog();
  const dispatcher = new Dispatcher(store, deliverer, {
    limits: FAST,
    backoffMs: 5,
    log,
    onStoreFault: (fault) => {
      faults.push(fault);
      changed.poke();
    },
  });
  dispatcher.start();
  cleanups.push(() => dispatcher.stop());
  const repeated = () => [...counts(deliverer.calls.map((c) => c.chatId)).values()].some((k) => k > 1);

  await changed.until(() => faults.filter(Boolean).length >= failures || repeated());
  expect(repeated(), "a digest was sent twice while the store refused writes").toBe(false);
  // What an operator sees meanwhile: /healthz unhealthy, and the metric.
  const metrics = new Metrics({ processMetrics: false });
  metrics.watchOutbox(
    () => store.pendingCount(),
    () => dispatcher.storeFault?.unrecorded,
  );
  const during = {
    fault: dispatcher.storeFault,
    delivered: deliverer.calls.length,
    health: health({
      adapters: () => [{ platform: "telegram", state: "ready" }],
      knowledge: () => ({ version: "v2", deals: 1, facts: 1 }),
      outboxDepth: () => store.pendingCount(),
      outboxFault: () => dispatcher.storeFault,
    }),
    metrics: await metrics.text(),
  };
  mendWrites();
  await changed.until(() => faults.length > 0 && faults.at(-1) === undefined);
  await dispatcher.whenIdle();
  return { deliverer, during, lines, dispatcher };
}

const states = (store: Store) =>
  (store.db.prepare("SELECT state FROM outbox ORDER BY id").all() as { state: string }[]).map((r) => r.state);

describe("fault: a send cannot be recorded (disk full, read-only file system)", () => {
  it("sends nothing twice: pauses with backoff, says so, and records the sends once writes work again", async () => {
    const data = tempDir();
    cleanups.push(data.remove);
    const store = openStore(data.dir);
    cleanups.push(() => store.close());

    // SQLite's query_only: every write on this connection fails, as on a file system gone read-only.
    const { deliverer, during, lines } = await fanOutThroughFault(
      store,
      () => store.db.pragma("query_only = ON"),
      () => store.db.pragma("query_only = OFF"),
    );

    expect(during.fault).toMatchObject({ unrecorded: expect.any(Number), failures: expect.any(Number) });
    expect(during.fault?.unrecorded).toBeGreaterThanOrEqual(1);
    expect(during.fault?.error).toMatch(/readonly|read-only/i);
    expect(during.delivered).toBeLessThan(CHATS.length); // paused: the rest waited
    expect(during.health).toMatchObject({
      status: "degraded",
      outbox: {
        fault: { error: expect.stringContaining("is read-only"), unrecorded: during.fault?.unrecorded },
      },
    });
    expect(during.health.outbox.fault?.error).toContain(store.db.name); // names the file
    expect(during.metrics).toContain(`receipts_outbox_unrecorded ${during.fault?.unrecorded}`);
    expect([...counts(deliverer.calls.map((c) => c.chatId)).entries()].sort()).toEqual(
      CHATS.map((chat) => [chat, 1]),
    );
    expect(states(store)).toEqual(CHATS.map(() => "sent"));

    const paused = lines.filter((l) => l.msg.startsWith("cannot record notifications"));
    expect(paused).toHaveLength(1); // said once, not once a retry
    expect(paused[0]).toMatchObject({ level: 50, unrecorded: expect.any(Number) });
    expect(lines.some((l) => l.msg.startsWith("store writable again"))).toBe(true);
  });

  it("the same on a real full file system (a small tmpfs), where the test may mount one", async (ctx) => {
    const fs = mountTmpfs(1024);
    if (!fs) return ctx.skip();
    cleanups.push(fs.remove);
    const store = openStore(fs.dir);
    cleanups.push(() => store.close());
    const filler = path.join(fs.dir, "filler");

    const { deliverer, during } = await fanOutThroughFault(
      store,
      () => {
        const fd = openSync(filler, "w");
        try {
          const block = Buffer.alloc(64 * 1024);
          for (;;) writeSync(fd, block);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
        } finally {
          closeSync(fd);
        }
      },
      () => rmSync(filler),
    );

    expect(during.fault?.error).toMatch(/full/i);
    expect([...counts(deliverer.calls.map((c) => c.chatId)).values()]).toEqual(CHATS.map(() => 1));
    expect(states(store)).toEqual(CHATS.map(() => "sent"));
  });
});
