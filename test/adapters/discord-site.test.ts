/**
 * What the site adds to Discord, end to end: timeline pictures, and answers linked to deal pages when
 * SITE_URL is set. The real discord.js against the Discord stand-in, which takes the picture as a
 * multipart upload, keeps its bytes, and shows it where the embed asks (`attachment://<name>`).
 */
import { randomBytes } from "node:crypto";
import { PermissionFlagsBits } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordAdapter, type DiscordAdapter } from "../../src/adapters/discord/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { TIMELINE_MAX_HEIGHT, TIMELINE_WIDTH } from "../../src/timeline/svg.js";
import {
  type DiscordStandIn,
  type Json,
  type Message,
  type StandInCall,
  startDiscordStandIn,
  type UploadedFile,
} from "../fakes/discord-api.js";
import { knowledgeFrom } from "../support/knowledge.js";
import { pngSize } from "../support/png.js";

const TOKEN = `receipts-test.${randomBytes(24).toString("hex")}`;
const SITE_URL = "https://receipts.example.org/data";
const DEAL = "netflix-facebook";
const PAGE = `${SITE_URL}/deals/${DEAL}.html`;
const FILE = `timeline-${DEAL}.png`;
const EPHEMERAL = 64;
const fastIdentify = { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } };

interface Embed {
  title?: string;
  url?: string;
  description?: string;
  image?: { url: string; width?: number; height?: number };
}

let knowledge: KnowledgeHolder;
beforeAll(async () => {
  knowledge = new KnowledgeHolder(await knowledgeFrom());
});

interface Harness {
  discord: DiscordStandIn;
  adapter: DiscordAdapter;
  close(): Promise<void>;
}

async function harness(siteUrl: string | undefined, deferAfterMs: number): Promise<Harness> {
  const bot = new Bot(knowledge, { flood: null, ...(siteUrl ? { siteUrl } : {}) });
  const discord = await startDiscordStandIn({
    token: TOKEN,
    guilds: [
      { channels: [{ name: "general" }, { name: "no-files", botDeny: PermissionFlagsBits.AttachFiles }] },
    ],
    // Content is under test here, not the 3 s deadline (discord.test.ts has that): a busy machine may draw slowly.
    callbackDeadlineMs: Number.POSITIVE_INFINITY,
  });
  const adapter = createDiscordAdapter({
    bot,
    token: TOKEN,
    apiRoot: discord.apiRoot,
    guildId: discord.ids.guild,
    deferAfterMs,
    clientOptions: fastIdentify,
  });
  await adapter.start();
  return {
    discord,
    adapter,
    close: async () => {
      await adapter.stop();
      await discord.close();
    },
  };
}

/** The call that carried an interaction's file (its reply, or the edit of a deferred reply), and the message it made. */
async function interactionMessage(discord: DiscordStandIn, payload: Json) {
  const token = String(payload.token);
  const carried = await discord.waitForCall(
    (c) =>
      c.status < 300 &&
      c.files.length > 0 &&
      (c.path.startsWith(`/interactions/${String(payload.id)}/`) || c.path.includes(`/${token}/messages/`)),
    15_000,
  );
  return { carried, message: latestWithFile(discord) };
}

function latestWithFile(discord: DiscordStandIn): Message {
  const found = discord
    .messages()
    .reverse()
    .find((m) => ((m.attachments ?? []) as { filename?: string }[]).some((a) => a.filename === FILE));
  if (!found) throw new Error("no message carries the timeline");
  return found;
}

