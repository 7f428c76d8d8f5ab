/**
 * Every setting the bot reads from the environment, in one typed place. `loadConfig` lists
 * every problem at once, each with what to do about it, instead of failing on the first.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import { closest, distance } from "fastest-levenshtein";

export interface Config {
  readonly knowledgeDir: string;
  readonly dataDir: string;
  /** PostgreSQL (postgres://…) shared by several instances; unset: SQLite in dataDir. */
  readonly databaseUrl?: string;
  readonly telegram?: {
    readonly token: string;
    readonly apiRoot?: string;
    /** Webhook mode when set; long polling otherwise. */
    readonly webhook?: { readonly url: string; readonly port: number; readonly secret: string };
  };
  readonly discord?: {
    readonly token: string;
    readonly apiRoot?: string;
    /** Register commands in this guild only (fast, for development) instead of globally. */
    readonly guildId?: string;
    /** The gateway shards this instance runs, of `shardCount` (several instances on one bot). */
    readonly shards?: readonly number[];
    readonly shardCount?: number;
  };
  /** `platform:userId` pairs allowed to /reload and /stats. */
  readonly admins: ReadonlySet<string>;
  readonly healthPort?: number;
  /** Where the health server listens: 127.0.0.1 unless HEALTH_HOST says otherwise. */
  readonly healthHost: string;
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  /** Log users' message text (off by default: it is theirs). */
  readonly logMessageText: boolean;
  /** Public base URL of the generated site (`npm run site`): answers link to its deal pages when set. */
  readonly siteUrl?: string;
  /** 👍/👎 buttons on answers (FEEDBACK=off hides them). */
  readonly feedback: boolean;
}

