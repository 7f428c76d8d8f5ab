/**
 * Reply → Telegram messages (Bot API sendMessage parameters, parse_mode HTML).
 *
 * Layout: the title in bold, the blocks, a "Sources" section listing every citation, the footer in
 * italics. A reply too long for one message is split between blocks or source lines, never inside one;
 * the Sources section always comes after the last block, so every mark [n] a reader sees is listed in
 * the same message or a later one. Buttons go on the last message.
 */
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
  rows,
  type Span,
  sourceDetails,
  sourcesHeading,
  sourceTitle,
  spans,
  truncate,
  usableActions,
  utf8Length,
  wellFormed,
} from "./text.js";

export interface TelegramMessage {
  text: string;
  parse_mode: "HTML";
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
  /** Previews stay off, except for the deal page a reply is about (Reply.page), on its first message. */
  link_preview_options: { is_disabled: true } | { url: string; is_disabled: false };
}

export const TELEGRAM_LIMITS = {
  /** Message length after entity parsing, in UTF-16 code units; the raw HTML is held to it too. */
  text: 4096,
  /** callback_data, in UTF-8 bytes. */
  callbackData: 64,
  buttonsPerRow: 3,
  buttons: 100,
  /** Not a Telegram limit: longer labels are cut off on screen anyway. */
  label: 64,
  /** Not a Telegram limit: a link whose escaped href is longer is shown as text, so no line outgrows a message. */
  href: 1024,
  /** A photo's caption, after entity parsing. */
  caption: 1024,
} as const;

/** A block too long for any message is cut to fill the current one only if this much room is left. */
const MIN_CUT = 500;

/** A piece of a message: its HTML, and the text Telegram makes of it (tags removed, entities decoded). */
interface Rich {
  readonly html: string;
  readonly text: string;
}

/** What the splitter moves as one: a title, a block, a source line or the footer. */
interface Unit {
  /** Separator from the unit before it in the same message. */
  readonly gap: string;
  readonly rich: Rich;
  /** The unit cut to at most `max` characters of HTML: its words as plain text, cut, then escaped. */
  readonly cut: (max: number) => Rich;
}

