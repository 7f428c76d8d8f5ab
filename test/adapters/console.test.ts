/** The console chat, in process: lines in, plain text out, leaving on a goodbye. */
import { beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_LEAVING } from "../../src/adapters/console.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { CHAT_ONLY_COMMANDS } from "../../src/subscriptions/menu.js";
import { chatInConsole } from "../support/console.js";
import { knowledgeFrom } from "../support/knowledge.js";

let bot: Bot;
beforeAll(async () => {
  bot = new Bot(new KnowledgeHolder(await knowledgeFrom()), {
    flood: null,
    chatOnly: CHAT_ONLY_COMMANDS,
    helpNote: CONSOLE_LEAVING,
  });
});

describe("the console chat", () => {
  it("answers each line through the bot layer and stops at end of input", async () => {
    const { printed, answered } = await chatInConsole(bot, [
      "/deal netflix-facebook",
      "how much did they pay?",
    ]);
    expect(answered).toBe(2);
    expect(printed).toMatch(/Timeline:/);
    expect(printed).toMatch(/Sources:\n\[1\] /);
  });

  it("leaves on exit, quit, /quit, /exit and bye, answering nothing after", async () => {
    for (const goodbye of ["exit", "quit", "/quit", "/exit", "bye"]) {
      const { printed, answered } = await chatInConsole(bot, ["hi", goodbye, "/deals"]);
      expect(answered, goodbye).toBe(2);
      expect(printed, goodbye).toMatch(/Bye!/);
      expect(printed, goodbye).not.toMatch(/42 deals/);
    }
  });

  it("greets a person at a terminal with how to leave, and /help says it again with the chat-only commands", async () => {
    const { printed } = await chatInConsole(bot, ["/help"], true);
    expect(printed.split("\n")[0]).toContain(CONSOLE_LEAVING);
    expect(printed).toMatch(/\/subscribe <topic>/);
    expect(printed).toMatch(/In a Telegram or Discord chat:/);
    expect(printed.match(/Leave with exit, \/quit or Ctrl-D\./g)).toHaveLength(2);
  });

  it("counts nothing answered when its input is empty", async () => {
    expect((await chatInConsole(bot, [])).answered).toBe(0);
  });
});
