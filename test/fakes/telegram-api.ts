/**
 * A stand-in for the Telegram Bot API, for end-to-end tests.
 *
 * It speaks the HTTP protocol of https://core.telegram.org/bots/api closely enough that the real
 * telegraf client runs against it unchanged (`new Telegraf(token, { telegram: { apiRoot } })`),
 * enforces the rules that bite bots in production (HTML markup, message length, callback_data
 * size, long-poll conflicts, rate limits) with Telegram's own error shapes, and records every call
 * so tests can synchronise on what the bot did instead of sleeping.
 *
 * Serves with node:http on 127.0.0.1:0; never contacts another host.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BotCommand,
  CallbackQuery,
  Chat,
  ChatMember,
  InlineQuery,
  Message,
  MessageEntity,
  Update,
  User,
  UserFromGetMe,
} from "telegraf/types";
import { pngSize } from "../support/png.js";

export type Params = Record<string, unknown>;
/** A file sent in a multipart body (sendPhoto with a file of the bot's own), as a param's value. */
export interface UploadedFile {
  filename: string;
  size: number;
  bytes: Buffer;
}
export type ResponseParameters = { retry_after?: number; migrate_to_chat_id?: number };
export type ApiFailure = {
  ok: false;
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
};
export type ApiResponse = { ok: true; result: unknown } | ApiFailure;
export interface RecordedCall {
  /** Canonical casing ("sendMessage"), although Telegram accepts any casing. */
  method: string;
  params: Params;
  /** Date.now() when the request arrived. */
  time: number;
  /** "webhook-reply": the bot answered a webhook POST with a method call in the response body. */
  via: "http" | "webhook-reply";
  /** Set once answered; a held getUpdates is recorded on arrival and answered later. */
  response?: ApiResponse;
}
export type RateLimits = { globalPerSecond?: number; perChatPerSecond?: number; perGroupPerMinute?: number };
export interface StandInOptions {
  token?: string;
  bot?: Partial<UserFromGetMe>;
  /** chat id -> user ids reported as administrators. */
  admins?: Record<string, number[]>;
  /** Off unless given; when exceeded, sends get 429 with parameters.retry_after. */
  limits?: RateLimits;
  /**
   * A getUpdates arriving while another is held: "reject-new" (default) answers the newcomer 409;
   * "terminate-old" answers the held one 409 and serves the newcomer, as api.telegram.org does.
   */
  conflict?: "reject-new" | "terminate-old";
}
/** An error to inject: `count` calls (default 1) fail, optionally only those to `chatId`. */
export type FailSpec = Omit<ApiFailure, "ok"> & { count?: number; chatId?: number | string };
export type StandInStats = { requests: number; errors: number; tooManyRequests: number; conflicts: number };
export type UserInput = number | (Partial<User> & { id: number });
/** A number: positive = private chat with that user, below -1e12 = supergroup, else a basic group. */
export type ChatInput = number | Chat;
type Sender = { chat?: ChatInput; from?: UserInput };
/** `entities` defaults to the bot_command and mention entities a Telegram client would attach. */
export type MessageInput = Sender & { text: string; entities?: MessageEntity[]; reply_to_message?: Message };
export type MediaInput = Sender & { caption?: string; emoji?: string };
/** An update before pushUpdate gives it an update_id. */
export type NewUpdate<U extends Update> = Omit<U, "update_id">;
export type TelegramStandIn = Awaited<ReturnType<typeof startTelegramStandIn>>;

/** Ready-made failures worded as the Bot API words them, for failNext(). */
export const telegramErrors = {
  blocked: { error_code: 403, description: "Forbidden: bot was blocked by the user" },
  kicked: { error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" },
  chatNotFound: { error_code: 400, description: "Bad Request: chat not found" },
  tooManyRequests: (retry_after: number) => ({
    error_code: 429,
    description: `Too Many Requests: retry after ${retry_after}`,
    parameters: { retry_after },
  }),
  migrated: (migrate_to_chat_id: number) => ({
    error_code: 400,
    description: "Bad Request: group chat was upgraded to a supergroup chat",
    parameters: { migrate_to_chat_id },
  }),
};

const CONFLICT =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const WEBHOOK_ACTIVE =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
/** Telegram delivers these only when allowed_updates names them explicitly. */
const OPT_IN_UPDATES = ["chat_member", "message_reaction", "message_reaction_count"];
/** Form and query values are strings; these fields carry JSON-serialised objects. */
const JSON_FIELDS =
  /^(reply_markup|reply_parameters|link_preview_options|results|entities|caption_entities|allowed_updates|commands|scope|media)$/;
const NUMERIC_FIELDS = /^(chat_id|from_chat_id|message_id|user_id|message_thread_id|offset|limit|timeout)$/;
const BUTTON_ACTIONS = /^(url|callback_data|web_app|login_url|switch_inline_query\w*|callback_game|pay)$/;
const ADMIN = {
  status: "administrator",
  can_be_edited: false,
  can_manage_chat: true,
  can_delete_messages: true,
};

class TelegramFailure extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.description);
  }
}
const failure = (error_code: number, description: string, parameters?: ResponseParameters): ApiFailure =>
  parameters ? { ok: false, error_code, description, parameters } : { ok: false, error_code, description };
