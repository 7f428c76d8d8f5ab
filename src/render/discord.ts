/**
 * Reply → one Discord message (the body of a create-message or interaction-response request).
 *
 * Layout: one embed whose title is the reply's title (linked to the deal's page when the reply has one),
 * whose description holds the blocks and then a "Sources" section of lines
 * "[n] [Title](<url>) — Publisher, date", whose footer is the reply's footer, and whose image is the
 * reply's picture (`attachment://<name>`: the adapter uploads the file); its colour says the tone. Buttons below, five to a row. `content` stays unset: nothing in a
 * Reply has to be plain content, and embeds never ping.
 *
 * When the description is too long, trailing blocks go first (a "…" line says so); the Sources list
 * stays whole. If even the lead block does not fit beside it, the lead block is kept with only the
 * sources it cites, cut as needed, and marks of sources left out are not shown.
 */
import type {
  APIActionRowComponent,
  APIButtonComponent,
  APIEmbed,
  ButtonStyle,
  ComponentType,
} from "discord-api-types/v10";
import type { Citation } from "../answer/types.js";
import type { Block, Reply } from "../bot/types.js";
import type { Language } from "../search/languages/index.js";
import {
  blockText,
  citationMarks,
  citationNumbers,
  EMPTY_TEXT,
  httpUrl,
  isBlank,
  type Measure,
  oneLine,
  rows,
  type Span,
  sourceDetails,
  sourcesHeading,
  sourceTitle,
  spans,
  truncate,
  usableActions,
  wellFormed,
} from "./text.js";

export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowed_mentions: { parse: [] };
  flags?: number;
}

/** Discord's limits, counted here in UTF-16 code units, which is never less than what Discord counts. */
export const DISCORD_LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  /** Title, description, field names and values, footer and author name together. */
  embed: 6000,
  customId: 100,
  label: 80,
  buttonsPerRow: 5,
  rows: 5,
  /** Not a Discord limit: a longer URL is shown as text, so one link cannot crowd out the answer. */
  href: 1024,
} as const;

/** Embed colour by tone. */
export const TONE_COLORS: Readonly<Record<Reply["tone"], number>> = {
  answer: 0x2f9e44,
  unknown: 0xf59f00,
  info: 0x1c7ed6,
  error: 0xe03131,
};

/** MessageFlags.Ephemeral. */
const EPHEMERAL = 1 << 6;
const BUTTON = 2 as ComponentType.Button;
const ACTION_ROW = 1 as ComponentType.ActionRow;
const SECONDARY = 2 as ButtonStyle.Secondary;

/** Shown on a line of its own when trailing blocks were left out. */
const OMITTED = "\n…";
/** A lead block is cut to no fewer characters than this (or its whole length) before sources are dropped. */
const MIN_LEAD = 300;

/**
 * Escapes Discord markdown so user and knowledge text shows as written: the characters that format,
 * quote, make headings, lists or links, and a number-dot at the start of a line (an ordered list).
 */
