import { describe, expect, it } from "vitest";
import { loadKnowledgeDir } from "../../src/knowledge/load.js";
import { formatProblem } from "../../src/knowledge/report.js";
import { type Edits, FIXTURE_DIR, loadFixture } from "../support/knowledge.js";

/** Loads the valid fixture with some files edited: each edit replaces one exact string. */
function loadEdited(edits: Edits) {
  const result = loadFixture(edits);
  return {
    result,
    errors: result.ok ? [] : result.errors.map(formatProblem),
    warnings: result.warnings.map(formatProblem),
  };
}

describe("loading a valid knowledge base", () => {
  it("yields a typed, frozen knowledge base", async () => {
    const result = await loadKnowledgeDir(FIXTURE_DIR);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { kb } = result;
    expect([...kb.deals.keys()].sort()).toEqual(["acme-breach", "acme-streamco"]);
    expect(kb.facts.size).toBe(4);
    const ads = kb.facts.get("as-ads");
    expect(ads).toMatchObject({
      deal: "acme-streamco",
      status: "reported",
      amount: { value: 150_000_000, currency: "USD", per: "year", approximate: true },
    });
    // Unquoted years and dates load as dates, not numbers.
    expect(kb.deals.get("acme-streamco")?.period).toEqual({ from: "2011", to: "2019" });
    expect(kb.sources.get("denial-post")?.published).toBe("2024");
    expect(kb.sources.get("court-filing")?.published).toBe("2023-04-14");
    expect(kb.facts.get("as-denial")?.by).toEqual(["jane-doe"]);
    expect(Object.isFrozen(kb.facts.get("as-inbox"))).toBe(true);
    expect(Object.isFrozen(kb.deals.get("acme-streamco")?.facts)).toBe(true);
    // A deal's facts are the very objects of the facts map, as after a load from the cache.
    for (const deal of kb.deals.values())
      for (const fact of deal.facts) expect(kb.facts.get(fact.id)).toBe(fact);
    expect(result.warnings).toEqual([]);
  });

  it("gives the same version to the same content, and a new one to a change", () => {
    const a = loadEdited({});
    const b = loadEdited({});
    const c = loadEdited({ "deals/acme-breach.yaml": ["$5 million", "$6 million"] });
    if (!a.result.ok || !b.result.ok || !c.result.ok) throw new Error("fixture should load");
    expect(a.result.kb.version).toBe(b.result.kb.version);
    expect(c.result.kb.version).not.toBe(a.result.kb.version);
  });
});

