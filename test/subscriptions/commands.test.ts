import { afterEach, describe, expect, it } from "vitest";
import { Bot } from "../../src/bot/bot.js";
import type { ChatRef, Request, UserRef } from "../../src/bot/types.js";
import { subscriptionCommands } from "../../src/subscriptions/commands.js";
import { Publisher } from "../../src/subscriptions/publisher.js";
import { openStore } from "../../src/subscriptions/store.js";
import { heldKnowledgeCopy, NEW_FACT, replyText } from "./support.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const dm: ChatRef = { platform: "telegram", id: "100", kind: "private" };
const group: ChatRef = { platform: "telegram", id: "-200", kind: "group" };
const channel: ChatRef = { platform: "discord", id: "300", kind: "group" };
const member: UserRef = { id: "100", canManageChat: false };
const manager: UserRef = { id: "101", canManageChat: true };
const admin: UserRef = { id: "42", canManageChat: true };

async function setup() {
  const { kb, holder } = await heldKnowledgeCopy(cleanups);
  const store = openStore(":memory:");
  cleanups.push(() => store.close());
  const admins = new Set(["telegram:42"]);
  const publisher = new Publisher({ store, holder, knowledgeDir: kb.dir, admins });
  await publisher.publish(holder.current.kb);
  const extensions = subscriptionCommands({ store, holder, publisher, admins });
  const bot = new Bot(holder, { extensions, flood: null });
  const say = async (chat: ChatRef, user: UserRef, text: string) => {
    const [, name = "", args = ""] = /^\/(\w+)\s*([\s\S]*)$/.exec(text) ?? [];
    const request: Request = { chat, user, input: { kind: "command", name, args } };
    const reply = await bot.handle(request);
    return { reply, text: replyText(reply) };
  };
  return { kb, store, bot, say, holder };
}