const bad = (what: string) => new TelegramFailure(failure(400, `Bad Request: ${what}`));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const now = () => Math.floor(Date.now() / 1000);
/** Deep copy that also drops undefined fields, as JSON on the wire would. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---------------------------------------------------------------- HTML parse_mode ----

const HTML_TAGS: Record<string, string> = {
  ...{ b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline" },
  ...{ s: "strikethrough", strike: "strikethrough", del: "strikethrough", a: "text_link", code: "code" },
  ...{ span: "spoiler", "tg-spoiler": "spoiler", pre: "pre", blockquote: "blockquote" },
  "tg-emoji": "custom_emoji",
};
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
const ENTITY = /&(?:(lt|gt|amp|quot)|#(\d{1,7})|#x([0-9a-f]{1,6}));/iy;
const START_TAG = /^([a-z][a-z0-9-]*)((?:\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*$/i;
const ATTRIBUTE = /([a-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/gi;

export type ParsedText = { text: string; entities: MessageEntity[] };

/**
 * Parses text as Telegram's parse_mode=HTML does: the plain text and entities, or the reason for
 * "Bad Request: can't parse entities: ...". Only Telegram's tags and &lt; &gt; &amp; &quot; &#N;
 * &#xN; are recognised. Stricter than Telegram about a bare ">" or "&", which it sometimes lets
 * through: escaping them is always correct, so a bot that trips on this has a latent bug.
 */
export function parseTelegramHtml(html: string): ParsedText | { error: string } {
  const at = (i: number) => `at byte offset ${Buffer.byteLength(html.slice(0, i))}`;
  const fail = (why: string) => ({ error: `can't parse entities: ${why}` });
  const open: { tag: string; offset: number; attrs: Record<string, string> }[] = [];
  const entities: MessageEntity[] = [];
  let text = "";
  for (let i = 0; i < html.length; ) {
    const ch = html.charAt(i);
    if (ch === "&") {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(html);
      if (!m) return fail(`Character '&' must be escaped as &amp; ${at(i)}`);
      const code = m[2] ? Number(m[2]) : m[3] ? Number.parseInt(m[3], 16) : -1;
      if (code > 0x10ffff) return fail(`Invalid numeric HTML entity ${at(i)}`);
      text += code >= 0 ? String.fromCodePoint(code) : NAMED[(m[1] ?? "").toLowerCase()];
      i += m[0].length;
      continue;
    }
    if (ch === ">") return fail(`Character '>' must be escaped as &gt; ${at(i)}`);
    if (ch !== "<") {
      text += ch;
      i++;
      continue;
    }
    const end = html.indexOf(">", i);
    if (end < 0) return fail(`Unclosed start tag ${at(i)}`);
    const body = html.slice(i + 1, end);
    if (body.startsWith("/")) {
      const name = body.slice(1).trim().toLowerCase();
      const top = open.pop();
      if (!top) return fail(`Unexpected end tag ${at(i)}`);
      if (top.tag !== name)
        return fail(`Unmatched end tag ${at(i)}, expected "</${top.tag}>", found "</${name}>"`);
      const { href, class: className, "emoji-id": emojiId, language } = top.attrs;
      const codeLanguage = /^language-(.+)$/.exec(className ?? "")?.[1];
      const parent = open.at(-1);
      if (top.tag === "code" && codeLanguage && parent?.tag === "pre") {
        parent.attrs.language = codeLanguage; // <pre><code class="language-x"> is one pre entity
      } else if (text.length > top.offset && (top.tag !== "a" || href !== undefined)) {
        const type = "expandable" in top.attrs ? "expandable_blockquote" : HTML_TAGS[top.tag];
        const extra = copy({ url: href, custom_emoji_id: emojiId, language });
        const length = text.length - top.offset;
        entities.push({ type, offset: top.offset, length, ...extra } as MessageEntity);
      }
    } else {
      const m = START_TAG.exec(body);
      const tag = (m?.[1] ?? body.split(/\s/)[0] ?? "").toLowerCase();
      if (!m || HTML_TAGS[tag] === undefined) return fail(`Unsupported start tag "${tag}" ${at(i)}`);
      const attrs: Record<string, string> = {};
      for (const a of (m[2] ?? "").matchAll(ATTRIBUTE)) {
        const value = a[2] ?? a[3] ?? a[4] ?? "";
        attrs[(a[1] ?? "").toLowerCase()] = value.replace(/&(lt|gt|amp|quot);/g, (_, n) => NAMED[n] ?? "");
      }
      if (tag === "span" && attrs.class !== "tg-spoiler")
        return fail(`Tag "span" must have class "tg-spoiler"`);
      if (tag === "tg-emoji" && !attrs["emoji-id"])
        return fail(`Tag "tg-emoji" must have attribute "emoji-id"`);
      open.push({ tag, offset: text.length, attrs });
    }
    i = end + 1;
  }
  const unclosed = open.pop();
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text, entities: entities.sort((a, b) => a.offset - b.offset || b.length - a.length) };
}

