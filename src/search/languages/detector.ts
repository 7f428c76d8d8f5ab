/**
 * The language detector: eld with its small database (chosen over tinyld and franc-min for its
 * accuracy on short questions, see the README), cut to the languages Receipts speaks.
 *
 * eld's small database is a 1.6 MB JavaScript module for 60 languages: importing it takes about
 * 750 ms, most of a one-shot `npm run ask`. Cut to our six languages it is a third of a megabyte of
 * JSON that loads in under 100 ms, and scores exactly as the whole database with eld's own
 * `setLanguageSubset` (scores are sums over each language's n-grams; test/search/detector.test.ts
 * checks it). eld builds such a cut only in a browser (`saveSubset`), so we cut it ourselves, once,
 * into the private cache folder (knowledge/cache.ts), keyed by eld's version.
 *
 * eld's package exports only its ready-made entries, so its detector factory and database are
 * imported by file: eld is pinned to an exact version in package.json, and the test above fails
 * if a new version moves them.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { defaultCacheDir, readCacheJson, saveCacheJson } from "../../knowledge/cache.js";

export interface Detector {
  detect(text: string): { language: string; isReliable(): boolean; getScores(): Record<string, number> };
}

/** eld's database format: language ids → codes, and n-grams → score per language id. */
interface NgramsData {
  type: string;
  languages: Record<string, string>;
  isSubset?: boolean;
  ngrams: Record<string, Record<string, number>>;
}

/** eld's folder, found as Node finds packages (its exports hide even its package.json). */
const ELD_DIR = (createRequire(import.meta.url).resolve.paths("eld") ?? [])
  .map((modules) => path.join(modules, "eld"))
  .find((dir) => existsSync(path.join(dir, "package.json")));
if (!ELD_DIR) throw new Error("the eld package is not installed: run npm install");
const ELD_SRC = path.join(ELD_DIR, "src");
const ELD_VERSION = (
  JSON.parse(readFileSync(path.join(ELD_DIR, "package.json"), "utf8")) as { version: string }
).version;
const eldFile = (...parts: string[]) => pathToFileURL(path.join(ELD_SRC, ...parts)).href;

/** eld's small database with only `languages`' n-grams. */
async function cutDatabase(languages: readonly string[]): Promise<NgramsData> {
  const { ngramsData } = (await import(eldFile("ngrams", "small.js"))) as { ngramsData: NgramsData };
  const ids = Object.entries(ngramsData.languages)
    .filter(([, code]) => languages.includes(code))
    .map(([id]) => id);
  const ngrams: NgramsData["ngrams"] = {};
  for (const [ngram, scores] of Object.entries(ngramsData.ngrams)) {
    const kept = Object.fromEntries(
      ids.filter((id) => scores[id] !== undefined).map((id) => [id, scores[id]]),
    );
    if (Object.keys(kept).length > 0) ngrams[ngram] = kept as Record<string, number>;
  }
  return { ...ngramsData, isSubset: true, ngrams };
}

/** The database cut to `languages`: read from the cache folder, or cut now and saved there. */
async function database(languages: readonly string[], cacheDir: string): Promise<NgramsData> {
  const file = path.join(cacheDir, `eld-${ELD_VERSION}-small-${[...languages].sort().join("-")}.json`);
  const saved = readCacheJson<NgramsData>(file);
  if (saved?.isSubset && saved.type) return saved;
  const cut = await cutDatabase(languages);
  await saveCacheJson(file, cut, "eld");
  return cut;
}

/** A detector of `languages` only. */
export async function loadDetector(
  languages: readonly string[],
  cacheDir: string = defaultCacheDir(),
): Promise<Detector> {
  const [{ createEld }, data] = await Promise.all([
    import(eldFile("languageDetector.js")) as Promise<{
      createEld(): { instance: Detector; loadData(data: NgramsData): boolean };
    }>,
    database(languages, cacheDir),
  ]);
  const { instance, loadData } = createEld();
  loadData(data);
  return instance;
}
