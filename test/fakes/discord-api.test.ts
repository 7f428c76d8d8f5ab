/**
 * Proves the Discord stand-in is good enough for the real discord.js Client: gateway login, commands,
 * interactions, messages, rate limits, errors and reconnects, all on a loopback port.
 */
import { once } from "node:events";
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  RESTEvents,
  Routes,
  SlashCommandBuilder,
  type TextChannel,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscordStandIn, type StandInCall, startDiscordStandIn } from "./discord-api.js";

let discord: DiscordStandIn;
let client: Client;
const handlerErrors: unknown[] = [];

const intents = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

/** A tiny bot, so the tests exercise discord.js the way an adapter would. */
async function onInteraction(interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand() && interaction.commandName === "ask") {
    const question = interaction.options.getString("question", true);
    const sources = new ButtonBuilder()
      .setCustomId("sources:1")
      .setLabel("Sources")
      .setStyle(ButtonStyle.Primary);
    await interaction.reply({
      embeds: [new EmbedBuilder().setTitle("Answer").setDescription(`You asked: ${question}`)],
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(sources)],
    });
  } else if (interaction.isChatInputCommand() && interaction.commandName === "slow") {
    await interaction.deferReply({ withResponse: true });
    await interaction.editReply({ content: "Done thinking." });
    await interaction.followUp({ content: "Only you can see this.", flags: MessageFlags.Ephemeral });
  } else if (interaction.isAutocomplete()) {
    const typed = interaction.options.getFocused();
    const companies = ["Acme", "Acme Analytics", "StreamCo"].filter((c) => c.toLowerCase().startsWith(typed));
    await interaction.respond(companies.map((name) => ({ name, value: name })));
  } else if (interaction.isButton()) {
    await interaction.update({ content: "Sources: receipts.example", components: [] });
  }
}

async function onMessage(message: Message): Promise<void> {
  if (message.author.bot) return;
  if (message.channel.type === ChannelType.DM) {
    await message.channel.send(`DM received: ${message.content}`);
  } else if (client.user && message.mentions.has(client.user)) {
    await message.reply({ content: `Hello <@${message.author.id}>`, allowedMentions: { parse: [] } });
  }
}

function callbackOf(interactionId: string) {
  return (c: StandInCall) => c.method === "POST" && c.path.startsWith(`/interactions/${interactionId}/`);
}

async function rejection(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

beforeAll(async () => {
  discord = await startDiscordStandIn({ heartbeatIntervalMs: 200 });
  client = new Client({
    intents,
    partials: [Partials.Channel],
    rest: { api: discord.apiRoot },
    // The default throttler waits 5 s between identifies; the re-identify test would stall on it.
    ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) },
  });
  client.on(Events.InteractionCreate, (i) => void onInteraction(i).catch((e) => handlerErrors.push(e)));
  client.on(Events.MessageCreate, (m) => void onMessage(m).catch((e) => handlerErrors.push(e)));
  const ready = once(client, Events.ClientReady);
  await client.login(discord.token);
  await ready;
});

afterAll(async () => {
  await client?.destroy();
  await discord?.close();
  expect(handlerErrors).toEqual([]);
});

