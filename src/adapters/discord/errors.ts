/** Discord failures, by cause: what the dispatcher should do about one, and how to log one safely. */
import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import type { DeliveryResult } from "../../subscriptions/deliver.js";

/** Discord error codes meaning the bot cannot post in a channel. */
export const NO_ACCESS = new Set([50001, 50013, 160002]);
/**
 * Delivery errors meaning the chat is gone for good: unknown channel or user, missing access,
 * DMs closed. Missing Permissions (50013) is not among them: the bot still sees the channel,
 * and a moderator may give Send Messages back, so the subscription stays.
 */
const GONE = new Set([10003, 10013, 50001, 50007]);
const MISSING_PERMISSIONS = 50013;

/** A delivery failure in platform-neutral words, for the notification dispatcher. */
export function classifyDeliveryError(error: unknown): DeliveryResult {
  if (error instanceof RateLimitError) {
    const afterMs = Math.ceil(Math.max(error.retryAfter, error.timeToReset));
    return { status: "retry", afterMs: afterMs > 0 ? afterMs : 1_000 };
  }
  if (error instanceof DiscordAPIError) {
    const reason = `${error.status} ${error.code}: ${error.message}`;
    if (typeof error.code === "number" && GONE.has(error.code)) return { status: "gone", reason };
    if (error.code === MISSING_PERMISSIONS) return { status: "failed", reason };
    if (error.status === 403) return { status: "gone", reason };
    if (error.status === 429) {
      const seconds = Number((error.rawError as { retry_after?: unknown }).retry_after);
      return {
        status: "retry",
        afterMs: Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : 1_000,
      };
    }
    if (error.status >= 500) return { status: "transient", reason };
    return { status: "failed", reason };
  }
  if (error instanceof HTTPError) {
    const reason = `${error.status} ${error.message}`;
    return error.status >= 500 || error.status === 408
      ? { status: "transient", reason }
      : { status: "failed", reason };
  }
  if (isNetworkError(error)) return { status: "transient", reason: describe(error).message };
  return { status: "failed", reason: describe(error).message };
}

function isNetworkError(error: unknown): boolean {
  const codes = /^(ECONN|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR)/;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === "AbortError" || e.name === "TimeoutError" || e.message === "fetch failed") return true;
    if (codes.test(String((e as { code?: unknown }).code ?? ""))) return true;
  }
  return false;
}

/** Error fields safe to log: no tokens (interaction tokens sit in REST paths), no request bodies. */
export function describe(
  error: unknown,
  token?: string,
): { name: string; message: string; code?: number | string; status?: number; route?: string } {
  const scrub = (text: string) => {
    const safe = text.replace(/\/(interactions\/\d+|webhooks\/\d+)\/[^/?\s]+/g, "/$1/:token");
    return token ? safe.split(token).join("[redacted]") : safe;
  };
  const route = (method: string, url: string) => {
    let where = url;
    try {
      where = new URL(url).pathname;
    } catch {
      // not a URL: scrubbed as it is
    }
    return `${method.toUpperCase()} ${scrub(where)}`;
  };
  if (error instanceof DiscordAPIError) {
    return {
      name: "DiscordAPIError",
      message: scrub(error.message),
      code: error.code,
      status: error.status,
      route: route(error.method, error.url),
    };
  }
  if (error instanceof HTTPError) {
    return {
      name: "HTTPError",
      message: scrub(error.message),
      status: error.status,
      route: route(error.method, error.url),
    };
  }
  if (error instanceof RateLimitError)
    return {
      name: "RateLimitError",
      message: `rate limited for ${error.timeToReset} ms`,
      route: error.route,
    };
  if (error instanceof Error) return { name: error.name, message: scrub(error.message) };
  return { name: "unknown", message: scrub(String(error)) };
}
