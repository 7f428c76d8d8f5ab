/**
 * The built site in a real headless Chromium (Debian's package, driven by playwright-core), served
 * on 127.0.0.1 at phone width: pages load with no console error and no failed request, no request
 * leaves the test server, every link the browser resolves leads to a page (anchors too), nothing
 * is wider than the phone, the search box finds deals by a company's other names, and without
 * JavaScript everything but the search box is there. Screenshots go to test-artifacts/ (not
 * committed).
 *
 * Opened: the indexes, and of the deal and company pages (two templates, one page per deal or
 * company) those most likely to overflow a phone (see `riskiest`). The others are the same template
 * with less in it, and a page takes Chromium 100–300 ms here: opening all 350 of them took this
 * file from seconds to minutes for nothing the riskiest do not show. site.test.ts checks every
 * page's links and HTML without a browser.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KnowledgeBase } from "../../src/knowledge/types.js";
import { buildSite } from "../../src/site/build.js";
import { knowledgeFrom, REPO } from "../support/knowledge.js";
import { idsOf, serveSite } from "../support/site.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO, "test-artifacts");
const PHONE = { width: 390, height: 844 };
/** Pages opened at once: one per core of the 2-core machines this runs on (more only wait their turn). */
const TABS = 2;

const present = existsSync(CHROMIUM);
if (!present)
  console.warn(
    `browser test skipped: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH; CI installs it.`,
  );

/**
 * The few browser names the page callbacks use: they run in Chromium, while this project's types
 * are Node's (no DOM library), so they are declared here, for this file only.
 */
interface BrowserElement {
  readonly id: string;
  readonly dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
}
declare const document: {
  readonly baseURI: string;
  readonly documentElement: { readonly scrollWidth: number };
  readonly fonts: { readonly ready: Promise<unknown> };
  querySelectorAll(selector: string): Iterable<BrowserElement>;
};

/** How many pages of each template (deals/, companies/) to open. */
const RISKIEST_PER_TEMPLATE = 12;

/**
 * The pages to open: every page that is not one of a template's (the indexes), and of each
 * template's pages the ones whose longest unbroken word (a long name or URL, what overflows a
 * phone) is longest, then the longest pages.
 */
function riskiest(files: readonly string[], read: (file: string) => string): string[] {
  const pages = files.filter((file) => file.endsWith(".html"));
  const templateOf = (file: string) =>
    ["deals/", "companies/"].find((folder) => file.startsWith(folder) && !file.endsWith("/index.html"));
  const picked = pages.filter((file) => !templateOf(file));
  for (const folder of ["deals/", "companies/"]) {
    const measured = pages
      .filter((file) => templateOf(file) === folder)
      .map((file) => {
        const text = read(file).replace(/<[^>]*>/g, " ");
        return {
          file,
          longestWord: Math.max(...text.split(/\s+/).map((word) => word.length)),
          size: text.length,
        };
      });
    for (const key of ["longestWord", "size"] as const)
      picked.push(
        ...[...measured]
          .sort((x, y) => y[key] - x[key])
          .slice(0, RISKIEST_PER_TEMPLATE / 2)
          .map((page) => page.file),
      );
  }
  return [...new Set(picked)];
}

/** What one page showed the browser. */
interface Visit {
  readonly links: string[];
  readonly ids: string[];
  readonly scrollWidth: number;
}

