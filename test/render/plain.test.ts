import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderPlain } from "../../src/render/plain.js";
import { answer, help, long, NASTY_TEXT, nasty, reply, unknown } from "./replies.js";

describe("renderPlain", () => {
  it("renders an answer: title, items with marks, sources, footer; no buttons", () => {
    expect(renderPlain(answer)).toBe(
      [
        "Acme and StreamCo",
        "",
        "- Confirmed: Acme shares viewing data with StreamCo. [1] [2]",
        "- Reported: StreamCo pays $5m a year. [3]",
        "- Alleged: Users were not told. [4] [1]",
        "",
        "Sources:",
        "[1] Acme annual report — Acme, 2 Apr 2024. https://news.example/1",
        "[2] The data deal — Wire, Apr 2024. https://news.example/2",
        "[3] StreamCo pays up — Daily, 2023 (originally Reuters). https://news.example/3",
        "[4] Complaint — District Court, 2 Apr 2024. https://news.example/4",
        "",
        "Alleged: claimed in a filing or by a party, not proven.",
      ].join("\n"),
    );
  });

  it("renders an unknown reply with a heading ending in a colon", () => {
    expect(renderPlain(unknown)).toBe(
      "I don't know that: nothing in my knowledge base answers it.\n\nTry asking:\n- What data does Acme share?",
    );
  });

  it("renders help without a Sources section", () => {
    expect(renderPlain(help)).toBe(
      "Help\n\nAsk me about data-sharing deals.\n\nCommands:\n- /deals lists every deal\n- /sources lists a deal's sources",
    );
  });

  it("leaves markup characters alone and writes links as text (url)", () => {
    const text = renderPlain(nasty);
    expect(text.split("\n")[0]).toBe(NASTY_TEXT);
    expect(text).toContain(`- ${NASTY_TEXT} (https://x.example/?a=1&b="2")`);
    expect(text).toContain(`[1] ${NASTY_TEXT} — <Pub> & *Co*, 2 Apr 2024. https://news.example/1`);
  });

  it("does not cut long blocks: a console has no limit", () => {
    expect(renderPlain(long).length).toBeGreaterThan(10_000);
  });

  it("does not double a heading's colon, and drops marks for citations the reply does not list", () => {
    expect(
      renderPlain({
        tone: "info",
        blocks: [
          { kind: "heading", content: ["Timeline:"] },
          { kind: "item", content: ["A fact"], cites: [1, 2, 1] },
        ],
        citations: [{ n: 1, id: "a", url: "", title: "Report.", publisher: "", tier: "original" }],
        actions: [{ label: "Never shown", data: "x" }],
      }),
    ).toBe("Timeline:\n- A fact [1]\n\nSources:\n[1] Report.");
  });

  it("leaves the Sources list out when asked to, keeping the marks", () => {
    const text = renderPlain(answer, { sources: false });
    expect(text).toContain("[1] [2]");
    expect(text).not.toContain("Sources:");
  });

  it("never throws and is deterministic", () => {
    fc.assert(
      fc.property(reply(), (input) => {
        const text = renderPlain(input);
        expect(typeof text).toBe("string");
        expect(renderPlain(input)).toBe(text);
      }),
    );
  });
});
