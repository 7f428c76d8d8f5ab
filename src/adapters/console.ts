/**
 * The console chat: the same bot layer as Telegram and Discord, in a terminal. With a pipe
 * instead of a terminal it answers each line and stops at end of input. It leaves on a goodbye
 * ("exit", "quit", "bye", /quit, /exit: the bot layer marks the reply) and at Ctrl-D.
 */
import { createInterface } from "node:readline";
import type { Bot } from "../bot/bot.js";
import { parseInput } from "../bot/input.js";
import type { ChatRef, UserRef } from "../bot/types.js";
import { renderPlain } from "../render/plain.js";
import type { Adapter } from "./adapter.js";

export interface ConsoleOptions {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Defaults to whether `input` is a terminal. */
  readonly interactive?: boolean;
}

/** How the chat ended: how many lines it answered. */
export interface ConsoleEnd {
  readonly answered: number;
}

export type ConsoleAdapter = Adapter & {
  /** Whether it chats with a person at a terminal (a prompt) or answers piped lines. */
  readonly interactive: boolean;
  readonly done: Promise<ConsoleEnd>;
};

/** How to leave the console chat, for its greeting and for /help. */
export const CONSOLE_LEAVING = "Leave with exit, /quit or Ctrl-D.";

const CHAT: ChatRef = { platform: "console", id: "console", kind: "private" };
const USER: UserRef = { id: "console", name: "you", canManageChat: true };

export function createConsoleAdapter(bot: Bot, options: ConsoleOptions = {}): ConsoleAdapter {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const interactive = options.interactive ?? Boolean((input as { isTTY?: boolean }).isTTY);
  let answered = 0;
  let leaving = false;
  let finish: () => void = () => {};
  const done = new Promise<ConsoleEnd>((resolve) => {
    finish = () => resolve({ answered });
  });
  let lines: ReturnType<typeof createInterface> | undefined;

  const answer = async (line: string) => {
    const text = line.trim();
    if (!text || leaving) return;
    const parsed = parseInput(text);
    if (!parsed) return;
    const reply = await bot.handle({ chat: CHAT, user: USER, input: parsed });
    answered++;
    const hints = reply.actions.map((action) =>
      action.data.replace(/^src:/, "/sources ").replace(/^(?:deal|rel):/, "/deal "),
    );
    output.write(
      `${renderPlain(reply)}${hints.length > 0 ? `\n(${[...new Set(hints)].join(" · ")})` : ""}\n\n`,
    );
    if (reply.farewell) {
      leaving = true;
      lines?.close();
    }
  };

  return {
    platform: "console",
    interactive,
    done,
    async start() {
      lines = createInterface({
        input,
        ...(interactive ? { output, prompt: "you> " } : {}),
        terminal: interactive,
      });
      if (interactive) {
        output.write(
          `Receipts: ask about data-sharing deals between companies. /help lists the commands. ${CONSOLE_LEAVING}\n`,
        );
        lines.prompt();
      }
      // Lines are answered one at a time, in order, even when a pipe delivers them all at once.
      let queue = Promise.resolve();
      lines.on("line", (line) => {
        queue = queue
          .then(() => answer(line))
          .then(() => {
            if (interactive && !leaving) lines?.prompt();
          });
      });
      lines.on("close", () => {
        void queue.then(finish);
      });
    },
    async stop() {
      lines?.close();
      finish();
    },
  };
}
