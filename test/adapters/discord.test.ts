/**
 * The Discord adapter end to end: the real discord.js Client against the local Discord stand-in, with
 * the bot built from the real knowledge base. Every wait is on a stand-in call or condition, never a sleep.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Events, GatewayIntentBits } from "discord.js";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import {
  createDiscordAdapter,
  type DiscordAdapter,
  sameCommands,
  slashCommands,
} from "../../src/adapters/discord/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot, type CommandExtension } from "../../src/bot/bot.js";
import { infoReply } from "../../src/bot/replies.js";
import type { Reply, Request } from "../../src/bot/types.js";
import { createLogger } from "../../src/log.js";
import type { Language } from "../../src/search/languages/index.js";
import {
  type DiscordStandIn,
  type Json,
  type StandInCall,
  startDiscordStandIn,
} from "../fakes/discord-api.js";
import { knowledgeFrom } from "../support/knowledge.js";

/** Long enough for src/config.ts's check (/^[A-Za-z0-9_.-]{50,}$/). */
const TOKEN = `receipts-test.${randomBytes(24).toString("hex")}`;
const QUESTION = "did facebook give netflix access to private messages?";
const EPHEMERAL = 64;
/** The identify throttler waits 5 s between identifies; the reconnect tests would stall on it. */
const fastIdentify = { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } };

interface Embed {
  title?: string;
  description?: string;
  footer?: { text: string };
}
interface Button {
  type: number;
  custom_id?: string;
  label?: string;
}
interface MessageData {
  content?: string;
  embeds?: Embed[];
  components?: { type: number; components: Button[] }[];
  allowed_mentions?: { parse?: string[]; replied_user?: boolean };
  flags?: number;
  message_reference?: { message_id?: string };
}
interface Callback {
  type: number;
  data?: MessageData & { choices?: { name: string; value: string }[] };
}

/** A command a later module (subscriptions) would add: generic mapping and extension autocomplete. */
const subscribe: CommandExtension = {
  name: "subscribe",
  usage: "/subscribe [topic]",
  description: "Be told when the knowledge base learns something new",
  handle: (_request, args) => infoReply("Subscribed", [`You will hear about ${args || "every deal"}.`]),
  suggest: (prefix) =>
    ["all", "netflix-facebook", "netflix-prize"]
      .filter((topic) => topic.startsWith(prefix))
      .map((topic) => ({ label: topic === "all" ? "Every deal" : topic, value: topic })),
};

let discord: DiscordStandIn;
let bot: Bot;
let knowledge: KnowledgeHolder;
let adapter: DiscordAdapter;
const logLines: string[] = [];

function logger() {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return createLogger({ level: "debug", destination });
}

const logs = () => logLines.map((line) => JSON.parse(line) as Json);

function callbackOf(id: unknown) {
  return (c: StandInCall) => c.method === "POST" && c.path.startsWith(`/interactions/${String(id)}/`);
}

function channelPost(channelId: string, after = 0) {
  return (c: StandInCall) =>
    c.index >= after && c.method === "POST" && c.path === `/channels/${channelId}/messages`;
}

/** Dispatches an interaction and waits for its callback. */
async function interact(spec: Parameters<DiscordStandIn["interactionCreate"]>[0]) {
  const payload = discord.interactionCreate(spec);
  const dispatched = Date.now();
  discord.dispatch("INTERACTION_CREATE", payload);
  const call = await discord.waitForCall(callbackOf(payload.id));
  return { payload, call, body: call.body as Callback, ms: Date.now() - dispatched };
}

function ask(question: string, extra: Partial<{ dm: boolean; channelId: string }> = {}) {
  return interact({ kind: "command", commandName: "ask", options: { question }, ...extra });
}

function customIds(data: MessageData | undefined): string[] {
  return (data?.components ?? []).flatMap((row) => row.components.map((b) => b.custom_id ?? ""));
}

/** The requests the bot was asked to handle, from a spy on bot.handle. */
function handled(spy: { mock: { calls: unknown[][] } }): Request[] {
  return spy.mock.calls.map((args) => args[0] as Request);
}