describe("subscription commands", () => {
  it("answer in the user's language and remember it for the chat's digests", async () => {
    const { store, bot } = await setup();
    const request = (args: string): Request => ({
      chat: { platform: "telegram", id: "500", kind: "private" },
      user: { id: "500", canManageChat: true },
      input: { kind: "command", name: "subscribe", args },
      locale: "es",
    });
    const reply = await bot.handle(request("StreamCo"));
    expect(reply.language).toBe("es");
    expect(replyText(reply)).toContain("Suscrito a StreamCo (empresa).");
    expect(store.chatSetting("telegram", "500", "subscribed-language")).toBe("es");
    const unknown = await bot.handle(request("Meta"));
    expect(replyText(unknown)).toContain("No conozco ningún caso ni empresa llamado «Meta».");
  });

  it("subscribe, list and unsubscribe in a private chat", async () => {
    const { store, say } = await setup();
    expect((await say(dm, member, "/subscribe Meta")).text).toContain(
      'I don\'t know a deal or company called "Meta"',
    );
    expect((await say(dm, member, "/subscribe ACM")).text).toContain("Subscribed to Acme Social (company).");
    expect((await say(dm, member, "/subscribe acme-breach, stream co")).text).toMatch(
      /Subscribed to the deal "Acme Social's 2018 data breach fine"\.\nSubscribed to StreamCo \(company\)\./,
    );
    expect((await say(dm, member, "/subscribe acme")).text).toContain(
      "This chat already follows Acme Social",
    );
    expect(store.topicsOf("telegram", "100").sort()).toEqual([
      "deal:acme-breach",
      "entity:acme",
      "entity:streamco",
    ]);

    const list = await say(dm, member, "/subscriptions");
    expect(list.text).toContain("StreamCo (company) — /unsubscribe entity:streamco");

    expect((await say(dm, member, "/unsubscribe entity:streamco")).text).toContain(
      "Unsubscribed from StreamCo",
    );
    expect((await say(dm, member, "/unsubscribe acme social")).text).toContain(
      "Unsubscribed from Acme Social",
    );
    expect((await say(dm, member, "/unsubscribe netflix")).text).toContain(
      'This chat does not follow "netflix"',
    );
    expect((await say(dm, member, "/unsubscribe all")).text).toContain(
      "no longer gets updates (1 topic removed)",
    );
    expect((await say(dm, member, "/subscriptions")).text).toContain("This chat follows nothing yet.");
  });

  it("explains itself when given no topic", async () => {
    const { say } = await setup();
    const { text } = await say(dm, member, "/subscribe");
    expect(text).toContain("/subscribe Meta, /subscribe netflix-facebook or /subscribe all");
    expect(text).toMatch(/Some topics: all, /);
    expect((await say(dm, member, "/unsubscribe")).text).toContain("This chat follows nothing.");
  });

  it("lets only those who manage a group change its subscriptions", async () => {
    const { store, say } = await setup();
    const refused = await say(group, member, "/subscribe all");
    expect(refused.reply.tone).toBe("error");
    expect(refused.text).toContain("Only this group's admins can change its subscriptions.");
    expect((await say(channel, member, "/unsubscribe all")).text).toContain(
      "Only members with the Manage Channels permission can change this channel's subscriptions.",
    );
    expect(store.topicsOf("telegram", "-200")).toEqual([]);
    expect((await say(group, manager, "/subscribe all")).text).toContain("Subscribed to everything");
    // Anyone may see what a group follows.
    expect((await say(group, member, "/subscriptions")).text).toContain("everything (every deal)");
  });

  it("keeps /reload and /stats to admins, and reloads", async () => {
    const { kb, store, say, holder } = await setup();
    expect((await say(dm, member, "/reload")).text).toContain("/reload is for the bot's admins.");
    expect((await say(dm, member, "/stats")).text).toContain("/stats is for the bot's admins.");

    await say(dm, member, "/subscribe all");
    const adminDm: ChatRef = { platform: "telegram", id: "42", kind: "private" };
    expect((await say(adminDm, admin, "/reload")).text).toContain("Already up to date");

    kb.edit({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    const reloaded = await say(adminDm, admin, "/reload");
    expect(reloaded.text).toContain(`Now answering from version ${holder.current.kb.version}`);
    expect(reloaded.text).toContain("1 new, 0 updated, 0 withdrawn facts; 0 new deals.");
    expect(reloaded.text).toContain("1 notification queued.");

    kb.edit({ "deals/acme-breach.yaml": ["status: ruled", "status: decided"] });
    const refused = await say(adminDm, admin, "/reload");
    expect(refused.reply.tone).toBe("error");
    expect(refused.text).toContain(`still answering from version ${holder.current.kb.version}`);
    expect(refused.text).toContain("knowledge/deals/acme-breach.yaml:");
    // The admin who asked sees the problems in the reply, not a second time as a notice.
    expect(store.stats().outbox.pending).toBe(1);

    const stats = (await say(adminDm, admin, "/stats")).text;
    expect(stats).toContain(
      `Knowledge base: version ${holder.current.kb.version} (published: ${holder.current.kb.version}), 2 deals, 5 facts.`,
    );
    expect(stats).toContain("Subscribers: 1 chats with 1 subscriptions (telegram 1).");
    expect(stats).toContain("Outbox: 1 pending (telegram 1), 0 sent, 0 dead; 1 change sets.");
    expect(stats).toMatch(/Last reload: .* \(\/reload by telegram:42\): refused\./);
  });

  it("suggests topics while typing", async () => {
    const { bot, say } = await setup();
    const request = { chat: dm, user: member };
    expect((await bot.suggestFor("subscribe", "stre", request)).map((s) => s.value)).toEqual([
      "StreamCo",
      "acme-streamco",
    ]);
    await say(dm, member, "/subscribe acme-breach");
    expect(await bot.suggestFor("unsubscribe", "", request)).toEqual([
      { label: `the deal "Acme Social's 2018 data breach fine"`, value: "deal:acme-breach" },
      { label: "All of them", value: "all" },
    ]);
    expect(bot.commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(["subscribe", "unsubscribe", "subscriptions", "reload", "stats"]),
    );
  });
});
