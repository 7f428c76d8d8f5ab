/**
 * The search index, saved once per knowledge-base version beside the validated knowledge base
 * (knowledge/cache.ts): reading a saved index takes a fraction of building it, and a start with
 * files it has seen before then needs neither validating nor indexing. Keyed by the knowledge
 * base's version and by this folder's code (tokenising, stemming, synonyms, the index's fields),
 * so any change to either builds afresh. Best effort, as the knowledge cache: a file that cannot be
 * read or written is a miss, never an error.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCacheDir, hashFolder, readCacheJson, saveCacheJson } from "../knowledge/cache.js";
import type { KnowledgeBase } from "../knowledge/types.js";
import type { FactIndex, SavedIndex } from "./fact-index.js";

/** This folder (src/search or dist/search): the code that decides what the index holds. */
const SEARCH_DIR = path.dirname(fileURLToPath(import.meta.url));

let codeHash: string | undefined;

function fileOf(version: string, cacheDir: string): string {
  codeHash ??= hashFolder(SEARCH_DIR);
  return path.join(cacheDir, `index-${version}-${codeHash.slice(0, 16)}.json`);
}

/**
 * The index saved for this knowledge base by this code, if any. Synchronous, as the index is
 * built: when first needed (see startup.ts), in the 30 ms that reading it takes.
 */
export function readSavedIndex(
  kb: KnowledgeBase,
  cacheDir: string = defaultCacheDir(),
): SavedIndex | undefined {
  const saved = readCacheJson<SavedIndex>(fileOf(kb.version, cacheDir));
  return saved?.version === kb.version ? saved : undefined;
}

/** Saves an index for its knowledge base's next start; never throws. */
export function saveIndex(index: FactIndex, cacheDir: string = defaultCacheDir()): Promise<void> {
  return saveCacheJson(fileOf(index.kb.version, cacheDir), index.save(), "index");
}
