/** Loading knowledge bases for tests: the real one, and the small fixture. */
import path from "node:path";
import { buildKnowledge, type Knowledge } from "../../src/answer/knowledge.js";
import { loadKnowledgeDir } from "../../src/knowledge/load.js";

export const REPO = path.join(import.meta.dirname, "..", "..");
export const FIXTURE_DIR = path.join(REPO, "test", "knowledge", "fixtures", "valid");

const cache = new Map<string, Promise<Knowledge>>();

/** The knowledge in `dir` (default: the repository's), built once per test file. */
export function knowledgeFrom(dir = path.join(REPO, "knowledge")): Promise<Knowledge> {
  let built = cache.get(dir);
  if (!built) {
    built = loadKnowledgeDir(dir).then((result) => {
      if (!result.ok) throw new Error(`knowledge in ${dir} does not load: ${result.errors[0]?.message}`);
      return buildKnowledge(result.kb);
    });
    cache.set(dir, built);
  }
  return built;
}
