/**
 * Slash commands: the bot layer's command menu as Discord command definitions, and their
 * registration, globally or in one server, only when they differ from what Discord has.
 */
import { Routes } from "discord.js";
import type { BotCommand } from "../../bot/bot.js";
import { type Logger, silentLogger } from "../../log.js";
import { clip, type DiscordContext } from "./context.js";

/** Discord's limits for command definitions. */
const LIMITS = { commands: 100, name: 32, description: 100 } as const;
/** Telegram's /start has no meaning on Discord; /help covers it. */
const NOT_ON_DISCORD = new Set(["start"]);

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

export const ASK: CommandJson = {
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

/** Registers the slash commands, globally or in one server, only when they differ from what is there. */
export async function registerCommands(context: DiscordContext, guildId: string | undefined): Promise<void> {
  const { client, bot, log } = context;
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
}
