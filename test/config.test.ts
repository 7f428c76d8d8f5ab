import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, checkEnvironment, loadCheckedConfig, loadConfig, VARIABLES } from "../src/config.js";

const TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const DISCORD_TOKEN = `MTA${"x".repeat(21)}.GaBcDe.${"y".repeat(38)}`;

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

async function asyncProblemsOf(run: () => Promise<unknown>): Promise<readonly string[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

let dir: string;
let knowledge: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "receipts-config-"));
  knowledge = path.join(dir, "knowledge");
  mkdirSync(knowledge);
  writeFileSync(path.join(knowledge, "sources.yaml"), "sources: []\n");
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe("loadConfig", () => {
  it("defaults to a console chat with ./knowledge and ./data", () => {
    const config = loadConfig({});
    expect(config.telegram).toBeUndefined();
    expect(config.discord).toBeUndefined();
    expect(config.knowledgeDir).toBe(path.resolve("knowledge"));
    expect(config.dataDir).toBe(path.resolve("data"));
    expect(config.healthPort).toBeUndefined();
    expect(config.logLevel).toBe("info");
    expect(config.logMessageText).toBe(false);
    expect(config.admins.size).toBe(0);
    expect(config.siteUrl).toBeUndefined();
  });

  it("reads every setting", () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: "http://127.0.0.1:9000",
      TELEGRAM_WEBHOOK_URL: "https://bot.example.org/telegram",
      TELEGRAM_WEBHOOK_PORT: "8444",
      TELEGRAM_WEBHOOK_SECRET: "s3cret_-x",
      DISCORD_TOKEN,
      DISCORD_API_ROOT: "http://127.0.0.1:9001/api",
      DISCORD_GUILD_ID: "123456789012345678",
      KNOWLEDGE_DIR: knowledge,
      DATA_DIR: path.join(dir, "data"),
      ADMIN_IDS: "telegram:42, discord:77",
      HEALTH_PORT: "8080",
      LOG_LEVEL: "DEBUG",
      LOG_MESSAGE_TEXT: "yes",
      SITE_URL: "https://receipts.example.org/",
    });
    expect(config.telegram).toEqual({
      token: TELEGRAM_TOKEN,
      apiRoot: "http://127.0.0.1:9000",
      webhook: { url: "https://bot.example.org/telegram", port: 8444, secret: "s3cret_-x" },
    });
    expect(config.discord).toEqual({
      token: DISCORD_TOKEN,
      apiRoot: "http://127.0.0.1:9001/api",
      guildId: "123456789012345678",
    });
    expect(config.knowledgeDir).toBe(knowledge);
    expect([...config.admins]).toEqual(["telegram:42", "discord:77"]);
    expect(config.healthPort).toBe(8080);
    expect(config.logLevel).toBe("debug");
    expect(config.logMessageText).toBe(true);
    expect(config.siteUrl).toBe("https://receipts.example.org/");
  });

  it("shows feedback buttons unless FEEDBACK is off, and says so for a value it cannot read", () => {
    expect(loadConfig({}).feedback).toBe(true);
    expect(loadConfig({ FEEDBACK: "off" }).feedback).toBe(false);
    expect(loadConfig({ FEEDBACK: "On" }).feedback).toBe(true);
    expect(() => loadConfig({ FEEDBACK: "maybe" })).toThrow("FEEDBACK must be on or off");
  });

  it("treats blank values as unset", () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: "  ", HEALTH_PORT: "" }).telegram).toBeUndefined();
  });

  it("lists every problem at once, each saying what to do", () => {
    const problems = problemsOf(() =>
      loadConfig({
        TELEGRAM_BOT_TOKEN: "not-a-token",
        DISCORD_TOKEN: "short",
        TELEGRAM_API_ROOT: "ftp://example.org",
        HEALTH_PORT: "99999",
        LOG_LEVEL: "loud",
        LOG_MESSAGE_TEXT: "maybe",
        ADMIN_IDS: "telegram:1,slack:2",
        DISCORD_GUILD_ID: "my-server",
        TELEGRAM_BOT_TOKN: TELEGRAM_TOKEN,
        SITE_URL: "receipts.example.org",
        SITE_ULR: "https://receipts.example.org",
      }),
    );
    expect(problems).toHaveLength(11);
    const has = (pattern: RegExp) =>
      expect(
        problems.some((p) => pattern.test(p)),
        String(pattern),
      ).toBe(true);
    has(/^TELEGRAM_BOT_TOKEN does not look like a bot token.*@BotFather/);
    has(/^DISCORD_TOKEN does not look like a bot token.*Developer Portal/);
    has(/^TELEGRAM_API_ROOT must be an http\(s\) URL/);
    has(/^HEALTH_PORT must be a port number from 0 to 65535 \(got "99999"\)/);
    has(/^LOG_LEVEL must be one of trace, debug/);
    has(/^LOG_MESSAGE_TEXT must be true or false/);
    has(/^ADMIN_IDS entry "slack:2"/);
    has(/^DISCORD_GUILD_ID must be a numeric server id/);
    has(/^TELEGRAM_BOT_TOKN is not a setting; did you mean TELEGRAM_BOT_TOKEN\?/);
    has(/^SITE_URL must be an http\(s\) URL \(got "receipts.example.org"\)/);
    has(/^SITE_ULR is not a setting; did you mean SITE_URL\?/);
  });

  it("puts every problem in the error's message, one a line", () => {
    try {
      loadConfig({ LOG_LEVEL: "loud", HEALTH_PORT: "x" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        [
          "receipts: configuration problems:",
          "  - LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent",
          '  - HEALTH_PORT must be a port number from 0 to 65535 (got "x")',
        ].join("\n"),
      );
    }
  });

  it("hints at the setting a near-miss name meant", () => {
    expect(problemsOf(() => loadConfig({ TELEGRAM_BOT_TOKN: "x" }))).toEqual([
      "TELEGRAM_BOT_TOKN is not a setting; did you mean TELEGRAM_BOT_TOKEN? Rename it (or unset it)",
    ]);
    expect(problemsOf(() => loadConfig({ HEALTHPORT: "8080", DATADIR: "/tmp" }))).toEqual([
      "HEALTHPORT is not a setting; did you mean HEALTH_PORT? Rename it (or unset it)",
      "DATADIR is not a setting; did you mean DATA_DIR? Rename it (or unset it)",
    ]);
  });

  it("knows the names other bots use for our settings", () => {
    expect(problemsOf(() => loadConfig({ TELEGRAM_TOKEN, DISCORD_BOT_TOKEN: DISCORD_TOKEN }))).toEqual([
      "TELEGRAM_TOKEN is not a setting; did you mean TELEGRAM_BOT_TOKEN? Rename it (or unset it)",
      "DISCORD_BOT_TOKEN is not a setting; did you mean DISCORD_TOKEN? Rename it (or unset it)",
    ]);
  });

  it("leaves other programs' variables alone", () => {
    expect(() =>
      loadConfig({ PATH: "/bin", HOME: "/root", LOGNAME: "root", REDIS_URL: "x", LOG_FORMAT: "json" }),
    ).not.toThrow();
  });

  it("never puts a token in a problem", () => {
    const token = "123456789:short";
    const problems = problemsOf(() => loadConfig({ TELEGRAM_BOT_TOKEN: token, DISCORD_TOKEN: "abc.def" }));
    for (const problem of problems) {
      expect(problem).not.toContain(token);
      expect(problem).not.toContain("abc.def");
    }
  });

  it("documents every variable it reads", () => {
    for (const [name, text] of Object.entries(VARIABLES)) {
      expect(name).toMatch(/^[A-Z][A-Z_]+$/);
      expect(text.length).toBeGreaterThan(10);
    }
  });
});

