/**
 * Scaling benchmark: three instances of the bot (`node src/main.ts` each) on one PostgreSQL, in
 * Telegram webhook mode against the Bot API stand-in, updates spread round-robin over the three.
 *
 *   npx tsx bench/scale.ts                    # 10,000 subscribers, about 7 minutes
 *   SUBSCRIBERS=1000 npx tsx bench/scale.ts   # a quick run
 *
 * 1. Questions per second in total (the stand-in without limits, so the bots are what is measured).
 * 2. Follow-ups answered right when the question went to one instance and the follow-up to another.
 * 3. A fan-out of one digest to SUBSCRIBERS chats with Telegram's limits enforced (30 messages/s);
 *    the instance whose dispatcher is active is SIGKILLed half way. Reports lost digests, repeats
 *    (at most the sends in flight: 4), the time a standby took to take over, and the rate.
 * Everything runs on loopback, in temporary folders (PostgreSQL too: test/support/postgres.ts).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openPgStore } from "../src/subscriptions/pg-store.js";
import { type RateLimits, startTelegramStandIn } from "../test/fakes/telegram-api.js";
import { type BotProcess, startBot } from "../test/support/bot-process.js";
import { startPostgres } from "../test/support/postgres.js";

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 10_000);
const QUESTIONS = Number(process.env.QUESTIONS ?? 600);
const FOLLOW_UPS = Number(process.env.FOLLOW_UPS ?? 60);
const INSTANCES = 3;
const CEILING = 30;
const MARK = "benchmark scale fact";
const SECRET = "bench-secret";
const QUESTION_SET = [
  "did facebook let netflix read messages?",
  "who bought data from experian?",
  "what did cambridge analytica do with facebook data?",
  "did vizio sell viewing data?",
  "what happened with the netflix prize?",
];

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), "receipts-scale-"));
  const knowledgeDir = path.join(root, "knowledge");
  cpSync(path.resolve(import.meta.dirname, "../knowledge"), knowledgeDir, { recursive: true });
  const postgres = await startPostgres();
  const url = await postgres.createDatabase();
  // No limits while questions are measured; Telegram's for the fan-out (read at each call).
  const limits: RateLimits = {};
  const api = await startTelegramStandIn({ limits });
  const bots: BotProcess[] = [];
  const hooks: string[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++) {
      const bot = startBot({
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        TELEGRAM_WEBHOOK_URL: "https://receipts.invalid/telegram/hook",
        TELEGRAM_WEBHOOK_PORT: "0",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: url,
        KNOWLEDGE_DIR: knowledgeDir,
        DATA_DIR: path.join(root, `data-${i}`),
      });
      bots.push(bot);
      const [hook] = await bot.waitForLog((l) => l.msg === "telegram: webhook mode");
      await bot.waitForLog((l) => l.msg === "receipts ready");
      hooks.push(`http://127.0.0.1:${hook?.port}/telegram/hook`);
    }
    process.stdout.write(`${INSTANCES} instances ready on one PostgreSQL\n`);

    const questions = await measureQuestions(api, hooks);
    const followUps = await measureFollowUps(api, hooks);

    Object.assign(limits, { globalPerSecond: CEILING, perChatPerSecond: 1, perGroupPerMinute: 20 });
    const fanOut = await measureFanOut(api, bots, url, knowledgeDir);

    const report = { instances: INSTANCES, ...questions, ...followUps, ...fanOut };
    process.stdout.write(
      [
        "",
        `${INSTANCES} instances on one PostgreSQL, Telegram webhook mode, updates round-robin`,
        `  questions          ${questions.questionsPerSecond} answered/s in total (${questions.questions} questions, ${questions.questionP50Ms} ms median)`,
        `  follow-ups         ${followUps.followUpsRight}/${followUps.followUps} answered about the deal in focus on another instance`,
        `  fan-out            ${fanOut.delivered} of ${SUBSCRIBERS} subscribers; active dispatcher SIGKILLed after ${fanOut.killedAfter}`,
        `    lost             ${fanOut.lost}`,
        `    repeated         ${fanOut.repeated} (at most the sends in flight: 4)`,
        `    taken over in    ${fanOut.takeoverSeconds} s (from the kill to the next send)`,
        `    rate             ${fanOut.rate} messages/s = ${fanOut.ratePercentOfCeiling}% of ${CEILING}/s; busiest second ${fanOut.busiestSecond}; 429s ${fanOut.tooManyRequests}`,
        "",
        JSON.stringify(report),
        "",
      ].join("\n"),
    );
    if (fanOut.lost > 0 || fanOut.repeated > 4 || fanOut.busiestSecond > CEILING) process.exitCode = 1;
  } finally {
    await Promise.allSettled(bots.map((bot) => bot.kill()));
    await api.close();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

type StandIn = Awaited<ReturnType<typeof startTelegramStandIn>>;

/** QUESTIONS questions from as many users, 30 at a time, round-robin over the instances. */
async function measureQuestions(api: StandIn, hooks: readonly string[]) {
  const latencies: number[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < QUESTIONS) {
      const i = next++;
      const user = 500_000 + i;
      const text = QUESTION_SET[i % QUESTION_SET.length] as string;
      const t0 = Date.now();
      const res = await api.postWebhook(hooks[i % hooks.length] as string, api.message({ text, from: user }));
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      latencies.push(Date.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: 30 }, worker));
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    questions: QUESTIONS,
    questionsPerSecond: Number((QUESTIONS / seconds).toFixed(1)),
    questionP50Ms: latencies[Math.floor(latencies.length / 2)] ?? 0,
  };
}

