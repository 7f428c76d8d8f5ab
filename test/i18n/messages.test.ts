/**
 * The message files: every language has every key English has (and no other), with the plural
 * forms its grammar needs and the same placeholders; every key is used by the code; and the words
 * come out in the asked language.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listOf, type MessageTree, readMessages, t } from "../../src/i18n/messages.js";
import { LANGUAGES } from "../../src/search/languages/index.js";

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(tree: MessageTree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const messages = new Map(LANGUAGES.map((language) => [language, flatten(readMessages(language))]));
const english = messages.get("en") as Map<string, string>;
const base = (key: string) => key.replace(PLURAL, "");
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe("message files", () => {
  it("has a file for each language we understand, and nothing else", () => {
    const files = readdirSync(path.resolve(import.meta.dirname, "../../assets/messages")).sort();
    expect(files).toEqual([...LANGUAGES].map((language) => `${language}.json`).sort());
  });

  it.each(LANGUAGES.filter((language) => language !== "en"))(
    "%s has every key English has, and no other",
    (language) => {
      const keys = messages.get(language) as Map<string, string>;
      const wanted = new Set([...english.keys()].map(base));
      const have = new Set([...keys.keys()].map(base));
      expect(
        [...wanted].filter((key) => !have.has(key)),
        "missing",
      ).toEqual([]);
      expect(
        [...have].filter((key) => !wanted.has(key)),
        "not in English",
      ).toEqual([]);
    },
  );

  it.each(LANGUAGES)("%s has each plural form its grammar needs", (language) => {
    const keys = [...(messages.get(language) as Map<string, string>).keys()];
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories.slice().sort();
    const plurals = new Set(keys.filter((key) => PLURAL.test(key)).map(base));
    for (const key of plurals) {
      const forms = keys.filter((k) => base(k) === key && PLURAL.test(k)).map((k) => k.replace(/^.*_/, ""));
      expect(forms.sort(), `${language}: ${key}`).toEqual(categories);
    }
  });

  it.each(LANGUAGES)("%s fills in the same placeholders as English", (language) => {
    for (const [key, text] of messages.get(language) as Map<string, string>) {
      const twin = english.get(key) ?? english.get(`${base(key)}_other`) ?? "";
      expect(placeholders(text), `${language}: ${key}`).toEqual(placeholders(twin));
    }
  });

  it("uses every key somewhere in the code", () => {
    const source = sources(path.resolve(import.meta.dirname, "../../src"))
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const literal = new Set([...source.matchAll(/"([a-zA-Z]+(?:\.[a-zA-Z]+)*)"/g)].map((m) => m[1]));
    const prefixes = [...source.matchAll(/`([a-zA-Z]+(?:\.[a-zA-Z]+)*\.)\$\{/g)].map((m) => m[1] as string);
    const unused = [...new Set([...english.keys()].map(base))].filter(
      (key) => !literal.has(key) && !prefixes.some((prefix) => key.startsWith(prefix)),
    );
    expect(unused).toEqual([]);
  });
});

describe("t", () => {
  it("says a message in the asked language, with values and plurals", () => {
    expect(t("en", "digest.newFacts", { count: 1 })).toBe("1 new fact");
    expect(t("en", "digest.newFacts", { count: 2 })).toBe("2 new facts");
    expect(t("de", "digest.newFacts", { count: 2 })).toBe("2 neue Fakten");
    expect(t("fr", "render.sources")).toBe("Sources");
    expect(t("es", "render.sources")).toBe("Fuentes");
    expect(t("de", "direct.who", { names: ["Meta", "Netflix"] })).toBe("Wer: Meta und Netflix.");
    expect(
      t("en", "verdict.alleged", {
        by: { key: "verdict.by", values: { names: ["A", "B", "C"] } },
        denied: "",
      }),
    ).toBe("Alleged by A, B and C, not proven.");
  });

  it("joins lists the language's way", () => {
    expect(listOf("en", ["a", "b", "c"])).toBe("a, b and c");
    expect(listOf("it", ["a", "b"])).toBe("a e b");
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith(".ts") ? [file] : [];
  });
}