export function escapeHtml(text: string): string {
  return wellFormed(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

const escapedLength: Measure = (text) => escapeHtml(text).length;

const plain = (text: string): Rich => ({ html: escapeHtml(text), text: wellFormed(text) });
const tag = (name: "b" | "i" | "code", rich: Rich): Rich => ({
  html: `<${name}>${rich.html}</${name}>`,
  text: rich.text,
});
const join = (...parts: Rich[]): Rich => ({
  html: parts.map((part) => part.html).join(""),
  text: parts.map((part) => part.text).join(""),
});
const fitsIn = (limit: number) => (rich: Rich) => rich.html.length <= limit && rich.text.length <= limit;

export interface TelegramRenderOptions {
  /**
   * The most characters of the first message: a photo's caption holds 1,024 (TELEGRAM_LIMITS.caption),
   * and what does not fit goes on in messages after it. Default: a message's 4,096.
   */
  readonly firstLimit?: number;
}

export function renderTelegram(reply: Reply, options: TelegramRenderOptions = {}): TelegramMessage[] {
  const listed = citationNumbers(reply.citations);
  const units: Unit[] = [];
  if (reply.title !== undefined && !isBlank(reply.title)) {
    const title = tag("b", plain(reply.title.trim()));
    const href = link(reply.page);
    const body =
      href === undefined ? title : { html: `<a href="${href}">${title.html}</a>`, text: title.text };
    units.push(unit("\n\n", plain(""), body, reply.title.trim(), "b", plain("")));
  }
  const titled = units.length > 0;
  for (const block of reply.blocks) {
    const rendered = blockUnit(block, listed, titled && units.length === 1);
    if (rendered) units.push(rendered);
  }
  reply.citations.forEach((citation, i) => {
    const heading = i === 0 ? join(tag("b", plain(sourcesHeading(reply.language))), plain("\n")) : plain("");
    units.push(sourceUnit(citation, heading, i === 0 && units.length > 0 ? "\n\n" : "\n", reply.language));
  });
  if (reply.footer !== undefined && !isBlank(reply.footer)) {
    const footer = reply.footer.trim();
    units.push(unit("\n\n", plain(""), tag("i", plain(footer)), footer, "i", plain("")));
  }

  const texts = pack(units, options.firstLimit ?? TELEGRAM_LIMITS.text);
  const preview = link(reply.page) === undefined ? undefined : httpUrl(reply.page ?? "");
  const messages = (texts.length > 0 ? texts : [EMPTY_TEXT]).map(
    (text, i): TelegramMessage => ({
      text,
      parse_mode: "HTML",
      link_preview_options:
        i === 0 && preview !== undefined ? { url: preview, is_disabled: false } : { is_disabled: true },
    }),
  );
  const keyboard = buttons(reply);
  const last = messages[messages.length - 1];
  if (last && keyboard.length > 0) last.reply_markup = { inline_keyboard: keyboard };
  return messages;
}

/**
 * Fills each message with as many whole units as fit. A unit too long for a message of its own is cut,
 * to the room left in the current message when that is at least MIN_CUT, else to a message of its own.
 */
function pack(units: readonly Unit[], firstLimit: number): string[] {
  const messages: string[] = [];
  let current: Rich | undefined;
  const limit = () => (messages.length === 0 ? firstLimit : TELEGRAM_LIMITS.text);
  for (const next of units) {
    if (current) {
      const fits = fitsIn(limit());
      const tooLong = !fits(next.rich);
      const room = limit() - current.html.length - next.gap.length;
      const candidate = !tooLong
        ? next.rich
        : room >= Math.min(MIN_CUT, limit() / 2)
          ? next.cut(room)
          : undefined;
      const joined = candidate && join(current, plain(next.gap), candidate);
      if (joined && fits(joined)) {
        current = joined;
        continue;
      }
      messages.push(current.html);
    }
    current = fitsIn(limit())(next.rich) ? next.rich : next.cut(limit());
  }
  if (current) messages.push(current.html);
  return messages;
}

/**
 * A unit of `lead`, `body` and `tail`. Cut, the body becomes `words` cut to the room left, in
 * `wrap`; the lead and the tail (an item's bullet, a block's citation marks) are kept.
 */
function unit(
  gap: string,
  lead: Rich,
  body: Rich,
  words: string,
  wrap: "b" | "i" | undefined,
  tail: Rich,
): Unit {
  return {
    gap,
    rich: join(lead, body, tail),
    cut: (max) => {
      const wrapLength = wrap ? wrap.length * 2 + 5 : 0;
      const room = max - lead.html.length - tail.html.length - wrapLength;
      const cutWords = room > 0 ? truncate(wellFormed(words), room, escapedLength) : "";
      if (cutWords !== "") return join(lead, wrap ? tag(wrap, plain(cutWords)) : plain(cutWords), tail);
      // A lead or tail that leaves no room for words (hundreds of citation marks): cut it all as text.
      return plain(truncate(join(lead, body, tail).text, max, escapedLength));
    },
  };
}

function blockUnit(block: Block, listed: ReadonlySet<number>, afterTitle: boolean): Unit | undefined {
  const words = blockText(block);
  if (isBlank(words)) return undefined;
  const heading = block.kind === "heading";
  const body = join(...spans(block.content).map((span) => inline(span, heading)));
  const marks = citationMarks(block.cites, listed);
  const lead = plain(block.kind === "item" ? "• " : "");
  const tail = plain(marks.length > 0 ? ` ${marks.join(" ")}` : "");
  return unit(heading || afterTitle ? "\n\n" : "\n", lead, body, words, heading ? "b" : undefined, tail);
}

/**
 * One inline span. Telegram's `code` may neither contain nor be inside another entity, so code wins
 * over bold and italic, a link wins over code, and a heading's bold is applied span by span rather
 * than around the block.
 */
function inline(span: Span, heading: boolean): Rich {
  const href = link(span.href);
  if (span.code && href === undefined) return tag("code", plain(span.text));
  let rich = plain(span.text);
  if (span.italic) rich = tag("i", rich);
  if (span.bold || heading) rich = tag("b", rich);
  return href === undefined ? rich : { html: `<a href="${href}">${rich.html}</a>`, text: rich.text };
}

/** The escaped href for an http(s) URL that is not absurdly long; anything else is shown as text. */
function link(url: string | undefined): string | undefined {
  const href = url === undefined ? undefined : httpUrl(url);
  if (href === undefined) return undefined;
  const escaped = escapeAttribute(href);
  return escaped.length <= TELEGRAM_LIMITS.href ? escaped : undefined;
}

/** `[n] <a href="url">Title</a> — Publisher, date`, after `heading` when it opens the Sources section. */
function sourceUnit(citation: Citation, heading: Rich, gap: string, language: Language = "en"): Unit {
  const title = plain(sourceTitle(citation, escapedLength, language));
  const href = link(citation.url);
  const details = sourceDetails(citation, escapedLength, language);
  const lead = join(heading, plain(`[${citation.n}] `));
  const body = join(
    href === undefined ? title : { html: `<a href="${href}">${title.html}</a>`, text: title.text },
    plain(details === "" ? "" : ` — ${details}`),
  );
  return unit(gap, lead, body, body.text, undefined, plain(""));
}

function buttons(reply: Reply): { text: string; callback_data: string }[][] {
  const usable = usableActions(reply.actions, TELEGRAM_LIMITS.label, (data) => {
    const bytes = utf8Length(data);
    return bytes >= 1 && bytes <= TELEGRAM_LIMITS.callbackData;
  }).slice(0, TELEGRAM_LIMITS.buttons);
  return rows(usable, TELEGRAM_LIMITS.buttonsPerRow, (action) => action.newRow === true).map((row) =>
    row.map((action) => ({ text: action.label, callback_data: action.data })),
  );
}
