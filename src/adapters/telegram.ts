/**
 * The Telegram adapter (telegraf): Telegram updates → Request, Reply → Bot API calls.
 * Translation only: what an answer says is the bot layer's, how it looks is renderTelegram's.
 *
 * What it translates, and how:
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
 *   its related deals): that message is edited in place, as a menu would be. A button's error reply
 *   (an expired button, the flood notice) is shown as a toast, not a message.
 * - Inline mode: up to 50 answer cards from the index, each one message of Telegram HTML.
 *
 * Robustness: every handler error ends in bot.catch, which logs it, tells the user briefly, and
 * keeps polling. Sending waits out a 429 once (retry_after), treats 403 (blocked, kicked) as
 * quiet news, and never throws. Replies in one chat go out in order. A 409 Conflict (another
 * process polling with the same token) or a revoked token stops polling and is reported through
 * `onFatal`: telegraf would otherwise just stop.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Telegraf, TelegramError } from "telegraf";
import type {
  CallbackQuery,
  Chat,
  InlineQuery,
  InlineQueryResultArticle,
  Message,
  User,
} from "telegraf/types";
import type { Bot } from "../bot/bot.js";
import { parseInput } from "../bot/input.js";
import { apologyReply } from "../bot/replies.js";
import type { ChatRef, Input, Reply, Request, UserRef } from "../bot/types.js";
import { type Logger, silentLogger } from "../log.js";
import { renderPlain } from "../render/plain.js";
import { renderTelegram, type TelegramMessage } from "../render/telegram.js";
import type { Deliverer, DeliveryResult } from "../subscriptions/deliver.js";
import { clip } from "../text/clip.js";
import type { Adapter } from "./adapter.js";

export interface TelegramAdapterOptions {
  readonly bot: Bot;
  readonly token: string;
  /** Bot API root, e.g. a local stand-in's `http://127.0.0.1:PORT/`. Default: Telegram's. */
  readonly apiRoot?: string;
  /**
   * Webhook mode when set; long polling otherwise. `url` is the public HTTPS URL Telegram posts
   * to; its path is the path served on `port` (on `host`, default all interfaces). With `secret`,
   * requests without the matching X-Telegram-Bot-Api-Secret-Token header are refused (403).
   */
  readonly webhook?: {
    readonly url: string;
    readonly port: number;
    readonly secret?: string;
    readonly host?: string;
  };
  readonly log?: Logger;
  /** Log users' message text (debug level). Default false: it is theirs. */
  readonly logMessageText?: boolean;
  /**
   * Polling stopped for good: another process polls with this token (409 Conflict), or the token
   * was revoked (401). The error's message says what to do. Default: log it at fatal level.
   */
  readonly onFatal?: (error: TelegramFatalError) => void;
  /** A 429 asking to wait longer than this is not waited out (the reply is dropped). Default 60 s. */
  readonly maxRetryAfterMs?: number;
}

export type TelegramAdapter = Adapter &
  Deliverer & {
    readonly telegraf: Telegraf;
    /** The port the webhook server listens on (useful with port 0), once started in webhook mode. */
    webhookPort(): number | undefined;
  };

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

const UPDATES: NonNullable<Telegraf.LaunchOptions["allowedUpdates"]> = [
  "message",
  "edited_message",
  "callback_query",
  "inline_query",
];
/** Message kinds that carry something a person sent (as opposed to service messages). */
const CONTENT = [
  ...["text", "caption", "sticker", "photo", "video", "animation", "audio", "voice", "video_note"],
  ...["document", "location", "venue", "contact", "poll", "dice", "game", "story"],
];
/** Bot API limits not owned by the renderer. */
const LIMITS = { inlineResults: 50, resultId: 64, toast: 200, commandDescription: 256 } as const;
/** Messages remembered as produced by a button, so that the next button edits them in place. */
const BROWSING_MEMORY = 5_000;

const FRIENDLY_ERROR = apologyReply();
const FRIENDLY_TOAST = "Sorry, something went wrong. Please try again.";

