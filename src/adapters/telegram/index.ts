/**
 * The Telegram adapter (telegraf): Telegram updates → Request, Reply → Bot API calls.
 * Translation only: what an answer says is the bot layer's, how it looks is renderTelegram's.
 *
 * One file per concern: start-up and the update routes here; updates.ts turns messages and
 * buttons into requests; inline.ts answers inline queries; deliver.ts sends (replies and the
 * dispatcher's notifications); webhook.ts serves webhook mode; errors.ts sorts failures by cause.
 *
 * Robustness: every handler error ends in bot.catch, which logs it, tells the user briefly, and
 * keeps polling. Sending waits out a 429 once (retry_after), treats 403 (blocked, kicked) as
 * quiet news, and never throws. Replies in one chat go out in order.
 *
 * Two processes polling one token: Telegram answers the poll that was waiting with 409 Conflict,
 * which lands on the instance that was there first. The newcomer is the one that should go, so a
 * 409 in the first `yieldWithinMs` of polling stops this instance (reported through `onFatal`), and
 * a 409 after that makes it poll again at once, which sends the 409 back to the newcomer. A revoked
 * token stops polling too (`onFatal`): telegraf would otherwise just stop.
 */
import type { Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { Telegraf } from "telegraf";
import type { Bot } from "../../bot/bot.js";
import { type Logger, silentLogger } from "../../log.js";
import { LANGUAGES } from "../../search/languages/index.js";
import type { Deliverer } from "../../subscriptions/deliver.js";
import { clip } from "../../text/clip.js";
import type { Adapter } from "../adapter.js";
import { type TelegramContext, UPDATES } from "./context.js";
import { createSender } from "./deliver.js";
import { describe, fatalError, isPollingConflict, TelegramFatalError } from "./errors.js";
import { answerInlineQuery } from "./inline.js";
import { type MessageView, updateHandlers } from "./updates.js";
import { closeServer, portOf, startWebhook, type WebhookOptions, webhookError } from "./webhook.js";

export { classify, TelegramFatalError } from "./errors.js";

export interface TelegramAdapterOptions {
  readonly bot: Bot;
  readonly token: string;
  /** Bot API root, e.g. a local stand-in's `http://127.0.0.1:PORT/`. Default: Telegram's. */
  readonly apiRoot?: string;
  /**
   * Webhook mode when set; long polling otherwise. `url` is the public HTTPS URL Telegram posts
   * to; its path is the path served on `port` (on `host`, default all interfaces). `secret` is
   * required: requests without the matching X-Telegram-Bot-Api-Secret-Token header are refused
   * (403) before their body is read, and a body over 1 MB is refused (413).
   */
  readonly webhook?: WebhookOptions;
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
  /**
   * A 409 Conflict within this long of starting to poll means another instance was already polling:
   * this one yields (onFatal). After it, this one has been serving and takes the updates back.
   * Default 10 s.
   */
  readonly yieldWithinMs?: number;
}

export type TelegramAdapter = Adapter &
  Deliverer & {
    readonly telegraf: Telegraf;
    /** The port the webhook server listens on (useful with port 0), once started in webhook mode. */
    webhookPort(): number | undefined;
  };

/** Bot API limit on a command's description in the command menu. */
const COMMAND_DESCRIPTION_MAX = 256;

export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { bot, token, webhook } = options;
  const telegraf = new Telegraf(token, {
    // webhookReply off: every call is a real request whose outcome we see (and can retry).
    telegram: { webhookReply: false, ...(options.apiRoot ? { apiRoot: withSlash(options.apiRoot) } : {}) },
  });
  const api = telegraf.telegram;
  const stopping = new AbortController();
  const context: TelegramContext = {
    bot,
    telegraf,
    log: (options.log ?? silentLogger).child({ platform: "telegram" }),
    logMessageText: options.logMessageText === true,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    stopping: stopping.signal,
  };
  const { log } = context;
  const send = createSender(context);
  const updates = updateHandlers(context, send);
  let started = false;
  let polling: Promise<void> | undefined;
  let server: Server | undefined;

  telegraf.on("message", (ctx) => updates.onMessage(ctx.message as MessageView, false));
  telegraf.on("edited_message", (ctx) => updates.onMessage(ctx.editedMessage as MessageView, true));
  telegraf.on("callback_query", (ctx) => updates.onCallback(ctx.callbackQuery));
  telegraf.on("inline_query", (ctx) => answerInlineQuery(context, send, ctx.inlineQuery));
  telegraf.catch(updates.onError);

  function fatal(error: unknown): void {
    const reason = fatalError(error);
    log.fatal({ err: describe(error), code: reason.code }, reason.message);
    options.onFatal?.(reason);
  }

  /** The command menu, from the bot layer's commands, as Telegram accepts them. */
  async function setCommands(): Promise<void> {
    // The default menu in English, and one per language for users whose app is set to it, at once.
    const results = await Promise.all(
      LANGUAGES.map((language) => {
        const commands = bot
          .commandsIn(language)
          .filter((c) => /^[a-z0-9_]{1,32}$/.test(c.name) && c.description.trim().length >= 3)
          .map((c) => ({ command: c.name, description: clip(c.description, COMMAND_DESCRIPTION_MAX) }));
        const extra = language === "en" ? undefined : { language_code: language };
        return send.call("setMyCommands", undefined, () => api.setMyCommands(commands, extra));
      }),
    );
    if (results.some((set) => !set.ok))
      log.warn("telegram: could not set the command menu; commands still work");
  }

  function startPolling(): void {
    // Polling runs until stopped, so it is watched rather than awaited.
    polling = poll().catch((error: unknown) => {
      if (!stopping.signal.aborted) fatal(error);
    });
    log.info({ username: telegraf.botInfo?.username }, "telegram: long polling");
  }

  /**
   * Long polling until stopped. A 409 from another poller ends it when it comes within
   * `yieldWithinMs` of the start (this is the newcomer); later ones are answered by polling again,
   * at once the first time and then with a backoff, should the other side not yield.
   */
  async function poll(): Promise<void> {
    const started = Date.now();
    const yieldWithinMs = options.yieldWithinMs ?? 10_000;
    let conflicts = 0;
    for (;;) {
      const launched = Date.now();
      try {
        await telegraf.launch({ allowedUpdates: UPDATES });
        if (!stopping.signal.aborted) throw new Error("polling stopped unexpectedly");
        return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        if (!isPollingConflict(error) || Date.now() - started < yieldWithinMs) throw error;
        conflicts = Date.now() - launched > 60_000 ? 1 : conflicts + 1;
        const waitMs = conflicts === 1 ? 0 : Math.min(30_000, 1_000 * 2 ** (conflicts - 2));
        log.warn(
          { conflicts, retryInMs: waitMs },
          "telegram: another process polled this token (409 Conflict); this one keeps serving and polls again",
        );
        await sleep(waitMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  async function stopPolling(running: Promise<void>): Promise<void> {
    // launch() sets up polling only after its deleteWebhook call returns (at start, and again
    // after a 409): stop whatever polls until the loop has ended.
    let ended = false;
    void running.then(() => {
      ended = true;
    });
    while (!ended) {
      try {
        telegraf.stop("stop");
      } catch {
        // not polling yet
      }
      await Promise.race([running, sleep(10)]);
    }
  }

  return {
    platform: "telegram",
    telegraf,
    webhookPort: () => portOf(server),

    async start() {
      if (started) return;
      started = true;
      if (webhook && !webhook.secret) {
        throw new TelegramFatalError(
          "receipts: webhook mode needs a secret, or anyone who finds the URL can post updates: set TELEGRAM_WEBHOOK_SECRET (make one with `openssl rand -hex 32`)",
        );
      }
      try {
        telegraf.botInfo = await api.getMe();
      } catch (error) {
        const reason = fatalError(error);
        log.fatal({ err: describe(error) }, reason.message);
        throw reason;
      }
      if (stopping.signal.aborted) return;
      await setCommands();
      if (stopping.signal.aborted) return;
      if (!webhook) return startPolling();
      server = await startWebhook(context, webhook).catch((error: unknown) => {
        const reason = webhookError(error, webhook.port);
        log.fatal({ err: describe(error) }, reason.message);
        throw reason;
      });
    },

    async stop() {
      if (stopping.signal.aborted) return;
      stopping.abort(); // also cuts short any 429 wait
      if (polling) await stopPolling(polling);
      if (server) await closeServer(server);
      await send.settled();
    },

    deliver: (chatId, reply) => send.deliver(chatId, reply),
  };
}

/** telegraf resolves method URLs relative to apiRoot, which drops a last path segment without "/". */
function withSlash(root: string): string {
  return root.endsWith("/") ? root : `${root}/`;
}
