/**
 * Knowledge and answers → platform-neutral replies, framed in the chat's language (the words come
 * from the message files, see i18n/messages.ts); the facts themselves stay in English.
 */
import { Citations } from "../answer/citations.js";
import type { Answer } from "../answer/types.js";
import { say, t } from "../i18n/messages.js";
import { formatDate } from "../knowledge/format.js";
import { dealLabel } from "../knowledge/relations.js";
import { type Deal, FACT_STATUS_LABEL, type FactStatus, type KnowledgeBase } from "../knowledge/types.js";
import type { Language } from "../search/languages/index.js";
import { NO_LINKS, type SiteLinks } from "./links.js";
import type { Action, Block, Inline, Reply } from "./types.js";

export const STATUS_LABEL = FACT_STATUS_LABEL;

/** A fact status's label ("Alleged", "Behauptet") in `language`. */
export const statusLabel = (language: Language, status: FactStatus): string =>
  t(language, `status.${status}`);

/** The statuses whose meaning a reply spells out in its footer. */
const NOTED: ReadonlySet<FactStatus> = new Set(["alleged", "unsupported"]);

/** The one line a reply in another language carries: the facts are quoted in English. */
export function englishNote(language: Language): string | undefined {
  return language === "en" ? undefined : t(language, "note.english");
}

/** "Alleged:" before a fact, with the colon as the language sets it ("Allégué :"). */
const itemLabel = (language: Language, label: string): string => t(language, "answer.label", { label });

/** Joins footer notes, leaving out empty ones. */
function footerOf(notes: readonly (string | undefined)[]): string | undefined {
  const kept = notes.filter((note): note is string => Boolean(note));
  return kept.length > 0 ? kept.join(" ") : undefined;
}

/** Button data: `<verb>:<deal id>`, at most 64 bytes because deal ids are at most 40 characters. */
export const actions = {
  sources: (deal: string, language: Language = "en"): Action => ({
    label: t(language, "button.sources"),
    data: `src:${deal}`,
  }),
  more: (deal: string, language: Language = "en"): Action => ({
    label: t(language, "button.more"),
    data: `deal:${deal}`,
  }),
  related: (deal: string, language: Language = "en"): Action => ({
    label: t(language, "button.related"),
    data: `rel:${deal}`,
  }),
  timeline: (deal: string, language: Language = "en"): Action => ({
    label: t(language, "button.timeline"),
    data: `tl:${deal}`,
  }),
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

export interface ReplyOptions {
  /** False leaves out the "Try asking" list (ask --json carries it apart). */
  readonly suggestions?: boolean;
  /** The language the reply is framed in; by default the one the question was understood in. */
  readonly language?: Language;
  /** With SITE_URL set, the deal's label links to its page and each fact's status to the fact on it. */
  readonly links?: SiteLinks;
}

export function answerReply(answer: Answer, kb: KnowledgeBase, options: ReplyOptions = {}): Reply {
  const language = options.language ?? answer.language;
  const links = options.links ?? NO_LINKS;
  if (answer.status === "unknown") return unknownReply(answer, kb, { ...options, language });
  const blocks: Block[] = [];
  // A claim's verdict, or a narrow question's answer read off the lead fact, comes first.
  const opening = openingLine(answer, language);
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
          linked(
            itemLabel(language, `${statusLabel(language, fact.status)}${dated}`),
            links.fact(deal.id, fact.id),
            true,
          ),
          ` ${fact.text}`,
        ],
        cites: fact.cites,
      });
    }
  }
  const lead = answer.deals[0];
  const footer = footerOf([
    factsSummary(answer, language),
    ...new Set(
      answer.facts
        .filter((fact) => NOTED.has(fact.status))
        .map((fact) => t(language, `statusNote.${fact.status}`)),
    ),
    englishNote(language),
  ]);
  const related = lead ? (kb.deals.get(lead.id)?.related.length ?? 0) > 0 : false;
  return {
    tone: "answer",
    ...(language !== "en" ? { language } : {}),
    ...(lead && !multipleDeals ? { title: lead.label } : {}),
    ...pageOf(links, lead?.id),
    blocks,
    citations: answer.citations,
    ...(footer ? { footer } : {}),
    actions: lead
      ? [
          actions.sources(lead.id, language),
          actions.more(lead.id, language),
          ...(related ? [actions.related(lead.id, language)] : []),
        ]
      : [],
  };
}

