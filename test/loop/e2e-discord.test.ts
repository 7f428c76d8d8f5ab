/**
 * The feedback loop end to end through Discord: the real discord.js inside our adapter, against the
 * Discord stand-in, with the knowledge base a copy on disk that the test edits. Every wait is on a call
 * the stand-in recorded, never a sleep.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordAdapter } from "../../src/adapters/discord/index.js";
import {
  type DiscordStandIn,
  type StandInCall,
  startDiscordStandIn,
  type User,
} from "../fakes/discord-api.js";
import { ANSWERABLE, gapsCli, loopBot, QUESTION, WEATHER_EDIT, WEATHER_FACT } from "./support.js";

const TOKEN = `receipts-test.${randomBytes(24).toString("hex")}`;
const fastIdentify = { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } };
const EPHEMERAL = 64;

interface Body {
  embeds?: { title?: string; description?: string }[];
  components?: { components: { label: string; custom_id: string }[] }[];
  flags?: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What a reader sees of a message or an interaction reply: its embeds' titles and texts, escapes removed. */
const shown = (body: Body | undefined) =>
  (body?.embeds ?? [])
    .map((e) => `${e.title ?? ""}\n${e.description ?? ""}`)
    .join("\n")
    .replace(/\\(.)/g, "$1");
const buttons = (body: Body | undefined) => (body?.components ?? []).flatMap((row) => row.components);

async function harness() {
  const discord = await startDiscordStandIn({ token: TOKEN, guilds: [{ channels: [{ name: "general" }] }] });
  cleanups.push(() => discord.close());
  const h = await loopBot(cleanups, { admins: [`discord:${discord.users.owner.id}`] });
  const adapter = createDiscordAdapter({
    bot: h.bot,
    token: TOKEN,
    apiRoot: discord.apiRoot,
    guildId: discord.ids.guild,
    deferAfterMs: 5_000,
    clientOptions: fastIdentify,
  });
  cleanups.push(async () => {
    await adapter.stop();
    await h.loop.stop();
    await h.subscriptions.stop();
  });
  await adapter.start();
  h.subscriptions.attach(adapter);
  h.loop.start();

  const interact = async (spec: Parameters<DiscordStandIn["interactionCreate"]>[0]) => {
    const payload = discord.interactionCreate(spec);
    discord.dispatch("INTERACTION_CREATE", payload);
    const call = await discord.waitForCall(
      (c) => c.method === "POST" && c.path.startsWith(`/interactions/${String(payload.id)}/`),
      10_000,
    );
    return (call.body as { data?: Body }).data;
  };
  const command = (commandName: string, options: Record<string, string>, user: User) =>
    interact({ kind: "command", commandName, options, user });
  /** Presses the button whose label matches on `body` (a reply that carries it). */
  const press = (body: Body | undefined, label: RegExp, user: User) => {
    const button = buttons(body).find((b) => label.test(b.label));
    if (!button) throw new Error(`no button ${label} in ${JSON.stringify(buttons(body))}`);
    return interact({ kind: "button", customId: button.custom_id, user });
  };
  return { ...h, discord, command, press };
}

const postedTo = (channelId: string, words: string) => (c: StandInCall) =>
  c.method === "POST" &&
  c.path === `/channels/${channelId}/messages` &&
  shown(c.body as Body).includes(words);

describe("the feedback loop through Discord", () => {
  it("notify me, feedback once per user, and /suggest to /queue and back", async () => {
    const h = await harness();
    const { owner, alice } = h.discord.users;
    const general = h.discord.ids.channel;

    // "I don't know" → Notify me → a fact on disk answers it → the answer is posted once.
    const unknown = await h.command("ask", { question: QUESTION }, alice);
    expect(shown(unknown)).toContain("I don't know");
    const notified = await h.press(unknown, /Notify me/, alice);
    expect(notified?.flags).toBe(EPHEMERAL);
    expect(shown(notified)).toContain("I'll tell you here when I can answer");
    expect(shown(await h.command("notifications", {}, alice))).toContain(QUESTION);
    h.kb.edit(WEATHER_EDIT);
    await h.subscriptions.publisher.reload("test edit");
    await h.loop.reask();
    const posted = await h.discord.waitForCall(postedTo(general, "Now I can answer"), 15_000);
    expect(shown(posted.body as Body)).toContain(WEATHER_FACT);
    expect(shown(posted.body as Body)).toContain(`You asked "${QUESTION}"`);
    expect((await h.loop.reask()).queued).toBe(0);
    expect(h.discord.calls.filter(postedTo(general, "Now I can answer"))).toHaveLength(1);

    // Feedback: 👍 twice and a change of mind from alice, 👎 with a reason from the owner: two votes.
    const answer = await h.command("ask", { question: ANSWERABLE }, alice);
    expect(buttons(answer).map((b) => b.label)).toEqual(expect.arrayContaining(["👍", "👎"]));
    expect(shown(await h.press(answer, /^👍$/, alice))).toContain("Thanks");
    await h.press(answer, /^👍$/, alice);
    const why = await h.press(answer, /^👎$/, owner);
    expect(shown(why)).toContain("What was wrong");
    expect(shown(await h.press(why, /Not what I asked/, owner))).toContain("noted");
    expect(
      (h.store.db.prepare("SELECT vote, reason FROM loop_feedback ORDER BY vote").all() as object[]).length,
    ).toBe(2);
    const gaps = await gapsCli(h.data.dir, h.kb.dir);
    expect(gaps.disliked.find((f) => f.factId === "as-inbox")).toMatchObject({
      count: 1,
      reasons: { "off-topic": 1 },
    });

    // /suggest → /queue → reject with a reason → the user hears back in the channel.
    const suggested = await h.command("suggest", { "url-or-claim": "https://example.com/report" }, alice);
    expect(shown(suggested)).toContain("#1 is in the queue");
    expect(shown(await h.command("queue", {}, alice))).toContain("for the bot's admins");
    const queue = await h.command("queue", {}, owner);
    expect(shown(queue)).toContain("https://example.com/report");
    const reasons = await h.press(queue, /Reject #1/, owner);
    expect(shown(await h.press(reasons, /already covers/, owner))).toContain("#1 rejected");
    const heard = await h.discord.waitForCall(postedTo(general, "was not taken"), 15_000);
    expect(shown(heard.body as Body)).toContain("the knowledge base already covers it");
  }, 60_000);
});
