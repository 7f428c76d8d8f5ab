/**
 * Knowledge files → a validated, frozen KnowledgeBase, or every problem found, located.
 *
 * `loadKnowledge` is pure (text in, result out) so it can be fuzzed; `loadKnowledgeDir`
 * reads a folder laid out as knowledge/README.md describes.
 */
import { createHash } from "node:crypto";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { closest, distance } from "fastest-levenshtein";
import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import type { z } from "zod";
import { forbiddenCharacters, knowledgeRoot, readKnowledgeFile } from "./files.js";
import { type LocatedYaml, parseLocatedYaml } from "./located-yaml.js";
import { bounded, quote } from "./report.js";
import { dealFileSchema, entitySchema, factSchema, keysAt, sourceSchema } from "./schema.js";
import { titleProblem, trackingParams } from "./source-rules.js";
import type { Deal, Entity, Fact, KnowledgeBase, LoadResult, Problem, Source } from "./types.js";

export interface KnowledgeFile {
  /** The path shown in problems, e.g. `knowledge/deals/netflix-facebook.yaml`. */
  readonly path: string;
  readonly text: string;
}

export interface KnowledgeFiles {
  readonly sources: KnowledgeFile | undefined;
  readonly entities: KnowledgeFile | undefined;
  readonly deals: readonly KnowledgeFile[];
  /** Where the files live, for naming a missing one. */
  readonly root?: string;
  /** Files that could not be read (see files.ts), each already a located problem. */
  readonly unreadable?: readonly Problem[];
}

type Path = readonly PropertyKey[];

/** What may be a YAML anchor (`&name` where a node starts); a false alarm only costs speed. */
const ANCHOR = /(^|[\s[{,:?-])&[^\s,[\]{}]/m;

/**
 * One parsed file and a way to report problems at a path inside it. The happy path parses
 * with js-yaml (fast); positions come from the \`yaml\` package's document, built only when
 * there is a problem to locate (or js-yaml refuses the text and we need yaml's messages).
 */
class FileReport {
  readonly value: unknown;
  readonly syntaxOk: boolean;
  private located: LocatedYaml | undefined;

  constructor(
    readonly file: KnowledgeFile,
    private readonly problems: Problem[],
  ) {
    // Invisible characters make text read differently from what it holds: fix them before anything.
    const invisible = forbiddenCharacters(file.text);
    if (invisible.length > 0) {
      for (const { line, column, message } of invisible.slice(0, 5))
        this.push("error", { line, column }, message);
      this.value = undefined;
      this.syntaxOk = false;
      return;
    }
    let value: unknown;
    // js-yaml does not limit how far aliases expand; a file with anchors goes to the yaml package,
    // which does (maxAliasCount).
    let fast = !ANCHOR.test(file.text);
    try {
      if (fast) value = loadYaml(file.text, { schema: CORE_SCHEMA, filename: file.path });
    } catch {
      fast = false;
    }
    if (fast) {
      this.value = value;
      this.syntaxOk = true;
    } else {
      for (const { position, message } of this.yaml.syntaxErrors) this.push("error", position, message);
      this.syntaxOk = this.yaml.syntaxErrors.length === 0;
      this.value = this.yaml.value;
    }
  }

  get yaml(): LocatedYaml {
    this.located ??= parseLocatedYaml(this.file.text);
    return this.located;
  }

  error(path: Path, message: string): void {
    this.push("error", this.yaml.locate(path), message);
  }

  warning(path: Path, message: string): void {
    this.push("warning", this.yaml.locate(path), message);
  }

  /** Validates `value` (found at `at`) against `schema`; reports each issue where it is. */
  check<T extends z.ZodType>(schema: T, value: unknown, at: Path): z.output<T> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    // A misspelt key shows up twice: as unknown, and as its intended key missing. Say it once.
    const misspelt = new Set<string>();
    for (const issue of result.error.issues) {
      if (issue.code !== "unrecognized_keys") continue;
      const allowed = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const meant = didYouMean(key, allowed);
        if (meant) misspelt.add(JSON.stringify([...issue.path, meant]));
        this.unknownKey([...at, ...issue.path], key, meant);
      }
    }
    for (const issue of result.error.issues) {
      const where = [...at, ...issue.path];
      if (issue.code === "unrecognized_keys") continue;
      if (issue.code === "invalid_type" && valueAt(value, issue.path) === undefined) {
        const key = String(issue.path.at(-1) ?? "value");
        if (!misspelt.has(JSON.stringify([...issue.path.slice(0, -1), key])))
          this.error(where, `missing "${key}"`);
      } else {
        this.error(where, issue.message);
      }
    }
    return undefined;
  }

  /** Reports `key` as unknown; `meant` is the close known key, if any. */
  unknownKey(path: Path, key: string, meant: string | undefined): void {
    const hint = meant ? ` (did you mean "${meant}"?)` : "";
    this.push("error", this.yaml.locateKey(path, key), `unknown key ${quote(key)}${hint}`);
  }

  private push(severity: Problem["severity"], position: { line: number; column: number }, message: string) {
    this.problems.push({ file: this.file.path, ...position, severity, message });
  }
}

