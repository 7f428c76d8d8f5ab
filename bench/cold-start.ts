/** Prints how long loading, validating and indexing the real knowledge base takes in this process. */
import path from "node:path";
import { buildKnowledge } from "../src/answer/knowledge.js";
import { loadKnowledgeDir } from "../src/knowledge/load.js";

const start = performance.now();
const loaded = await loadKnowledgeDir(path.join(import.meta.dirname, "..", "knowledge"), { warnings: false });
if (!loaded.ok) process.exit(1);
buildKnowledge(loaded.kb);
console.log(performance.now() - start);
