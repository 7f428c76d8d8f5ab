/**
 * One cold start, in this fresh process, as the bot starts: the knowledge base opened (validated
 * once per version: from the cache when these files were validated before) and indexed (from the
 * saved index when this version was indexed before). With `--validate` both caches are left out,
 * as for a knowledge base the bot has not seen yet. Prints
 * {"load": ms, "index": ms}.
 */
import path from "node:path";
import { buildKnowledge } from "../src/answer/knowledge.js";
import { loadKnowledgeCached } from "../src/knowledge/cache.js";
import { loadKnowledgeDir } from "../src/knowledge/load.js";
import { readSavedIndex, saveIndex } from "../src/search/index-cache.js";

const dir = path.join(import.meta.dirname, "..", "knowledge");
const start = performance.now();
const loaded = process.argv.includes("--validate")
  ? await loadKnowledgeDir(dir, { warnings: false })
  : await loadKnowledgeCached(dir);
if (!loaded.ok) process.exit(1);
const fresh = process.argv.includes("--validate");
const loadedAt = performance.now();
const saved = fresh ? undefined : await readSavedIndex(loaded.kb);
const { index } = buildKnowledge(loaded.kb, saved);
const indexedAt = performance.now();
if (!fresh && !saved) await saveIndex(index);
console.log(JSON.stringify({ load: loadedAt - start, index: indexedAt - loadedAt }));
