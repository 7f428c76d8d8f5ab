/**
 * Crash safety end to end: the real bot (dist/main.js, built once for the test run) in a child process, talking to the Telegram
 * stand-in through a small proxy that can hold requests. Twenty chats follow everything; the knowledge
 * base is edited on disk; once eight digests have been delivered and recorded and more are in flight,
 * the child is killed with SIGKILL. A new child on the same DATA_DIR must deliver the other twelve:
 * every chat ends with the digest exactly once.
 *
 * Why a proxy: a request the platform carried out but whose answer never reached the bot is the one
 * case no bot can settle without idempotency keys (see src/subscriptions/dispatcher.ts). Holding the
 * requests after the eighth makes the crash land where the outcome is knowable: the in-flight digests
 * never reached Telegram, so they must be sent after the restart, and the eight recorded ones must not.
 *
 * The child runs as `node dist/main.js`, not through npm, so that SIGKILL hits the bot itself rather
 * than a wrapper that would leave it running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import { openStore } from "../../src/subscriptions/store.js";
import { startTelegramStandIn } from "../fakes/telegram-api.js";
import { knowledgeCopy, NEW_FACT, tempDir } from "./support.js";

const app = inject("app");
const CHATS = Array.from({ length: 20 }, (_, i) => 5001 + i);
const DELIVERED_BEFORE_CRASH = 8;

type LogLine = { msg?: string; status?: string; chat?: string; [key: string]: unknown };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTP proxy to the stand-in that, once told, holds every sendMessage after the first `n`. */
async function startProxy(target: string) {
  let holdAfter = Number.POSITIVE_INFINITY;
  let forwarded = 0;
  const held: ServerResponse[] = [];
  const changes = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const isSend = /\/sendMessage$/i.test(req.url ?? "");
      if (isSend && forwarded >= holdAfter) {
        held.push(res); // never answered: the request never reaches Telegram
        for (const change of [...changes]) change();
        return;
      }
      if (isSend) forwarded++;
      const aborted = new AbortController();
      res.on("close", () => aborted.abort()); // the client died: let go of a held getUpdates upstream
      try {
        const upstream = await fetch(new URL(req.url ?? "/", target), {
          method: req.method ?? "GET",
          headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
          signal: aborted.signal,
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, {
          "content-type": upstream.headers.get("content-type") ?? "application/json",
        });
        res.end(body);
      } catch {
        res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    holdSendsAfter(n: number) {
      holdAfter = n;
      forwarded = 0;
    },
    /** Resolves once at least one request is being held. */
    holding: () =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (held.length === 0) return;
          changes.delete(check);
          resolve();
        };
        changes.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The bot as the image runs it, with its JSON log lines collected as they arrive. */
function startBot(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [app.main], {
    cwd: app.dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  let output = "";
  const waiters = new Set<() => void>();
  let partial = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += String(chunk);
    const text = partial + String(chunk);
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        // not a log line
      }
    }
    for (const waiter of [...waiters]) waiter();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += String(chunk);
  });
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  /** Resolves with the matching lines once there are `count` of them; rejects if the bot exits first. */
  const waitForLog = (predicate: (line: LogLine) => boolean, count = 1) =>
    new Promise<LogLine[]>((resolve, reject) => {
      const check = () => {
        const found = lines.filter(predicate);
        if (found.length < count) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      void exited.then(([code, signal]) => {
        if (waiters.has(check))
          reject(new Error(`bot exited (${code ?? signal}) before the log line; output:\n${output}`));
      });
      check();
    });
  return { child, exited, waitForLog, output: () => output };
}

const sent = (line: LogLine) => line.msg === "notification sent";

describe("crash safety", () => {
  it("a bot killed in the middle of a dispatch and restarted loses nothing and repeats nothing", async () => {
    const api = await startTelegramStandIn({ conflict: "terminate-old" });
    cleanups.push(() => api.close());
    const proxy = await startProxy(api.apiRoot);
    cleanups.push(() => proxy.close());
    const kb = knowledgeCopy();
    cleanups.push(kb.remove);
    const data = tempDir();
    cleanups.push(data.remove);

    const seed = openStore(data.dir);
    seed.subscribeMany(
      CHATS.map((id) => ({ chat: { platform: "telegram", id: String(id), kind: "private" }, topic: "all" })),
    );
    seed.close();
    const env = { TELEGRAM_BOT_TOKEN: api.token, DATA_DIR: data.dir, KNOWLEDGE_DIR: kb.dir };

    // First life: publish silently, then deliver the edit's digest until killed.
    const first = startBot({ ...env, TELEGRAM_API_ROOT: proxy.url });
    const [published] = await first.waitForLog((l) => l.msg === "knowledge base published");
    expect(published?.status).toBe("first");
    await first.waitForLog((l) => l.msg?.startsWith("watching the knowledge folder") === true);
    proxy.holdSendsAfter(DELIVERED_BEFORE_CRASH);
    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    await first.waitForLog(sent, DELIVERED_BEFORE_CRASH);
    await proxy.holding(); // more digests are in flight right now
    first.child.kill("SIGKILL");
    expect((await first.exited)[1]).toBe("SIGKILL");

    const digestsTo = () => {
      const counts = new Map<string, number>();
      for (const message of api.sentMessages()) {
        if ("text" in message && message.text.includes("settled the case in 2025")) {
          counts.set(String(message.chat.id), (counts.get(String(message.chat.id)) ?? 0) + 1);
        }
      }
      return counts;
    };
    expect([...digestsTo().values()]).toEqual(Array(DELIVERED_BEFORE_CRASH).fill(1));

    // Second life, straight to the stand-in: the rest, and nothing already delivered.
    const second = startBot({ ...env, TELEGRAM_API_ROOT: api.apiRoot });
    const [again] = await second.waitForLog((l) => l.msg === "knowledge base published");
    expect(again?.status).toBe("unchanged");
    await second.waitForLog(sent, CHATS.length - DELIVERED_BEFORE_CRASH);
    second.child.kill("SIGTERM");
    expect((await second.exited)[0], second.output()).toBe(0);

    const counts = digestsTo();
    expect([...counts.keys()].sort()).toEqual(CHATS.map(String));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const store = openStore(data.dir);
    cleanups.push(() => store.close());
    expect(store.stats().outbox).toEqual({ pending: 0, sent: CHATS.length, dead: 0 });
  }, 90_000);
});
