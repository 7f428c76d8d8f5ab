/**
 * The Atom feed (RFC 4287) of what the knowledge base learned: one entry per deal, newest change
 * first, so a feed reader shows a deal again whenever it gains or changes facts. Subscribing
 * needs no chat account.
 */
import { createHash } from "node:crypto";
import { dealLabel } from "../knowledge/relations.js";
import { type Deal, FACT_STATUS_LABEL, type PartialDate } from "../knowledge/types.js";
import { escapeXml } from "../timeline/text.js";
import { dealPath, siteLink } from "./urls.js";

/** How many of a deal's newest dated facts an entry lists. */
const ENTRY_FACTS = 5;

export interface FeedOptions {
  readonly deals: readonly Deal[];
  /** Deal id → when it last changed (ISO 8601), from history; else its newest fact's date is used. */
  readonly lastChanged: ReadonlyMap<string, string>;
  readonly siteUrl?: string;
}

/** A stable `urn:uuid:` for a name: ids must never change, even when the site moves. */
export function feedId(name: string): string {
  const hex = createHash("sha1").update(`receipts:${name}`).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** An RFC 3339 date-time for a partial date: `2024-04` → `2024-04-01T00:00:00Z`. */
export function dateTime(date: PartialDate): string {
  const [year, month = "01", day = "01"] = date.split("-");
  return `${year}-${month}-${day}T00:00:00Z`;
}

function entryUpdated(deal: Deal, lastChanged: ReadonlyMap<string, string>): string {
  const known = lastChanged.get(deal.id);
  if (known) return known;
  const dates = deal.facts.flatMap((fact) => (fact.date ? [fact.date] : [])).sort();
  const newest = dates.at(-1) ?? deal.period?.to ?? deal.period?.from;
  return newest ? dateTime(newest) : "1970-01-01T00:00:00Z";
}

export function atomFeed({ deals, lastChanged, siteUrl }: FeedOptions): string {
  const link = (path: string) => (siteUrl ? siteLink(siteUrl, path) : path);
  const entries = deals
    .map((deal) => ({ deal, updated: entryUpdated(deal, lastChanged) }))
    .sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated) || a.deal.id.localeCompare(b.deal.id));
  const updated = entries[0]?.updated ?? "1970-01-01T00:00:00Z";
  const lines = [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom">`,
    `<id>${feedId("feed")}</id>`,
    `<title>Receipts: what the knowledge base learned</title>`,
    `<subtitle>Data-sharing deals between companies, every fact with its sources.</subtitle>`,
    `<updated>${updated}</updated>`,
    `<author><name>Receipts</name></author>`,
    `<link rel="alternate" type="text/html" href="${escapeXml(link("index.html"))}"/>`,
    ...(siteUrl
      ? [`<link rel="self" type="application/atom+xml" href="${escapeXml(link("feed.xml"))}"/>`]
      : []),
  ];
  for (const { deal, updated } of entries) {
    const newest = deal.facts
      .filter((fact) => fact.date)
      .sort((a, b) => (b.date as string).localeCompare(a.date as string))
      .slice(0, ENTRY_FACTS);
    const content = [
      `<p>${escapeXml(deal.summary)}</p>`,
      ...(newest.length > 0
        ? [
            `<ul>${newest.map((fact) => `<li>${escapeXml(`${fact.date} · ${FACT_STATUS_LABEL[fact.status]}: ${fact.text}`)}</li>`).join("")}</ul>`,
          ]
        : []),
      `<p>${deal.facts.length} facts, each with its sources, on the deal's page.</p>`,
    ].join("");
    lines.push(
      `<entry>`,
      `<id>${feedId(`deal:${deal.id}`)}</id>`,
      `<title>${escapeXml(dealLabel(deal))}</title>`,
      `<updated>${updated}</updated>`,
      `<link rel="alternate" type="text/html" href="${escapeXml(link(dealPath(deal.id)))}"/>`,
      `<summary>${escapeXml(deal.title)}</summary>`,
      `<content type="html">${escapeXml(content)}</content>`,
      `</entry>`,
    );
  }
  lines.push(`</feed>`, "");
  return lines.join("\n");
}
