/**
 * Webhook mode: an HTTP server on the webhook's port takes the updates Telegram posts, and the
 * webhook is registered with Telegram. telegraf's filter refuses (403) other paths, other methods
 * and a missing or wrong secret.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TelegramError } from "telegraf";
import { type TelegramContext, UPDATES } from "./context.js";
import { describe, reasonOf, TelegramFatalError } from "./errors.js";

export interface WebhookOptions {
  readonly url: string;
  readonly port: number;
  readonly secret?: string;
  readonly host?: string;
}

/** Serves the webhook and registers it; the server, once Telegram has accepted the URL. */
export async function startWebhook(context: TelegramContext, hook: WebhookOptions): Promise<Server> {
  const { telegraf, log } = context;
  const url = new URL(hook.url);
  if (!hook.secret) log.warn("telegram: webhook without a secret token; set TELEGRAM_WEBHOOK_SECRET");
  const callback = telegraf.webhookCallback(url.pathname, hook.secret ? { secretToken: hook.secret } : {});
  const listening = createServer((req, res) => {
    callback(req, res).catch((error: unknown) => {
      log.error({ err: describe(error) }, "telegram: webhook request failed");
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    listening.once("error", reject);
    listening.listen(hook.port, hook.host, () => resolve());
  });
  try {
    await telegraf.telegram.setWebhook(hook.url, {
      allowed_updates: UPDATES,
      ...(hook.secret ? { secret_token: hook.secret } : {}),
    });
  } catch (error) {
    listening.close();
    throw error;
  }
  log.info({ port: portOf(listening), path: url.pathname }, "telegram: webhook mode");
  return listening;
}

export function portOf(server: Server | undefined): number | undefined {
  const address = server?.address();
  return address && typeof address === "object" ? (address as AddressInfo).port : undefined;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function webhookError(error: unknown, port: number): TelegramFatalError {
  if (error instanceof TelegramError) {
    return new TelegramFatalError(
      `receipts: Telegram refused the webhook (${error.code}: ${error.description}). ` +
        "TELEGRAM_WEBHOOK_URL must be a public HTTPS URL (ports 443, 80, 88 or 8443) that reaches this process.",
      error.code,
    );
  }
  return new TelegramFatalError(
    `receipts: could not serve the Telegram webhook on port ${port} (${reasonOf(error)}); ` +
      "is TELEGRAM_WEBHOOK_PORT free?",
  );
}
