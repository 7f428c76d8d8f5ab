/**
 * Fault: a knowledge file that cannot be read, is not a file, lies outside KNOWLEDGE_DIR, or is not
 * clean UTF-8 text. Such a file used to be skipped in silence ("knowledge base ok"), and the next
 * reload told subscribers its facts were withdrawn; a symlink to a FIFO hung the loader for good; a
 * symlink to a .env file had its token quoted in an error. Now each is an error at its place
 * (`file:line:column`), nothing outside the folder and nothing but regular files is opened, and a
 * reload that fails publishes nothing.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, closeSync, constants, mkdirSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadKnowledgeDir } from "../../src/knowledge/load.js";
import { formatProblem } from "../../src/knowledge/report.js";
import type { LoadResult } from "../../src/knowledge/types.js";
import { Publisher } from "../../src/subscriptions/publisher.js";
import { openStore } from "../../src/subscriptions/store.js";
import { heldKnowledgeCopy, knowledgeCopy } from "../subscriptions/support.js";
import { runUnprivileged } from "./support.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function copy() {
  const kb = knowledgeCopy();
  cleanups.push(kb.remove);
  return kb;
}

/** Loads `dir` as the bot does; fails the test, rather than hanging it, if loading does not finish. */
async function load(dir: string, unblock?: () => void): Promise<{ result: LoadResult; errors: string[] }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      unblock?.();
      reject(new Error("the loader hung"));
    }, 3_000);
  });
  try {
    const result = await Promise.race([loadKnowledgeDir(dir, { displayRoot: path.dirname(dir) }), hung]);
    return { result, errors: result.ok ? [] : result.errors.map(formatProblem) };
  } finally {
    clearTimeout(timer);
  }
}

const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

describe("fault: an unreadable or odd file in the knowledge folder", () => {
  it("a deal behind a broken symlink is an error, not a deal that vanished", async () => {
    const kb = copy();
    symlinkSync(path.join(kb.dir, "deals", "gone.yaml"), path.join(kb.dir, "deals", "ghost.yaml"));
    const { result, errors } = await load(kb.dir);
    expect(result.ok).toBe(false);
    expect(errors).toEqual([
      expect.stringMatching(/^knowledge\/deals\/ghost\.yaml:1:1: cannot read.*broken symbolic link/),
    ]);
  });

  it("a deal the bot may not read is an error saying so", async () => {
    const kb = copy();
    chmodSync(kb.root, 0o755);
    chmodSync(path.join(kb.dir, "deals", "acme-breach.yaml"), 0o000);
    const errors = runUnprivileged<string[]>(`
      import { loadKnowledgeDir } from "./src/knowledge/load.ts";
      import { formatProblem } from "./src/knowledge/report.ts";
      const result = await loadKnowledgeDir(${JSON.stringify(kb.dir)}, { displayRoot: ${JSON.stringify(kb.root)} });
      console.log(JSON.stringify(result.ok ? [] : result.errors.map(formatProblem)));`);
    expect(errors).toEqual([expect.stringMatching(/acme-breach\.yaml:1:1: cannot read .*EACCES/)]);
  });

  it("a FIFO, a folder or a device where a file should be is an error, and never blocks", async () => {
    const kb = copy();
    const fifo = path.join(kb.dir, "pipe"); // inside the folder, where a link may point
    execFileSync("mkfifo", [fifo]);
    symlinkSync(fifo, path.join(kb.dir, "deals", "pipe.yaml"));
    mkdirSync(path.join(kb.dir, "deals", "folder.yaml"));
    symlinkSync("/dev/zero", path.join(kb.dir, "deals", "zero.yaml"));
    // Should a reader block on the FIFO, a writer lets it go, so the test fails instead of hanging.
    const release = () => closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    const { errors } = await load(kb.dir, release);
    expect(errors).toEqual([
      expect.stringMatching(/deals\/folder\.yaml:1:1: .*not a regular file \(a folder\)/),
      expect.stringMatching(/deals\/pipe\.yaml:1:1: .*not a regular file \(a FIFO\)/),
      expect.stringMatching(/deals\/zero\.yaml:1:1: .*(outside KNOWLEDGE_DIR|not a regular file)/),
    ]);
  });

  it("a symlink that leaves KNOWLEDGE_DIR is never followed, and nothing behind it is quoted", async () => {
    const kb = copy();
    const secret = path.join(kb.root, ".env");
    writeFileSync(secret, `${TOKEN}: the bot token\n`);
    symlinkSync(secret, path.join(kb.dir, "deals", "leak.yaml"));
    symlinkSync(path.join(kb.dir, "deals", "acme-breach.yaml"), path.join(kb.dir, "deals", "alias.yaml"));
    const { errors } = await load(kb.dir);
    expect(errors.join("\n")).not.toContain(TOKEN);
    expect(errors).toContainEqual(expect.stringMatching(/deals\/leak\.yaml:1:1: .*outside KNOWLEDGE_DIR/));
    // A link that stays inside is read like any file (here: a deal whose id is not its name).
    expect(errors).toContainEqual(
      expect.stringMatching(/deals\/alias\.yaml:1:\d+: deal id "acme-breach" must match/),
    );
  });

  it("text must be UTF-8, without NUL, bidi overrides or zero-width characters, each found where it is", async () => {
    const kb = copy();
    const deal = path.join(kb.dir, "deals", "acme-breach.yaml");
    const latin1 = Buffer.from("id: acme-breach\ntitle: Caf\xe9 data\n", "latin1");
    writeFileSync(deal, latin1);
    const text = (name: string, line: string) =>
      writeFileSync(path.join(kb.dir, "deals", `${name}.yaml`), `id: ${name}\n${line}\n`);
    text("nul", "title: a\u0000b");
    text("bidi", "title: price \u202e001$");
    text("zero-width", "title: Face\u200bbook");
    const { errors } = await load(kb.dir);
    expect(errors).toEqual([
      expect.stringMatching(/deals\/acme-breach\.yaml:2:11: not UTF-8 \(byte 0xE9\)/),
      expect.stringMatching(/deals\/bidi\.yaml:2:14: .*U\+202E/),
      expect.stringMatching(/deals\/nul\.yaml:2:9: .*U\+0000/),
      expect.stringMatching(/deals\/zero-width\.yaml:2:12: .*U\+200B/),
    ]);
  });

  it("a reload that fails publishes nothing: no retractions, the old version keeps answering", async () => {
    const { kb, holder } = await heldKnowledgeCopy(cleanups);
    const store = openStore(":memory:");
    cleanups.push(() => store.close());
    store.subscribe({ platform: "telegram", id: "7", kind: "private" }, "all");
    const publisher = new Publisher({ store, holder, knowledgeDir: kb.dir });
    await publisher.publish(holder.current.kb);
    const serving = holder.current.kb.version;

    // The deal file is replaced by a link to nowhere (an unfinished checkout, a bad mount).
    const deal = path.join(kb.dir, "deals", "acme-breach.yaml");
    kb.edit({ "deals/acme-breach.yaml": null });
    symlinkSync(path.join(kb.root, "missing.yaml"), deal);
    const result = await publisher.reload("test");
    expect(result.status).toBe("refused");
    expect(holder.current.kb.version).toBe(serving);
    expect(store.publishedVersion()).toBe(serving);
    expect(store.stats().outbox.pending).toBe(0);
  });
});
