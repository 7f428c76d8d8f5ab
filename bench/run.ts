/**
 * `npm run bench`: answer quality and latency of our engine against plain MiniSearch and Lunr
 * on the real knowledge base and question set; then scaling on synthetic knowledge bases;
 * then loading, and the start-up (bench/start.ts: cold start and first prompt); then timeline
 * pictures and the static site (pictures.ts).
 */
import path from "node:path";
import lunr from "lunr";
import MiniSearch from "minisearch";
import { buildKnowledge } from "../src/answer/knowledge.js";
import { loadKnowledgeDir } from "../src/knowledge/load.js";
import type { KnowledgeBase } from "../src/knowledge/types.js";
import { loadLanguageDetection } from "../src/search/languages/index.js";
import { measureQuality, median, percent } from "../test/support/quality.js";
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
  let answered = 0;
  let first = 0;
  let top3 = 0;
  let abstained = 0;
  questions.forEach((q, i) => {
    const got = engine.ask(q, q.chat ?? `single-${i}`);
    if (q.expect === "unknown") {
      if (got.length === 0) abstained++;
      return;
    }
    const lead = q.lead.length > 0 ? q.lead : q.facts;
    if (got.length > 0 && lead.includes(got[0] as string)) first++;
    if (got.slice(0, 3).some((id) => q.facts.includes(id))) top3++;
    if (got.some((id) => q.facts.includes(id))) answered++;
  });
  const answerable = questions.filter((q) => q.expect === "answered").length;
  const unanswerable = questions.length - answerable;
  const latencies = questions
    .flatMap((q, i) => timeAll(() => engine.ask(q, q.chat ?? `single-${i}`), REPEAT))
    .sort((a, b) => a - b);
  return {
    first: `${((first / answerable) * 100).toFixed(1)}%`,
    top3: `${((top3 / answerable) * 100).toFixed(1)}%`,
    answered: `${((answered / answerable) * 100).toFixed(1)}%`,
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
await loadLanguageDetection();
const knowledge = buildKnowledge(kb);
const measured = measureQuality(knowledge, questions);
const ourLatencies = questions
  .flatMap((q) => timeAll(() => knowledge.engine.answer(q.q, undefined, { language: q.language }), REPEAT))
  .sort((a, b) => a - b);
const baselines = [plainMiniSearch(kb), plainLunr(kb)].map((engine) => {
  const q = quality(engine, questions);
  return [engine.name, q.first, q.top3, q.answered, q.abstained, q.p50, q.p99];
});
console.log(
  table(
    [
      "engine",
      "right fact first",
      "right fact in top 3",
      "answered",
      "correct abstentions",
      "p50 ms",
      "p99 ms",
    ],
    [
      [
        "Receipts engine",
        percent(measured.first),
        percent(measured.top3),
        percent(measured.answered),
        percent(measured.abstained),
        percentile(ourLatencies, 0.5).toFixed(3),
        percentile(ourLatencies, 0.99).toFixed(3),
      ],
      ...baselines,
    ],
  ),
);

console.log("\n### Right fact first, per intent\n");
console.log(
  table(
    ["intent", "questions", "right fact first"],
    [...measured.firstByIntent]
      .sort((a, b) => b[1].of - a[1].of)
      .map(([intent, rate]) => [intent, String(rate.of), percent(rate)]),
  ),
);

console.log("\n### Per language\n");
console.log(
  table(
    ["language", "answerable", "right fact first", "to abstain on", "correct abstentions"],
    [...measured.byLanguage].map(([language, { first, abstained }]) => [
      language,
      String(first.of),
      percent(first),
      String(abstained.of),
      percent(abstained),
    ]),
  ),
);

const shown = [...measured.shownTiers.values()].reduce((a, b) => a + b, 0);
const share = (tier: string) =>
  `${((100 * (measured.shownTiers.get(tier) ?? 0)) / Math.max(1, shown)).toFixed(1)}%`;
const lengths = measured.telegramLengths;
console.log("\n### Replies\n");
console.log(
  table(
    [
      "Telegram reply, median chars",
      "p90",
      "longest",
      "replies over one message or embed",
      "follow-ups repeating the reply before",
      "sources shown: primary",
      "original",
      "syndication",
      "copy",
    ],
    [
      [
        String(median(lengths)),
        String(lengths[Math.floor(lengths.length * 0.9)] ?? 0),
        String(lengths.at(-1) ?? 0),
        String(measured.oversized.length),
        String(measured.repeats.length),
        share("primary"),
        share("original"),
        share("syndication"),
        share("copy"),
      ],
    ],
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
    `${((found / synthetic.questions.length) * 100).toFixed(1)}%`,
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
