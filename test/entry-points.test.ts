/**
 * One language at every entry point: the same commands and a question, typed into the console chat,
 * `ask --batch`, Telegram (its stand-in) and Discord (its stand-in, as DMs), mean the same. Each
 * shows the bot layer's reply in its own format: its title and the start of its first block are in
 * every output. /subscribe differs as it should, and says so: it subscribes in a chat, and says
 * where it works in the console and `ask`.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CONSOLE_LEAVING } from "../src/adapters/console.js";
import { createDiscordAdapter, type DiscordAdapter } from "../src/adapters/discord/index.js";
import { createTelegramAdapter, type TelegramAdapter } from "../src/adapters/telegram/index.js";
import { KnowledgeHolder } from "../src/answer/knowledge.js";
import { Bot } from "../src/bot/bot.js";
import { parseInput } from "../src/bot/input.js";
import type { Reply } from "../src/bot/types.js";
import { blockText } from "../src/render/text.js";
import { CHAT_ONLY_COMMANDS } from "../src/subscriptions/menu.js";
import { openSubscriptions, type Subscriptions } from "../src/subscriptions/service.js";
import { type DiscordStandIn, startDiscordStandIn } from "./fakes/discord-api.js";
import { startTelegramStandIn, type TelegramStandIn } from "./fakes/telegram-api.js";
import { tempDir } from "./subscriptions/support.js";
import { chatInConsole } from "./support/console.js";
import { knowledgeFrom, REPO } from "./support/knowledge.js";

const TYPED = [
  "/help",
  "/deals",
  "/deal netflix-facebook",
  "/sources netflix-facebook",
  "/frobnicate",
  "did facebook let netflix read messages?",
  "/subscribe all",
  "/quit",
] as const;
const SAME_EVERYWHERE = TYPED.filter((typed) => typed !== "/subscribe all");

const DISCORD_TOKEN = `receipts-test.${randomBytes(24).toString("hex")}`;
const fastIdentify = { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } };

/** Text as a reader takes it in: no markup, links as their words, spacing and case ignored. */
function words(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`\\~]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/** What a reply means, for this test: its title and how its first block begins. */
function meaning(reply: Reply): string[] {
  const first = reply.blocks[0];
  return [reply.title ?? "", first ? words(blockText(first)).slice(0, 40) : ""].map(words).filter(Boolean);
}

/** Every entry point's output for each typed line. */
const shown: Record<"console" | "ask" | "telegram" | "discord", Map<string, string>> = {
  console: new Map(),
  ask: new Map(),
  telegram: new Map(),
  discord: new Map(),
};
let reference: Bot;
const data = tempDir();
let subscriptions: Subscriptions;
let telegramApi: TelegramStandIn;
let telegram: TelegramAdapter;
let discordApi: DiscordStandIn;
let discord: DiscordAdapter;

beforeAll(async () => {
  const knowledge = new KnowledgeHolder(await knowledgeFrom());
  reference = new Bot(knowledge, { flood: null });

  // The console and ask: no subscriptions, the same bot layer.
  const consoleBot = new Bot(knowledge, {
    flood: null,
    chatOnly: CHAT_ONLY_COMMANDS,
    helpNote: CONSOLE_LEAVING,
  });
  for (const typed of TYPED) shown.console.set(typed, (await chatInConsole(consoleBot, [typed])).printed);
  const app = inject("app");
  const pending = promisify(execFile)(
    process.execPath,
    [path.join(app.dir, "dist", "cli.js"), "ask", "--batch"],
    {
      cwd: app.dir,
    },
  );
  pending.child.stdin?.end(`${TYPED.join("\n")}\n`);
  const { stdout } = await pending;
  for (const answer of stdout.split(/^> /m).slice(1)) {
    const newline = answer.indexOf("\n");
    shown.ask.set(answer.slice(0, newline), answer.slice(newline + 1));
  }

  // Telegram and Discord: one bot with the subscription commands, as npm start builds it.
  subscriptions = await openSubscriptions({
    config: { dataDir: data.dir, knowledgeDir: path.join(REPO, "knowledge"), admins: new Set() },
    holder: knowledge,
  });
  const chatBot = new Bot(knowledge, { flood: null, extensions: subscriptions.extensions });

  telegramApi = await startTelegramStandIn();
  telegram = createTelegramAdapter({ bot: chatBot, token: telegramApi.token, apiRoot: telegramApi.apiRoot });
  await telegram.start();
  for (const typed of TYPED) {
    const before = telegramApi.sentMessages().length;
    const update = telegramApi.pushUpdate(telegramApi.message({ text: typed }));
    await telegramApi.waitForAck(update.update_id, 10_000);
    const sent = telegramApi.sentMessages().slice(before);
    shown.telegram.set(typed, sent.map((message) => ("text" in message ? message.text : "")).join("\n"));
  }

  discordApi = await startDiscordStandIn({ token: DISCORD_TOKEN });
  discord = createDiscordAdapter({
    bot: chatBot,
    token: DISCORD_TOKEN,
    apiRoot: discordApi.apiRoot,
    guildId: discordApi.ids.guild,
    clientOptions: fastIdentify,
  });
  await discord.start();
  for (const [i, typed] of TYPED.entries()) {
    const dm = discordApi.messageCreate({ content: typed, dm: true });
    discordApi.dispatch("MESSAGE_CREATE", dm);
    const posts = () =>
      discordApi.calls.filter((c) => c.method === "POST" && c.path === `/channels/${dm.channel_id}/messages`);
    const post = await discordApi.waitUntil(() => posts()[i], 10_000);
    const { embeds = [] } = post.body as { embeds?: { title?: string; description?: string }[] };
    shown.discord.set(typed, embeds.map((e) => `${e.title ?? ""}\n${e.description ?? ""}`).join("\n"));
  }
}, 60_000);

afterAll(async () => {
  await telegram?.stop();
  await discord?.stop();
  await subscriptions?.stop();
  await telegramApi?.close();
  await discordApi?.close();
  data.remove();
});

describe("every entry point", () => {
  it.each(SAME_EVERYWHERE)("means the same by %s", async (typed) => {
    const input = parseInput(typed) ?? { kind: "text", text: typed };
    const expected = meaning(
      await reference.handle({
        chat: { platform: "console", id: `reference ${typed}`, kind: "private" },
        user: { id: "reference", canManageChat: true },
        input,
      }),
    );
    expect(expected.length).toBeGreaterThan(0);
    for (const [entry, outputs] of Object.entries(shown)) {
      const output = words(outputs.get(typed) ?? "");
      for (const part of expected) expect(output, `${entry}: ${typed}`).toContain(part);
    }
  });

  it("subscribes on a chat platform, and says where that works in the console and ask", () => {
    for (const entry of ["telegram", "discord"] as const)
      expect(shown[entry].get("/subscribe all"), entry).toMatch(
        /Subscribed to everything|follows everything/i,
      );
    for (const entry of ["console", "ask"] as const)
      expect(shown[entry].get("/subscribe all"), entry).toMatch(/works in a Telegram or Discord chat/);
  });
});
