/**
 * The bot as the image runs it (`node dist/main.js`, on the app built once for the test run by
 * test/support/global-setup.ts), in a child process, with its JSON log lines collected as they
 * arrive. It runs node itself, not a wrapper such as `npm start`, so that a signal hits the bot
 * rather than a wrapper that would leave it running; and not through tsx, which compiled the bot
 * again at every start and doubled what each start cost.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { inject } from "vitest";

export type LogLine = { msg?: string; status?: string; chat?: string; [key: string]: unknown };

export interface BotProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code and signal. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves with the matching lines once there are `count` of them; rejects if the bot exits first. */
  waitForLog(predicate: (line: LogLine) => boolean, count?: number): Promise<LogLine[]>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGKILLs the bot if it still runs, and waits for it to go. */
  kill(): Promise<void>;
}

export function startBot(env: Record<string, string>): BotProcess {
  const app = inject("app");
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
  return {
    child,
    exited,
    waitForLog,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