/** Entities a Telegram client attaches to typed text: /commands (with optional @bot) and @mentions. */
function autoEntities(text: string): MessageEntity[] | undefined {
  const commands = [...text.matchAll(/(?<![\w/@])\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?/g)];
  const mentions = [...text.matchAll(/(?<![\w/@])@[a-zA-Z0-9_]{5,32}/g)];
  const found = [
    ...commands.map((m) => ({ type: "bot_command" as const, offset: m.index, length: m[0].length })),
    ...mentions.map((m) => ({ type: "mention" as const, offset: m.index, length: m[0].length })),
  ];
  return found.length > 0 ? found.sort((a, b) => a.offset - b.offset) : undefined;
}

/** Merges query string and body, whichever of JSON, urlencoded or multipart it is. */
async function readParams(req: IncomingMessage, query: URLSearchParams): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers["content-type"] ?? "";
  const params: Params = Object.fromEntries(query);
  if (type.includes("application/json") && body.length > 0) {
    Object.assign(params, JSON.parse(body.toString("utf8")));
  } else if (type.includes("application/x-www-form-urlencoded")) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
  } else if (type.includes("multipart/form-data")) {
    const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2] ?? "";
    // latin1 keeps one char per byte: file sizes come out right and text parts decode exactly.
    for (const part of body.toString("latin1").split(`--${boundary}`).slice(1)) {
      const split = part.indexOf("\r\n\r\n");
      const name = /name="([^"]*)"/.exec(part.slice(0, split))?.[1];
      const filename = /filename="([^"]*)"/.exec(part.slice(0, split))?.[1];
      const value = part.slice(split + 4).replace(/\r\n$/, "");
      if (split < 0 || name === undefined) continue;
      params[name] = filename
        ? ({ filename, size: value.length, bytes: Buffer.from(value, "latin1") } satisfies UploadedFile)
        : Buffer.from(value, "latin1").toString();
    }
  }
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== "string") continue;
    if (JSON_FIELDS.test(key) && /^\s*[[{]/.test(value)) params[key] = JSON.parse(value);
    if (NUMERIC_FIELDS.test(key) && /^-?\d+$/.test(value)) params[key] = Number(value); // as JSON bodies have them
  }
  delete params.method; // telegraf adds it to multipart bodies
  return params;
}

// ---------------------------------------------------------------- the server ----

type Msg = { message_id: number; chat: Chat; date: number; [key: string]: unknown };
type Waiter = {
  method: string;
  predicate: (call: RecordedCall) => boolean;
  resolve: (c: RecordedCall) => void;
};
type ReplyParameters = { message_id?: number; allow_sending_without_reply?: boolean };

