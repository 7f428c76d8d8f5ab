/**
 * One cold start, in this fresh process, as the bot starts: the knowledge base opened (validated
 * once per version: from the cache when these files were validated before) and indexed. With
 * `--validate` the cache is left out, as for a knowledge base the bot has not seen yet. Prints
 * {"load": ms, "index": ms}.
 */
import path from "node:path";
import { buildKnowledge } from "../src/answer/knowledge.js";
import { loadKnowledgeCached } from "../src/knowledge/cache.js";
import { loadKnowledgeDir } from "../src/knowledge/load.js";

const dir = path.join(import.meta.dirname, "..", "knowledge");
const start = performance.now();
const loaded = process.argv.includes("--validate")
  ? await loadKnowledgeDir(dir, { warnings: false })
  : await loadKnowledgeCached(dir);
if (!loaded.ok) process.exit(1);
const loadedAt = performance.now();
buildKnowledge(loaded.kb);
console.log(JSON.stringify({ load: loadedAt - start, index: performance.now() - loadedAt }));
