/** Text for maintainers: problems as file:line:column lines, and knowledge-base statistics. */
import { FACT_STATUSES, type KnowledgeBase, type Problem } from "./types.js";

export function formatProblem(problem: Problem): string {
  const prefix = problem.severity === "warning" ? "warning: " : "";
  return `${problem.file}:${problem.line}:${problem.column}: ${prefix}${problem.message}`;
}

export function summaryLine(kb: KnowledgeBase, warnings: number): string {
  return `knowledge base ok: ${kb.deals.size} deals, ${kb.facts.size} facts, ${kb.sources.size} sources, ${kb.entities.size} entities, ${warnings} warning${warnings === 1 ? "" : "s"} (version ${kb.version})`;
}

/** Facts per deal and per status, as an aligned plain-text table. */
export function statsTable(kb: KnowledgeBase): string {
  const header = ["deal", ...FACT_STATUSES, "total"];
  const rows = [...kb.deals.values()].map((deal) => {
    const counts = FACT_STATUSES.map((status) => deal.facts.filter((fact) => fact.status === status).length);
    return [deal.id, ...counts.map(String), String(deal.facts.length)];
  });
  const totals = FACT_STATUSES.map(
    (status) => [...kb.facts.values()].filter((fact) => fact.status === status).length,
  );
  rows.push(["all deals", ...totals.map(String), String(kb.facts.size)]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}
