import { describe, expect, it } from "vitest";
import { orderSources, tierOf } from "../../src/knowledge/tiers.js";
import type { Source } from "../../src/knowledge/types.js";

const source = (id: string, fields: Partial<Source>): Source => ({
  id,
  url: `https://example.org/${id}`,
  title: id,
  publisher: id,
  kind: "press",
  ...fields,
});

describe("source tiers", () => {
  it("tells primary documents, original outlets, syndication and copies apart", () => {
    expect(tierOf(source("ftc", { kind: "regulator" }))).toBe("primary");
    expect(tierOf(source("court", { kind: "court" }))).toBe("primary");
    expect(tierOf(source("senator", { kind: "government" }))).toBe("primary");
    expect(tierOf(source("meta", { kind: "company" }))).toBe("primary");
    expect(tierOf(source("verge", { kind: "press" }))).toBe("original");
    expect(tierOf(source("study", { kind: "research" }))).toBe("original");
    expect(tierOf(source("paper", { kind: "press", original: { publisher: "Associated Press" } }))).toBe(
      "syndication",
    );
    expect(tierOf(source("blog", { kind: "blog", original: { publisher: "Ars Technica" } }))).toBe("copy");
    expect(tierOf(source("forum", { kind: "forum" }))).toBe("copy");
    expect(tierOf(source("mirror", { kind: "other" }))).toBe("copy");
  });

  it("orders a fact's sources by tier, then puts a second copy of one outlet's text after new outlets", () => {
    const sources = new Map(
      [
        source("repost", { kind: "blog", original: { publisher: "Ars Technica" } }),
        source("ap-local", { kind: "press", publisher: "Daily", original: { publisher: "AP" } }),
        source("ap-other", { kind: "press", publisher: "Gazette", original: { publisher: "AP" } }),
        source("reuters-local", { kind: "press", publisher: "Tribune", original: { publisher: "Reuters" } }),
        source("ftc", { kind: "regulator", publisher: "FTC" }),
        source("verge", { kind: "press", publisher: "The Verge" }),
      ].map((s) => [s.id, s]),
    );
    expect(
      orderSources(["repost", "ap-local", "ap-other", "reuters-local", "ftc", "verge", "missing"], sources),
    ).toEqual(["ftc", "verge", "ap-local", "reuters-local", "ap-other", "repost"]);
  });
});
