/** The one-way floors of STYLE.md, checked on the imports themselves. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.join(import.meta.dirname, "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** The folders under src/ that a file in `folder` imports from. */
function importedFolders(folder: string): Set<string> {
  const found = new Set<string>();
  for (const file of files(path.join(SRC, folder))) {
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), specifier as string));
      found.add(target.split(path.sep)[0] as string);
    }
  }
  return found;
}

describe("the floors", () => {
  it("keep the bot layer below rendering, subscriptions and the adapters", () => {
    const above = ["render", "subscriptions", "adapters", "main.js", "cli.js"];
    expect([...importedFolders("bot")].filter((folder) => above.includes(folder))).toEqual([]);
  });

  it("keep shared text helpers at the bottom", () => {
    expect([...importedFolders("text")].filter((folder) => folder !== "text")).toEqual([]);
  });
});

/** Every file of src/ that loading `file` loads: static imports only (not `import type`, not `await import`). */
function loadedBy(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(path.join(SRC, file), "utf8");
  for (const [, specifier] of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+"(\.[^"]+)"/gm)) {
    const target = path.relative(SRC, path.resolve(SRC, path.dirname(file), specifier as string));
    loadedBy(target.replace(/\.js$/, ".ts"), seen);
  }
  return seen;
}

describe("the console's start", () => {
  it("loads neither platform library, nor the store, the logger or the validating loader", () => {
    const loaded = [...loadedBy("main.ts")];
    expect(loaded).toContain("adapters/console.ts");
    const heavy = [
      "adapters/telegram/",
      "adapters/discord/",
      "subscriptions/store.ts",
      "log.ts",
      "knowledge/load.ts",
    ];
    expect(loaded.filter((file) => heavy.some((prefix) => file.startsWith(prefix)))).toEqual([]);
  });
});

describe("the adapters", () => {
  it("are folders of small translation files, none over 300 lines", () => {
    const adapters = path.join(SRC, "adapters");
    const long = files(adapters)
      .map((file) => ({
        file: path.relative(SRC, file),
        lines: readFileSync(file, "utf8").split("\n").length,
      }))
      .filter(({ lines }) => lines > 300);
    expect(long).toEqual([]);
    for (const platform of ["telegram", "discord"]) {
      expect(readdirSync(path.join(adapters, platform)).length).toBeGreaterThanOrEqual(4);
    }
  });
});
