/**
 * The knowledge base, validated once per version. Validating (YAML parsing, the schema, every
 * cross-reference) is most of a cold start, and the files rarely change between two starts, so a
 * knowledge base that loaded without errors is kept as JSON under a key made of its files' contents
 * and of the loader's own code: the same files read by the same loader load from the cache, and any
 * change to either is validated afresh. A knowledge base with errors is never cached.
 *
 * The loader (and the YAML and schema libraries under it) is imported only on a miss.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Deal, Entity, Fact, KnowledgeBase, LoadResult, Source } from "./types.js";

/** What a cache file holds: the validated knowledge base, its maps as entry lists. */
interface Cached {
  readonly key: string;
  readonly version: string;
  readonly sources: [string, Source][];
  readonly entities: [string, Entity][];
  /** Each deal with its facts; the facts map is rebuilt from them, in the same order. */
  readonly deals: [string, Deal][];
}

/** This folder (src/knowledge or dist/knowledge): the code that decides what a valid knowledge base is. */
const LOADER_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Versions kept in the cache folder. */
const KEEP_VERSIONS = 8;

let loaderHash: string | undefined;

/**
 * Loads the knowledge base in `dir` as `loadKnowledgeDir(dir, { warnings: false })` would, from
 * `cacheDir` when these files were validated before. The cache is best effort: a cache that cannot be
 * read or written is a miss, never an error.
 */
export async function loadKnowledgeCached(
  dir: string,
  cacheDir: string = defaultCacheDir(),
): Promise<LoadResult> {
  const key = await cacheKey(dir);
  const file = path.join(cacheDir, `knowledge-${key}.json`);
  const usable = privateFolder(cacheDir);
  const hit = usable
    ? await readFile(file, "utf8").then(
        (text) => restore(text, key),
        () => undefined,
      )
    : undefined;
  if (hit) return { ok: true, kb: hit, warnings: [] };

  const { loadKnowledgeDir } = await import("./load.js");
  const result = await loadKnowledgeDir(dir, { warnings: false });
  // Kept only when the files did not change while they were being validated.
  if (result.ok && usable && (await cacheKey(dir)) === key) {
    await store(file, result.kb, key).catch(() => undefined);
  }
  return result;
}

/** A folder of this user's own under the system's temporary folder. */
export function defaultCacheDir(): string {
  return path.join(tmpdir(), `receipts-cache-${process.getuid?.() ?? "user"}`);
}

/**
 * Whether `dir` is (or now is) a folder only this user can write: a cache anyone could write to
 * could make the bot say what its sources do not.
 */
export function privateFolder(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // not ours to create: stat says what it is
  }
  const info = statSync(dir, { throwIfNoEntry: false });
  if (!info?.isDirectory()) return false;
  const uid = process.getuid?.();
  return (uid === undefined || info.uid === uid) && (info.mode & 0o022) === 0;
}

/** A hash of every knowledge file (names and contents) and of the loader's code. */
async function cacheKey(dir: string): Promise<string> {
  const hash = createHash("sha256");
  loaderHash ??= hashFolder(LOADER_DIR);
  hash.update(loaderHash);
  const deals = await readdir(path.join(dir, "deals")).catch(() => [] as string[]);
  const names = [
    "sources.yaml",
    "entities.yaml",
    ...deals.filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join("deals", name)),
  ].sort();
  const texts = await Promise.all(names.map((name) => readFile(path.join(dir, name)).catch(() => undefined)));
  names.forEach((name, i) => {
    hash.update(`${name}\0${texts[i]?.length ?? -1}\0`);
    if (texts[i]) hash.update(texts[i]);
  });
  return hash.digest("hex").slice(0, 32);
}

/** A hash of a folder's code (its .js or .ts files, names and contents): small, read once per process. */
export function hashFolder(dir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) {
    if (!/\.[jt]s$/.test(name)) continue;
    hash.update(`${name}\0`);
    hash.update(readFileSync(path.join(dir, name)));
  }
  return hash.digest("hex");
}

async function store(file: string, kb: KnowledgeBase, key: string): Promise<void> {
  const cached: Cached = {
    key,
    version: kb.version,
    sources: [...kb.sources],
    entities: [...kb.entities],
    deals: [...kb.deals],
  };
  await writeCacheFile(file, JSON.stringify(cached), "knowledge");
}

/**
 * A cache file's JSON, or undefined: when its folder is not private (see privateFolder), or the
 * file is not there yet or was cut short. The caches beside the knowledge base (the saved index,
 * the language detector's database, the other languages' lexicons) read through this.
 */
export function readCacheJson<T>(file: string): T | undefined {
  if (!privateFolder(path.dirname(file))) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Saves `value` as a cache file for the next start; never throws (a cache is best effort). */
export async function saveCacheJson(file: string, value: unknown, family: string): Promise<void> {
  try {
    if (privateFolder(path.dirname(file))) await writeCacheFile(file, JSON.stringify(value), family);
  } catch {
    // a full or read-only disk: the next start computes it again
  }
}

/**
 * Writes one cache file, `<family>-….json`, aside and renamed (a reader never sees half a file),
 * then keeps that family's most recently written files only: every edit makes a new version.
 */
export async function writeCacheFile(file: string, text: string, family: string): Promise<void> {
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, text);
  await rename(partial, file);
  await forgetOldVersions(path.dirname(file), family);
}

async function forgetOldVersions(dir: string, family: string): Promise<void> {
  const pattern = new RegExp(`^${family}-[\\w-]+\\.json$`);
  const names = (await readdir(dir)).filter((name) => pattern.test(name));
  if (names.length <= KEEP_VERSIONS) return;
  const written = await Promise.all(
    names.map(async (name) => ({ name, at: (await stat(path.join(dir, name))).mtimeMs })),
  );
  written.sort((a, b) => b.at - a.at);
  await Promise.all(
    written.slice(KEEP_VERSIONS).map(({ name }) => rm(path.join(dir, name), { force: true })),
  );
}

function restore(text: string, key: string): KnowledgeBase | undefined {
  let cached: Cached;
  try {
    cached = JSON.parse(text) as Cached;
  } catch {
    return undefined; // cut short (a full disk): validated afresh
  }
  if (cached.key !== key) return undefined;
  const deals = new Map(cached.deals);
  const facts = new Map<string, Fact>();
  for (const deal of deals.values()) for (const fact of deal.facts) facts.set(fact.id, fact);
  const kb: KnowledgeBase = {
    version: cached.version,
    sources: new Map(cached.sources),
    entities: new Map(cached.entities),
    deals,
    facts,
  };
  // Frozen as the loader freezes what it returns.
  for (const map of [kb.sources, kb.entities, kb.deals] as ReadonlyMap<string, object>[])
    for (const value of map.values()) deepFreeze(value);
  return Object.freeze(kb);
}

function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const child of Object.values(value)) {
    if (child && typeof child === "object" && !Object.isFrozen(child)) deepFreeze(child);
  }
}
