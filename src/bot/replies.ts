/** Knowledge and answers → platform-neutral replies. The words around facts live here. */
import { Citations } from "../answer/citations.js";
import type { Answer } from "../answer/types.js";
import { formatDate } from "../knowledge/format.js";
import { dealLabel } from "../knowledge/relations.js";
import { type Deal, FACT_STATUS_LABEL, type FactStatus, type KnowledgeBase } from "../knowledge/types.js";
import type { SmallTalk } from "../search/intent.js";
import { NO_LINKS, type SiteLinks } from "./links.js";
import type { Action, Block, Inline, Reply } from "./types.js";

export const STATUS_LABEL = FACT_STATUS_LABEL;

const STATUS_NOTE: Partial<Record<FactStatus, string>> = {
  alleged: "Alleged: claimed in a filing or by a party, not proven.",
  unsupported: "Not supported: a circulating claim the sources do not back.",
};

/** Button data: `<verb>:<deal id>`, at most 64 bytes because deal ids are at most 40 characters. */
export const actions = {
  sources: (deal: string): Action => ({ label: "Sources", data: `src:${deal}` }),
  more: (deal: string): Action => ({ label: "More on this deal", data: `deal:${deal}` }),
  related: (deal: string): Action => ({ label: "Related deals", data: `rel:${deal}` }),
  timeline: (deal: string): Action => ({ label: "Timeline", data: `tl:${deal}` }),
};

type ActionVerb = "src" | "deal" | "rel" | "tl";

/** Inline text, linked when there is somewhere to link to (the site, with SITE_URL set). */
function linked(text: string, href: string | undefined, bold?: true): Inline {
  return { text, ...(bold ? { bold } : {}), ...(href === undefined ? {} : { href }) };
}

/** A reply's `page`, when the site has one for it. */
function pageOf(links: SiteLinks, dealId: string | undefined): { page?: string } {
  const page = dealId === undefined ? undefined : links.deal(dealId);
  return page === undefined ? {} : { page };
}

export function parseAction(data: string): { verb: ActionVerb; deal: string } | undefined {
  const match = /^(src|deal|rel|tl):([a-z0-9-]{1,40})$/.exec(data);
  return match ? { verb: match[1] as ActionVerb, deal: match[2] as string } : undefined;
}

/**
 * `suggestions: false` leaves out the "Try asking" list (ask --json carries it apart). With `links`
 * (SITE_URL set), the deal's label links to its page and each fact's status to the fact on that page.
 */
export function answerReply(
  answer: Answer,
  kb: KnowledgeBase,
  options: { suggestions?: boolean; links?: SiteLinks } = {},
): Reply {
  const links = options.links ?? NO_LINKS;
  if (answer.status === "unknown") return unknownReply(answer, kb, options);
  const blocks: Block[] = [];
  // A claim's verdict, or a narrow question's answer read off the lead fact, comes first.
  const opening = answer.verdict?.text ?? answer.direct;
  if (opening) blocks.push({ kind: "paragraph", content: [{ text: opening, bold: true }] });
  const multipleDeals = answer.deals.length > 1;
  for (const deal of answer.deals) {
    if (multipleDeals) blocks.push({ kind: "heading", content: [linked(deal.label, links.deal(deal.id))] });
    for (const fact of answer.facts.filter((f) => f.deal === deal.id)) {
      // "When" questions see the date first; it is what they asked for.
      const dated = answer.intent === "when" && fact.date ? `, ${formatDate(fact.date)}` : "";
      blocks.push({
        kind: "item",
        content: [
          linked(`${STATUS_LABEL[fact.status]}${dated}:`, links.fact(deal.id, fact.id), true),
          ` ${fact.text}`,
        ],
        cites: fact.cites,
      });
    }
  }
  const lead = answer.deals[0];
  const notes = [
    factsSummary(answer),
    ...new Set(answer.facts.map((fact) => STATUS_NOTE[fact.status]).filter(Boolean)),
  ];
  const related = lead ? (kb.deals.get(lead.id)?.related.length ?? 0) > 0 : false;
  return {
    tone: "answer",
    ...(lead && !multipleDeals ? { title: lead.label } : {}),
    ...pageOf(links, lead?.id),
    blocks,
    citations: answer.citations,
    ...(notes.some(Boolean) ? { footer: notes.filter(Boolean).join(" ") } : {}),
    actions: lead
      ? [actions.sources(lead.id), actions.more(lead.id), ...(related ? [actions.related(lead.id)] : [])]
      : [],
  };
}

