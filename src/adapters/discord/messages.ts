/**
 * Mentions and DMs → Request → bot.handle → a channel reply.
 *
 * A message is answered when it is a DM, or when its mentions include the bot (typed @Receipts, or a
 * reply to the bot with the ping on); @everyone does not count. The mention is removed from the text, and
 * the answer is a reply that pings nobody. Where the bot may not post (known from the permission cache,
 * or learnt from a 403), it tells the asker so in a DM instead. Where it may post but not attach files,
 * a picture (a timeline) is left out and the reply says where to see it.
 */
import { DiscordAPIError, type Message, PermissionFlagsBits, type PermissionsString } from "discord.js";
import { parseInput } from "../../bot/input.js";
import { infoReply } from "../../bot/replies.js";
import type { ChatRef, Reply, UserRef } from "../../bot/types.js";
import { t } from "../../i18n/messages.js";
import {
  type DiscordContext,
  errorFields,
  isGroupDm,
  messageOptions,
  SOMETHING_WENT_WRONG,
  textField,
} from "./context.js";
import { NO_ACCESS } from "./errors.js";

export function messageHandler(context: DiscordContext): (message: Message) => Promise<void> {
  const { bot, client, log } = context;

  /** The bot's mention in text: <@id>, or <@!id> from older clients. */
  const mentionPattern = (): RegExp | undefined => {
    const me = client.user?.id;
    return me ? new RegExp(`<@!?${me}>`, "g") : undefined;
  };

  /** Mentioned by name, or a reply to the bot with the ping on (a follow-up question). Not @everyone. */
  const addressedToMe = (message: Message): boolean => {
    const me = client.user?.id;
    return me !== undefined && message.mentions.users.has(me);
  };

  /** What the bot would be missing to answer in the message's channel, by permission name. */
  const missingPermissions = (message: Message): PermissionsString[] => {
    if (!message.inGuild()) return [];
    const me = message.guild.members.me;
    if (!me) return [];
    const permissions = message.channel.permissionsFor(me);
    const needed: PermissionsString[] = [
      "ViewChannel",
      message.channel.isThread() ? "SendMessagesInThreads" : "SendMessages",
      "EmbedLinks",
      "ReadMessageHistory",
    ];
    return needed.filter((name) => !permissions.has(name));
  };

  /** Whether the bot may attach files (pictures) where the message was posted: always in DMs. */
  const mayAttach = (message: Message): boolean => {
    if (!message.inGuild()) return true;
    const me = message.guild.members.me;
    return me ? message.channel.permissionsFor(me).has("AttachFiles") : true;
  };

  /** Tells the asker, in a DM, why the bot cannot answer where they asked. */
  const explainMissingAccess = async (message: Message, missing: readonly string[]) => {
    // A message carries no locale: the notice is in English, its words in the message files.
    const where =
      message.inGuild() && "name" in message.channel
        ? `#${message.channel.name} (${message.guild.name})`
        : t("en", "discordAccess.thatChannel");
    const lacking =
      missing.length > 0
        ? t("en", "discordAccess.permissions", {
            count: missing.length,
            names: missing.map((name) => name.replace(/(?<=[a-z])(?=[A-Z])/g, " ")).join(", "),
          })
        : t("en", "discordAccess.aPermission");
    const notice = infoReply(
      t("en", "discordAccess.title"),
      [t("en", "discordAccess.text", { where, lacking }), t("en", "discordAccess.meanwhile")],
      "error",
    );
    try {
      await message.author.send(messageOptions(notice));
      log.warn(
        { channel: message.channelId, missing },
        "discord: missing permissions; told the asker in a DM",
      );
    } catch (error) {
      log.warn(
        { channel: message.channelId, missing, ...errorFields(context, error) },
        "discord: missing permissions, and the asker's DMs are closed",
      );
    }
  };

  return async (message) => {
    if (message.author.bot || message.system || message.webhookId) return;
    const dm = !message.inGuild();
    if (!dm && !addressedToMe(message)) return;
    const pattern = mentionPattern();
    const text = (pattern ? message.content.replace(pattern, " ") : message.content)
      .replace(/\s+/g, " ")
      .trim();
    const input = parseInput(text, client.user?.username);
    if (!input) return;
    const chat: ChatRef = {
      platform: "discord",
      id: message.channelId,
      kind: dm && !isGroupDm(message.channel.type) ? "private" : "group",
    };
    let canManageChat = dm;
    try {
      canManageChat ||= Boolean(
        message.member?.permissionsIn(message.channelId).has(PermissionFlagsBits.ManageChannels),
      );
    } catch {
      // an uncached channel or member: not a manager, as far as we know
    }
    const user: UserRef = { id: message.author.id, name: message.author.displayName, canManageChat };
    log.info(
      { message: message.id, chat: chat.id, kind: chat.kind, ...textField(context, text) },
      "discord: message",
    );

    const missing = missingPermissions(message);
    if (missing.length > 0) return explainMissingAccess(message, missing);
    let reply: Reply;
    try {
      reply = await bot.handle({ chat, user, input });
    } catch (error) {
      log.error({ message: message.id, ...errorFields(context, error) }, "discord: the bot failed to answer");
      reply = SOMETHING_WENT_WRONG;
    }
    if (reply.quiet) return; // a repeated flood notice: once is enough (interactions must still be answered)
    if (reply.image && !mayAttach(message)) reply = withoutPicture(reply);
    const body = messageOptions(reply); // no flags: a channel message cannot be ephemeral
    try {
      if (dm && message.channel.isSendable()) await message.channel.send(body);
      else await message.reply(body);
      log.info({ message: message.id, tone: reply.tone }, "discord: answered a message");
    } catch (error) {
      if (
        error instanceof DiscordAPIError &&
        typeof error.code === "number" &&
        NO_ACCESS.has(error.code) &&
        !dm
      ) {
        await explainMissingAccess(message, missingPermissions(message));
      } else {
        log.warn({ message: message.id, ...errorFields(context, error) }, "discord: could not send a reply");
      }
    }
  };
}

/** A reply whose picture cannot be attached here: its words, and where the picture can be seen. */
function withoutPicture(reply: Reply): Reply {
  const { image: _, ...words } = reply;
  const note =
    "I may not attach pictures in this channel (Attach Files permission); the /timeline slash command or a DM shows it.";
  return { ...words, footer: reply.footer ? `${note} ${reply.footer}` : note };
}
