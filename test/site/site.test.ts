/** The static site, built from the real knowledge base and read back as files (the browser test opens it). */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import MiniSearch from "minisearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dealLabel } from "../../src/knowledge/relations.js";
import { tierOf, tierRank } from "../../src/knowledge/tiers.js";
import type { KnowledgeBase } from "../../src/knowledge/types.js";
import { buildSite, SiteError } from "../../src/site/build.js";
import { dateTime, feedId } from "../../src/site/feed.js";
import {
  SEARCH_OPTIONS,
  SEARCH_QUERY_OPTIONS,
  type SearchDocument,
  searchDocument,
} from "../../src/site/search.js";
import { datedFacts } from "../../src/timeline/svg.js";
import { escapeXml } from "../../src/timeline/text.js";
import { knowledgeFrom } from "../support/knowledge.js";
import { htmlProblems, idsOf, internalLinks } from "../support/site.js";

const SITE_URL = "https://receipts.example.org/data";

let kb: KnowledgeBase;
let out: string;
let files: string[];
const read = (file: string) => readFileSync(path.join(out, file), "utf8");

beforeAll(async () => {
  kb = (await knowledgeFrom()).kb;
  out = mkdtempSync(path.join(tmpdir(), "receipts-site-"));
  files = await buildSite({
    kb,
    out,
    siteUrl: SITE_URL,
    lastChanged: new Map([["netflix-facebook", "2024-04-02T10:00:00+00:00"]]),
  });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("buildSite", () => {
  it("writes the index, a page per deal and per company, the companies list, the feed and the assets", () => {
    const companies = [...kb.entities.values()].filter((e) => e.kind === "company");
    expect(files).toContain("index.html");
    expect(files).toContain("companies/index.html");
    expect(files).toContain("feed.xml");
    for (const deal of kb.deals.keys()) expect(files).toContain(`deals/${deal}.html`);
    for (const company of companies) expect(files).toContain(`companies/${company.id}.html`);
    for (const asset of ["site.css", "search.js", "minisearch.js", "fonts/AtkinsonHyperlegible-Regular.ttf"])
      expect(files).toContain(`assets/${asset}`);
    expect(readdirSync(path.join(out, "deals"))).toHaveLength(kb.deals.size);
  });

  it("writes valid HTML5 pages that fetch nothing from elsewhere", () => {
    const pages = files.filter((file) => file.endsWith(".html"));
    expect(pages.length).toBeGreaterThan(kb.deals.size);
    for (const file of pages) {
      const text = read(file);
      expect(htmlProblems(text), file).toEqual([]);
      // Only links out to sources may leave the site; nothing is loaded from another host.
      for (const [, tag, attribute, url] of text.matchAll(/<(\w+)\b[^>]*?\s(src|href)="([^"]*)"/g)) {
        if (tag === "a") continue;
        expect(url, `${file}: <${tag} ${attribute}>`).not.toMatch(/^(https?:)?\/\//);
      }
    }
    expect(read("assets/site.css")).not.toMatch(/https?:|@import/);
    expect(read("assets/search.js")).not.toMatch(/https?:|fetch\(|XMLHttpRequest/);
  });

  it("links every page only to pages it wrote and to anchors they have", () => {
    const written = new Set(files);
    const ids = new Map<string, Set<string>>();
    const broken: string[] = [];
    for (const page of files.filter((file) => file.endsWith(".html"))) {
      for (const { file, fragment } of internalLinks(page, read(page))) {
        if (!written.has(file)) broken.push(`${page} → ${file}`);
        else if (fragment && file.endsWith(".html")) {
          if (!ids.has(file)) ids.set(file, idsOf(read(file)));
          if (!ids.get(file)?.has(fragment)) broken.push(`${page} → ${file}#${fragment}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("gives every fact of a deal an anchor with its id, its status, date and sources grouped by tier", () => {
    for (const deal of kb.deals.values()) {
      const text = read(`deals/${deal.id}.html`);
      expect(text, deal.id).toContain(`<h1>${escapeXml(dealLabel(deal))}</h1>`);
      for (const fact of deal.facts) {
        const item = new RegExp(`<li id="${fact.id}" class="fact">(.*?)</li>`, "s").exec(text)?.[1];
        expect(item, fact.id).toBeDefined();
        expect(item).toContain(`status-${fact.status}`);
        if (fact.date) expect(item).toContain(`<time datetime="${fact.date}">`);
        for (const source of fact.sources) expect(item).toContain(`href="#src-${source}"`);
      }
      // Every cited source is listed once, under its tier's heading, tiers best first.
      const sourceIds = new Set(deal.facts.flatMap((fact) => fact.sources));
      const listed = [...text.matchAll(/<li id="src-([^"]+)">/g)].map((m) => m[1] as string);
      expect(new Set(listed), deal.id).toEqual(sourceIds);
      expect(listed).toHaveLength(sourceIds.size);
      const ranks = listed.map((id) => tierRank(tierOf(kb.sources.get(id) as never)));
      expect(ranks, deal.id).toEqual([...ranks].sort((a, b) => a - b));
      // The timeline is inline, with a mark for every dated fact.
      for (const { fact } of datedFacts(deal).dated) expect(text).toContain(`data-fact="${fact.id}"`);
    }
  });

  it("lists each company's deals, through the companies it owns too", () => {
    const facebook = read("companies/facebook.html");
    expect(facebook).toContain("Also known as Meta");
    expect(facebook).toContain(`href="../deals/netflix-facebook.html"`);
    const instagram = [...kb.deals.values()].find((deal) => deal.parties.includes("instagram"));
    if (instagram) expect(facebook).toContain(`href="../deals/${instagram.id}.html"`);
  });

  it("refuses to clear a folder it did not build, and clears one it did", async () => {
    const other = mkdtempSync(path.join(tmpdir(), "receipts-not-a-site-"));
    try {
      writeFileSync(path.join(other, "precious.txt"), "keep me");
      await expect(buildSite({ kb, out: other })).rejects.toThrow(SiteError);
      expect(readFileSync(path.join(other, "precious.txt"), "utf8")).toBe("keep me");
      rmSync(path.join(other, "precious.txt"));
      await buildSite({ kb, out: other });
      mkdirSync(path.join(other, "deals", "stale"));
      await buildSite({ kb, out: other });
      expect(readdirSync(path.join(other, "deals"))).not.toContain("stale");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe("the Atom feed", () => {
  it("is well-formed Atom with an entry per deal, newest change first, absolute links under SITE_URL", () => {
    const xml = read("feed.xml");
    expect(XMLValidator.validate(xml)).toBe(true);
    const { feed } = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === "entry" || name === "link",
    }).parse(xml);
    expect(feed["@_xmlns"]).toBe("http://www.w3.org/2005/Atom");
    for (const field of ["id", "title", "updated"]) expect(feed[field], field).toBeTruthy();
    expect(feed.author.name).toBe("Receipts");
    expect(feed.link.map((l: Record<string, string>) => l["@_rel"]).sort()).toEqual(["alternate", "self"]);
    const entries: Record<string, unknown>[] = feed.entry;
    expect(entries).toHaveLength(kb.deals.size);
    const ids = entries.map((e) => e.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
    const updated = entries.map((e) => e.updated as string);
    for (const entry of entries) {
      expect(entry.id).toMatch(
        /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(entry.updated).toMatch(rfc3339);
      expect(entry.title).toBeTruthy();
      const href = (entry.link as Record<string, string>[])[0]?.["@_href"];
      expect(href).toMatch(/^https:\/\/receipts\.example\.org\/data\/deals\/[a-z0-9-]+\.html$/);
    }
    expect(feed.updated).toBe(updated[0]);
    expect(updated.map((u) => Date.parse(u))).toEqual(
      updated.map((u) => Date.parse(u)).sort((a, b) => b - a),
    );
    // History wins over the facts' own dates.
    expect(entries.find((e) => e.id === feedId("deal:netflix-facebook"))?.updated).toBe(
      "2024-04-02T10:00:00+00:00",
    );
  });

  it("turns partial dates into date-times", () => {
    expect(dateTime("2024")).toBe("2024-01-01T00:00:00Z");
    expect(dateTime("2024-04")).toBe("2024-04-01T00:00:00Z");
    expect(dateTime("2024-04-02")).toBe("2024-04-02T00:00:00Z");
  });
});

describe("the search box's index", () => {
  it("finds a company's deals by any of its names, with the options the page ships", () => {
    const documents = [...kb.deals.values()].map((deal) => searchDocument(deal, kb));
    const index = new MiniSearch<SearchDocument>({
      ...SEARCH_OPTIONS,
      fields: [...SEARCH_OPTIONS.fields],
      storeFields: [],
    });
    index.addAll(documents);
    for (const query of ["FB", "Meta", "facebook", "Zuck's company"]) {
      const found = index.search(query, { ...SEARCH_QUERY_OPTIONS }).map((hit) => hit.id);
      expect(found, query).toContain("netflix-facebook");
    }
    const index_ = read("index.html");
    const shipped = JSON.parse(
      /<script type="application\/json" id="search-data">(.*?)<\/script>/s.exec(index_)?.[1] ?? "",
    );
    expect(shipped.options).toEqual(SEARCH_OPTIONS);
    expect(shipped.searchOptions).toEqual(SEARCH_QUERY_OPTIONS);
    expect(shipped.documents).toHaveLength(kb.deals.size);
  });
});

describe("dealLabel", () => {
  it("prefers a deal's own label, else its title up to a colon or parenthesis, cut to 80 characters", () => {
    expect(dealLabel({ title: "Acme and StreamCo: viewing data (2024)", label: "Acme–StreamCo" })).toBe(
      "Acme–StreamCo",
    );
    expect(dealLabel({ title: "Acme and StreamCo: viewing data (2024)" })).toBe("Acme and StreamCo");
    expect(dealLabel({ title: "Acme sharing data (FTC, 2024)" })).toBe("Acme sharing data");
    const title = `Acme ${"sharing lots of data ".repeat(10)}`;
    const long = dealLabel({ title });
    expect([...long].length).toBeLessThanOrEqual(80);
    expect(long.endsWith("…") && title.startsWith(`${long.slice(0, -1)} `)).toBe(true);
  });
});
