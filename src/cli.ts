/**
 * Command line: `kb:check`, `kb:stats`, `ask`, `site` and `gaps`. Run through npm scripts, e.g.
 * `npm run kb:check`, `npm run --silent ask -- --json "question"` or `npm run site -- --out DIR`.
 * The configuration is checked as for `npm start`; `ask` takes the bot's commands as a chat does
 * (`npm run ask -- /deals`), and a picture a command answers with is saved and its path printed.
 */
import path from "node:path";
import { createInterface } from "node:readline";
import { renderForTerminal } from "./adapters/console.js";
import type { Answer, Citation } from "./answer/types.js";
import { Bot } from "./bot/bot.js";
import { parseInput } from "./bot/input.js";
import { answerReply } from "./bot/replies.js";
import type { ChatRef, Reply, UserRef } from "./bot/types.js";
import type { Config } from "./config.js";
import { formatProblem, statsTable, summaryLine, tiersReport } from "./knowledge/report.js";
import { renderPlain } from "./render/plain.js";
import { loadLanguageDetection } from "./search/languages/index.js";
import { checkedConfig, openKnowledge, readDotenv } from "./startup.js";
import { CHAT_ONLY_COMMANDS } from "./subscriptions/menu.js";

const USAGE = `usage:
  npm run kb:check                 validate the knowledge base (KNOWLEDGE_DIR, default ./knowledge)
  npm run kb:stats                 facts per deal and per status
  npm run ask -- "question"        answer one question (or a command: npm run ask -- /deals)
  npm run ask -- --json "question" answer as one JSON object
  npm run ask -- --batch           answer each line of standard input (plain, or {"chat": "c1", "q": "..."})
  npm run ask -- --json --batch    the same, one JSON object per line
  npm run site -- [--out DIR]      write the static site (default ./site; SITE_URL for absolute links)
  npm run gaps -- [--limit N] [--json]  most frequent unanswered questions and most 👎 facts (DATA_DIR)`;

const USER: UserRef = { id: "ask", canManageChat: true };

async function kbCheck(dir: string, stats: boolean): Promise<number> {
  console.log(`checking ${dir}`);
  // Every check, every time: kb:check never reads the cache the bot and ask use.
  const { loadKnowledgeDir } = await import("./knowledge/load.js");
  const result = await loadKnowledgeDir(dir);
  for (const problem of [...(result.ok ? [] : result.errors), ...result.warnings]) {
    console.log(formatProblem(problem));
  }
  if (!result.ok) {
    console.log(
      `${result.errors.length} error${result.errors.length === 1 ? "" : "s"}, ${result.warnings.length} warnings`,
    );
    return 1;
  }
  if (stats) console.log(`${statsTable(result.kb)}\n\n${tiersReport(result.kb)}`);
  console.log(summaryLine(result.kb, result.warnings.length));
  return 0;
}

function citationJson({ n, id, url, title, publisher, published }: Citation) {
  return { n, id, url, title, publisher, ...(published ? { published } : {}) };
}

/** The `ask --json` contract of DESIGN.md: one object per question. */
function answerJson(answer: Answer, text: string) {
  return {
    question: answer.question,
    status: answer.status,
    text,
    facts: answer.facts.map((fact) => ({
      id: fact.id,
      deal: fact.deal,
      text: fact.text,
      sources: fact.cites.map((n) => answer.citations[n - 1]?.id ?? ""),
    })),
    citations: answer.citations.map(citationJson),
    suggestions: answer.suggestions,
  };
}

/** A command's reply in the same shape: no facts of an answer, so status "unknown", and the reply as text. */
function commandJson(question: string, reply: Reply) {
  return {
    question,
    status: "unknown" as const,
    text: renderPlain(reply, { sources: false }),
    facts: [],
    citations: reply.citations.map(citationJson),
    suggestions: [],
  };
}

