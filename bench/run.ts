/**
 * `npm run bench`: answer quality and latency of our engine against plain MiniSearch and Lunr
 * on the real knowledge base and question set; then scaling on synthetic knowledge bases;
 * then loading, and the start-up (bench/start.ts: cold start and first prompt); then timeline
 * pictures and the static site (pictures.ts).
 */
import path from "node:path";
import lunr from "lunr";
import MiniSearch from "minisearch";
import { Conversations } from "../src/answer/conversation.js";
import { buildKnowledge } from "../src/answer/knowledge.js";
import { loadKnowledgeDir } from "../src/knowledge/load.js";
import type { KnowledgeBase } from "../src/knowledge/types.js";
import { loadQuestions, type QuestionCase } from "../test/support/questions.js";
import { benchPictures } from "./pictures.js";
import { machine, startReport } from "./start.js";
import { syntheticKnowledgeBase } from "./synthetic.js";

const ROOT = path.join(import.meta.dirname, "..");
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);

/** An engine under test: a question (and its chat) → ranked fact ids, empty for "I don't know". */
type Engine = { name: string; ask: (q: QuestionCase, chat: string) => string[] };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function timeAll(fn: () => void, times: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out;
}

function ours(kb: KnowledgeBase): Engine {
  const { engine } = buildKnowledge(kb);
  const conversations = new Conversations();
  return {
    name: "Receipts engine",
    ask: (q, chat) => {
      const { answer, focus } = engine.answer(q.q, conversations.get(chat));
      if (focus) conversations.set(chat, focus);
      return answer.facts.map((f) => f.id);
    },
  };
}

function plainMiniSearch(kb: KnowledgeBase): Engine {
  const index = new MiniSearch<{ id: string; text: string }>({ fields: ["text"] });
  index.addAll([...kb.facts.values()].map(({ id, text }) => ({ id, text })));
  return {
    name: "MiniSearch, default options",
    ask: (q) =>
      index
        .search(q.q)
        .slice(0, 5)
        .map((r) => String(r.id)),
  };
}

function plainLunr(kb: KnowledgeBase): Engine {
  const facts = [...kb.facts.values()];
  const index = lunr(function () {
    this.ref("id");
    this.field("text");
    for (const { id, text } of facts) this.add({ id, text });
  });
  // Lunr's query syntax gives : ~ ^ * + - a meaning; a question should be words only.
  return {
    name: "Lunr",
    ask: (q) =>
      index
        .search(q.q.replace(/[:~^*+-]/g, " "))
        .slice(0, 5)
        .map((r) => r.ref),
  };
}

function quality(engine: Engine, questions: QuestionCase[]) {
  let first = 0;
  let top3 = 0;
  let abstained = 0;
  questions.forEach((q, i) => {
    const got = engine.ask(q, q.chat ?? `single-${i}`);
    if (q.expect === "unknown") {
      if (got.length === 0) abstained++;
      return;
    }
    if (got.length > 0 && q.facts.includes(got[0] as string)) first++;
    if (got.slice(0, 3).some((id) => q.facts.includes(id))) top3++;
  });
  const answerable = questions.filter((q) => q.expect === "answered").length;
  const unanswerable = questions.length - answerable;
  const latencies = questions
    .flatMap((q, i) => timeAll(() => engine.ask(q, q.chat ?? `single-${i}`), REPEAT))
    .sort((a, b) => a - b);
  return {
    first: `${((first / answerable) * 100).toFixed(1)}%`,
    top3: `${((top3 / answerable) * 100).toFixed(1)}%`,
    abstained: `${((abstained / unanswerable) * 100).toFixed(1)}%`,
    p50: percentile(latencies, 0.5).toFixed(3),
    p99: percentile(latencies, 0.99).toFixed(3),
  };
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function heapMb(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const loaded = await loadKnowledgeDir(path.join(ROOT, "knowledge"), { warnings: false });
if (!loaded.ok) throw new Error("the knowledge base has errors: npm run kb:check");
const { kb } = loaded;
const questions = loadQuestions();

console.log(`Machine: ${machine()}\n`);
console.log(
  `## Answer quality and latency (real knowledge base: ${kb.facts.size} facts, ${questions.length} questions)\n`,
);
const engines = [ours(kb), plainMiniSearch(kb), plainLunr(kb)];
console.log(
  table(
    ["engine", "right fact first", "right fact in top 3", "correct abstentions", "p50 ms", "p99 ms"],
    engines.map((engine) => {
      const q = quality(engine, questions);
      return [engine.name, q.first, q.top3, q.abstained, q.p50, q.p99];
    }),
  ),
);

console.log("\n## Scaling (synthetic knowledge bases)\n");
const rows: string[][] = [];
for (const size of SIZES) {
  const synthetic = syntheticKnowledgeBase(size, kb);
  const before = heapMb();
  const start = performance.now();
  const { engine } = buildKnowledge(synthetic.kb);
  const build = performance.now() - start;
  const memory = heapMb() - before;
  const latencies = synthetic.questions
    .flatMap(({ q }) => timeAll(() => engine.answer(q), 5))
    .sort((a, b) => a - b);
  let found = 0;
  for (const { q, fact } of synthetic.questions)
    if (engine.answer(q).answer.facts.some((f) => f.id === fact)) found++;
  const plain = plainMiniSearch(synthetic.kb);
  const plainLatencies = synthetic.questions
    .slice(0, 50)
    .flatMap(({ q }) => timeAll(() => plain.ask({ q } as QuestionCase, ""), 3))
    .sort((a, b) => a - b);
  rows.push([
    size.toLocaleString("en"),
    build.toFixed(0),
    memory.toFixed(0),
    percentile(latencies, 0.5).toFixed(2),
    percentile(latencies, 0.99).toFixed(2),
    `${((found / synthetic.questions.length) * 100).toFixed(0)}%`,
    percentile(plainLatencies, 0.99).toFixed(1),
  ]);
}
console.log(
  table(
    [
      "facts",
      "index build ms",
      "heap MB",
      "answer p50 ms",
      "answer p99 ms",
      "source fact found",
      "plain MiniSearch p99 ms",
    ],
    rows,
  ),
);

console.log("\n## Loading (load and validate the real knowledge base, in a warm process)\n");
const loads: number[] = [];
for (let i = 0; i < 10; i++) {
  const start = performance.now();
  await loadKnowledgeDir(path.join(ROOT, "knowledge"), { warnings: false });
  loads.push(performance.now() - start);
}
loads.sort((a, b) => a - b);
console.log(
  `median ${percentile(loads, 0.5).toFixed(1)} ms, worst ${loads.at(-1)?.toFixed(1)} ms over 10 runs`,
);

console.log(`\n${await startReport()}`);

await benchPictures(kb);
