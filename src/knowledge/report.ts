/** Text for maintainers: problems as file:line:column lines, and knowledge-base statistics. */
import { orderSources, SOURCE_TIERS, type SourceTier, tierOf } from "./tiers.js";
import { FACT_STATUSES, type KnowledgeBase, type Problem } from "./types.js";

/** Longest problem message: a message quotes values from the files, and they can be anything. */
export const MESSAGE_MAX = 300;
/** Longest value a message quotes. */
const QUOTED_MAX = 60;

/**
 * A value from a knowledge file as a message quotes it: text in quotes, clipped; a list or a map
 * named, never written out (aliases can make one of a few bytes enormous).
 */
export function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(clipped(value, QUOTED_MAX));
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a map";
  return clipped(String(value), QUOTED_MAX);
}

/** A problem whose message is at most MESSAGE_MAX characters. */
export function bounded(problem: Problem): Problem {
  return problem.message.length <= MESSAGE_MAX
    ? problem
    : { ...problem, message: clipped(problem.message, MESSAGE_MAX) };
}

function clipped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

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

/**
 * Receipts by tier: how many sources each tier holds, how many facts have their best source in
 * each, how many deals cite a primary document, and the facts whose best source is only a copy.
 */
export function tiersReport(kb: KnowledgeBase): string {
  const sources = new Map<SourceTier, number>(SOURCE_TIERS.map((tier) => [tier, 0]));
  for (const source of kb.sources.values())
    sources.set(tierOf(source), (sources.get(tierOf(source)) ?? 0) + 1);
  const best = new Map<SourceTier, number>(SOURCE_TIERS.map((tier) => [tier, 0]));
  const copies: string[] = [];
  for (const fact of kb.facts.values()) {
    const first = kb.sources.get(orderSources(fact.sources, kb.sources)[0] ?? "");
    if (!first) continue;
    const tier = tierOf(first);
    best.set(tier, (best.get(tier) ?? 0) + 1);
    if (tier === "copy") copies.push(`  ${fact.id} (${fact.deal}): ${first.id}`);
  }
  const withPrimary = [...kb.deals.values()].filter((deal) =>
    deal.facts.some((fact) =>
      fact.sources.some((id) => {
        const source = kb.sources.get(id);
        return source !== undefined && tierOf(source) === "primary";
      }),
    ),
  ).length;
  const share = (n: number, of: number) => `${n} (${of > 0 ? ((100 * n) / of).toFixed(1) : "0"}%)`;
  const rows = SOURCE_TIERS.map(
    (tier) =>
      `${tier.padEnd(12)}${share(sources.get(tier) ?? 0, kb.sources.size).padStart(14)}${share(best.get(tier) ?? 0, kb.facts.size).padStart(16)}`,
  );
  return [
    `${"tier".padEnd(12)}${"sources".padStart(14)}${"facts (best)".padStart(16)}`,
    ...rows,
    `deals citing a primary document: ${share(withPrimary, kb.deals.size)}`,
    `facts whose best source is only a copy: ${copies.length}`,
    ...copies,
  ].join("\n");
}