/** "2013–2024 · 2 alleged, 1 denied": when the facts happened and how sure they are. */
function factsSummary(answer: Answer): string {
  const years = answer.facts.flatMap((fact) => (fact.date ? [fact.date.slice(0, 4)] : [])).sort();
  const span =
    years.length === 0 ? "" : years[0] === years.at(-1) ? `${years[0]}` : `${years[0]}–${years.at(-1)}`;
  const counts = new Map<string, number>();
  for (const fact of answer.facts)
    counts.set(
      STATUS_LABEL[fact.status].toLowerCase(),
      (counts.get(STATUS_LABEL[fact.status].toLowerCase()) ?? 0) + 1,
    );
  const statuses = [...counts].map(([label, n]) => `${n} ${label}`).join(", ");
  const summary = [span, statuses].filter(Boolean).join(" · ");
  return summary ? `${summary}.` : "";
}

/** Short friendly lines for small talk: no facts, no sources. */
const SMALL_TALK: Record<SmallTalk, string> = {
  greeting: "Hi! Ask me who shared whose data with whom, and I'll show you the receipts.",
  thanks: "You're welcome! Ask me anything else about data-sharing deals.",
  bye: "Bye! Come back whenever you want the receipts.",
  identity:
    "I'm Receipts, a bot that answers questions about data-sharing deals between companies, using only sourced facts. /help lists what I can do.",
  ack: "Anything else you'd like me to check?",
};

export function unknownReply(
  answer: Answer,
  kb: KnowledgeBase,
  options: { suggestions?: boolean } = {},
): Reply {
  const suggestions = options.suggestions === false ? [] : suggestionBlocks(answer.suggestions);
  const reply = (tone: Reply["tone"], lines: readonly string[]): Reply => ({
    tone,
    blocks: [...lines.map((line): Block => ({ kind: "paragraph", content: [line] })), ...suggestions],
    citations: [],
    actions: [],
  });
  switch (answer.unanswered) {
    case "small-talk":
      return reply("info", [SMALL_TALK[answer.smallTalk ?? "ack"]]);
    case "advice":
      return reply("unknown", [
        "I don't give advice or predictions: I only report what my sources say about data-sharing deals that happened.",
      ]);
    case "nothing-new": {
      const deal = answer.deals[0];
      return reply("unknown", [
        `I have nothing more on that${deal ? ` about ${deal.label}` : ""}. /deal${deal ? ` ${deal.id}` : "s"} shows everything I know.`,
      ]);
    }
    default:
      return reply("unknown", [
        "I don't know that: nothing in my knowledge base answers it, and I only say what my sources say.",
        coverage(kb),
      ]);
  }
}

/** One sentence on what the bot covers, from the knowledge base itself. */
export function coverage(kb: KnowledgeBase): string {
  const parties = new Map<string, number>();
  for (const deal of kb.deals.values()) {
    for (const party of deal.parties) {
      if (kb.entities.get(party)?.kind === "company") parties.set(party, (parties.get(party) ?? 0) + 1);
    }
  }
  const top = [...parties.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([id]) => kb.entities.get(id)?.name ?? id);
  return `I know about ${kb.deals.size} data-sharing deals between companies, with ${kb.facts.size} sourced facts: ${top.join(", ")} and more. Try /deals for the list.`;
}

function suggestionBlocks(suggestions: readonly string[]): Block[] {
  if (suggestions.length === 0) return [];
  return [
    { kind: "heading", content: ["Try asking"] },
    ...suggestions.map((text): Block => ({ kind: "item", content: [{ text, italic: true }] })),
  ];
}

