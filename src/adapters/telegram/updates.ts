/**
 * Telegram updates → Request → bot.handle → Telegram messages.
 *
 * - Private chats: every message is a question (or a command). A sticker, a photo without a
 *   caption, a voice note… is passed on as empty text, so the bot layer says how to ask.
 *   A photo's caption is read as the question.
 * - Groups: only messages addressed to the bot: commands (not those for another bot,
 *   "/help@otherbot"), messages that @mention it (the mention is dropped from the question), and
 *   replies to its messages. Everything else is ignored. Being added to a group is taken as /start.
 * - Edited messages are answered again, as a reply to the edited message, by the same rules: the
 *   edit usually fixes a typo, and the new answer is the one that matters.
 * - Buttons: the callback query is always answered. The reply goes into a new message, except
 *   when the button sits on a message that a button itself produced (browsing a deal, its sources,
 *   its related deals): that message is edited in place, as a menu would be. A reply with a
 *   picture (a timeline) is always a new photo, its words in the caption. A button's error reply
 *   (an expired button, the flood notice) and a short acknowledgement (`toast`: "thanks for the
 *   feedback") are shown as a toast, not a message.
 * - A handler that throws ends in `onError`, which logs it and tells the user briefly.
 */
import type { Context } from "telegraf";
import type { CallbackQuery, Chat, User } from "telegraf/types";
import { parseInput } from "../../bot/input.js";
import { apologyReply } from "../../bot/replies.js";
import type { ChatRef, Input, Request, UserRef } from "../../bot/types.js";
import { languageOfLocale, t } from "../../i18n/messages.js";
import { renderPlain } from "../../render/plain.js";
import { renderTelegram } from "../../render/telegram.js";
import { clip } from "../../text/clip.js";
import { logUpdate, type TelegramContext } from "./context.js";
import type { Sender } from "./deliver.js";
import { describe, isNotModified } from "./errors.js";

/** Message kinds that carry something a person sent (as opposed to service messages). */
const CONTENT = [
  ...["text", "caption", "sticker", "photo", "video", "animation", "audio", "voice", "video_note"],
  ...["document", "location", "venue", "contact", "poll", "dice", "game", "story"],
];
/** Bot API limit on a callback query's toast. */
const TOAST_MAX = 200;
/** Messages remembered as produced by a button, so that the next button edits them in place. */
const BROWSING_MEMORY = 5_000;

/** The fields of a message this adapter reads, whatever kind of message it is. */
export interface MessageView {
  readonly message_id: number;
  readonly chat: Chat;
  readonly from?: User;
  readonly sender_chat?: Chat;
  readonly text?: string;
  readonly caption?: string;
  readonly is_topic_message?: boolean;
  readonly message_thread_id?: number;
  readonly reply_to_message?: { readonly from?: User; readonly forum_topic_created?: unknown };
  readonly new_chat_members?: readonly User[];
  readonly via_bot?: User;
}

export interface UpdateHandlers {
  onMessage(message: MessageView, edited: boolean): Promise<void>;
  onCallback(query: CallbackQuery): Promise<void>;
  onError(error: unknown, ctx: Context): Promise<void>;
}