describe("each broken rule is reported at its line and column", () => {
  const cases: Array<[rule: string, edits: Parameters<typeof loadEdited>[0], expected: string]> = [
    [
      "duplicate source id",
      {
        "sources.yaml": ["id: denial-post", "id: news-report"],
        "deals/acme-streamco.yaml": ["[denial-post]", "[news-report]"],
      },
      'sources.yaml:16:9: duplicate id "news-report" (first defined at sources.yaml:8:5)',
    ],
    [
      "duplicate entity id",
      {
        "entities.yaml": ["id: jane-doe", "id: acme"],
        "deals/acme-streamco.yaml": ["by: [jane-doe]", "by: [acme]"],
      },
      'entities.yaml:15:9: duplicate id "acme" (first defined at entities.yaml:2:5)',
    ],
    [
      "duplicate fact id across deals",
      { "deals/acme-breach.yaml": ["id: ab-fine", "id: as-ads"] },
      'deals/acme-streamco.yaml:17:9: duplicate fact id "as-ads" (first defined at deals/acme-breach.yaml:8:5)',
    ],
    [
      "deal id must match its file name",
      { "deals/acme-breach.yaml": ["id: acme-breach", "id: acme-fine"] },
      'deals/acme-breach.yaml:1:5: deal id "acme-fine" must match the file name "acme-breach"',
    ],
    [
      "a fact cites a source that does not exist",
      { "deals/acme-breach.yaml": ["sources: [news-report]", "sources: [news-reprot]"] },
      'deals/acme-breach.yaml:11:15: source "news-reprot" is not in sources.yaml (did you mean "news-report"?)',
    ],
    [
      "a fact cites no source",
      { "deals/acme-breach.yaml": ["sources: [news-report]", "sources: []"] },
      "deals/acme-breach.yaml:11:14: a fact must cite at least one source",
    ],
    [
      "a party is not a known entity",
      { "deals/acme-breach.yaml": ["parties: [acme]", "parties: [acme, globex]"] },
      'deals/acme-breach.yaml:3:17: party "globex" is not an entity in entities.yaml',
    ],
    [
      "an alias belongs to two entities",
      { "entities.yaml": ["aliases: [Stream Co]", "aliases: [Stream Co, acme]"] },
      'entities.yaml:9:26: alias "acme" is already the alias of entity "acme"',
    ],
    [
      "an alias is another entity's name",
      { "entities.yaml": ["aliases: [Stream Co]", "aliases: [Acme Social]"] },
      'entities.yaml:9:15: alias "Acme Social" is already the name of entity "acme"',
    ],
    [
      "a URL is not absolute http(s)",
      { "sources.yaml": ["url: https://court.example.org/filing/1", "url: /filing/1"] },
      "sources.yaml:3:10: url must be an absolute http(s) URL",
    ],
    [
      "a URL uses another scheme",
      { "sources.yaml": ["url: https://blog.example.net/denial", "url: ftp://blog.example.net/denial"] },
      "sources.yaml:17:10: url must be an absolute http(s) URL",
    ],
    [
      "a date is not YYYY, YYYY-MM or YYYY-MM-DD",
      { "deals/acme-breach.yaml": ["date: 2019", "date: 2019-13"] },
      "deals/acme-breach.yaml:12:11: date must be a date as YYYY, YYYY-MM or YYYY-MM-DD",
    ],
    [
      "a date does not exist",
      { "sources.yaml": ["published: 2023-04-14", "published: 2023-02-30"] },
      "sources.yaml:6:16: published must be a date as YYYY, YYYY-MM or YYYY-MM-DD",
    ],
    [
      "a status outside the vocabulary",
      { "deals/acme-breach.yaml": ["status: ruled", "status: rumoured"] },
      'deals/acme-breach.yaml:10:13: status must be one of alleged, reported, confirmed, denied, ruled, unsupported (got "rumoured")',
    ],
    [
      "empty text",
      { "deals/acme-breach.yaml": ["text: A regulator fined Acme Social $5 million in 2019.", 'text: "  "'] },
      "deals/acme-breach.yaml:9:11: text must not be empty",
    ],
    [
      "an unknown key, with a suggestion",
      { "deals/acme-streamco.yaml": ["    sources: [news-report]\n", "    soruces: [news-report]\n"] },
      'deals/acme-streamco.yaml:20:5: unknown key "soruces" (did you mean "sources"?)',
    ],
    [
      "an unknown key, without a close match",
      { "entities.yaml": ["kind: person", "kind: person\n    favourite_colour: blue"] },
      'entities.yaml:18:5: unknown key "favourite_colour"',
    ],
    [
      "a related deal that does not exist",
      { "deals/acme-breach.yaml": ["related: [acme-streamco]", "related: [acme-streamcoo]"] },
      'deals/acme-breach.yaml:6:11: related deal "acme-streamcoo" does not exist (did you mean "acme-streamco"?)',
    ],
    [
      "a YAML syntax error",
      { "deals/acme-breach.yaml": ["parties: [acme]", "parties: [acme"] },
      "deals/acme-breach.yaml:4:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
    ["a missing file", { "entities.yaml": null }, "entities.yaml:1:1: missing file entities.yaml"],
    [
      "a title carries a bracketed editing remark",
      {
        "sources.yaml": [
          "title: A news report about the deal",
          "title: (URL-slug title) A news report about the deal",
        ],
      },
      'sources.yaml:10:12: title carries an editing remark: put it in "note"',
    ],
    [
      "a title says it is a repost",
      {
        "sources.yaml": [
          "title: A news report about the deal",
          "title: A news report about the deal (repost of Example Original Outlet)",
        ],
      },
      'sources.yaml:10:12: title carries an editing remark: put it in "note"',
    ],
    [
      "a title names an archive copy",
      {
        "sources.yaml": [
          "title: Plaintiffs' letter brief",
          "title: Plaintiffs' letter brief - Scribd archive copy",
        ],
      },
      'sources.yaml:4:12: title carries an editing remark: put it in "note"',
    ],
    [
      "a title ends with the outlet's name",
      {
        "sources.yaml": [
          "title: A news report about the deal",
          "title: A news report about the deal (Example News)",
        ],
      },
      'sources.yaml:10:12: title ends with the outlet\'s name "Example News": the outlet belongs in "publisher" or "original"',
    ],
    [
      "a URL carries utm tracking parameters",
      {
        "sources.yaml": [
          "url: https://news.example.com/2024/story",
          "url: https://news.example.com/2024/story?utm_source=feed&utm_medium=rss",
        ],
      },
      "sources.yaml:9:10: url carries tracking parameters (utm_source, utm_medium): remove them",
    ],
    [
      "a URL carries a click id",
      {
        "sources.yaml": [
          "url: https://blog.example.net/denial",
          "url: https://blog.example.net/denial?fbclid=abc123",
        ],
      },
      "sources.yaml:17:10: url carries tracking parameters (fbclid): remove them",
    ],
  ];

  it.each(cases)("%s", (_rule, edits, expected) => {
    const { errors } = loadEdited(edits);
    // The rule's own message, and no cascade of follow-on errors.
    expect(errors).toEqual([expected]);
  });

  it("warns about http:// where https:// is likely served, without failing", () => {
    const { result } = loadEdited({
      "sources.yaml": ["url: https://blog.example.net/denial", "url: http://blog.example.net/denial"],
    });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => `${w.file}:${w.line}:${w.column}: ${w.message}`)).toEqual([
      "sources.yaml:17:10: url uses http://: use https:// where the site serves it",
    ]);
  });

  it("keeps a court docket title with its own parentheses", () => {
    const { errors } = loadEdited({
      "sources.yaml": [
        "title: Plaintiffs' letter brief",
        "title: Klein v. Meta - Filing 231 (order re subpoena)",
      ],
    });
    expect(errors).toEqual([]);
  });

  it("reports every problem of a run, not just the first", () => {
    const { errors } = loadEdited({
      "sources.yaml": ["url: https://court.example.org/filing/1", "url: nowhere"],
      "deals/acme-breach.yaml": ["status: ruled", "status: rumoured"],
      "deals/acme-streamco.yaml": ["date: '2013'", "date: yesterday"],
    });
    expect(errors).toHaveLength(3);
  });

  it("checks a deal's facts even when the deal's own fields are wrong", () => {
    const { errors } = loadEdited({
      "deals/acme-breach.yaml": ["status: fined", "status: rumoured"],
    });
    const alsoBadFact = loadEdited({
      "deals/acme-breach.yaml": ["status: fined\n", "status: rumoured\n"],
      "sources.yaml": ["id: news-report", "id: news-reports"],
      "deals/acme-streamco.yaml": ["[court-filing, news-report]", "[court-filing, news-reports]"],
    });
    expect(errors).toHaveLength(1);
    expect(alsoBadFact.errors.filter((e) => e.startsWith("deals/acme-breach.yaml"))).toEqual([
      'deals/acme-breach.yaml:4:9: status must be one of alleged, reported, confirmed, litigation, settled, fined, ruled, closed (got "rumoured")',
      'deals/acme-breach.yaml:11:15: source "news-report" is not in sources.yaml (did you mean "news-reports"?)',
    ]);
  });

  it("warns about a source nobody cites, without failing", () => {
    const { result, warnings } = loadEdited({
      "deals/acme-breach.yaml": ["sources: [news-report]", "sources: [court-filing]"],
    });
    expect(result.ok).toBe(true);
    expect(warnings).toEqual([]);
    const uncited = loadEdited({
      "deals/acme-streamco.yaml": ["sources: [denial-post]", "sources: [news-report]"],
    });
    expect(uncited.result.ok).toBe(true);
    expect(uncited.warnings).toEqual([
      'sources.yaml:16:9: warning: source "denial-post" is not cited by any fact',
    ]);
  });
});
