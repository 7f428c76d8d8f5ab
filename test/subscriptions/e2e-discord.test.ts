/**
 * Subscriptions end to end through Discord: the real discord.js inside our adapter, against the Discord
 * stand-in, with the knowledge base a copy on disk that the tests edit. Every wait is on a call the
 * stand-in recorded or an outcome the dispatcher recorded, never a sleep.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordAdapter } from "../../src/adapters/discord/index.js";
import { Bot } from "../../src/bot/bot.js";
import { openSubscriptions } from "../../src/subscriptions/service.js";
import {
  type DiscordStandIn,
  type StandInCall,
  startDiscordStandIn,
  type User,
} from "../fakes/discord-api.js";
import { heldKnowledgeCopy, NEW_FACT, outcomeLog, tempDir } from "./support.js";

const TOKEN = `receipts-test.${randomBytes(24).toString("hex")}`;
const SETTLED = "StreamCo and Acme settled the case in 2025";
const EDIT = { "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] } as const;
const fastIdentify = { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } };

interface Embed {
  title?: string;
  description?: string;
}
interface Callback {
  type: number;
  data?: { embeds?: Embed[]; flags?: number; choices?: { name: string; value: string }[] };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness() {
  const discord = await startDiscordStandIn({
    token: TOKEN,
    guilds: [
      { channels: [{ name: "general" }, { name: "read-only", botDeny: 1n << 11n }, { name: "doomed" }] },
    ],
  });
  cleanups.push(() => discord.close());
  const { kb, holder } = await heldKnowledgeCopy(cleanups);
  const data = tempDir();
  cleanups.push(data.remove);
  const { onOutcome, outcome } = outcomeLog();
  const subscriptions = await openSubscriptions({
    config: { dataDir: data.dir, knowledgeDir: kb.dir, admins: new Set() },
    holder,
    dispatcher: {
      onOutcome,
    },
  });
  const bot = new Bot(holder, { flood: null, extensions: subscriptions.extensions });
  const adapter = createDiscordAdapter({
    bot,
    token: TOKEN,
    apiRoot: discord.apiRoot,
    guildId: discord.ids.guild,
    deferAfterMs: 1_000,
    clientOptions: fastIdentify,
  });
  cleanups.push(async () => {
    await adapter.stop();
    await subscriptions.stop();
  });
  await subscriptions.publishCurrent();
  await adapter.start();
  subscriptions.attach(adapter);
  subscriptions.watch({ debounceMs: 100 });

  const interact = async (spec: Parameters<DiscordStandIn["interactionCreate"]>[0]) => {
    const payload = discord.interactionCreate(spec);
    discord.dispatch("INTERACTION_CREATE", payload);
    const call = await discord.waitForCall(
      (c) => c.method === "POST" && c.path.startsWith(`/interactions/${String(payload.id)}/`),
    );
    return call.body as Callback;
  };
  const command = async (
    name: string,
    topic: string,
    who: { user?: User; channelId?: string; dm?: boolean },
  ) => {
    const body = await interact({ kind: "command", commandName: name, options: { topic }, ...who });
    const markdown =
      body.data?.embeds?.map((e) => `${e.title ?? ""}\n${e.description ?? ""}`).join("\n") ?? "";
    return { body, text: markdown.replace(/\\(.)/g, "$1") }; // as a reader sees it, escapes removed
  };
  return { discord, kb, holder, subscriptions, interact, command, outcome, store: subscriptions.store };
}

const postedTo = (channelId: string) => (c: StandInCall) =>
  c.method === "POST" && c.path === `/channels/${channelId}/messages`;

describe("subscriptions through Discord", () => {
  it("subscribes where the member may manage the channel, and posts the digest with its citations", async () => {
    const { discord, kb, command, store } = await harness();
    const general = discord.ids.channel;
    const { owner, alice } = discord.users;

    const refused = await command("subscribe", "StreamCo", { user: alice, channelId: general });
    expect(refused.text).toContain("Only members with the Manage Channels permission");
    expect(refused.body.data?.flags).toBe(64); // ephemeral: only alice sees it
    expect((await command("subscribe", "StreamCo", { user: owner, channelId: general })).text).toContain(
      "Subscribed to StreamCo (company).",
    );
    expect((await command("subscribe", "acme", { user: alice, dm: true })).text).toContain(
      "Subscribed to Acme Social",
    );
    const dm = discord.dmChannelFor(alice).id;
    expect(await store.topicsOf("discord", dm)).toEqual(["entity:acme"]);

    kb.edit(EDIT);
    const posted = await discord.waitForCall((c) => postedTo(general)(c) && c.status === 200, 10_000);
    const embed = (posted.body as { embeds: Embed[] }).embeds[0];
    expect(embed?.title).toBe("Receipts update");
    expect(embed?.description).toContain(
      `**New · Reported:** ${SETTLED}, according to the news report. [1] [2]`,
    );
    expect(embed?.description).toContain(
      "[1] [A news report about the deal](<https://news.example.com/2024/story>)",
    );
    await discord.waitForCall((c) => postedTo(dm)(c) && c.status === 200);
    expect(discord.calls.filter((c) => postedTo(general)(c) || postedTo(dm)(c))).toHaveLength(2);
  });

  it("suggests topics as the user types", async () => {
    const { interact } = await harness();
    const body = await interact({
      kind: "autocomplete",
      commandName: "subscribe",
      options: { topic: "stre" },
      focused: "topic",
    });
    expect(body.type).toBe(8);
    expect(body.data?.choices).toEqual([
      { name: "StreamCo (company)", value: "StreamCo" },
      { name: "Deal: Acme Social and StreamCo's message deal", value: "acme-streamco" },
    ]);
  });

  it("drops channels that are gone, and keeps one where it lacks permission for now", async () => {
    const { discord, kb, command, outcome, store } = await harness();
    const { owner } = discord.users;
    const readOnly = discord.channelByName("read-only").id;
    const doomed = discord.channelByName("doomed").id;
    await command("subscribe", "all", { user: owner, channelId: readOnly });
    await command("subscribe", "all", { user: owner, channelId: doomed });
    await command("subscribe", "all", { user: owner, channelId: discord.ids.channel });
    discord.failNext({
      method: "POST",
      path: `/channels/${doomed}/messages`,
      status: 404,
      body: { code: 10003, message: "Unknown Channel" },
    });
    kb.edit(EDIT);
    const missing = await outcome((o) => o.row.chatId === readOnly);
    const unknown = await outcome((o) => o.row.chatId === doomed);
    await outcome((o) => o.row.chatId === discord.ids.channel);
    // Missing Permissions: a moderator may give Send Messages back, so the subscription stays.
    expect(missing.result).toMatchObject({ status: "failed", reason: expect.stringContaining("50013") });
    expect(unknown.result).toMatchObject({ status: "gone", reason: expect.stringContaining("10003") });
    expect((await store.chats()).map((c) => c.chatId).sort()).toEqual([discord.ids.channel, readOnly].sort());
  });
});
