/**
 * Slash commands: the bot layer's command menu as Discord command definitions, and their
 * registration, globally or in one server, only when they differ from what Discord has.
 */
import { Routes } from "discord.js";
import type { BotCommand } from "../../bot/bot.js";
import { t } from "../../i18n/messages.js";
import { type Logger, silentLogger } from "../../log.js";
import type { Language } from "../../search/languages/index.js";
import { clip, type DiscordContext } from "./context.js";

/** Discord's limits for command definitions. */
const LIMITS = { commands: 100, name: 32, description: 100 } as const;
/** Telegram's /start has no meaning on Discord; /help covers it. */
const NOT_ON_DISCORD = new Set(["start"]);

const STRING_OPTION = 3;
const CHAT_INPUT = 1;

/** Discord locale → text, for a command's or an option's name or description. */
export type Localizations = Partial<Record<string, string>>;

export interface CommandOptionJson {
  type: typeof STRING_OPTION;
  name: string;
  description: string;
  description_localizations?: Localizations;
  required?: boolean;
  autocomplete?: boolean;
}

export interface CommandJson {
  type: typeof CHAT_INPUT;
  name: string;
  name_localizations?: Localizations;
  description: string;
  description_localizations?: Localizations;
  options: CommandOptionJson[];
}

/** The Discord locales each of our languages is shown in (Discord has one Portuguese, Brazil's). */
const DISCORD_LOCALES: Readonly<Record<Exclude<Language, "en">, readonly string[]>> = {
  es: ["es-ES", "es-419"],
  pt: ["pt-BR"],
  de: ["de"],
  fr: ["fr"],
  it: ["it"],
};

/** The command menu in a language (Bot.commandsIn); without it, commands are English only. */
export type LocalizedCommands = (language: Language) => readonly BotCommand[];

/** `text(language)` for every Discord locale of our languages, cut to `max`. */
function localizations(text: (language: Language) => string | undefined, max: number): Localizations {
  const out: Localizations = {};
  for (const [language, locales] of Object.entries(DISCORD_LOCALES) as [Language, readonly string[]][]) {
    const value = text(language);
    if (value) for (const locale of locales) out[locale] = clip(value, max);
  }
  return out;
}

/** A command's name in a language, when the message files give one Discord accepts. */
function localName(name: string, language: Language): string | undefined {
  const local = t(language, `slash.${name}`, {});
  return /^[-_\p{Ll}\p{N}]{1,32}$/u.test(local) && local !== `slash.${name}` ? local : undefined;
}

export const ASK: CommandJson = {
  type: CHAT_INPUT,
  name: "ask",
  description: t("en", "command.ask"),
  options: [
    {
      type: STRING_OPTION,
      name: "question",
      description: t("en", "option.question"),
      required: true,
      autocomplete: true,
    },
  ],
};

/** /ask with its name and descriptions in every language. */
function localizedAsk(): CommandJson {
  const [question] = ASK.options as [CommandOptionJson];
  return {
    ...ASK,
    name_localizations: localizations((language) => localName("ask", language), LIMITS.name),
    description_localizations: localizations((language) => t(language, "command.ask"), LIMITS.description),
    options: [
      {
        ...question,
        description_localizations: localizations(
          (language) => t(language, "option.question"),
          LIMITS.description,
        ),
      },
    ],
  };
}

/**
 * Slash commands from the bot's command menu, plus /ask (the bot takes questions as plain text). A usage
 * placeholder becomes a string option with autocomplete: `<x>` required, `[x]` optional.
 */
export function slashCommands(
  commands: readonly BotCommand[],
  log: Logger = silentLogger,
  localized?: LocalizedCommands,
): CommandJson[] {
  const menus = new Map(
    localized ? (Object.keys(DISCORD_LOCALES) as Language[]).map((l) => [l, localized(l)] as const) : [],
  );
  const out: CommandJson[] = [localized ? localizedAsk() : ASK];
  for (const command of commands) {
    const name = command.name.toLowerCase();
    if (NOT_ON_DISCORD.has(name) || out.some((c) => c.name === name)) continue;
    if (!/^[-_a-z0-9]{1,32}$/.test(name)) {
      log.warn({ command: command.name }, "discord: command name not allowed in a slash command; skipped");
      continue;
    }
    const description = clip(command.description.trim() || name, LIMITS.description);
    const json: CommandJson = {
      type: CHAT_INPUT,
      name,
      description,
      options: usageOptions(command.usage, localized !== undefined),
    };
    if (localized) {
      json.name_localizations = localizations((language) => localName(name, language), LIMITS.name);
      json.description_localizations = localizations(
        (language) =>
          menus
            .get(language)
            ?.find((c) => c.name === command.name)
            ?.description.trim(),
        LIMITS.description,
      );
    }
    out.push(json);
  }
  return out.slice(0, LIMITS.commands);
}

function usageOptions(usage: string, localize = false): CommandOptionJson[] {
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
    const hint = (language: Language, word: string) =>
      clip(t(language, "option.hint", { placeholder: word }), LIMITS.description);
    const description = hint("en", `${placeholder.charAt(0).toUpperCase()}${placeholder.slice(1)}`);
    options.push({
      type: STRING_OPTION,
      name,
      description,
      ...(localize
        ? {
            description_localizations: localizations(
              (language) => hint(language, t(language, `option.${name}`, { defaultValue: placeholder })),
              LIMITS.description,
            ),
          }
        : {}),
      required,
      autocomplete: true,
    });
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
        names: sorted(c.name_localizations),
        description: String(c.description ?? ""),
        descriptions: sorted(c.description_localizations),
        options: (c.options ?? []).map((o) => ({
          type: Number(o.type),
          name: String(o.name ?? ""),
          description: String(o.description ?? ""),
          descriptions: sorted(o.description_localizations),
          required: Boolean(o.required),
          autocomplete: Boolean(o.autocomplete),
        })),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return JSON.stringify(normalised);
}

/** Localizations as compared: none and empty are the same (Discord hands back null). */
function sorted(map: Localizations | null | undefined): [string, string | undefined][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
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
  const wanted = slashCommands(bot.commands, log, (language) => bot.commandsIn(language));
  // With the localization dictionaries, so a changed translation is registered too.
  const existing = (await client.rest.get(route, {
    query: new URLSearchParams({ with_localizations: "true" }),
  })) as unknown[];
  if (sameCommands(existing, wanted)) {
    log.info({ scope, commands: wanted.length }, "discord: slash commands unchanged");
    return;
  }
  await client.rest.put(route, { body: wanted });
  log.info({ scope, commands: wanted.map((c) => c.name) }, "discord: slash commands registered");
}
