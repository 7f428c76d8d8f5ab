import { beforeAll, describe, expect, it } from "vitest";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { FloodGate } from "../../src/bot/flood.js";
import { parseInput } from "../../src/bot/input.js";
import type { Input, Reply, Request } from "../../src/bot/types.js";
import { renderPlain } from "../../src/render/plain.js";
import { knowledgeFrom } from "../support/knowledge.js";

let bot: Bot;
beforeAll(async () => {
  bot = new Bot(new KnowledgeHolder(await knowledgeFrom()), { flood: null });
});

const request = (input: Input, chat = "c1"): Request => ({
  chat: { platform: "console", id: chat, kind: "private" },
  user: { id: "u1", canManageChat: true },
  input,
});
const command = (name: string, args = "") => bot.handle(request({ kind: "command", name, args }));
const text = (reply: Reply) => renderPlain(reply);

describe("commands", () => {
  it("/start greets, and opens a deal from a deep-link payload", async () => {
    expect(text(await command("start"))).toMatch(/Hi!/);
    const deep = await command("start", "deal_netflix-facebook");
    expect(deep.title).toMatch(/Netflix and Facebook/);
    expect(deep.actions.map((a) => a.data)).toContain("src:netflix-facebook");
  });

  it("/help lists every command", async () => {
    const help = text(await command("help"));
    for (const c of bot.commands) expect(help).toContain(c.usage);
  });

  it("/deals lists every deal", async () => {
    const reply = await command("deals");
    expect(reply.blocks.filter((b) => b.kind === "item")).toHaveLength(42);
  });

  it("/deal finds a deal by id, by prefix, or by the words of its name", async () => {
    for (const name of ["netflix-facebook", "cambridge", "cambridge analytica", "Vizio"]) {
      const reply = await command("deal", name);
      expect(reply.tone, name).toBe("info");
      expect(reply.citations.length, name).toBeGreaterThan(0);
    }
    const missing = await command("deal", "no such deal whatsoever");
    expect(missing.tone).toBe("error");
    expect(missing.ephemeral).toBe(true);
    expect((await command("deal")).tone).toBe("error");
  });

  it("/sources lists each source of a deal once", async () => {
    const reply = await command("sources", "netflix-facebook");
    const ids = reply.citations.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(10);
  });

  it("an unknown command gets a clear message", async () => {
    const reply = await command("frobnicate");
    expect(reply.tone).toBe("error");
    expect(text(reply)).toMatch(/\/help/);
  });
});

describe("entry points without subscriptions (the console, ask)", () => {
  const chatOnly = [{ name: "subscribe", usage: "/subscribe <topic>", description: "Get updates here" }];
  let console_: Bot;
  beforeAll(async () => {
    console_ = new Bot(new KnowledgeHolder(await knowledgeFrom()), {
      flood: null,
      chatOnly,
      helpNote: "Leave with exit.",
    });
  });

  it("say plainly where a chat-only command works, instead of not knowing it", async () => {
    const reply = await console_.handle(request({ kind: "command", name: "subscribe", args: "all" }));
    expect(reply.tone).toBe("info");
    expect(text(reply)).toMatch(/\/subscribe <topic> .* works in a Telegram or Discord chat/);
    // Elsewhere the command stays unknown until a module adds it.
    expect((await command("subscribe", "all")).title).toBe("Unknown command");
  });

  it("list chat-only commands apart in /help, with the entry point's own note", async () => {
    const help = text(await console_.handle(request({ kind: "command", name: "help", args: "" })));
    expect(help).toMatch(/In a Telegram or Discord chat:\n- \/subscribe <topic> — Get updates here/);
    expect(help).toMatch(/Leave with exit\.$/);
    expect(console_.commands.map((c) => c.name)).not.toContain("subscribe");
  });
});

