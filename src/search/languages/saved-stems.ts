/**
 * Each language's lexicon by stem, saved in the private cache folder (knowledge/cache.ts).
 * Stemming every word of the five lexicons takes about half a second (Snowball's stemmers in
 * JavaScript, and the French lexicon spells each word with its elisions and inversions), at every
 * start of the bot; reading them back takes milliseconds. Keyed by this folder's code (the
 * lexicons) and the stemmer package's version, so any change stems afresh. Best effort, as the other
 * caches: a file that cannot be read or written is a miss, never an error.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCacheDir, hashFolder, readCacheJson, saveCacheJson } from "../../knowledge/cache.js";

/** A language's stems → English, as entries. */
export type StemEntries = readonly (readonly [stem: string, english: string])[];
type Saved = Readonly<Record<string, StemEntries>>;

/** This folder (src/search/languages or dist/search/languages): the lexicons. */
const LEXICON_DIR = path.dirname(fileURLToPath(import.meta.url));
const STEMMER_VERSION = (
  createRequire(import.meta.url)("snowball-stemmers/package.json") as { version: string }
).version;

let file: string | undefined;

function savedFile(cacheDir: string): string {
  file ??= `stems-${hashFolder(LEXICON_DIR).slice(0, 16)}-${STEMMER_VERSION}.json`;
  return path.join(cacheDir, file);
}

/** The stems saved for these lexicons by this stemmer, if any. */
export function readSavedStems(cacheDir: string = defaultCacheDir()): Saved | undefined {
  const saved = readCacheJson<Saved>(savedFile(cacheDir));
  return typeof saved === "object" && saved !== null ? saved : undefined;
}

/** Saves every language's stems for the next start; never throws. */
export function saveStems(stems: Saved, cacheDir: string = defaultCacheDir()): Promise<void> {
  return saveCacheJson(savedFile(cacheDir), stems, "stems");
}