export async function startTelegramStandIn(options: StandInOptions = {}) {
  const token = options.token ?? "123456789:TEST-receipts_stand-in_token";
  const botUser: UserFromGetMe = {
    ...{ id: Number(token.split(":")[0]) || 123456789, is_bot: true, first_name: "Receipts (test)" },
    ...{ username: "receipts_test_bot", can_join_groups: true, can_read_all_group_messages: false },
    ...{ supports_inline_queries: true, ...options.bot },
  };
  const defaultUser: User = { id: 1001, is_bot: false, first_name: "Ada", username: "ada_tester" };
  const stats: StandInStats = { requests: 0, errors: 0, tooManyRequests: 0, conflicts: 0 };
  const calls: RecordedCall[] = [];
  const claimed = new WeakSet<RecordedCall>(); // calls already returned by a waitForCall
  const waiters = new Set<Waiter>();
  const ackWaiters = new Set<{ updateId: number; resolve: () => void }>();
  const pendingWaits = new Set<{ fail: (error: Error) => void }>();
  const users = new Map<number, User>([
    [defaultUser.id, defaultUser],
    [botUser.id, botUser],
  ]);
  const chats = new Map<string, Chat>();
  const store = new Map<string, Map<number, { message: Msg; fromBot: boolean }>>();
  const botMessages: Msg[] = [];
  const queries = new Set<string>(); // callback and inline query ids not answered yet
  const admins = new Map(Object.entries(options.admins ?? {}).map(([chat, ids]) => [chat, new Set(ids)]));
  const blocked = new Set<string>();
  const injected: (FailSpec & { method: string; left: number })[] = [];
  const myCommands = new Map<string, BotCommand[]>();
  const sendTimes = new Map<string, number[]>(); // rate-limit window -> times of recent sends
  let webhook: { url: string; secretToken?: string } = { url: "" };
  let queue: Update[] = [];
  let nextUpdateId = 1001;
  let nextQueryId = 1;
  let nextFileId = 1;
  let confirmedBelow = 0; // highest getUpdates offset seen: every update below it is confirmed
  let allowedUpdates: string[] = [];
  let held: { res: ServerResponse; call: RecordedCall; limit: number; timer: NodeJS.Timeout } | undefined;
  let flushScheduled = false;

  // ---- users, chats and messages
  const toUser = (u: UserInput = defaultUser): User => {
    const id = typeof u === "number" ? u : u.id;
    const base = users.get(id) ?? { id, is_bot: false, first_name: `User ${id}`, username: `user${id}` };
    const user = typeof u === "number" ? base : { ...base, ...u };
    users.set(id, user);
    return user;
  };
  const toChat = (c: ChatInput | string | undefined, from: User = defaultUser): Chat => {
    if (typeof c === "object") {
      chats.set(String(c.id), c);
      return c;
    }
    const key = String(c ?? from.id);
    const id = Number(key);
    const { first_name, username } = users.get(id) ?? from;
    let chat = chats.get(key);
    if (chat) return chat;
    if (Number.isNaN(id))
      chat = { id: -1001e9 - chats.size, type: "channel", title: key, username: key.slice(1) };
    else if (id > 0) chat = copy({ id, type: "private", first_name, username });
    else chat = { id, type: id < -1e12 ? "supergroup" : "group", title: `Group ${id}` } as Chat;
    chats.set(key, chat);
    return chat;
  };
  /** Message ids increase per chat and are shared by the bot's and the users' messages. */
  const storeMessage = (chat: Chat, fromBot: boolean, fields: Record<string, unknown>): Msg => {
    const messages = store.get(String(chat.id)) ?? new Map<number, { message: Msg; fromBot: boolean }>();
    store.set(String(chat.id), messages);
    const message = { message_id: Math.max(0, ...messages.keys()) + 1, ...copy(fields), chat, date: now() };
    messages.set(message.message_id, { message, fromBot });
    if (fromBot) botMessages.push(message);
    return message;
  };
  const botMessage = (p: Params, notFound: string) => {
    const found = store.get(String(p.chat_id))?.get(Number(p.message_id));
    if (!found) throw bad(notFound);
    if (!found.fromBot && notFound.includes("edit")) throw bad("message can't be edited");
    return found.message;
  };
  const chatOf = (p: Params): Chat => {
    if (p.chat_id === undefined || p.chat_id === "") throw bad("chat_id is empty");
    return toChat(String(p.chat_id));
  };
  const member = (user: User, admin: boolean): ChatMember =>
    admin ? ({ ...ADMIN, user } as ChatMember) : { status: "member", user };
  const commandsKey = (scope: unknown, lang: unknown) =>
    JSON.stringify([scope ?? { type: "default" }, lang ?? ""]);

  // ---- validation shared by send and edit methods
  const parseMarkup = (text: string, parseMode: unknown, entities: unknown): ParsedText => {
    if (String(parseMode).toLowerCase() !== "html") {
      return { text, entities: Array.isArray(entities) ? entities : [] };
    }
    const html = parseTelegramHtml(text);
    if ("error" in html) throw bad(html.error);
    return html;
  };
  const checkText = (p: Params): ParsedText => {
    if (p.text === undefined || p.text === "") throw bad("message text is empty");
    const parsed = parseMarkup(String(p.text), p.parse_mode, p.entities);
    if (parsed.text.trim() === "") throw bad("message text is empty");
    if (parsed.text.length > 4096) throw bad("message is too long"); // UTF-16 code units, like JS
    return parsed;
  };
  /** A photo's caption: 0 to 1,024 characters after entity parsing. */
  const checkCaption = (p: Params): ParsedText | undefined => {
    if (p.caption === undefined || p.caption === "") return undefined;
    const parsed = parseMarkup(String(p.caption), p.parse_mode, p.caption_entities);
    if (parsed.text.length > 1024) throw bad("message caption is too long");
    return parsed;
  };
  /** An uploaded picture as Telegram checks it: a PNG here, at most 10 MB, sides adding up to 10,000 at most, ratio 20 at most. */
  const checkPhoto = (photo: unknown): { width: number; height: number } => {
    if (typeof photo === "string") throw bad("wrong remote file identifier specified: Wrong string length");
    const upload = photo as Partial<UploadedFile> | undefined;
    if (!upload?.bytes) throw bad("there is no photo in the request");
    if (upload.bytes.length > 10 * 1024 * 1024) throw bad("PHOTO_SAVE_FILE_INVALID");
    let size: { width: number; height: number };
    try {
      size = pngSize(upload.bytes);
    } catch {
      throw bad("IMAGE_PROCESS_FAILED");
    }
    const { width, height } = size;
    if (width < 1 || height < 1 || width + height > 10_000 || Math.max(width / height, height / width) > 20)
      throw bad("PHOTO_INVALID_DIMENSIONS");
    return size;
  };
  /** The sizes Telegram keeps of a photo: thumbnails, and the original scaled to 1,280 at most. */
  const photoSizes = ({ width, height }: { width: number; height: number }, bytes: number) => {
    const longest = Math.max(width, height);
    const sides = [90, 320, 800, 1280].filter((side) => side < longest).concat(Math.min(longest, 1280));
    return [...new Set(sides)].map((side, n) => {
      const scale = side / longest;
      return {
        file_id: `photo${nextFileId}-${n}`,
        file_unique_id: `u${nextFileId}-${n}`,
        width: Math.round(width * scale),
        height: Math.round(height * scale),
        file_size: Math.round(bytes * scale * scale),
      };
    });
  };
  const checkMarkup = (markup: unknown): object | undefined => {
    const rows = (markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard;
    if (rows === undefined) return undefined; // reply keyboards are accepted but not echoed back
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) throw bad("can't parse inline keyboard markup");
    for (const button of rows.flat() as Record<string, unknown>[]) {
      if (typeof button.text !== "string" || button.text === "") throw bad("BUTTON_TEXT_INVALID");
      const size = Buffer.byteLength(String(button.callback_data ?? "x"));
      if (size < 1 || size > 64) throw bad("BUTTON_DATA_INVALID"); // bytes, not characters
      if (!Object.keys(button).some((key) => BUTTON_ACTIONS.test(key))) {
        throw bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
    }
    return markup as object;
  };
  const answerQuery = (id: unknown) => {
    if (queries.delete(String(id))) return true;
    throw bad("query is too old and response timeout expired or query ID is invalid");
  };
  /** Seconds until `chat` may get another message (0: now), over sliding windows of successful sends. */
  const retryAfter = (chat: string, commit: boolean): number => {
    const { globalPerSecond, perChatPerSecond, perGroupPerMinute } = options.limits ?? {};
    const windows: [string, number | undefined, number][] = [["*", globalPerSecond, 1000]];
    windows.push(
      [chat, perChatPerSecond, 1000],
      [`group ${chat}`, Number(chat) < 0 ? perGroupPerMinute : 0, 60e3],
    );
    const at = Date.now();
    let wait = 0;
    for (const [key, max, windowMs] of windows) {
      if (!max) continue;
      const times = (sendTimes.get(key) ?? []).filter((t) => t > at - windowMs);
      sendTimes.set(key, times);
      if (commit) times.push(at);
      else if (times.length >= max)
        wait = Math.max(wait, Math.ceil(((times[0] ?? at) + windowMs - at) / 1e3));
    }
    return wait;
  };

  // ---- methods; getUpdates is separate because it holds the response open
  const handlers: Record<string, (p: Params) => unknown> = {
    getMe: () => botUser,
    setWebhook: (p) => {
      const url = String(p.url ?? "");
      if (!/^(https:\/\/|$)/.test(url)) throw bad("bad webhook: An HTTPS URL must be provided for webhook");
      webhook = p.secret_token ? { url, secretToken: String(p.secret_token) } : { url };
      if (String(p.drop_pending_updates) === "true") queue = [];
      return true;
    },
    // An empty url is how the Bot API itself removes a webhook.
    deleteWebhook: (p) => handlers.setWebhook?.({ drop_pending_updates: p.drop_pending_updates }),
    getWebhookInfo: () => ({
      url: webhook.url,
      has_custom_certificate: false,
      pending_update_count: queue.length,
    }),
    setMyCommands: (p) => {
      const commands = (Array.isArray(p.commands) ? p.commands : []) as BotCommand[];
      if (commands.length > 100) throw bad("BOT_COMMANDS_TOO_MUCH");
      if (!commands.every((c) => /^[a-z0-9_]{1,32}$/.test(c.command))) throw bad("BOT_COMMAND_INVALID");
      if (!commands.every((c) => /^.{1,256}$/s.test(c.description)))
        throw bad("BOT_COMMAND_DESCRIPTION_INVALID");
      myCommands.set(commandsKey(p.scope, p.language_code), commands);
      return true;
    },
    getMyCommands: (p) => myCommands.get(commandsKey(p.scope, p.language_code)) ?? [],
    sendChatAction: (p) => Boolean(chatOf(p)),
    sendMessage: (p) => {
      const chat = chatOf(p);
      const { text, entities } = checkText(p);
      const reply_markup = checkMarkup(p.reply_markup);
      const { message_id, allow_sending_without_reply } = (p.reply_parameters ?? {}) as ReplyParameters;
      const replyTo = message_id ?? p.reply_to_message_id;
      const reply_to_message = store.get(String(chat.id))?.get(Number(replyTo))?.message;
      if (replyTo !== undefined && !reply_to_message && !allow_sending_without_reply) {
        throw bad("message to be replied not found");
      }
      const fields = {
        from: botUser,
        text,
        entities: entities[0] && entities,
        reply_markup,
        reply_to_message,
      };
      return storeMessage(chat, true, fields);
    },
    sendPhoto: (p) => {
      const chat = chatOf(p);
      const size = checkPhoto(p.photo);
      const caption = checkCaption(p);
      const reply_markup = checkMarkup(p.reply_markup);
      const { message_id, allow_sending_without_reply } = (p.reply_parameters ?? {}) as ReplyParameters;
      const replyTo = message_id ?? p.reply_to_message_id;
      const reply_to_message = store.get(String(chat.id))?.get(Number(replyTo))?.message;
      if (replyTo !== undefined && !reply_to_message && !allow_sending_without_reply) {
        throw bad("message to be replied not found");
      }
      const photo = photoSizes(size, (p.photo as UploadedFile).size);
      nextFileId++;
      const fields = {
        from: botUser,
        photo,
        caption: caption?.text,
        caption_entities: caption?.entities[0] && caption.entities,
        reply_markup,
        reply_to_message,
      };
      return storeMessage(chat, true, fields);
    },
    editMessageText: (p) => {
      const { text, entities } = checkText(p);
      const reply_markup = checkMarkup(p.reply_markup);
      if (p.inline_message_id !== undefined) return true;
      const message = botMessage(p, "message to edit not found");
      if (message.text === undefined) throw bad("there is no text in the message to edit");
      // Omitting reply_markup in an edit removes the inline keyboard, so it is compared too.
      const before = [message.text, message.entities ?? [], message.reply_markup];
      if (same(before, [text, entities, reply_markup])) throw bad(NOT_MODIFIED);
      delete message.entities;
      delete message.reply_markup;
      return Object.assign(message, copy({ text, entities: entities[0] && entities, reply_markup }), {
        edit_date: now(),
      });
    },
    deleteMessage: (p) => {
      const message = botMessage(p, "message to delete not found");
      store.get(String(p.chat_id))?.delete(message.message_id);
      if (botMessages.includes(message)) botMessages.splice(botMessages.indexOf(message), 1);
      return true;
    },
    answerCallbackQuery: (p) => answerQuery(p.callback_query_id),
    answerInlineQuery: (p) => {
      const results = (Array.isArray(p.results) ? p.results : []) as { id?: string }[];
      if (results.length > 50) throw bad("RESULTS_TOO_MUCH");
      if (new Set(results.map((r) => r.id)).size !== results.length) throw bad("RESULT_ID_DUPLICATE");
      return answerQuery(p.inline_query_id);
    },
    getChatAdministrators: (p) => {
      const chat = chatOf(p);
      if (chat.type === "private") throw bad("there are no administrators in the private chat");
      return [...(admins.get(String(chat.id)) ?? [])].map((id) => member(toUser(id), true));
    },
    getChatMember: (p) => {
      const user = toUser(Number(p.user_id));
      return member(user, admins.get(String(chatOf(p).id))?.has(user.id) ?? false);
    },
  };
  const canonical = new Map(
    [...Object.keys(handlers), "getUpdates"].map((name) => [name.toLowerCase(), name]),
  );
  const canonicalName = (method: string) => canonical.get(method.toLowerCase()) ?? method;

  // ---- recording and dispatch
  const record = (method: string, params: Params, via: RecordedCall["via"], response?: ApiResponse) => {
    const call: RecordedCall = { method, params, time: Date.now(), via, ...(response ? { response } : {}) };
    calls.push(call);
    const waiter = [...waiters].find((w) => w.method === method && w.predicate(call));
    if (waiter) {
      claimed.add(call);
      waiter.resolve(call);
    }
    return call;
  };
  const dispatch = (method: string, params: Params): ApiResponse => {
    const chat = params.chat_id === undefined ? "" : String(params.chat_id);
    const matches = (f: FailSpec) => f.chatId === undefined || String(f.chatId) === chat;
    const rule = injected.find((f) => f.method === method && matches(f));
    if (rule) {
      if (--rule.left <= 0) injected.splice(injected.indexOf(rule), 1);
      if (rule.error_code === 429) stats.tooManyRequests++;
      return failure(rule.error_code, rule.description, rule.parameters);
    }
    const isSend = chat !== "" && /^(send|edit|copy|forward)/.test(method);
    if (isSend && blocked.has(chat)) {
      const who = Number(chat) > 0 ? "bot was blocked by the user" : "bot was kicked from the group chat";
      return failure(403, `Forbidden: ${who}`);
    }
    const limited = isSend && method !== "sendChatAction";
    const retry = limited ? retryAfter(chat, false) : 0;
    if (retry > 0) {
      stats.tooManyRequests++;
      return failure(429, `Too Many Requests: retry after ${retry}`, { retry_after: retry });
    }
    try {
      const result = handlers[method]?.(params) ?? true; // unknown methods succeed, and are recorded
      if (limited) retryAfter(chat, true);
      return { ok: true, result: copy(result) }; // a snapshot: later edits must not change recorded results
    } catch (error) {
      if (error instanceof TelegramFailure) return error.failure;
      throw error;
    }
  };
  const answer = (res: ServerResponse, response: ApiResponse, call?: RecordedCall) => {
    if (call) call.response = response;
    if (!response.ok) stats.errors++;
    if (res.writableEnded) return;
    res.writeHead(response.ok ? 200 : response.error_code, { "content-type": "application/json" });
    res.end(JSON.stringify(response));
  };

  // ---- long polling
  /** The queue, minus updates of types the bot did not ask for: Telegram never delivers those. */
  const deliverable = (): Update[] => {
    const wanted = (type: string) =>
      allowedUpdates.length > 0 ? allowedUpdates.includes(type) : !OPT_IN_UPDATES.includes(type);
    queue = queue.filter((u) => wanted(Object.keys(u).find((k) => k !== "update_id") ?? ""));
    return queue;
  };
  const releaseHeld = (response: ApiResponse) => {
    if (!held) return;
    const { res, call, timer } = held;
    clearTimeout(timer);
    held = undefined;
    answer(res, response, call);
  };
  const getUpdates = (call: RecordedCall, res: ServerResponse) => {
    const p = call.params;
    if (webhook.url !== "") return answer(res, failure(409, WEBHOOK_ACTIVE), call);
    if (held) {
      stats.conflicts++;
      if (options.conflict !== "terminate-old") return answer(res, failure(409, CONFLICT), call);
      releaseHeld(failure(409, CONFLICT));
    }
    const offset = Number(p.offset ?? 0);
    if (offset > 0) {
      queue = queue.filter((u) => u.update_id >= offset); // confirmed updates are forgotten for good
      confirmedBelow = Math.max(confirmedBelow, offset);
      for (const w of ackWaiters) if (w.updateId < confirmedBelow) w.resolve();
    } else if (offset < 0) {
      queue = queue.slice(offset); // keep only the last -offset updates
    }
    if (Array.isArray(p.allowed_updates)) allowedUpdates = p.allowed_updates.map(String);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100) || 100));
    const timeout = Math.max(0, Number(p.timeout ?? 0) || 0);
    if (deliverable().length > 0 || timeout === 0) {
      return answer(res, { ok: true, result: queue.slice(0, limit) }, call);
    }
    const timer = setTimeout(() => releaseHeld({ ok: true, result: [] }), timeout * 1000);
    held = { res, call, limit, timer };
    // A client that gives up (telegraf's bot.stop() aborts its request) frees the slot at once.
    res.on("close", () => {
      if (held?.res !== res) return;
      clearTimeout(timer);
      held = undefined;
    });
  };

  // ---- HTTP
  const server = createServer((req, res) => {
    void (async () => {
      stats.requests++;
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const route = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)$/.exec(url.pathname);
      if (!route) return answer(res, failure(404, "Not Found"));
      if (route[1] !== token) return answer(res, failure(401, "Unauthorized"));
      const method = canonicalName(String(route[2]));
      const params = await readParams(req, url.searchParams).catch(() => undefined);
      if (!params) return answer(res, failure(400, "Bad Request: can't parse request body"));
      if (method === "getUpdates") return getUpdates(record(method, params, "http"), res);
      const response = dispatch(method, params);
      answer(res, response, record(method, params, "http", response));
    })().catch((error: unknown) => answer(res, failure(500, `Internal Server Error: ${String(error)}`)));
  });
  // Node closes an idle keep-alive connection after 5 s; telegraf's client reuses pooled sockets
  // without knowing that, so a reply sent after more than 5 s of thinking (a first question on a busy
  // machine) would meet a reset socket. Servers on the internet keep idle connections open longer.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  /** Settled through `register`'s callback; rejected with describe() after ms or when the stand-in closes. */
  const waitUntil = <T>(ms: number, describe: () => string, register: (done: (v: T) => void) => () => void) =>
    new Promise<T>((resolve, reject) => {
      const entry = { fail: (error: Error) => finish(() => reject(error)) };
      const timer = setTimeout(() => entry.fail(new Error(describe())), ms);
      const unregister = register((value) => finish(() => resolve(value)));
      function finish(settle: () => void) {
        pendingWaits.delete(entry);
        clearTimeout(timer);
        unregister();
        settle();
      }
      pendingWaits.add(entry);
    });
  const sender = (input: Sender) => {
    const from = toUser(input.from);
    return { from, chat: toChat(input.chat, from) };
  };
  const newQueryId = () => {
    const id = `${botUser.id}${String(nextQueryId++).padStart(6, "0")}`;
    queries.add(id);
    return id;
  };
  type TextUpdate = NewUpdate<Update.MessageUpdate<Message.TextMessage>>;
  type EditedUpdate = NewUpdate<Update.EditedMessageUpdate<Message.TextMessage>>;
  type CallbackUpdate = NewUpdate<Update.CallbackQueryUpdate<CallbackQuery.DataQuery>>;

  return {
    /** http://127.0.0.1:PORT/ — the trailing slash matters to telegraf's URL resolution. */
    apiRoot: `http://127.0.0.1:${port}/`,
    token,
    botUser,
    /** The sender builders use when `from` is omitted. */
    defaultUser,
    calls: calls as readonly RecordedCall[],
    stats: stats as Readonly<StandInStats>,

    /** Queues an update (assigning update_id if missing) and wakes a held getUpdates. */
    pushUpdate<T extends object>(update: T): T & { update_id: number } {
      const full = { update_id: nextUpdateId, ...update };
      nextUpdateId = Math.max(nextUpdateId, full.update_id) + 1;
      queue.push(full as unknown as Update);
      if (!held || flushScheduled) return full;
      // Answer on the next turn, so updates pushed back to back arrive as one batch, as on Telegram.
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        if (held && deliverable().length > 0) releaseHeld({ ok: true, result: queue.slice(0, held.limit) });
      });
      return full;
    },
    message(input: MessageInput): TextUpdate {
      const { from, chat } = sender(input);
      const { text, reply_to_message } = input;
      const entities = input.entities ?? autoEntities(text);
      return {
        message: copy(storeMessage(chat, false, { from, text, entities, reply_to_message })),
      } as never;
    },
    /** Applies the edit to the stored message and returns the edited_message update Telegram sends. */
    editedMessage(original: Message, text: string): EditedUpdate {
      const edited = copy({ ...original, text, entities: autoEntities(text), edit_date: now() });
      const stored = store.get(String(original.chat.id))?.get(original.message_id);
      if (stored) {
        delete stored.message.entities;
        Object.assign(stored.message, edited);
      }
      return { edited_message: edited } as never;
    },
    /** `message` is the bot's message that carries the inline keyboard. */
    callbackQuery(input: { from?: UserInput; message: Message; data: string }): CallbackUpdate {
      const { message, data } = input;
      const from = toUser(input.from);
      return {
        callback_query: { id: newQueryId(), from, message, chat_instance: `ci${message.chat.id}`, data },
      };
    },
    inlineQuery(input: {
      from?: UserInput;
      query: string;
      offset?: string;
    }): NewUpdate<Update.InlineQueryUpdate> {
      const { query, offset = "" } = input;
      const inline_query: InlineQuery = { id: newQueryId(), from: toUser(input.from), query, offset };
      return { inline_query };
    },
    photo(input: MediaInput): NewUpdate<Update.MessageUpdate<Message.PhotoMessage>> {
      const { from, chat } = sender(input);
      const photo = [90, 320, 1280].map((w, n) => ({
        file_id: `ph${n}`,
        file_unique_id: `p${n}`,
        width: w,
        height: w,
      }));
      const caption_entities = input.caption === undefined ? undefined : autoEntities(input.caption);
      const fields = { from, photo, caption: input.caption, caption_entities };
      return { message: copy(storeMessage(chat, false, fields)) } as never;
    },
    sticker(input: MediaInput): NewUpdate<Update.MessageUpdate<Message.StickerMessage>> {
      const { from, chat } = sender(input);
      const sticker = { file_id: "st1", file_unique_id: "s1", type: "regular", width: 512, height: 512 };
      const fields = {
        from,
        sticker: { ...sticker, is_animated: false, is_video: false, emoji: input.emoji ?? "🧾" },
      };
      return { message: copy(storeMessage(chat, false, fields)) } as never;
    },

    /**
     * Resolves with the oldest recorded call of `method` that matches `predicate` and that no earlier
     * waitForCall returned, waiting for one if there is none yet; rejects after timeoutMs.
     */
    waitForCall(method: string, predicate: (call: RecordedCall) => boolean = () => true, timeoutMs = 3000) {
      const name = canonicalName(method);
      const earlier = calls.find((c) => c.method === name && !claimed.has(c) && predicate(c));
      if (earlier) {
        claimed.add(earlier);
        return Promise.resolve(earlier);
      }
      const seen = () => calls.map((c) => c.method).join(", ") || "none";
      const describe = () => `waitForCall(${name}) timed out after ${timeoutMs}ms; calls: ${seen()}`;
      return waitUntil<RecordedCall>(timeoutMs, describe, (resolve) => {
        const waiter = { method: name, predicate, resolve };
        waiters.add(waiter);
        return () => waiters.delete(waiter);
      });
    },
    /** Resolves once a getUpdates with offset > updateId arrives: telegraf's confirmation of the batch. */
    waitForAck(updateId: number, timeoutMs = 3000): Promise<void> {
      if (confirmedBelow > updateId) return Promise.resolve();
      const describe = () =>
        `waitForAck(${updateId}) timed out after ${timeoutMs}ms; offset: ${confirmedBelow}`;
      return waitUntil<void>(timeoutMs, describe, (resolve) => {
        const waiter = { updateId, resolve: () => resolve() };
        ackWaiters.add(waiter);
        return () => ackWaiters.delete(waiter);
      });
    },
    /** Copies of the messages the bot sent and has not deleted, as last edited, oldest first. */
    sentMessages(chatId?: number | string): Message[] {
      return copy(botMessages.filter((m) => chatId === undefined || `${m.chat.id}` === `${chatId}`)) as never;
    },
    failNext(method: string, spec: FailSpec): void {
      injected.push({ ...spec, method: canonicalName(method), left: spec.count ?? 1 });
    },
    /** Every send or edit to the chat fails with 403 until unblockChat. */
    blockChat: (chatId: number | string): void => void blocked.add(String(chatId)),
    unblockChat: (chatId: number | string): void => void blocked.delete(String(chatId)),
    setAdmins: (chatId: number | string, ids: number[]): void =>
      void admins.set(String(chatId), new Set(ids)),
    /** What setMyCommands stored for a scope (default: the default scope) and language. */
    commands: (scope?: object, language?: string): BotCommand[] | undefined =>
      myCommands.get(commandsKey(scope, language)),
    webhookInfo: (): { url: string; secretToken?: string } => ({ ...webhook }),

    /**
     * POSTs an update to a local webhook as Telegram does, with X-Telegram-Bot-Api-Secret-Token
     * (default: the secret given to setWebhook). A method call in the response body is executed.
     */
    async postWebhook(url: string, update: object, secretToken = webhook.secretToken) {
      const target = new URL(url);
      if (target.protocol !== "http:" || !["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)) {
        throw new Error(`postWebhook only posts to local http URLs, not ${url}`);
      }
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = secretToken;
      const body = JSON.stringify({ update_id: nextUpdateId++, ...update });
      const res = await fetch(target, { method: "POST", headers, body });
      const text = await res.text();
      const { method, ...params } = (/^\s*\{/.test(text) ? JSON.parse(text) : {}) as Params;
      if (typeof method === "string") {
        const name = canonicalName(method);
        record(name, params, "webhook-reply", dispatch(name, params)); // Telegram ignores the outcome
      }
      return { status: res.status, body: text };
    },
    /** Answers a held getUpdates with [], fails pending waits, and stops the server. */
    async close(): Promise<void> {
      releaseHeld({ ok: true, result: [] });
      for (const wait of [...pendingWaits]) wait.fail(new Error("telegram stand-in closed"));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