describe("checkEnvironment", () => {
  it("creates DATA_DIR and leaves no probe behind", async () => {
    const dataDir = path.join(dir, "data", "nested");
    expect(await checkEnvironment({ dataDir, knowledgeDir: knowledge })).toEqual([]);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("reports a DATA_DIR that is a file", async () => {
    const file = path.join(dir, "file");
    writeFileSync(file, "");
    for (const dataDir of [file, path.join(file, "below")]) {
      const problems = await checkEnvironment({ dataDir, knowledgeDir: knowledge });
      expect(problems).toEqual([
        `DATA_DIR ${dataDir} cannot be a folder: it or a folder above it is a file; set DATA_DIR to a folder (it is created if missing)`,
      ]);
    }
  });

  it.skipIf(process.getuid?.() === 0)("reports a DATA_DIR the bot may not write", async () => {
    const dataDir = path.join(dir, "locked");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o500);
    const problems = await checkEnvironment({ dataDir, knowledgeDir: knowledge });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATA_DIR .* is not writable \(EACCES\): give the bot's user write access/);
  });

  it.runIf(process.platform === "linux")("reports a DATA_DIR nobody may create, even root", async () => {
    const dataDir = "/proc/receipts-data";
    const problems = await checkEnvironment({ dataDir, knowledgeDir: knowledge });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^DATA_DIR \/proc\/receipts-data is not writable \(E[A-Z]+\): .*volume at \/data/,
    );
  });

  it("reports a missing knowledge base, and one without sources.yaml", async () => {
    const dataDir = path.join(dir, "data");
    const missing = path.join(dir, "nowhere");
    expect(await checkEnvironment({ dataDir, knowledgeDir: missing })).toEqual([
      `KNOWLEDGE_DIR ${missing} is not a folder: set KNOWLEDGE_DIR to the knowledge base (the folder with sources.yaml), or run from the repository's root`,
    ]);
    const empty = path.join(dir, "empty");
    mkdirSync(empty);
    expect(await checkEnvironment({ dataDir, knowledgeDir: empty })).toEqual([
      `KNOWLEDGE_DIR ${empty} has no sources.yaml: point KNOWLEDGE_DIR at the knowledge base folder (see knowledge/README.md)`,
    ]);
  });

  it("accepts the repository's own knowledge base", async () => {
    expect(
      await checkEnvironment({ dataDir: path.join(dir, "data"), knowledgeDir: path.resolve("knowledge") }),
    ).toEqual([]);
  });
});

