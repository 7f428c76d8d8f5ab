/**
 * A stand-in for Discord, for end-to-end tests that drive the real discord.js Client: REST v10 under
 * `/api/v10` and a JSON gateway over WebSocket, both on one loopback port. It never contacts a real host.
 *
 *   const discord = await startDiscordStandIn();
 *   const client = new Client({ intents, rest: { api: discord.apiRoot } });
 *   await client.login(discord.token);
 *   discord.dispatch("INTERACTION_CREATE", discord.interactionCreate({ kind: "command", commandName: "ask" }));
 *   const callback = await discord.waitForCall((c) => c.path.endsWith("/callback"));
 *   await client.destroy(); // before close(), or the client keeps reconnecting
 *   await discord.close();
 *
 * It enforces what bots trip over in production (message, embed and component limits; one acknowledgement
 * per interaction within 3 s; channel permissions; intents) and answers with Discord's error JSON.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type APIEmbed, EmbedType, GatewayIntentBits, PermissionFlagsBits as P } from "discord.js";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { pngSize } from "../support/png.js";

export type Json = Record<string, unknown>;
export interface User {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
}
export interface Overwrite {
  id: string;
  type: 0 | 1; // 0 = role, 1 = member
  allow: string;
  deny: string;
}
export interface Channel extends Json {
  id: string;
  type: number; // 0 = guild text, 1 = DM
  name?: string;
  guild_id?: string;
  permission_overwrites?: Overwrite[];
  last_message_id: string | null;
}
export interface Role extends Json {
  id: string;
  name: string;
  permissions: string;
}
export interface Member extends Json {
  user: User;
  roles: string[];
}
export interface Guild {
  id: string;
  name: string;
  ownerId: string;
  roles: Role[];
  channels: Channel[];
  members: Map<string, Member>;
}
export interface ComponentBody {
  type: number;
  style?: number;
  custom_id?: string;
  label?: string;
  components?: ComponentBody[];
}
/** A message as Discord returns it; only the fields the stand-in reads are typed. */
/** How long Discord deduplicates an enforced nonce ("a few minutes"). */
const NONCE_MEMORY_MS = 5 * 60_000;

export interface Message extends Json {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: User;
  content: string;
  embeds: APIEmbed[];
  components: ComponentBody[];
  mentions: User[];
  flags: number;
}
/** What a bot sends to create or edit a message (channel message, interaction reply, webhook). */
export interface MessageBody {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: ComponentBody[] | null;
  flags?: number | null;
  allowed_mentions?: { parse?: string[]; users?: string[]; replied_user?: boolean } | null;
  message_reference?: { message_id?: string; fail_if_not_exists?: boolean } | null;
  attachments?: { id: string | number }[] | null;
  sticker_ids?: string[];
  poll?: unknown;
  tts?: boolean;
  nonce?: string | number;
  enforce_nonce?: boolean;
}
export interface UploadedFile {
  field: string;
  filename: string;
  size: number;
  contentType: string;
  /** The file as uploaded. */
  bytes: Buffer;
}
/** One REST request as the stand-in saw it, and its answer. */
export interface StandInCall {
  index: number;
  method: string;
  /** Path after `/api/v10`, URL-decoded: `/webhooks/1/tok/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names. Interaction callbacks and webhooks carry no `authorization`. */
  headers: Record<string, string>;
  /** Parsed JSON, or `payload_json` of a multipart upload; null when there was no body. */
  body: unknown;
  files: UploadedFile[];
  status: number;
  response: unknown;
}
export interface FailureSpec {
  method?: string;
  /** A string must equal StandInCall.path; a RegExp is tested against it. Omitted: any path. */
  path?: string | RegExp;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests fail; default 1. */
  count?: number;
}
export interface GuildSeed {
  id?: string;
  name?: string;
  everyonePermissions?: bigint;
  botPermissions?: bigint;
  /** Text channels unless `type` says otherwise; botDeny/botAllow overwrite the bot's role there. */
  channels?: { id?: string; name: string; type?: number; botDeny?: bigint; botAllow?: bigint }[];
}
export interface StandInOptions {
  token?: string;
  /** Also the bot user's id, as on Discord. */
  applicationId?: string;
  botUsername?: string;
  applicationFlags?: number;
  /** Default: one guild with #general and #read-only (where the bot may not send). */
  guilds?: GuildSeed[];
  heartbeatIntervalMs?: number;
  /** Discord forgets an interaction not acknowledged within 3 s; pass Infinity to turn that off. */
  callbackDeadlineMs?: number;
  /** Interaction tokens (edits of @original, follow-ups) last 15 minutes. */
  interactionTokenTtlMs?: number;
}
/** Option values by name (typed from the registered command, else from the JS type), or raw options. */
export type OptionsInput = Record<string, string | number | boolean> | Json[];
export type InteractionSpec = {
  id?: string;
  token?: string;
  /** Default: alice. Users who interact in a guild are made members of it. */
  user?: User;
  /** Default: the first guild's first channel. */
  channelId?: string;
  /** From the user's DM with the bot instead of a guild channel. */
  dm?: boolean;
  /** The member's permissions in the channel; computed from roles and overwrites by default. */
  permissions?: bigint | string;
  locale?: string;
} & (
  | { kind: "command"; commandName: string; options?: OptionsInput }
  | { kind: "autocomplete"; commandName: string; options?: OptionsInput; focused: string }
  | { kind: "button"; customId: string; messageId?: string }
);
export interface MessageCreateSpec {
  content: string;
  /** Default: alice. */
  author?: User;
  /** Default: the first guild's first channel. */
  channelId?: string;
  guildId?: string;
  /** From the author's DM with the bot. */
  dm?: boolean;
  /** Default: the known users mentioned as <@id> in content. */
  mentions?: User[];
  id?: string;
}

/** The locales Discord accepts in name and description localizations. */
const DISCORD_LOCALES: ReadonlySet<string> = new Set(
  "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg ru uk hi th zh-CN ja zh-TW ko".split(
    " ",
  ),
);

/** An answer the stand-in gives: status, JSON body, extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
interface InteractionState {
  id: string;
  token: string;
  type: number;
  channelId: string;
  user: User;
  dispatchedAt: number;
  messageId?: string; // the message a component sits on
  acknowledgedWith?: number;
  originalId?: string;
  followUps: string[];
}
interface Session {
  id: string;
  intents: number;
  seq: number;
  socket: WebSocket | null;
  /** Dispatches kept for replay on RESUME. */
  log: { op: 0; t: string; s: number; d: unknown }[];
  resumable: boolean;
}
type Params = Record<string, string>;
type Handler = (call: StandInCall, params: Params) => Reply;

const DISCORD_EPOCH = 1_420_070_400_000n;
let idCounter = 0n;
/** Real-looking snowflakes, so discord.js derives sensible creation times from them. */
export function nextId(): string {
  idCounter = (idCounter + 1n) & 0x3fffffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | idCounter).toString();
}

const ALL_PERMISSIONS = Object.values(P).reduce((all, bit) => all | bit, 0n);
const EVERYONE_DEFAULT =
  P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.AddReactions | P.UseApplicationCommands;
