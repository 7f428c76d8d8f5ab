/**
 * The subscription commands as menus and /help show them, apart from what they do (commands.ts):
 * entry points without subscriptions (the console, `ask`) list them as working only in a chat
 * without loading the subscription code.
 */
import type { BotCommand } from "../bot/bot.js";
import { LOOP_COMMANDS } from "../loop/messages.js";

export const SUBSCRIPTION_COMMANDS = {
  subscribe: {
    name: "subscribe",
    usage: "/subscribe <topic>",
    description: "Get updates here about a deal, a company, or all",
  },
  unsubscribe: {
    name: "unsubscribe",
    usage: "/unsubscribe <topic>",
    description: "Stop updates about a topic, or all of them",
  },
  subscriptions: {
    name: "subscriptions",
    usage: "/subscriptions",
    description: "What this chat gets updates about",
  },
  reload: { name: "reload", usage: "/reload", description: "Admins: read the knowledge base again" },
  stats: {
    name: "stats",
    usage: "/stats",
    description: "Admins: subscribers, outbox and knowledge-base version",
  },
} as const satisfies Record<string, BotCommand>;

/** Every one of them: what the console and `ask` answer with "works in a Telegram or Discord chat". */
export const CHAT_ONLY_COMMANDS: readonly BotCommand[] = [
  ...Object.values(SUBSCRIPTION_COMMANDS),
  ...Object.values(LOOP_COMMANDS),
];
