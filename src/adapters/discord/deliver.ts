/**
 * Notifications for the dispatcher: one channel message per digest, through a REST client of its own
 * that reports rate limits instead of waiting them out, so the dispatcher decides when to retry.
 * Interactive replies keep discord.js's waiting and retries.
 */
import { MessageFlags, REST, Routes } from "discord.js";
import type { Reply } from "../../bot/types.js";
import { renderDiscord } from "../../render/discord.js";
import type { DeliveryOptions, DeliveryResult } from "../../subscriptions/deliver.js";
import { type DiscordContext, errorFields } from "./context.js";
import { classifyDeliveryError } from "./errors.js";

export interface DeliveryChannel {
  deliver(chatId: string, reply: Reply, options?: DeliveryOptions): Promise<DeliveryResult>;
  /** Stops the REST client's timers (for stop). */
  close(): void;
}

export function deliveryChannel(context: DiscordContext, apiRoot: string | undefined): DeliveryChannel {
  const rest = new REST({
    ...(apiRoot ? { api: apiRoot } : {}),
    rejectOnRateLimit: () => true,
    retries: 0,
  }).setToken(context.token);

  return {
    async deliver(chatId, reply, options = {}) {
      const { flags, allowed_mentions, ...message } = renderDiscord(reply);
      // A channel message cannot be ephemeral; other flags pass through.
      const kept = (flags ?? 0) & ~MessageFlags.Ephemeral;
      // An enforced nonce makes Discord return the message it already created for this key
      // (within a few minutes) instead of posting it twice after a lost answer or a restart.
      const nonce = options.key ? { nonce: options.key.slice(0, 25), enforce_nonce: true } : {};
      try {
        await rest.post(Routes.channelMessages(chatId), {
          body: { ...message, allowed_mentions, ...(kept ? { flags: kept } : {}), ...nonce },
        });
        return { status: "sent" };
      } catch (error) {
        const result = classifyDeliveryError(error);
        context.log.warn(
          { chat: chatId, result: result.status, ...errorFields(context, error) },
          "discord: delivery failed",
        );
        return result;
      }
    },
    close() {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}
