/**
 * Once per test run, for the end-to-end tests: the app built as the image builds it (tsc into
 * dist/, with package.json, node_modules and knowledge/ beside it). Every test that starts the bot
 * or the command line in a child process runs `node dist/…` from here, instead of compiling the
 * TypeScript again in each child.
 */
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { type AppDir, buildApp } from "../production/build.js";

declare module "vitest" {
  export interface ProvidedContext {
    app: AppDir;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const app = await buildApp();
  project.provide("app", app);
  return () => rmSync(app.dir, { recursive: true, force: true });
}