async function ask(dir: string, args: string[]): Promise<number> {
  const json = args.includes("--json");
  const batch = args.includes("--batch");
  const question = args.filter((arg) => !arg.startsWith("--")).join(" ");
  if (!batch && !question.trim()) {
    console.error(USAGE);
    return 2;
  }
  // The language detector loads while the knowledge base does: a question may not be in English.
  const [knowledge] = await Promise.all([openKnowledge(dir), loadLanguageDetection()]);
  if (!knowledge) return 1;
  const { kb } = knowledge.current;
  const bot = new Bot(knowledge, {
    flood: null,
    chatOnly: CHAT_ONLY_COMMANDS,
  });
  const respond = async (chat: ChatRef, q: string): Promise<string> => {
    const input = parseInput(q) ?? { kind: "text", text: q };
    if (!json) return renderForTerminal(await bot.handle({ chat, user: USER, input }));
    if (input.kind === "command")
      return JSON.stringify(commandJson(q, await bot.handle({ chat, user: USER, input })));
    // The JSON text carries the answer and its [n] marks, a claim's verdict on its first line;
    // sources and suggestions have fields of their own.
    const { answer } = bot.ask(chat, q);
    const bare = answerReply(answer, kb, { suggestions: false });
    return JSON.stringify(
      answerJson(
        answer,
        renderPlain({ ...bare, title: undefined, footer: undefined }, { sources: false }).trim(),
      ),
    );
  };

  if (!batch) {
    console.log(await respond({ platform: "console", id: "ask", kind: "private" }, question));
    return 0;
  }
  let line = 0;
  for await (const raw of createInterface({ input: process.stdin, terminal: false })) {
    line++;
    if (!raw.trim()) continue;
    let chat = `line-${line}`;
    let q = raw;
    if (raw.trim().startsWith("{")) {
      try {
        const parsed = JSON.parse(raw) as { chat?: unknown; q?: unknown };
        if (typeof parsed.q !== "string") throw new Error('missing "q"');
        q = parsed.q;
        if (typeof parsed.chat === "string" || typeof parsed.chat === "number") chat = `chat-${parsed.chat}`;
      } catch (error) {
        console.error(
          `line ${line}: not a question or a {"chat": ..., "q": ...} object: ${(error as Error).message}`,
        );
        continue;
      }
    }
    const answer = await respond({ platform: "console", id: chat, kind: "private" }, q);
    // Plain answers say which question they answer; a JSON answer carries it in "question".
    console.log(json ? answer : `> ${q.trim()}\n${answer}\n`);
  }
  return 0;
}

/** `npm run site -- --out DIR`: the static site, from the knowledge base. */
async function site(config: Config, args: string[]): Promise<number> {
  const at = args.findIndex((arg) => arg === "--out" || arg.startsWith("--out="));
  const given = at < 0 ? undefined : args[at] === "--out" ? args[at + 1] : args[at]?.slice("--out=".length);
  const out = path.resolve(given || "site");
  const started = performance.now();
  const { buildSite, checkOut, SiteError } = await import("./site/build.js");
  try {
    // A folder it may not write to is said at once, before the knowledge base is read.
    await checkOut(out);
    // Validated once per version, as the bot does; kb:check always validates.
    const { loadKnowledgeCached } = await import("./knowledge/cache.js");
    const result = await loadKnowledgeCached(config.knowledgeDir);
    if (!result.ok) {
      for (const problem of result.errors) console.error(formatProblem(problem));
      console.error("The knowledge base has errors: fix them (npm run kb:check) and build again.");
      return 1;
    }
    const { dealsLastChanged } = await import("./site/history.js");
    const files = await buildSite({
      kb: result.kb,
      out,
      lastChanged: await dealsLastChanged(config.knowledgeDir),
      ...(config.siteUrl ? { siteUrl: config.siteUrl } : {}),
    });
    const pages = files.filter((file) => file.endsWith(".html")).length;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.log(`Wrote ${pages} pages and the feed to ${out} in ${seconds} s.`);
    return 0;
  } catch (error) {
    if (!(error instanceof SiteError)) throw error;
    console.error(error.message);
    return 1;
  }
}

/**
 * `npm run gaps`: what users asked that the bot could not answer, grouped by similar wording, and the
 * facts with the most 👎, read from the store in DATA_DIR (the bot may be running: SQLite allows it).
 */
async function gaps(config: Config, args: string[]): Promise<number> {
  const at = args.indexOf("--limit");
  const limit = at >= 0 ? Number(args[at + 1]) : 20;
  if (!Number.isInteger(limit) || limit < 1) {
    console.error("--limit takes a whole number, e.g. --limit 10");
    return 2;
  }
  const { existsSync } = await import("node:fs");
  const { DB_FILE, openStore } = await import("./subscriptions/store.js");
  if (!existsSync(path.join(config.dataDir, DB_FILE))) {
    console.log(
      `No store in ${config.dataDir} yet: the bot records questions once it runs on Telegram or Discord.`,
    );
    return 0;
  }
  const { SqliteLoopStore } = await import("./loop/store.js");
  const { findGaps, gapLines } = await import("./loop/gaps.js");
  const { loadKnowledgeCached } = await import("./knowledge/cache.js");
  const store = openStore(config.dataDir);
  try {
    const found = await findGaps(new SqliteLoopStore(store), limit, Date.now());
    if (args.includes("--json")) {
      console.log(JSON.stringify(found));
      return 0;
    }
    const loaded = await loadKnowledgeCached(config.knowledgeDir).catch(() => undefined);
    for (const line of gapLines(found, loaded?.ok ? loaded.kb : undefined)) console.log(line);
    return 0;
  } finally {
    store.close();
  }
}

const COMMANDS = new Set(["kb:check", "kb:stats", "ask", "site", "gaps"]);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || !COMMANDS.has(command)) {
    console.error(USAGE);
    return 2;
  }
  readDotenv();
  const config = await checkedConfig({ dataDir: false });
  if (!config) return 1;
  if (command === "ask") return ask(config.knowledgeDir, rest);
  if (command === "site") return site(config, rest);
  if (command === "gaps") return gaps(config, rest);
  return kbCheck(config.knowledgeDir, command === "kb:stats" || rest.includes("--stats"));
}

process.exitCode = await main(process.argv.slice(2));
