/** What every part of the Discord adapter shares: the bot layer, the client, the log, and small translations. */
import type { AttachmentPayload, Client, InteractionEditReplyOptions } from "discord.js";
import type { Bot } from "../../bot/bot.js";
import { apologyReply } from "../../bot/replies.js";
import type { Reply } from "../../bot/types.js";
import type { Logger } from "../../log.js";
import { renderDiscord } from "../../render/discord.js";
import { clip as clipText } from "../../text/clip.js";
import { describe } from "./errors.js";

export interface DiscordContext {
  readonly bot: Bot;
  readonly client: Client;
  /** The adapter's child logger (`platform: "discord"`). */
  readonly log: Logger;
  /** The bot token, scrubbed from every error logged. */
  readonly token: string;
  /** Log the text users send (off by default: it is theirs). */
  readonly logMessageText: boolean;
}

export const SOMETHING_WENT_WRONG = apologyReply();

/** An error as log fields, without tokens or request bodies. */
export function errorFields(context: DiscordContext, error: unknown) {
  return { err: describe(error, context.token) };
}

/** The user's text as a log field, only when LOG_MESSAGE_TEXT allows it. */
export function textField(context: DiscordContext, text: string) {
  return context.logMessageText ? { text } : {};
}

/** Discord's limit on a file's description (its alt text). */
const ALT_TEXT_MAX = 1024;

/**
 * A reply as discord.js options: rendered, with its picture as a file that the embed shows
 * (`attachment://<name>`). `attachments` is empty apart from that file, so a message edited or updated
 * into this reply loses any picture it had. `allowedMentions` empty: nothing in it pings anyone.
 */
export function messageOptions(reply: Reply) {
  const message = renderDiscord(reply);
  const files: AttachmentPayload[] = reply.image
    ? [
        {
          attachment: Buffer.from(reply.image.png),
          name: reply.image.name,
          description: clipText(reply.image.alt, ALT_TEXT_MAX),
        },
      ]
    : [];
  return {
    ...(message.content !== undefined ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    files,
    attachments: [],
    allowedMentions: { parse: [], repliedUser: false },
  } satisfies InteractionEditReplyOptions;
}

export function isGroupDm(type: number | undefined): boolean {
  return type === 3; // ChannelType.GroupDM
}

/** Cuts to `max` UTF-16 code units with a final "…": Discord's limits on names and choices. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
