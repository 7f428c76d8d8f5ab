/**
 * Subscriptions end to end through Telegram: the real telegraf inside our adapter, against the Bot API
 * stand-in, with the knowledge base a copy on disk that the tests edit. Every wait is on a call the
 * stand-in recorded or an outcome the dispatcher recorded, never a sleep.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramAdapter } from "../../src/adapters/telegram/index.js";
import { Bot } from "../../src/bot/bot.js";
import { openSubscriptions } from "../../src/subscriptions/service.js";
import { type RecordedCall, startTelegramStandIn, telegramErrors } from "../fakes/telegram-api.js";
import { heldKnowledgeCopy, NEW_FACT, outcomeLog, tempDir } from "./support.js";

const ADMIN = 1001;
const GROUP = -300;
const GROUP_ADMIN = 3001;
const SETTLED = "StreamCo and Acme settled the case in 2025";
const EDIT = { "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] } as const;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness() {
  const api = await startTelegramStandIn({ admins: { [GROUP]: [GROUP_ADMIN] } });
  cleanups.push(() => api.close());
  const { kb, holder } = await heldKnowledgeCopy(cleanups);
  const data = tempDir();
  cleanups.push(data.remove);

  const { onOutcome, outcome } = outcomeLog();
  const subscriptions = await openSubscriptions({
    config: { dataDir: data.dir, knowledgeDir: kb.dir, admins: new Set([`telegram:${ADMIN}`]) },
    holder,
    dispatcher: {
      backoffMs: 50,
      onOutcome,
    },
  });
  const bot = new Bot(holder, { flood: null, extensions: subscriptions.extensions });
  const adapter = createTelegramAdapter({ bot, token: api.token, apiRoot: api.apiRoot });
  cleanups.push(async () => {
    await adapter.stop();
    await subscriptions.stop();
  });
  expect((await subscriptions.publishCurrent()).status).toBe("first");
  await adapter.start();
  await api.waitForCall("getUpdates");
  subscriptions.attach(adapter);
  subscriptions.watch({ debounceMs: 100 });

  /** Sends `text` as `from` in `chat` (default: their DM) and returns the bot's reply there. */
  const say = async (text: string, from: number, chat: number = from) => {
    const before = api.sentMessages(chat).length;
    const update = api.pushUpdate(api.message({ text, from, chat }));
    await api.waitForAck(update.update_id);
    return api
      .sentMessages(chat)
      .slice(before)
      .map((m) => ("text" in m ? m.text : ""))
      .join("\n");
  };
  /** The next successful sendMessage to `chat` whose text contains `words`. */
  const digestTo = (chat: number | string, words = SETTLED, timeoutMs = 10_000) =>
    api.waitForCall(
      "sendMessage",
      (c) => sentTo(c, chat) && c.response?.ok === true && text(c).includes(words),
      timeoutMs,
    );
  return { api, kb, holder, subscriptions, say, digestTo, outcome, store: subscriptions.store };
}

const sentTo = (call: RecordedCall, chat: number | string) => String(call.params.chat_id) === String(chat);
const text = (call: RecordedCall) => String(call.params.text ?? "");

