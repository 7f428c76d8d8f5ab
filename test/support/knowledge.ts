/** Loading knowledge bases for tests: the real one, and the small fixture. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildKnowledge, type Knowledge } from "../../src/answer/knowledge.js";
import { loadKnowledgeCached } from "../../src/knowledge/cache.js";
import { type KnowledgeFile, loadKnowledge } from "../../src/knowledge/load.js";
import type { LoadResult } from "../../src/knowledge/types.js";

export const REPO = path.join(import.meta.dirname, "..", "..");
export const FIXTURE_DIR = path.join(REPO, "test", "knowledge", "fixtures", "valid");

const cache = new Map<string, Promise<Knowledge>>();

/**
 * The knowledge in `dir` (default: the repository's), built once per test worker: the test files
 * of a worker share it (see vitest.config.ts), validated once per version as the bot does (the
 * cache gives what the loader gives: test/knowledge/cache.test.ts).
 */
export function knowledgeFrom(dir = path.join(REPO, "knowledge")): Promise<Knowledge> {
  let built = cache.get(dir);
  if (!built) {
    built = loadKnowledgeCached(dir).then((result) => {
      if (!result.ok) throw new Error(`knowledge in ${dir} does not load: ${result.errors[0]?.message}`);
      return buildKnowledge(result.kb);
    });
    cache.set(dir, built);
  }
  return built;
}

/** Edits to the fixture's files: replace one exact string, replace the whole text, or delete (null). */
export type Edits = Record<string, readonly [from: string, to: string] | string | null>;

/** Loads the valid fixture with `edits` applied, in memory; file paths are relative, e.g. `deals/x.yaml`. */
export function loadFixture(edits: Edits = {}): LoadResult {
  const files = new Map<string, string>();
  for (const name of ["sources.yaml", "entities.yaml"])
    files.set(name, readFileSync(path.join(FIXTURE_DIR, name), "utf8"));
  for (const name of readdirSync(path.join(FIXTURE_DIR, "deals"))) {
    files.set(`deals/${name}`, readFileSync(path.join(FIXTURE_DIR, "deals", name), "utf8"));
  }
  for (const [name, edit] of Object.entries(edits)) {
    if (edit === null) files.delete(name);
    else if (typeof edit === "string") files.set(name, edit);
    else {
      const text = files.get(name) ?? "";
      if (!text.includes(edit[0])) throw new Error(`fixture ${name} has no ${JSON.stringify(edit[0])}`);
      files.set(name, text.replace(edit[0], edit[1]));
    }
  }
  const file = (name: string): KnowledgeFile | undefined => {
    const text = files.get(name);
    return text === undefined ? undefined : { path: name, text };
  };
  const deals = [...files.keys()].filter((name) => name.startsWith("deals/")).sort();
  return loadKnowledge({
    sources: file("sources.yaml"),
    entities: file("entities.yaml"),
    deals: deals.map((name) => file(name) as KnowledgeFile),
  });
}