describe("Discord stand-in with the real discord.js Client", () => {
  it("logs in over the gateway with the requested intents and a usable guild", async () => {
    expect(discord.identifyCount).toBe(1);
    expect(discord.identifies[0]?.intents).toBe(intents.reduce((all, bit) => all | bit, 0));
    expect(client.user?.id).toBe(discord.botUser.id);
    expect(client.application?.id).toBe(discord.applicationId);
    const guild = client.guilds.cache.get(discord.ids.guild);
    const me = guild?.members.me;
    expect(me).toBeDefined();
    const general = guild?.channels.cache.get(discord.ids.channel);
    const readOnly = guild?.channels.cache.get(discord.channelByName("read-only").id);
    expect(general && me?.permissionsIn(general).has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(readOnly && me?.permissionsIn(readOnly).has(PermissionFlagsBits.SendMessages)).toBe(false);
    expect(discord.calls.some((c) => c.path === "/gateway/bot")).toBe(true);
  });

  it("acknowledges heartbeats", async () => {
    await discord.waitUntil(() => discord.received.filter((p) => p.op === 1).length >= 2);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it("registers guild commands with PUT and hands back ids", async () => {
    const ask = new SlashCommandBuilder()
      .setName("ask")
      .setDescription("Ask about a data-sharing deal")
      .addStringOption((o) => o.setName("question").setDescription("Your question").setRequired(true))
      .addStringOption((o) => o.setName("company").setDescription("Company").setAutocomplete(true));
    const slow = new SlashCommandBuilder().setName("slow").setDescription("Takes its time");
    const registered = await client.application?.commands.set([ask, slow], discord.ids.guild);
    const put = await discord.waitForCall((c) => c.method === "PUT");
    expect(put.path).toBe(`/applications/${discord.applicationId}/guilds/${discord.ids.guild}/commands`);
    expect((put.body as { name: string }[]).map((c) => c.name)).toEqual(["ask", "slow"]);
    const stored = discord.commands(discord.ids.guild);
    expect(stored.map((c) => c.name)).toEqual(["ask", "slow"]);
    expect([...(registered?.keys() ?? [])]).toEqual(stored.map((c) => c.id));
  });

  it("keeps valid localizations and refuses an unknown locale or a bad localized name, as Discord does", async () => {
    const route = `/applications/${discord.applicationId}/guilds/${discord.ids.guild}/commands` as const;
    const good = {
      name: "deals",
      description: "Every deal",
      name_localizations: { de: "deals", "pt-BR": "casos" },
      description_localizations: { de: "Alle Deals", "es-419": "Todos los casos" },
    };
    await client.rest.put(route, { body: [good] });
    expect(discord.commands(discord.ids.guild)[0]).toMatchObject(good);
    const badLocale = { ...good, description_localizations: { german: "Alle Deals" } };
    expect((await rejection(client.rest.put(route, { body: [badLocale] }))).status).toBe(400);
    const badName = { ...good, name_localizations: { de: "Alle Deals" } };
    expect((await rejection(client.rest.put(route, { body: [badName] }))).status).toBe(400);
  });

  it("delivers a slash command and records the embed reply; a second ack is refused", async () => {
    const payload = discord.interactionCreate({
      kind: "command",
      commandName: "ask",
      options: { question: "Who shares data with Acme?" },
    });
    discord.dispatch("INTERACTION_CREATE", payload);
    const callback = await discord.waitForCall(callbackOf(String(payload.id)));
    expect(callback.status).toBe(204);
    expect(callback.headers.authorization).toBeUndefined();
    const body = callback.body as {
      type: number;
      data: { embeds: { title: string; description: string }[] };
    };
    expect(body.type).toBe(4);
    expect(body.data.embeds[0]).toMatchObject({
      title: "Answer",
      description: "You asked: Who shares data with Acme?",
    });
    expect(discord.messages(discord.ids.channel).at(-1)?.embeds[0]?.title).toBe("Answer");

    const again = client.rest.post(Routes.interactionCallback(String(payload.id), String(payload.token)), {
      body: { type: 4, data: { content: "twice" } },
      auth: false,
    });
    expect((await rejection(again)).code).toBe(40060);
    const unknown = client.rest.post(Routes.interactionCallback(String(payload.id), "not-the-token"), {
      body: { type: 4, data: { content: "?" } },
      auth: false,
    });
    expect((await rejection(unknown)).code).toBe(10062);
  });

  it("follows a deferred reply through @original and a follow-up", async () => {
    const payload = discord.interactionCreate({ kind: "command", commandName: "slow" });
    discord.dispatch("INTERACTION_CREATE", payload);
    const token = String(payload.token);
    await discord.waitForCall(
      (c) => c.method === "POST" && c.path === `/webhooks/${discord.applicationId}/${token}`,
    );
    const calls = discord.interactionResponses(String(payload.id));
    expect(calls.map((c) => `${c.method} ${c.path.replace(token, "TOKEN")} ${c.status}`)).toEqual([
      `POST /interactions/${payload.id}/TOKEN/callback 200`,
      `PATCH /webhooks/${discord.applicationId}/TOKEN/messages/@original 200`,
      `POST /webhooks/${discord.applicationId}/TOKEN 200`,
    ]);
    expect(calls[0]?.body).toMatchObject({ type: 5 });
    expect(calls[0]?.response).toMatchObject({
      interaction: { id: payload.id, response_message_loading: true },
      resource: { type: 5, message: { flags: 128 } },
    });
    expect(calls[1]?.response).toMatchObject({ content: "Done thinking.", flags: 0 });
    expect(calls[2]?.response).toMatchObject({ content: "Only you can see this.", flags: 64 });
  });

  it("answers autocomplete with choices", async () => {
    const payload = discord.interactionCreate({
      kind: "autocomplete",
      commandName: "ask",
      options: { question: "", company: "acme" },
      focused: "company",
    });
    discord.dispatch("INTERACTION_CREATE", payload);
    const callback = await discord.waitForCall(callbackOf(String(payload.id)));
    expect(callback.body).toEqual({
      type: 8,
      data: {
        choices: [
          { name: "Acme", value: "Acme" },
          { name: "Acme Analytics", value: "Acme Analytics" },
        ],
      },
    });
  });

  it("updates the message a button sits on", async () => {
    const withButton = discord.messages(discord.ids.channel).find((m) => m.embeds[0]?.title === "Answer");
    const payload = discord.interactionCreate({ kind: "button", customId: "sources:1" });
    expect((payload.message as { id: string }).id).toBe(withButton?.id);
    discord.dispatch("INTERACTION_CREATE", payload);
    const callback = await discord.waitForCall(callbackOf(String(payload.id)));
    expect((callback.body as { type: number }).type).toBe(7);
    expect(discord.message(withButton?.id ?? "")).toMatchObject({
      content: "Sources: receipts.example",
      components: [],
    });
  });

  it("replies to a mention without pinging anyone", async () => {
    const mention = discord.messageCreate({ content: `<@${discord.botUser.id}> what deals does Acme have?` });
    discord.dispatch("MESSAGE_CREATE", mention);
    const call = await discord.waitForCall(
      (c) => c.method === "POST" && c.path === `/channels/${discord.ids.channel}/messages`,
    );
    expect(call.body).toMatchObject({
      content: `Hello <@${discord.users.alice.id}>`,
      allowed_mentions: { parse: [] },
      message_reference: { message_id: mention.id },
    });
    expect(call.response).toMatchObject({ type: 19, mentions: [] });
  });

  it("delivers a DM to a client with the Channel partial", async () => {
    const dm = discord.messageCreate({ content: "hello in private", dm: true });
    discord.dispatch("MESSAGE_CREATE", dm);
    const call = await discord.waitForCall(
      (c) => c.method === "POST" && c.path === `/channels/${dm.channel_id}/messages`,
    );
    expect(call.body).toMatchObject({ content: "DM received: hello in private" });
    const command = discord.interactionCreate({
      kind: "command",
      commandName: "ask",
      dm: true,
      options: { question: "dm?" },
    });
    discord.dispatch("INTERACTION_CREATE", command);
    const callback = await discord.waitForCall(callbackOf(String(command.id)));
    expect([callback.status, (callback.body as { type: number }).type]).toEqual([204, 4]);
  });

  it("forgets an interaction that is not acknowledged in time", async () => {
    discord.settings.callbackDeadlineMs = 0; // instead of Discord's 3 s
    try {
      const payload = discord.interactionCreate({ kind: "command", commandName: "unhandled" });
      discord.dispatch("INTERACTION_CREATE", payload);
      const late = client.rest.post(Routes.interactionCallback(String(payload.id), String(payload.token)), {
        body: { type: 5 },
        auth: false,
      });
      expect((await rejection(late)).code).toBe(10062);
    } finally {
      discord.settings.callbackDeadlineMs = 3_000;
    }
  });

  it("rejects messages over Discord's limits with its form errors", async () => {
    const channel = (await client.channels.fetch(discord.ids.channel)) as TextChannel;
    const long = await rejection(channel.send("x".repeat(2001)));
    expect(long.status).toBe(400);
    expect(long.code).toBe(50035);
    expect(long.rawError).toMatchObject({
      errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } },
    });
    const embed = new EmbedBuilder().setDescription("d".repeat(4096)).setTitle("t");
    const tooMuch = await rejection(channel.send({ embeds: [embed, embed] }));
    expect(tooMuch.rawError).toMatchObject({
      errors: { embeds: { _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED" }] } },
    });
  });

  it("waits out a 429 and retries", async () => {
    const channel = (await client.channels.fetch(discord.ids.channel)) as TextChannel;
    const path = `/channels/${discord.ids.channel}/messages`;
    discord.rateLimitNext({ method: "POST", path, retryAfter: 0.3 });
    const limited = once(client.rest, RESTEvents.RateLimited);
    const started = Date.now();
    const sent = await channel.send("after the rate limit");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(sent.content).toBe("after the rate limit");
    await limited;
    const statuses = discord.calls.filter((c) => c.method === "POST" && c.path === path).map((c) => c.status);
    expect(statuses.slice(-2)).toEqual([429, 200]);
  });

  it("surfaces 403 Missing Permissions as DiscordAPIError 50013", async () => {
    const channel = (await client.channels.fetch(discord.ids.channel)) as TextChannel;
    const path = `/channels/${discord.ids.channel}/messages`;
    discord.failNext({
      method: "POST",
      path,
      status: 403,
      body: { code: 50013, message: "Missing Permissions" },
    });
    const injected = await rejection(channel.send("nope"));
    expect([injected.status, injected.code]).toEqual([403, 50013]);
    // Without injection too: the bot's role may not send in #read-only.
    const readOnly = (await client.channels.fetch(discord.channelByName("read-only").id)) as TextChannel;
    expect((await rejection(readOnly.send("nope"))).code).toBe(50013);
  });

  it("resumes after a disconnect and replays what it missed", async () => {
    discord.disconnectAll(); // 4000: resumable
    // Dispatched while the socket is down: kept in the session and replayed on RESUME.
    const payload = discord.interactionCreate({
      kind: "command",
      commandName: "ask",
      options: { question: "still there?" },
    });
    discord.dispatch("INTERACTION_CREATE", payload);
    await discord.waitForCall(callbackOf(String(payload.id)));
    expect(discord.resumeCount).toBe(1);
    expect(discord.identifyCount).toBe(1);
  });

  it("identifies again after a non-resumable close and still handles interactions", async () => {
    const shardReady = once(client, Events.ShardReady);
    discord.disconnectAll(1000);
    await discord.waitUntil(() => discord.identifyCount === 2);
    await shardReady;
    const payload = discord.interactionCreate({
      kind: "command",
      commandName: "ask",
      options: { question: "again?" },
    });
    discord.dispatch("INTERACTION_CREATE", payload);
    const callback = await discord.waitForCall(callbackOf(String(payload.id)));
    expect((callback.body as { type: number }).type).toBe(4);
  });
});