function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[step];
  }
  return current;
}

/** The candidate closest to `word`, when it is close enough to be a typo of it. */
function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function hint(word: string, candidates: readonly string[]): string {
  const meant = didYouMean(word, candidates);
  return meant ? ` (did you mean "${meant}"?)` : "";
}

/** Reads the top-level list `key` of a file, reporting a wrong shape. */
function topLevelList(report: FileReport, key: string): unknown[] {
  const { value } = report;
  if (!report.syntaxOk) return [];
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    report.error([], `expected a map with a "${key}:" list`);
    return [];
  }
  for (const other of Object.keys(value))
    if (other !== key) report.unknownKey([], other, didYouMean(other, [key]));
  const list = (value as Record<string, unknown>)[key];
  if (!Array.isArray(list)) {
    report.error([key], `"${key}" must be a list`);
    return [];
  }
  return list;
}

interface Cited {
  readonly report: FileReport;
  readonly path: Path;
}

export interface LoadOptions {
  /**
   * Whether to look for warnings (uncited sources). Locating a warning means parsing its file
   * a second time for positions, so the bot, which only needs errors, turns this off. Default true.
   */
  readonly warnings?: boolean;
}

/** Validates every file and every cross-reference; never throws on bad input. */
export function loadKnowledge(files: KnowledgeFiles, options: LoadOptions = {}): LoadResult {
  const problems: Problem[] = [...(files.unreadable ?? [])];

  // Sources and entities are checked one item at a time, so one bad item doesn't hide the rest
  // or make every reference to the good ones look broken.
  const sources = new Map<string, Source>();
  const sourcePaths = new Map<string, Cited>();
  const brokenIds = new Set<string>();
  const collect = <T extends { id: string }>(
    file: KnowledgeFile | undefined,
    key: string,
    schema: z.ZodType<T>,
    into: Map<string, T>,
    paths: Map<string, Cited>,
  ): boolean => {
    if (!file) {
      const missing = path.join(files.root ?? "", `${key}.yaml`);
      if (files.unreadable?.some((problem) => problem.file === missing)) return false; // said already
      problems.push({
        file: missing,
        line: 1,
        column: 1,
        severity: "error",
        message: `missing file ${key}.yaml`,
      });
      return false;
    }
    const report = new FileReport(file, problems);
    topLevelList(report, key).forEach((raw, index) => {
      const item = report.check(schema, raw, [key, index]);
      const rawId = (raw as { id?: unknown } | null)?.id;
      if (!item) {
        if (typeof rawId === "string") brokenIds.add(rawId);
        return;
      }
      const first = paths.get(item.id);
      if (first) {
        report.error([key, index, "id"], `duplicate id ${quote(item.id)} (first defined at ${where(first)})`);
        return;
      }
      into.set(item.id, item);
      paths.set(item.id, { report, path: [key, index] });
    });
    return report.syntaxOk;
  };

  // When a whole file is missing or unreadable, references into it are not checked:
  // one problem, reported once, instead of one per reference.
  const sourcesReadable = collect(
    files.sources,
    "sources",
    sourceSchema as z.ZodType<Source>,
    sources,
    sourcePaths,
  );
  const entities = new Map<string, Entity>();
  const entityPaths = new Map<string, Cited>();
  const entitiesReadable = collect(
    files.entities,
    "entities",
    entitySchema as unknown as z.ZodType<Entity>,
    entities,
    entityPaths,
  );

  checkEntities(entities, entityPaths, brokenIds);
  for (const [id, at] of sourcePaths) checkSource(sources.get(id) as Source, at);

  const deals = new Map<string, Deal>();
  const facts = new Map<string, Fact>();
  const factPaths = new Map<string, Cited>();
  const cited = new Set<string>();
  const relatedChecks: Array<() => void> = [];
  const dealNames = new Set(files.deals.map((file) => dealIdOf(file.path)));

  for (const file of files.deals) {
    const report = new FileReport(file, problems);
    if (!report.syntaxOk) continue;
    const parsed = report.check(dealFileSchema, report.value, []);
    const expectedId = dealIdOf(file.path);
    if (parsed && parsed.id !== expectedId) {
      report.error(["id"], `deal id ${quote(parsed.id)} must match the file name ${quote(expectedId)}`);
    }
    if (parsed && deals.has(parsed.id)) {
      report.error(["id"], `duplicate deal id ${quote(parsed.id)}`);
      continue;
    }
    const dealId = parsed?.id ?? expectedId;
    // A deal whose own fields are wrong still has its facts checked: every problem, one run.
    const entries: unknown[] = parsed?.facts ?? factsOf(report.value);
    const entityRef = (id: string, at: Path, what: string) => {
      if (entitiesReadable && !entities.has(id) && !brokenIds.has(id)) {
        report.error(
          at,
          `${what} ${quote(id)} is not an entity in entities.yaml${hint(id, [...entities.keys()])}`,
        );
      }
    };
    parsed?.parties.forEach((id, i) => {
      entityRef(id, ["parties", i], "party");
    });

    const dealFacts: Fact[] = [];
    entries.forEach((entry, i) => {
      const at = ["facts", i];
      const raw = report.check(factSchema, entry, at);
      if (!raw) return;
      const first = factPaths.get(raw.id);
      if (first) {
        report.error([...at, "id"], `duplicate fact id ${quote(raw.id)} (first defined at ${where(first)})`);
        return;
      }
      factPaths.set(raw.id, { report, path: at });
      raw.sources.forEach((sourceId, j) => {
        cited.add(sourceId);
        if (sourcesReadable && !sources.has(sourceId) && !brokenIds.has(sourceId)) {
          report.error(
            [...at, "sources", j],
            `source ${quote(sourceId)} is not in sources.yaml${hint(sourceId, [...sources.keys()])}`,
          );
        }
      });
      raw.by.forEach((id, j) => {
        entityRef(id, [...at, "by", j], "by");
      });
      raw.about.forEach((id, j) => {
        entityRef(id, [...at, "about", j], "about");
      });
      if (raw.amount?.to !== undefined && raw.amount.to < raw.amount.value) {
        report.error([...at, "amount", "to"], "amount to must not be less than its value");
      }
      const fact: Fact = {
        ...raw,
        deal: dealId,
        ...(raw.amount ? { amount: dropUndefined(raw.amount) } : {}),
        ...(raw.count ? { count: dropUndefined(raw.count) } : {}),
      };
      // One object in both places: the engine finds a fact's place in its deal by identity.
      const kept = dropUndefined(fact);
      dealFacts.push(kept);
      facts.set(fact.id, kept);
    });

    if (!parsed) continue;
    const { facts: _ignored, ...dealFields } = parsed;
    deals.set(parsed.id, dropUndefined({ ...dealFields, facts: dealFacts }) as Deal);
    relatedChecks.push(() => {
      parsed.related.forEach((id, i) => {
        if (id === parsed.id) report.error(["related", i], "a deal cannot be related to itself");
        else if (!deals.has(id) && !dealNames.has(id))
          report.error(
            ["related", i],
            `related deal ${quote(id)} does not exist${hint(id, [...deals.keys()])}`,
          );
      });
    });
  }
  for (const check of relatedChecks) check();

  for (const [id, { report, path }] of options.warnings === false ? [] : sourcePaths) {
    if (!cited.has(id)) report.warning([...path, "id"], `source ${quote(id)} is not cited by any fact`);
  }

  const errors = sortProblems(problems.filter((p) => p.severity === "error").map(bounded));
  const warnings = sortProblems(problems.filter((p) => p.severity === "warning").map(bounded));
  if (errors.length > 0) return { ok: false, errors, warnings };

  const kb: KnowledgeBase = {
    version: versionOf(sources, entities, deals),
    sources: freezeMap(sources),
    entities: freezeMap(entities),
    deals: freezeMap(deals),
    facts: freezeMap(facts),
  };
  return { ok: true, kb: Object.freeze(kb), warnings };
}