export function escapeMarkdown(text: string): string {
  return wellFormed(text)
    .replace(/[\\*_~`|<>#\-[\]()]/g, "\\$&")
    .replace(/^(\s*\d+)\./gm, "$1\\.");
}

const escapedLength: Measure = (text) => escapeMarkdown(text).length;

export function renderDiscord(reply: Reply): DiscordMessage {
  const title = reply.title === undefined ? "" : oneLine(reply.title);
  const escapedTitle = escapeMarkdown(truncate(title, DISCORD_LIMITS.title, escapedLength));
  const footer =
    reply.footer === undefined || isBlank(reply.footer)
      ? ""
      : truncate(wellFormed(reply.footer.trim()), DISCORD_LIMITS.footer);
  const room = Math.min(
    DISCORD_LIMITS.description,
    DISCORD_LIMITS.embed - escapedTitle.length - footer.length,
  );
  let description = describe(reply, room);
  if (escapedTitle === "" && description === "" && footer === "") description = EMPTY_TEXT;

  const embed: APIEmbed = { color: TONE_COLORS[reply.tone] };
  if (escapedTitle !== "") embed.title = escapedTitle;
  const page = escapedTitle === "" ? undefined : link(reply.page);
  if (page !== undefined) embed.url = page;
  if (description !== "") embed.description = description;
  if (footer !== "") embed.footer = { text: footer };
  // The picture itself is the adapter's to upload, as a file of this name.
  if (reply.image) embed.image = { url: `attachment://${reply.image.name}` };

  return {
    embeds: [embed],
    components: components(reply),
    allowed_mentions: { parse: [] },
    ...(reply.ephemeral ? { flags: EPHEMERAL } : {}),
  };
}

/** A block as description text, for a given set of listed citations. */
interface BlockLine {
  /** Separator from the line before it. */
  readonly gap: string;
  readonly text: string;
  /** The block cut to at most `max` characters: its words as plain text, cut, escaped; marks kept. */
  readonly cut: (max: number) => string;
}

function describe(reply: Reply, room: number): string {
  const language = reply.language ?? "en";
  const blocks = reply.blocks.filter((block) => !isBlank(blockText(block)));
  const whole = layout(blocks, false, reply.citations, room, language);
  if (whole !== undefined) return whole;
  // Not even the lead block fits beside every source: keep it with the sources it cites, as many as fit.
  const lead = blocks[0];
  if (lead === undefined) return layout([], false, reply.citations, room, language) ?? "";
  const more = blocks.length > 1;
  const cites = new Set(lead.cites);
  const cited = reply.citations.filter((citation) => cites.has(citation.n));
  for (let count = cited.length; count > 0; count--) {
    const text = layout([lead], more, cited.slice(0, count), room, language);
    if (text !== undefined) return text;
  }
  return layout([lead], more, [], room, language) ?? "";
}

/**
 * Blocks (`more` when blocks after them were already left out), then the whole Sources section, in at
 * most `room` characters; undefined when the sources leave too little room for the lead block. With no
 * blocks, nothing is marked, so the sources are cut to those that fit.
 */
function layout(
  blocks: readonly Block[],
  more: boolean,
  citations: readonly Citation[],
  room: number,
  language: Language,
): string | undefined {
  const listed = citationNumbers(citations);
  const lines = blocks.map((block, i) => blockLine(block, listed, i === 0));
  const sources = citations.map((citation) => sourceLine(citation, language));
  const heading = `**${escapeMarkdown(sourcesHeading(language))}**`;
  const sourcesText = sources.length > 0 ? `${heading}\n${sources.join("\n")}` : "";
  if (
    sourcesText.length > room ||
    (blocks.length > 0 && sourcesText !== "" && sourcesText.length + 2 > room)
  ) {
    return blocks.length === 0 ? fitLines([heading, ...sources], room) : undefined;
  }
  const separator = sourcesText !== "" && lines.length > 0 ? "\n\n" : "";
  const blocksText = fitBlocks(lines, more, room - sourcesText.length - separator.length);
  return blocksText === undefined ? undefined : blocksText + separator + sourcesText;
}

/** Whole blocks while they fit, then "…" if any are left out; the lead block cut when it alone is too long. */
function fitBlocks(lines: readonly BlockLine[], more: boolean, room: number): string | undefined {
  let text = "";
  for (const [i, line] of lines.entries()) {
    const reserve = i === lines.length - 1 && !more ? 0 : OMITTED.length;
    const next = text === "" ? line.text : text + line.gap + line.text;
    if (next.length + reserve <= room) {
      text = next;
      continue;
    }
    if (text !== "") return text + OMITTED;
    const cut = line.cut(room - reserve);
    if (cut.length < Math.min(MIN_LEAD, line.text.length)) return undefined;
    return reserve === 0 ? cut : cut + OMITTED;
  }
  return more && text !== "" ? text + OMITTED : text;
}

function fitLines(lines: readonly string[], room: number): string {
  let text = "";
  for (const line of lines) {
    const next = text === "" ? line : `${text}\n${line}`;
    if (next.length + OMITTED.length > room) return text === "" ? "" : text + OMITTED;
    text = next;
  }
  return text;
}

function blockLine(block: Block, listed: ReadonlySet<number>, first: boolean): BlockLine {
  const heading = block.kind === "heading";
  const [open, close] = heading ? ["**", "**"] : [block.kind === "item" ? "• " : "", ""];
  const marks = citationMarks(block.cites, listed);
  const tail = close + (marks.length > 0 ? ` ${marks.join(" ")}` : "");
  const body = spans(block.content)
    .map((span) => inline(span, heading))
    .join("");
  return {
    gap: heading && !first ? "\n\n" : "\n",
    text: open + body + tail,
    cut: (max) => {
      const words = truncate(wellFormed(blockText(block)), max - open.length - tail.length, escapedLength);
      return words === "" ? "" : open + escapeMarkdown(words) + tail;
    },
  };
}

/**
 * One inline span. Italics use underscores so they never run into a bold span's asterisks; inside a
 * heading, which is bold as a whole, a span's own bold is dropped.
 */
function inline(span: Span, heading: boolean): string {
  const href = link(span.href);
  let text: string;
  if (span.code && !span.text.includes("`") && !isBlank(span.text)) {
    text = `\`${span.text}\``;
  } else {
    text = escapeMarkdown(span.text);
    if (span.italic) text = `_${text}_`;
    if (span.bold && !heading) text = `**${text}**`;
  }
  return href === undefined ? text : `[${text}](<${href}>)`;
}

/**
 * An http(s) URL made safe inside `(<...>)`: the URL parser already encodes spaces and angle brackets;
 * parentheses and backslashes are encoded too. Anything else, or an absurdly long URL, is not a link.
 */
function link(url: string | undefined): string | undefined {
  const href = url === undefined ? undefined : httpUrl(url);
  if (href === undefined) return undefined;
  const safe = href.replace(/[()\\]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return safe.length <= DISCORD_LIMITS.href ? safe : undefined;
}

function sourceLine(citation: Citation, language: Language): string {
  const title = escapeMarkdown(sourceTitle(citation, escapedLength, language));
  const href = link(citation.url);
  const details = sourceDetails(citation, escapedLength, language);
  return `[${citation.n}] ${href === undefined ? title : `[${title}](<${href}>)`}${details === "" ? "" : ` — ${escapeMarkdown(details)}`}`;
}

function components(reply: Reply): APIActionRowComponent<APIButtonComponent>[] {
  const usable = usableActions(
    reply.actions,
    DISCORD_LIMITS.label,
    (data) => data.length >= 1 && data.length <= DISCORD_LIMITS.customId,
  ).slice(0, DISCORD_LIMITS.buttonsPerRow * DISCORD_LIMITS.rows);
  return rows(usable, DISCORD_LIMITS.buttonsPerRow, (action) => action.newRow === true)
    .slice(0, DISCORD_LIMITS.rows)
    .map((row) => ({
      type: ACTION_ROW,
      components: row.map(
        (action): APIButtonComponent => ({
          type: BUTTON,
          style: SECONDARY,
          label: action.label,
          custom_id: action.data,
        }),
      ),
    }));
}