describe.skipIf(!present)("the site in a browser", () => {
  let kb: KnowledgeBase;
  let out: string;
  let files: string[];
  let server: Server;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  const problems: string[] = [];
  const outside: string[] = [];

  /** A fresh context (its own cookies and cache) that refuses and records every request not to the test server. */
  async function newContext(javaScriptEnabled: boolean): Promise<BrowserContext> {
    const created = await browser.newContext({ viewport: PHONE, javaScriptEnabled });
    await created.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      outside.push(url);
      return route.abort("blockedbyclient");
    });
    created.on("console", (message) => {
      if (message.type() === "error")
        problems.push(`console error on ${message.page()?.url()}: ${message.text()}`);
    });
    created.on("weberror", (error) => problems.push(`page error: ${error.error().message}`));
    created.on("requestfailed", (request) =>
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
    );
    created.on("response", (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    return created;
  }

  beforeAll(async () => {
    kb = (await knowledgeFrom()).kb;
    out = mkdtempSync(path.join(tmpdir(), "receipts-site-browser-"));
    files = await buildSite({ kb, out });
    ({ server, origin } = await serveSite(out));
    // Playwright starts Chromium with a new, empty --user-data-dir of its own every launch.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    context = await newContext(true);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (out) rmSync(out, { recursive: true, force: true });
  });

  async function visit(page: Page, file: string): Promise<Visit> {
    const response = await page.goto(`${origin}/${file}`, { waitUntil: "load" });
    expect(response?.status(), file).toBe(200);
    return page.evaluate(async () => {
      // A font still loading when the next page opens would be cancelled, and counted as failed.
      await document.fonts.ready;
      return {
        links: [...document.querySelectorAll("a[href], link[href], script[src], use[href]")].map(
          (element) =>
            new URL(element.getAttribute("href") ?? element.getAttribute("src") ?? "", document.baseURI).href,
        ),
        ids: [...document.querySelectorAll("[id]")].map((element) => element.id),
        scrollWidth: document.documentElement.scrollWidth,
      };
    });
  }

  it("loads the pages with no console error, no failed request and nothing wider than a phone; their links resolve", async () => {
    const pages = riskiest(files, (file) => readFileSync(path.join(out, file), "utf8"));
    expect(pages).toEqual(expect.arrayContaining(["index.html", "companies/index.html"]));
    for (const folder of ["deals/", "companies/"])
      expect(pages.filter((file) => file.startsWith(folder)).length).toBeGreaterThan(
        RISKIEST_PER_TEMPLATE / 2,
      );
    const visits = new Map<string, Visit>();
    const queue = [...pages];
    await Promise.all(
      Array.from({ length: TABS }, async () => {
        const tab = await context.newPage();
        for (let file = queue.shift(); file !== undefined; file = queue.shift())
          visits.set(file, await visit(tab, file));
        await tab.close();
      }),
    );
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
    const served = new Set(files);
    // Anchors on a page opened here are the ids the browser saw; on another, the ids its file has.
    const idsOn = (target: string) =>
      new Set(visits.get(target)?.ids ?? idsOf(readFileSync(path.join(out, target), "utf8")));
    const broken: string[] = [];
    for (const [file, { links, scrollWidth }] of visits) {
      expect(scrollWidth, `${file} is wider than a phone`).toBeLessThanOrEqual(PHONE.width);
      for (const link of links) {
        if (link.startsWith("data:") || !link.startsWith(origin)) continue;
        const url = new URL(link);
        const target = url.pathname.slice(1) || "index.html";
        const fragment = decodeURIComponent(url.hash.slice(1));
        if (!served.has(target)) broken.push(`${file} → ${target}`);
        else if (fragment && target.endsWith(".html") && !idsOn(target).has(fragment))
          broken.push(`${file} → ${target}#${fragment}`);
      }
    }
    expect(broken).toEqual([]);
  }, 120_000);

  it("finds a Facebook deal by typing FB or Meta, and says when nothing matches", async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    const box = page.getByLabel("Find a deal by company, product or topic");
    await expect.poll(() => box.isVisible()).toBe(true);
    const visible = () =>
      page
        .locator("#deals > li:not([hidden])")
        .evaluateAll((items) => items.map((li) => (li as unknown as BrowserElement).dataset.id));
    for (const query of ["FB", "Meta"]) {
      await box.fill("");
      await box.pressSequentially(query);
      const shown = await visible();
      expect(shown, query).toContain("netflix-facebook");
      expect(shown.length, query).toBeLessThan(kb.deals.size);
      expect(await page.locator("#search-status").textContent()).toMatch(/^\d+ deals? match/);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, "site-index-search-390.png") });
    await box.fill("zzqx nothing like this");
    expect(await visible()).toEqual([]);
    expect(await page.locator("#search-status").textContent()).toMatch(/^No deal matches/);
    await box.fill("");
    expect(await visible()).toHaveLength(kb.deals.size);
    await page.close();
  });

  it("shows every deal and every fact with JavaScript off, the search box hidden", async () => {
    const plain = await newContext(false);
    const page = await plain.newPage();
    await page.goto(`${origin}/index.html`);
    expect(await page.locator("#search").isVisible()).toBe(false);
    expect(await page.locator("#deals > li:visible").count()).toBe(kb.deals.size);
    await page.screenshot({ path: path.join(ARTIFACTS, "site-index-390.png"), fullPage: true });
    const deal = kb.deals.get("netflix-facebook");
    await page.evaluate(async () => void (await document.fonts.ready));
    await page.goto(`${origin}/deals/netflix-facebook.html`);
    expect(await page.locator("li.fact:visible").count()).toBe(deal?.facts.length);
    expect(await page.locator("figure.timeline svg").isVisible()).toBe(true);
    await page.evaluate(async () => void (await document.fonts.ready));
    await page.screenshot({ path: path.join(ARTIFACTS, "site-deal-390.png"), fullPage: true });
    await plain.close();
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });
});
