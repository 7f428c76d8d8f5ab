/**
 * `npm run bench:start` (also the end of `npm run bench`): how fast the bot starts.
 *
 * - Cold start: a fresh process opens the real knowledge base as the bot does, then answers a first
 *   question (bench/cold-start.ts), once with an empty cache (a version the bot has not seen) and
 *   once with the cache a previous start left.
 * - First prompt: `npm start` and `node dist/main.js` with no token, in a terminal (script(1) gives
 *   them one), from the command until "you> " shows.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.join(import.meta.dirname, "..");
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The machine the figures come from, for the README to say. */
export function machine(): string {
  const [one] = loadavg();
  return `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, load average ${one?.toFixed(1)} at the start`;
}

interface ColdStart {
  /** From opening the knowledge base to ready to take messages. */
  readonly ready: number;
  /** The first answer after that: the index read from the saved one (or built), then the answer. */
  readonly firstAnswer: number;
}

/** One cold start in a fresh process; `unseen`: with an empty cache, as for a version never seen. */
function coldStart(unseen: boolean): ColdStart {
  const empty = unseen ? mkdtempSync(path.join(tmpdir(), "receipts-bench-cache-")) : undefined;
  try {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "cold-start.ts")],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: empty ? { ...process.env, TMPDIR: empty } : process.env,
      },
    );
    return JSON.parse(out) as ColdStart;
  } finally {
    if (empty) rmSync(empty, { recursive: true, force: true });
  }
}

/** Milliseconds from running `command` in a terminal to its prompt; it is then told to /quit. */
function firstPrompt(command: string): Promise<number> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(TELEGRAM|DISCORD)_/.test(key) && !key.startsWith("npm_")) env[key] = value;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: ROOT, env });
    let output = "";
    let prompted: number | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      if (prompted === undefined && output.includes("you> ")) {
        prompted = performance.now() - started;
        child.stdin.write("/quit\n");
      }
    });
    child.on("close", () => {
      clearTimeout(timer);
      if (prompted === undefined) reject(new Error(`${command}: no prompt\n${output}`));
      else resolve(prompted);
    });
  });
}

export async function startReport(): Promise<string> {
  const lines = ["## Start-up\n"];
  coldStart(false); // the cache now holds this version
  const rows = [true, false].map((unseen) => {
    const runs = Array.from({ length: RUNS }, () => coldStart(unseen));
    const ready = median(runs.map((r) => r.ready));
    const first = median(runs.map((r) => r.firstAnswer));
    const total = median(runs.map((r) => r.ready + r.firstAnswer));
    const what = unseen ? "a version not seen before (validated, indexed)" : "a version seen before (cached)";
    return `| ${what} | ${ready.toFixed(0)} | ${first.toFixed(0)} | ${total.toFixed(0)} |`;
  });
  lines.push(
    `Cold start: a fresh process opens the real knowledge base, then answers a first question (median of ${RUNS}):\n`,
    "| knowledge base | ready ms | first answer ms | total ms |",
    "| --- | --- | --- | --- |",
    ...rows,
  );
  // Compiles what changed in src/ first, so that every run below is a start like any other.
  execFileSync("npm", ["start", "--silent"], {
    cwd: ROOT,
    input: "/quit\n",
    stdio: ["pipe", "ignore", "inherit"],
  });
  lines.push(
    `\nFirst prompt: from the command to "you> " in a terminal, no token set (median of ${RUNS}):\n`,
    "| command | first prompt ms | worst ms |",
    "| --- | --- | --- |",
  );
  for (const command of ["npm start", "node dist/main.js"]) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await firstPrompt(command));
    lines.push(`| \`${command}\` | ${median(times).toFixed(0)} | ${Math.max(...times).toFixed(0)} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] === import.meta.filename) {
  console.log(`Machine: ${machine()}\n`);
  console.log(await startReport());
}
