/**
 * The Discord adapter (discord.js): slash commands with autocomplete, mentions and DMs in, embeds out.
 * Translation only: an interaction or a message becomes a Request, the bot's Reply goes through
 * renderDiscord, and this file owns only Discord's rules of conduct (deadlines, ephemerality,
 * permissions, rate limits).
 *
 * Gateway intents, and why each one:
 * - Guilds: the server, channel and role cache, so the adapter can tell whether the bot may post in a
 *   channel and whether a member may manage it (UserRef.canManageChat).
 * - GuildMessages: MESSAGE_CREATE in server channels, so a message that mentions the bot is answered.
 * - DirectMessages (with the Channel partial, as DM channels are not cached): DMs are answered.
 * - Not MessageContent (privileged): Discord sends the text of DMs and of messages that mention the bot
 *   without it, and those are the only messages the bot reads.
 *
 * Buttons (Sources, More, Related) answer with an ephemeral reply, seen only by whoever pressed: one
 * person's click must not rewrite an answer others are reading, nor add noise to the channel. A button on
 * a message that is already ephemeral updates that message in place instead, so private browsing does
 * not pile up messages.
 *
 * A message is answered when it is a DM, or when its mentions include the bot (typed @Receipts, or a
 * reply to the bot with the ping on); @everyone does not count. The mention is removed from the text, and
 * the answer is a reply that pings nobody. Where the bot may not post (known from the permission cache,
 * or learnt from a 403), it tells the asker so in a DM instead.
 *
 * Each interaction has exactly one reply path: the answer is sent with reply() (or update()) when it is
 * ready within `deferAfterMs`; otherwise the interaction is deferred at that moment and the answer follows
 * through editReply(). So neither "already acknowledged" nor "unknown interaction" can come from here.
 */
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  type ClientOptions,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  type Interaction,
  type InteractionEditReplyOptions,
  type Message,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  type PermissionsString,
  RateLimitError,
  REST,
  RESTEvents,
  Routes,
} from "discord.js";
import type { Bot, BotCommand } from "../bot/bot.js";
import { parseInput } from "../bot/input.js";
import { apologyReply, infoReply } from "../bot/replies.js";
import type { ChatRef, Input, Reply, Suggestion, UserRef } from "../bot/types.js";
import { type Logger, silentLogger } from "../log.js";
import { type DiscordMessage, renderDiscord } from "../render/discord.js";
import type { Deliverer, DeliveryOptions, DeliveryResult } from "../subscriptions/deliver.js";
import type { Adapter } from "./adapter.js";

export interface DiscordAdapterOptions {
  readonly bot: Bot;
  /** The bot token (Developer Portal → Bot). Never logged. */
  readonly token: string;
  /** REST root, e.g. `http://127.0.0.1:PORT/api` for a stand-in; Discord's by default. */
  readonly apiRoot?: string;
  /** Register slash commands in this server only (instant, for development) instead of globally. */
  readonly guildId?: string;
  /** Default: silent. The adapter logs through `log.child({ platform: "discord" })`. */
  readonly log?: Logger;
  /** Log the text users send (off by default: it is theirs). */
  readonly logMessageText?: boolean;
  /**
   * An interaction whose answer is not ready after this long is deferred ("thinking…"), so Discord's
   * 3-second deadline is met even when an answer is slow. Default 1,500 ms.
   */
  readonly deferAfterMs?: number;
  /** Test hook: merged over the adapter's client options (e.g. a faster identify throttler). */
  readonly clientOptions?: Partial<ClientOptions>;
}

export type DiscordAdapter = Adapter & Deliverer & { readonly client: Client };

/** What the bot reads from the gateway; see the module comment for why each is needed. */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
] as const;

/**
 * Channel permissions the bot needs to answer mentions (for the invite link): see channels, send (also
 * in threads), embed answers, and read history, which Discord requires for replying to a message.
 * Slash commands and DMs need none of them.
 */
export const DISCORD_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.ReadMessageHistory;

