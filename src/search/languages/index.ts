/**
 * Questions in Spanish, Portuguese, German, French and Italian, rendered into the English words
 * the engine knows: question words become English question words (so intents are recognised
 * as in English), domain words become the knowledge base's words, stop words go, and anything
 * else (names, numbers, words we have no entry for) passes through as typed.
 */
import { createRequire } from "node:module";
import { de } from "./de.js";
import { type Detector, loadDetector } from "./detector.js";
import { es } from "./es.js";
import { fr } from "./fr.js";
import { it } from "./it.js";
import { isLanguage, LANGUAGES, type Language, type Lexicon, STEMMERS } from "./lexicon.js";
import { pt } from "./pt.js";
import {
  type Phrase,
  readSavedLexicons,
  type SavedLexicon,
  type SavedLexicons,
  saveLexicons,
} from "./saved-lexicons.js";

export { isLanguage, LANGUAGES, type Language } from "./lexicon.js";

const require = createRequire(import.meta.url);
type Other = Exclude<Language, "en">;
/** Each language's lexicon, made when first asked for (see lexicon.ts). */
const LEXICONS: Readonly<Record<Other, () => Lexicon>> = { es, pt, de, fr, it };
const OTHERS = Object.keys(LEXICONS) as Other[];

/** Lookups by key, own keys only: a record read back from the cache is one, and "constructor" is a word there. */
interface Lookup<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
}

function lookup<V>(record: Readonly<Record<string, V>>): Lookup<V> {
  return {
    get: (key) => (Object.hasOwn(record, key) ? record[key] : undefined),
    has: (key) => Object.hasOwn(record, key),
  };
}

interface Prepared {
  /** Phrases by their first word: word sequences (accents stripped) → English. */
  readonly phrases: Lookup<readonly Phrase[]>;
  /** Words (accents stripped) → English. */
  readonly exact: Lookup<string>;
  readonly stopWords: ReadonlySet<string>;
  /** The records these were read from, as saved. */
  readonly saved: Omit<SavedLexicon, "stems">;
}

/** A language's stemmer, and its lexicon's words by stem: what translating a question needs. */
interface Stemmed {
  /** Stems → English. */
  readonly stems: Lookup<string>;
  readonly stem: (word: string) => string;
  readonly saved: SavedLexicon["stems"];
}

const prepared = new Map<Language, Prepared>();
const stemmed = new Map<Language, Stemmed>();

/** Lowercase, accents stripped, the way lexicon keys and typed words are compared. */
function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

