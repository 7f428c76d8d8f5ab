import { describe, expect, it } from "vitest";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import type { ChatRef, Input } from "../../src/bot/types.js";
import { observeQuestions, type QuestionObservation } from "../../src/ops/questions.js";
import { knowledgeFrom } from "../support/knowledge.js";

const CHAT: ChatRef = { platform: "telegram", id: "1", kind: "private" };
const USER = { id: "7", canManageChat: true };

async function observed() {
  const seen: QuestionObservation[] = [];
  const bot = observeQuestions(new Bot(new KnowledgeHolder(await knowledgeFrom()), { flood: null }), (o) =>
    seen.push(o),
  );
  const ask = (input: Input) => bot.handle({ chat: CHAT, user: USER, input });
  return { bot, seen, ask };
}

describe("observeQuestions", () => {
  it("observes answered and unknown questions with platform, status and time", async () => {
    const { seen, ask } = await observed();
    const answered = await ask({ kind: "text", text: "did facebook let netflix read messages?" });
    const unknown = await ask({ kind: "text", text: "what is the airspeed of an unladen swallow?" });
    expect(answered.tone).toBe("answer");
    expect(unknown.tone).toBe("unknown");
    expect(seen.map(({ platform, status, text }) => ({ platform, status, text }))).toEqual([
      { platform: "telegram", status: "answered", text: "did facebook let netflix read messages?" },
      { platform: "telegram", status: "unknown", text: "what is the airspeed of an unladen swallow?" },
    ]);
    for (const { seconds } of seen) {
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(5);
    }
  });

  it("leaves commands, buttons and empty questions out", async () => {
    const { seen, ask } = await observed();
    await ask({ kind: "command", name: "help", args: "" });
    await ask({ kind: "command", name: "deals", args: "" });
    await ask({ kind: "action", data: "deal:netflix-facebook" });
    await ask({ kind: "text", text: "   " });
    expect(seen).toEqual([]);
  });

  it("returns the reply unchanged", async () => {
    const { ask } = await observed();
    const plain = new Bot(new KnowledgeHolder(await knowledgeFrom()), { flood: null });
    const input: Input = { kind: "text", text: "how much did netflix spend on facebook ads?" };
    expect(await ask(input)).toEqual(await plain.handle({ chat: CHAT, user: USER, input }));
  });
});
