/**
 * The command line's `ask` contracts of DESIGN.md, run as a user runs them: in a child process, on
 * the app built once for the test run (what `npm run ask` runs once src/ is compiled). The
 * knowledge-base commands (`kb:check`, `kb:stats`, `site`) are in cli-knowledge.test.ts: two files
 * run side by side on two workers, where one file's child processes would run one after another.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { cli, run } from "./support/cli.js";

const app = inject("app");

/** Where a reply says it saved a picture (in the system's temporary folder, as for any user). */
function savedPicture(stdout: string): string {
  const file = /Picture saved as (\S+\.png)\n/.exec(stdout)?.[1];
  expect(file, stdout).toBeDefined();
  return file as string;
}

/** The fields of an `ask --json` object (DESIGN.md), sorted. */
const CONTRACT_FIELDS = ["citations", "facts", "question", "status", "suggestions", "text"];

const temp = mkdtempSync(path.join(tmpdir(), "receipts-cli-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("ask --json", () => {
  it("prints one object with the contract's fields", async () => {
    const { code, stdout } = await cli(["ask", "--json", "did facebook let netflix read messages?"]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const answer = JSON.parse(lines[0] as string);
    expect(Object.keys(answer).sort()).toEqual(CONTRACT_FIELDS);
    expect(answer.status).toBe("answered");
    expect(answer.text).toMatch(/\[1\]/);
    const citationIds = new Set(answer.citations.map((c: { id: string }) => c.id));
    for (const fact of answer.facts) {
      expect(Object.keys(fact).sort()).toEqual(["deal", "id", "sources", "text"]);
      for (const source of fact.sources) expect(citationIds.has(source)).toBe(true);
    }
    for (const citation of answer.citations) {
      expect(citation.url).toMatch(/^https?:\/\//);
      expect(typeof citation.title).toBe("string");
      expect(typeof citation.publisher).toBe("string");
      if (citation.published) expect(citation.published).toMatch(/^\d{4}(-\d{2}){0,2}$/);
    }
  });

  it("answers a batch, keeping conversations per chat, and skips a bad line with a message", async () => {
    const input = [
      "what's the weather in paris tomorrow?",
      JSON.stringify({ chat: "c1", q: "did facebook let netflix read messages?" }),
      JSON.stringify({ chat: "c2", q: "how much did they pay?" }),
      JSON.stringify({ chat: "c1", q: "how much did they pay?" }),
      "{not json",
    ].join("\n");
    const { code, stdout, stderr } = await cli(["ask", "--json", "--batch"], { input });
    expect(code).toBe(0);
    const answers = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(answers.map((a) => a.status)).toEqual(["unknown", "answered", "unknown", "answered"]);
    expect(answers[3].facts[0].deal).toBe("netflix-facebook");
    expect(answers[0].suggestions.length).toBeGreaterThan(0);
    expect(stderr).toMatch(/line 5: not a question/);
  });
});

describe("ask, with the bot's commands", () => {
  it("answers a command as a chat does, and a chat-only one saying where it works", async () => {
    const deals = await cli(["ask", "/deals"]);
    expect(deals.code, deals.stderr).toBe(0);
    expect(deals.stdout).toMatch(/^\d+ deals\n/);
    expect(deals.stdout).toContain("/deal netflix-facebook");
    const input = ["/subscribe all", "/deal netflix-facebook", "how much did they pay?"].join("\n");
    const { code, stdout } = await cli(["ask", "--json", "--batch"], { input });
    expect(code).toBe(0);
    const [subscribe, deal, followUp] = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(Object.keys(subscribe).sort()).toEqual(CONTRACT_FIELDS);
    expect(subscribe).toMatchObject({
      question: "/subscribe all",
      status: "unknown",
      facts: [],
      suggestions: [],
    });
    expect(subscribe.text).toMatch(/works in a Telegram or Discord chat/);
    expect(deal.status).toBe("unknown");
    expect(deal.text).toMatch(/Timeline:/);
    expect(deal.citations.length).toBeGreaterThan(0);
    // Lines without a chat are conversations of their own.
    expect(followUp.status).toBe("unknown");
  });

  it("echoes each question above its answer in a plain batch", async () => {
    const { stdout } = await cli(["ask", "--batch"], { input: "/deals\nwho paid whom?\n" });
    expect(stdout).toMatch(/^> \/deals\n\d+ deals/);
    expect(stdout).toMatch(/\n> who paid whom\?\n/);
  });
});

describe("ask with a bot command", () => {
  it("/timeline saves the picture and prints where", async () => {
    const { code, stdout } = await cli(["ask", "/timeline netflix-facebook"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Timeline: Netflix–Facebook inbox API/);
    const file = savedPicture(stdout);
    expect(file).toBe(path.join(tmpdir(), "receipts", "timeline-netflix-facebook.png"));
    expect(readFileSync(file).subarray(1, 4).toString()).toBe("PNG");
  });
});

describe("the console chat", () => {
  it("answers each piped line on the same bot layer and exits at end of input", async () => {
    const child = run(process.execPath, [app.main], {
      cwd: app.dir,
      env: {
        ...process.env,
        TELEGRAM_BOT_TOKEN: "",
        DISCORD_TOKEN: "",
        DATA_DIR: path.join(temp, "data"),
      },
    });
    child.child.stdin?.end(
      "/deal netflix-facebook\ndid facebook let netflix read messages?\n/timeline netflix-facebook\n",
    );
    const { stdout } = await child;
    expect(stdout).toMatch(/Timeline:/);
    expect(stdout).toContain("(/sources netflix-facebook · /timeline netflix-facebook");
    expect(readFileSync(savedPicture(stdout)).subarray(1, 4).toString()).toBe("PNG");
    expect(stdout).toMatch(/Alleged: .*\[1\]/);
    expect(stdout).toMatch(/Sources:\n\[1\] /);
  });
});
