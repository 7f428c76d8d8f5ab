/**
 * What every entry point (the bot, `ask`, `kb:check`, `kb:stats`) does first, the same way and in
 * the same words: read .env, check the configuration, open the knowledge base. Each step prints
 * what is wrong on stderr and returns undefined; the entry point then exits 1.
 */
import path from "node:path";
import dotenv from "dotenv";
import { buildKnowledge, type Knowledge, KnowledgeHolder } from "./answer/knowledge.js";
import { type Config, ConfigError, loadCheckedConfig } from "./config.js";
import { loadKnowledgeCached } from "./knowledge/cache.js";
import { formatProblem } from "./knowledge/report.js";
import type { KnowledgeBase, Problem } from "./knowledge/types.js";
import { readSavedIndex, saveIndex } from "./search/index-cache.js";
import { loadLanguageDetection, prepareLanguages } from "./search/languages/index.js";

/** A .env file in the working folder fills in what the environment does not set. */
export function readDotenv(): void {
  const error = dotenv.config({ quiet: true }).error as NodeJS.ErrnoException | undefined;
  if (error && error.code !== "ENOENT") console.error(`receipts: cannot read .env: ${error.message}`);
}

/**
 * The configuration, checked as src/config.ts checks it: every problem listed at once. The
 * command-line tools keep nothing in DATA_DIR and pass `{ dataDir: false }`.
 */
export async function checkedConfig(
  options: { readonly dataDir?: boolean } = {},
): Promise<Config | undefined> {
  try {
    return await loadCheckedConfig(process.env, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return undefined;
  }
}

/**
 * The knowledge base, validated once per version (see knowledge/cache.ts), or undefined after its
 * errors. Its search index is made when first needed: /deals needs none, and the console shows
 * its prompt first (see `warm`).
 */
export async function openKnowledge(dir: string): Promise<KnowledgeHolder | undefined> {
  const loaded = await loadKnowledgeCached(dir);
  if (loaded.ok) return new KnowledgeHolder(indexedWhenNeeded(loaded.kb));
  reportKnowledgeErrors(dir, loaded.errors);
  return undefined;
}

/**
 * The knowledge base now, its index and answer engine on first use: read from the index saved
 * for this version (search/index-cache.ts), else built and saved for the next start.
 */
function indexedWhenNeeded(kb: KnowledgeBase): Knowledge {
  let built: Knowledge | undefined;
  const knowledge = () => {
    if (!built) {
      const saved = readSavedIndex(kb);
      built = buildKnowledge(kb, saved);
      if (!saved) void saveIndex(built.index);
    }
    return built;
  };
  return {
    kb,
    get index() {
      return knowledge().index;
    },
    get engine() {
      return knowledge().engine;
    },
  };
}

/**
 * Builds the index and prepares the other languages' lexicons and detector now, if not done yet:
 * once the first prompt shows, while nobody waits (else the first question pays for them, past
 * Discord's three seconds to answer an interaction on a slow machine).
 */
export function warm(knowledge: KnowledgeHolder): void {
  void knowledge.current.index;
  prepareLanguages();
  void loadLanguageDetection();
}

/** Every error, located, then what to run to see them again. */
function reportKnowledgeErrors(dir: string, errors: readonly Problem[]): void {
  for (const problem of errors) console.error(formatProblem(problem));
  console.error(
    `receipts: the knowledge base in ${dir} has errors: fix them, then check with ${checkCommand(dir)}`,
  );
}

/** `npm run kb:check`, with KNOWLEDGE_DIR when the folder is not the default, so it checks the same one. */
function checkCommand(dir: string): string {
  return path.resolve(dir) === path.resolve("knowledge")
    ? "npm run kb:check"
    : `KNOWLEDGE_DIR=${dir} npm run kb:check`;
}
