/**
 * The lexicons saved for the next start (src/search/languages/saved-lexicons.ts) read back exactly
 * as made, and a damaged file is no saved lexicons.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  LANGUAGES,
  languagesOfWord,
  makeLexicon,
  stemLexicon,
  toEnglish,
} from "../../src/search/languages/index.js";
import { readSavedLexicons, saveLexicons } from "../../src/search/languages/saved-lexicons.js";

const cacheDir = mkdtempSync(path.join(tmpdir(), "receipts-lexicons-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("saved lexicons", () => {
  it("read back exactly as every lexicon was made and stemmed", async () => {
    expect(readSavedLexicons(cacheDir)).toBeUndefined();
    const others = LANGUAGES.filter((language) => language !== "en");
    const made = Object.fromEntries(
      others.map((language) => [language, { ...makeLexicon(language), stems: stemLexicon(language) }]),
    );
    for (const language of others) {
      const lexicon = made[language];
      expect(Object.keys(lexicon?.exact ?? {}).length).toBeGreaterThan(100);
      expect(lexicon?.stopWords.length).toBeGreaterThan(100);
      expect(Object.keys(lexicon?.stems ?? {}).length).toBeGreaterThan(100);
    }
    await saveLexicons(made, cacheDir);
    expect(readSavedLexicons(cacheDir)).toEqual(made);
  });

  it("are none when the saved file is damaged", () => {
    const [file] = readdirSync(cacheDir).filter((name) => name.startsWith("lexicons-"));
    expect(file).toBeDefined();
    writeFileSync(path.join(cacheDir, file as string), '{"es": {"exact": {"multa": "fin');
    expect(readSavedLexicons(cacheDir)).toBeUndefined();
  });
});

describe("lexicons as records", () => {
  it("know a word by the lexicon's own keys only, not by an object's built-in ones", () => {
    for (const word of ["constructor", "toString", "valueOf", "hasOwnProperty"]) {
      expect(languagesOfWord(word), word).toEqual([]);
      expect(toEnglish(`${word}?`, "fr"), word).toBe(`${word.toLowerCase()}?`);
    }
    expect(languagesOfWord("__proto__")).toEqual([]);
  });
});
