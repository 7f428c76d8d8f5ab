/**
 * `/language [code]` and its buttons: the language a chat's replies are framed in. A setting stored
 * with the chat wins over the platform's locale and over the language each question is written in.
 */
import { languageName, languageOfLocale, t } from "../i18n/messages.js";
import { LANGUAGES, type Language } from "../search/languages/index.js";
import { type ChatSettings, LANGUAGE_SETTING } from "./chat-settings.js";
import { infoReply } from "./replies.js";
import type { Action, Reply, Request, Suggestion } from "./types.js";

/** Button data for choosing a language: `lang:<code>`, or `lang:auto` to follow each question. */
const ACTION = /^lang:(auto|[a-z]{2})$/;

export const isLanguageAction = (data: string): boolean => ACTION.test(data);

/** What a typed argument names: a code ("de"), a locale ("pt-BR"), a name in any of our languages, or "auto". */
export function parseLanguage(typed: string): Language | "auto" | undefined {
  const word = typed.trim().toLowerCase();
  if (/^(auto|automatic|off|reset)$/.test(word)) return "auto";
  const code = languageOfLocale(word);
  if (code) return code;
  for (const language of LANGUAGES) {
    if (LANGUAGES.some((other) => t(other, `language.names.${language}`).toLowerCase() === word))
      return language;
  }
  return undefined;
}

/** The chat's chosen language, when one is stored and still one we speak. */
export async function chosenLanguage(
  settings: ChatSettings,
  request: Pick<Request, "chat">,
): Promise<Language | undefined> {
  const stored = await settings.get(request.chat.platform, request.chat.id, LANGUAGE_SETTING);
  return languageOfLocale(stored);
}

/** `/language` with what was typed, or a `lang:` button. `current` is the language replies are in now. */
export async function languageCommand(
  settings: ChatSettings,
  request: Request,
  typed: string,
  current: Language,
): Promise<Reply> {
  const chosen = await chosenLanguage(settings, request);
  if (!typed.trim()) return menu(current, chosen);
  const wanted = parseLanguage(typed);
  if (!wanted)
    return reply(
      current,
      [t(current, "language.unknown", { typed: typed.slice(0, 40), codes: LANGUAGES.join(", ") })],
      "error",
    );
  if (request.chat.kind !== "private" && !request.user.canManageChat)
    return reply(current, [t(current, "language.denied")], "error");
  if (wanted === "auto") {
    await settings.set(request.chat.platform, request.chat.id, LANGUAGE_SETTING, undefined);
    return reply(current, [t(current, "language.cleared")]);
  }
  await settings.set(request.chat.platform, request.chat.id, LANGUAGE_SETTING, wanted);
  return reply(wanted, [t(wanted, "language.set")]);
}

/** The button's language, as `/language <code>` would take it. */
export function languageOfAction(data: string): string {
  return ACTION.exec(data)?.[1] ?? "";
}

/** Languages for autocomplete: code and own name. */
export function suggestLanguages(prefix: string): Suggestion[] {
  const typed = prefix.trim().toLowerCase();
  return [
    ...LANGUAGES.map((language) => ({ label: `${languageName(language)} (${language})`, value: language })),
    { label: "auto", value: "auto" },
  ].filter((s) => typed === "" || s.value.startsWith(typed) || s.label.toLowerCase().includes(typed));
}

function menu(current: Language, chosen: Language | undefined): Reply {
  const lines = [
    chosen ? t(current, "language.current", { name: languageName(chosen) }) : t(current, "language.auto"),
    t(current, "language.choose", { codes: LANGUAGES.join(", ") }),
  ];
  const actions: Action[] = [
    ...LANGUAGES.map((language) => ({ label: languageName(language), data: `lang:${language}` })),
    { label: t(current, "language.autoButton"), data: "lang:auto" },
  ];
  return { ...reply(current, lines), actions };
}

function reply(language: Language, lines: readonly string[], tone: Reply["tone"] = "info"): Reply {
  return infoReply(t(language, "language.title"), lines, tone, language);
}