/** The verdict on a claim, or the direct answer to a narrow question, in `language`. */
function openingLine(answer: Answer, language: Language): string | undefined {
  if (answer.verdict)
    return answer.verdict.phrase ? say(language, answer.verdict.phrase) : answer.verdict.text;
  if (answer.directPhrase) return say(language, answer.directPhrase);
  return answer.direct;
}

/** "2013–2024 · 2 alleged, 1 denied": when the facts happened and how sure they are. */
function factsSummary(answer: Answer, language: Language): string {
  const years = answer.facts.flatMap((fact) => (fact.date ? [fact.date.slice(0, 4)] : [])).sort();
  const span =
    years.length === 0 ? "" : years[0] === years.at(-1) ? `${years[0]}` : `${years[0]}–${years.at(-1)}`;
  const counts = new Map<FactStatus, number>();
  for (const fact of answer.facts) counts.set(fact.status, (counts.get(fact.status) ?? 0) + 1);
  const statuses = [...counts]
    .map(([status, count]) => t(language, `statusCount.${status}`, { count }))
    .join(", ");
  const summary = [span, statuses].filter(Boolean).join(" · ");
  return summary ? `${summary}.` : "";
}

export function unknownReply(answer: Answer, kb: KnowledgeBase, options: ReplyOptions = {}): Reply {
  const language = options.language ?? answer.language;
  const suggestions = options.suggestions === false ? [] : suggestionBlocks(answer.suggestions, language);
  const reply = (tone: Reply["tone"], lines: readonly string[]): Reply => ({
    tone,
    ...(language !== "en" ? { language } : {}),
    blocks: [...lines.map((line): Block => ({ kind: "paragraph", content: [line] })), ...suggestions],
    citations: [],
    actions: [],
  });
  switch (answer.unanswered) {
    case "small-talk":
      return reply("info", [t(language, `smallTalk.${answer.smallTalk ?? "ack"}`)]);
    case "advice":
      return reply("unknown", [t(language, "unknown.advice")]);
    case "nothing-new": {
      const deal = answer.deals[0];
      return reply("unknown", [
        deal
          ? t(language, "unknown.nothingNewDeal", { deal: deal.label, id: deal.id })
          : t(language, "unknown.nothingNew"),
      ]);
    }
    default:
      return reply("unknown", [t(language, "unknown.noMatch"), coverage(kb, language)]);
  }
}

/** One sentence on what the bot covers, from the knowledge base itself. */
export function coverage(kb: KnowledgeBase, language: Language = "en"): string {
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
  return t(language, "coverage", { deals: kb.deals.size, facts: kb.facts.size, top: top.join(", ") });
}

function suggestionBlocks(suggestions: readonly string[], language: Language): Block[] {
  if (suggestions.length === 0) return [];
  return [
    { kind: "heading", content: [t(language, "heading.tryAsking")] },
    ...suggestions.map((text): Block => ({ kind: "item", content: [{ text, italic: true }] })),
  ];
}

