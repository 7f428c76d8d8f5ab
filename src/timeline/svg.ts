/**
 * A deal's dated facts as an SVG picture, drawn by our own code:
 *
 * - a heading (the deal's label) and a line saying how many facts are shown and how many,
 *   undated, are left out;
 * - a legend of the six fact statuses, each a colour and a shape (marks.ts);
 * - a time axis with one mark per dated fact at its date, marks that would overlap stacked;
 * - below it, the same facts in date order, each its mark, its date and a short label cut from
 *   its text, in as many columns as they need.
 *
 * Every fact's mark and row carry `data-fact="<fact id>"` and a `<title>` with the whole fact.
 * The picture is TIMELINE_WIDTH wide and at most TIMELINE_MAX_HEIGHT tall.
 */
import { dealLabel } from "../knowledge/relations.js";
import { type Deal, FACT_STATUSES, type Fact, type PartialDate } from "../knowledge/types.js";
import { FONT_FAMILY, fitText } from "./fonts.js";
import { LEGEND, legendEntry, markDefs, markUse, round, STATUS_MARKS } from "./marks.js";
import { escapeXml, plural } from "./text.js";

export const TIMELINE_WIDTH = 1200;
export const TIMELINE_MAX_HEIGHT = 720;

const MARGIN = 40;
const INK = "#1a1a1a";
const MUTED = "#4a4a4a";
const HEADING = { y: 48, size: 26 } as const;
const SUBTITLE = { y: 76, size: 15 } as const;
const LEGEND_TOP = 92;
/** Marks on the axis: at least this far apart side by side, else stacked; at most this many levels tall. */
const STACK = { spacing: 15, step: 17, levels: 7 } as const;
const AXIS_TOP = 136;
const TICK_LABEL_SIZE = 13;
const DATE_SIZE = 13;
/** Widest an ISO date gets at DATE_SIZE ("2024-12-31"), plus room before the label. */
const DATE_COLUMN = 84;
/** One row of the list: the mark, the date, the label. Tried in order until every fact fits. */
const LIST_LAYOUTS = [
  { row: 24, size: 15, columns: 2 },
  { row: 20, size: 14, columns: 3 },
  { row: 17, size: 12, columns: 4 },
] as const;
/** A label longer than this is cut even when its column has room: these are labels, not the facts. */
const LABEL_MAX_WIDTH = 640;

/** A fact with a date, and where on the axis that date falls (a year with a fraction). */
interface Dated {
  readonly fact: Fact & { readonly date: PartialDate };
  readonly at: number;
}

/** The facts the picture shows, in date order, and how many it leaves out for want of a date. */
export function datedFacts(deal: Deal): { dated: Dated[]; undated: number } {
  const dated = deal.facts
    .filter((fact): fact is Dated["fact"] => fact.date !== undefined && yearOf(fact.date) !== undefined)
    .map((fact) => ({ fact, at: yearOf(fact.date) as number }))
    .sort((a, b) => a.at - b.at || a.fact.date.localeCompare(b.fact.date));
  return { dated, undated: deal.facts.length - dated.length };
}

/** `2023` → the middle of 2023, `2023-04` → the middle of April, `2023-04-14` → that day. */
function yearOf(date: PartialDate): number | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  if (!match) return undefined;
  const year = Number(match[1]);
  if (match[2] === undefined) return year + 0.5;
  const month = Number(match[2]) - 1;
  if (match[3] === undefined) return year + (month + 0.5) / 12;
  const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return year + (month + (Number(match[3]) - 0.5) / days) / 12;
}

