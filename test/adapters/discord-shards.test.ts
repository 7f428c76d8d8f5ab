/**
 * Discord sharding across instances (DISCORD_SHARDS, DISCORD_SHARD_COUNT): each instance identifies
 * with its own shards only, on discord.js's sharding, and only the one with shard 0 registers the
 * slash commands.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordAdapter } from "../../src/adapters/discord/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { loadConfig } from "../../src/config.js";
import { type DiscordStandIn, startDiscordStandIn } from "../fakes/discord-api.js";
import { knowledgeFrom } from "../support/knowledge.js";

const TOKEN = `receipts-test.${randomBytes(24).toString("hex")}`;
const fastIdentify = { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } };

let discord: DiscordStandIn;
let bot: Bot;
beforeAll(async () => {
  bot = new Bot(new KnowledgeHolder(await knowledgeFrom()), { flood: null });
  discord = await startDiscordStandIn({ token: TOKEN });
});
afterAll(async () => {
  await discord?.close();
});

describe("discord shards", () => {
  it("runs only this instance's shards, and registers commands only with shard 0", async () => {
    const route = `/applications/${discord.applicationId}/commands`;
    const registrations = () => discord.calls.filter((c) => c.path === route).length;
    const second = createDiscordAdapter({
      bot,
      token: TOKEN,
      apiRoot: discord.apiRoot,
      shards: [1, 2],
      shardCount: 3,
      clientOptions: fastIdentify,
    });
    await second.start();
    expect(discord.identifies.map((d) => d.shard)).toEqual(
      expect.arrayContaining([
        [1, 3],
        [2, 3],
      ]),
    );
    expect(discord.identifies).toHaveLength(2);
    expect(registrations()).toBe(0);
    await second.stop();

    const first = createDiscordAdapter({
      bot,
      token: TOKEN,
      apiRoot: discord.apiRoot,
      shards: [0],
      shardCount: 3,
      clientOptions: fastIdentify,
    });
    await first.start();
    expect(discord.identifies.at(-1)?.shard).toEqual([0, 3]);
    expect(registrations()).toBeGreaterThan(0);
    await first.stop();
  });

  it("reads DISCORD_SHARDS and DISCORD_SHARD_COUNT together, and says what is wrong", () => {
    const token = "x".repeat(60);
    expect(
      loadConfig({ DISCORD_TOKEN: token, DISCORD_SHARDS: "0, 2", DISCORD_SHARD_COUNT: "4" }).discord,
    ).toMatchObject({ shards: [0, 2], shardCount: 4 });
    expect(() => loadConfig({ DISCORD_TOKEN: token, DISCORD_SHARDS: "0" })).toThrow(/go together/);
    expect(() => loadConfig({ DISCORD_TOKEN: token, DISCORD_SHARDS: "4", DISCORD_SHARD_COUNT: "4" })).toThrow(
      /shard ids from 0 to 3/,
    );
    expect(loadConfig({ DISCORD_TOKEN: token }).discord?.shards).toBeUndefined();
  });
});