function tokens(text: string): string[] {
  return (fold(text).match(WORD) ?? []).map((word) => word.replace(/['’]$/, ""));
}

/** The lexicons an earlier start saved (see saved-lexicons.ts): undefined when none, null before reading. */
let saved: SavedLexicons | undefined | null = null;

/** A language's saved lexicon, if there is one of the expected shape. */
function savedLexicon(language: Other): SavedLexicon | undefined {
  if (saved === null) saved = readSavedLexicons();
  const lexicon = saved?.[language];
  const whole =
    lexicon &&
    Array.isArray(lexicon.stopWords) &&
    [lexicon.phrases, lexicon.exact, lexicon.stems].every(
      (part) => typeof part === "object" && part !== null,
    );
  return whole ? lexicon : undefined;
}

/**
 * A language's phrases, words and stop words: all that telling a word's language needs (see
 * languagesOfWord, asked of English questions too). Read from the saved lexicons, else made.
 */
function prepare(language: Other): Prepared {
  let ready = prepared.get(language);
  if (ready) return ready;
  const records = savedLexicon(language) ?? makeLexicon(language);
  ready = {
    phrases: lookup(records.phrases),
    exact: lookup(records.exact),
    stopWords: new Set(records.stopWords),
    saved: records,
  };
  prepared.set(language, ready);
  return ready;
}

/** A language's phrases by first word, words and stop words, accents stripped, made from its lexicon. */
export function makeLexicon(language: Other): Omit<SavedLexicon, "stems"> {
  const lexicon = LEXICONS[language]();
  const phrases = new Map<string, Phrase[]>();
  for (const [phrase, to] of Object.entries(lexicon.phrases)) {
    const words = tokens(phrase);
    const first = words[0];
    if (!first) continue;
    phrases.set(
      first,
      [...(phrases.get(first) ?? []), { words, to }].sort((a, b) => b.words.length - a.words.length),
    );
  }
  const exact = new Map<string, string>();
  for (const [word, to] of Object.entries(lexicon.words)) exact.set(fold(word), to);
  const keep = new Set((lexicon.keep ?? []).map(fold));
  const all = (require("stopwords-iso") as Record<string, string[]>)[language] ?? [];
  const stopWords = all.map(fold).filter((word) => !keep.has(word) && !exact.has(word));
  return {
    phrases: Object.fromEntries(phrases),
    exact: Object.fromEntries(exact),
    stopWords: [...new Set(stopWords)],
  };
}

/**
 * A language's lexicon by stem: from the saved lexicons, else stemmed now (a few hundred
 * milliseconds for all five). Done for a language a question is translated from, or ahead of time
 * by `prepareLanguages`.
 */
function stemmedLexicon(language: Other): Stemmed {
  let ready = stemmed.get(language);
  if (ready) return ready;
  const stem = stemmerOf(language);
  const records = savedLexicon(language)?.stems ?? stemLexicon(language, stem);
  ready = { stems: lookup(records), stem, saved: records };
  stemmed.set(language, ready);
  return ready;
}

function stemmerOf(language: Other): (word: string) => string {
  const { newStemmer } = require("snowball-stemmers") as {
    newStemmer(name: string): { stem(w: string): string };
  };
  const stemmer = newStemmer(STEMMERS[language]);
  return (word) => stemmer.stem(word);
}

/** Every word of a language's lexicon by its stem (the first word with a stem wins). */
export function stemLexicon(
  language: Other,
  stem: (word: string) => string = stemmerOf(language),
): Record<string, string> {
  const stems = new Map<string, string>();
  for (const [word, to] of Object.entries(LEXICONS[language]().words)) {
    const key = stem(fold(word));
    if (!stems.has(key)) stems.set(key, to);
  }
  return Object.fromEntries(stems);
}

/**
 * A question in `language` as English words: "¿Cuánto multaron a TikTok en Irlanda?" →
 * "how much fine tiktok ireland?". English questions come back unchanged. A trailing question
 * mark is kept, since it says the message is a question.
 */
export function toEnglish(question: string, language: Language): string {
  if (language === "en") return question;
  const { phrases, exact, stopWords } = prepare(language);
  const { stems, stem } = stemmedLexicon(language);
  const words = tokens(question);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const phrase = phrases.get(word)?.find((p) => p.words.every((w, k) => words[i + k] === w));
    if (phrase) {
      out.push(phrase.to);
      i += phrase.words.length - 1;
      continue;
    }
    const english = exact.get(word) ?? (stopWords.has(word) ? undefined : stems.get(stem(word)));
    if (english !== undefined) out.push(english);
    else if (!stopWords.has(word)) out.push(word);
  }
  return `${out.join(" ")}${/[?？]\s*$/.test(question) ? "?" : ""}`;
}

let detector: Detector | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the language detector (see detector.ts). It takes up to a few hundred milliseconds, so it
 * loads in the background; until it is ready, messages keep their chat's language.
 */
export function loadLanguageDetection(): Promise<void> {
  loading ??= loadDetector(LANGUAGES).then((ready) => {
    detector = ready;
  });
  return loading;
}

/**
 * The language a message is written in, among the ones Receipts speaks, when the message says
 * so clearly enough; undefined for mixed messages ("grindr hiv"), which keep the chat's. Short
 * messages ("hola", "danke") are recognised by our own word lists, longer ones by the detector
 * once it has loaded.
 */
export function detectLanguage(text: string): Language | undefined {
  if (!detector) void loadLanguageDetection();
  const letters = text.replace(/[^\p{L}]/gu, "").length;
  if (detector && letters >= 8) {
    const result = detector.detect(text);
    if (result.isReliable() && isLanguage(result.language)) return result.language;
  }
  return letters > 0 ? byWordLists(text) : undefined;
}

/** The one language whose phrases and words account for every word of a short message, if any. */
function byWordLists(text: string): Language | undefined {
  const words = tokens(text);
  if (words.length === 0 || words.length > 4) return undefined;
  const matching = OTHERS.filter((language) => {
    const { phrases, exact } = prepare(language);
    return words.every(
      (word, i) =>
        exact.has(word) || phrases.get(word)?.some((p) => p.words.every((w, k) => words[i + k] === w)),
    );
  });
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * Prepares every language's lexicon now (stop words, phrases, stems: about a second the first
 * time, then saved for the next start), so the first question in any language does not wait.
 */
export function prepareLanguages(): void {
  const missing = OTHERS.some((language) => !savedLexicon(language));
  for (const language of OTHERS) {
    prepare(language);
    stemmedLexicon(language);
  }
  if (missing) void saveLexicons(Object.fromEntries(OTHERS.map((language) => [language, toSaved(language)])));
}

/** A prepared language's lexicon in the form it is saved in. */
function toSaved(language: Other): SavedLexicon {
  return { ...prepare(language).saved, stems: stemmedLexicon(language).saved };
}

/**
 * The other languages a word belongs to: one of their stop words, or a word or phrase word of
 * their lexicon ("la", "quand", "multaron"). English words that are also some language's stop
 * words ("a", "in") belong to it too; callers weigh that.
 */
export function languagesOfWord(word: string): Exclude<Language, "en">[] {
  const folded = fold(word);
  return OTHERS.filter((language) => {
    const ready = prepare(language);
    return ready.stopWords.has(folded) || ready.exact.has(folded) || ready.phrases.has(folded);
  });
}
