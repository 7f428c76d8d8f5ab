/** The README's operator sections, and .env.example, stay true to the code they describe. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import dotenv from "dotenv";
import { describe, expect, it } from "vitest";
import { STATUS_LABEL } from "../../src/bot/replies.js";
import { loadConfig, VARIABLES } from "../../src/config.js";
import { FACT_STATUSES } from "../../src/knowledge/types.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe("README", () => {
  it("has the operator sections", () => {
    for (const title of [
      "Running with Docker",
      "Running with Node",
      "Configuration",
      "Operations",
      "Scaling past one machine",
    ]) {
      expect(() => section(title)).not.toThrow();
    }
  });

  it("lists every setting in the configuration table, in the words of src/config.ts", () => {
    const rows = section("Configuration")
      .split("\n")
      .filter((line) => /^\| `[A-Z_]+` \|/.test(line));
    expect(rows).toEqual(Object.entries(VARIABLES).map(([name, text]) => `| \`${name}\` | ${text} |`));
  });

  it("names every metric the bot exports", async () => {
    const { Metrics } = await import("../../src/ops/metrics.js");
    const text = await new Metrics({ processMetrics: false }).text();
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(section("Operations")).toContain(`\`${name}\``);
  });
});

describe(".env.example", () => {
  const example = readFileSync(path.join(ROOT, ".env.example"), "utf8");

  it("lists every setting, each under a comment in the words of src/config.ts", () => {
    const settings = [...example.matchAll(/^# (.+)\n([A-Z_]+)=(.*)$/gm)].map(([, comment, name, value]) => ({
      name,
      comment,
      value,
    }));
    expect(settings).toEqual(
      Object.entries(VARIABLES).map(([name, comment]) => ({ name, comment, value: "" })),
    );
  });

  it("copied to .env as it is, configures the defaults", () => {
    expect(loadConfig(dotenv.parse(example))).toEqual(loadConfig({}));
  });
});

describe("fact statuses", () => {
  const guide = readFileSync(path.join(ROOT, "knowledge", "README.md"), "utf8");

  it("have one name each: the knowledge guide's table, kb:stats (FACT_STATUSES) and the README's labels agree", () => {
    const rows = [...guide.matchAll(/^\| `([a-z]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual([...FACT_STATUSES]);
    expect(readme.replace(/\s+/g, " ")).toContain(
      `(${FACT_STATUSES.map((status) => STATUS_LABEL[status]).join(", ")})`,
    );
  });

  it("never call a status 'disputed', the name 'unsupported' replaced", () => {
    for (const text of [readme, guide]) expect(text).not.toMatch(/\bdisputed\b/i);
    const deals = path.join(ROOT, "knowledge", "deals");
    for (const name of readdirSync(deals))
      expect(readFileSync(path.join(deals, name), "utf8"), name).not.toMatch(/status:\s*disputed/);
  });
});