/** The uploaded file is the deal's timeline: a PNG within bounds, shown as the embed's image. */
function expectTimeline(call: StandInCall, message: Message): Embed {
  expect(call.files).toHaveLength(1);
  const file = call.files[0] as UploadedFile;
  expect(file.filename).toBe(FILE);
  expect(file.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  const size = pngSize(file.bytes);
  expect(size.width).toBe(TIMELINE_WIDTH);
  expect(size.height).toBeLessThanOrEqual(TIMELINE_MAX_HEIGHT);
  expect(file.size).toBeLessThan(300 * 1024);
  const sentEmbed = JSON.stringify(call.body);
  expect(sentEmbed).toContain(`"image":{"url":"attachment://${FILE}"}`);
  const embed = message.embeds[0] as Embed;
  expect(embed.title).toMatch(/^Timeline: /);
  const [attachment] = (message.attachments ?? []) as { url: string; filename: string }[];
  expect(attachment?.filename).toBe(FILE);
  expect(embed.image).toMatchObject({ url: attachment?.url, width: size.width, height: size.height });
  return embed;
}

const customIds = (message: Message | undefined): string[] =>
  (message?.components ?? []).flatMap((row) =>
    ((row as { components?: { custom_id?: string }[] }).components ?? []).map((b) => b.custom_id ?? ""),
  );

describe("discord: a deal's timeline, with SITE_URL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(SITE_URL, 10_000);
  });
  afterAll(async () => {
    await h.close();
  });

  it("/timeline replies with the picture as a file shown in the embed, titled with a link to the deal's page", async () => {
    const payload = h.discord.interactionCreate({
      kind: "command",
      commandName: "timeline",
      options: { deal: DEAL },
    });
    h.discord.dispatch("INTERACTION_CREATE", payload);
    const { carried, message } = await interactionMessage(h.discord, payload);
    const embed = expectTimeline(carried, message);
    expect(embed.url).toBe(PAGE);
    expect(embed.description).toContain(`(<${PAGE}>)`);
    expect(message.flags & EPHEMERAL).toBe(0);
  });

  it("the Timeline button answers privately with the picture; the next button swaps it for words", async () => {
    const deal = h.discord.interactionCreate({
      kind: "command",
      commandName: "deal",
      options: { deal: DEAL },
    });
    h.discord.dispatch("INTERACTION_CREATE", deal);
    await h.discord.waitForCall((c) => c.path.startsWith(`/interactions/${String(deal.id)}/`));
    const dealMessage = h.discord
      .messages(h.discord.ids.channel)
      .reverse()
      .find((m) => customIds(m).includes(`tl:${DEAL}`));

    const press = h.discord.interactionCreate({
      kind: "button",
      customId: `tl:${DEAL}`,
      messageId: dealMessage?.id ?? "",
    });
    h.discord.dispatch("INTERACTION_CREATE", press);
    const { carried, message } = await interactionMessage(h.discord, press);
    expectTimeline(carried, message);
    expect(message.flags & EPHEMERAL).toBe(EPHEMERAL);

    // "More on this deal" on the private timeline updates it in place: words, no picture left over.
    const more = h.discord.interactionCreate({
      kind: "button",
      customId: `deal:${DEAL}`,
      messageId: message.id,
    });
    h.discord.dispatch("INTERACTION_CREATE", more);
    const update = await h.discord.waitForCall((c) => c.path.startsWith(`/interactions/${String(more.id)}/`));
    expect((update.body as { type: number }).type).toBe(7);
    const updated = h.discord.message(message.id);
    expect(updated?.attachments).toEqual([]);
    expect((updated?.embeds[0] as Embed | undefined)?.image).toBeUndefined();
    expect((updated?.embeds[0] as Embed | undefined)?.title).toMatch(/^Netflix and Facebook/);
  });

  it("a mention asking for a timeline gets the picture in a channel reply", async () => {
    const start = h.discord.calls.length;
    const mention = h.discord.messageCreate({
      content: `<@${h.discord.botUser.id}> /timeline ${DEAL}`,
    });
    h.discord.dispatch("MESSAGE_CREATE", mention);
    const call = await h.discord.waitForCall(
      (c) =>
        c.index >= start && c.method === "POST" && c.path === `/channels/${h.discord.ids.channel}/messages`,
      15_000,
    );
    expect(call.status).toBe(200);
    const message = h.discord.message((call.response as Message).id) as Message;
    expectTimeline(call, message);
  });

  it("where it may not attach files, a mention gets the words and where to see the picture", async () => {
    const channel = h.discord.guild().channels.find((c) => c.name === "no-files");
    const start = h.discord.calls.length;
    const mention = h.discord.messageCreate({
      content: `<@${h.discord.botUser.id}> /timeline ${DEAL}`,
      channelId: channel?.id ?? "",
    });
    h.discord.dispatch("MESSAGE_CREATE", mention);
    const call = await h.discord.waitForCall(
      (c) => c.index >= start && c.method === "POST" && c.path === `/channels/${channel?.id}/messages`,
      15_000,
    );
    expect(call.status).toBe(200);
    expect(call.files).toEqual([]);
    const embed = (call.body as { embeds: Embed[] }).embeds[0];
    expect(embed?.title).toMatch(/^Timeline: /);
    expect(embed?.image).toBeUndefined();
    expect(JSON.stringify(embed)).toContain("Attach Files");
  });
});

