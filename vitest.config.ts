import { defineConfig } from "vitest/config";

/**
 * End-to-end files start the bot or the command line in child processes, or talk to the Telegram
 * and Discord stand-ins over sockets: they get a project of their own, with the app built once for
 * them (test/support/global-setup.ts). Both projects run side by side on three workers, more than
 * this machine's two cores because the end-to-end files mostly wait (vitest's default there is
 * one), and the files of a worker share its modules, the knowledge base included: no test file
 * changes global state.
 */
const END_TO_END = [
  "test/cli.test.ts",
  "test/cli-knowledge.test.ts",
  "test/entry-points.test.ts",
  "test/adapters/**/*.test.ts",
  "test/production/**/*.test.ts",
  "test/subscriptions/e2e-*.test.ts",
  "test/subscriptions/pg-instances.test.ts",
  "test/loop/e2e-*.test.ts",
  "test/faults/**/*.test.ts",
  "test/site/browser.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    maxWorkers: 3,
    isolate: false,
    // Property tests try fast-check's 100 inputs each; FAST_CHECK_RUNS=2000 searches longer.
    setupFiles: ["test/support/fast-check.ts"],
    // A green run says how many passed and how long it took; a failure says everything.
    reporters: ["dot"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: END_TO_END } },
      {
        extends: true,
        test: { name: "end-to-end", include: END_TO_END, globalSetup: ["test/support/global-setup.ts"] },
      },
    ],
  },
});
