/**
 * The bot: load the knowledge base, build the bot layer, start an adapter per configured
 * platform (the console chat when none is), and stop cleanly on SIGINT/SIGTERM.
 */
import type { Adapter } from "./adapters/adapter.js";
import { createConsoleAdapter } from "./adapters/console.js";
import { buildKnowledge, KnowledgeHolder } from "./answer/knowledge.js";
import { Bot } from "./bot/bot.js";
import { ConfigError, loadConfig } from "./config.js";
import { loadKnowledgeDir } from "./knowledge/load.js";
import { formatProblem } from "./knowledge/report.js";

async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  const loaded = await loadKnowledgeDir(config.knowledgeDir);
  if (!loaded.ok) {
    for (const problem of loaded.errors) console.error(formatProblem(problem));
    console.error(`receipts: the knowledge base in ${config.knowledgeDir} has errors; run npm run kb:check`);
    return 1;
  }
  const knowledge = new KnowledgeHolder(buildKnowledge(loaded.kb));
  const bot = new Bot(knowledge, {});

  const adapters: Adapter[] = [];
  if (!config.telegram && !config.discord) {
    const chat = createConsoleAdapter(new Bot(knowledge, { flood: null }));
    await chat.start();
    await chat.done;
    return 0;
  }
  void bot;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled(adapters.map((adapter) => adapter.stop()));
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return 0;
}

const code = await main();
if (code !== 0) process.exit(code);
