/**
 * Webhook mode: an HTTP server on the webhook's port takes the updates Telegram posts, and the
 * webhook is registered with Telegram. Other paths, other methods and a missing or wrong secret
 * are refused (403) before any body is read; a body over 1 MB is refused (413).
 *
 * Several instances behind a load balancer: any of them takes any update. Telegram retries an
 * update it got no answer for; with `firstDelivery` (the store's memory of update ids) a repeat is
 * acknowledged and not answered again.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TelegramError } from "telegraf";
import type { Update } from "telegraf/types";
import { type TelegramContext, UPDATES } from "./context.js";
import { describe, reasonOf, TelegramFatalError } from "./errors.js";

export interface WebhookOptions {
  readonly url: string;
  readonly port: number;
  /** Required: without it anyone who finds the URL can post updates. */
  readonly secret: string;
  readonly host?: string;
  /**
   * True the first time an update id arrives, false for a repeat (shared by every instance). When
   * it fails (the database is down) the update is answered: twice is better than never.
   */
  readonly firstDelivery?: (updateId: number) => Promise<boolean>;
}

/** The largest webhook body read: Telegram's updates are a few kilobytes. */
const MAX_WEBHOOK_BODY = 1024 * 1024;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** Serves the webhook and registers it; the server, once Telegram has accepted the URL. */
export async function startWebhook(context: TelegramContext, hook: WebhookOptions): Promise<Server> {
  const { telegraf, log } = context;
  const url = new URL(hook.url);
  const route = { path: url.pathname, secret: hook.secret, firstDelivery: hook.firstDelivery };
  const listening = createServer((req, res) => {
    onWebhookRequest(context, req, res, route).catch((error: unknown) => {
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
    await telegraf.telegram.setWebhook(hook.url, { allowed_updates: UPDATES, secret_token: hook.secret });
  } catch (error) {
    listening.close();
    throw error;
  }
  log.info({ port: portOf(listening), path: url.pathname }, "telegram: webhook mode");
  return listening;
}

/**
 * One webhook request: a POST to the hook's path with the secret, whose body (at most 1 MB) is one
 * update. Anything else is refused before its body is read.
 */
async function onWebhookRequest(
  { telegraf, log }: TelegramContext,
  req: IncomingMessage,
  res: ServerResponse,
  hook: Pick<WebhookOptions, "secret" | "firstDelivery"> & { readonly path: string },
): Promise<void> {
  const refuse = (status: number) => {
    res.writeHead(status, { connection: "close" }).end();
    // Stop reading a body nobody wants; the answer has been queued before the socket goes.
    res.once("finish", () => req.destroy());
  };
  const pathname = (req.url ?? "").split("?")[0];
  if (req.method !== "POST" || pathname !== hook.path) return refuse(403);
  if (!sameSecret(hook.secret, req.headers[SECRET_HEADER])) return refuse(403);
  if (Number(req.headers["content-length"] ?? 0) > MAX_WEBHOOK_BODY) return refuse(413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_WEBHOOK_BODY) return refuse(413);
    chunks.push(chunk as Buffer);
  }
  let update: Update;
  try {
    update = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Update;
  } catch {
    return refuse(400);
  }
  if (hook.firstDelivery && typeof update.update_id === "number") {
    const first = await hook.firstDelivery(update.update_id).catch((error: unknown) => {
      log.warn({ err: describe(error) }, "telegram: cannot check for a repeated update; answering it");
      return true;
    });
    if (!first) {
      log.debug({ update: update.update_id }, "telegram: repeated update ignored");
      res.writeHead(200).end();
      return;
    }
  }
  await telegraf.handleUpdate(update, res);
  if (!res.writableEnded) res.end();
}

/** Whether a request carries the webhook secret; constant time, whatever was sent. */
function sameSecret(secret: string, given: string | string[] | undefined): boolean {
  if (typeof given !== "string") return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(secret), digest(given));
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