/** A source's title and URLs: a clean headline, no tracking parameters, https where possible. */
function checkSource(source: Source, { report, path: at }: Cited): void {
  const problem = titleProblem(source);
  if (problem) report.error([...at, "title"], problem);
  const urls: [Path, string | undefined][] = [
    [[...at, "url"], source.url],
    [[...at, "original", "url"], source.original?.url],
  ];
  for (const [where, url] of urls) {
    if (!url) continue;
    const tracking = trackingParams(url);
    if (tracking.length > 0)
      report.error(where, `url carries tracking parameters (${tracking.join(", ")}): remove them`);
    if (url.startsWith("http://"))
      report.warning(where, "url uses http://: use https:// where the site serves it");
  }
}

function checkEntities(
  entities: Map<string, Entity>,
  paths: Map<string, Cited>,
  brokenIds: Set<string>,
): void {
  // Every name and alias must lead to exactly one entity, or "Meta" could mean two things.
  const owners = new Map<string, { entity: string; what: string }>();
  const claim = (label: string, entity: string, what: string, at: Cited) => {
    const key = normaliseName(label);
    const owner = owners.get(key);
    if (owner && owner.entity !== entity) {
      at.report.error(
        at.path,
        `${what} ${quote(label)} is already the ${owner.what} of entity ${quote(owner.entity)}`,
      );
    } else if (!owner) {
      owners.set(key, { entity, what });
    }
  };
  for (const [id, entity] of entities) {
    const at = paths.get(id) as Cited;
    claim(entity.name, id, "name", { report: at.report, path: [...at.path, "name"] });
    entity.aliases.forEach((alias, i) => {
      claim(alias, id, "alias", { report: at.report, path: [...at.path, "aliases", i] });
    });
    if (entity.parent && !entities.has(entity.parent) && !brokenIds.has(entity.parent)) {
      at.report.error([...at.path, "parent"], `parent ${quote(entity.parent)} is not an entity`);
    }
  }
}