const BOT_DEFAULT = EVERYONE_DEFAULT | P.EmbedLinks | P.AttachFiles | P.UseExternalEmojis;
const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
const COMPONENTS_V2 = 1 << 15;
/** Callback types each interaction type accepts (2 command, 3 component, 4 autocomplete, 5 modal). */
const CALLBACKS_ALLOWED: Record<number, number[]> = {
  2: [4, 5, 9],
  3: [4, 5, 6, 7, 9],
  4: [8],
  5: [4, 5, 6, 7],
};

function reply(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}
function apiError(status: number, code: number, message: string, errors?: Json): Reply {
  return reply(status, errors ? { code, message, errors } : { code, message });
}
const rich = (embed: APIEmbed): APIEmbed => ({ ...embed, type: EmbedType.Rich });
/** An embed's `attachment://name` picture as Discord shows it: the URL of the message's file of that name. */
const withFiles = (embed: APIEmbed, attachments: readonly Json[]): APIEmbed => {
  const name = /^attachment:\/\/(.+)$/.exec(embed.image?.url ?? "")?.[1];
  const file = name === undefined ? undefined : attachments.find((a) => a.filename === name);
  if (!file) return embed;
  const { url, proxy_url, width, height } = file as {
    url: string;
    proxy_url: string;
    width?: number;
    height?: number;
  };
  return { ...embed, image: { url, proxy_url, ...(width ? { width } : {}), ...(height ? { height } : {}) } };
};
const withoutBot = (token: unknown) => String(token).replace(/^Bot /, "");

