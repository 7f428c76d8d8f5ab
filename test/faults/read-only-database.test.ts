/**
 * Fault: the database cannot be written at start (a read-only mount, a file or folder the bot's
 * user may not write). The bot used to say only "attempt to write a readonly database"; now it
 * names the file and says what to do. (While running, the same explanation reaches the log and
 * /healthz: see disk-full.test.ts.)
 */
import { chmodSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DB_FILE, openStore } from "../../src/subscriptions/store.js";
import { tempDir } from "../subscriptions/support.js";
import { runUnprivileged } from "./support.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("fault: a read-only database", () => {
  it("refuses to start with a message naming the file and what to do", () => {
    const data = tempDir();
    cleanups.push(data.remove);
    openStore(data.dir).close();
    const file = path.join(data.dir, DB_FILE);
    chmodSync(file, 0o444);
    chmodSync(data.dir, 0o555);
    cleanups.push(() => chmodSync(data.dir, 0o700));

    const error = runUnprivileged<string>(`
      import { openStore } from "./src/subscriptions/store.ts";
      try { openStore(${JSON.stringify(data.dir)}).close(); console.log(JSON.stringify("opened")); }
      catch (error) { console.log(JSON.stringify(String(error instanceof Error ? error.message : error))); }`);
    expect(error).toContain(file);
    expect(error).toMatch(/read-only \(SQLITE_READONLY/);
    expect(error).toMatch(/give the bot's user write access .* or mount DATA_DIR read-write/);
  });
});
