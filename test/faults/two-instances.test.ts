/**
 * Fault: two processes on one DATA_DIR (a second instance, or a second container on the same
 * volume). The second must not start at all: the data folder is locked at start, and the second
 * exits 1 at once, naming the holder. And should two writers ever share the database anyway, the
 * outbox's claims keep them from both sending one notification.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DeliveryResult } from "../../src/subscriptions/deliver.js";
import { Dispatcher } from "../../src/subscriptions/dispatcher.js";
import type { DispatchLimits } from "../../src/subscriptions/limits.js";
import { DataDirLockedError, LOCK_FILE, lockDataDir } from "../../src/subscriptions/lock.js";
import { openStore } from "../../src/subscriptions/store.js";
import { startTelegramStandIn } from "../fakes/telegram-api.js";
import { fakeDeliverer, knowledgeCopy, tempDir } from "../subscriptions/support.js";
import { startBot } from "../support/bot-process.js";
import { counts, queueDigest } from "./support.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const data = tempDir();
  cleanups.push(data.remove);
  return data.dir;
}

function lockAndRelease(dir: string): string {
  lockDataDir(dir).release();
  return dir;
}

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

describe("fault: two processes on one DATA_DIR", () => {
  it("the second exits 1 at once, naming the first one's pid, before it talks to any platform", async () => {
    const api = await startTelegramStandIn();
    cleanups.push(() => api.close());
    const kb = knowledgeCopy();
    cleanups.push(kb.remove);
    // Webhook mode, where nothing else (no 409 from Telegram) would stop a second instance.
    const env = {
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_WEBHOOK_URL: "https://receipts.invalid/telegram/hook",
      TELEGRAM_WEBHOOK_PORT: "0",
      TELEGRAM_WEBHOOK_SECRET: "a-secret-for-the-test",
      DATA_DIR: dataDir(),
      KNOWLEDGE_DIR: kb.dir,
    };
    const first = startBot(env);
    cleanups.push(first.kill);
    await first.waitForLog((l) => l.msg === "receipts ready");
    const callsBefore = api.calls.length;

    const second = startBot(env);
    cleanups.push(second.kill);
    const outcome = await Promise.race([
      second.exited.then(([code]) => code),
      second.waitForLog((l) => l.msg === "receipts ready").then(() => "started" as const),
    ]);
    expect(outcome, second.output()).toBe(1);
    expect(second.output()).toContain(`in use by another receipts process (pid ${first.child.pid}`);
    expect(second.output()).toContain(env.DATA_DIR);
    expect(api.calls.slice(callsBefore)).toEqual([]);
    expect(first.child.exitCode).toBe(null); // the first carries on
  }, 30_000);

  it("takes over a lock whose holder is gone, and refuses one whose holder is alive", () => {
    const dir = dataDir();
    const file = path.join(dir, LOCK_FILE);
    const write = (holder: object) => writeFileSync(file, `${JSON.stringify(holder)}\n`);

    // A folder that does not exist yet is created (0700), like the database's.
    expect(modeOf(lockAndRelease(path.join(dir, "new", "data")))).toBe("700");

    write({ pid: deadPid(), host: hostname() });
    const taken = lockDataDir(dir);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    // Even in one process, a second opening of the folder is a second writer.
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    taken.release();

    write({ pid: process.ppid, host: hostname() });
    expect(() => lockDataDir(dir)).toThrow(`(pid ${process.ppid}`);

    // Another machine's (or container's) process: alive as long as it keeps the lock fresh.
    write({ pid: 1, host: "another-container" });
    expect(() => lockDataDir(dir)).toThrow(/pid 1 on another-container/);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(file, longAgo, longAgo);
    lockDataDir(dir).release();
  });

  it("two writers on one database never both send a notification (the outbox claims rows)", async () => {
    const dir = dataDir();
    const chats = Array.from({ length: 24 }, (_, i) => String(i + 1));
    const seed = openStore(dir);
    queueDigest(seed, "v2", chats);
    seed.close();

    const limits: DispatchLimits = {
      rules: [{ scope: "all", limit: 1_000, windowMs: 1_000 }],
      concurrency: 4,
    };
    const slow = (): Promise<DeliveryResult> =>
      new Promise((resolve) => setTimeout(() => resolve({ status: "sent" }), 5));
    const writers = [0, 1].map(() => {
      const store = openStore(dir); // a connection of its own, as a second process would have
      const deliverer = fakeDeliverer("telegram", slow);
      const dispatcher = new Dispatcher(store, deliverer, { limits });
      cleanups.push(() => store.close());
      cleanups.push(() => dispatcher.stop());
      return { store, deliverer, dispatcher };
    });
    for (const { dispatcher } of writers) dispatcher.start();
    await Promise.all(writers.map(({ dispatcher }) => dispatcher.whenIdle()));

    const delivered = writers.flatMap(({ deliverer }) => deliverer.calls.map((c) => c.chatId));
    expect([...counts(delivered).entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(delivered.sort()).toEqual([...chats].sort());
  });
});