/** Discord's nested form errors: `errors.embeds["0"].title._errors = [{ code, message }]`. */
class FormErrors {
  readonly tree: Json = {};
  count = 0;
  add(path: (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      node[String(key)] ??= {};
      node = node[String(key)] as Json;
    }
    node._errors ??= [];
    (node._errors as unknown[]).push({ code, message });
    this.count++;
  }
  max(path: (string | number)[], value: unknown, limit: number): void {
    const length = typeof value === "string" || Array.isArray(value) ? value.length : 0;
    if (length > limit) this.add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${limit} or fewer in length.`);
  }
  reply(): Reply | null {
    return this.count ? apiError(400, 50035, "Invalid Form Body", this.tree) : null;
  }
}

/** Checks a message body against Discord's limits; null when Discord would accept it. */
export function validateMessage(
  body: MessageBody,
  opts: { creating: boolean; files?: number },
): Reply | null {
  const e = new FormErrors();
  e.max(["content"], body.content, 2000);
  const embeds = body.embeds ?? [];
  e.max(["embeds"], embeds, 10);
  let total = 0;
  embeds.forEach((embed, i) => {
    e.max(["embeds", i, "title"], embed.title, 256);
    e.max(["embeds", i, "description"], embed.description, 4096);
    e.max(["embeds", i, "footer", "text"], embed.footer?.text, 2048);
    e.max(["embeds", i, "author", "name"], embed.author?.name, 256);
    e.max(["embeds", i, "fields"], embed.fields ?? [], 25);
    // An embed links to http(s) only; its pictures may also be files of the message (attachment://name).
    const urls: [string, string | undefined, RegExp][] = [
      ["url", embed.url, /^https?:\/\/[^\s]+$/],
      ["image", embed.image?.url, /^(https?|attachment):\/\/[^\s]+$/],
      ["thumbnail", embed.thumbnail?.url, /^(https?|attachment):\/\/[^\s]+$/],
    ];
    for (const [key, url, allowed] of urls) {
      if (url !== undefined && !allowed.test(url))
        e.add(
          ["embeds", i, key, ...(key === "url" ? [] : ["url"])],
          "URL_TYPE_INVALID_URL",
          "Not a well formed URL.",
        );
    }
    for (const text of [embed.title, embed.description, embed.footer?.text, embed.author?.name]) {
      total += text?.length ?? 0;
    }
    (embed.fields ?? []).forEach((field, j) => {
      for (const [key, limit] of [
        ["name", 256],
        ["value", 1024],
      ] as const) {
        if (!field[key])
          e.add(["embeds", i, "fields", j, key], "BASE_TYPE_REQUIRED", "This field is required");
        e.max(["embeds", i, "fields", j, key], field[key], limit);
        total += field[key]?.length ?? 0;
      }
    });
  });
  if (total > 6000) e.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000");
  // Components V2 messages are laid out differently; only classic action rows of buttons are checked.
  if (!((body.flags ?? 0) & COMPONENTS_V2)) {
    const seen = new Set<string>();
    e.max(["components"], body.components ?? [], 5);
    (body.components ?? []).forEach((row, i) => {
      e.max(["components", i, "components"], row.components ?? [], 5);
      (row.components ?? []).forEach((c, j) => {
        const at = ["components", i, "components", j];
        if (c.type !== 2) return;
        e.max([...at, "label"], c.label, 80);
        if (c.style === 5 || c.style === 6) return; // link and premium buttons have no custom_id
        if (!c.custom_id) {
          e.add([...at, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required");
          return;
        }
        e.max([...at, "custom_id"], c.custom_id, 100);
        if (seen.has(c.custom_id)) {
          e.add(
            [...at, "custom_id"],
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
          );
        }
        seen.add(c.custom_id);
      });
    });
  }
  const invalid = e.reply();
  if (invalid) return invalid;
  const hasSomething =
    body.content ||
    embeds.length ||
    body.components?.length ||
    opts.files ||
    body.sticker_ids?.length ||
    body.poll;
  // An empty message gets its own error code rather than a form error.
  return opts.creating && !hasSomething ? apiError(400, 50006, "Cannot send an empty message") : null;
}

export class DiscordStandIn {
  readonly calls: StandInCall[] = [];
  /** IDENTIFY payloads (`d`) in order: `intents`, `shard`, `properties`. */
  readonly identifies: Json[] = [];
  /** Every gateway payload the client sent, heartbeats included. */
  readonly received: { op: number; d: unknown }[] = [];
  resumeCount = 0;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: User;
  /** alice is a plain member of every seeded guild; owner owns them. */
  readonly users: { bot: User; owner: User; alice: User };
  readonly guilds: Guild[] = [];
  /** The first guild and its first channel: the defaults for builders. */
  readonly ids: { guild: string; channel: string };
  /** Pass as `rest.api` to discord.js: `http://127.0.0.1:PORT/api`. */
  apiRoot = "";
  gatewayUrl = "";

  /** Timings and flags; tests may change them at any time (e.g. `callbackDeadlineMs = 0`). */
  readonly settings: Required<Omit<StandInOptions, "token" | "applicationId" | "botUsername" | "guilds">>;
  private readonly server = createServer((req, res) => void this.onRequest(req, res));
  private readonly wss = new WebSocketServer({ server: this.server });
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Map<WebSocket, Session | null>();
  private readonly knownUsers = new Map<string, User>();
  private readonly dmChannels = new Map<string, Channel>(); // by recipient id
  private readonly messageStore = new Map<string, Message>();
  /** `channel:nonce` → the message created with an enforced nonce, as Discord remembers it for a while. */
  private readonly nonces = new Map<string, { messageId: string; at: number }>();
  private readonly commandStore = new Map<string, Json[]>(); // by guild id, or "global"
  private readonly interactions = new Map<string, InteractionState>();
  private readonly failures: (FailureSpec & { left: number })[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly routes: [method: string, pattern: RegExp, names: string[], handler: Handler][] = [];

  constructor(options: StandInOptions = {}) {
    this.token = options.token ?? `standin.${randomBytes(12).toString("hex")}`;
    this.applicationId = options.applicationId ?? nextId();
    this.settings = {
      applicationFlags: options.applicationFlags ?? 0,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      callbackDeadlineMs: options.callbackDeadlineMs ?? 3_000,
      interactionTokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    };
    const username = options.botUsername ?? "Receipts";
    this.botUser = {
      id: this.applicationId,
      username,
      global_name: null,
      discriminator: "0",
      avatar: null,
      bot: true,
    };
    this.knownUsers.set(this.botUser.id, this.botUser);
    this.users = { bot: this.botUser, owner: this.makeUser("guild-owner"), alice: this.makeUser("alice") };
    const readOnly = { name: "read-only", botDeny: P.SendMessages };
    for (const seed of options.guilds ?? [{ channels: [{ name: "general" }, readOnly] }]) this.addGuild(seed);
    this.ids = { guild: this.guilds[0]?.id ?? "", channel: this.guilds[0]?.channels[0]?.id ?? "" };
    this.wss.on("connection", (socket) => this.onConnection(socket));
    this.defineRoutes();
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    return this;
  }

  /** Ends every connection. Call client.destroy() first, or the client keeps trying to reconnect. */
  async close(): Promise<void> {
    for (const socket of this.sockets.keys()) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get identifyCount(): number {
    return this.identifies.length;
  }

  // ---- test-side helpers ------------------------------------------------------------------------------

  /** A new user known to the stand-in (not a guild member until they speak or interact there). */
  makeUser(username: string): User {
    const user: User = { id: nextId(), username, global_name: username, discriminator: "0", avatar: null };
    this.knownUsers.set(user.id, user);
    return user;
  }

  guild(id: string = this.ids.guild): Guild {
    const guild = this.guilds.find((g) => g.id === id);
    if (!guild) throw new Error(`stand-in has no guild ${id}`);
    return guild;
  }

  channelByName(name: string, guildId: string = this.ids.guild): Channel {
    const channel = this.guild(guildId).channels.find((c) => c.name === name);
    if (!channel) throw new Error(`stand-in has no channel #${name}`);
    return channel;
  }

  /** The user's DM channel with the bot, made on first use (as POST /users/@me/channels does). */
  dmChannelFor(user: User): Channel {
    this.knownUsers.set(user.id, user);
    let channel = this.dmChannels.get(user.id);
    if (!channel) {
      channel = { id: nextId(), type: 1, recipients: [user], last_message_id: null, flags: 0 };
      this.dmChannels.set(user.id, channel);
    }
    return channel;
  }

  /** Messages dispatched with MESSAGE_CREATE or sent by the bot, oldest first. */
  messages(channelId?: string): Message[] {
    return [...this.messageStore.values()].filter((m) => !channelId || m.channel_id === channelId);
  }

  message(id: string): Message | undefined {
    return this.messageStore.get(id);
  }

  /** Commands as last registered (with ids), global unless a guild id is given. */
  commands(guildId?: string): Json[] {
    return this.commandStore.get(guildId ?? "global") ?? [];
  }

  /** Every REST call made for one interaction: its callback, @original edits, follow-ups. */
  interactionResponses(interactionId: string): StandInCall[] {
    const it = this.interactions.get(interactionId);
    const webhook = `/webhooks/${this.applicationId}/${it?.token}`;
    return it
      ? this.calls.filter((c) => c.path.startsWith(`/interactions/${it.id}/`) || c.path.startsWith(webhook))
      : [];
  }

  /** The next matching request(s) get this answer instead of being handled. */
  failNext(spec: FailureSpec): void {
    this.failures.push({ ...spec, left: spec.count ?? 1 });
  }

  /**
   * The next matching request(s) get a 429 that @discordjs/rest waits out and retries. Discord sends
   * `retry-after` in whole seconds; it is kept fractional here so tests stay fast.
   */
  rateLimitNext(
    spec: Omit<FailureSpec, "status" | "body" | "headers"> & { retryAfter?: number; global?: boolean },
  ): void {
    const { retryAfter = 0.25, global = false, ...match } = spec;
    const headers: Record<string, string> = {
      "retry-after": String(retryAfter),
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset-after": String(retryAfter),
      "x-ratelimit-bucket": "standin-bucket",
      "x-ratelimit-scope": global ? "global" : "user",
      ...(global ? { "x-ratelimit-global": "true" } : {}),
    };
    const body = { message: "You are being rate limited.", retry_after: retryAfter, global };
    this.failNext({ ...match, status: 429, body, headers });
  }

  /** Resolves with the first call, past or future, that matches; rejects after timeoutMs. */
  waitForCall(predicate: (call: StandInCall) => boolean, timeoutMs = 5_000): Promise<StandInCall> {
    return this.waitUntil(
      () => this.calls.find(predicate),
      timeoutMs,
      () =>
        `a matching call; calls so far:\n${this.calls.map((c) => `  ${c.method} ${c.path} -> ${c.status}`).join("\n")}`,
    );
  }

  /** Re-checks `probe` after every REST call and gateway message until it returns something truthy. */
  waitUntil<T>(
    probe: () => T | undefined | null | false,
    timeoutMs = 5_000,
    what?: () => string,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (!value) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`stand-in: timed out after ${timeoutMs} ms waiting for ${what?.() ?? "a condition"}`),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /**
   * Sends a dispatch to every live gateway session (kept for replay while a session's socket is down).
   * MESSAGE_CREATE and INTERACTION_CREATE payloads are remembered so that answers to them are recognised.
   */
  dispatch(event: string, data: unknown): void {
    if (event === "MESSAGE_CREATE") this.storeMessage(data as Message);
    if (event === "INTERACTION_CREATE") this.trackInteraction(data as Json);
    const sessions = [...this.sessions.values()].filter((s) => s.resumable);
    if (!sessions.length) throw new Error(`stand-in: no gateway session to dispatch ${event} to`);
    for (const session of sessions) this.sendDispatch(session, event, data);
    this.changed();
  }

  /** Closes every gateway socket: 4000 (default) lets the client RESUME; 1000 makes it IDENTIFY anew. */
  disconnectAll(code = 4000, reason = "stand-in disconnect"): void {
    for (const [socket, session] of this.sockets) {
      if (session) session.socket = null;
      if (session && (code === 1000 || code === 1001)) session.resumable = false;
      this.sockets.set(socket, null);
      socket.close(code, reason);
    }
  }

  /** A MESSAGE_CREATE payload from a user (default: alice in the first channel); pass it to dispatch(). */
  messageCreate(spec: MessageCreateSpec): Message {
    const author = spec.author ?? this.users.alice;
    const channel = spec.dm
      ? this.dmChannelFor(author)
      : this.findChannel(spec.channelId ?? this.ids.channel).channel;
    const guild = spec.guildId || channel.guild_id ? this.guild(spec.guildId ?? channel.guild_id) : undefined;
    // In guild messages the author and each mentioned user carry their member object (minus the user).
    const memberPart = (user: User) => {
      const { user: _user, ...member } = guild ? this.memberOf(guild, user) : { user };
      return member;
    };
    const mentions = spec.mentions ?? this.mentionedUsers(spec.content);
    return {
      id: spec.id ?? nextId(),
      type: 0,
      channel_id: channel.id,
      ...(guild ? { guild_id: guild.id, member: memberPart(author) } : { channel_type: 1 }),
      author,
      content: spec.content,
      mentions: mentions.map((u) => (guild ? { ...u, member: memberPart(u) } : u)),
      ...{ mention_roles: [], mention_everyone: false, attachments: [], embeds: [], components: [] },
      ...{ pinned: false, tts: false, flags: 0, timestamp: new Date().toISOString(), edited_timestamp: null },
    };
  }

  /** An INTERACTION_CREATE payload (slash command, autocomplete or button); pass it to dispatch(). */
  interactionCreate(spec: InteractionSpec): Json {
    const user = spec.user ?? this.users.alice;
    const channel = spec.dm
      ? this.dmChannelFor(user)
      : this.findChannel(spec.channelId ?? this.ids.channel).channel;
    const guild = channel.guild_id ? this.guild(channel.guild_id) : undefined;
    const member = guild && this.memberOf(guild, user);
    const memberPerms = spec.permissions ?? (guild ? this.permissionsIn(guild, channel, user.id) : 0n);
    const base: Json = {
      id: spec.id ?? nextId(),
      application_id: this.applicationId,
      token: spec.token ?? `interaction.${randomBytes(16).toString("hex")}`,
      version: 1,
      locale: spec.locale ?? "en-US",
      app_permissions: String(guild ? this.permissionsIn(guild, channel, this.botUser.id) : BOT_DEFAULT),
      entitlements: [],
      authorizing_integration_owners: { "0": guild?.id ?? "0" },
      context: guild ? 0 : 1, // 0 guild, 1 DM with the bot
      attachment_size_limit: 10 * 1024 * 1024,
      channel_id: channel.id,
      channel: guild ? { ...channel, permissions: String(memberPerms) } : channel,
      ...(guild && member
        ? {
            guild_id: guild.id,
            guild_locale: "en-US",
            guild: { id: guild.id, locale: "en-US", features: [] },
          }
        : { user }),
      ...(member ? { member: { ...member, permissions: String(memberPerms) } } : {}),
    };
    if (spec.kind === "button") {
      const message = this.componentMessage(channel.id, spec.customId, spec.messageId);
      return { ...base, type: 3, message, data: { custom_id: spec.customId, component_type: 2 } };
    }
    const command = [...this.commands(guild?.id), ...this.commands()].find(
      (c) => c.name === spec.commandName,
    );
    const focused = spec.kind === "autocomplete" ? spec.focused : undefined;
    const options = this.commandOptions(command, spec.options, focused);
    const data: Json = { id: command?.id ?? nextId(), name: spec.commandName, type: 1, options };
    if (command?.guild_id) data.guild_id = command.guild_id;
    const users = options.flatMap((o) => (o.type === 6 ? (this.knownUsers.get(String(o.value)) ?? []) : []));
    if (users.length) data.resolved = { users: Object.fromEntries(users.map((u) => [u.id, u])) };
    return { ...base, type: spec.kind === "command" ? 2 : 4, data };
  }

  // ---- internals: state -------------------------------------------------------------------------------

  private changed(): void {
    for (const check of [...this.waiters]) check();
  }

  /** The user's membership, joining them to the guild first: whoever speaks in a guild is a member. */
  private memberOf(guild: Guild, user: User, roles: string[] = []): Member {
    this.knownUsers.set(user.id, user);
    let member = guild.members.get(user.id);
    if (!member) {
      member = { user, roles, joined_at: new Date().toISOString(), nick: null, avatar: null };
      Object.assign(member, { deaf: false, mute: false, flags: 0, pending: false, premium_since: null });
      guild.members.set(user.id, member);
    }
    return member;
  }

  private addGuild(seed: GuildSeed): void {
    const id = seed.id ?? nextId();
    const role = (roleId: string, name: string, permissions: bigint, position: number): Role => {
      const colors = { primary_color: 0, secondary_color: null, tertiary_color: null };
      const looks = { color: 0, colors, hoist: false, mentionable: false, flags: 0, icon: null };
      return { id: roleId, name, permissions: String(permissions), position, managed: false, ...looks };
    };
    const botRole = role(nextId(), this.botUser.username, seed.botPermissions ?? BOT_DEFAULT, 1);
    Object.assign(botRole, { managed: true, tags: { bot_id: this.botUser.id } });
    const everyone = role(id, "@everyone", seed.everyonePermissions ?? EVERYONE_DEFAULT, 0); // its id is the guild's
    const guild: Guild = {
      id,
      name: seed.name ?? "Receipts Test Guild",
      ownerId: this.users.owner.id,
      roles: [],
      channels: [],
      members: new Map(),
    };
    guild.roles.push(everyone, botRole);
    this.memberOf(guild, this.botUser, [botRole.id]);
    this.memberOf(guild, this.users.owner);
    this.memberOf(guild, this.users.alice);
    (seed.channels ?? [{ name: "general" }]).forEach((c, position) => {
      const overwrite = {
        id: botRole.id,
        type: 0 as const,
        allow: String(c.botAllow ?? 0n),
        deny: String(c.botDeny ?? 0n),
      };
      guild.channels.push({
        ...{ id: c.id ?? nextId(), type: c.type ?? 0, name: c.name, guild_id: id, position, parent_id: null },
        ...{ nsfw: false, topic: null, rate_limit_per_user: 0, last_message_id: null, flags: 0 },
        permission_overwrites: c.botDeny || c.botAllow ? [overwrite] : [],
      });
    });
    this.guilds.push(guild);
  }

  /** Discord's algorithm: base from @everyone and roles, then @everyone, role and member overwrites. */
  private permissionsIn(guild: Guild, channel: Channel, userId: string): bigint {
    const member = guild.members.get(userId);
    if (guild.ownerId === userId) return ALL_PERMISSIONS;
    if (!member) return 0n;
    let perms = 0n;
    for (const role of guild.roles) {
      if (role.id === guild.id || member.roles.includes(role.id)) perms |= BigInt(role.permissions);
    }
    if (perms & P.Administrator) return ALL_PERMISSIONS;
    const overwrites = channel.permission_overwrites ?? [];
    const apply = (list: Overwrite[]) => {
      const allow = list.reduce((acc, o) => acc | BigInt(o.allow), 0n);
      const deny = list.reduce((acc, o) => acc | BigInt(o.deny), 0n);
      perms = (perms & ~deny) | allow;
    };
    apply(overwrites.filter((o) => o.id === guild.id));
    apply(overwrites.filter((o) => o.type === 0 && o.id !== guild.id && member.roles.includes(o.id)));
    apply(overwrites.filter((o) => o.type === 1 && o.id === userId));
    return perms;
  }

  private findChannel(id: string): { channel: Channel; guild?: Guild } {
    for (const guild of this.guilds) {
      const channel = guild.channels.find((c) => c.id === id);
      if (channel) return { channel, guild };
    }
    const dm = [...this.dmChannels.values()].find((c) => c.id === id);
    if (dm) return { channel: dm };
    throw new Error(`stand-in has no channel ${id}`);
  }

  private mentionedUsers(content: string): User[] {
    const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] ?? ""));
    return [...ids].flatMap((id) => this.knownUsers.get(id) ?? []);
  }