describe("subscriptions through Telegram", () => {
  it("subscribe, edit the knowledge base on disk, and the digest arrives with the new fact and its citation", async () => {
    const { api, kb, holder, say, digestTo, store } = await harness();
    expect(await say("/subscribe StreamCo", 2001)).toContain("Subscribed to StreamCo (company).");
    expect(await say("/subscribe all", 3002, GROUP)).toContain(
      "Only this group's admins can change its subscriptions.",
    );
    expect(await say("/subscribe all", GROUP_ADMIN, GROUP)).toContain("Subscribed to everything");
    expect(await say("/subscribe acme-breach", 2003)).toContain("Subscribed to the deal");
    expect(await say("/subscriptions", 2001)).toContain("StreamCo (company) — /unsubscribe entity:streamco");

    kb.edit(EDIT);
    const digest = await digestTo(2001);
    const html = text(digest);
    expect(html).toContain("<b>Receipts update</b>");
    expect(html).toContain("1 new fact about StreamCo.");
    expect(html).toContain(`<b>New · Reported:</b> ${SETTLED}, according to the news report. [1] [2]`);
    expect(html).toContain(
      '[1] <a href="https://news.example.com/2024/story">A news report about the deal</a>',
    );
    expect(html).toContain('[2] <a href="https://court.example.org/filing/1">Plaintiffs');
    expect(await digestTo(GROUP)).toBeDefined();

    // The new knowledge answers questions, and nobody got the digest twice or off-topic.
    expect(holder.current.kb.facts.has("as-settlement")).toBe(true);
    expect(await say("did streamco and acme settle the case?", 2001)).toContain(SETTLED);
    const digests = api.calls.filter(
      (c) => c.method === "sendMessage" && text(c).includes("Receipts update"),
    );
    expect(digests.map((c) => String(c.params.chat_id)).sort()).toEqual([String(GROUP), "2001"]);
    expect((await store.stats()).outbox).toMatchObject({ pending: 0, sent: 2 });
  });

  it("refuses an invalid edit: the admin is told why and the old knowledge keeps answering", async () => {
    const { kb, holder, say, digestTo } = await harness();
    const before = holder.current.kb.version;
    kb.edit({ "deals/acme-breach.yaml": ["status: ruled", "status: decided"] });
    const notice = text(await digestTo(ADMIN, "Knowledge base refused"));
    expect(notice).toContain(`I keep answering from version ${before}`);
    expect(notice).toMatch(/knowledge\/deals\/acme-breach\.yaml:\d+:\d+: /);
    expect(holder.current.kb.version).toBe(before);
    expect(await say("/deal acme-breach", 2001)).toContain(
      "A regulator fined Acme Social $5 million in 2019.",
    );

    // Admin commands: /reload says the same, /stats shows what is serving.
    const reload = await say("/reload", ADMIN);
    expect(reload).toContain(`still answering from version ${before}`);
    expect(await say("/stats", ADMIN)).toContain(`Knowledge base: version ${before} (published: ${before})`);
    expect(await say("/reload", 2001)).toContain("/reload is for the bot's admins.");

    kb.edit({ "deals/acme-breach.yaml": ["status: decided", "status: ruled"] });
    expect(await say("/reload", ADMIN)).toContain(`Already up to date: version ${before}.`);
  });

  it("drops a subscriber who blocked the bot, and still delivers to the others", async () => {
    const { api, kb, say, digestTo, outcome, store } = await harness();
    await say("/subscribe streamco", 2001);
    await say("/subscribe streamco", 2002);
    api.blockChat(2002);
    kb.edit(EDIT);
    await digestTo(2001);
    const gone = await outcome((o) => o.row.chatId === "2002");
    expect(gone.result).toEqual({ status: "gone", reason: "Forbidden: bot was blocked by the user" });
    expect(await store.topicsOf("telegram", "2002")).toEqual([]);
    expect(await store.topicsOf("telegram", "2001")).toEqual(["entity:streamco"]);
  });

  it("waits out a 429 and then delivers, once", async () => {
    const { api, kb, say, digestTo, outcome } = await harness();
    await say("/subscribe all", 2001);
    api.failNext("sendMessage", { ...telegramErrors.tooManyRequests(1), chatId: 2001 });
    kb.edit(EDIT);
    const limited = await outcome((o) => o.result.status === "retry");
    expect(limited.result).toEqual({ status: "retry", afterMs: 1000 });
    const delivered = await digestTo(2001);
    const refused = api.calls.find((c) => c.method === "sendMessage" && c.response?.ok === false);
    expect(delivered.time - (refused?.time ?? 0)).toBeGreaterThanOrEqual(1000);
    await outcome((o) => o.result.status === "sent");
    const digests = api.sentMessages(2001).filter((m) => "text" in m && m.text.includes(SETTLED));
    expect(digests).toHaveLength(1);
    expect(api.stats.tooManyRequests).toBe(1);
  });

  it("follows a group that became a supergroup", async () => {
    const { api, kb, say, digestTo, store } = await harness();
    api.setAdmins(-400, [4001]);
    expect(await say("/subscribe acme", 4001, -400)).toContain("Subscribed to Acme Social");
    api.failNext("sendMessage", { ...telegramErrors.migrated(-1004000000000), chatId: -400 });
    kb.edit(EDIT);
    await digestTo(-1004000000000);
    expect(await store.topicsOf("telegram", "-1004000000000")).toEqual(["entity:acme"]);
    expect(await store.topicsOf("telegram", "-400")).toEqual([]);
  });
});
