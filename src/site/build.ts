/**
 * `npm run site -- --out DIR`: the static site, from the knowledge base: `index.html` (every deal,
 * searchable as you type), `deals/<id>.html`, `companies/<id>.html` and `companies/index.html`,
 * `feed.xml` (Atom), and `assets/` (stylesheet, script, MiniSearch, fonts). Nothing on it is
 * fetched from anywhere else, and every page but the search box works without JavaScript.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { KnowledgeBase } from "../knowledge/types.js";
import { FONT_DIR } from "../timeline/fonts.js";
import { companyDeals } from "./companies.js";
import { atomFeed } from "./feed.js";
import { companiesPage, companyPage, dealPage, indexPage, type SiteContext } from "./pages.js";
import { companyPath, dealPath } from "./urls.js";

const SITE_ASSETS = path.resolve(import.meta.dirname, "../../assets/site");

/** Left in a built site, so a rebuild may clear the folder: never a folder that holds anything else. */
const MARKER = ".receipts-site";

export interface SiteOptions {
  readonly kb: KnowledgeBase;
  readonly out: string;
  /** Public base URL: absolute links in the feed. Pages link to each other relatively either way. */
  readonly siteUrl?: string;
  /** Deal id → when it last changed (ISO 8601), from history (see history.ts). */
  readonly lastChanged?: ReadonlyMap<string, string>;
}

export class SiteError extends Error {
  override name = "SiteError";
}

/** Writes the site to `out` and returns the paths it wrote, relative to `out`. */
export async function buildSite({
  kb,
  out,
  siteUrl,
  lastChanged = new Map(),
}: SiteOptions): Promise<string[]> {
  await clearOut(out);
  const context: SiteContext = { kb, companies: companyDeals(kb), lastChanged };
  const files = new Map<string, string>([
    ["index.html", indexPage(context)],
    ["companies/index.html", companiesPage(context)],
    ["feed.xml", atomFeed({ deals: [...kb.deals.values()], lastChanged, ...(siteUrl ? { siteUrl } : {}) })],
    [MARKER, "Built by npm run site; the next build clears this folder.\n"],
  ]);
  for (const deal of kb.deals.values()) files.set(dealPath(deal.id), dealPage(deal, context));
  for (const id of context.companies.keys()) {
    const entity = kb.entities.get(id);
    if (entity) files.set(companyPath(id), companyPage(entity, context));
  }
  for (const folder of ["deals", "companies", "assets/fonts"])
    await mkdir(path.join(out, folder), { recursive: true });
  await Promise.all([...files].map(([file, text]) => writeFile(path.join(out, file), text)));

  await writeFile(path.join(out, "assets/minisearch.js"), await miniSearchScript());
  const copies: [from: string, to: string][] = [
    [path.join(SITE_ASSETS, "site.css"), "assets/site.css"],
    [path.join(SITE_ASSETS, "search.js"), "assets/search.js"],
    ...(await readdir(FONT_DIR)).map((name): [string, string] => [
      path.join(FONT_DIR, name),
      `assets/fonts/${name}`,
    ]),
  ];
  await Promise.all(copies.map(([from, to]) => copyFile(from, path.join(out, to))));
  return [...files.keys(), "assets/minisearch.js", ...copies.map(([, to]) => to)].sort();
}

/**
 * The MiniSearch the bot uses, as the browser build (UMD: a plain script, so it works from a
 * file:// page too), with its licence notice and without the source-map comment, which would make
 * developer tools ask for a file the site does not have.
 */
async function miniSearchScript(): Promise<string> {
  const main = createRequire(import.meta.url).resolve("minisearch");
  const root = path.resolve(path.dirname(main), "../..");
  const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
    version: string;
  };
  const script = await readFile(path.join(root, "dist/umd/index.js"), "utf8");
  return `/*! MiniSearch ${version}, MIT License, Copyright 2022 Luca Ongaro */\n${script.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n")}`;
}

/**
 * What is in `out` now, when the site may be written there: nothing, or a site we built before.
 * Throws a SiteError for a folder that holds anything else.
 */
export async function checkOut(out: string): Promise<string[]> {
  if (!existsSync(out)) return [];
  const entries = await readdir(out);
  if (entries.length > 0 && !entries.includes(MARKER))
    throw new SiteError(
      `site: ${out} is not empty and was not built by npm run site; choose an empty or new folder with --out`,
    );
  return entries;
}

/** Empties `out` when it is a site we built before; refuses a folder that holds anything else. */
async function clearOut(out: string): Promise<void> {
  const entries = await checkOut(out);
  await Promise.all(entries.map((entry) => rm(path.join(out, entry), { recursive: true, force: true })));
}