  private storeMessage(message: Message): void {
    this.messageStore.set(message.id, message);
    const found = [...this.guilds.flatMap((g) => g.channels), ...this.dmChannels.values()];
    for (const channel of found) if (channel.id === message.channel_id) channel.last_message_id = message.id;
  }

  private trackInteraction(data: Json): void {
    this.interactions.set(String(data.id), {
      id: String(data.id),
      token: String(data.token),
      type: Number(data.type),
      channelId: String(data.channel_id ?? (data.channel as Channel | undefined)?.id),
      user: (data.user ?? (data.member as Member | undefined)?.user) as User,
      dispatchedAt: Date.now(),
      messageId: (data.message as Message | undefined)?.id,
      followUps: [],
    });
  }

  /** The message a button sits on: the given one, the latest carrying that custom_id, or a new bot message. */
  private componentMessage(channelId: string, customId: string, messageId?: string): Message {
    const given = messageId ? this.messageStore.get(messageId) : undefined;
    if (messageId && !given) throw new Error(`stand-in has no message ${messageId}`);
    const carries = (m: Message) => JSON.stringify(m.components).includes(JSON.stringify(customId));
    const found = given ?? this.messages(channelId).reverse().find(carries);
    if (found) return found;
    const button = { type: 2, style: 1, label: customId.slice(0, 80), custom_id: customId };
    const body = { content: "(a message with a button)", components: [{ type: 1, components: [button] }] };
    return this.createMessage(channelId, body, []);
  }