/** Every variable we read, with a line for the README and for typo hints. */
export const VARIABLES = {
  TELEGRAM_BOT_TOKEN: "starts the Telegram adapter (from @BotFather)",
  TELEGRAM_API_ROOT: "Bot API root URL (a local stand-in in tests)",
  TELEGRAM_WEBHOOK_URL: "public HTTPS URL for webhook mode (long polling when unset)",
  TELEGRAM_WEBHOOK_PORT: "port the webhook server listens on (default 8443)",
  TELEGRAM_WEBHOOK_SECRET: "secret token Telegram sends with each webhook request (required in webhook mode)",
  DISCORD_TOKEN: "starts the Discord adapter",
  DISCORD_API_ROOT: "REST root URL, e.g. http://127.0.0.1:PORT/api (tests)",
  DISCORD_GUILD_ID: "register slash commands in this guild only (development)",
  DISCORD_SHARDS:
    "the gateway shard ids this instance runs, e.g. 0,1 (with DISCORD_SHARD_COUNT; unset: one shard)",
  DISCORD_SHARD_COUNT: "how many shards the bot has across every instance (with DISCORD_SHARDS)",
  KNOWLEDGE_DIR: "the knowledge base (default ./knowledge)",
  DATA_DIR: "where the SQLite file lives (default ./data)",
  DATABASE_URL:
    "postgres://user:password@host:5432/db to share one PostgreSQL between several instances (unset: SQLite in DATA_DIR)",
  ADMIN_IDS: "admins, e.g. telegram:123,discord:456",
  HEALTH_PORT: "port for /healthz and /metrics (off when unset)",
  HEALTH_HOST: "address /healthz and /metrics listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
  LOG_LEVEL: "trace, debug, info (default), warn, error, fatal or silent",
  LOG_MESSAGE_TEXT: "true to log users' message text (default false)",
  SITE_URL:
    "public base URL of the generated site; answers link deal labels to their pages (unset: no links)",
  FEEDBACK: "off hides the 👍/👎 buttons on answers (default on)",
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`receipts: configuration problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Names other bots and tutorials use for our settings, too far from ours for the typo check. */
const ALIASES: Readonly<Record<string, keyof typeof VARIABLES>> = {
  TELEGRAM_TOKEN: "TELEGRAM_BOT_TOKEN",
  TELEGRAM_API_URL: "TELEGRAM_API_ROOT",
  DISCORD_BOT_TOKEN: "DISCORD_TOKEN",
  DISCORD_API_URL: "DISCORD_API_ROOT",
  KNOWLEDGE_PATH: "KNOWLEDGE_DIR",
  DATA_PATH: "DATA_DIR",
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const get = (name: keyof typeof VARIABLES) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const url = (name: keyof typeof VARIABLES): string | undefined => {
    const value = get(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") return value;
    } catch {
      // reported below
    }
    problems.push(`${name} must be an http(s) URL (got ${JSON.stringify(value)})`);
    return undefined;
  };
  const port = (name: keyof typeof VARIABLES, fallback?: number): number | undefined => {
    const value = get(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
    problems.push(`${name} must be a port number from 0 to 65535 (got ${JSON.stringify(value)})`);
    return fallback;
  };

  const telegramToken = get("TELEGRAM_BOT_TOKEN");
  if (telegramToken && !/^\d+:[A-Za-z0-9_-]{20,}$/.test(telegramToken)) {
    problems.push(
      "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then 20+ letters): copy it again from @BotFather",
    );
  }
  const telegramApiRoot = url("TELEGRAM_API_ROOT");
  const webhookUrl = url("TELEGRAM_WEBHOOK_URL");
  const webhookPort = port("TELEGRAM_WEBHOOK_PORT", 8443) as number;
  const webhookSecret = get("TELEGRAM_WEBHOOK_SECRET");
  if (webhookSecret && !/^[A-Za-z0-9_-]{1,256}$/.test(webhookSecret)) {
    problems.push("TELEGRAM_WEBHOOK_SECRET may use only A-Z, a-z, 0-9, _ and - (1 to 256 characters)");
  }
  if (webhookUrl && !webhookSecret) {
    problems.push(
      "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode (TELEGRAM_WEBHOOK_URL is set): without it anyone who finds the URL can post updates. Make one with `openssl rand -hex 32`",
    );
  }

  const discordToken = get("DISCORD_TOKEN");
  if (discordToken && !/^[A-Za-z0-9_.-]{50,}$/.test(discordToken)) {
    problems.push(
      "DISCORD_TOKEN does not look like a bot token: copy it again from the Developer Portal (Bot → Reset Token)",
    );
  }
  const discordApiRoot = url("DISCORD_API_ROOT");
  const guildId = get("DISCORD_GUILD_ID");
  if (guildId && !/^\d{5,25}$/.test(guildId)) problems.push("DISCORD_GUILD_ID must be a numeric server id");
  const shardList = get("DISCORD_SHARDS");
  const shardTotal = get("DISCORD_SHARD_COUNT");
  const shards = shardList?.split(",").map((id) => Number(id.trim()));
  const shardCount = shardTotal === undefined ? undefined : Number(shardTotal);
  if ((shardList === undefined) !== (shardTotal === undefined))
    problems.push("DISCORD_SHARDS and DISCORD_SHARD_COUNT go together: set both (e.g. 0,1 and 4) or neither");
  else if (shards && shardCount !== undefined) {
    if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 10_000)
      problems.push(`DISCORD_SHARD_COUNT must be a whole number from 1 (got ${JSON.stringify(shardTotal)})`);
    else if (!shards.every((id) => Number.isInteger(id) && id >= 0 && id < shardCount))
      problems.push(
        `DISCORD_SHARDS must be shard ids from 0 to ${shardCount - 1}, separated by commas (got ${JSON.stringify(shardList)})`,
      );
  }

  const admins = new Set<string>();
  for (const entry of (get("ADMIN_IDS") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    if (/^(telegram|discord|console):[\w-]+$/.test(entry)) admins.add(entry);
    else problems.push(`ADMIN_IDS entry ${JSON.stringify(entry)} must look like telegram:123 or discord:456`);
  }

  const logLevel = (get("LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  const logText = (get("LOG_MESSAGE_TEXT") ?? "false").toLowerCase();
  if (!["true", "false", "1", "0", "yes", "no"].includes(logText))
    problems.push("LOG_MESSAGE_TEXT must be true or false");

  const feedback = (get("FEEDBACK") ?? "on").toLowerCase();
  if (!["on", "off", "true", "false", "1", "0", "yes", "no"].includes(feedback))
    problems.push("FEEDBACK must be on or off");

  const databaseUrl = get("DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/i.test(databaseUrl))
    problems.push(
      "DATABASE_URL must be a PostgreSQL URL, postgres://user:password@host:5432/database (or unset it to use SQLite in DATA_DIR)",
    );

  const healthPort = port("HEALTH_PORT");
  const siteUrl = url("SITE_URL");
  const healthHost = get("HEALTH_HOST") ?? "127.0.0.1";
  if (isIP(healthHost) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(healthHost))
    problems.push(
      `HEALTH_HOST must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0 (got ${JSON.stringify(healthHost)})`,
    );

  // A variable that is almost one of ours, or another bot's name for one of ours, is most
  // likely meant as ours; left alone it would be silently ignored.
  const known = Object.keys(VARIABLES);
  for (const name of Object.keys(env)) {
    if (
      name in VARIABLES ||
      !/^(TELEGRAM|DISCORD|KNOWLEDGE|DATA|ADMIN|HEALTH|LOG|SITE|FEEDBACK)_?/.test(name)
    )
      continue;
    const near = ALIASES[name] ?? closest(name, known);
    if (ALIASES[name] || distance(name, near) <= 3)
      problems.push(`${name} is not a setting; did you mean ${near}? Rename it (or unset it)`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    knowledgeDir: path.resolve(get("KNOWLEDGE_DIR") ?? "knowledge"),
    dataDir: path.resolve(get("DATA_DIR") ?? "data"),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(telegramToken
      ? {
          telegram: {
            token: telegramToken,
            ...(telegramApiRoot ? { apiRoot: telegramApiRoot } : {}),
            ...(webhookUrl && webhookSecret
              ? { webhook: { url: webhookUrl, port: webhookPort, secret: webhookSecret } }
              : {}),
          },
        }
      : {}),
    ...(discordToken
      ? {
          discord: {
            token: discordToken,
            ...(discordApiRoot ? { apiRoot: discordApiRoot } : {}),
            ...(guildId ? { guildId } : {}),
            ...(shards && shardCount !== undefined ? { shards: [...new Set(shards)], shardCount } : {}),
          },
        }
      : {}),
    admins,
    ...(healthPort !== undefined ? { healthPort } : {}),
    healthHost,
    logLevel: logLevel as Config["logLevel"],
    logMessageText: ["true", "1", "yes"].includes(logText),
    ...(siteUrl ? { siteUrl } : {}),
    feedback: !["off", "false", "0", "no"].includes(feedback),
  };
}

/** Just the knowledge folder, as loadConfig reads it, for checking it when the rest is wrong. */
function knowledgeDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.KNOWLEDGE_DIR?.trim() || "knowledge");
}

/**
 * What `loadConfig` cannot see without touching the disk: DATA_DIR can be created and written
 * (a probe file is written and removed), KNOWLEDGE_DIR is a folder with a sources.yaml. Returns
 * every problem, each with what to do; none when all is well.
 */
export async function checkEnvironment(
  config: Pick<Config, "dataDir" | "knowledgeDir">,
): Promise<readonly string[]> {
  return [...(await checkDataDir(config.dataDir)), ...(await checkKnowledgeDir(config.knowledgeDir))];
}

async function checkDataDir(dataDir: string): Promise<string[]> {
  try {
    await makeDir(dataDir);
    const probe = path.join(dataDir, `.write-probe-${process.pid}-${randomBytes(4).toString("hex")}`);
    await writeFile(probe, "");
    await rm(probe, { force: true });
    return [];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return [
      code === "EEXIST" || code === "ENOTDIR"
        ? `DATA_DIR ${dataDir} cannot be a folder: it or a folder above it is a file; set DATA_DIR to a folder (it is created if missing)`
        : `DATA_DIR ${dataDir} is not writable (${code}): give the bot's user write access to it, or set DATA_DIR to a folder it can write (in Docker, mount a volume at /data that uid 1000, the node user, can write)`,
    ];
  }
}