/** A question on one instance, its follow-up on the next: is the follow-up about the same deal? */
async function measureFollowUps(api: StandIn, hooks: readonly string[]) {
  let right = 0;
  for (let i = 0; i < FOLLOW_UPS; i++) {
    const user = 700_000 + i;
    const hook = (n: number) => hooks[n % hooks.length] as string;
    await api.postWebhook(
      hook(i),
      api.message({ text: "did facebook let netflix read messages?", from: user }),
    );
    const before = api.sentMessages(user).length;
    await api.postWebhook(hook(i + 1), api.message({ text: "how much did they pay?", from: user }));
    const reply = api
      .sentMessages(user)
      .slice(before)
      .map((m) => ("text" in m ? m.text : ""))
      .join("\n");
    if (/netflix/i.test(reply) && /facebook/i.test(reply)) right++;
  }
  return { followUps: FOLLOW_UPS, followUpsRight: right };
}

/** One digest to SUBSCRIBERS chats; the active dispatcher's instance is SIGKILLed half way. */
async function measureFanOut(api: StandIn, bots: BotProcess[], url: string, knowledgeDir: string) {
  const store = await openPgStore(url);
  const chats = Array.from({ length: SUBSCRIBERS }, (_, i) => String(1_000_000 + i));
  await store.subscribeMany(
    chats.map((id) => ({
      chat: { platform: "telegram" as const, id, kind: "private" as const },
      topic: "all",
    })),
  );
  const file = path.join(knowledgeDir, "deals", "netflix-facebook.yaml");
  const fact = `  - id: nf-bench-scale
    text: The plaintiffs say Netflix and Facebook kept talking about data access after 2019 (a ${MARK}).
    status: alleged
    sources: [justia-klein-231]
`;
  const sends = () =>
    api.calls.filter(
      (c) => c.method === "sendMessage" && c.response?.ok && String(c.params.text).includes(MARK),
    );
  const waitFor = async (done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
    return true;
  };
  const started = Date.now();
  writeFileSync(file, readFileSync(file, "utf8").replace("facts:\n", `facts:\n${fact}`));
  // Half way, the instance whose dispatcher is active dies.
  await waitFor(() => sends().length >= SUBSCRIBERS / 2, 30 * 60_000);
  const active = bots.find(
    (bot) => bot.output().includes('"msg":"active dispatcher"') && bot.child.exitCode === null,
  );
  if (!active) throw new Error("no instance says its dispatcher is active");
  const killedAfter = sends().length;
  await active.kill();
  const killedAt = Date.now();
  const delivered = () => new Set(sends().map((c) => String(c.params.chat_id))).size;
  await waitFor(() => delivered() >= SUBSCRIBERS, 30 * 60_000);
  await new Promise((r) => setTimeout(r, 2_000)); // repeats, if any, arrive too

  const all = sends();
  const perChat = new Map<string, number>();
  for (const c of all)
    perChat.set(String(c.params.chat_id), (perChat.get(String(c.params.chat_id)) ?? 0) + 1);
  const times = all.map((c) => c.time).sort((a, b) => a - b);
  const first = times[0] ?? started;
  const last = times.at(-1) ?? Date.now();
  const afterKill = times.find((t) => t > killedAt) ?? last;
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  // As bench/fanout.ts: n messages over (first to last send + one window); the takeover gap included.
  const rate = (times.length * 1000) / (last - first + 1000);
  await store.close();
  return {
    subscribers: SUBSCRIBERS,
    delivered: perChat.size,
    killedAfter,
    lost: chats.filter((id) => !perChat.has(id)).length,
    repeated: [...perChat.values()].reduce((sum, n) => sum + n - 1, 0),
    takeoverSeconds: Number(((afterKill - killedAt) / 1000).toFixed(1)),
    rate: Number(rate.toFixed(2)),
    ratePercentOfCeiling: Number(((rate / CEILING) * 100).toFixed(1)),
    busiestSecond: busiest,
    tooManyRequests: api.stats.tooManyRequests,
    fanOutSeconds: Number(((last - started) / 1000).toFixed(1)),
  };
}

await main();
