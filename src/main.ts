/**
 * The bot, as `npm start` and the image run it:
 *
 *   1. read .env and check the configuration (every problem at once);
 *   2. open the knowledge base (validated once per version, indexed when first needed);
 *   3. with no platform token, chat in the console; otherwise run on Telegram and Discord
 *      (platforms.ts, loaded only then, with everything only they need).
 *
 * Exits 1 when a step fails, having said why on stderr.
 */
import { CONSOLE_LEAVING, createConsoleAdapter } from "./adapters/console.js";
import type { KnowledgeHolder } from "./answer/knowledge.js";
import { Bot } from "./bot/bot.js";
import { checkedConfig, openKnowledge, readDotenv, warm } from "./startup.js";
import { CHAT_ONLY_COMMANDS } from "./subscriptions/menu.js";

/** Said when there is nobody to chat with and nowhere to run: a container started without -it and no token. */
const NOTHING_TO_DO =
  "receipts: no platform token is set and there is no terminal to chat in. Set TELEGRAM_BOT_TOKEN " +
  "or DISCORD_TOKEN (see .env.example) to run the bot, or give it a terminal for the console chat " +
  "(docker run -it).";

async function main(): Promise<number> {
  readDotenv();
  const config = await checkedConfig();
  if (!config) return 1;
  const knowledge = await openKnowledge(config.knowledgeDir);
  if (!knowledge) return 1;
  if (!config.telegram && !config.discord) return chatInConsole(knowledge, config.siteUrl);
  const { runOnPlatforms } = await import("./platforms.js");
  return runOnPlatforms(config, knowledge);
}

/**
 * The console chat, on the same bot layer: a prompt at a terminal, or an answer per piped line.
 * Without a terminal and without a single line to answer it exits 1 saying what to set, rather
 * than 0, which a restart policy would take as "start me again".
 */
async function chatInConsole(knowledge: KnowledgeHolder, siteUrl: string | undefined): Promise<number> {
  const bot = new Bot(knowledge, {
    flood: null,
    ...(siteUrl ? { siteUrl } : {}),
    chatOnly: CHAT_ONLY_COMMANDS,
    helpNote: CONSOLE_LEAVING,
  });
  // The console chat writes to stdout, so it logs nothing there.
  const chat = createConsoleAdapter(bot);
  await chat.start();
  setImmediate(() => warm(knowledge));
  const { answered } = await chat.done;
  if (chat.interactive || answered > 0) return 0;
  console.error(NOTHING_TO_DO);
  return 1;
}

const code = await main();
if (code !== 0) process.exit(code);
