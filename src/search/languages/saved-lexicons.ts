/**
 * Each language's lexicon as translating and telling languages use it (phrases by first word,
 * words and stop words with accents stripped, words by stem), saved in the private cache folder
 * (knowledge/cache.ts). Making them takes about a second on this project's 2-core machines (the
 * French and Italian lexicons spell each word with its elisions and inversions, and Snowball's
 * stemmers are JavaScript), and every process paid it, the one-shot `npm run ask` included,
 * since even an English question asks which words belong to another language. Reading them back
 * takes milliseconds. Keyed by this folder's code (the lexicons) and the versions of the stemmer
 * and stop-word packages, so any change prepares afresh. Best effort, as the other caches: a file
 * that cannot be read or written is a miss, never an error.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCacheDir, hashFolder, readCacheJson, saveCacheJson } from "../../knowledge/cache.js";

/** A phrase's words (accents stripped), and its English. */
export interface Phrase {
  readonly words: readonly string[];
  readonly to: string;
}

/**
 * One language's lexicon, ready to use, as saved: records, which JSON reads back in a few
 * milliseconds where a map's entries took several times longer.
 */
export interface SavedLexicon {
  /** Phrases by their first word, longest first. */
  readonly phrases: Readonly<Record<string, readonly Phrase[]>>;
  /** Words (accents stripped) → English. */
  readonly exact: Readonly<Record<string, string>>;
  readonly stopWords: readonly string[];
  /** Stems → English: each word of the lexicon by its stem, the first word with a stem winning. */
  readonly stems: Readonly<Record<string, string>>;
}

export type SavedLexicons = Readonly<Record<string, SavedLexicon>>;

/** This folder (src/search/languages or dist/search/languages): the lexicons. */
const LEXICON_DIR = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

let file: string | undefined;

function savedFile(cacheDir: string): string {
  file ??= `lexicons-${hashFolder(LEXICON_DIR).slice(0, 16)}-${version("snowball-stemmers")}-${version("stopwords-iso")}.json`;
  return path.join(cacheDir, file);
}

/** The lexicons saved for this code and these packages, if any. */
export function readSavedLexicons(cacheDir: string = defaultCacheDir()): SavedLexicons | undefined {
  const saved = readCacheJson<SavedLexicons>(savedFile(cacheDir));
  return typeof saved === "object" && saved !== null ? saved : undefined;
}

/** Saves every language's lexicon for the next start; never throws. */
export function saveLexicons(lexicons: SavedLexicons, cacheDir: string = defaultCacheDir()): Promise<void> {
  return saveCacheJson(savedFile(cacheDir), lexicons, "lexicons");
}
