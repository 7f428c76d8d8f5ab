/**
 * Sending to Telegram. Replies to updates go through `call` (a 429 waited out once, failures
 * logged, never thrown) and keep their order per chat (`inOrder`); the notification dispatcher's
 * sends go through `deliver`, which leaves retrying to the dispatcher.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Message } from "telegraf/types";
import type { Reply } from "../../bot/types.js";
import { renderTelegram, TELEGRAM_LIMITS, type TelegramMessage } from "../../render/telegram.js";
import type { DeliveryResult } from "../../subscriptions/deliver.js";
import type { TelegramContext } from "./context.js";
import { classify, describe, isNotModified, reasonOf, retryAfterMs } from "./errors.js";

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: unknown };
export type SendOutcome =
  | { ok: true; sent: (Message.TextMessage | Message.PhotoMessage)[] }
  | { ok: false; error: unknown };
/** Where a reply goes in its chat: quoting a message, in a forum topic. */
export type Placement = { replyTo?: number; threadId?: number };

export interface Sender {
  /** One Bot API call: a 429 is waited out and retried once; failures are logged, never thrown. */
  call<T>(
    what: string,
    chatId: number | string | undefined,
    request: () => Promise<T>,
  ): Promise<CallResult<T>>;
  /** A rendered reply, message by message; the first one answers `replyTo` when given. */
  sendMessages(
    chatId: number | string,
    messages: readonly TelegramMessage[],
    context?: Placement,
  ): Promise<SendOutcome>;
  /**
   * A reply as it should look: a reply with a picture is a photo (its words as the caption, as much as
   * the caption's 1,024 characters hold, the rest in messages after it); any other, its messages.
   * A photo refused for what it is (400: no media allowed here, say) goes out as words instead.
   */
  sendReply(chatId: number | string, reply: Reply, context?: Placement): Promise<SendOutcome>;
  /** Runs `task` after every earlier task for the same chat, so replies keep their order. */
  inOrder<T>(chatId: number | string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every chat's queue has run out (for stop). */
  settled(): Promise<unknown>;
  /** For the notification dispatcher: no retries here, so it can keep its own pace and order. */
  deliver(chatId: string, reply: Reply): Promise<DeliveryResult>;
}

export function createSender(context: TelegramContext): Sender {
  const { log, stopping, maxRetryAfterMs } = context;
  const api = context.telegraf.telegram;
  const chatQueues = new Map<string, Promise<unknown>>();

  async function call<T>(
    what: string,
    chatId: number | string | undefined,
    request: () => Promise<T>,
  ): Promise<CallResult<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await request() };
      } catch (error) {
        const waitMs = retryAfterMs(error);
        if (waitMs !== undefined && attempt === 1 && waitMs <= maxRetryAfterMs && !stopping.aborted) {
          log.warn({ method: what, chatId, retryAfterMs: waitMs }, "telegram: rate limited, waiting");
          const waited = await sleep(waitMs, true, { signal: stopping }).catch(() => false);
          if (waited) continue;
        }
        const result = classify(error);
        const fields = { method: what, chatId, status: result.status, err: describe(error) };
        if (result.status === "gone")
          log.info(fields, "telegram: chat unavailable (blocked, kicked or gone)");
        else if (!isNotModified(error)) log.warn(fields, "telegram: call failed");
        return { ok: false, error };
      }
    }
  }

  /** The parameters that place a message: its forum topic, and (for the first) the message it quotes. */
  const placed = (where: Placement, first: boolean) => ({
    ...(where.threadId !== undefined ? { message_thread_id: where.threadId } : {}),
    ...(first && where.replyTo !== undefined
      ? { reply_parameters: { message_id: where.replyTo, allow_sending_without_reply: true } }
      : {}),
  });

  async function sendMessages(
    chatId: number | string,
    messages: readonly TelegramMessage[],
    where: Placement = {},
  ): Promise<SendOutcome> {
    const sent: Message.TextMessage[] = [];
    for (const [i, { text, ...extra }] of messages.entries()) {
      const result = await call("sendMessage", chatId, () =>
        api.sendMessage(chatId, text, { ...extra, ...placed(where, i === 0) }),
      );
      if (!result.ok) return { ok: false, error: result.error };
      sent.push(result.value);
    }
    return { ok: true, sent };
  }

  return {
    call,
    sendMessages,

    async sendReply(chatId, reply, where = {}) {
      if (!reply.image) return sendMessages(chatId, renderTelegram(reply), where);
      const [caption, ...rest] = renderTelegram(reply, { firstLimit: TELEGRAM_LIMITS.caption });
      const { image } = reply;
      const photo = await call("sendPhoto", chatId, () =>
        api.sendPhoto(
          chatId,
          { source: Buffer.from(image.png), filename: image.name },
          {
            ...(caption ? { caption: caption.text, parse_mode: caption.parse_mode } : {}),
            ...(caption?.reply_markup ? { reply_markup: caption.reply_markup } : {}),
            ...placed(where, true),
          },
        ),
      );
      if (!photo.ok) {
        // Refused as a photo (a group that allows no media, say), not gone: the words still go out.
        if (classify(photo.error).status !== "failed") return { ok: false, error: photo.error };
        const { image: _, ...words } = reply;
        const note = "I couldn't send the picture here.";
        return sendMessages(
          chatId,
          renderTelegram({ ...words, footer: `${note} ${reply.footer ?? ""}`.trim() }),
          where,
        );
      }
      const more = await sendMessages(chatId, rest, { ...where, replyTo: undefined });
      return more.ok ? { ok: true, sent: [photo.value, ...more.sent] } : more;
    },

    inOrder(chatId, task) {
      const key = String(chatId);
      const previous = chatQueues.get(key) ?? Promise.resolve();
      const next = previous.then(task, task);
      const settled = next.then(
        () => undefined,
        () => undefined,
      );
      chatQueues.set(key, settled);
      void settled.then(() => {
        if (chatQueues.get(key) === settled) chatQueues.delete(key);
      });
      return next;
    },

    settled: () => Promise.allSettled([...chatQueues.values()]),

    async deliver(chatId, reply) {
      const messages = renderTelegram(reply);
      for (const [i, { text, ...extra }] of messages.entries()) {
        let attempt = 0;
        for (;;) {
          try {
            await api.sendMessage(chatId, text, extra);
            break;
          } catch (error) {
            const result = classify(error);
            if (i === 0) return result;
            // Part of the reply is out: a retry by the dispatcher would send it twice. Finish here.
            if (result.status === "retry" && attempt++ === 0 && result.afterMs <= maxRetryAfterMs) {
              await sleep(result.afterMs, undefined, { signal: stopping }).catch(() => undefined);
              continue;
            }
            if (result.status === "gone" || result.status === "moved") return result;
            return {
              status: "failed",
              reason: `sent ${i} of ${messages.length} messages, then: ${reasonOf(error)}`,
            };
          }
        }
      }
      return { status: "sent" };
    },
  };
}
