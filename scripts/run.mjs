/**
 * Runs an entry point from dist/ (`node scripts/run.mjs main`, `node scripts/run.mjs cli ask …`),
 * first compiling whatever in src/ changed since dist/ was built. So `npm start` works on a fresh
 * clone after `npm install` alone, and a start with nothing changed compiles nothing: the first
 * prompt comes in well under a second, where compiling every file at every start took seconds.
 *
 * esbuild only strips the types, in milliseconds; checking them is `npm test`'s and
 * `npm run build`'s (tsc), which writes the same dist/. Plain JavaScript, so it runs before any
 * compiling.
 */
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SRC = path.join(ROOT, "src");
const DIST = path.join(ROOT, "dist");

const [entry, ...args] = process.argv.slice(2);
if (!entry || !/^[\w/-]+$/.test(entry)) {
  console.error("usage: node scripts/run.mjs <entry in src/, e.g. main or cli> [arguments]");
  process.exit(2);
}

/** Every .ts file under `dir`. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const file = path.join(dir, item.name);
    if (item.isDirectory()) return sources(file);
    return item.name.endsWith(".ts") ? [file] : [];
  });
}

const compiled = (file) => path.join(DIST, path.relative(SRC, file)).replace(/\.ts$/, ".js");
const modified = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;

const stale = sources(SRC).filter((file) => modified(compiled(file)) < modified(file));
if (stale.length > 0) {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: stale,
    outbase: SRC,
    outdir: DIST,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    write: false,
    logLevel: "warning",
  });
  // Written aside and renamed, so a second run starting now never imports half a file.
  for (const { path: file, contents } of result.outputFiles) {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, contents);
    renameSync(partial, file);
  }
}

const main = path.join(DIST, `${entry}.js`);
process.argv = [process.argv[0] ?? "node", main, ...args];
await import(pathToFileURL(main).href);
