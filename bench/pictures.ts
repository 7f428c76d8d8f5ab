/**
 * Timeline pictures and the static site, on the real knowledge base: part of `npm run bench`,
 * or alone with `npx tsx bench/pictures.ts`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadKnowledgeDir } from "../src/knowledge/load.js";
import type { KnowledgeBase } from "../src/knowledge/types.js";
import { buildSite } from "../src/site/build.js";
import { dealsLastChanged } from "../src/site/history.js";
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

  console.log("\n## Static site (every page, the feed and the assets)\n");
  const out = mkdtempSync(path.join(tmpdir(), "receipts-bench-site-"));
  try {
    const builds: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      await buildSite({ kb, out, lastChanged: await dealsLastChanged(path.join(ROOT, "knowledge")) });
      builds.push(performance.now() - start);
    }
    console.log(`in a warm process, with git history: ${summary(builds)}`);
    const commands: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "site", "--out", out], { cwd: ROOT });
      commands.push(performance.now() - start);
    }
    console.log(`npm run site in a fresh process (start, load, validate, build): ${summary(commands)}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const loaded = await loadKnowledgeDir(path.join(ROOT, "knowledge"), { warnings: false });
  if (!loaded.ok) throw new Error("the knowledge base does not load: run npm run kb:check");
  await benchPictures(loaded.kb);
}