/** The deal's dated facts as an SVG document (see the module comment). */
export function timelineSvg(deal: Deal): string {
  const { dated, undated } = datedFacts(deal);
  const label = dealLabel(deal);
  const parts: string[] = [];
  const text = (x: number, y: number, size: number, body: string, extra = "") =>
    `<text x="${round(x)}" y="${round(y)}" font-size="${size}"${extra}>${escapeXml(body)}</text>`;

  parts.push(
    text(
      MARGIN,
      HEADING.y,
      HEADING.size,
      fitText(label, TIMELINE_WIDTH - 2 * MARGIN, HEADING.size, "bold"),
      ` font-weight="bold"`,
    ),
    text(MARGIN, SUBTITLE.y, SUBTITLE.size, summaryLine(dated, undated), ` fill="${MUTED}"`),
  );
  let legendX = MARGIN;
  for (const status of FACT_STATUSES) {
    const entry = legendEntry(status, legendX, LEGEND_TOP);
    parts.push(entry.svg);
    legendX += entry.width + LEGEND.spacing;
  }

  let height = AXIS_TOP + 40;
  if (dated.length > 0) {
    const axis = drawAxis(dated);
    parts.push(axis.svg);
    const list = drawList(dated, axis.bottom + 28);
    parts.push(list.svg);
    height = list.bottom + 16;
  }
  height = Math.min(TIMELINE_MAX_HEIGHT, Math.ceil(height));

  const description = `${summaryLine(dated, undated)}.`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${TIMELINE_WIDTH}" height="${height}" viewBox="0 0 ${TIMELINE_WIDTH} ${height}"` +
    ` role="img" aria-labelledby="tl-title tl-desc" font-family="${FONT_FAMILY}, sans-serif" fill="${INK}" data-deal="${escapeXml(deal.id)}">` +
    `<title id="tl-title">${escapeXml(`Timeline: ${label}`)}</title><desc id="tl-desc">${escapeXml(description)}</desc>` +
    `<defs>${markDefs()}</defs><rect width="100%" height="100%" fill="#fff"/>${parts.join("")}</svg>`
  );
}

/** What a deal's timeline shows, in figures: for captions in any language. */
export function timelineFigures(deal: Deal): {
  dated: number;
  undated: number;
  first: string | undefined;
  last: string | undefined;
} {
  const { dated, undated } = datedFacts(deal);
  return {
    dated: dated.length,
    undated,
    first: dated[0]?.fact.date.slice(0, 4),
    last: dated.at(-1)?.fact.date.slice(0, 4),
  };
}

/** What a deal's timeline shows, in words: "55 dated facts, 2011–2024 · 39 undated facts not shown". */
export function timelineSummary(deal: Deal): string {
  const { dated, undated } = datedFacts(deal);
  return summaryLine(dated, undated);
}

function summaryLine(dated: readonly Dated[], undated: number): string {
  const first = dated[0]?.fact.date.slice(0, 4);
  const last = dated.at(-1)?.fact.date.slice(0, 4);
  const span = first === undefined ? "" : first === last ? `, ${first}` : `, ${first}–${last}`;
  const shown = dated.length === 0 ? "No dated facts yet" : `${plural(dated.length, "dated fact")}${span}`;
  return undated > 0 ? `${shown} · ${plural(undated, "undated fact")} not shown` : shown;
}

/** A fact's mark with its whole text as a tooltip, tagged with its id. */
function factMark(fact: Fact, x: number, y: number): string {
  const tooltip = `${fact.date ?? "undated"} · ${STATUS_MARKS[fact.status].label}: ${fact.text}`;
  return `<g data-fact="${escapeXml(fact.id)}"><title>${escapeXml(tooltip)}</title>${markUse(fact.status, x, y)}</g>`;
}

