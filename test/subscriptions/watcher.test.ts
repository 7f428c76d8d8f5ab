import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { watchKnowledge } from "../../src/subscriptions/watcher.js";
import { knowledgeCopy } from "./support.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe("watchKnowledge", () => {
  it("calls back once for a burst of edits, deep in the folder", async () => {
    const kb = knowledgeCopy();
    cleanups.push(kb.remove);
    const triggers: string[] = [];
    let changed: () => void = () => {};
    const once = new Promise<void>((resolve) => (changed = resolve));
    const watcher = watchKnowledge(
      kb.dir,
      (trigger) => {
        triggers.push(trigger);
        changed();
      },
      { debounceMs: 100, sighup: false },
    );
    cleanups.push(() => watcher.close());
    const file = path.join(kb.dir, "deals", "acme-breach.yaml");
    for (let i = 0; i < 5; i++) writeFileSync(file, `# edit ${i}\n`, { flag: "a" });
    await once;
    expect(triggers).toHaveLength(1);
    expect(triggers[0]).toMatch(/^file change/);
  });

  it("reloads on SIGHUP", () => {
    const kb = knowledgeCopy();
    cleanups.push(kb.remove);
    const triggers: string[] = [];
    const watcher = watchKnowledge(kb.dir, (trigger) => triggers.push(trigger));
    process.emit("SIGHUP", "SIGHUP");
    watcher.close();
    process.emit("SIGHUP", "SIGHUP");
    expect(triggers).toEqual(["SIGHUP"]);
  });
});