  private commandOptions(
    command: Json | undefined,
    input: OptionsInput | undefined,
    focused?: string,
  ): Json[] {
    if (Array.isArray(input)) return input;
    const declared = (command?.options ?? []) as { name: string; type: number }[];
    const options: Json[] = Object.entries(input ?? {}).map(([name, value]) => {
      const inferred =
        typeof value === "boolean" ? 5 : typeof value !== "number" ? 3 : Number.isInteger(value) ? 4 : 10;
      const type = declared.find((d) => d.name === name)?.type ?? inferred;
      return { name, type, value, ...(name === focused ? { focused: true } : {}) };
    });
    if (focused && !options.some((o) => o.focused))
      options.push({ name: focused, type: 3, value: "", focused: true });
    return options;
  }

  /** Builds, stores and returns a message sent by the bot. */
  private createMessage(
    channelId: string,
    body: MessageBody,
    files: UploadedFile[],
    extra: Json = {},
  ): Message {
    const { channel, guild } = this.findChannel(channelId);
    const refId = body.message_reference?.message_id;
    const referenced = refId ? this.messageStore.get(refId) : undefined;
    const attachments = files.map((f) => this.attachment(f));
    const message: Message = {
      id: nextId(),
      type: referenced ? 19 : 0,
      channel_id: channel.id,
      ...(guild ? { guild_id: guild.id } : {}),
      author: this.botUser,
      content: body.content ?? "",
      embeds: (body.embeds ?? []).map((embed) => withFiles(rich(embed), attachments)),
      components: body.components ?? [],
      attachments,
      mentions: this.allowedMentions(body, referenced),
      ...{
        mention_roles: [],
        mention_everyone: false,
        pinned: false,
        tts: Boolean(body.tts),
        flags: body.flags ?? 0,
      },
      ...{ timestamp: new Date().toISOString(), edited_timestamp: null },
      ...(referenced && {
        message_reference: {
          type: 0,
          message_id: referenced.id,
          channel_id: channel.id,
          guild_id: guild?.id,
        },
        referenced_message: referenced,
      }),
      ...extra,
    };
    this.storeMessage(message);
    return message;
  }

  private attachment(file: UploadedFile): Json {
    const id = nextId();
    const url = `${this.apiRoot.replace(/\/api$/, "")}/attachments/${id}/${file.filename}`; // never a real CDN
    let size: { width: number; height: number } | undefined;
    try {
      size = pngSize(file.bytes);
    } catch {
      // not a PNG: no dimensions, as Discord gives none for files that are not pictures
    }
    return {
      id,
      filename: file.filename,
      size: file.size,
      content_type: file.contentType,
      url,
      proxy_url: url,
      ...size,
    };
  }

  /** Who a message really pings after allowed_mentions (a reply pings its author unless told not to). */
  private allowedMentions(body: MessageBody, referenced?: Message): User[] {
    const allowed = body.allowed_mentions;
    const users = this.mentionedUsers(body.content ?? "").filter(
      (u) => !allowed || allowed.parse?.includes("users") || allowed.users?.includes(u.id),
    );
    const pingsAuthor = allowed ? allowed.replied_user === true : true;
    if (referenced && pingsAuthor && !users.some((u) => u.id === referenced.author.id))
      users.push(referenced.author);
    return users;
  }

  private editMessage(message: Message, body: MessageBody, files: UploadedFile[]): Message {
    if (body.content !== undefined) message.content = body.content ?? "";
    if (body.components !== undefined) message.components = body.components ?? [];
    if (body.attachments !== undefined || files.length) {
      const keep = new Set((body.attachments ?? []).map((a) => String(a.id)));
      const kept = ((message.attachments ?? []) as Json[]).filter((a) => keep.has(String(a.id)));
      message.attachments = [...kept, ...files.map((f) => this.attachment(f))];
    }
    if (body.embeds !== undefined)
      message.embeds = (body.embeds ?? []).map((embed) =>
        withFiles(rich(embed), (message.attachments ?? []) as Json[]),
      );
    // An edit ends a deferred reply's "thinking…" state; whether it is ephemeral cannot change.
    message.flags = ((body.flags ?? message.flags) & ~(EPHEMERAL | LOADING)) | (message.flags & EPHEMERAL);
    if (body.content !== undefined) message.mentions = this.allowedMentions(body);
    message.edited_timestamp = new Date().toISOString();
    return message;
  }

  // ---- internals: gateway -----------------------------------------------------------------------------

