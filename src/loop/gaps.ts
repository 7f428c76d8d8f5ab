/**
 * Coverage gaps for maintainers: the most frequent unanswered questions (grouped by similar wording,
 * see wording.ts) and the facts with the most 👎, with counts and when last seen. `npm run gaps` prints
 * them; /stats shows admins the top 5.
 */
import type { Block } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import type { KnowledgeBase } from "../knowledge/types.js";
import type { Language } from "../search/languages/index.js";
import { day } from "./dates.js";
import { feedbackReason } from "./feedback.js";
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

function reasons(fact: DislikedFact, language: Language): string {
  return Object.entries(fact.reasons)
    .map(([reason, n]) => `${feedbackReason(language, reason)} ${n}`)
    .join(", ");
}

/** The gaps as blocks of a reply (/stats), in the admin's chat's language. */
export function gapBlocks(gaps: Gaps, kb: KnowledgeBase, language: Language): Block[] {
  if (gaps.unanswered.length === 0 && gaps.disliked.length === 0)
    return [
      { kind: "heading", content: [t(language, "loop.gapsHeading")] },
      { kind: "paragraph", content: [t(language, "loop.gapsNone")] },
    ];
  return [
    ...(gaps.unanswered.length > 0
      ? [
          { kind: "heading" as const, content: [t(language, "loop.gapsUnansweredHeading")] },
          ...gaps.unanswered.map(
            (g): Block => ({
              kind: "item",
              content: [
                { text: g.example, italic: true },
                t(language, "loop.gapsQuestion", { count: g.count, last: day(g.lastSeen, language) }),
              ],
            }),
          ),
        ]
      : []),
    ...(gaps.disliked.length > 0
      ? [
          { kind: "heading" as const, content: [t(language, "loop.gapsDislikedHeading")] },
          ...gaps.disliked.map(
            (f): Block => ({
              kind: "item",
              content: [
                { text: f.factId, code: true },
                kb.facts.has(f.factId) ? "" : t(language, "loop.gapsGone"),
                gapsFact(f, language),
              ],
            }),
          ),
        ]
      : []),
  ];
}

function gapsFact(fact: DislikedFact, language: Language): string {
  const why = reasons(fact, language);
  return t(language, "loop.gapsFact", {
    count: fact.count,
    last: day(fact.lastSeen, language),
    reasons: why ? ` (${why})` : "",
  });
}

/** The gaps as plain lines, for the command line (`npm run gaps`), in English. */
export function gapLines(gaps: Gaps, kb: KnowledgeBase | undefined): string[] {
  const lines: string[] = [];
  lines.push(`${t("en", "loop.gapsUnansweredHeading")} (last ${RETENTION.unansweredMs / 86_400_000} days):`);
  if (gaps.unanswered.length === 0) lines.push("  (none)");
  for (const g of gaps.unanswered)
    lines.push(`  ${String(g.count).padStart(4)}×  last ${day(g.lastSeen)}  "${g.example}"  [${g.key}]`);
  lines.push("", `${t("en", "loop.gapsDislikedHeading")}:`);
  if (gaps.disliked.length === 0) lines.push("  (none)");
  for (const f of gaps.disliked) {
    const fact = kb?.facts.get(f.factId);
    const why = reasons(f, "en");
    lines.push(
      `  ${String(f.count).padStart(4)}×  last ${day(f.lastSeen)}  ${f.factId}${why ? `  (${why})` : ""}${fact ? `  "${fact.text}"` : ""}`,
    );
  }
  return lines;
}
