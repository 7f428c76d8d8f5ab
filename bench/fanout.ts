/**
 * Fan-out benchmark: one knowledge-base change, one digest, 10,000 Telegram subscribers, delivered
 * through the real Telegram adapter to the Bot API stand-in with Telegram's limits enforced (30
 * messages a second overall, 1 per chat per second, 20 per group per minute; a 429 beyond them).
 *
 *   npx tsx bench/fanout.ts                  # 10,000 subscribers, about 6 minutes
 *   SUBSCRIBERS=600 npx tsx bench/fanout.ts  # a quick run
 *
 * Prints the achieved rate against the 30 messages/s ceiling, the 429s received, and the digests lost
 * (subscribers without one) or repeated. Everything runs on loopback, in temporary folders.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTelegramAdapter } from "../src/adapters/telegram/index.js";
import { buildKnowledge, KnowledgeHolder } from "../src/answer/knowledge.js";
import { Bot } from "../src/bot/bot.js";
import { loadKnowledgeDir } from "../src/knowledge/load.js";
import { openSubscriptions } from "../src/subscriptions/service.js";
import { startTelegramStandIn } from "../test/fakes/telegram-api.js";

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 10_000);
const CEILING = 30;
const MARK = "benchmark fan-out fact";

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), "receipts-fanout-"));
  const knowledgeDir = path.join(root, "knowledge");
  cpSync(path.resolve(import.meta.dirname, "../knowledge"), knowledgeDir, { recursive: true });
  const api = await startTelegramStandIn({
    limits: { globalPerSecond: CEILING, perChatPerSecond: 1, perGroupPerMinute: 20 },
  });
  const loaded = await loadKnowledgeDir(knowledgeDir, { warnings: false });
  if (!loaded.ok) throw new Error("the knowledge base has errors: run npm run kb:check");
  const holder = new KnowledgeHolder(buildKnowledge(loaded.kb));
  let sent = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const subscriptions = await openSubscriptions({
    config: { dataDir: path.join(root, "data"), knowledgeDir, admins: new Set() },
    holder,
    dispatcher: {
      onOutcome: (_row, result) => {
        if (result.status === "sent" && ++sent === SUBSCRIBERS) done();
      },
    },
  });
  const bot = new Bot(holder, { flood: null, extensions: subscriptions.extensions });
  const adapter = createTelegramAdapter({ bot, token: api.token, apiRoot: api.apiRoot });

  // Subscribers: private chats, most following everything, some following Netflix: two digests.
  const chats = Array.from({ length: SUBSCRIBERS }, (_, i) => String(1_000_000 + i));
  await subscriptions.store.subscribeMany(
    chats.map((id, i) => ({
      chat: { platform: "telegram" as const, id, kind: "private" as const },
      topic: i % 10 < 7 ? ("all" as const) : ("entity:netflix" as const),
    })),
  );
  await subscriptions.publishCurrent();
  await adapter.start();
  subscriptions.attach(adapter);

  const file = path.join(knowledgeDir, "deals", "netflix-facebook.yaml");
  const fact = `  - id: nf-bench-fanout
    text: The plaintiffs say Netflix and Facebook kept talking about data access after 2019 (a ${MARK}).
    status: alleged
    sources: [justia-klein-231]
`;
  writeFileSync(file, readFileSync(file, "utf8").replace("facts:\n", `facts:\n${fact}`));
  const started = Date.now();
  const result = await subscriptions.publisher.reload("benchmark");
  const queuedMs = Date.now() - started;
  if (result.status !== "published") throw new Error(`reload: ${result.status}`);
  process.stdout.write(
    `queued ${result.notifications} notifications in ${queuedMs} ms; delivering at most ${CEILING}/s…\n`,
  );
  const progress = setInterval(() => process.stdout.write(`  ${sent}/${SUBSCRIBERS} sent\n`), 30_000);
  await finished;
  clearInterval(progress);
  const ended = Date.now();

  // What the stand-in saw: successful sends of the digest, when, and to whom.
  const sends = api.calls
    .filter((c) => c.method === "sendMessage" && c.response?.ok && String(c.params.text).includes(MARK))
    .map((c) => ({ chat: String(c.params.chat_id), time: c.time }));
  const perChat = new Map<string, number>();
  for (const { chat } of sends) perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
  const lost = chats.filter((id) => !perChat.has(id)).length;
  const repeated = [...perChat.values()].filter((n) => n > 1).length;
  const times = sends.map((s) => s.time).sort((a, b) => a - b);
  const first = times[0] ?? started;
  const last = times.at(-1) ?? ended;
  // The ceiling allows 30 in any 1-second window: n messages need (n / 30) seconds of windows, the last
  // of which starts at the last send. So the rate is n over (first to last send + one window).
  const steady = (times.length * 1000) / (last - first + 1000);
  const overall = (times.length * 1000) / (last - started + 1000);
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const dispatcher = subscriptions.dispatchers[0];
  const report = {
    subscribers: SUBSCRIBERS,
    delivered: sends.length,
    seconds: Number(((last - started) / 1000).toFixed(1)),
    rate: Number(steady.toFixed(2)),
    ratePercentOfCeiling: Number(((steady / CEILING) * 100).toFixed(1)),
    rateIncludingQueueing: Number(overall.toFixed(2)),
    busiestSecond: busiest,
    tooManyRequests: api.stats.tooManyRequests,
    lost,
    repeated,
    queueMs: queuedMs,
    dispatcherRateLimited: dispatcher?.stats.rateLimited ?? 0,
  };
  process.stdout.write(
    [
      "",
      `fan-out of one digest to ${SUBSCRIBERS} Telegram subscribers (stand-in enforcing 30/s, 1/s per chat)`,
      `  achieved rate     ${report.rate} messages/s = ${report.ratePercentOfCeiling}% of the ${CEILING}/s ceiling (first send to last, plus one window)`,
      `  including queueing ${report.rateIncludingQueueing} messages/s over ${report.seconds} s from the reload`,
      `  busiest second    ${busiest} messages`,
      `  429s received     ${report.tooManyRequests}`,
      `  lost              ${lost}`,
      `  sent twice        ${repeated}`,
      `  queued            ${result.notifications} outbox rows in ${queuedMs} ms (one transaction with the snapshot)`,
      "",
      JSON.stringify(report),
      "",
    ].join("\n"),
  );

  await adapter.stop();
  await subscriptions.stop();
  await api.close();
  rmSync(root, { recursive: true, force: true });
  if (lost > 0 || repeated > 0) process.exitCode = 1;
}

await main();
