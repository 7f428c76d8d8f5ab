/**
 * The site's pages as HTML: the index of deals (with its search box), a page per deal, a page
 * per company, and the list of companies. Pure functions of the knowledge base; build.ts writes
 * them out.
 */
import { Citations } from "../answer/citations.js";
import type { Citation } from "../answer/types.js";
import { dealLabel } from "../knowledge/relations.js";
import { orderSources, SOURCE_TIERS, type SourceTier, tierOf } from "../knowledge/tiers.js";
import {
  type Deal,
  type Entity,
  FACT_STATUS_LABEL,
  type Fact,
  type KnowledgeBase,
} from "../knowledge/types.js";
import { formatDate, httpUrl, sourceDetails, sourceTitle } from "../render/text.js";
import { timelineSummary, timelineSvg } from "../timeline/svg.js";
import { plural } from "../timeline/text.js";
import type { CompanyDeals } from "./companies.js";
import { type Html, html, page, raw } from "./html.js";
import { searchData } from "./search.js";
import { companyPath, dealPath } from "./urls.js";

const TIER_HEADING: Record<SourceTier, string> = {
  primary: "Primary documents (courts, regulators, governments, the companies)",
  original: "Original reporting",
  syndication: "Syndicated copies of original reporting",
  copy: "Reposts, blogs and forums",
};

export interface SiteContext {
  readonly kb: KnowledgeBase;
  /** Company id → the deals it is a party to, and the deals that only mention it. */
  readonly companies: ReadonlyMap<string, CompanyDeals>;
  /** Deal id → when it last changed (ISO 8601), when history knows. */
  readonly lastChanged: ReadonlyMap<string, string>;
}

/** "2011–2019", "2017 onwards", or nothing. */
function period(deal: Deal): string {
  if (!deal.period) return "";
  return deal.period.to ? `${deal.period.from}–${deal.period.to}` : `${deal.period.from} onwards`;
}

/** A deal's entry in a list: its label linked, then parties, status, years and how many facts. */
function dealItem(deal: Deal, context: SiteContext, root: string): Html {
  const parties = deal.parties.map((id) => context.kb.entities.get(id)?.name ?? id).join(", ");
  const years = period(deal);
  return html`<li data-id="${deal.id}"><a href="${root}${dealPath(deal.id)}">${dealLabel(deal)}</a>
<span class="meta">${parties} · ${deal.status}${years ? ` · ${years}` : ""} · ${plural(deal.facts.length, "fact")}</span></li>
`;
}

function byLabel(a: Deal, b: Deal): number {
  return dealLabel(a).localeCompare(dealLabel(b));
}

export function indexPage(context: SiteContext): string {
  const { kb } = context;
  const deals = [...kb.deals.values()].sort(byLabel);
  // `<` is escaped so the JSON cannot close its script element.
  const data = searchData(deals, kb).replace(/</g, "\\u003c");
  return page({
    title: "Receipts: data-sharing deals between companies, with their sources",
    description: `${deals.length} data-sharing deals between companies and ${kb.facts.size} facts, each with its sources.`,
    root: "",
    version: kb.version,
    scripts: ["assets/minisearch.js", "assets/search.js"],
    body: html`<h1>Data-sharing deals, with the receipts</h1>
<p>Who handed whose data to whom, what came back, when, and what happened next: ${deals.length} deals and ${kb.facts.size} facts, every one with its sources, allegations marked as allegations. <a href="companies/index.html">Browse by company</a>, or follow the <a href="feed.xml">feed</a> to hear when something changes.</p>
<form id="search" role="search" hidden>
<label for="search-box">Find a deal by company, product or topic</label>
<input id="search-box" type="search" autocomplete="off" spellcheck="false" placeholder="e.g. Meta, location data, FTC">
<p id="search-status" role="status" aria-live="polite"></p>
</form>
<script type="application/json" id="search-data">${raw(data)}</script>
<h2 id="deals-heading">All deals</h2>
<ul id="deals" class="deals" aria-labelledby="deals-heading">
${deals.map((deal) => dealItem(deal, context, ""))}</ul>`,
  });
}

/** A fact's status as its timeline mark and its word: the mark is drawn from the timeline's own definitions. */
function statusBadge(fact: Fact): Html {
  return html`<span class="status status-${fact.status}"><svg class="mark" width="16" height="16" viewBox="-9 -9 18 18" aria-hidden="true"><use href="#tl-${fact.status}"/></svg>${FACT_STATUS_LABEL[fact.status]}</span>`;
}

function citationLink(citation: Citation): Html {
  return html`<a href="#src-${citation.id}" title="${sourceTitle(citation)}">[${citation.n}]</a>`;
}

function sourceItem(citation: Citation): Html {
  const url = httpUrl(citation.url);
  const title = sourceTitle(citation);
  const details = sourceDetails(citation);
  return html`<li id="src-${citation.id}"><span class="n">[${citation.n}]</span> ${url ? html`<a href="${url}">${title}</a>` : title}${details ? ` — ${details}` : ""}</li>
`;
}

