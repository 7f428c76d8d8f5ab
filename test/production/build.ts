/**
 * The Dockerfile's build steps, outside Docker: compile with tsconfig.build.json into a fresh
 * folder laid out like the image's /app (dist/, package.json, node_modules, knowledge/).
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface AppDir {
  readonly dir: string;
  readonly main: string;
}

/** `npm run build` into a temporary app folder; node_modules is the repository's, linked. */
export async function buildApp(): Promise<AppDir> {
  const dir = mkdtempSync(path.join(tmpdir(), "receipts-app-"));
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  await promisify(execFile)(
    process.execPath,
    [tsc, "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", path.join(dir, "dist")],
    { cwd: ROOT },
  );
  copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  symlinkSync(path.join(ROOT, "knowledge"), path.join(dir, "knowledge"), "dir");
  symlinkSync(path.join(ROOT, "assets"), path.join(dir, "assets"), "dir");
  return { dir, main: path.join(dir, "dist", "main.js") };
}
