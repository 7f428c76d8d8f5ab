/**
 * The Discord adapter (discord.js): slash commands with autocomplete, mentions and DMs in, embeds out.
 * Translation only: an interaction or a message becomes a Request, the bot's Reply goes through
 * renderDiscord, and this folder owns only Discord's rules of conduct (deadlines, ephemerality,
 * permissions, rate limits).
 *
 * One file per concern: start-up and the event routes here; register.ts defines and registers the
 * slash commands; interactions.ts answers commands and buttons; autocomplete.ts suggests; messages.ts
 * answers mentions and DMs; deliver.ts sends the dispatcher's notifications; errors.ts sorts failures.
 *
 * Gateway intents, and why each one:
 * - Guilds: the server, channel and role cache, so the adapter can tell whether the bot may post in a
 *   channel and whether a member may manage it (UserRef.canManageChat).
 * - GuildMessages: MESSAGE_CREATE in server channels, so a message that mentions the bot is answered.
 * - DirectMessages (with the Channel partial, as DM channels are not cached): DMs are answered.
 * - Not MessageContent (privileged): Discord sends the text of DMs and of messages that mention the bot
 *   without it, and those are the only messages the bot reads.
 */
import {
  Client,
  type ClientOptions,
  Events,
  GatewayIntentBits,
  type Interaction,
  Partials,
  PermissionFlagsBits,
  RESTEvents,
} from "discord.js";
import type { Bot } from "../../bot/bot.js";
import { type Logger, silentLogger } from "../../log.js";
import type { Deliverer } from "../../subscriptions/deliver.js";
import type { Adapter } from "../adapter.js";
import { answerAutocomplete } from "./autocomplete.js";
import { type DiscordContext, errorFields } from "./context.js";
import { deliveryChannel } from "./deliver.js";
import { describe } from "./errors.js";
import { interactionHandlers } from "./interactions.js";
import { messageHandler } from "./messages.js";
import { registerCommands } from "./register.js";

export { classifyDeliveryError } from "./errors.js";
export { type CommandJson, type CommandOptionJson, sameCommands, slashCommands } from "./register.js";

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
  /**
   * The gateway shards this instance runs (DISCORD_SHARDS), of `shardCount` in all
   * (DISCORD_SHARD_COUNT); discord.js's own sharding. Unset: one shard, or Discord's recommended
   * count. Slash commands are registered only by the instance running shard 0, so once.
   */
  readonly shards?: readonly number[];
  readonly shardCount?: number;
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
 * in threads), embed answers, attach timeline pictures, and read history, which Discord requires for
 * replying to a message. Slash commands and DMs need none of them; without Attach Files, a mention's
 * timeline comes as words.
 */
export const DISCORD_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory;

const DEFAULTS = { deferAfterMs: 1_500, stopTimeoutMs: 5_000 } as const;
/** Interaction ids remembered, so a duplicate dispatch cannot cause a second acknowledgement. */
const TAKEN_MEMORY = 1_000;

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const { bot, token, guildId } = options;
  const extra = options.clientOptions ?? {};
  const client = new Client({
    intents: [...DISCORD_INTENTS],
    partials: [Partials.Channel],
    // A safety net: every send passes allowedMentions itself, but nothing should ever ping.
    allowedMentions: { parse: [], repliedUser: false },
    ...(options.shards ? { shards: [...options.shards], shardCount: options.shardCount } : {}),
    ...extra,
    rest: { ...(options.apiRoot ? { api: options.apiRoot } : {}), ...extra.rest },
  });
  const context: DiscordContext = {
    bot,
    client,
    log: (options.log ?? silentLogger).child({ platform: "discord" }),
    token,
    logMessageText: options.logMessageText === true,
  };
  const { log } = context;
  const deliveries = deliveryChannel(context, options.apiRoot);
  const interactions = interactionHandlers(context, options.deferAfterMs ?? DEFAULTS.deferAfterMs);
  const onMessage = messageHandler(context);
  const inFlight = new Set<Promise<void>>();
  let state: "idle" | "starting" | "running" | "stopped" = "idle";

  /** Runs a handler so that nothing it throws reaches discord.js, and stop() can wait for it. */
  const run = (what: string, work: () => Promise<void>) => {
    if (state === "stopped") return;
    const task = work()
      .catch((error: unknown) =>
        log.error({ what, ...errorFields(context, error) }, "discord: handler failed"),
      )
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  const taken = new Set<string>();
  const onInteraction = async (interaction: Interaction) => {
    if (taken.has(interaction.id)) {
      log.warn({ interaction: interaction.id }, "discord: duplicate interaction ignored");
      return;
    }
    taken.add(interaction.id);
    if (taken.size > TAKEN_MEMORY) taken.delete(taken.values().next().value as string);
    if (interaction.isChatInputCommand()) return interactions.onCommand(interaction);
    if (interaction.isAutocomplete()) return answerAutocomplete(context, interaction);
    if (interaction.isButton()) return interactions.onButton(interaction);
    log.debug({ interaction: interaction.id, type: interaction.type }, "discord: interaction ignored");
  };

  client.on(Events.InteractionCreate, (interaction) => run("interaction", () => onInteraction(interaction)));
  client.on(Events.MessageCreate, (message) => run("message", () => onMessage(message)));
  // Without an "error" listener an EventEmitter error would crash the process.
  client.on(Events.Error, (error) => log.error(errorFields(context, error), "discord: client error"));
  client.on(Events.Warn, (warning) => log.warn({ warning }, "discord: client warning"));
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.warn({ shard, code: event.code }, "discord: gateway disconnected"),
  );
  client.on(Events.ShardReconnecting, (shard) => log.info({ shard }, "discord: gateway reconnecting"));
  client.on(Events.ShardResume, (shard, replayed) =>
    log.info({ shard, replayed }, "discord: gateway resumed"),
  );
  client.on(Events.ShardError, (error, shard) =>
    log.warn({ shard, ...errorFields(context, error) }, "discord: gateway error"),
  );
  client.rest.on(RESTEvents.RateLimited, (info) =>
    log.warn(
      { route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global },
      "discord: rate limited; waiting",
    ),
  );

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
      if (options.shards && !options.shards.includes(0)) {
        log.info(
          { shards: options.shards },
          "discord: slash commands are registered by the instance with shard 0",
        );
        return;
      }
      try {
        await registerCommands(context, guildId);
      } catch (error) {
        // Mentions and DMs still work; the commands already registered (if any) stay.
        log.error(errorFields(context, error), "discord: could not register slash commands");
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
      deliveries.close();
      log.info("discord: stopped");
    },

    async deliver(chatId, reply, deliveryOptions) {
      if (state === "stopped") return { status: "transient", reason: "the Discord adapter is stopped" };
      return deliveries.deliver(chatId, reply, deliveryOptions);
    },
  };
}