/** KNOWLEDGE_DIR is a folder with a sources.yaml: the check every entry point makes, in these words. */
async function checkKnowledgeDir(knowledgeDir: string): Promise<string[]> {
  const knowledgeStat = await stat(knowledgeDir).catch(() => undefined);
  if (!knowledgeStat?.isDirectory()) {
    return [
      `KNOWLEDGE_DIR ${knowledgeDir} is not a folder: set KNOWLEDGE_DIR to the knowledge base (the folder with sources.yaml), or run from the repository's root`,
    ];
  }
  if (!(await stat(path.join(knowledgeDir, "sources.yaml")).catch(() => undefined))?.isFile()) {
    return [
      `KNOWLEDGE_DIR ${knowledgeDir} has no sources.yaml: point KNOWLEDGE_DIR at the knowledge base folder (see knowledge/README.md)`,
    ];
  }
  return [];
}

/**
 * `loadConfig` and `checkEnvironment` together, for every entry point: throws one ConfigError
 * listing every problem of both, so a broken setup is fixed in one round. The command-line tools,
 * which keep nothing in DATA_DIR, pass `{ dataDir: false }` to leave it unchecked (and uncreated).
 */
export async function loadCheckedConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly dataDir?: boolean } = {},
): Promise<Config> {
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const dirs = config ?? {
    dataDir: path.resolve(env.DATA_DIR?.trim() || "data"),
    knowledgeDir: knowledgeDir(env),
  };
  problems.push(
    ...(options.dataDir === false
      ? await checkKnowledgeDir(dirs.knowledgeDir)
      : await checkEnvironment(dirs)),
  );
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

/**
 * `mkdir -p` that gives up: node's own recursive mkdir loops forever where a parent exists
 * but creating in it says ENOENT (under /proc, for one). Folders are created 0700: the data
 * folder holds chat and user ids.
 */
async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if ((await stat(dir)).isDirectory()) return;
      throw error;
    }
    const parent = path.dirname(dir);
    if (code !== "ENOENT" || parent === dir) throw error;
    await makeDir(parent);
    await mkdir(dir, { mode: 0o700 });
  }
}
