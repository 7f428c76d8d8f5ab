/**
 * Structured logs: pino JSON to stdout, one object a line (pipe through `npx pino-pretty` to
 * read them in a terminal). Tokens are never logged; users' message text only when enabled.
 */
import pino, { type Logger } from "pino";
import type { Platform } from "./bot/types.js";

export type { Logger };

export interface LogOptions {
  readonly level?: string;
  readonly destination?: NodeJS.WritableStream;
  /**
   * Strings scrubbed from every line wherever they appear (the bot tokens): a token inside an
   * error message or a URL is caught too, not only a field called `token`.
   */
  readonly secrets?: readonly (string | undefined)[];
}

/** What bot tokens look like, scrubbed even when nobody told us the token. */
const TOKEN_SHAPES = [
  // Telegram: bot id, colon, 35 characters (also inside /bot<token>/ URLs).
  /\d{6,}:[A-Za-z0-9_-]{30,}/g,
  // Discord: three base64url parts joined by dots.
  /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{25,}/g,
];

export function createLogger(options: LogOptions = {}): Logger {
  const secrets = [...new Set(options.secrets ?? [])]
    .filter((s): s is string => typeof s === "string" && s.length >= 8)
    // JSON-escaped as they would appear in a line.
    .map((s) => JSON.stringify(s).slice(1, -1));
  return pino(
    {
      level: options.level ?? "info",
      base: { app: "receipts" },
      redact: {
        paths: [
          "token",
          "*.token",
          "config.telegram.token",
          "config.discord.token",
          "authorization",
          "headers.authorization",
          "*.headers.authorization",
        ],
        censor: "[redacted]",
      },
      hooks: {
        streamWrite(line) {
          let out = line;
          for (const secret of secrets) out = out.split(secret).join("[redacted]");
          for (const shape of TOKEN_SHAPES) out = out.replace(shape, "[redacted]");
          return out;
        },
      },
    },
    options.destination ?? process.stdout,
  );
}

/** A logger that writes nothing, for tests and tools. */
export const silentLogger: Logger = pino({ level: "silent" });

export interface QuestionLog {
  readonly platform: Platform;
  readonly status: "answered" | "unknown";
  readonly latencyMs: number;
  /** What the user asked; logged only when `messageText` is on (LOG_MESSAGE_TEXT). */
  readonly text?: string;
}

/** The one line per answered question: platform, status and latency; the text only if allowed. */
export function logQuestion(
  log: Logger,
  entry: QuestionLog,
  options: { readonly messageText: boolean },
): void {
  log.info(
    {
      platform: entry.platform,
      status: entry.status,
      latencyMs: Math.round(entry.latencyMs * 10) / 10,
      ...(options.messageText && entry.text !== undefined ? { text: entry.text } : {}),
    },
    "question",
  );
}
