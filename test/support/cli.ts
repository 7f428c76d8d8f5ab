/**
 * The command line as a user runs it, for the command-line tests: `node dist/cli.js …` in a child
 * process, on the app built once for the test run (test/support/global-setup.ts).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";

export const run = promisify(execFile);

/** Runs `npm run <args>` as the built app runs it; its exit code, standard output and error. */
export async function cli(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const app = inject("app");
  const pending = run(process.execPath, [path.join(app.dir, "dist", "cli.js"), ...args], {
    cwd: app.dir,
    env: { ...process.env, ...options.env },
  });
  pending.child.stdin?.end(options.input ?? "");
  try {
    const { stdout, stderr } = await pending;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