export function dealReply(
  deal: Deal,
  kb: KnowledgeBase,
  language: Language = "en",
  links: SiteLinks = NO_LINKS,
): Reply {
  const citations = new Citations(kb.sources);
  const parties = deal.parties.map((id) => kb.entities.get(id)?.name ?? id).join(", ");
  const period = deal.period
    ? deal.period.to
      ? `${deal.period.from}–${deal.period.to}`
      : t(language, "deal.onwards", { from: deal.period.from })
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
        { text: t(language, "deal.parties"), bold: true },
        parties,
        { text: t(language, "deal.status"), bold: true },
        t(language, `dealStatus.${deal.status}`),
        ...(period ? [{ text: t(language, "deal.period"), bold: true as const }, period] : []),
      ],
    },
  ];
  if (timeline.length > 0) {
    blocks.push({ kind: "heading", content: [t(language, "heading.timeline")] });
    for (const fact of timeline) {
      blocks.push({
        kind: "item",
        content: [
          linked(
            itemLabel(language, `${fact.date} · ${statusLabel(language, fact.status)}`),
            links.fact(deal.id, fact.id),
            true,
          ),
          ` ${fact.text}`,
        ],
        cites: citations.cite(fact.sources),
      });
    }
  }
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: deal.title,
    ...pageOf(links, deal.id),
    blocks,
    citations: citations.list,
    footer: footerOf([
      t(language, "deal.footer", { n: deal.facts.length, id: deal.id }),
      englishNote(language),
    ]),
    actions: [
      actions.sources(deal.id, language),
      actions.timeline(deal.id, language),
      ...(deal.related.length > 0 ? [actions.related(deal.id, language)] : []),
    ],
  };
}

/** "Which Netflix deal?": one button (and one /deal line) per deal a name may mean. */
export function choicesReply(
  deals: readonly Deal[],
  verb: "deal" | "src" | "tl",
  typed: string,
  language: Language = "en",
  links: SiteLinks = NO_LINKS,
): Reply {
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "choices.title", { typed, n: deals.length }),
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

export function sourcesReply(
  deal: Deal,
  kb: KnowledgeBase,
  language: Language = "en",
  links: SiteLinks = NO_LINKS,
): Reply {
  const cited = new Citations(kb.sources);
  cited.cite(deal.facts.flatMap((fact) => fact.sources));
  const citations = cited.list;
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "sources.title", { title: deal.title }),
    ...pageOf(links, deal.id),
    blocks: [
      {
        kind: "paragraph",
        content: [t(language, "sources.count", { n: citations.length, facts: deal.facts.length })],
      },
    ],
    citations,
    actions: [actions.more(deal.id, language)],
  };
}

export function relatedReply(
  deal: Deal,
  kb: KnowledgeBase,
  language: Language = "en",
  links: SiteLinks = NO_LINKS,
): Reply {
  const related = deal.related.map((id) => kb.deals.get(id)).filter((d) => d !== undefined);
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "related.title", { title: deal.title }),
    ...pageOf(links, deal.id),
    blocks:
      related.length > 0
        ? related.map(
            (d): Block => ({
              kind: "item",
              content: [linked(d.title, links.deal(d.id), true), ` — /deal ${d.id}`],
            }),
          )
        : [{ kind: "paragraph", content: [t(language, "related.none")] }],
    citations: [],
    actions: related.slice(0, 3).map((d) => actions.more(d.id, language)),
  };
}

export function dealsReply(kb: KnowledgeBase, language: Language = "en", links: SiteLinks = NO_LINKS): Reply {
  const deals = [...kb.deals.values()].sort((a, b) => a.title.localeCompare(b.title));
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "deals.title", { n: deals.length }),
    blocks: deals.map(
      (deal): Block => ({
        kind: "item",
        content: [linked(deal.title, links.deal(deal.id)), " — ", { text: `/deal ${deal.id}`, code: true }],
      }),
    ),
    citations: [],
    footer: t(language, "deals.footer"),
    actions: [],
  };
}

/** What a user sees when answering failed unexpectedly (the adapters log the cause). */
export const apologyReply = (language: Language = "en"): Reply =>
  infoReply(t(language, "apology.title"), [t(language, "apology.text")], "error", language);

export function infoReply(
  title: string,
  lines: readonly string[],
  tone: Reply["tone"] = "info",
  language: Language = "en",
): Reply {
  return {
    tone,
    ...(language !== "en" ? { language } : {}),
    title,
    blocks: lines.map((line): Block => ({ kind: "paragraph", content: [line] })),
    citations: [],
    actions: [],
    ...(tone === "error" ? { ephemeral: true } : {}),
  };
}