const DEFAULTS = { deferAfterMs: 1_500, stopTimeoutMs: 5_000 } as const;

/** Discord's limits for commands and autocomplete. */
const LIMITS = { commands: 100, name: 32, description: 100, choices: 25, choice: 100 } as const;
/** Telegram's /start has no meaning on Discord; /help covers it. */
const NOT_ON_DISCORD = new Set(["start"]);
/** Commands whose replies only the asker sees. Errors are ephemeral too (the bot marks them). */
const EPHEMERAL_COMMANDS = new Set(["help"]);
/** Commands whose argument is a deal, completed from the deal list. */
/** Discord error codes meaning the bot cannot post in a channel. */
const NO_ACCESS = new Set([50001, 50013, 160002]);
/**
 * Delivery errors meaning the chat is gone for good: unknown channel or user, missing access,
 * DMs closed. Missing Permissions (50013) is not among them: the bot still sees the channel,
 * and a moderator may give Send Messages back, so the subscription stays.
 */
const GONE = new Set([10003, 10013, 50001, 50007]);
const MISSING_PERMISSIONS = 50013;

const STRING_OPTION = 3;
const CHAT_INPUT = 1;

export interface CommandOptionJson {
  type: typeof STRING_OPTION;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
}

export interface CommandJson {
  type: typeof CHAT_INPUT;
  name: string;
  description: string;
  options: CommandOptionJson[];
}

const ASK: CommandJson = {
  type: CHAT_INPUT,
  name: "ask",
  description: "Ask a question about a data-sharing deal, in your own words",
  options: [
    {
      type: STRING_OPTION,
      name: "question",
      description: "Your question, e.g. did Facebook let Netflix read messages?",
      required: true,
      autocomplete: true,
    },
  ],
};

/**
 * Slash commands from the bot's command menu, plus /ask (the bot takes questions as plain text). A usage
 * placeholder becomes a string option with autocomplete: `<x>` required, `[x]` optional.
 */
export function slashCommands(commands: readonly BotCommand[], log: Logger = silentLogger): CommandJson[] {
  const out: CommandJson[] = [ASK];
  for (const command of commands) {
    const name = command.name.toLowerCase();
    if (NOT_ON_DISCORD.has(name) || out.some((c) => c.name === name)) continue;
    if (!/^[-_a-z0-9]{1,32}$/.test(name)) {
      log.warn({ command: command.name }, "discord: command name not allowed in a slash command; skipped");
      continue;
    }
    const description = clip(command.description.trim() || name, LIMITS.description);
    out.push({ type: CHAT_INPUT, name, description, options: usageOptions(command.usage) });
  }
  return out.slice(0, LIMITS.commands);
}

