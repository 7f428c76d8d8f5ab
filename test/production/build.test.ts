/** The image's steps outside Docker: built with tsc (test/support/global-setup.ts), dist/main.js run as the image runs it. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";

const app = inject("app");
const data = mkdtempSync(path.join(tmpdir(), "receipts-data-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** The environment of a fresh container: none of this machine's bot settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TELEGRAM|DISCORD|KNOWLEDGE|DATA|ADMIN|HEALTH|LOG)_?/.test(key)) env[key] = value;
  }
  return { ...env, NODE_ENV: "production", DATA_DIR: data, ...extra };
}

/**
 * Runs dist/main.js (from the app folder, or from `cwd` with the app's knowledge base) with
 * `input` piped in, or with no input at all (null: stdin is /dev/null, as in a detached container).
 */
function run(env: NodeJS.ProcessEnv, input: string | null, cwd = app.dir) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [app.main], {
      cwd,
      env: { KNOWLEDGE_DIR: path.join(app.dir, "knowledge"), ...env },
      stdio: [input === null ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (input !== null) child.stdin?.end(input);
  });
}

describe("node dist/main.js", () => {
  it("answers a piped question in the console chat and exits 0", async () => {
    const { code, stdout, stderr } = await run(cleanEnv(), "did facebook let netflix read messages?\n");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/Netflix/);
    expect(stdout).toMatch(/\nSources:\n\[1\] /);
  });

  it("lists every configuration problem and exits 1", async () => {
    const { code, stdout, stderr } = await run(
      cleanEnv({ TELEGRAM_BOT_TOKN: "x", LOG_LEVEL: "loud", KNOWLEDGE_DIR: path.join(data, "none") }),
      "",
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("receipts: configuration problems:");
    expect(stderr).toContain("TELEGRAM_BOT_TOKN is not a setting; did you mean TELEGRAM_BOT_TOKEN?");
    expect(stderr).toContain("LOG_LEVEL must be one of");
    expect(stderr).toContain("KNOWLEDGE_DIR");
  });

  it("reads a .env file in the working folder, the real environment winning", async () => {
    // A folder of its own: other tests run from the app folder meanwhile.
    const folder = mkdtempSync(path.join(tmpdir(), "receipts-dotenv-"));
    writeFileSync(path.join(folder, ".env"), "LOG_LEVEL=loud\nDATA_DIRR=/tmp\n");
    try {
      const { code, stderr } = await run(cleanEnv({ LOG_LEVEL: "info" }), "", folder);
      expect(code).toBe(1);
      expect(stderr).toContain("DATA_DIRR is not a setting; did you mean DATA_DIR?");
      expect(stderr).not.toContain("LOG_LEVEL");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("without a token, a terminal or any input (a detached container), exits 1 naming the variables to set", async () => {
    for (const input of [null, ""]) {
      const { code, stdout, stderr } = await run(cleanEnv(), input);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/no platform token is set and there is no terminal/);
      expect(stderr).toMatch(/TELEGRAM_BOT_TOKEN or DISCORD_TOKEN \(see \.env\.example\)/);
    }
  });
});