/** The fields of a message this adapter reads, whatever kind of message it is. */
interface MessageView {
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

type SendOutcome = { ok: true; sent: Message.TextMessage[] } | { ok: false; error: unknown };

export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { bot, token, webhook } = options;
  const log = (options.log ?? silentLogger).child({ platform: "telegram" });
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const telegraf = new Telegraf(token, {
    // webhookReply off: every call is a real request whose outcome we see (and can retry).
    telegram: { webhookReply: false, ...(options.apiRoot ? { apiRoot: withSlash(options.apiRoot) } : {}) },
  });
  const api = telegraf.telegram;
  const stopping = new AbortController();
  const browsing = new Set<string>();
  const chatQueues = new Map<string, Promise<unknown>>();
  let started = false;
  let polling: Promise<void> | undefined;
  let server: Server | undefined;

  // ---------------------------------------------------------------- sending ----

  /** One Bot API call: a 429 is waited out and retried once; failures are logged, never thrown. */
  async function call<T>(
    what: string,
    chatId: number | string | undefined,
    request: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await request() };
      } catch (error) {
        const waitMs = retryAfterMs(error);
        if (waitMs !== undefined && attempt === 1 && waitMs <= maxRetryAfterMs && !stopping.signal.aborted) {
          log.warn({ method: what, chatId, retryAfterMs: waitMs }, "telegram: rate limited, waiting");
          const waited = await sleep(waitMs, true, { signal: stopping.signal }).catch(() => false);
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

  async function sendMessages(
    chatId: number | string,
    messages: readonly TelegramMessage[],
    context: { replyTo?: number; threadId?: number } = {},
  ): Promise<SendOutcome> {
    const sent: Message.TextMessage[] = [];
    for (const [i, { text, ...extra }] of messages.entries()) {
      const result = await call("sendMessage", chatId, () =>
        api.sendMessage(chatId, text, {
          ...extra,
          ...(context.threadId !== undefined ? { message_thread_id: context.threadId } : {}),
          ...(i === 0 && context.replyTo !== undefined
            ? { reply_parameters: { message_id: context.replyTo, allow_sending_without_reply: true } }
            : {}),
        }),
      );
      if (!result.ok) return { ok: false, error: result.error };
      sent.push(result.value);
    }
    return { ok: true, sent };
  }

  /** Runs `task` after every earlier task for the same chat, so replies keep their order. */
  function inOrder<T>(chatId: number | string, task: () => Promise<T>): Promise<T> {
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
  }

  function remember(chatId: number | string, messageId: number): void {
    browsing.add(`${chatId}:${messageId}`);
    if (browsing.size > BROWSING_MEMORY) {
      const oldest = browsing.values().next().value;
      if (oldest !== undefined) browsing.delete(oldest);
    }
  }

  // ---------------------------------------------------------------- updates → requests ----

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
    const member = await call("getChatMember", chat.id, () => api.getChatMember(chat.id, from.id));
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

  async function onMessage(message: MessageView, edited: boolean): Promise<void> {
    const input = inputOf(message);
    logUpdate(edited ? "edited_message" : "message", message.chat, input);
    if (!input) return;
    const { chat } = message;
    const isPrivate = chat.type === "private";
    const canManageChat =
      isPrivate || (input.kind === "command" && (await isAdmin(chat, message.from, message.sender_chat)));
    const request: Request = {
      chat: chatRef(chat),
      user: userRef(message.from, message.sender_chat, canManageChat),
      input,
    };
    const reply = await bot.handle(request);
    if (reply.quiet) return; // a repeated flood notice: once is enough
    await inOrder(chat.id, () =>
      sendMessages(chat.id, renderTelegram(reply), {
        // In groups an answer quotes its question; an edit's answer quotes the edited message.
        ...(!isPrivate || edited ? { replyTo: message.message_id } : {}),
        ...(message.is_topic_message && message.message_thread_id !== undefined
          ? { threadId: message.message_thread_id }
          : {}),
      }),
    );
  }

  async function onCallback(query: CallbackQuery): Promise<void> {
    const answer = (text?: string) =>
      call("answerCallbackQuery", undefined, () => api.answerCbQuery(query.id, text));
    const data = "data" in query ? query.data : undefined;
    const message = query.message;
    logUpdate("callback_query", message?.chat, data === undefined ? undefined : { kind: "action", data });
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
    });
    if (reply.tone === "error") {
      await answer(clip(renderPlain(reply).replace(/\s*\n+\s*/g, " — "), LIMITS.toast));
      return;
    }
    await answer();
    await inOrder(chat.id, async () => {
      const messages = renderTelegram(reply);
      const key = `${chat.id}:${message.message_id}`;
      const [only] = messages;
      if (only && messages.length === 1 && browsing.has(key) && message.date !== 0) {
        const { text, ...extra } = only;
        const edited = await call("editMessageText", chat.id, () =>
          api.editMessageText(chat.id, message.message_id, undefined, text, extra),
        );
        if (edited.ok || isNotModified(edited.error)) return;
      }
      // Stay in the forum topic the button was pressed in.
      const { is_topic_message, message_thread_id } = message as MessageView;
      const outcome = await sendMessages(
        chat.id,
        messages,
        is_topic_message && message_thread_id !== undefined ? { threadId: message_thread_id } : {},
      );
      const last = outcome.ok ? outcome.sent.at(-1) : undefined;
      if (last) remember(chat.id, last.message_id);
    });
  }

  async function onInlineQuery(query: InlineQuery): Promise<void> {
    logUpdate("inline_query", undefined, { kind: "text", text: query.query });
    const ids = new Set<string>();
    const results: InlineQueryResultArticle[] = [];
    for (const card of bot.cards(query.query, LIMITS.inlineResults)) {
      const [first] = renderTelegram(card.reply);
      const id = resultId(card.id, ids);
      if (!first || results.length >= LIMITS.inlineResults) continue;
      ids.add(id);
      results.push({
        type: "article",
        id,
        title: card.title.trim() || "Receipts",
        ...(card.description.trim() ? { description: card.description } : {}),
        input_message_content: {
          message_text: first.text,
          parse_mode: "HTML",
          link_preview_options: first.link_preview_options,
        },
      });
    }
    await call("answerInlineQuery", undefined, () =>
      api.answerInlineQuery(query.id, results, {
        cache_time: 60,
        // With nothing to offer, a way into a private chat, where the bot explains itself.
        ...(results.length === 0
          ? { button: { text: "Ask me in a private chat", start_parameter: "inline" } }
          : {}),
      }),
    );
  }

  function logUpdate(type: string, chat: Chat | undefined, input: Input | undefined): void {
    if (!log.isLevelEnabled("debug")) return;
    const text = input?.kind === "text" ? input.text : input?.kind === "command" ? input.args : undefined;
    log.debug(
      {
        update: type,
        chatKind: chat?.type,
        input: input?.kind ?? "ignored",
        ...(input?.kind === "command" ? { command: input.name } : {}),
        ...(options.logMessageText && text !== undefined ? { text } : { length: text?.length }),
      },
      "telegram: update",
    );
  }

  telegraf.on("message", (ctx) => onMessage(ctx.message as MessageView, false));
  telegraf.on("edited_message", (ctx) => onMessage(ctx.editedMessage as MessageView, true));
  telegraf.on("callback_query", (ctx) => onCallback(ctx.callbackQuery));
  telegraf.on("inline_query", (ctx) => onInlineQuery(ctx.inlineQuery));
  // Without this, one throwing handler would end polling for good.
  telegraf.catch(async (error, ctx) => {
    log.error({ err: describe(error), update: ctx.updateType }, "telegram: handler failed");
    try {
      if (ctx.callbackQuery) {
        await call("answerCallbackQuery", undefined, () =>
          api.answerCbQuery(ctx.callbackQuery?.id ?? "", FRIENDLY_TOAST),
        );
      } else if (ctx.inlineQuery) {
        await call("answerInlineQuery", undefined, () =>
          api.answerInlineQuery(ctx.inlineQuery?.id ?? "", []),
        );
      } else if (ctx.chat) {
        const chatId = ctx.chat.id;
        await inOrder(chatId, () => sendMessages(chatId, renderTelegram(FRIENDLY_ERROR)));
      }
    } catch (nested) {
      log.error({ err: describe(nested) }, "telegram: could not report a handler failure");
    }
  });

  // ---------------------------------------------------------------- lifecycle ----

  function fatal(error: unknown): void {
    const reason = fatalError(error);
    log.fatal({ err: describe(error), code: reason.code }, reason.message);
    options.onFatal?.(reason);
  }

  async function startWebhook(hook: NonNullable<TelegramAdapterOptions["webhook"]>): Promise<void> {
    const url = new URL(hook.url);
    if (!hook.secret) log.warn("telegram: webhook without a secret token; set TELEGRAM_WEBHOOK_SECRET");
    // telegraf's filter refuses (403) other paths, other methods and a missing or wrong secret.
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
      await api.setWebhook(hook.url, {
        allowed_updates: UPDATES,
        ...(hook.secret ? { secret_token: hook.secret } : {}),
      });
    } catch (error) {
      listening.close();
      throw error;
    }
    server = listening;
    log.info({ port: webhookPort(), path: url.pathname }, "telegram: webhook mode");
  }

  function webhookPort(): number | undefined {
    const address = server?.address();
    return address && typeof address === "object" ? (address as AddressInfo).port : undefined;
  }

  return {
    platform: "telegram",
    telegraf,
    webhookPort,

    async start() {
      if (started) return;
      started = true;
      try {
        telegraf.botInfo = await api.getMe();
      } catch (error) {
        const reason = fatalError(error);
        log.fatal({ err: describe(error) }, reason.message);
        throw reason;
      }
      if (stopping.signal.aborted) return;
      const commands = bot.commands
        .filter((c) => /^[a-z0-9_]{1,32}$/.test(c.name) && c.description.trim().length >= 3)
        .map((c) => ({ command: c.name, description: clip(c.description, LIMITS.commandDescription) }));
      const set = await call("setMyCommands", undefined, () => api.setMyCommands(commands));
      if (!set.ok) log.warn("telegram: could not set the command menu; commands still work");
      if (stopping.signal.aborted) return;
      if (webhook) {
        await startWebhook(webhook).catch((error: unknown) => {
          const reason = webhookError(error, webhook.port);
          log.fatal({ err: describe(error) }, reason.message);
          throw reason;
        });
      } else {
        // launch() resolves only when polling stops, so it is watched rather than awaited.
        polling = telegraf.launch({ allowedUpdates: UPDATES }).then(
          () => {
            if (!stopping.signal.aborted) fatal(new Error("polling stopped unexpectedly"));
          },
          (error: unknown) => {
            if (!stopping.signal.aborted) fatal(error);
          },
        );
        log.info({ username: me().username }, "telegram: long polling");
      }
    },

    async stop() {
      if (stopping.signal.aborted) return;
      stopping.abort(); // also cuts short any 429 wait
      if (polling) {
        // launch() sets up polling only after its deleteWebhook call returns; until then stop() throws.
        for (;;) {
          try {
            telegraf.stop("stop");
            break;
          } catch {
            const ended = await Promise.race([polling.then(() => true), sleep(10, false)]);
            if (ended) break;
          }
        }
        await polling;
      }
      if (server) {
        const closing = server;
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeAllConnections();
        });
      }
      await Promise.allSettled([...chatQueues.values()]);
    },

    /** For the notification dispatcher: no retries here, so it can keep its own pace and order. */
    async deliver(chatId: string, reply: Reply): Promise<DeliveryResult> {
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
              await sleep(result.afterMs, undefined, { signal: stopping.signal }).catch(() => undefined);
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

// ---------------------------------------------------------------- errors ----

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

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof TelegramError) || error.code !== 429) return undefined;
  return (error.parameters?.retry_after ?? 1) * 1000;
}

