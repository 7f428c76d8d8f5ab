/**
 * One mark per fact status: a colour from the Okabe–Ito palette (told apart by readers with any
 * common colour-vision deficiency) AND a shape of its own, so the marks still differ in grey scale
 * or printed. Filled marks have a dark outline, so light colours stand out on white.
 */
import { FACT_STATUS_LABEL, FACT_STATUSES, type FactStatus } from "../knowledge/types.js";
import { FONT_FAMILY, textWidth } from "./fonts.js";
import { escapeXml } from "./text.js";

export type MarkShape = "triangle" | "circle" | "square" | "cross" | "diamond" | "slashed-ring";

export interface StatusMark {
  readonly colour: string;
  readonly shape: MarkShape;
  readonly label: string;
}

export const STATUS_MARKS: Readonly<Record<FactStatus, StatusMark>> = {
  alleged: { colour: "#E69F00", shape: "triangle", label: FACT_STATUS_LABEL.alleged },
  reported: { colour: "#56B4E9", shape: "circle", label: FACT_STATUS_LABEL.reported },
  confirmed: { colour: "#009E73", shape: "square", label: FACT_STATUS_LABEL.confirmed },
  denied: { colour: "#D55E00", shape: "cross", label: FACT_STATUS_LABEL.denied },
  ruled: { colour: "#0072B2", shape: "diamond", label: FACT_STATUS_LABEL.ruled },
  unsupported: { colour: "#CC79A7", shape: "slashed-ring", label: FACT_STATUS_LABEL.unsupported },
};

const OUTLINE = "#1a1a1a";

/** A shape about 16 px across, centred on 0,0. */
function shapeSvg({ colour, shape }: StatusMark): string {
  const filled = `fill="${colour}" stroke="${OUTLINE}" stroke-width="1.2"`;
  switch (shape) {
    case "triangle":
      return `<path d="M0-8L7.5 5.5H-7.5Z" ${filled}/>`;
    case "circle":
      return `<circle r="6.5" ${filled}/>`;
    case "square":
      return `<rect x="-6" y="-6" width="12" height="12" ${filled}/>`;
    case "cross":
      return `<path d="M-6.5-4L-4-6.5L0-2.5L4-6.5L6.5-4L2.5 0L6.5 4L4 6.5L0 2.5L-4 6.5L-6.5 4L-2.5 0Z" ${filled}/>`;
    case "diamond":
      return `<path d="M0-8L8 0L0 8L-8 0Z" ${filled}/>`;
    case "slashed-ring":
      return `<g fill="none" stroke="${colour}" stroke-width="2.6"><circle r="6"/><path d="M-4.2 4.2L4.2-4.2"/></g>`;
  }
}

/** The marks' definitions, once per picture; `markUse` places one. Ids are prefixed so a page can inline the SVG. */
export function markDefs(): string {
  return FACT_STATUSES.map((status) => `<g id="tl-${status}">${shapeSvg(STATUS_MARKS[status])}</g>`).join("");
}

export function markUse(status: FactStatus, x: number, y: number): string {
  return `<use href="#tl-${status}" x="${round(x)}" y="${round(y)}"/>`;
}

/** Legend entries are this tall; an entry is its mark, a gap, then its label. */
export const LEGEND = { height: 24, fontSize: 15, markWidth: 18, gap: 6, spacing: 22 } as const;

/** One legend entry at x, y (its top-left corner), and how wide it is. */
export function legendEntry(status: FactStatus, x: number, y: number): { svg: string; width: number } {
  const { label } = STATUS_MARKS[status];
  const middle = y + LEGEND.height / 2;
  const labelX = x + LEGEND.markWidth + LEGEND.gap;
  return {
    svg:
      `<g class="legend" data-status="${status}">${markUse(status, x + LEGEND.markWidth / 2, middle)}` +
      `<text x="${round(labelX)}" y="${round(middle + LEGEND.fontSize * 0.35)}" font-size="${LEGEND.fontSize}">${escapeXml(label)}</text></g>`,
    width: LEGEND.markWidth + LEGEND.gap + textWidth(label, LEGEND.fontSize),
  };
}

/** One legend entry as a picture of its own: what the golden images in the tests hold. */
export function legendEntrySvg(status: FactStatus): string {
  const entry = legendEntry(status, 4, 0);
  const width = Math.ceil(entry.width + 8);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LEGEND.height}" viewBox="0 0 ${width} ${LEGEND.height}" font-family="${FONT_FAMILY}">` +
    `<title>${escapeXml(STATUS_MARKS[status].label)}</title><defs>${markDefs()}</defs><rect width="100%" height="100%" fill="#fff"/>${entry.svg}</svg>`
  );
}

/** Coordinates to a tenth of a pixel: the SVG stays small and its text stable. */
export function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}
