/** The frame every page of the site shares, and small HTML helpers. */
import { escapeXml } from "../timeline/text.js";

/** Tagged template that escapes every interpolated value, unless it is already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = string | number | Html | undefined | null | false | readonly Part[];

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return "";
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeXml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(
    strings.reduce(
      (out, string, i) => out + string + (i < values.length ? render(values[i] as Part) : ""),
      "",
    ),
  );
}

/** Markup that is already safe (our own SVG). */
export function raw(text: string): Html {
  return new Html(text);
}

export interface PageOptions {
  readonly title: string;
  readonly description: string;
  /** From this page to the site's root: "" for the index, "../" one folder down. */
  readonly root: string;
  readonly body: Html;
  /** Scripts to load at the end of the body, relative to the root. */
  readonly scripts?: readonly string[];
  /** The knowledge-base version the site was built from, shown in the footer. */
  readonly version: string;
}

/**
 * A whole page. No request leaves the site: the stylesheet, fonts and scripts are local files,
 * the icon is empty (so browsers ask for no favicon), and links out send no referrer.
 */
export function page({ title, description, root, body, scripts = [], version }: PageOptions): string {
  return `<!DOCTYPE html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<meta name="description" content="${description}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${root}assets/site.css">
<link rel="alternate" type="application/atom+xml" title="Receipts: what the knowledge base learned" href="${root}feed.xml">
</head>
<body>
<header class="site">
<a class="home" href="${root}index.html">Receipts</a>
<nav aria-label="Site"><a href="${root}index.html">Deals</a> <a href="${root}companies/index.html">Companies</a> <a href="${root}feed.xml">Feed</a></nav>
</header>
<main>
${body}
</main>
<footer class="site">
<p>Every fact here cites its sources; an allegation is shown as an allegation. Built from knowledge-base version <code>${version.slice(0, 12)}</code>.</p>
</footer>
${scripts.map((src) => html`<script src="${root}${src}"></script>\n`)}</body>
</html>
`}`;
}