describe("loadCheckedConfig", () => {
  it("returns the configuration when all is well", async () => {
    const config = await loadCheckedConfig({ KNOWLEDGE_DIR: knowledge, DATA_DIR: path.join(dir, "data") });
    expect(config.dataDir).toBe(path.join(dir, "data"));
  });

  it("lists setting problems and disk problems together", async () => {
    const file = path.join(dir, "file");
    writeFileSync(file, "");
    const problems = await asyncProblemsOf(() =>
      loadCheckedConfig({
        TELEGRAM_BOT_TOKEN: "oops",
        TELEGRAM_BOT_TOKN: "x",
        KNOWLEDGE_DIR: path.join(dir, "missing"),
        DATA_DIR: file,
      }),
    );
    expect(problems.map((p) => p.split(" ")[0])).toEqual([
      "TELEGRAM_BOT_TOKEN",
      "TELEGRAM_BOT_TOKN",
      "DATA_DIR",
      "KNOWLEDGE_DIR",
    ]);
  });

  it("leaves DATA_DIR alone for the command-line tools, and checks the rest as for the bot", async () => {
    const dataDir = path.join(dir, "untouched");
    const config = await loadCheckedConfig(
      { KNOWLEDGE_DIR: knowledge, DATA_DIR: dataDir },
      { dataDir: false },
    );
    expect(config.knowledgeDir).toBe(knowledge);
    expect(existsSync(dataDir)).toBe(false);
    const problems = await asyncProblemsOf(() =>
      loadCheckedConfig({ LOG_LEVEL: "loud", KNOWLEDGE_DIR: path.join(dir, "missing") }, { dataDir: false }),
    );
    expect(problems.map((p) => p.split(" ")[0])).toEqual(["LOG_LEVEL", "KNOWLEDGE_DIR"]);
  });
});
