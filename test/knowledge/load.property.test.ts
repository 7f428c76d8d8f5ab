import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadKnowledge } from "../../src/knowledge/load.js";

const FIXTURE = path.join(import.meta.dirname, "fixtures", "valid");
const read = (name: string) => readFileSync(path.join(FIXTURE, name), "utf8");
const valid = {
  sources: read("sources.yaml"),
  entities: read("entities.yaml"),
  deal: read("deals/acme-streamco.yaml"),
};

/** The loader's whole promise: a knowledge base, or located errors; never an exception. */
function assertLoads(sources: string, entities: string, deal: string): void {
  const result = loadKnowledge({
    sources: { path: "sources.yaml", text: sources },
    entities: { path: "entities.yaml", text: entities },
    deals: [{ path: "deals/acme-streamco.yaml", text: deal }],
  });
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const error of result.errors) {
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

describe("the loader on arbitrary input", () => {
  it("never throws on arbitrary text in any file", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.integer({ min: 0, max: 2 }),
        (text, which) => {
          assertLoads(
            which === 0 ? text : valid.sources,
            which === 1 ? text : valid.entities,
            which === 2 ? text : valid.deal,
          );
        },
      ),
    );
  });

  it("never throws on arbitrary YAML values", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        const text = stringify(value ?? null);
        assertLoads(text, text, text);
      }),
    );
  });

  it("never throws when valid files are cut, spliced or have characters changed", () => {
    const mutated = (text: string) =>
      fc
        .tuple(fc.nat({ max: text.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 12 }))
        .map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut));
    fc.assert(fc.property(mutated(valid.sources), mutated(valid.entities), mutated(valid.deal), assertLoads));
  });
});
