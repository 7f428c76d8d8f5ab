/**
 * The loop's store and its re-asking, on a real SQLite database: what is kept and for how long, the
 * first run recording facts without asking, and FEEDBACK=off.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Request } from "../../src/bot/types.js";
import { RETENTION } from "../../src/loop/store.js";
import { ANSWERABLE, loopBot, QUESTION, WEATHER_EDIT } from "./support.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const DAY = 24 * 3600_000;
const chat = { platform: "telegram", id: "42", kind: "private" } as const;
const ask = (text: string): Request => ({
  chat,
  user: { id: "42", canManageChat: true },
  input: { kind: "text", text },
});
const press = (data: string): Request => ({
  chat,
  user: { id: "42", canManageChat: true },
  input: { kind: "action", data },
});
const count = (db: { prepare(sql: string): { get(): unknown } }, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("the loop's store", () => {
  it("forgets unanswered questions after 90 days and waiting ones after 180, and never re-asks an expired one", async () => {
    let now = Date.UTC(2026, 0, 1);
    const h = await loopBot(cleanups, { now: () => now });
    cleanups.push(async () => {
      await h.loop.stop();
      await h.subscriptions.stop();
    });
    const { bot, loop } = h;
    await loop.reask(); // the first run records the facts, asks nothing

    const unknown = await bot.handle(ask(QUESTION));
    const notify = unknown.actions.find((a) => a.data.startsWith("ntf:"));
    expect(notify?.newRow).toBe(true);
    await bot.handle(press(notify?.data ?? ""));
    expect(count(h.store.db, "loop_pending")).toBe(1);

    now += 181 * DAY; // past the 180 days a question waits
    h.kb.edit(WEATHER_EDIT);
    await h.subscriptions.publisher.reload("edit");
    expect(await loop.reask()).toMatchObject({ queued: 0 });
    expect(h.store.stats().outbox).toMatchObject({ pending: 0, sent: 0 }); // the expired question was not answered
    expect(
      await (loop.context as NonNullable<typeof loop.context>).store.prune(now, RETENTION),
    ).toMatchObject({ unanswered: 1, pending: 1 });
    expect(count(h.store.db, "loop_unanswered")).toBe(0);
    expect(count(h.store.db, "loop_pending")).toBe(0);
  });

  it("keeps no text of answered questions without LOG_MESSAGE_TEXT, and no buttons or records with FEEDBACK=off", async () => {
    const h = await loopBot(cleanups);
    cleanups.push(async () => {
      await h.loop.stop();
      await h.subscriptions.stop();
    });
    const answered = await h.bot.handle(ask(ANSWERABLE));
    expect(answered.actions.map((a) => a.label)).toEqual(expect.arrayContaining(["👍", "👎"]));
    expect(h.store.db.prepare("SELECT question FROM loop_answers").all()).toEqual([{ question: null }]);

    const off = await loopBot(cleanups, { feedback: false });
    cleanups.push(async () => {
      await off.loop.stop();
      await off.subscriptions.stop();
    });
    const plain = await off.bot.handle(ask(ANSWERABLE));
    expect(plain.actions.some((a) => a.data.startsWith("fb:"))).toBe(false);
    expect(count(off.store.db, "loop_answers")).toBe(0);
    // An old feedback button pressed after FEEDBACK was turned off has expired.
    expect((await off.bot.handle(press("fb:1:u"))).tone).toBe("error");
  });

  it("a Notify button pressed in another chat than the one it was asked in has expired", async () => {
    const h = await loopBot(cleanups);
    cleanups.push(async () => {
      await h.loop.stop();
      await h.subscriptions.stop();
    });
    const unknown = await h.bot.handle(ask(QUESTION));
    const data = unknown.actions.find((a) => a.data.startsWith("ntf:"))?.data ?? "";
    const elsewhere = await h.bot.handle({ ...press(data), chat: { ...chat, id: "43" } });
    expect(elsewhere.tone).toBe("error");
    expect(count(h.store.db, "loop_pending")).toBe(0);
  });

  it("answers as usual, without the loop's buttons, when the loop cannot write its store", async () => {
    const h = await loopBot(cleanups);
    cleanups.push(async () => {
      await h.loop.stop();
      await h.subscriptions.stop();
    });
    h.store.db.close();
    const answered = await h.bot.handle(ask(ANSWERABLE));
    expect(answered.tone).toBe("answer");
    expect(answered.actions.some((a) => a.data.startsWith("fb:"))).toBe(false);
    const unknown = await h.bot.handle(ask(QUESTION));
    expect(unknown.tone).toBe("unknown");
    expect(unknown.actions).toEqual([]);
  });
});
