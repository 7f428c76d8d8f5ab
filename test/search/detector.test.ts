/**
 * The language detector on eld's small database cut to our languages (src/search/languages/
 * detector.ts) scores exactly as eld's whole small database restricted with its own
 * `setLanguageSubset`, on every question of the question set; and its cut is saved once.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDetector } from "../../src/search/languages/detector.js";
import { LANGUAGES } from "../../src/search/languages/index.js";
import { loadQuestions } from "../support/questions.js";

const cacheDir = mkdtempSync(path.join(tmpdir(), "receipts-eld-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("the language detector", () => {
  it("scores every question as eld's whole small database with setLanguageSubset", async () => {
    const { eld } = await import("eld/small");
    eld.setLanguageSubset([...LANGUAGES]);
    const ours = await loadDetector(LANGUAGES, cacheDir);
    const questions = loadQuestions().map((q) => q.q);
    expect(questions.length).toBeGreaterThan(100);
    for (const question of questions) {
      const [mine, theirs] = [ours.detect(question), eld.detect(question)];
      expect({
        question,
        language: mine.language,
        reliable: mine.isReliable(),
        scores: mine.getScores(),
      }).toEqual({
        question,
        language: theirs.language,
        reliable: theirs.isReliable(),
        scores: theirs.getScores(),
      });
    }
  }, 60_000);

  it("saves its cut once, and cuts again when the saved file is damaged", async () => {
    const saved = () => readdirSync(cacheDir).filter((name) => name.startsWith("eld-"));
    await loadDetector(LANGUAGES, cacheDir);
    expect(saved()).toHaveLength(1);
    writeFileSync(path.join(cacheDir, saved()[0] as string), "{cut short");
    const detector = await loadDetector(LANGUAGES, cacheDir);
    expect(detector.detect("¿Cuánto multaron a TikTok en Irlanda?").language).toBe("es");
    expect(saved()).toHaveLength(1);
  }, 60_000);
});