export function dealReply(deal: Deal, kb: KnowledgeBase, links: SiteLinks = NO_LINKS): Reply {
  const citations = new Citations(kb.sources);
  const parties = deal.parties.map((id) => kb.entities.get(id)?.name ?? id).join(", ");
  const period = deal.period
    ? `${deal.period.from}${deal.period.to ? `–${deal.period.to}` : " onwards"}`
    : undefined;
  const timeline = deal.facts
    .filter((fact) => fact.date)
    .sort((a, b) => (a.date as string).localeCompare(b.date as string))
    .slice(0, 12);
  const blocks: Block[] = [
    { kind: "paragraph", content: [deal.summary] },
    {
      kind: "paragraph",
      content: [
        { text: "Parties: ", bold: true },
        parties,
        { text: " · Status: ", bold: true },
        deal.status,
        ...(period ? [{ text: " · Period: ", bold: true as const }, period] : []),
      ],
    },
  ];
  if (timeline.length > 0) {
    blocks.push({ kind: "heading", content: ["Timeline"] });
    for (const fact of timeline) {
      blocks.push({
        kind: "item",
        content: [
          linked(`${fact.date} · ${STATUS_LABEL[fact.status]}:`, links.fact(deal.id, fact.id), true),
          ` ${fact.text}`,
        ],
        cites: citations.cite(fact.sources),
      });
    }
  }
  return {
    tone: "info",
    title: deal.title,
    ...pageOf(links, deal.id),
    blocks,
    citations: citations.list,
    footer: `${deal.facts.length} facts · /sources ${deal.id} lists every source`,
    actions: [
      actions.sources(deal.id),
      actions.timeline(deal.id),
      ...(deal.related.length > 0 ? [actions.related(deal.id)] : []),
    ],
  };
}

/** "Which Netflix deal?": one button (and one /deal line) per deal a name may mean. */
export function choicesReply(
  deals: readonly Deal[],
  verb: "deal" | "src" | "tl",
  typed: string,
  links: SiteLinks = NO_LINKS,
): Reply {
  return {
    tone: "info",
    title: `Which one? "${typed}" fits ${deals.length} deals`,
    blocks: deals.map(
      (deal): Block => ({
        kind: "item",
        content: [
          linked(dealLabel(deal), links.deal(deal.id), true),
          " — ",
          {
            text: `/${verb === "src" ? "sources" : verb === "tl" ? "timeline" : "deal"} ${deal.id}`,
            code: true,
          },
        ],
      }),
    ),
    citations: [],
    actions: deals.map((deal) => ({ label: dealLabel(deal), data: `${verb}:${deal.id}` })),
  };
}

export function sourcesReply(deal: Deal, kb: KnowledgeBase, links: SiteLinks = NO_LINKS): Reply {
  const cited = new Citations(kb.sources);
  cited.cite(deal.facts.flatMap((fact) => fact.sources));
  const citations = cited.list;
  return {
    tone: "info",
    title: `Sources: ${deal.title}`,
    ...pageOf(links, deal.id),
    blocks: [
      {
        kind: "paragraph",
        content: [`${citations.length} sources back the ${deal.facts.length} facts of this deal.`],
      },
    ],
    citations,
    actions: [actions.more(deal.id)],
  };
}

export function relatedReply(deal: Deal, kb: KnowledgeBase, links: SiteLinks = NO_LINKS): Reply {
  const related = deal.related.map((id) => kb.deals.get(id)).filter((d) => d !== undefined);
  return {
    tone: "info",
    title: `Related to: ${deal.title}`,
    ...pageOf(links, deal.id),
    blocks:
      related.length > 0
        ? related.map(
            (d): Block => ({
              kind: "item",
              content: [linked(d.title, links.deal(d.id), true), ` — /deal ${d.id}`],
            }),
          )
        : [{ kind: "paragraph", content: ["No related deals recorded."] }],
    citations: [],
    actions: related.slice(0, 3).map((d) => actions.more(d.id)),
  };
}

export function dealsReply(kb: KnowledgeBase, links: SiteLinks = NO_LINKS): Reply {
  const deals = [...kb.deals.values()].sort((a, b) => a.title.localeCompare(b.title));
  return {
    tone: "info",
    title: `${deals.length} deals`,
    blocks: deals.map(
      (deal): Block => ({
        kind: "item",
        content: [linked(deal.title, links.deal(deal.id)), " — ", { text: `/deal ${deal.id}`, code: true }],
      }),
    ),
    citations: [],
    footer: "Ask a question in your own words, or open a deal with /deal <name>.",
    actions: [],
  };
}

/** What a user sees when answering failed unexpectedly (the adapters log the cause). */
export const apologyReply = (): Reply =>
  infoReply(
    "Sorry, something went wrong",
    ["I couldn't answer that just now. Please try again in a moment, or see /help."],
    "error",
  );

export function infoReply(title: string, lines: readonly string[], tone: Reply["tone"] = "info"): Reply {
  return {
    tone,
    title,
    blocks: lines.map((line): Block => ({ kind: "paragraph", content: [line] })),
    citations: [],
    actions: [],
    ...(tone === "error" ? { ephemeral: true } : {}),
  };
}
