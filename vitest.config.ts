import { defineConfig } from "vitest/config";

/**
 * End-to-end files: they start the bot or the command line in child processes, or talk to the
 * Telegram and Discord stand-ins over sockets, so they mostly wait. They get a project of their
 * own, with the app built once for them (test/support/global-setup.ts) and more of them at a
 * time than there are cores; the rest share their workers' module cache.
 */
const END_TO_END = [
  "test/cli.test.ts",
  "test/entry-points.test.ts",
  "test/adapters/**/*.test.ts",
  "test/production/**/*.test.ts",
  "test/subscriptions/e2e-*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    maxWorkers: 3,
    // A green run says how many passed and how long it took; a failure says everything.
    reporters: ["dot"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: END_TO_END, isolate: false },
      },
      {
        extends: true,
        test: {
          name: "end-to-end",
          include: END_TO_END,
          globalSetup: ["test/support/global-setup.ts"],
          isolate: false,
        },
      },
    ],
  },
});