/** How names are compared: case, punctuation and spacing do not matter. */
export function normaliseName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9&+]+/g, " ")
    .trim();
}

function factsOf(value: unknown): unknown[] {
  const facts = (value as { facts?: unknown } | null)?.facts;
  return Array.isArray(facts) ? facts : [];
}

function dealIdOf(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/, "");
}

function where({ report, path }: Cited): string {
  const { line, column } = report.yaml.locate(path);
  return `${report.file.path}:${line}:${column}`;
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function freezeMap<V extends object>(map: Map<string, V>): ReadonlyMap<string, V> {
  for (const value of map.values()) deepFreeze(value);
  return map;
}

function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const child of Object.values(value)) {
    if (child && typeof child === "object" && !Object.isFrozen(child)) deepFreeze(child);
  }
}

function versionOf(...parts: ReadonlyMap<string, unknown>[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    for (const key of [...part.keys()].sort()) hash.update(`${key}\0${JSON.stringify(part.get(key))}\0`);
  }
  return hash.digest("hex").slice(0, 12);
}

/** Reads a knowledge folder (sources.yaml, entities.yaml, deals/*.yaml) and loads it. */
export async function loadKnowledgeDir(
  dir: string,
  options: LoadOptions & { readonly displayRoot?: string } = {},
): Promise<LoadResult> {
  const displayRoot = options.displayRoot ?? process.cwd();
  const show = (file: string) => path.relative(displayRoot, file) || file;
  const unreadable: Problem[] = [];
  const cannot = (file: string, message: string, line = 1, column = 1) =>
    unreadable.push({ file: show(file), line, column, severity: "error", message });
  let root: string;
  try {
    root = await knowledgeRoot(dir);
  } catch (error) {
    cannot(
      dir,
      `cannot read the knowledge folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
    return { ok: false, errors: unreadable, warnings: [] };
  }
  const read = async (file: string, optional: boolean): Promise<KnowledgeFile | undefined> => {
    const result = await readKnowledgeFile(root, file);
    if (result.ok) return { path: show(file), text: result.text };
    // A file that is simply not there is the loader's to report ("missing file").
    if (!(optional && (await lstat(file).catch(() => undefined)) === undefined))
      cannot(file, result.message, result.line, result.column);
    return undefined;
  };
  let dealNames: string[] = [];
  try {
    dealNames = (await readdir(path.join(dir, "deals"))).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    // No deals folder is reported below as a knowledge base without deals; any other failure here.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT")
      cannot(path.join(dir, "deals"), `cannot read the deals folder (${code ?? String(error)})`);
  }
  const [sources, entities, ...deals] = await Promise.all([
    read(path.join(dir, "sources.yaml"), true),
    read(path.join(dir, "entities.yaml"), true),
    ...dealNames.map((name) => read(path.join(dir, "deals", name), false)),
  ]);
  const result = loadKnowledge(
    {
      sources,
      entities,
      deals: deals.filter((file): file is KnowledgeFile => file !== undefined),
      root: show(dir),
      unreadable,
    },
    options,
  );
  if (result.ok && result.kb.deals.size === 0) {
    const file = show(path.join(dir, "deals"));
    const error: Problem = {
      file,
      line: 1,
      column: 1,
      severity: "error",
      message: "no deals: add deals/<deal-id>.yaml",
    };
    return { ok: false, errors: [error], warnings: result.warnings };
  }
  return result;
}