function drawAxis(dated: readonly Dated[]): { svg: string; bottom: number } {
  const from = Math.floor((dated[0] as Dated).at);
  const to = Math.floor((dated.at(-1) as Dated).at) + 1;
  const left = MARGIN + 12;
  const right = TIMELINE_WIDTH - MARGIN - 12;
  const xOf = (at: number) => left + ((at - from) / (to - from)) * (right - left);

  // Each mark goes on the lowest level where it keeps its distance from the last mark there.
  const levelEnds: number[] = [];
  const placed = dated.map(({ fact, at }) => {
    const x = xOf(at);
    let level = levelEnds.findIndex((end) => x - end >= STACK.spacing);
    if (level < 0) level = levelEnds.push(x) - 1;
    else levelEnds[level] = x;
    return { fact, x, level };
  });
  // Too many levels: squeeze them into the room for STACK.levels, letting marks overlap.
  const step = Math.min(STACK.step, (STACK.step * STACK.levels) / levelEnds.length);
  const axisY = AXIS_TOP + step * (levelEnds.length - 1) + 14;

  const parts = [`<path d="M${left} ${round(axisY)}H${right}" stroke="${INK}" stroke-width="1.5"/>`];
  const interval = [1, 2, 5, 10, 20, 50, 100].find((n) => (to - from) / n <= 12) ?? 100;
  for (let year = Math.ceil(from / interval) * interval; year <= to; year += interval) {
    const x = xOf(year);
    parts.push(`<path d="M${round(x)} ${round(axisY)}v6" stroke="${INK}"/>`);
    if (year < to || year === from)
      parts.push(
        `<text x="${round(x)}" y="${round(axisY + 22)}" font-size="${TICK_LABEL_SIZE}" text-anchor="middle" fill="${MUTED}">${year}</text>`,
      );
  }
  for (const { fact, x, level } of placed) parts.push(factMark(fact, x, axisY - 12 - level * step));
  return { svg: `<g class="axis">${parts.join("")}</g>`, bottom: axisY + 22 };
}

function drawList(dated: readonly Dated[], top: number): { svg: string; bottom: number } {
  const room = TIMELINE_MAX_HEIGHT - 16 - top;
  const width = TIMELINE_WIDTH - 2 * MARGIN;
  const fits = LIST_LAYOUTS.find((layout) => Math.floor(room / layout.row) * layout.columns >= dated.length);
  const layout = fits ?? (LIST_LAYOUTS.at(-1) as (typeof LIST_LAYOUTS)[number]);
  const rowsMax = Math.floor(room / layout.row);
  // Past the last layout's room, the last row says how many more there are (their marks are on the axis).
  const shown = fits ? dated : dated.slice(0, rowsMax * layout.columns - 1);
  const more = dated.length - shown.length;
  const columns = Math.min(
    layout.columns,
    Math.max(Math.ceil((shown.length + (more > 0 ? 1 : 0)) / rowsMax), shown.length > 8 ? 2 : 1),
  );
  const rows = Math.ceil((shown.length + (more > 0 ? 1 : 0)) / columns);
  const columnWidth = width / columns;
  const labelWidth = Math.min(LABEL_MAX_WIDTH, columnWidth - 22 - DATE_COLUMN - 14);

  const parts: string[] = [];
  shown.forEach(({ fact }, i) => {
    const x = MARGIN + Math.floor(i / rows) * columnWidth;
    const middle = top + (i % rows) * layout.row + layout.row / 2;
    const baseline = round(middle + layout.size * 0.35);
    parts.push(
      `<g data-fact="${escapeXml(fact.id)}"><title>${escapeXml(fact.text)}</title>${markUse(fact.status, x + 8, middle)}` +
        `<text x="${round(x + 22)}" y="${baseline}" font-size="${DATE_SIZE}" fill="${MUTED}">${escapeXml(fact.date)}</text>` +
        `<text x="${round(x + 22 + DATE_COLUMN)}" y="${baseline}" font-size="${layout.size}">${escapeXml(fitText(fact.text, labelWidth, layout.size))}</text></g>`,
    );
  });
  if (more > 0) {
    const i = shown.length;
    const x = MARGIN + Math.floor(i / rows) * columnWidth;
    const y = top + (i % rows) * layout.row + layout.row / 2 + layout.size * 0.35;
    parts.push(
      `<text x="${round(x + 22)}" y="${round(y)}" font-size="${layout.size}" fill="${MUTED}">${escapeXml(`+ ${plural(more, "more fact")}: see the deal's page`)}</text>`,
    );
  }
  return { svg: `<g class="facts">${parts.join("")}</g>`, bottom: top + rows * layout.row };
}