export function dealPage(deal: Deal, context: SiteContext): string {
  const { kb } = context;
  const label = dealLabel(deal);
  const citations = new Citations(kb.sources);
  const facts = deal.facts.map((fact) => ({
    fact,
    cites: citations.cite(orderSources(fact.sources, kb.sources)),
  }));
  const byTier = new Map<SourceTier, Citation[]>();
  for (const citation of citations.list) {
    const source = kb.sources.get(citation.id);
    if (!source) continue;
    const tier = tierOf(source);
    byTier.set(tier, [...(byTier.get(tier) ?? []), citation]);
  }
  const parties = deal.parties.map((id) => {
    const entity = kb.entities.get(id);
    if (!entity) return html`${id}`;
    return context.companies.has(id)
      ? html`<a href="../${companyPath(id)}">${entity.name}</a>`
      : html`${entity.name}`;
  });
  const related = deal.related.map((id) => kb.deals.get(id)).filter((d): d is Deal => d !== undefined);
  const updated = context.lastChanged.get(deal.id);
  const years = period(deal);

  return page({
    title: `${label} · Receipts`,
    description: deal.title,
    root: "../",
    version: kb.version,
    body: html`<article class="deal">
<h1>${label}</h1>
${label !== deal.title ? html`<p class="title">${deal.title}</p>\n` : ""}<p class="summary">${deal.summary}</p>
<dl class="about">
<dt>Parties</dt><dd>${parties.flatMap((party, i) => (i === 0 ? [party] : [html`, `, party]))}</dd>
<dt>Status</dt><dd>${deal.status}</dd>
${years ? html`<dt>Period</dt><dd>${years}</dd>\n` : ""}${updated ? html`<dt>Last updated</dt><dd><time datetime="${updated}">${formatDate(updated.slice(0, 10))}</time></dd>\n` : ""}</dl>
<section aria-labelledby="timeline">
<h2 id="timeline">Timeline</h2>
<p>${timelineSummary(deal)}.</p>
<figure class="timeline">${raw(timelineSvg(deal))}</figure>
</section>
<section aria-labelledby="facts">
<h2 id="facts">Facts</h2>
<ol class="facts">
${facts.map(
  ({
    fact,
    cites,
  }) => html`<li id="${fact.id}" class="fact"><p class="meta">${statusBadge(fact)}${fact.date ? html` · <time datetime="${fact.date}">${formatDate(fact.date)}</time>` : ""} <a class="anchor" href="#${fact.id}" aria-label="Link to this fact">#</a></p>
<p>${fact.text} ${cites.map((n) => citationLink(citations.list[n - 1] as Citation))}</p></li>
`,
)}</ol>
</section>
<section aria-labelledby="sources">
<h2 id="sources">Sources</h2>
<p>${plural(citations.list.length, "source")}, best first: a court record, a regulator's order or a company's own words before the press, the outlet that broke a story before those that copied it.</p>
${SOURCE_TIERS.filter((tier) => byTier.has(tier)).map(
  (tier) => html`<h3>${TIER_HEADING[tier]}</h3>
<ul class="sources">
${(byTier.get(tier) ?? []).map(sourceItem)}</ul>
`,
)}</section>
${
  related.length > 0
    ? html`<section aria-labelledby="related">
<h2 id="related">Related deals</h2>
<ul class="deals">
${related.map((d) => dealItem(d, context, "../"))}</ul>
</section>
`
    : ""
}</article>`,
  });
}

export function companyPage(entity: Entity, context: SiteContext): string {
  const { kb } = context;
  const deals = context.companies.get(entity.id) ?? { party: [], mentioned: [] };
  const parent = entity.parent ? kb.entities.get(entity.parent) : undefined;
  const children = [...kb.entities.values()].filter(
    (e) => e.parent === entity.id && context.companies.has(e.id),
  );
  const list = (items: readonly Deal[]) => html`<ul class="deals">
${[...items].sort(byLabel).map((deal) => dealItem(deal, context, "../"))}</ul>`;
  return page({
    title: `${entity.name} · Receipts`,
    description: `${entity.name}'s data-sharing deals, with their sources.`,
    root: "../",
    version: kb.version,
    body: html`<h1>${entity.name}</h1>
${entity.aliases.length > 0 ? html`<p>Also known as ${entity.aliases.join(", ")}.</p>\n` : ""}${entity.description ? html`<p>${entity.description}</p>\n` : ""}${
  parent && context.companies.has(parent.id)
    ? html`<p>Part of <a href="../${companyPath(parent.id)}">${parent.name}</a>.</p>\n`
    : ""
}${
  children.length > 0
    ? html`<p>Owns ${children.map((child, i) => html`${i > 0 ? ", " : ""}<a href="../${companyPath(child.id)}">${child.name}</a>`)}.</p>\n`
    : ""
}<h2>Deals ${entity.name} is a party to</h2>
${deals.party.length > 0 ? list(deals.party) : html`<p>None recorded.</p>`}
${deals.mentioned.length > 0 ? html`<h2>Deals that mention ${entity.name}</h2>\n${list(deals.mentioned)}` : ""}`,
  });
}

export function companiesPage(context: SiteContext): string {
  const { kb } = context;
  const companies = [...context.companies.keys()]
    .map((id) => kb.entities.get(id))
    .filter((e): e is Entity => e !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
  return page({
    title: "Companies · Receipts",
    description: `${companies.length} companies and their data-sharing deals.`,
    root: "../",
    version: kb.version,
    body: html`<h1>Companies</h1>
<ul class="companies">
${companies.map((entity) => {
  const deals = context.companies.get(entity.id);
  return html`<li><a href="../${companyPath(entity.id)}">${entity.name}</a> <span class="meta">${plural(deals?.party.length ?? 0, "deal")}${
    (deals?.mentioned.length ?? 0) > 0 ? `, mentioned in ${deals?.mentioned.length}` : ""
  }</span></li>
`;
})}</ul>`,
  });
}
