/**
 * A chat's share of a change set → one platform-neutral Reply: the digest. One message per chat per
 * change set, never one per fact; every new or changed fact carries its status and its citations.
 *
 * A digest is kept to one message on every platform (the renderers own the limits, so they are
 * asked): facts that do not fit are counted, with a pointer to /deal. One message per digest is what
 * lets the dispatcher promise "once": a digest split in two could be half sent when the bot dies.
 */
import { Citations } from "../answer/citations.js";
import { actions, englishNote, statusLabel } from "../bot/replies.js";
import type { Block, Reply } from "../bot/types.js";
import { listOf, t } from "../i18n/messages.js";
import type { FactStatus, KnowledgeBase, Problem } from "../knowledge/types.js";
import { renderDiscord } from "../render/discord.js";
import { renderTelegram } from "../render/telegram.js";
import type { Language } from "../search/languages/index.js";
import type { ChangedField, ChangeSet, FactChange } from "./diff.js";

export interface DigestOptions {
  /** Names of what the chat follows, for the opening line ("Meta, netflix-facebook"). */
  readonly following?: readonly string[];
  /** Most facts listed before the rest are only counted. Default 12. */
  readonly maxFacts?: number;
  /** The language the digest is framed in (the chat's); facts stay in English. Default English. */
  readonly language?: Language;
}

/** The digest for one chat, or undefined when nothing in `changes` is for it. */
export function buildDigest(
  changes: ChangeSet,
  kb: KnowledgeBase,
  options: DigestOptions = {},
): Reply | undefined {
  if (changes.facts.length === 0 && changes.dealsAdded.length === 0 && changes.dealsRemoved.length === 0) {
    return undefined;
  }
  const max = Math.max(1, options.maxFacts ?? 12);
  for (let shown = Math.min(max, changes.facts.length); shown >= 0; shown--) {
    const reply = compose(changes, kb, options, shown);
    if (shown === 0 || fitsOneMessage(reply)) return reply;
  }
  return compose(changes, kb, options, 0);
}

/** Whether every renderer sends the reply as one message with nothing left out. */
export function fitsOneMessage(reply: Reply): boolean {
  if (renderTelegram(reply).length !== 1) return false;
  const description = renderDiscord(reply).embeds[0]?.description ?? "";
  const last = reply.citations.at(-1);
  return !description.endsWith("\n…") && (last === undefined || description.includes(`[${last.n}]`));
}

function compose(changes: ChangeSet, kb: KnowledgeBase, options: DigestOptions, shown: number): Reply {
  const language = options.language ?? "en";
  const citations = new Citations(kb.sources);
  const cite = (ids: readonly string[]) => citations.cite(ids);

  const counts = countKinds(changes.facts);
  const blocks: Block[] = [
    { kind: "paragraph", content: [summaryLine(counts, changes, options.following, language)] },
  ];

  // Facts grouped by deal, deals in order of first appearance, new deals first.
  const listed = changes.facts.slice(0, shown);
  const dealOrder = [
    ...new Set([
      ...changes.dealsAdded.filter((id) => listed.some((c) => c.deal === id)),
      ...listed.map((c) => c.deal),
    ]),
  ];
  const statuses = new Set<FactStatus>();
  for (const dealId of dealOrder) {
    const deal = kb.deals.get(dealId);
    const retracted = listed.find((c) => c.deal === dealId && c.kind === "retracted");
    const title = deal?.title ?? (retracted?.kind === "retracted" ? retracted.before.dealTitle : dealId);
    const isNew = changes.dealsAdded.includes(dealId);
    blocks.push({
      kind: "heading",
      content: [isNew ? t(language, "digest.newDeal", { title }) : title],
    });
    for (const change of listed.filter((c) => c.deal === dealId)) {
      const block = factBlock(change, kb, cite, language);
      if (change.kind !== "retracted") {
        const status = kb.facts.get(change.id)?.status;
        if (status) statuses.add(status);
      }
      blocks.push(block);
    }
    if (isNew && deal)
      blocks.push({
        kind: "paragraph",
        content: [{ text: `/deal ${deal.id}`, code: true }, t(language, "digest.wholeDeal")],
      });
  }
  const hidden = changes.facts.length - listed.length;
  if (hidden > 0) {
    const deals = [...new Set(changes.facts.slice(shown).map((c) => c.deal))].filter((id) =>
      kb.deals.has(id),
    );
    const where =
      deals.length > 0
        ? t(language, "digest.see", {
            deals: deals
              .slice(0, 3)
              .map((id) => `/deal ${id}`)
              .join(", "),
          })
        : "";
    blocks.push({
      kind: "paragraph",
      content: [{ text: t(language, "digest.more", { count: hidden, where }), italic: true }],
    });
  }
  for (const removed of changes.dealsRemoved) {
    blocks.push({
      kind: "paragraph",
      content: [{ text: t(language, "digest.removed"), bold: true }, removed.title],
    });
  }

  const notes = [
    ...(statuses.has("alleged") ? [t(language, "statusNote.alleged")] : []),
    t(language, "digest.why"),
    ...(englishNote(language) ? [englishNote(language) as string] : []),
  ];
  const lead = dealOrder.length === 1 ? dealOrder[0] : undefined;
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "digest.title"),
    blocks,
    citations: citations.list,
    footer: notes.join(" "),
    actions:
      lead !== undefined && kb.deals.has(lead)
        ? [actions.more(lead, language), actions.sources(lead, language)]
        : [],
  };
}