  private onConnection(socket: WebSocket): void {
    this.sockets.set(socket, null);
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.settings.heartbeatIntervalMs } }));
    socket.on("message", (raw) => this.onGatewayMessage(socket, raw));
    socket.on("close", (code) => {
      const session = this.sockets.get(socket);
      this.sockets.delete(socket);
      if (session?.socket === socket) session.socket = null;
      // A client that closes with 1000/1001 ends its session; other codes leave it resumable.
      if (session && (code === 1000 || code === 1001)) session.resumable = false;
      this.changed();
    });
  }

  private onGatewayMessage(socket: WebSocket, raw: RawData): void {
    let payload: { op: number; d: unknown };
    try {
      payload = JSON.parse(raw.toString());
    } catch {
      socket.close(4002, "Decode error");
      return;
    }
    this.received.push(payload);
    const d = (payload.d ?? {}) as Json;
    const authenticated = Boolean(this.sockets.get(socket));
    if (payload.op === 1) socket.send(JSON.stringify({ op: 11 }));
    else if ((payload.op === 2 || payload.op === 6) && withoutBot(d.token) !== this.token) {
      socket.close(4004, "Authentication failed");
    } else if (payload.op === 2 && authenticated) socket.close(4005, "Already authenticated");
    else if (payload.op === 2) this.identify(socket, d);
    else if (payload.op === 6) this.resume(socket, d);
    else if (!authenticated) socket.close(4003, "Not authenticated");
    // Presence (3), voice state (4) and member requests (8) are accepted and ignored.
    else if (![3, 4, 8].includes(payload.op)) socket.close(4001, "Unknown opcode");
    this.changed();
  }

  private identify(socket: WebSocket, d: Json): void {
    this.identifies.push(d);
    const id = randomBytes(16).toString("hex");
    const session: Session = { id, intents: Number(d.intents), seq: 0, socket, log: [], resumable: true };
    this.sessions.set(id, session);
    this.sockets.set(socket, session);
    this.sendDispatch(session, "READY", {
      v: 10,
      user: { ...this.botUser, verified: true, mfa_enabled: false, flags: 0, email: null },
      guilds: this.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: id,
      session_type: "normal",
      resume_gateway_url: this.gatewayUrl,
      shard: d.shard ?? [0, 1],
      application: { id: this.applicationId, flags: this.settings.applicationFlags },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
    });
    // Every guild listed in READY must follow as GUILD_CREATE, or discord.js waits 15 s before "ready".
    for (const guild of this.guilds)
      this.sendDispatch(session, "GUILD_CREATE", this.guildCreatePayload(guild));
  }

  private resume(socket: WebSocket, d: Json): void {
    const session = this.sessions.get(String(d.session_id));
    if (!session?.resumable) {
      // "Invalid session, not resumable": the client identifies anew.
      socket.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = socket;
    this.sockets.set(socket, session);
    this.resumeCount++;
    for (const missed of session.log) if (missed.s > Number(d.seq)) socket.send(JSON.stringify(missed));
    this.sendDispatch(session, "RESUMED", {});
  }

  private sendDispatch(session: Session, event: string, data: unknown): void {
    const visible = this.filterForIntents(session.intents, event, data);
    if (visible === undefined) return;
    const payload = { op: 0 as const, t: event, s: ++session.seq, d: visible };
    session.log.push(payload);
    if (session.log.length > 1000) session.log.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(payload));
  }

  /** Message events need (Guild|Direct)Messages; without MessageContent their text is blanked (as Discord does). */
  private filterForIntents(intents: number, event: string, data: unknown): unknown {
    if (event !== "MESSAGE_CREATE" && event !== "MESSAGE_UPDATE") return data;
    const message = data as Message;
    const inGuild = Boolean(message.guild_id);
    if (!(intents & (inGuild ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages)))
      return undefined;
    const botId = this.botUser.id;
    const exempt = !inGuild || message.author?.id === botId || message.mentions?.some((u) => u.id === botId);
    if (exempt || intents & GatewayIntentBits.MessageContent) return data;
    return { ...message, content: "", embeds: [], attachments: [], components: [] };
  }

  private guildCreatePayload(guild: Guild): Json {
    const none = { icon: null, splash: null, discovery_splash: null, banner: null, description: null };
    const channelIds = { afk_channel_id: null, system_channel_id: null, rules_channel_id: null };
    const levels = { verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0 };
    return {
      ...{ id: guild.id, name: guild.name, owner_id: guild.ownerId, ...none, ...channelIds, ...levels },
      ...{ mfa_level: 0, nsfw_level: 0, premium_tier: 0, afk_timeout: 300, system_channel_flags: 0 },
      ...{
        preferred_locale: "en-US",
        features: [],
        emojis: [],
        stickers: [],
        large: false,
        unavailable: false,
      },
      roles: guild.roles,
      members: [...guild.members.values()],
      member_count: guild.members.size,
      joined_at: new Date().toISOString(),
      channels: guild.channels.map(({ guild_id: _omitted, ...channel }) => channel), // GUILD_CREATE omits guild_id
      ...{ threads: [], presences: [], voice_states: [], stage_instances: [], guild_scheduled_events: [] },
    };
  }

  // ---- internals: REST --------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const versioned = url.pathname.startsWith("/api/v10/");
    const path = versioned
      ? url.pathname.slice(8).split("/").map(decodeURIComponent).join("/")
      : url.pathname;
    const call: StandInCall = {
      ...{
        index: this.calls.length,
        method: req.method ?? "GET",
        path,
        query: Object.fromEntries(url.searchParams),
      },
      ...{ headers, body: null, files: [], status: 0, response: undefined },
    };
    let answer: Reply;
    try {
      await this.parseBody(call, Buffer.concat(chunks), headers["content-type"] ?? "");
      answer = versioned
        ? (this.injectedFailure(call) ?? this.route(call))
        : apiError(404, 0, "404: Not Found");
    } catch (error) {
      answer = apiError(500, 0, `stand-in error: ${error instanceof Error ? error.message : String(error)}`);
    }
    call.status = answer.status;
    call.response = structuredClone(answer.body); // a snapshot: stored messages change on later edits
    this.calls.push(call);
    this.changed();
    // A 204 must carry neither a body nor a JSON content-type.
    const json = answer.status !== 204 && answer.body !== undefined;
    res.writeHead(answer.status, {
      ...(json ? { "content-type": "application/json" } : {}),
      ...answer.headers,
    });
    res.end(json ? JSON.stringify(answer.body) : undefined);
  }

  /** JSON, or multipart/form-data with `payload_json` and `files[n]` (how discord.js uploads files). */
  private async parseBody(call: StandInCall, raw: Buffer, contentType: string): Promise<void> {
    if (!raw.length) return;
    if (!contentType.startsWith("multipart/form-data")) {
      call.body = JSON.parse(raw.toString("utf8"));
      return;
    }
    const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
    for (const [field, value] of form) {
      if (typeof value !== "string") {
        const bytes = Buffer.from(await value.arrayBuffer());
        call.files.push({ field, filename: value.name, size: value.size, contentType: value.type, bytes });
      } else if (field === "payload_json") call.body = JSON.parse(value);
    }
  }

  private injectedFailure(call: StandInCall): Reply | null {
    const matches = (f: FailureSpec) =>
      (!f.method || f.method.toUpperCase() === call.method) &&
      (!f.path || (typeof f.path === "string" ? f.path === call.path : f.path.test(call.path)));
    const index = this.failures.findIndex(matches);
    const failure = this.failures[index];
    if (!failure) return null;
    if (--failure.left <= 0) this.failures.splice(index, 1);
    return reply(
      failure.status,
      failure.body ?? { code: 0, message: `injected ${failure.status}` },
      failure.headers,
    );
  }

  private route(call: StandInCall): Reply {
    // Interaction callbacks and interaction webhooks are authorised by their token, not the bot's.
    if (
      !/^\/(interactions|webhooks)\//.test(call.path) &&
      call.headers.authorization !== `Bot ${this.token}`
    ) {
      return apiError(401, 0, "401: Unauthorized");
    }
    for (const [method, pattern, names, handler] of this.routes) {
      const match = method === call.method ? pattern.exec(call.path) : null;
      if (match) return handler(call, Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? ""])));
    }
    return apiError(404, 0, "404: Not Found");
  }

  /** Registers a route; `:name` segments become params. The first matching route wins. */
  private handle(method: string, template: string, handler: Handler): void {
    const names: string[] = [];
    const source = template.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    this.routes.push([method, new RegExp(`^${source}$`), names, handler]);
  }

  private defineRoutes(): void {
    const sessionStartLimit = { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 };
    this.handle("GET", "/gateway", () => reply(200, { url: this.gatewayUrl }));
    this.handle("GET", "/gateway/bot", () =>
      reply(200, { url: this.gatewayUrl, shards: 1, session_start_limit: sessionStartLimit }),
    );
    this.handle("GET", "/users/@me", () => reply(200, this.botUser));
    this.handle("GET", "/users/:user", (_, p) => this.known(p.user, (user) => reply(200, user)));
    this.handle("POST", "/users/@me/channels", (call) =>
      this.known((call.body as Json | null)?.recipient_id, (user) => reply(200, this.dmChannelFor(user))),
    );
    this.handle("GET", "/applications/@me", () =>
      reply(200, { id: this.applicationId, name: this.botUser.username, bot: this.botUser, flags: 0 }),
    );
    for (const scope of ["/applications/:app/commands", "/applications/:app/guilds/:guild/commands"]) {
      this.handle("GET", scope, (_, p) => this.withApp(p, () => reply(200, this.commands(p.guild))));
      this.handle("PUT", scope, (call, p) => this.withApp(p, () => this.putCommands(call, p.guild)));
    }
    this.handle("GET", "/channels/:channel", (_, p) =>
      this.withChannel(p, ({ channel }) => reply(200, channel)),
    );
    this.handle("POST", "/channels/:channel/typing", (_, p) => this.withChannel(p, () => reply(204)));
    this.handle("POST", "/channels/:channel/messages", (call, p) =>
      this.withChannel(p, (found) => this.postMessage(call, found)),
    );
    this.handle("GET", "/channels/:channel/messages/:message", (_, p) =>
      this.withMessage(p, (message) => reply(200, message)),
    );
    this.handle("PATCH", "/channels/:channel/messages/:message", (call, p) =>
      this.withMessage(p, (message) => {
        if (message.author.id !== this.botUser.id) {
          return apiError(403, 50005, "Cannot edit a message authored by another user");
        }
        return this.edit(message, call);
      }),
    );
    this.handle("DELETE", "/channels/:channel/messages/:message", (_, p) =>
      this.withMessage(p, (message, { channel, guild }) => {
        const mayManage = !guild || this.permissionsIn(guild, channel, this.botUser.id) & P.ManageMessages;
        if (message.author.id !== this.botUser.id && !mayManage)
          return apiError(403, 50013, "Missing Permissions");
        this.messageStore.delete(message.id);
        return reply(204);
      }),
    );
    this.handle("GET", "/guilds/:guild/members/:user", (_, p) => {
      const guild = this.guilds.find((g) => g.id === p.guild);
      const member = guild?.members.get(p.user ?? "");
      if (!guild) return apiError(404, 10004, "Unknown Guild");
      return member ? reply(200, member) : apiError(404, 10007, "Unknown Member");
    });
    this.handle("POST", "/interactions/:id/:token/callback", (call, p) => this.interactionCallback(call, p));
    this.handle("POST", "/webhooks/:app/:token", (call, p) =>
      this.withWebhook(p, (it) => {
        const body = (call.body ?? {}) as MessageBody;
        const invalid = validateMessage(body, { creating: true, files: call.files.length });
        if (invalid) return invalid;
        const message = this.createMessage(it.channelId, body, call.files, this.interactionExtra(it, 0));
        it.followUps.push(message.id);
        return call.query.wait === "false" ? reply(204) : reply(200, message);
      }),
    );
    const webhookMessage = "/webhooks/:app/:token/messages/:message"; // :message may be "@original"
    this.handle("GET", webhookMessage, (_, p) =>
      this.withWebhookMessage(p, (message) => reply(200, message)),
    );
    this.handle("PATCH", webhookMessage, (call, p) =>
      this.withWebhookMessage(p, (message) => this.edit(message, call)),
    );
    this.handle("DELETE", webhookMessage, (_, p) =>
      this.withWebhookMessage(p, (message) => {
        this.messageStore.delete(message.id);
        return reply(204);
      }),
    );
  }

  private known(id: unknown, next: (user: User) => Reply): Reply {
    const user = this.knownUsers.get(String(id));
    return user ? next(user) : apiError(404, 10013, "Unknown User");
  }

  private withApp(p: Params, next: () => Reply): Reply {
    return p.app === this.applicationId ? next() : apiError(404, 10002, "Unknown Application");
  }

  private withChannel(p: Params, next: (found: { channel: Channel; guild?: Guild }) => Reply): Reply {
    let found: { channel: Channel; guild?: Guild };
    try {
      found = this.findChannel(p.channel ?? "");
    } catch {
      return apiError(404, 10003, "Unknown Channel");
    }
    return next(found);
  }

  private withMessage(
    p: Params,
    next: (message: Message, found: { channel: Channel; guild?: Guild }) => Reply,
  ) {
    return this.withChannel(p, (found) => {
      const message = this.messageStore.get(p.message ?? "");
      return message?.channel_id === found.channel.id
        ? next(message, found)
        : apiError(404, 10008, "Unknown Message");
    });
  }

  private edit(message: Message, call: StandInCall): Reply {
    const body = (call.body ?? {}) as MessageBody;
    return (
      validateMessage(body, { creating: false }) ?? reply(200, this.editMessage(message, body, call.files))
    );
  }

  /** PUT replaces a scope's commands; a command keeps its id when its name and type stay the same. */
  private putCommands(call: StandInCall, guildId: string | undefined): Reply {
    if (guildId && !this.guilds.some((g) => g.id === guildId)) return apiError(404, 10004, "Unknown Guild");
    if (!Array.isArray(call.body)) return apiError(400, 50035, "Invalid Form Body", {});
    const input = call.body as Json[];
    const e = new FormErrors();
    e.max([], input, 100);
    input.forEach((c, i) => {
      const slash = Number(c.type ?? 1) === 1;
      const validName = slash ? /^[-_'\p{Ll}\p{Lo}\p{N}]{1,32}$/u : /^.{1,32}$/u;
      if (!validName.test(String(c.name ?? ""))) {
        e.add([i, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid");
      }
      if (slash && !c.description) e.add([i, "description"], "BASE_TYPE_REQUIRED", "This field is required");
      e.max([i, "description"], c.description, 100);
      // Localizations, as Discord checks them: known locales only, names valid, descriptions at most 100.
      const localized = (field: string, map: unknown, valid: (value: string) => boolean) => {
        for (const [locale, value] of Object.entries((map ?? {}) as Record<string, unknown>)) {
          if (!DISCORD_LOCALES.has(locale)) e.add([i, field, locale], "LOCALE_INVALID", "Invalid locale");
          else if (typeof value !== "string" || !valid(value))
            e.add([i, field, locale], "APPLICATION_COMMAND_INVALID_LOCALIZATION", "Invalid localization");
        }
      };
      localized("name_localizations", c.name_localizations, (value) => validName.test(value));
      localized("description_localizations", c.description_localizations, (value) => value.length <= 100);
      for (const [k, option] of ((c.options ?? []) as Json[]).entries())
        localized(
          `options.${k}.description_localizations`,
          option.description_localizations,
          (value) => value.length >= 1 && value.length <= 100,
        );
      e.max([i, "options"], c.options ?? [], 25);
    });
    const invalid = e.reply();
    if (invalid) return invalid;
    const before = this.commands(guildId);
    const stored = input.map((c) => {
      const type = Number(c.type ?? 1);
      const id = before.find((b) => b.name === c.name && b.type === type)?.id ?? nextId();
      const defaults = { description: "", options: [], default_member_permissions: null, nsfw: false };
      const scope = guildId ? { guild_id: guildId } : {};
      return { ...defaults, ...c, id, type, application_id: this.applicationId, ...scope, version: nextId() };
    });
    this.commandStore.set(guildId ?? "global", stored);
    return reply(200, stored);
  }

  private postMessage(call: StandInCall, { channel, guild }: { channel: Channel; guild?: Guild }): Reply {
    const perms = guild ? this.permissionsIn(guild, channel, this.botUser.id) : ALL_PERMISSIONS;
    if (!(perms & P.ViewChannel)) return apiError(403, 50001, "Missing Access");
    if (!(perms & P.SendMessages)) return apiError(403, 50013, "Missing Permissions");
    if (call.files.length && !(perms & P.AttachFiles)) return apiError(403, 50013, "Missing Permissions");
    const body = (call.body ?? {}) as MessageBody;
    const invalid = validateMessage(body, { creating: true, files: call.files.length });
    if (invalid) return invalid;
    const ref = body.message_reference;
    const referenced = ref?.message_id ? this.messageStore.get(ref.message_id) : undefined;
    if (ref?.message_id && referenced?.channel_id !== channel.id && ref.fail_if_not_exists !== false) {
      const errors = [{ code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", message: "Unknown message" }];
      return apiError(400, 50035, "Invalid Form Body", { message_reference: { _errors: errors } });
    }
    // Like Discord: the same enforced nonce in the same channel within a few minutes returns the
    // message already created instead of creating another.
    const nonceKey =
      body.enforce_nonce && body.nonce !== undefined ? `${channel.id}:${body.nonce}` : undefined;
    const earlier = nonceKey ? this.nonces.get(nonceKey) : undefined;
    const existing =
      earlier && Date.now() - earlier.at < NONCE_MEMORY_MS
        ? this.messageStore.get(earlier.messageId)
        : undefined;
    if (existing) return reply(200, existing);
    const message = this.createMessage(channel.id, body, call.files);
    if (nonceKey) this.nonces.set(nonceKey, { messageId: message.id, at: Date.now() });
    return reply(200, message);
  }

  private interactionExtra(it: InteractionState, type: number): Json {
    const metadata = { id: it.id, type: it.type, user: it.user, authorizing_integration_owners: {} };
    return {
      type,
      webhook_id: this.applicationId,
      application_id: this.applicationId,
      interaction_metadata: metadata,
    };
  }

  private interactionCallback(call: StandInCall, p: Params): Reply {
    const it = this.interactions.get(p.id ?? "");
    const late =
      it && !it.acknowledgedWith && Date.now() - it.dispatchedAt >= this.settings.callbackDeadlineMs;
    if (!it || it.token !== p.token || late) return apiError(404, 10062, "Unknown interaction");
    if (it.acknowledgedWith) return apiError(400, 40060, "Interaction has already been acknowledged.");
    const body = (call.body ?? {}) as {
      type?: number;
      data?: MessageBody & { choices?: { name?: string }[] };
    };
    const type = Number(body.type);
    const data = body.data ?? {};
    const e = new FormErrors();
    if (!CALLBACKS_ALLOWED[it.type]?.includes(type)) {
      e.add(
        ["type"],
        "INTERACTION_RESPONSE_TYPE_INVALID",
        `Response type ${type} is not valid for this interaction`,
      );
    }
    e.max(["data", "choices"], data.choices ?? [], 25);
    for (const [i, choice] of (data.choices ?? []).entries())
      e.max(["data", "choices", i, "name"], choice.name, 100);
    const invalid =
      e.reply() ??
      (type === 4 || type === 7
        ? validateMessage(data, { creating: type === 4, files: call.files.length })
        : null);
    if (invalid) return invalid;

    it.acknowledgedWith = type;
    const extra = this.interactionExtra(it, it.type === 2 ? 20 : 0); // 20: reply to a slash command
    let message: Message | undefined;
    if (type === 4) message = this.createMessage(it.channelId, data, call.files, extra);
    if (type === 5)
      message = this.createMessage(
        it.channelId,
        { flags: ((data.flags ?? 0) & EPHEMERAL) | LOADING },
        [],
        extra,
      );
    // 6 and 7 answer a component: @original is then the message the component sits on.
    if (type === 6 || type === 7) message = it.messageId ? this.messageStore.get(it.messageId) : undefined;
    if (type === 7 && message) this.editMessage(message, data, call.files);
    it.originalId = message?.id;
    if (call.query.with_response !== "true") return reply(204);
    const interaction = { id: it.id, type: it.type, response_message_id: message?.id };
    Object.assign(interaction, {
      response_message_loading: type === 5,
      response_message_ephemeral: Boolean((message?.flags ?? 0) & EPHEMERAL),
    });
    return reply(200, { interaction, resource: { type, ...(message ? { message } : {}) } });
  }

  private withWebhook(p: Params, next: (it: InteractionState) => Reply): Reply {
    const it = [...this.interactions.values()].find((i) => i.token === p.token);
    // An interaction's webhook exists only once the interaction has been acknowledged.
    if (p.app !== this.applicationId || !it?.acknowledgedWith) return apiError(404, 10015, "Unknown Webhook");
    if (Date.now() - it.dispatchedAt > this.settings.interactionTokenTtlMs) {
      return apiError(401, 50027, "Invalid Webhook Token");
    }
    return next(it);
  }

  private withWebhookMessage(p: Params, next: (message: Message) => Reply): Reply {
    return this.withWebhook(p, (it) => {
      const id = p.message === "@original" ? it.originalId : p.message;
      const mine = id !== undefined && (id === it.originalId || it.followUps.includes(id));
      const message = mine ? this.messageStore.get(id) : undefined;
      return message ? next(message) : apiError(404, 10008, "Unknown Message");
    });
  }
}

export async function startDiscordStandIn(options: StandInOptions = {}): Promise<DiscordStandIn> {
  return new DiscordStandIn(options).listen();
}
