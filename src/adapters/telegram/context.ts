/** What every part of the Telegram adapter shares: the bot layer, the Bot API client, the log, the stop signal. */
import type { Telegraf } from "telegraf";
import type { Chat } from "telegraf/types";
import type { Bot } from "../../bot/bot.js";
import type { Input } from "../../bot/types.js";
import type { Logger } from "../../log.js";

/** The updates the bot asks Telegram for, by polling or webhook. */
export const UPDATES: NonNullable<Telegraf.LaunchOptions["allowedUpdates"]> = [
  "message",
  "edited_message",
  "callback_query",
  "inline_query",
];

export interface TelegramContext {
  readonly bot: Bot;
  readonly telegraf: Telegraf;
  /** The adapter's child logger (`platform: "telegram"`). */
  readonly log: Logger;
  /** Log users' message text (debug level). */
  readonly logMessageText: boolean;
  /** A 429 asking to wait longer than this is not waited out. */
  readonly maxRetryAfterMs: number;
  /** Aborted when the adapter stops: cuts short any 429 wait. */
  readonly stopping: AbortSignal;
}

/** One debug line per update: its type, the chat's kind, what it asked; the text only when allowed. */
export function logUpdate(
  context: TelegramContext,
  type: string,
  chat: Chat | undefined,
  input: Input | undefined,
): void {
  const { log } = context;
  if (!log.isLevelEnabled("debug")) return;
  const text = input?.kind === "text" ? input.text : input?.kind === "command" ? input.args : undefined;
  log.debug(
    {
      update: type,
      chatKind: chat?.type,
      input: input?.kind ?? "ignored",
      ...(input?.kind === "command" ? { command: input.name } : {}),
      ...(context.logMessageText && text !== undefined ? { text } : { length: text?.length }),
    },
    "telegram: update",
  );
}