function factBlock(
  change: FactChange,
  kb: KnowledgeBase,
  cite: (ids: readonly string[]) => number[],
  language: Language,
): Block {
  if (change.kind === "retracted") {
    return {
      kind: "item",
      content: [
        { text: t(language, "digest.withdrawn"), bold: true },
        ` ${change.before.text}`,
        { text: t(language, "digest.notInKb"), italic: true },
      ],
    };
  }
  const fact = kb.facts.get(change.id);
  if (!fact) return { kind: "item", content: [change.id] };
  const label = statusLabel(language, fact.status);
  if (change.kind === "added") {
    return {
      kind: "item",
      content: [{ text: t(language, "digest.added", { status: label }), bold: true }, ` ${fact.text}`],
      cites: cite(fact.sources),
    };
  }
  const what = change.fields
    .filter((field) => field !== "deal")
    .map((field: ChangedField) => t(language, `digest.field.${field}`));
  const was =
    change.fields.includes("status") && change.before.status !== fact.status
      ? t(language, "digest.was", {
          status: statusLabel(language, change.before.status).toLocaleLowerCase(language),
        })
      : undefined;
  const note = [
    what.length > 0 ? t(language, "digest.newFields", { fields: what.join(", ") }) : undefined,
    was,
  ]
    .filter(Boolean)
    .join("; ");
  return {
    kind: "item",
    content: [
      { text: t(language, "digest.updated", { status: label }), bold: true },
      ` ${fact.text}`,
      ...(note ? [{ text: ` (${note})`, italic: true as const }] : []),
    ],
    cites: cite(fact.sources),
  };
}

function countKinds(facts: readonly FactChange[]): Record<FactChange["kind"], number> {
  const counts = { added: 0, changed: 0, retracted: 0 };
  for (const change of facts) counts[change.kind]++;
  return counts;
}

function summaryLine(
  counts: Record<FactChange["kind"], number>,
  changes: ChangeSet,
  following: readonly string[] | undefined,
  language: Language,
): string {
  const count = (key: string, n: number) => (n > 0 ? t(language, key, { count: n }) : undefined);
  const parts = [
    count("digest.newFacts", counts.added),
    count("digest.updatedFacts", counts.changed),
    count("digest.withdrawnFacts", counts.retracted),
    count("digest.newDeals", changes.dealsAdded.length),
  ].filter((part): part is string => part !== undefined);
  const what = parts.length > 0 ? listOf(language, parts) : t(language, "digest.changes");
  const topics =
    following && following.length > 3
      ? [...following.slice(0, 3), t(language, "digest.moreTopics", { count: following.length - 3 })]
      : (following ?? []);
  const about = topics.length > 0 ? t(language, "digest.about", { topics: listOf(language, topics) }) : "";
  return `${capitalise(what, language)}${about}.`;
}

function capitalise(text: string, language: Language): string {
  return text.charAt(0).toLocaleUpperCase(language) + text.slice(1);
}

/** The notice admins get when a new knowledge base is refused: what is wrong, where. */
export function refusalNotice(
  problems: readonly Problem[],
  serving: string,
  format: (p: Problem) => string,
  /** The first line; by default the one admins get when an edit on disk is refused. */
  headline = t("en", "admin.refusedEdit", { count: problems.length, serving }),
  language: Language = "en",
): Reply {
  // One message on every platform, like a digest: as many problems as fit, at most ten, the rest counted.
  const notice = (shown: number): Reply => ({
    tone: "error",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "admin.refusedTitle"),
    blocks: [
      {
        kind: "paragraph",
        content: [headline],
      },
      ...problems
        .slice(0, shown)
        .map((problem): Block => ({ kind: "item", content: [{ text: format(problem), code: true }] })),
      ...(problems.length > shown
        ? [
            {
              kind: "paragraph" as const,
              content: [t(language, "admin.moreProblems", { n: problems.length - shown })],
            },
          ]
        : []),
    ],
    citations: [],
    actions: [],
  });
  for (let shown = Math.min(10, problems.length); shown > 0; shown--) {
    const reply = notice(shown);
    if (fitsOneMessage(reply)) return reply;
  }
  return notice(0);
}