beforeAll(async () => {
  knowledge = new KnowledgeHolder(await knowledgeFrom());
  bot = new Bot(knowledge, { flood: null, extensions: [subscribe] });
  discord = await startDiscordStandIn({ token: TOKEN });
  adapter = createDiscordAdapter({
    bot,
    token: TOKEN,
    apiRoot: discord.apiRoot,
    guildId: discord.ids.guild,
    log: logger(),
    deferAfterMs: 400,
    clientOptions: fastIdentify,
  });
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await discord?.close();
});

describe("Discord adapter", () => {
  it("is ready: logged in with only the intents it needs", () => {
    expect(adapter.platform).toBe("discord");
    expect(adapter.client.isReady()).toBe(true);
    expect(adapter.client.user?.id).toBe(discord.botUser.id);
    const intents = discord.identifies[0]?.intents as number;
    const expected =
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages;
    expect(intents).toBe(expected);
    expect(intents & GatewayIntentBits.MessageContent).toBe(0); // privileged, and not needed
    expect(logs().some((l) => l.msg === "discord: ready" && l.platform === "discord")).toBe(true);
  });

  it("registers slash commands from the bot's commands in the development guild", async () => {
    const route = `/applications/${discord.applicationId}/guilds/${discord.ids.guild}/commands`;
    const calls = discord.calls.filter((c) => c.path === route);
    expect(calls.map((c) => c.method)).toEqual(["GET", "PUT"]);
    const stored = discord.commands(discord.ids.guild);
    expect(stored.map((c) => c.name)).toEqual([
      "ask",
      "help",
      "deals",
      "deal",
      "sources",
      "timeline",
      "language",
      "subscribe",
    ]);
    const byName = Object.fromEntries(stored.map((c) => [c.name, c.options]));
    // Names and descriptions in each language's Discord locales.
    const deals = stored.find((c) => c.name === "deals") as Record<string, Record<string, string>>;
    expect(deals.description_localizations).toMatchObject({
      de: "Alle Deals, die ich kenne",
      "es-ES": expect.any(String),
      "es-419": expect.any(String),
      "pt-BR": expect.any(String),
      fr: expect.any(String),
      it: expect.any(String),
    });
    const sources = stored.find((c) => c.name === "sources") as Record<string, Record<string, string>>;
    expect(sources.name_localizations?.de).toBe("quellen");
    expect(byName.ask).toEqual([
      expect.objectContaining({ type: 3, name: "question", required: true, autocomplete: true }),
    ]);
    expect(byName.deal).toEqual([
      expect.objectContaining({ name: "name", required: true, autocomplete: true }),
    ]);
    expect(byName.sources).toEqual([expect.objectContaining({ name: "deal", required: true })]);
    expect(byName.timeline).toEqual([expect.objectContaining({ name: "deal", required: true })]);
    expect(byName.subscribe).toEqual([
      expect.objectContaining({ name: "topic", required: false, autocomplete: true }),
    ]);
    expect(byName.help).toEqual([]);
    expect(stored.every((c) => String(c.description).length <= 100)).toBe(true);
  });

  it("does not register again when nothing changed, and does when something did", async () => {
    const route = `/applications/${discord.applicationId}/guilds/${discord.ids.guild}/commands`;
    const again = createDiscordAdapter({
      bot,
      token: TOKEN,
      apiRoot: discord.apiRoot,
      guildId: discord.ids.guild,
      clientOptions: fastIdentify,
    });
    await again.start();
    await again.stop();
    expect(discord.calls.filter((c) => c.path === route).map((c) => c.method)).toEqual(["GET", "PUT", "GET"]);

    // Globally (no DISCORD_GUILD_ID): the first start registers, the second finds them unchanged.
    const global = `/applications/${discord.applicationId}/commands`;
    const plain = new Bot(knowledge, { flood: null });
    for (let i = 0; i < 2; i++) {
      const other = createDiscordAdapter({
        bot: plain,
        token: TOKEN,
        apiRoot: discord.apiRoot,
        clientOptions: fastIdentify,
      });
      await other.start();
      await other.stop();
    }
    expect(discord.calls.filter((c) => c.path === global).map((c) => c.method)).toEqual([
      "GET",
      "PUT",
      "GET",
    ]);
    expect(discord.commands().map((c) => c.name)).toEqual([
      "ask",
      "help",
      "deals",
      "deal",
      "sources",
      "timeline",
      "language",
    ]);
    // What Discord hands back (ids, versions, defaults) still compares equal to what was sent.
    const localized = (bot: Bot) => (language: Language) => bot.commandsIn(language);
    expect(sameCommands(discord.commands(), slashCommands(plain.commands, undefined, localized(plain)))).toBe(
      true,
    );
    expect(sameCommands(discord.commands(), slashCommands(plain.commands))).toBe(false);
    expect(sameCommands(discord.commands(), slashCommands(bot.commands, undefined, localized(bot)))).toBe(
      false,
    );
  });

  it("answers /ask with an embed: title, [n] marks, numbered sources with links, footer, buttons", async () => {
    const spy = vi.spyOn(bot, "handle");
    try {
      const { call, body, ms } = await ask(QUESTION);
      expect(call.status).toBe(204);
      expect(ms).toBeLessThan(3_000);
      expect(body.type).toBe(4);
      const data = body.data as MessageData;
      expect(data.flags ?? 0).toBe(0);
      expect(data.allowed_mentions).toEqual({ parse: [], replied_user: false });
      const embed = data.embeds?.[0];
      expect(embed?.title).toMatch(/Netflix–Facebook inbox API/);
      expect(embed?.description).toMatch(/\[1\]/);
      expect(embed?.description).toMatch(/\*\*Sources\*\*\n\[1\] \[[^\]]+\]\(<https?:\/\/[^>]+>\)/);
      expect(embed?.footer?.text).toMatch(/Alleged/);
      expect(customIds(data)).toEqual([
        "src:netflix-facebook",
        "deal:netflix-facebook",
        "rel:netflix-facebook",
      ]);
      expect(customIds(data).every((id) => id.length <= 100)).toBe(true);

      const [request] = handled(spy);
      expect(request).toEqual({
        chat: { platform: "discord", id: discord.ids.channel, kind: "group" },
        user: { id: discord.users.alice.id, name: "alice", canManageChat: false },
        input: { kind: "text", text: QUESTION },
        // The user's Discord locale: replies are framed in it when it is one of our languages.
        locale: "en-US",
      });
    } finally {
      spy.mockRestore();
    }
  });

  it("pings nobody when a question contains @everyone", async () => {
    const { body, call } = await ask(`@everyone <@${discord.users.owner.id}> ${QUESTION}`);
    expect(body.data?.allowed_mentions?.parse).toEqual([]);
    expect(call.status).toBe(204);
    const sent = discord.messages(discord.ids.channel).at(-1);
    expect(sent?.mentions).toEqual([]);
    expect(sent?.mention_everyone).toBe(false);
  });

  it("answers an unknown question with the I-don't-know embed", async () => {
    const { body } = await ask("what is the airspeed velocity of an unladen swallow?");
    expect(body.type).toBe(4);
    expect(body.data?.embeds?.[0]?.description).toMatch(/I don't know that/);
    expect(body.data?.flags ?? 0).toBe(0);
  });

  it("maps /deal, /deals, /sources and extension commands; /help is ephemeral", async () => {
    const spy = vi.spyOn(bot, "handle");
    try {
      const deal = await interact({
        kind: "command",
        commandName: "deal",
        options: { name: "netflix-prize" },
      });
      expect(deal.body.data?.embeds?.[0]?.title).toMatch(/Netflix Prize/);
      const deals = await interact({ kind: "command", commandName: "deals" });
      expect(deals.body.data?.embeds?.[0]?.title).toMatch(/^\d+ deals$/);
      const sources = await interact({
        kind: "command",
        commandName: "sources",
        options: { deal: "netflix-prize" },
      });
      expect(sources.body.data?.embeds?.[0]?.title).toMatch(/^Sources: /);
      expect(sources.body.data?.embeds?.[0]?.description).toMatch(/\[1\] \[/);
      const sub = await interact({
        kind: "command",
        commandName: "subscribe",
        options: { topic: "netflix-prize" },
        user: discord.users.owner,
      });
      expect(sub.body.data?.embeds?.[0]?.title).toBe("Subscribed");
      const help = await interact({ kind: "command", commandName: "help" });
      expect(help.body.data?.flags).toBe(EPHEMERAL);
      expect(help.body.data?.embeds?.[0]?.title).toBe("Receipts");

      expect(handled(spy).map((r) => r.input)).toEqual([
        { kind: "command", name: "deal", args: "netflix-prize" },
        { kind: "command", name: "deals", args: "" },
        { kind: "command", name: "sources", args: "netflix-prize" },
        { kind: "command", name: "subscribe", args: "netflix-prize" },
        { kind: "command", name: "help", args: "" },
      ]);
      // The guild owner may manage the channel; alice may not.
      expect(handled(spy)[3]?.user.canManageChat).toBe(true);
      expect(handled(spy)[4]?.user.canManageChat).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });

  it("keeps errors ephemeral: a missing argument and an unknown deal", async () => {
    const noDeal = await interact({
      kind: "command",
      commandName: "deal",
      options: { name: "no such deal at all zzz" },
    });
    expect(noDeal.body.data?.flags).toBe(EPHEMERAL);
    expect(noDeal.body.data?.embeds?.[0]?.title).toBe("No such deal");
    const stale = await interact({ kind: "command", commandName: "gone-command" });
    expect(stale.body.data?.flags).toBe(EPHEMERAL);
    expect(stale.body.data?.embeds?.[0]?.title).toBe("Unknown command");
  });

  it("autocompletes questions, deals and extension arguments: at most 25, within 3 s", async () => {
    const empty = await interact({
      kind: "autocomplete",
      commandName: "ask",
      options: { question: "" },
      focused: "question",
    });
    expect(empty.call.status).toBe(204);
    expect(empty.ms).toBeLessThan(3_000);
    expect(empty.body.type).toBe(8);
    const choices = empty.body.data?.choices ?? [];
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    expect(choices.every((c) => c.name.length <= 100 && c.value.length <= 100 && c.name.length > 0)).toBe(
      true,
    );

    const typed = await interact({
      kind: "autocomplete",
      commandName: "ask",
      options: { question: "netflix" },
      focused: "question",
    });
    expect(typed.body.data?.choices?.length).toBeLessThanOrEqual(25);
    expect(typed.body.data?.choices?.some((c) => /netflix/i.test(c.name))).toBe(true);

    const deal = await interact({
      kind: "autocomplete",
      commandName: "deal",
      options: { name: "netflix pri" },
      focused: "name",
    });
    expect(deal.body.data?.choices?.map((c) => c.value)).toContain("netflix-prize");
    const sources = await interact({
      kind: "autocomplete",
      commandName: "sources",
      options: { deal: "cambridge" },
      focused: "deal",
    });
    expect(sources.body.data?.choices?.map((c) => c.value)).toContain("cambridge-analytica");

    const topic = await interact({
      kind: "autocomplete",
      commandName: "subscribe",
      options: { topic: "netflix" },
      focused: "topic",
    });
    expect(topic.body.data?.choices).toEqual([
      { name: "netflix-facebook", value: "netflix-facebook" },
      { name: "netflix-prize", value: "netflix-prize" },
    ]);
  });

  it("answers each button ephemerally, and updates an ephemeral message in place", async () => {
    const answer = await ask("what was the netflix prize?");
    const ids = customIds(answer.body.data);
    expect(ids).toEqual(["src:netflix-prize", "deal:netflix-prize", "rel:netflix-prize"]);

    const answerMessage = discord
      .messages(discord.ids.channel)
      .reverse()
      .find((m) => customIds(m as MessageData).includes("src:netflix-prize"));
    expect(answerMessage?.flags).toBe(0);
    const pressed: Record<string, Callback> = {};
    for (const customId of ids) {
      const { body, payload } = await interact({
        kind: "button",
        customId,
        messageId: answerMessage?.id ?? "",
      });
      expect((payload.message as { embeds: Embed[] }).embeds[0]?.title).toMatch(/Netflix Prize/);
      pressed[customId] = body;
      expect(body.type).toBe(4);
      expect(body.data?.flags).toBe(EPHEMERAL);
      expect(body.data?.allowed_mentions?.parse).toEqual([]);
    }
    expect(pressed["src:netflix-prize"]?.data?.embeds?.[0]?.title).toMatch(/^Sources: /);
    expect(pressed["deal:netflix-prize"]?.data?.embeds?.[0]?.description).toMatch(/Timeline/);
    expect(pressed["rel:netflix-prize"]?.data?.embeds?.[0]?.title).toMatch(/^Related to: /);
    // The answer everyone sees is untouched.
    const original = discord
      .messages(discord.ids.channel)
      .find((m) => customIds(m as MessageData).includes("src:netflix-prize"));
    expect(original?.embeds[0]?.title).toMatch(/Netflix Prize/);

    // "More on this deal" on the ephemeral Sources reply: that private message is updated in place.
    const sourcesMessage = discord
      .messages(discord.ids.channel)
      .reverse()
      .find((m) => m.flags & EPHEMERAL && m.embeds[0]?.title?.startsWith("Sources: "));
    expect(sourcesMessage).toBeDefined();
    const more = await interact({
      kind: "button",
      customId: "deal:netflix-prize",
      messageId: sourcesMessage?.id ?? "",
    });
    expect(more.body.type).toBe(7);
    expect(discord.message(sourcesMessage?.id ?? "")?.embeds[0]?.description).toMatch(/Timeline/);

    const expired = await interact({ kind: "button", customId: "src:no-such-deal" });
    expect(expired.body.data?.flags).toBe(EPHEMERAL);
    expect(expired.body.data?.embeds?.[0]?.title).toBe("That button has expired");
  });

  it("answers a mention as a reply, with the mention stripped, pinging nobody", async () => {
    const spy = vi.spyOn(bot, "handle");
    try {
      const start = discord.calls.length;
      const ignored = discord.messageCreate({ content: "just chatting about netflix, not to the bot" });
      discord.dispatch("MESSAGE_CREATE", ignored);
      const mention = discord.messageCreate({
        content: `<@${discord.botUser.id}>   what was the netflix prize? @everyone`,
      });
      discord.dispatch("MESSAGE_CREATE", mention);
      const call = await discord.waitForCall(channelPost(discord.ids.channel, start));
      const body = call.body as MessageData;
      expect(body.message_reference?.message_id).toBe(mention.id);
      expect(body.allowed_mentions).toEqual({ parse: [], replied_user: false });
      expect(body.embeds?.[0]?.title).toMatch(/Netflix Prize/);
      expect(call.response).toMatchObject({ type: 19, mentions: [], mention_everyone: false });
      expect(handled(spy).map((r) => r.input)).toEqual([
        { kind: "text", text: "what was the netflix prize? @everyone" },
      ]);
      expect(discord.calls.filter(channelPost(discord.ids.channel, start))).toHaveLength(1);

      // A reply to the bot with the ping on (no mention in the text) is a follow-up; a typed command is a command.
      const next = discord.calls.length;
      const followUp = discord.messageCreate({ content: "/deal netflix-prize", mentions: [discord.botUser] });
      discord.dispatch("MESSAGE_CREATE", followUp);
      const reply = await discord.waitForCall(channelPost(discord.ids.channel, next));
      expect((reply.body as MessageData).embeds?.[0]?.title).toMatch(/Netflix Prize/);
      expect(handled(spy)[1]?.input).toEqual({ kind: "command", name: "deal", args: "netflix-prize" });
    } finally {
      spy.mockRestore();
    }
  });

  it("answers a DM, and a slash command in a DM", async () => {
    const spy = vi.spyOn(bot, "handle");
    try {
      const dm = discord.messageCreate({ content: "/deals", dm: true });
      discord.dispatch("MESSAGE_CREATE", dm);
      const call = await discord.waitForCall(channelPost(dm.channel_id));
      expect((call.body as MessageData).embeds?.[0]?.title).toMatch(/^\d+ deals$/);
      expect((call.body as MessageData).allowed_mentions?.parse).toEqual([]);

      const slash = await ask("what was the netflix prize?", { dm: true });
      expect(slash.body.data?.embeds?.[0]?.title).toMatch(/Netflix Prize/);
      const requests = handled(spy);
      expect(requests.map((r) => [r.chat.kind, r.chat.id, r.user.canManageChat])).toEqual([
        ["private", dm.channel_id, true],
        ["private", dm.channel_id, true],
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it("explains a 403 Missing Permissions to the asker in a DM", async () => {
    const start = discord.calls.length;
    discord.failNext({
      method: "POST",
      path: `/channels/${discord.ids.channel}/messages`,
      status: 403,
      body: { code: 50013, message: "Missing Permissions" },
    });
    discord.dispatch(
      "MESSAGE_CREATE",
      discord.messageCreate({ content: `<@${discord.botUser.id}> what was the netflix prize?` }),
    );
    const dmChannel = discord.dmChannelFor(discord.users.alice).id;
    const notice = await discord.waitForCall(channelPost(dmChannel, start));
    expect(discord.calls.filter(channelPost(discord.ids.channel, start)).map((c) => c.status)).toEqual([403]);
    expect((notice.body as MessageData).embeds?.[0]?.title).toBe("I can't answer there");
    expect((notice.body as MessageData).embeds?.[0]?.description).toMatch(/#general/);

    // In #read-only the bot knows beforehand that it may not send: no 403 at all, just the DM.
    const readOnly = discord.channelByName("read-only").id;
    const next = discord.calls.length;
    discord.dispatch(
      "MESSAGE_CREATE",
      discord.messageCreate({ content: `<@${discord.botUser.id}> hello?`, channelId: readOnly }),
    );
    const second = await discord.waitForCall(channelPost(dmChannel, next));
    expect((second.body as MessageData).embeds?.[0]?.description).toMatch(/Send Messages/);
    expect(discord.calls.filter(channelPost(readOnly, next))).toEqual([]);
    expect(adapter.client.isReady()).toBe(true);
  });

  it("waits out a 429 and still replies", async () => {
    const start = discord.calls.length;
    discord.rateLimitNext({
      method: "POST",
      path: `/channels/${discord.ids.channel}/messages`,
      retryAfter: 0.2,
    });
    discord.dispatch("MESSAGE_CREATE", discord.messageCreate({ content: `<@${discord.botUser.id}> /deals` }));
    await discord.waitForCall((c) => channelPost(discord.ids.channel, start)(c) && c.status === 200);
    expect(discord.calls.filter(channelPost(discord.ids.channel, start)).map((c) => c.status)).toEqual([
      429, 200,
    ]);
    expect(logs().some((l) => l.msg === "discord: rate limited; waiting")).toBe(true);
  });

  it("acknowledges an interaction once, even if it arrives twice", async () => {
    const payload = discord.interactionCreate({ kind: "command", commandName: "deals" });
    discord.dispatch("INTERACTION_CREATE", payload);
    discord.dispatch("INTERACTION_CREATE", payload);
    await discord.waitForCall(callbackOf(payload.id));
    await ask("what was the netflix prize?"); // handled after the duplicate was seen
    expect(discord.calls.filter(callbackOf(payload.id))).toHaveLength(1);
    expect(logs().some((l) => l.msg === "discord: duplicate interaction ignored")).toBe(true);
  });

  it("turns an error inside the bot into an ephemeral error reply and keeps working", async () => {
    const spy = vi.spyOn(bot, "handle").mockRejectedValueOnce(new Error("kaboom"));
    try {
      const failed = await ask(QUESTION);
      expect(failed.body.type).toBe(4);
      expect(failed.body.data?.flags).toBe(EPHEMERAL);
      expect(failed.body.data?.embeds?.[0]?.title).toBe("Sorry, something went wrong");
      const next = await ask("what was the netflix prize?");
      expect(next.body.data?.embeds?.[0]?.title).toMatch(/Netflix Prize/);
      expect(logs().some((l) => l.msg === "discord: the bot failed to answer")).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it("defers a slow answer and then edits it in; a slow error becomes an ephemeral follow-up", async () => {
    const handle = bot.handle.bind(bot);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const spy = vi.spyOn(bot, "handle").mockImplementationOnce(async (request) => {
      await gate;
      return handle(request);
    });
    try {
      const { payload, body } = await ask("what was the netflix prize?");
      expect(body.type).toBe(5);
      expect(body.data?.flags ?? 0).toBe(0);
      release();
      const token = String(payload.token);
      const edit = await discord.waitForCall((c) => c.method === "PATCH" && c.path.includes(token));
      expect(edit.status).toBe(200);
      expect((edit.body as MessageData).embeds?.[0]?.title).toMatch(/Netflix Prize/);

      let fail: (error: Error) => void = () => {};
      const failing = new Promise<Reply>((_, reject) => {
        fail = reject;
      });
      spy.mockImplementationOnce(() => failing);
      const slowError = await ask(QUESTION);
      expect(slowError.body.type).toBe(5);
      fail(new Error("slow kaboom"));
      const slowToken = String(slowError.payload.token);
      const followUp = await discord.waitForCall(
        (c) => c.method === "POST" && c.path === `/webhooks/${discord.applicationId}/${slowToken}`,
      );
      const calls = discord.interactionResponses(String(slowError.payload.id));
      expect(calls.map((c) => `${c.method} ${c.status}`)).toEqual(["POST 204", "DELETE 204", "POST 200"]);
      expect((followUp.body as MessageData).flags).toBe(EPHEMERAL);
      expect((followUp.body as MessageData).embeds?.[0]?.title).toBe("Sorry, something went wrong");
    } finally {
      spy.mockRestore();
    }
  });

  it("delivers a notification once per key, even when it is sent again", async () => {
    const reply: Reply = infoReply("New: a deal", ["Sent once."]);
    const before = discord.messages(discord.ids.channel).length;
    expect(await adapter.deliver(discord.ids.channel, reply, { key: "outbox-42" })).toEqual({
      status: "sent",
    });
    expect(await adapter.deliver(discord.ids.channel, reply, { key: "outbox-42" })).toEqual({
      status: "sent",
    });
    expect(discord.messages(discord.ids.channel).length - before).toBe(1);
    expect(await adapter.deliver(discord.ids.channel, reply, { key: "outbox-43" })).toEqual({
      status: "sent",
    });
    expect(discord.messages(discord.ids.channel).length - before).toBe(2);
  });

  it("delivers notifications and classifies failures", async () => {
    const reply: Reply = { ...infoReply("New: a deal", ["Something changed."]), ephemeral: true };
    const start = discord.calls.length;
    expect(await adapter.deliver(discord.ids.channel, reply)).toEqual({ status: "sent" });
    const sent = await discord.waitForCall(channelPost(discord.ids.channel, start));
    expect(sent.body).toMatchObject({ allowed_mentions: { parse: [] }, embeds: [{ title: "New: a deal" }] });
    expect((sent.body as MessageData).flags).toBeUndefined(); // a channel message cannot be ephemeral

    expect(await adapter.deliver("123456789012345678", reply)).toMatchObject({
      status: "gone",
      reason: /10003/,
    });
    // Missing Permissions: the channel is still there; the notification fails, the subscription stays.
    expect(await adapter.deliver(discord.channelByName("read-only").id, reply)).toMatchObject({
      status: "failed",
      reason: /50013/,
    });
    const path = `/channels/${discord.ids.channel}/messages`;
    discord.failNext({ method: "POST", path, status: 403, body: { code: 50001, message: "Missing Access" } });
    expect(await adapter.deliver(discord.ids.channel, reply)).toMatchObject({ status: "gone" });
    discord.failNext({ method: "POST", path, status: 502, body: { code: 0, message: "Bad Gateway" } });
    expect(await adapter.deliver(discord.ids.channel, reply)).toMatchObject({ status: "transient" });
    discord.failNext({
      method: "POST",
      path,
      status: 400,
      body: { code: 50035, message: "Invalid Form Body" },
    });
    expect(await adapter.deliver(discord.ids.channel, reply)).toMatchObject({
      status: "failed",
      reason: /50035/,
    });
    discord.rateLimitNext({ method: "POST", path, retryAfter: 0.5 });
    const limited = await adapter.deliver(discord.ids.channel, reply);
    expect(limited.status).toBe("retry");
    expect(limited.status === "retry" && limited.afterMs).toBeGreaterThanOrEqual(400);

    const unreachable = createDiscordAdapter({ bot, token: TOKEN, apiRoot: "http://127.0.0.1:9/api" });
    expect(await unreachable.deliver("1", reply)).toMatchObject({ status: "transient" });
    await unreachable.stop();
  });

  it("survives a resumable disconnect and a fresh identify", async () => {
    const resumes = discord.resumeCount;
    discord.disconnectAll(); // 4000: resumable
    const resumed = await ask("what was the netflix prize?"); // dispatched while down, replayed on RESUME
    expect(resumed.body.type).toBe(4);
    expect(discord.resumeCount).toBe(resumes + 1);

    const identifies = discord.identifyCount;
    const shardReady = once(adapter.client, Events.ShardReady);
    discord.disconnectAll(1000); // the session ends: the client must identify anew
    await shardReady;
    expect(discord.identifyCount).toBe(identifies + 1);
    const fresh = await ask("what was the netflix prize?");
    expect(fresh.body.data?.embeds?.[0]?.title).toMatch(/Netflix Prize/);
  });

  it("never logs the token or what users typed", () => {
    const all = logLines.join("\n");
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain("netflix prize?");
    expect(all).not.toContain(QUESTION);
    expect(all).not.toMatch(/interaction\.[0-9a-f]{32}/); // the stand-in's interaction tokens
    expect(logs().some((l) => l.msg === "discord: handler failed")).toBe(false);
  });

  it("shuts down cleanly: client.destroy(), then the stand-in", async () => {
    const other = await startDiscordStandIn({ token: TOKEN });
    const local = createDiscordAdapter({
      bot,
      token: TOKEN,
      apiRoot: other.apiRoot,
      clientOptions: fastIdentify,
    });
    await local.start();
    await local.stop();
    await local.stop(); // safe twice
    expect(local.client.isReady()).toBe(false);
    // The gateway session is over on the stand-in's side too: nothing is left to dispatch to.
    await other.waitUntil(() => {
      try {
        other.dispatch("TYPING_START", { channel_id: other.ids.channel, user_id: other.users.alice.id });
        return false;
      } catch {
        return true;
      }
    });
    expect(await local.deliver(other.ids.channel, infoReply("x", ["y"]))).toMatchObject({
      status: "transient",
    });
    await other.close();
  });
});

describe("the bot with DISCORD_TOKEN", () => {
  let standIn: DiscordStandIn;
  let child: ChildProcess | undefined;
  let dataDir: string;
  let output = "";

  beforeAll(async () => {
    standIn = await startDiscordStandIn({ token: TOKEN });
    dataDir = await mkdtemp(path.join(tmpdir(), "receipts-discord-"));
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    await standIn?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("connects, registers commands, answers /ask, and stops on SIGTERM", async () => {
    const app = inject("app");
    child = spawn(process.execPath, [app.main], {
      cwd: app.dir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        DISCORD_TOKEN: TOKEN,
        DISCORD_API_ROOT: standIn.apiRoot,
        DATA_DIR: dataDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on("data", (chunk) => {
      output += String(chunk);
    });
    const exited = once(child, "exit");
    const route = `/applications/${standIn.applicationId}/commands`;
    // A start validates and indexes the knowledge base (seconds when the suite shares the cores).
    await standIn.waitForCall((c) => c.method === "PUT" && c.path === route, 30_000);
    expect(standIn.commands().map((c) => c.name)).toContain("ask");

    const payload = standIn.interactionCreate({
      kind: "command",
      commandName: "ask",
      options: { question: QUESTION },
    });
    standIn.dispatch("INTERACTION_CREATE", payload);
    const callback = await standIn.waitForCall(callbackOf(payload.id));
    expect(callback.status).toBe(204);
    expect((callback.body as Callback).data?.embeds?.[0]?.title).toMatch(/Netflix–Facebook inbox API/);

    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code, output).toBe(0);
    expect(output).not.toContain(TOKEN);
    expect(output).toContain("discord: ready");
  }, 60_000);
});
