/**
 * Command line: `kb:check`, `kb:stats`, `ask` and `site`. Run through npm scripts, e.g.
 * `npm run kb:check`, `npm run --silent ask -- --json "question"` or `npm run site -- --out DIR`.
 */
import path from "node:path";
import { createInterface } from "node:readline";
import dotenv from "dotenv";
import { renderForTerminal } from "./adapters/console.js";
import { buildKnowledge, KnowledgeHolder } from "./answer/knowledge.js";
import type { Answer } from "./answer/types.js";
import { Bot } from "./bot/bot.js";
import { parseInput } from "./bot/input.js";
import { answerReply } from "./bot/replies.js";
import type { ChatRef } from "./bot/types.js";
import { type Config, ConfigError, knowledgeDir, loadConfig } from "./config.js";
import { loadKnowledgeDir } from "./knowledge/load.js";
import { formatProblem, statsTable, summaryLine, tiersReport } from "./knowledge/report.js";
import { renderPlain } from "./render/plain.js";
import { buildSite, SiteError } from "./site/build.js";
import { dealsLastChanged } from "./site/history.js";

const USAGE = `usage:
  npm run kb:check                 validate the knowledge base (KNOWLEDGE_DIR, default ./knowledge)
  npm run kb:stats                 facts per deal and per status
  npm run ask -- "question"        answer one question
  npm run ask -- --json "question" answer as one JSON object
  npm run ask -- --json --batch    answer each line of standard input (plain, or {"chat": "c1", "q": "..."})
  npm run site -- [--out DIR]      write the static site (default ./site; SITE_URL for absolute links)`;

async function kbCheck(stats: boolean): Promise<number> {
  const result = await loadKnowledgeDir(knowledgeDir());
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
    citations: answer.citations.map(({ n, id, url, title, publisher, published }) => ({
      n,
      id,
      url,
      title,
      publisher,
      ...(published ? { published } : {}),
    })),
    suggestions: answer.suggestions,
  };
}

async function ask(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const batch = args.includes("--batch");
  const question = args.filter((arg) => !arg.startsWith("--")).join(" ");
  if (!batch && !question.trim()) {
    console.error(USAGE);
    return 2;
  }
  const result = await loadKnowledgeDir(knowledgeDir(), { warnings: false });
  if (!result.ok) {
    for (const problem of result.errors) console.error(formatProblem(problem));
    console.error("The knowledge base has errors: fix them (npm run kb:check) and ask again.");
    return 1;
  }
  const { kb } = result;
  const bot = new Bot(new KnowledgeHolder(buildKnowledge(kb)), { flood: null });
  const respond = (chat: ChatRef, q: string) => {
    const { answer, reply } = bot.ask(chat, q);
    if (!json) return `${renderPlain(reply)}\n`;
    // The JSON text carries the answer and its [n] marks, a claim's verdict on its first line;
    // sources and suggestions have fields of their own.
    const bare = answerReply(answer, kb, { suggestions: false });
    return JSON.stringify(
      answerJson(
        answer,
        renderPlain({ ...bare, title: undefined, footer: undefined }, { sources: false }).trim(),
      ),
    );
  };

  if (!batch) {
    const chat: ChatRef = { platform: "console", id: "ask", kind: "private" };
    const input = parseInput(question);
    if (!json && input?.kind === "command") {
      // A command works as in a chat; a picture it answers with is saved, and its path printed.
      const reply = await bot.handle({ chat, user: { id: "ask", canManageChat: true }, input });
      console.log(await renderForTerminal(reply));
      return 0;
    }
    console.log(respond(chat, question));
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
    console.log(respond({ platform: "console", id: chat, kind: "private" }, q));
  }
  return 0;
}

/** `site [--out DIR]`: the static site of the knowledge base. */
async function site(args: string[]): Promise<number> {
  const at = args.findIndex((arg) => arg === "--out" || arg.startsWith("--out="));
  const given = at < 0 ? undefined : args[at] === "--out" ? args[at + 1] : args[at]?.slice("--out=".length);
  const out = path.resolve(given || "site");
  // SITE_URL may come from .env, as it does for the bot.
  dotenv.config({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  const started = performance.now();
  const result = await loadKnowledgeDir(config.knowledgeDir, { warnings: false });
  if (!result.ok) {
    for (const problem of result.errors) console.error(formatProblem(problem));
    console.error("The knowledge base has errors: fix them (npm run kb:check) and build again.");
    return 1;
  }
  try {
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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "kb:check":
      return kbCheck(rest.includes("--stats"));
    case "kb:stats":
      return kbCheck(true);
    case "ask":
      return ask(rest);
    case "site":
      return site(rest);
    default:
      console.error(USAGE);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