describe("goodbyes", () => {
  it("mark the reply to bye, exit, quit, /quit and /exit as a farewell, and nothing else", async () => {
    for (const input of [
      { kind: "text", text: "bye" },
      { kind: "text", text: "exit" },
      { kind: "text", text: "quit" },
      { kind: "command", name: "quit", args: "" },
      { kind: "command", name: "exit", args: "" },
    ] as const) {
      const reply = await bot.handle(request(input));
      expect(reply.farewell, JSON.stringify(input)).toBe(true);
      expect(text(reply)).toMatch(/Bye!/);
    }
    for (const q of ["thanks", "hi", "did facebook let netflix read messages?"])
      expect((await bot.handle(request({ kind: "text", text: q }))).farewell).toBeUndefined();
  });
});

describe("buttons", () => {
  it("every action of an answer leads somewhere, within Telegram's 64 bytes", async () => {
    const answer = await bot.handle(request({ kind: "text", text: "netflix facebook inbox api" }));
    expect(answer.actions.length).toBeGreaterThanOrEqual(2);
    for (const action of answer.actions) {
      expect(Buffer.byteLength(action.data)).toBeLessThanOrEqual(64);
      const reply = await bot.handle(request({ kind: "action", data: action.data }));
      expect(reply.tone, action.data).toBe("info");
    }
  });

  it("an expired or forged button gets a clear message", async () => {
    for (const data of ["src:gone-deal", "nonsense", ""]) {
      expect((await bot.handle(request({ kind: "action", data }))).tone).toBe("error");
    }
  });
});

describe("questions", () => {
  it("answers odd input without failing", async () => {
    for (const q of [
      "",
      "   ",
      "<b>&amp;</b> *bold* _x_ `code`",
      "🤔🤔🤔",
      "هل شارك فيسبوك رسائلي مع نتفليكس؟",
      "x".repeat(4000),
    ]) {
      const reply = await bot.handle(request({ kind: "text", text: q }));
      expect(["answer", "unknown", "info"]).toContain(reply.tone);
    }
  });

  it("says when it read only part of a very long question", async () => {
    const reply = await bot.handle(
      request({ kind: "text", text: `did facebook let netflix read messages ${"and ".repeat(400)}` }),
    );
    expect(reply.footer).toMatch(/first 1000 characters/);
  });

  it("keeps conversations apart per chat", async () => {
    await bot.handle(request({ kind: "text", text: "did facebook let netflix read messages?" }, "chat-x"));
    const followUp = await bot.handle(request({ kind: "text", text: "how much did they pay?" }, "chat-x"));
    const elsewhere = await bot.handle(request({ kind: "text", text: "how much did they pay?" }, "chat-y"));
    expect(followUp.tone).toBe("answer");
    expect(elsewhere.tone).toBe("unknown");
  });
});

describe("flood control", () => {
  it("answers a burst, then asks politely to slow down", async () => {
    let now = 0;
    const gated = new Bot(new KnowledgeHolder(await knowledgeFrom()), {
      flood: new FloodGate({ burst: 3, perSecond: 1, now: () => now }),
    });
    const replies: Reply[] = [];
    for (let i = 0; i < 5; i++)
      replies.push(await gated.handle(request({ kind: "command", name: "help", args: "" })));
    expect(replies.map((r) => r.tone)).toEqual(["info", "info", "info", "error", "error"]);
    // The notice is said once; the repeat may go unsent where the platform allows.
    expect(replies.map((r) => r.quiet ?? false)).toEqual([false, false, false, false, true]);
    now = 1000;
    expect((await gated.handle(request({ kind: "command", name: "help", args: "" }))).tone).toBe("info");
  });
});

describe("parsing typed input", () => {
  it("splits commands, strips the bot's name, ignores commands for other bots", () => {
    expect(parseInput("/deal netflix facebook")).toEqual({
      kind: "command",
      name: "deal",
      args: "netflix facebook",
    });
    expect(parseInput("/Help@Receipts_Bot", "receipts_bot")).toEqual({
      kind: "command",
      name: "help",
      args: "",
    });
    expect(parseInput("/help@otherbot", "receipts_bot")).toBeUndefined();
    expect(parseInput("what about /deal?")).toEqual({ kind: "text", text: "what about /deal?" });
  });
});
