/**
 * Bot API failures, by cause: what the dispatcher should do about one (`classify`), which ones stop
 * the adapter for good (`fatalError`), and how to log one without the token or users' text.
 */
import { TelegramError } from "telegraf";
import type { DeliveryResult } from "../../subscriptions/deliver.js";

/** Polling or start-up stopped in a way a restart of this process will not fix. */
export class TelegramFatalError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = "TelegramFatalError";
  }
}

/** How a failed Bot API call went, in the dispatcher's words. */
export function classify(error: unknown): Exclude<DeliveryResult, { status: "sent" }> {
  if (error instanceof TelegramError) {
    const { code, description } = error;
    const parameters = error.parameters;
    if (code === 429) return { status: "retry", afterMs: (parameters?.retry_after ?? 1) * 1000 };
    if (code === 403) return { status: "gone", reason: description };
    if (code === 400 && parameters?.migrate_to_chat_id !== undefined) {
      return { status: "moved", chatId: String(parameters.migrate_to_chat_id) };
    }
    if (code === 400 && /chat not found/i.test(description)) return { status: "gone", reason: description };
    if (code >= 500) return { status: "transient", reason: `${code}: ${description}` };
    return { status: "failed", reason: `${code}: ${description}` };
  }
  if (isNetworkError(error)) return { status: "transient", reason: reasonOf(error) };
  return { status: "failed", reason: reasonOf(error) };
}

export function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof TelegramError) || error.code !== 429) return undefined;
  return (error.parameters?.retry_after ?? 1) * 1000;
}

export function isNotModified(error: unknown): boolean {
  return (
    error instanceof TelegramError && error.code === 400 && /message is not modified/i.test(error.description)
  );
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === "FetchError" ||
    error.name === "AbortError" ||
    (typeof code === "string" && /^(E[A-Z]+|UND_ERR\w*)$/.test(code))
  );
}

/** Another getUpdates took over this token's long poll (not a webhook set meanwhile: also 409). */
export function isPollingConflict(error: unknown): boolean {
  return (
    error instanceof TelegramError && error.code === 409 && /getUpdates request/i.test(error.description)
  );
}

export function fatalError(error: unknown): TelegramFatalError {
  if (isPollingConflict(error)) {
    return new TelegramFatalError(
      `receipts: Telegram answered long polling with 409 Conflict (${(error as TelegramError).description}). ` +
        "Another process is taking updates for this TELEGRAM_BOT_TOKEN and was there first, so this one stops " +
        "(only one instance may run per bot): stop the other one first, or give this one its own bot from @BotFather.",
      409,
    );
  }
  if (error instanceof TelegramError && error.code === 409) {
    return new TelegramFatalError(
      `receipts: Telegram stopped long polling with 409 Conflict (${error.description}). ` +
        "Another process set a webhook for this TELEGRAM_BOT_TOKEN: stop it (only one instance may run " +
        "per bot), or give this one its own bot from @BotFather.",
      409,
    );
  }
  if (error instanceof TelegramError && (error.code === 401 || error.code === 404)) {
    return new TelegramFatalError(
      `receipts: Telegram rejected TELEGRAM_BOT_TOKEN (${error.code}: ${error.description}). ` +
        "Copy the token again from @BotFather (/mybots → API Token); if TELEGRAM_API_ROOT is set, check it too.",
      error.code,
    );
  }
  const code = error instanceof TelegramError ? error.code : undefined;
  return new TelegramFatalError(`receipts: Telegram adapter stopped: ${reasonOf(error)}`, code);
}

/** An error's message without request payloads (they carry users' text) and without the token. */
export function reasonOf(error: unknown): string {
  if (error instanceof TelegramError) return `${error.code}: ${error.description}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\/bot\d+:[^/\s]+/g, "/bot[redacted]");
}

export function describe(error: unknown): {
  name: string;
  message: string;
  code?: number | string;
  stack?: string;
} {
  if (error instanceof TelegramError)
    return { name: "TelegramError", message: reasonOf(error), code: error.code };
  if (!(error instanceof Error)) return { name: typeof error, message: reasonOf(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: reasonOf(error),
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    ...(error.stack ? { stack: error.stack.replace(/\/bot\d+:[^/\s]+/g, "/bot[redacted]") } : {}),
  };
}
