/** Shared by the fault tests: a queued digest, a log to read, and waiting on events instead of sleeping. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Reply } from "../../src/bot/types.js";
import { createLogger, type Logger } from "../../src/log.js";
import type { Store } from "../../src/subscriptions/store.js";
import { REPO } from "../support/knowledge.js";

/** Queues one digest titled `title` for each chat (Telegram, private), subscribing them to everything. */
export function queueDigest(store: Store, title: string, chats: readonly string[]): void {
  const set = store.addChangeSet(undefined, title, {});
  const reply: Reply = { tone: "info", title, blocks: [], citations: [], actions: [] };
  const digest = store.addDigest(set, reply);
  for (const chat of chats) {
    store.subscribe({ platform: "telegram", id: chat, kind: "private" }, "all");
    store.enqueue("telegram", chat, `cs:${set}`, set, digest);
  }
}

type LogLine = { level: number; msg: string; [key: string]: unknown };

/** A logger whose JSON lines land in `lines`. */
export function capturedLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { log: createLogger({ level: "debug", destination }), lines };
}

/**
 * Something to wait on: `poke()` after anything that may have changed, `until(test)` resolves once
 * `test()` is true (checked at once and after each poke), or rejects after `timeoutMs`.
 */
export function signal() {
  const waiters = new Set<() => void>();
  return {
    poke(): void {
      for (const waiter of [...waiters]) waiter();
    },
    until(test: () => boolean, timeoutMs = 5_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${test.toString()}`));
        }, timeoutMs);
        const check = () => {
          if (!test()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** How many times each value occurs. */
export function counts(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const value of values) out.set(value, (out.get(value) ?? 0) + 1);
  return out;
}

/**
 * A small tmpfs mounted on a fresh folder, where this process may mount one (root with
 * CAP_SYS_ADMIN); undefined elsewhere, so the test that needs it is skipped.
 */
export function mountTmpfs(sizeKb: number): { dir: string; remove(): void } | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), "receipts-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k,mode=0700`, "tmpfs", dir], {
      stdio: "ignore",
    });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    remove() {
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `script` (an ES module, run from the repository's root, which may import ./src/*.ts) and
 * returns what it printed as JSON. As root, it runs as the unprivileged user nobody, for whom file
 * permissions mean something (root reads and writes anything); otherwise as this user.
 */
export function runUnprivileged<T>(script: string): T {
  const asRoot = process.getuid?.() === 0;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: REPO,
    encoding: "utf8",
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  if (child.status !== 0) throw new Error(`the unprivileged child failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as T;
}