export function updateHandlers(context: TelegramContext, send: Sender): UpdateHandlers {
  const { bot, telegraf, log } = context;
  const api = telegraf.telegram;
  const browsing = new Set<string>();

  const me = () => {
    if (!telegraf.botInfo) throw new Error("receipts: telegram: getMe has not been called");
    return telegraf.botInfo;
  };

  const chatRef = (chat: Chat): ChatRef => ({
    platform: "telegram",
    id: String(chat.id),
    kind: chat.type === "private" ? "private" : "group",
  });

  const userRef = (from: User | undefined, senderChat: Chat | undefined, canManageChat: boolean): UserRef => {
    const name = from
      ? [from.first_name, from.last_name].filter(Boolean).join(" ") || from.username
      : undefined;
    const id = String(from?.id ?? senderChat?.id ?? "unknown");
    return name ? { id, name, canManageChat } : { id, canManageChat };
  };

  /** Group creators and administrators may manage the chat; so may anonymous admins posting as it. */
  async function isAdmin(chat: Chat, from: User | undefined, senderChat: Chat | undefined): Promise<boolean> {
    if (senderChat?.id === chat.id) return true;
    if (!from) return false;
    const member = await send.call("getChatMember", chat.id, () => api.getChatMember(chat.id, from.id));
    return member.ok && (member.value.status === "creator" || member.value.status === "administrator");
  }

  /** The text with the bot's @mention taken out, and whether it was there. */
  function withoutMention(text: string): { text: string; mentioned: boolean } {
    const pattern = new RegExp(`(^|[^\\w/@])@${escapeRegExp(me().username)}(?!\\w)`, "gi");
    const stripped = text.replace(pattern, "$1");
    return { text: stripped, mentioned: stripped !== text };
  }

  /** What a message asks, or undefined when it is not for us (service messages, others' chatter). */
  function inputOf(message: MessageView): Input | undefined {
    const isPrivate = message.chat.type === "private";
    // One of our own inline cards, posted by the user: an answer, not a question.
    if (message.via_bot?.id === me().id) return undefined;
    if (message.new_chat_members?.some((member) => member.id === me().id)) {
      return { kind: "command", name: "start", args: "" };
    }
    if (!CONTENT.some((field) => field in message)) return undefined;
    const { text, mentioned } = withoutMention(message.text ?? message.caption ?? "");
    const input = parseInput(text, me().username);
    if (!input) return undefined; // a command for another bot
    const repliesToUs =
      message.reply_to_message?.from?.id === me().id &&
      message.reply_to_message.forum_topic_created === undefined;
    if (isPrivate || input.kind === "command" || mentioned || repliesToUs) return input;
    return undefined;
  }

  function remember(chatId: number | string, messageId: number): void {
    browsing.add(`${chatId}:${messageId}`);
    if (browsing.size > BROWSING_MEMORY) {
      const oldest = browsing.values().next().value;
      if (oldest !== undefined) browsing.delete(oldest);
    }
  }

  return {
    async onMessage(message, edited) {
      const input = inputOf(message);
      logUpdate(context, edited ? "edited_message" : "message", message.chat, input);
      if (!input) return;
      const { chat } = message;
      const isPrivate = chat.type === "private";
      const canManageChat =
        isPrivate || (input.kind === "command" && (await isAdmin(chat, message.from, message.sender_chat)));
      const request: Request = {
        chat: chatRef(chat),
        user: userRef(message.from, message.sender_chat, canManageChat),
        input,
        ...(message.from?.language_code ? { locale: message.from.language_code } : {}),
      };
      const reply = await bot.handle(request);
      if (reply.quiet) return; // a repeated flood notice: once is enough
      await send.inOrder(chat.id, () =>
        send.sendReply(chat.id, reply, {
          // In groups an answer quotes its question; an edit's answer quotes the edited message.
          ...(!isPrivate || edited ? { replyTo: message.message_id } : {}),
          ...(message.is_topic_message && message.message_thread_id !== undefined
            ? { threadId: message.message_thread_id }
            : {}),
        }),
      );
    },

    async onCallback(query) {
      const answer = (text?: string) =>
        send.call("answerCallbackQuery", undefined, () => api.answerCbQuery(query.id, text));
      const data = "data" in query ? query.data : undefined;
      const message = query.message;
      logUpdate(
        context,
        "callback_query",
        message?.chat,
        data === undefined ? undefined : { kind: "action", data },
      );
      if (data === undefined || !message) {
        // A game button, or a button on an inline-mode message: nothing to show in a chat.
        await answer();
        return;
      }
      const { chat } = message;
      const reply = await bot.handle({
        chat: chatRef(chat),
        user: userRef(query.from, undefined, chat.type === "private"),
        input: { kind: "action", data },
        ...(query.from.language_code ? { locale: query.from.language_code } : {}),
      });
      if (reply.tone === "error" || reply.toast) {
        await answer(clip(renderPlain(reply).replace(/\s*\n+\s*/g, " — "), TOAST_MAX));
        return;
      }
      await answer();
      await send.inOrder(chat.id, async () => {
        const messages = renderTelegram(reply);
        const key = `${chat.id}:${message.message_id}`;
        const [only] = messages;
        // A picture is never edited into a text message: it comes as a photo of its own.
        if (only && messages.length === 1 && !reply.image && browsing.has(key) && message.date !== 0) {
          const { text, ...extra } = only;
          const edited = await send.call("editMessageText", chat.id, () =>
            api.editMessageText(chat.id, message.message_id, undefined, text, extra),
          );
          if (edited.ok || isNotModified(edited.error)) return;
        }
        // Stay in the forum topic the button was pressed in.
        const { is_topic_message, message_thread_id } = message as MessageView;
        const outcome = await send.sendReply(
          chat.id,
          reply,
          is_topic_message && message_thread_id !== undefined ? { threadId: message_thread_id } : {},
        );
        // Only a text message can be edited in place by the next button.
        const last = outcome.ok ? outcome.sent.at(-1) : undefined;
        if (last && "text" in last) remember(chat.id, last.message_id);
      });
    },

    // Registered with telegraf.catch: without it, one throwing handler would end polling for good.
    async onError(error, ctx) {
      log.error({ err: describe(error), update: ctx.updateType }, "telegram: handler failed");
      // The apology in the user's app language, when it is one of ours.
      const language = languageOfLocale(ctx.from?.language_code) ?? "en";
      try {
        if (ctx.callbackQuery) {
          await send.call("answerCallbackQuery", undefined, () =>
            api.answerCbQuery(ctx.callbackQuery?.id ?? "", t(language, "apology.toast")),
          );
        } else if (ctx.inlineQuery) {
          await send.call("answerInlineQuery", undefined, () =>
            api.answerInlineQuery(ctx.inlineQuery?.id ?? "", []),
          );
        } else if (ctx.chat) {
          const chatId = ctx.chat.id;
          await send.inOrder(chatId, () => send.sendMessages(chatId, renderTelegram(apologyReply(language))));
        }
      } catch (nested) {
        log.error({ err: describe(nested) }, "telegram: could not report a handler failure");
      }
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