function usageOptions(usage: string): CommandOptionJson[] {
  const options: CommandOptionJson[] = [];
  let optionalSeen = false;
  for (const match of usage.matchAll(/<([^<>]+)>|\[([^[\]]+)\]/g)) {
    const placeholder = (match[1] ?? match[2] ?? "").trim();
    // Discord wants required options first; anything after an optional one is optional too.
    const required: boolean = match[1] !== undefined && !optionalSeen;
    optionalSeen ||= !required;
    let name =
      placeholder
        .toLowerCase()
        .replace(/[^-_a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "") || "args";
    name = name.slice(0, LIMITS.name);
    while (options.some((o) => o.name === name)) name = `${name.slice(0, LIMITS.name - 1)}_`;
    const description = clip(
      `${placeholder.charAt(0).toUpperCase()}${placeholder.slice(1)} (start typing for suggestions)`,
      LIMITS.description,
    );
    options.push({ type: STRING_OPTION, name, description, required, autocomplete: true });
  }
  return options;
}

/** Commands as compared before registering: what Discord stores, minus ids, versions and defaults. */
function normaliseCommands(commands: readonly unknown[]): string {
  const normalised = commands
    .map((raw) => {
      const c = raw as Partial<CommandJson> & { options?: Partial<CommandOptionJson>[] };
      return {
        type: Number(c.type ?? CHAT_INPUT),
        name: String(c.name ?? ""),
        description: String(c.description ?? ""),
        options: (c.options ?? []).map((o) => ({
          type: Number(o.type),
          name: String(o.name ?? ""),
          description: String(o.description ?? ""),
          required: Boolean(o.required),
          autocomplete: Boolean(o.autocomplete),
        })),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return JSON.stringify(normalised);
}

export function sameCommands(existing: readonly unknown[], wanted: readonly unknown[]): boolean {
  return normaliseCommands(existing) === normaliseCommands(wanted);
}

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
function describe(
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

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The rendered message as discord.js options; `allowedMentions` empty, so nothing in it pings anyone. */
function messageOptions(message: DiscordMessage) {
  return {
    ...(message.content !== undefined ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowedMentions: { parse: [], repliedUser: false },
  } satisfies InteractionEditReplyOptions;
}

const SOMETHING_WENT_WRONG = apologyReply();

/** How an interaction is answered: a (possibly ephemeral) reply, or an update of the message it came from. */
type Mode = { readonly kind: "reply"; readonly ephemeral: boolean } | { readonly kind: "update" };

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const { bot, token, guildId } = options;
  const log = (options.log ?? silentLogger).child({ platform: "discord" });
  const logText = options.logMessageText === true;
  const deferAfterMs = options.deferAfterMs ?? DEFAULTS.deferAfterMs;
  const extra = options.clientOptions ?? {};
  const client = new Client({
    intents: [...DISCORD_INTENTS],
    partials: [Partials.Channel],
    // A safety net: every send passes allowedMentions itself, but nothing should ever ping.
    allowedMentions: { parse: [], repliedUser: false },
    ...extra,
    rest: { ...(options.apiRoot ? { api: options.apiRoot } : {}), ...extra.rest },
  });
  // Deliveries get a REST client of their own that reports rate limits instead of waiting them out:
  // the dispatcher decides when to retry. Interactive replies keep discord.js's waiting and retries.
  const deliveryRest = new REST({
    ...(options.apiRoot ? { api: options.apiRoot } : {}),
    rejectOnRateLimit: () => true,
    retries: 0,
  }).setToken(token);

  const inFlight = new Set<Promise<void>>();
  let state: "idle" | "starting" | "running" | "stopped" = "idle";
  const errorFields = (error: unknown) => ({ err: describe(error, token) });
  const textField = (text: string) => (logText ? { text } : {});

  /** Runs a handler so that nothing it throws reaches discord.js, and stop() can wait for it. */
  const run = (what: string, work: () => Promise<void>) => {
    if (state === "stopped") return;
    const task = work()
      .catch((error: unknown) => log.error({ what, ...errorFields(error) }, "discord: handler failed"))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  // ---- interactions -----------------------------------------------------------------------------------

  const chatOf = (interaction: Interaction): ChatRef => ({
    platform: "discord",
    id: interaction.channelId ?? interaction.user.id,
    kind: interaction.guildId === null && !isGroupDm(interaction.channel?.type) ? "private" : "group",
  });

  const userOf = (interaction: Interaction, chat: ChatRef): UserRef => ({
    id: interaction.user.id,
    name: interaction.user.displayName,
    canManageChat:
      chat.kind === "private" ||
      Boolean(interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)),
  });

  /** Command options as the bot's argument string: the declared options' values, in order. */
  const argsOf = (interaction: ChatInputCommandInteraction): string =>
    interaction.options.data
      .map((option) => (option.value === undefined ? "" : String(option.value)))
      .filter((value) => value !== "")
      .join(" ");

  const commandInput = (interaction: ChatInputCommandInteraction): Input =>
    interaction.commandName === ASK.name
      ? { kind: "text", text: interaction.options.getString("question") ?? argsOf(interaction) }
      : { kind: "command", name: interaction.commandName, args: argsOf(interaction) };

  /**
   * The one reply path of an interaction: reply (or update) when the answer is ready in time, otherwise
   * defer when `deferAfterMs` passes and send the answer through editReply.
   */
  const answerInteraction = async (
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    mode: Mode,
    work: () => Promise<Reply>,
  ): Promise<void> => {
    const started = Date.now();
    let deferral: Promise<boolean> | undefined;
    const timer = setTimeout(() => {
      const defer =
        mode.kind === "update" && interaction.isButton()
          ? interaction.deferUpdate()
          : interaction.deferReply(
              mode.kind === "reply" && mode.ephemeral ? { flags: MessageFlags.Ephemeral } : {},
            );
      deferral = defer.then(
        () => true,
        (error: unknown) => {
          log.warn(
            { interaction: interaction.id, ...errorFields(error) },
            "discord: could not defer an interaction",
          );
          return false;
        },
      );
    }, deferAfterMs);
    let reply: Reply;
    try {
      reply = await work();
    } catch (error) {
      log.error({ interaction: interaction.id, ...errorFields(error) }, "discord: the bot failed to answer");
      reply = SOMETHING_WENT_WRONG;
    } finally {
      clearTimeout(timer);
    }
    const body = messageOptions(renderDiscord(reply));
    const ephemeral = mode.kind === "reply" && (mode.ephemeral || reply.ephemeral === true);
    const flags = ephemeral ? { flags: MessageFlags.Ephemeral as const } : {};
    try {
      if (deferral === undefined) {
        if (mode.kind === "update" && interaction.isButton()) await interaction.update(body);
        else await interaction.reply({ ...body, ...flags });
      } else {
        if (!(await deferral)) return; // the interaction is gone: nothing more can be sent for it
        if (mode.kind === "reply" && !mode.ephemeral && ephemeral) {
          // Deferred in public, but the answer is for the asker only: swap the placeholder for a private note.
          await interaction.deleteReply();
          await interaction.followUp({ ...body, ...flags });
        } else {
          await interaction.editReply(body);
        }
      }
      log.info(
        {
          interaction: interaction.id,
          tone: reply.tone,
          deferred: deferral !== undefined,
          ms: Date.now() - started,
        },
        "discord: answered an interaction",
      );
    } catch (error) {
      log.warn(
        { interaction: interaction.id, ...errorFields(error) },
        "discord: could not send an interaction reply",
      );
    }
  };

  const onCommand = async (interaction: ChatInputCommandInteraction) => {
    const chat = chatOf(interaction);
    const input = commandInput(interaction);
    log.info(
      {
        interaction: interaction.id,
        command: interaction.commandName,
        chat: chat.id,
        ...textField(input.kind === "text" ? input.text : input.kind === "command" ? input.args : ""),
      },
      "discord: slash command",
    );
    const mode: Mode = { kind: "reply", ephemeral: EPHEMERAL_COMMANDS.has(interaction.commandName) };
    await answerInteraction(interaction, mode, () =>
      bot.handle({ chat, user: userOf(interaction, chat), input }),
    );
  };

  const onButton = async (interaction: ButtonInteraction) => {
    const chat = chatOf(interaction);
    log.info({ interaction: interaction.id, button: interaction.customId, chat: chat.id }, "discord: button");
    const onEphemeral = interaction.message.flags.has(MessageFlags.Ephemeral);
    const mode: Mode = onEphemeral ? { kind: "update" } : { kind: "reply", ephemeral: true };
    await answerInteraction(interaction, mode, () =>
      bot.handle({
        chat,
        user: userOf(interaction, chat),
        input: { kind: "action", data: interaction.customId },
      }),
    );
  };

  const onAutocomplete = async (interaction: AutocompleteInteraction) => {
    const focused = interaction.options.getFocused(true);
    const prefix = String(focused.value ?? "");
    let suggestions: Suggestion[] = [];
    try {
      const chat = chatOf(interaction);
      const name = interaction.commandName;
      const user = userOf(interaction, chat);
      // /ask is Discord's way of typing a question; every other command's argument is the bot layer's.
      suggestions =
        name === ASK.name
          ? bot.suggestQuestions(prefix, LIMITS.choices, { platform: "discord", userId: user.id })
          : bot.suggestFor(name, prefix, { chat, user });
    } catch (error) {
      log.error({ interaction: interaction.id, ...errorFields(error) }, "discord: autocomplete failed");
    }
    const seen = new Set<string>();
    const choices = suggestions
      .map((s) => ({ name: clip(s.label.trim(), LIMITS.choice), value: clip(s.value.trim(), LIMITS.choice) }))
      .filter((c) => c.name !== "" && c.value !== "" && !seen.has(c.value) && seen.add(c.value))
      .slice(0, LIMITS.choices);
    try {
      await interaction.respond(choices);
      log.debug(
        {
          interaction: interaction.id,
          command: interaction.commandName,
          choices: choices.length,
          ...textField(prefix),
        },
        "discord: autocomplete",
      );
    } catch (error) {
      log.warn(
        { interaction: interaction.id, ...errorFields(error) },
        "discord: could not answer autocomplete",
      );
    }
  };

  /** Interactions already taken, so a duplicate dispatch cannot cause a second acknowledgement. */
  const taken = new Set<string>();
  const onInteraction = async (interaction: Interaction) => {
    if (taken.has(interaction.id)) {
      log.warn({ interaction: interaction.id }, "discord: duplicate interaction ignored");
      return;
    }
    taken.add(interaction.id);
    if (taken.size > 1_000) taken.delete(taken.values().next().value as string);
    if (interaction.isChatInputCommand()) return onCommand(interaction);
    if (interaction.isAutocomplete()) return onAutocomplete(interaction);
    if (interaction.isButton()) return onButton(interaction);
    log.debug({ interaction: interaction.id, type: interaction.type }, "discord: interaction ignored");
  };

  // ---- messages ---------------------------------------------------------------------------------------

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

  /** Tells the asker, in a DM, why the bot cannot answer where they asked. */
  const explainMissingAccess = async (message: Message, missing: readonly string[]) => {
    const where =
      message.inGuild() && "name" in message.channel
        ? `#${message.channel.name} (${message.guild.name})`
        : "that channel";
    const lacking =
      missing.length > 0
        ? `the ${missing.map((name) => name.replace(/(?<=[a-z])(?=[A-Z])/g, " ")).join(", ")} permission${missing.length > 1 ? "s" : ""}`
        : "a permission";
    const notice = infoReply(
      "I can't answer there",
      [
        `I can't reply in ${where}: I'm missing ${lacking} there. A server admin can grant it to my role.`,
        "Meanwhile, /ask works in any channel, and you can ask me right here.",
      ],
      "error",
    );
    try {
      await message.author.send(messageOptions(renderDiscord(notice)));
      log.warn(
        { channel: message.channelId, missing },
        "discord: missing permissions; told the asker in a DM",
      );
    } catch (error) {
      log.warn(
        { channel: message.channelId, missing, ...errorFields(error) },
        "discord: missing permissions, and the asker's DMs are closed",
      );
    }
  };

  const onMessage = async (message: Message) => {
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
    log.info({ message: message.id, chat: chat.id, kind: chat.kind, ...textField(text) }, "discord: message");

    const missing = missingPermissions(message);
    if (missing.length > 0) return explainMissingAccess(message, missing);
    let reply: Reply;
    try {
      reply = await bot.handle({ chat, user, input });
    } catch (error) {
      log.error({ message: message.id, ...errorFields(error) }, "discord: the bot failed to answer");
      reply = SOMETHING_WENT_WRONG;
    }
    if (reply.quiet) return; // a repeated flood notice: once is enough (interactions must still be answered)
    const body = messageOptions(renderDiscord(reply)); // no flags: a channel message cannot be ephemeral
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
        log.warn({ message: message.id, ...errorFields(error) }, "discord: could not send a reply");
      }
    }
  };

  // ---- lifecycle --------------------------------------------------------------------------------------

  client.on(Events.InteractionCreate, (interaction) => run("interaction", () => onInteraction(interaction)));
  client.on(Events.MessageCreate, (message) => run("message", () => onMessage(message)));
  // Without an "error" listener an EventEmitter error would crash the process.
  client.on(Events.Error, (error) => log.error(errorFields(error), "discord: client error"));
  client.on(Events.Warn, (warning) => log.warn({ warning }, "discord: client warning"));
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.warn({ shard, code: event.code }, "discord: gateway disconnected"),
  );
  client.on(Events.ShardReconnecting, (shard) => log.info({ shard }, "discord: gateway reconnecting"));
  client.on(Events.ShardResume, (shard, replayed) =>
    log.info({ shard, replayed }, "discord: gateway resumed"),
  );
  client.on(Events.ShardError, (error, shard) =>
    log.warn({ shard, ...errorFields(error) }, "discord: gateway error"),
  );
  client.rest.on(RESTEvents.RateLimited, (info) =>
    log.warn(
      { route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global },
      "discord: rate limited; waiting",
    ),
  );

  /** Registers the slash commands, globally or in one server, only when they differ from what is there. */
  const registerCommands = async () => {
    const applicationId = client.application?.id;
    if (!applicationId) throw new Error("discord: no application id after READY");
    const route = guildId
      ? Routes.applicationGuildCommands(applicationId, guildId)
      : Routes.applicationCommands(applicationId);
    const scope = guildId ? `guild ${guildId}` : "global";
    const wanted = slashCommands(bot.commands, log);
    const existing = (await client.rest.get(route)) as unknown[];
    if (sameCommands(existing, wanted)) {
      log.info({ scope, commands: wanted.length }, "discord: slash commands unchanged");
      return;
    }
    await client.rest.put(route, { body: wanted });
    log.info({ scope, commands: wanted.map((c) => c.name) }, "discord: slash commands registered");
  };

  return {
    platform: "discord",
    client,

    async start() {
      if (state !== "idle") throw new Error(`discord: start() called when ${state}`);
      state = "starting";
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      try {
        await client.login(token);
        await ready;
      } catch (error) {
        state = "stopped";
        await client.destroy();
        throw new Error(`discord: could not log in: ${describe(error, token).message}`);
      }
      state = "running";
      log.info(
        { user: client.user?.tag, application: client.application?.id, guilds: client.guilds.cache.size },
        "discord: ready",
      );
      try {
        await registerCommands();
      } catch (error) {
        // Mentions and DMs still work; the commands already registered (if any) stay.
        log.error(errorFields(error), "discord: could not register slash commands");
      }
    },

    async stop() {
      if (state === "stopped") return;
      state = "stopped";
      // Let answers in progress finish, but not forever.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, DEFAULTS.stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      await client.destroy();
      deliveryRest.clearHashSweeper();
      deliveryRest.clearHandlerSweeper();
      log.info("discord: stopped");
    },

    async deliver(chatId: string, reply: Reply, options: DeliveryOptions = {}): Promise<DeliveryResult> {
      if (state === "stopped") return { status: "transient", reason: "the Discord adapter is stopped" };
      const { flags, allowed_mentions, ...message } = renderDiscord(reply);
      // A channel message cannot be ephemeral; other flags pass through.
      const kept = (flags ?? 0) & ~MessageFlags.Ephemeral;
      // An enforced nonce makes Discord return the message it already created for this key
      // (within a few minutes) instead of posting it twice after a lost answer or a restart.
      const nonce = options.key ? { nonce: options.key.slice(0, 25), enforce_nonce: true } : {};
      try {
        await deliveryRest.post(Routes.channelMessages(chatId), {
          body: { ...message, allowed_mentions, ...(kept ? { flags: kept } : {}), ...nonce },
        });
        return { status: "sent" };
      } catch (error) {
        const result = classifyDeliveryError(error);
        log.warn({ chat: chatId, result: result.status, ...errorFields(error) }, "discord: delivery failed");
        return result;
      }
    },
  };
}

function isGroupDm(type: number | undefined): boolean {
  return type === 3; // ChannelType.GroupDM
}
