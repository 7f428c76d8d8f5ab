import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Deal, FACT_STATUSES, type Fact, type FactStatus } from "../../src/knowledge/types.js";
import { fitText, textWidth } from "../../src/timeline/fonts.js";
import { legendEntrySvg, STATUS_MARKS } from "../../src/timeline/marks.js";
import { rasterise, TimelineCache } from "../../src/timeline/png.js";
import { datedFacts, TIMELINE_MAX_HEIGHT, TIMELINE_WIDTH, timelineSvg } from "../../src/timeline/svg.js";
import { knowledgeFrom } from "../support/knowledge.js";
import { pixelDifference, pngSize } from "../support/png.js";

const GOLDEN = path.join(import.meta.dirname, "golden");
/** `UPDATE_GOLDEN=1 npx vitest run test/timeline` rewrites the golden legend pictures after a deliberate change. */
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const MAX_BYTES = 300 * 1024;
/** How many of the real deals' pictures are rasterised (the busiest; see the first test). */
const RASTERISED = 12;

function svgSize(svg: string): { width: number; height: number } {
  const match = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg);
  if (!match) throw new Error("no size on the SVG");
  return { width: Number(match[1]), height: Number(match[2]) };
}

function factIdsIn(svg: string): Set<string> {
  return new Set([...svg.matchAll(/data-fact="([^"]+)"/g)].map((m) => m[1] as string));
}

function syntheticDeal(count: number, dated: (i: number) => string | undefined): Deal {
  const statuses = FACT_STATUSES;
  const facts: Fact[] = Array.from({ length: count }, (_, i) => ({
    id: `f-${i}`,
    deal: "synthetic",
    text: `Fact number ${i} says something rather long about <who> & "what" happened, so its label must be cut to fit.`,
    status: statuses[i % statuses.length] as FactStatus,
    sources: ["s"],
    ...(dated(i) ? { date: dated(i) } : {}),
    by: [],
    about: [],
    questions: [],
  }));
  return {
    id: "synthetic",
    title: "A synthetic deal: every status, many facts",
    parties: [],
    status: "alleged",
    summary: "",
    tags: [],
    related: [],
    facts,
  };
}

describe("timelineSvg and rasterise", () => {
  it("draw every deal within 1280×720 with every dated fact and no undated one, the busiest in 300 KB", async () => {
    const { kb } = await knowledgeFrom();
    const drawn = [...kb.deals.values()].map((deal) => ({ deal, svg: timelineSvg(deal) }));
    for (const { deal, svg } of drawn) {
      const size = svgSize(svg);
      expect(size.width, deal.id).toBeLessThanOrEqual(1280);
      expect(size.height, deal.id).toBeLessThanOrEqual(720);
      const { dated, undated } = datedFacts(deal);
      const ids = factIdsIn(svg);
      expect([...ids].sort(), deal.id).toEqual(dated.map((d) => d.fact.id).sort());
      if (undated > 0) expect(svg, deal.id).toContain(`${undated} undated fact`);
    }
    // Rasterised: the pictures with the most in them, the ones nearest the byte limit (every
    // deal's took 50 ms each, most of this file's time, to find the same).
    const busiest = [...drawn].sort((a, b) => b.svg.length - a.svg.length).slice(0, RASTERISED);
    for (const { deal, svg } of busiest) {
      const png = await rasterise(svg);
      expect(pngSize(png), deal.id).toEqual(svgSize(svg));
      expect(png.byteLength, deal.id).toBeLessThan(MAX_BYTES);
    }
  }, 120_000);

  it("keeps a deal with hundreds of dated facts within bounds, every fact on the axis", () => {
    const deal = syntheticDeal(300, (i) => `${2000 + (i % 25)}-${String((i % 12) + 1).padStart(2, "0")}`);
    const svg = timelineSvg(deal);
    expect(svgSize(svg).width).toBe(TIMELINE_WIDTH);
    expect(svgSize(svg).height).toBeLessThanOrEqual(TIMELINE_MAX_HEIGHT);
    expect(factIdsIn(svg).size).toBe(300);
    expect(svg).toMatch(/\+ \d+ more facts: see the deal&#39;s page/);
    expect(svg).not.toContain("<who>");
    expect(svg).toContain("&lt;who&gt; &amp; &quot;what&quot;");
  });

  it("orders partial dates by where they fall and says when nothing is dated", () => {
    const deal = syntheticDeal(3, (i) => ["2020-06-15", "2020", "2019-12"][i]);
    expect(datedFacts(deal).dated.map((d) => d.fact.date)).toEqual(["2019-12", "2020-06-15", "2020"]);
    const none = timelineSvg(syntheticDeal(2, () => undefined));
    expect(none).toContain("No dated facts yet · 2 undated facts not shown");
    expect(svgSize(none).height).toBeLessThan(300);
  });

  it("gives every status its own colour and its own shape", () => {
    const marks = Object.values(STATUS_MARKS);
    expect(new Set(marks.map((m) => m.shape)).size).toBe(FACT_STATUSES.length);
    expect(new Set(marks.map((m) => m.colour)).size).toBe(FACT_STATUSES.length);
    expect(marks.map((m) => m.label)).toEqual([
      "Alleged",
      "Reported",
      "Confirmed",
      "Denied",
      "Ruled",
      "Not supported",
    ]);
  });

  it.each(FACT_STATUSES)("draws the %s legend entry as its golden picture", async (status) => {
    const svg = legendEntrySvg(status);
    const png = await rasterise(svg);
    const svgFile = path.join(GOLDEN, `legend-${status}.svg`);
    const pngFile = path.join(GOLDEN, `legend-${status}.png`);
    if (UPDATE) {
      writeFileSync(svgFile, svg);
      writeFileSync(pngFile, png);
    }
    expect(svg).toBe(readFileSync(svgFile, "utf8"));
    // Pixels may shift a little with a new resvg; a changed shape, colour or label moves many more.
    expect(pixelDifference(png, readFileSync(pngFile))).toBeLessThan(0.01);
  });
});

describe("fitText", () => {
  it("cuts after a whole word to fit, and leaves short text alone", () => {
    const text = "The plaintiffs say Netflix got access to the Inbox API";
    expect(fitText(text, 2000, 14)).toBe(text);
    const cut = fitText(text, 150, 14);
    expect(cut).toMatch(/^The plaintiffs say\b.*…$/);
    expect(textWidth(cut, 14)).toBeLessThanOrEqual(150);
    expect(text.startsWith(cut.slice(0, -1))).toBe(true);
  });
});

describe("TimelineCache", () => {
  it("draws a deal once per knowledge-base version", async () => {
    const { kb } = await knowledgeFrom();
    const deal = kb.deals.get("netflix-facebook") as Deal;
    const cache = new TimelineCache();
    const first = cache.png(deal, kb);
    expect(cache.png(deal, kb)).toBe(first);
    const png = await first;
    expect(pngSize(png).width).toBe(TIMELINE_WIDTH);
    const next = cache.png(deal, { version: `${kb.version}-next` });
    expect(next).not.toBe(first);
    expect(Buffer.compare(await next, png)).toBe(0);
  });
});
