/**
 * The contract between the notification dispatcher and each platform adapter: the adapter
 * sends a rendered reply to a chat and says, in platform-neutral words, how it went.
 */
import type { Platform, Reply } from "../bot/types.js";

export type DeliveryResult =
  | { readonly status: "sent" }
  /** Rate limited (Telegram 429 retry_after, Discord 429): try again after this long. */
  | { readonly status: "retry"; readonly afterMs: number }
  /** The chat is gone for good (blocked, kicked, deactivated, chat not found, unknown channel, missing access). */
  | { readonly status: "gone"; readonly reason: string }
  /** The group became a supergroup with a new id (Telegram migrate_to_chat_id). */
  | { readonly status: "moved"; readonly chatId: string }
  /** Network error or 5xx: worth retrying with backoff. */
  | { readonly status: "transient"; readonly reason: string }
  /** Anything else: retrying won't help. */
  | { readonly status: "failed"; readonly reason: string };

export interface DeliveryOptions {
  /**
   * Stable for one notification across retries and restarts (the outbox row id), so a platform
   * that can deduplicate (Discord's enforced nonce) sends it once even if an earlier attempt's
   * answer was lost.
   */
  readonly key?: string;
}

export interface Deliverer {
  readonly platform: Platform;
  deliver(chatId: string, reply: Reply, options?: DeliveryOptions): Promise<DeliveryResult>;
}