/** Runs a slash command and returns the first embed of the message it made. */
async function slash(discord: DiscordStandIn, commandName: string, options: Record<string, string>) {
  const payload = discord.interactionCreate({ kind: "command", commandName, options });
  discord.dispatch("INTERACTION_CREATE", payload);
  const token = String(payload.token);
  const call = await discord.waitForCall(
    (c) =>
      c.status < 300 &&
      c.body !== null &&
      JSON.stringify(c.body).includes('"embeds"') &&
      (c.path.startsWith(`/interactions/${String(payload.id)}/`) || c.path.includes(`/${token}/messages/`)),
    15_000,
  );
  const body = call.body as { data?: { embeds?: Embed[] }; embeds?: Embed[] };
  return (body.data?.embeds ?? body.embeds ?? [])[0] as Embed;
}
const QUESTION = "did facebook let netflix read private messages?";
/** Markdown links in a description: `[text](<url>)`. */
const links = (embed: Embed) =>
  [...(embed.description ?? "").matchAll(/\]\(<([^>]+)>\)/g)].map((m) => m[1] ?? "");

describe("discord: answers link to the deal's page, with SITE_URL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(SITE_URL, 10_000);
  });
  afterAll(async () => {
    await h.close();
  });

  it("an answer's title links to the deal's page, and each fact to its anchor", async () => {
    const embed = await slash(h.discord, "ask", { question: QUESTION });
    expect(embed.url).toBe(PAGE);
    const factLinks = links(embed).filter((href) => href.startsWith(`${PAGE}#`));
    expect(factLinks.length).toBeGreaterThan(0);
    for (const link of factLinks) {
      const fact = knowledge.current.kb.facts.get(decodeURIComponent(link.slice(PAGE.length + 1)));
      expect(fact?.deal, link).toBe(DEAL);
    }
  });

  it("/deal and /sources link to the deal's page", async () => {
    expect((await slash(h.discord, "deal", { deal: DEAL })).url).toBe(PAGE);
    expect((await slash(h.discord, "sources", { deal: DEAL })).url).toBe(PAGE);
  });
});

describe("discord: a deal's timeline, without SITE_URL, deferred", () => {
  let h: Harness;
  beforeAll(async () => {
    // Deferred at once: the picture arrives through editReply.
    h = await harness(undefined, 0);
  });
  afterAll(async () => {
    await h.close();
  });

  it("edits the picture into the deferred reply, and links nowhere", async () => {
    const payload = h.discord.interactionCreate({
      kind: "command",
      commandName: "timeline",
      options: { deal: DEAL },
    });
    h.discord.dispatch("INTERACTION_CREATE", payload);
    const { carried, message } = await interactionMessage(h.discord, payload);
    expect(carried.method).toBe("PATCH");
    const embed = expectTimeline(carried, message);
    expect(embed.url).toBeUndefined();
    expect(embed.description ?? "").not.toContain("](<");
  });

  it("answers link to no page", async () => {
    const embed = await slash(h.discord, "ask", { question: QUESTION });
    expect(embed.title).toBeDefined();
    expect(embed.url).toBeUndefined();
    expect(links(embed).some((href) => href.includes("receipts.example.org"))).toBe(false);
  });
});
