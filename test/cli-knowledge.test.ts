/**
 * The knowledge-base commands of DESIGN.md (`kb:check`, `kb:stats`, `site`, and how every command
 * reports a bad KNOWLEDGE_DIR), run as a user runs them: in a child process, on the app built once
 * for the test run. The `ask` contracts are in cli.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./support/cli.js";
import { REPO } from "./support/knowledge.js";

const temp = mkdtempSync(path.join(tmpdir(), "receipts-cli-kb-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("a bad KNOWLEDGE_DIR", () => {
  it("is reported by every command as the bot reports it, naming the folder", async () => {
    const missing = path.join(temp, "nowhere");
    for (const args of [["ask", "hi"], ["kb:check"], ["kb:stats"]]) {
      const { code, stdout, stderr } = await cli(args, { env: { KNOWLEDGE_DIR: missing } });
      expect(code, args.join(" ")).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `receipts: configuration problems:\n  - KNOWLEDGE_DIR ${missing} is not a folder: set KNOWLEDGE_DIR to the knowledge base (the folder with sources.yaml), or run from the repository's root\n`,
      );
    }
  });
});

describe("kb:check", () => {
  it("is clean on the repository's knowledge base", async () => {
    const { code, stdout } = await cli(["kb:check"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /knowledge base ok: \d+ deals, \d+ facts, \d+ sources, \d+ entities, \d+ warnings?/,
    );
  });

  it("pinpoints each error in a broken copy and exits 1, with no stack trace", async () => {
    const copy = path.join(temp, "broken");
    cpSync(path.join(REPO, "knowledge"), copy, { recursive: true });
    const deal = path.join(copy, "deals", "netflix-facebook.yaml");
    const text = readFileSync(deal, "utf8");
    writeFileSync(
      deal,
      text.replace("status: alleged", "status: rumoured").replace("    sources:", "    soruces:"),
    );
    const { code, stdout } = await cli(["kb:check"], { env: { KNOWLEDGE_DIR: copy } });
    expect(code).toBe(1);
    expect(stdout.split("\n")[0]).toBe(`checking ${copy}`);
    const errors = stdout.split("\n").filter((line) => /netflix-facebook\.yaml:\d+:\d+: /.test(line));
    expect(errors.some((line) => line.includes("status must be one of"))).toBe(true);
    expect(errors.some((line) => line.includes('unknown key "soruces" (did you mean "sources"?)'))).toBe(
      true,
    );
    expect(stdout).not.toMatch(/\n\s+at /);

    // ask refuses it too, and its advice checks this folder, not the default one.
    const asked = await cli(["ask", "hi"], { env: { KNOWLEDGE_DIR: copy } });
    expect(asked.code).toBe(1);
    expect(asked.stderr).toMatch(/netflix-facebook\.yaml:\d+:\d+: /);
    expect(asked.stderr).toContain(`fix them, then check with KNOWLEDGE_DIR=${copy} npm run kb:check`);
  });

  it("kb:stats prints facts per deal and per status", async () => {
    const { code, stdout } = await cli(["kb:stats"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/deal\s+alleged\s+reported\s+confirmed\s+denied\s+ruled\s+unsupported\s+total/);
    expect(stdout).toMatch(/netflix-facebook\s+\d+/);
  });
});

describe("site", () => {
  it("writes the static site to --out, and refuses a folder it did not build", async () => {
    const out = path.join(temp, "site");
    const built = await cli(["site", "--out", out], { env: { SITE_URL: "https://receipts.example.org" } });
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/^Wrote \d+ pages and the feed to .*site in \d+\.\d+ s\.\n$/);
    expect(readFileSync(path.join(out, "feed.xml"), "utf8")).toContain(
      `href="https://receipts.example.org/deals/netflix-facebook.html"`,
    );
    const other = path.join(temp, "other");
    cpSync(path.join(REPO, "knowledge", "README.md"), path.join(other, "README.md"));
    const refused = await cli(["site", `--out=${other}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not empty and was not built by npm run site/);
  });
});
