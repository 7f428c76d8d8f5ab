import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  citationMarks,
  formatDate,
  httpUrl,
  rows,
  sourceDetails,
  spans,
  truncate,
  usableActions,
  wellFormed,
} from "../../src/render/text.js";

describe("formatDate", () => {
  it("writes partial dates as precisely as they are", () => {
    expect(formatDate("2024-04-02")).toBe("2 Apr 2024");
    expect(formatDate("2024-04")).toBe("Apr 2024");
    expect(formatDate("2024")).toBe("2024");
    expect(formatDate("2024-12-31")).toBe("31 Dec 2024");
  });

  it("shows anything else as given", () => {
    expect(formatDate("2024-13")).toBe("2024-13");
    expect(formatDate("2024-04-00")).toBe("2024-04-00");
    expect(formatDate("April 2024")).toBe("April 2024");
    expect(formatDate("")).toBe("");
  });
});

describe("citationMarks", () => {
  it("marks each listed number once, in the block's order", () => {
    expect(citationMarks([3, 1, 3], new Set([1, 3]))).toEqual(["[3]", "[1]"]);
  });

  it("drops numbers the reply does not list", () => {
    expect(citationMarks([1, 7], new Set([1]))).toEqual(["[1]"]);
    expect(citationMarks(undefined, new Set([1]))).toEqual([]);
  });
});

describe("sourceDetails", () => {
  const citation = {
    n: 1,
    id: "a",
    url: "https://a.example",
    title: "T",
    publisher: "Wire",
    tier: "original" as const,
  };
  it("joins publisher, date and original publisher", () => {
    expect(sourceDetails({ ...citation, published: "2024-04-02" })).toBe("Wire, 2 Apr 2024");
    expect(sourceDetails({ ...citation, original: { publisher: "AP" } })).toBe("Wire (originally AP)");
    expect(sourceDetails({ ...citation, publisher: " ", published: "2024" })).toBe("2024");
  });
});

describe("truncate", () => {
  it("keeps text that fits", () => {
    expect(truncate("short", 5)).toBe("short");
  });

  it("cuts after a whole word", () => {
    expect(truncate("the quick brown fox", 12)).toBe("the quick…");
  });

  it("cuts inside a word only when the word is most of the room", () => {
    expect(truncate("a verylongwordindeed", 10)).toBe("a verylon…");
  });

  it("never splits a surrogate pair or an emoji sequence", () => {
    expect(truncate("😀😀😀", 4)).toBe("😀…");
    expect(truncate("👩‍👩‍👧👩‍👩‍👧", 10)).toBe("👩‍👩‍👧…");
  });

  it("measures with the given measure, so the limit holds after escaping", () => {
    const escaped = (s: string) => s.replace(/&/g, "&amp;").length;
    const cut = truncate("& & & & & &", 12, escaped);
    expect(escaped(cut)).toBeLessThanOrEqual(12);
    expect(cut).toBe("& &…");
  });

  it("returns empty when not even the ellipsis fits", () => {
    expect(truncate("abc", 0)).toBe("");
  });

  it("always fits and is a prefix plus an ellipsis", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.nat({ max: 220 }), (text, max) => {
        const cut = truncate(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        if (cut === text || cut === "") return;
        expect(cut.endsWith("…")).toBe(true);
        expect(text.startsWith(cut.slice(0, -1))).toBe(true);
        expect(wellFormed(cut)).toBe(cut);
      }),
    );
  });
});

describe("httpUrl", () => {
  it("accepts http(s) and normalises", () => {
    expect(httpUrl("https://a.example/a b")).toBe("https://a.example/a%20b");
    expect(httpUrl(" http://a.example ")).toBe("http://a.example/");
  });

  it("refuses anything else", () => {
    expect(httpUrl("javascript:alert(1)")).toBeUndefined();
    expect(httpUrl("ftp://a.example")).toBeUndefined();
    expect(httpUrl("not a url")).toBeUndefined();
  });
});

describe("spans", () => {
  it("merges neighbours with the same formatting and drops empty parts", () => {
    expect(spans(["a", "", { text: "b" }, { text: "c", bold: true }, { text: "d", bold: true }])).toEqual([
      { text: "ab", bold: false, italic: false, code: false, href: undefined },
      { text: "cd", bold: true, italic: false, code: false, href: undefined },
    ]);
  });

  it("replaces lone surrogates", () => {
    expect(spans(["a\uD800b"])[0]?.text).toBe("a\uFFFDb");
  });
});

describe("usableActions", () => {
  it("drops actions with a blank label, malformed, refused or repeated data", () => {
    const actions = [
      { label: "A", data: "a" },
      { label: " ", data: "b" },
      { label: "C", data: "\uD800" },
      { label: "D", data: "too long" },
      { label: "E", data: "a" },
      { label: "F\nG", data: "f" },
    ];
    expect(usableActions(actions, 10, (data) => data.length < 5)).toEqual([
      { label: "A", data: "a" },
      { label: "F G", data: "f" },
    ]);
  });
});

describe("rows", () => {
  it("fills rows up to their size, and starts a new one where an action asks", () => {
    const actions = ["a", "b", "c", "d", "+e", "f"].map((data) => ({ data, newRow: data.startsWith("+") }));
    const data = (grid: { data: string }[][]) => grid.map((row) => row.map((a) => a.data));
    expect(data(rows(actions, 3))).toEqual([
      ["a", "b", "c"],
      ["d", "+e", "f"],
    ]);
    expect(data(rows(actions, 3, (a) => a.newRow))).toEqual([["a", "b", "c"], ["d"], ["+e", "f"]]);
    expect(rows([], 3)).toEqual([]);
  });

  it("keeps newRow through usableActions, and nothing else it was not given", () => {
    expect(
      usableActions(
        [
          { label: "👍", data: "fb:1:u", newRow: true },
          { label: "x", data: "x" },
        ],
        10,
        () => true,
      ),
    ).toEqual([
      { label: "👍", data: "fb:1:u", newRow: true },
      { label: "x", data: "x" },
    ]);
  });
});
