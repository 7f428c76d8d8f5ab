import { beforeAll, describe, expect, it } from "vitest";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { FloodGate } from "../../src/bot/flood.js";
import { parseInput } from "../../src/bot/input.js";
import type { Input, Reply, Request } from "../../src/bot/types.js";
import { renderPlain } from "../../src/render/plain.js";
import { knowledgeFrom } from "../support/knowledge.js";

let bot: Bot;
let deals: number;
beforeAll(async () => {
  const knowledge = await knowledgeFrom();
  deals = knowledge.kb.deals.size;
  bot = new Bot(new KnowledgeHolder(knowledge), { flood: null });
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
    expect(reply.blocks.filter((b) => b.kind === "item")).toHaveLength(deals);
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

  it("/deal puts the deal in focus, so a follow-up is about it", async () => {
    const chat = "focus-1";
    await bot.handle(request({ kind: "command", name: "deal", args: "netflix-facebook" }, chat));
    const followUp = await bot.handle(request({ kind: "text", text: "how much did they pay?" }, chat));
    expect(followUp.tone).toBe("answer");
    expect(followUp.actions.map((a) => a.data)).toContain("src:netflix-facebook");
  });

  it("/deal with a name that fits several deals offers the choices, with a button each", async () => {
    const reply = await command("deal", "netflix");
    const choices = reply.actions.map((a) => a.data);
    expect(choices.length).toBeGreaterThan(1);
    expect(choices).toContain("deal:netflix-facebook");
    expect(choices).toContain("deal:netflix-prize");
    for (const data of choices) expect(text(reply)).toContain(`/deal ${data.slice("deal:".length)}`);
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

describe("timelines", () => {
  const PNG_SIGNATURE = "89504e470d0a1a0a";

  it("/timeline answers with the deal's timeline picture, described in words", async () => {
    const reply = await command("timeline", "netflix facebook");
    expect(reply.tone).toBe("info");
    expect(reply.title).toMatch(/^Timeline: Netflix–Facebook inbox API/);
    expect(reply.image?.name).toBe("timeline-netflix-facebook.png");
    expect(
      Buffer.from(reply.image?.png ?? [])
        .subarray(0, 8)
        .toString("hex"),
    ).toBe(PNG_SIGNATURE);
    expect(reply.image?.alt).toMatch(
      /^Timeline of .*: \d+ dated facts, \d{4}–\d{4} · \d+ undated facts not shown\./,
    );
    expect(text(reply)).toMatch(/Picture: Timeline of/);
    expect(reply.actions.map((a) => a.data)).toEqual(["deal:netflix-facebook", "src:netflix-facebook"]);
  });

  it("/timeline without a deal, or with an unknown one, says what to do", async () => {
    expect(text(await command("timeline"))).toMatch(/Usage: \/timeline <deal name>/);
    expect((await command("timeline", "no such deal whatsoever")).tone).toBe("error");
  });

  it("a deal's Timeline button opens the same picture, drawn once", async () => {
    const deal = await command("deal", "netflix-facebook");
    const button = deal.actions.find((a) => a.label === "Timeline");
    expect(button?.data).toBe("tl:netflix-facebook");
    const pressed = await bot.handle(request({ kind: "action", data: button?.data ?? "" }));
    const typed = await command("timeline", "netflix-facebook");
    expect(pressed.image?.png).toBe(typed.image?.png);
  });

  it("suggests deals for /timeline as for /deal", async () => {
    const who = {
      chat: request({ kind: "text", text: "" }).chat,
      user: request({ kind: "text", text: "" }).user,
    };
    expect(await bot.suggestFor("timeline", "netflix", who)).toEqual(
      await bot.suggestFor("deal", "netflix", who),
    );
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

describe("questions in a chat", () => {
  const ask = (q: string, chat: string) => bot.handle(request({ kind: "text", text: q }, chat));

  it("answers small talk in one short line, with no facts or sources", async () => {
    for (const q of ["thanks!", "hi", "bye", "ok", "who are you?"]) {
      const reply = await ask(q, "small-talk");
      expect(reply.citations, q).toEqual([]);
      expect(reply.blocks.filter((b) => b.kind === "item" && b.cites?.length).length, q).toBe(0);
      expect(text(reply).split("\n")[0]?.length ?? 0, q).toBeLessThan(200);
    }
  });

  it("does not give advice or predictions", async () => {
    for (const q of ["best vpn to protect my privacy?", "Will Meta get fined again next year?"]) {
      const reply = await ask(q, "advice");
      expect(reply.tone, q).toBe("unknown");
      expect(reply.citations, q).toEqual([]);
      expect(text(reply), q).toMatch(/advice|predict/i);
    }
  });

  it("never sends the same reply twice in a row to follow-ups", async () => {
    const chat = "repeat-1";
    const replies: string[] = [];
    for (const q of [
      "did verizon sell customers' location data?",
      "how much were they fined?",
      "when was that?",
      "when was that?",
      "and when was that?",
    ]) {
      replies.push(text(await ask(q, chat)));
    }
    for (let i = 1; i < replies.length; i++) expect(replies[i], `turn ${i + 1}`).not.toBe(replies[i - 1]);
  });

  it("opens a pasted claim with its verdict", async () => {
    const reply = await ask('"Netflix paid Facebook $100 million for access to your DMs" - legit?', "claim");
    expect(text(reply)).toMatch(/^[^\n]*\n\n?(?:Not supported|Partly|Alleged)/);
  });
});
