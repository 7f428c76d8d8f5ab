/**
 * The words around the facts, in the chat's language: every user-facing string lives in a message
 * file per language (`assets/messages/<language>.json`, shipped beside the fonts so the built bot
 * finds them too) and is looked up here through i18next. Facts, names and sources stay as the
 * knowledge base has them, in English.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import i18next, { type Resource } from "i18next";
import { LANGUAGES, type Language } from "../search/languages/index.js";

/** Where the message files are: `<root>/assets/messages`, from src/i18n and dist/i18n alike. */
export const MESSAGES_DIR = path.resolve(import.meta.dirname, "../../assets/messages");

/** A message file's parsed contents: nested objects of strings. */
export type MessageTree = { readonly [key: string]: string | MessageTree };

export function readMessages(language: Language, dir = MESSAGES_DIR): MessageTree {
  return JSON.parse(readFileSync(path.join(dir, `${language}.json`), "utf8")) as MessageTree;
}

const resources: Resource = Object.fromEntries(
  LANGUAGES.map((language) => [language, { translation: readMessages(language) }]),
);

const i18n = i18next.createInstance();
void i18n.init({
  resources,
  lng: "en",
  fallbackLng: "en",
  supportedLngs: [...LANGUAGES],
  // Resources are given inline: initialised at once, so `t` works from the first import.
  initImmediate: false,
  // Replies are escaped by each renderer for its platform, never here.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** A value put into a message: text, a number, a list (joined the language's way), or another message. */
export type PhraseValue = string | number | readonly string[] | Phrase;

/** A message by key with its values, said later in whichever language the chat reads. */
export interface Phrase {
  readonly key: string;
  readonly values?: Readonly<Record<string, PhraseValue>>;
}

/** The message `key` in `language`, with `values` put in (`count` picks the plural form). */
export function t(
  language: Language,
  key: string,
  values: Readonly<Record<string, PhraseValue>> = {},
): string {
  const filled: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(values)) filled[name] = valueText(language, value);
  return i18n.t(key, { ...filled, lng: language });
}

/** Whether the message files have `key` (in English, which every language must match). */
export function hasMessage(key: string): boolean {
  return i18n.exists(key, { lng: "en" });
}

/** A phrase said in `language`. */
export function say(language: Language, phrase: Phrase): string {
  return t(language, phrase.key, phrase.values);
}

function valueText(language: Language, value: PhraseValue): string | number {
  if (typeof value === "string" || typeof value === "number") return value;
  if (isPhrase(value)) return say(language, value);
  return listOf(language, value);
}

function isPhrase(value: PhraseValue): value is Phrase {
  return typeof value === "object" && !Array.isArray(value) && "key" in value;
}

/** "A, B and C" in the language's own way (British English: no comma before "and"). */
export function listOf(language: Language, items: readonly string[]): string {
  return new Intl.ListFormat(language === "en" ? "en-GB" : language, { type: "conjunction" }).format(items);
}

/** The language a platform's locale names ("de", "pt-BR", "es-419"), when it is one we speak. */
export function languageOfLocale(locale: string | undefined): Language | undefined {
  const base = locale?.toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(base ?? "") ? (base as Language) : undefined;
}

/** A language's own name, for the /language menu. */
export function languageName(language: Language): string {
  return t(language, "language.name");
}
