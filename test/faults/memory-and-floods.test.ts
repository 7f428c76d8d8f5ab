/**
 * Fault: someone sends what costs memory or time, or sends it fast. The word cache was capped by
 * entries, not bytes (160k long made-up questions: a 1 GB heap); inline queries and Discord
 * autocomplete skipped the flood limit; /deal and /sources arguments were not clipped like questions
 * (160 ms per 4 KB message). The cache is now capped in bytes, typing-time lookups have a flood gate
 * of their own, and every argument that is searched is clipped first.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import type { Request } from "../../src/bot/types.js";
import { knowledgeFrom, REPO } from "../support/knowledge.js";

let holder: KnowledgeHolder;
beforeAll(async () => {
  holder = new KnowledgeHolder(await knowledgeFrom());
});

const user = (id: string): Pick<Request, "chat" | "user"> => ({
  chat: { platform: "discord", id: `dm-${id}`, kind: "private" },
  user: { id, canManageChat: true },
});

describe("fault: costly or rapid input", () => {
  it("keeps the word cache within its byte budget, however many long made-up words arrive", () => {
    // In a fresh process, with the collector at hand, so the heap measures what is kept.
    const script = `
      import { terms } from "./src/search/text.ts";
      const heap = () => { globalThis.gc(); return process.memoryUsage().heapUsed; };
      const kept = (ask) => { const before = heap(); ask(); return (heap() - before) / 1048576; };
      console.log(JSON.stringify({
        manyMb: kept(() => { for (let i = 0; i < 100000; i++) terms("w" + i.toString(36) + "x".repeat(56)); }),
        longMb: kept(() => { for (let i = 0; i < 10000; i++) terms(i + "q".repeat(2000) + " " + i + "z".repeat(2000)); }),
      }));`;
    const child = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script],
      { cwd: REPO, encoding: "utf8" },
    );
    expect(child.status, child.stderr).toBe(0);
    const { manyMb, longMb } = JSON.parse(child.stdout) as { manyMb: number; longMb: number };
    // Said on failure only: a green run prints its summary and nothing else.
    const kept = `${manyMb.toFixed(1)} MB kept after 100,000 distinct 60-character words, ${longMb.toFixed(1)} MB after 10,000 questions of two 2,000-character words`;
    expect(manyMb, kept).toBeLessThan(20); // the cache holds at most 16 MB (by its own count)
    expect(longMb, kept).toBeLessThan(4);
  });

  it("puts inline queries and autocomplete through a flood gate: a burst is served, a flood is not", async () => {
    const bot = new Bot(holder, { flood: null });
    const telegram = { platform: "telegram" as const, userId: "1" };
    const served = Array.from({ length: 100 }, () => bot.cards("netflix messages", 5, telegram).length > 0);
    expect(served.slice(0, 10).every(Boolean)).toBe(true);
    expect(served.filter(Boolean).length).toBeLessThan(50);

    const questions = Array.from(
      { length: 100 },
      () => bot.suggestQuestions("netflix", 25, { platform: "discord", userId: "2" }).length > 0,
    );
    expect(questions.filter(Boolean).length).toBeLessThan(50);
    // All at once, as the questions above: the gate is checked as each call starts.
    const deals = (
      await Promise.all(Array.from({ length: 100 }, () => bot.suggestFor("deal", "netflix", user("3"))))
    ).map((found) => found.length > 0);
    expect(deals.filter(Boolean).length).toBeLessThan(50);
    // Someone else typing meanwhile is served.
    expect(bot.cards("netflix messages", 5, { platform: "telegram", userId: "4" }).length).toBeGreaterThan(0);
  });

  it("clips /deal and /sources arguments, and autocomplete text, like questions before searching", async () => {
    const bot = new Bot(holder, { flood: null, maxQuestionLength: 1_000 });
    const { index } = holder.current;
    const asked: number[] = [];
    const analyse = index.analyse.bind(index);
    index.analyse = (question, options) => {
      asked.push(question.length);
      return analyse(question, options);
    };
    try {
      const long = "netflix facebook messages ".repeat(160); // about 4 KB
      for (const name of ["deal", "sources"]) {
        await bot.handle({ ...user("5"), input: { kind: "command", name, args: long } });
      }
      await bot.suggestFor("deal", long, user("6"));
    } finally {
      index.analyse = analyse;
    }
    expect(asked.length).toBeGreaterThan(0);
    expect(Math.max(...asked)).toBeLessThanOrEqual(1_000);
  });
});
