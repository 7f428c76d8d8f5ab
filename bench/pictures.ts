/**
 * Timeline pictures and the static site, on the real knowledge base: part of `npm run bench`,
 * or alone with `npx tsx bench/pictures.ts`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadKnowledgeDir } from "../src/knowledge/load.js";
import type { KnowledgeBase } from "../src/knowledge/types.js";
import { rasterise } from "../src/timeline/png.js";
import { datedFacts, timelineSvg } from "../src/timeline/svg.js";

const ROOT = path.join(import.meta.dirname, "..");

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `median ${median.toFixed(0)} ms, worst ${sorted.at(-1)?.toFixed(0)} ms over ${sorted.length} runs`;
}

export async function benchPictures(kb: KnowledgeBase): Promise<void> {
  console.log("\n## Timeline picture (the deal with the most dated facts: SVG, then PNG)\n");
  const deal = [...kb.deals.values()].sort(
    (a, b) => datedFacts(b).dated.length - datedFacts(a).dated.length,
  )[0];
  if (!deal) return;
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 21; i++) {
    const start = performance.now();
    const png = await rasterise(timelineSvg(deal));
    times.push(performance.now() - start);
    bytes = png.byteLength;
  }
  console.log(
    `${deal.id} (${datedFacts(deal).dated.length} dated facts): ${(bytes / 1024).toFixed(0)} KB; first ${times[0]?.toFixed(0)} ms; ${summary(times.slice(1))}`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const loaded = await loadKnowledgeDir(path.join(ROOT, "knowledge"), { warnings: false });
  if (!loaded.ok) throw new Error("the knowledge base does not load: run npm run kb:check");
  await benchPictures(loaded.kb);
}
