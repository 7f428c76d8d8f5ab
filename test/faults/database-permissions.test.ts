/**
 * Fault: the subscription database readable by anyone on the machine. It holds chat and user ids;
 * it was created 0644 in a 0755 folder. Now the folder is created 0700 and the database 0600 (its
 * -wal and -shm files follow it), and an existing folder or file open to others is tightened, with
 * a warning saying so.
 */
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadCheckedConfig } from "../../src/config.js";
import { DB_FILE, openStore } from "../../src/subscriptions/store.js";
import { FIXTURE, tempDir } from "../subscriptions/support.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe("fault: the subscription database open to other users", () => {
  it("creates the data folder 0700 and the database 0600, from the configuration check on", async () => {
    const root = tempDir();
    cleanups.push(root.remove);
    const dataDir = path.join(root.dir, "data", "receipts");
    await loadCheckedConfig({ DATA_DIR: dataDir, KNOWLEDGE_DIR: FIXTURE });
    expect(modeOf(dataDir)).toBe("700");
    const warnings: string[] = [];
    const store = openStore(dataDir, { onWarning: (w) => warnings.push(w) });
    store.subscribe({ platform: "telegram", id: "1", kind: "private" }, "all");
    const file = path.join(dataDir, DB_FILE);
    expect(modeOf(file)).toBe("600");
    expect(modeOf(`${file}-wal`)).toBe("600");
    store.close();
    expect(warnings).toEqual([]);
  });

  it("tightens an existing folder and database that others could read, and says so", () => {
    const root = tempDir();
    cleanups.push(root.remove);
    const dataDir = path.join(root.dir, "data");
    mkdirSync(dataDir);
    const file = path.join(dataDir, DB_FILE);
    openStore(dataDir).close();
    // As an older version (or a careless copy) left them.
    chmodSync(dataDir, 0o755);
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, "");
    chmodSync(`${file}-wal`, 0o644);

    const warnings: string[] = [];
    const store = openStore(dataDir, { onWarning: (w) => warnings.push(w) });
    cleanups.push(() => store.close());
    expect(modeOf(dataDir)).toBe("700");
    expect(modeOf(file)).toBe("600");
    expect(modeOf(`${file}-wal`)).toBe("600");
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`${dataDir} was open to other users \\(0755\\); now 0700`)),
      expect.stringMatching(new RegExp(`${DB_FILE} was open to other users \\(0644\\); now 0600`)),
      expect.stringMatching(new RegExp(`${DB_FILE}-wal was open to other users \\(0644\\); now 0600`)),
    ]);
  });
});
