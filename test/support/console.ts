/** The console chat in process, on streams: lines in, what it printed out. */
import { PassThrough } from "node:stream";
import { createConsoleAdapter } from "../../src/adapters/console.js";
import type { Bot } from "../../src/bot/bot.js";

/** Runs the console chat on `lines`, as a terminal or a pipe; what it printed and how it ended. */
export async function chatInConsole(bot: Bot, lines: readonly string[], interactive = false) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => {
    printed += chunk;
  });
  const chat = createConsoleAdapter(bot, { input, output, interactive });
  await chat.start();
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  const end = await chat.done;
  return { printed, ...end };
}
