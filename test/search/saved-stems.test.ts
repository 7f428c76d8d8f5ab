/**
 * The lexicons' stems saved for the next start (src/search/languages/saved-stems.ts) read back
 * exactly as stemmed, and a damaged file is no saved stems.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LANGUAGES, stemLexicon } from "../../src/search/languages/index.js";
import { readSavedStems, saveStems } from "../../src/search/languages/saved-stems.js";

const cacheDir = mkdtempSync(path.join(tmpdir(), "receipts-stems-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("saved stems", () => {
  it("read back exactly as every lexicon was stemmed", async () => {
    expect(readSavedStems(cacheDir)).toBeUndefined();
    const others = LANGUAGES.filter((language) => language !== "en");
    const stemmed = Object.fromEntries(others.map((language) => [language, stemLexicon(language)]));
    for (const language of others) expect(stemmed[language]?.length).toBeGreaterThan(100);
    await saveStems(stemmed, cacheDir);
    expect(readSavedStems(cacheDir)).toEqual(stemmed);
  });

  it("are none when the saved file is damaged", () => {
    const [file] = readdirSync(cacheDir).filter((name) => name.startsWith("stems-"));
    expect(file).toBeDefined();
    writeFileSync(path.join(cacheDir, file as string), '{"es": [["multa", "fin');
    expect(readSavedStems(cacheDir)).toBeUndefined();
  });
});
