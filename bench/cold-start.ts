/**
 * One cold start, in this fresh process, as every entry point starts (src/startup.ts): the
 * knowledge base opened, validated once per version (from the cache when these files were
 * validated before); then the first answer, for which the search index is read from the one saved
 * for this version (or built, and saved for the next start). bench/start.ts runs it with TMPDIR an
 * empty folder for a version the bot has not seen. Prints {"ready": ms, "firstAnswer": ms}.
 */
import path from "node:path";
import { openKnowledge } from "../src/startup.js";

const started = performance.now();
const knowledge = await openKnowledge(path.join(import.meta.dirname, "..", "knowledge"));
if (!knowledge) process.exit(1);
const ready = performance.now();
knowledge.current.engine.answer("did facebook let netflix read messages?");
const answered = performance.now();
console.log(JSON.stringify({ ready: ready - started, firstAnswer: answered - ready }));