function isNotModified(error: unknown): boolean {
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

function fatalError(error: unknown): TelegramFatalError {
  if (error instanceof TelegramError && error.code === 409) {
    return new TelegramFatalError(
      `receipts: Telegram stopped long polling with 409 Conflict (${error.description}). ` +
        "Another process is taking updates for this TELEGRAM_BOT_TOKEN: stop it (only one instance may run " +
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

function webhookError(error: unknown, port: number): TelegramFatalError {
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

/** An error's message without request payloads (they carry users' text) and without the token. */
function reasonOf(error: unknown): string {
  if (error instanceof TelegramError) return `${error.code}: ${error.description}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\/bot\d+:[^/\s]+/g, "/bot[redacted]");
}

function describe(error: unknown): { name: string; message: string; code?: number | string; stack?: string } {
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

// ---------------------------------------------------------------- small helpers ----

/** telegraf resolves method URLs relative to apiRoot, which drops a last path segment without "/". */
function withSlash(root: string): string {
  return root.endsWith("/") ? root : `${root}/`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Inline result ids are 1–64 bytes and unique within an answer. */
function resultId(id: string, taken: ReadonlySet<string>): string {
  const base =
    id !== "" && Buffer.byteLength(id) <= LIMITS.resultId - 4
      ? id
      : createHash("sha256").update(id).digest("base64url").slice(0, 40);
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}~${n}`;
  return candidate;
}
