/** The image's steps outside Docker: build with tsc, then run dist/main.js as the image does. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppDir, buildApp } from "./build.js";

let app: AppDir;
let data: string;
beforeAll(async () => {
  app = await buildApp();
  data = mkdtempSync(path.join(tmpdir(), "receipts-data-"));
}, 60_000);
afterAll(() => {
  rmSync(app.dir, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

/** The environment of a fresh container: none of this machine's bot settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TELEGRAM|DISCORD|KNOWLEDGE|DATA|ADMIN|HEALTH|LOG)_?/.test(key)) env[key] = value;
  }
  return { ...env, NODE_ENV: "production", DATA_DIR: data, ...extra };
}

function run(env: NodeJS.ProcessEnv, input: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["dist/main.js"], { cwd: app.dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
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
    const dotenv = `${app.dir}/.env`;
    writeFileSync(dotenv, "LOG_LEVEL=loud\nDATA_DIRR=/tmp\n");
    try {
      const { code, stderr } = await run(cleanEnv({ LOG_LEVEL: "info" }), "");
      expect(code).toBe(1);
      expect(stderr).toContain("DATA_DIRR is not a setting; did you mean DATA_DIR?");
      expect(stderr).not.toContain("LOG_LEVEL");
    } finally {
      rmSync(dotenv, { force: true });
    }
  });
});
