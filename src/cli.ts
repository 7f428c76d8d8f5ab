/**
 * Command line: `kb:check`, `kb:stats` and `ask`. Run through npm scripts, e.g.
 * `npm run kb:check` or `npm run --silent ask -- --json "question"`.
 */
import { knowledgeDir } from "./config.js";
import { loadKnowledgeDir } from "./knowledge/load.js";
import { formatProblem, statsTable, summaryLine } from "./knowledge/report.js";

async function kbCheck(stats: boolean): Promise<number> {
  const result = await loadKnowledgeDir(knowledgeDir());
  for (const problem of [...(result.ok ? [] : result.errors), ...result.warnings]) {
    console.log(formatProblem(problem));
  }
  if (!result.ok) {
    console.log(`${result.errors.length} error${result.errors.length === 1 ? "" : "s"}, ${result.warnings.length} warnings`);
    return 1;
  }
  if (stats) console.log(statsTable(result.kb));
  console.log(summaryLine(result.kb, result.warnings.length));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "kb:check":
      return kbCheck(rest.includes("--stats"));
    case "kb:stats":
      return kbCheck(true);
    default:
      console.error(`usage: cli.ts kb:check | kb:stats | ask [--json] [--batch] [question]`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
