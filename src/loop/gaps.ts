/**
 * Coverage gaps for maintainers: the most frequent unanswered questions (grouped by similar wording,
 * see wording.ts) and the facts with the most 👎, with counts and when last seen. `npm run gaps` prints
 * them; /stats shows admins the top 5.
 */
import type { Block } from "../bot/types.js";
import type { KnowledgeBase } from "../knowledge/types.js";
import { day } from "./dates.js";
import { LOOP_TEXT } from "./messages.js";
import { type DislikedFact, type GapGroup, type LoopStore, RETENTION } from "./store.js";

export interface Gaps {
  readonly unanswered: readonly GapGroup[];
  readonly disliked: readonly DislikedFact[];
}

export async function findGaps(store: LoopStore, limit: number, now: number): Promise<Gaps> {
  return {
    unanswered: await store.topUnanswered(limit, now - RETENTION.unansweredMs),
    disliked: await store.mostDisliked(limit, now - RETENTION.feedbackMs),
  };
}

function reasons(fact: DislikedFact): string {
  return Object.entries(fact.reasons)
    .map(
      ([reason, n]) =>
        `${LOOP_TEXT.feedbackReasons[reason as keyof typeof LOOP_TEXT.feedbackReasons] ?? reason} ${n}`,
    )
    .join(", ");
}

/** The gaps as blocks of a reply (/stats). */
export function gapBlocks(gaps: Gaps, kb: KnowledgeBase): Block[] {
  if (gaps.unanswered.length === 0 && gaps.disliked.length === 0)
    return [
      { kind: "heading", content: [LOOP_TEXT.gapsHeading] },
      { kind: "paragraph", content: [LOOP_TEXT.gapsNone] },
    ];
  return [
    ...(gaps.unanswered.length > 0
      ? [
          { kind: "heading" as const, content: [LOOP_TEXT.gapsUnansweredHeading] },
          ...gaps.unanswered.map(
            (g): Block => ({
              kind: "item",
              content: [{ text: g.example, italic: true }, LOOP_TEXT.gapsQuestion(g.count, day(g.lastSeen))],
            }),
          ),
        ]
      : []),
    ...(gaps.disliked.length > 0
      ? [
          { kind: "heading" as const, content: [LOOP_TEXT.gapsDislikedHeading] },
          ...gaps.disliked.map(
            (f): Block => ({
              kind: "item",
              content: [
                { text: f.factId, code: true },
                kb.facts.has(f.factId) ? "" : " (no longer in the knowledge base)",
                LOOP_TEXT.gapsFact(f.count, day(f.lastSeen), reasons(f)),
              ],
            }),
          ),
        ]
      : []),
  ];
}

/** The gaps as plain lines, for the command line (`npm run gaps`). */
export function gapLines(gaps: Gaps, kb: KnowledgeBase | undefined): string[] {
  const lines: string[] = [];
  lines.push(`${LOOP_TEXT.gapsUnansweredHeading} (last ${RETENTION.unansweredMs / 86_400_000} days):`);
  if (gaps.unanswered.length === 0) lines.push("  (none)");
  for (const g of gaps.unanswered)
    lines.push(`  ${String(g.count).padStart(4)}×  last ${day(g.lastSeen)}  "${g.example}"  [${g.key}]`);
  lines.push("", `${LOOP_TEXT.gapsDislikedHeading}:`);
  if (gaps.disliked.length === 0) lines.push("  (none)");
  for (const f of gaps.disliked) {
    const fact = kb?.facts.get(f.factId);
    const why = reasons(f);
    lines.push(
      `  ${String(f.count).padStart(4)}×  last ${day(f.lastSeen)}  ${f.factId}${why ? `  (${why})` : ""}${fact ? `  "${fact.text}"` : ""}`,
    );
  }
  return lines;
}
