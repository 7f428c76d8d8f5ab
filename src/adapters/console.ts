/**
 * The console chat: the same bot layer as Telegram and Discord, in a terminal. With a pipe
 * instead of a terminal it answers each line and stops at end of input. It leaves on a goodbye
 * ("exit", "quit", "bye", /quit, /exit: the bot layer marks the reply) and at Ctrl-D.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Bot } from "../bot/bot.js";
import { parseInput } from "../bot/input.js";
import type { ChatRef, Reply, UserRef } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import { renderPlain } from "../render/plain.js";
import type { Adapter } from "./adapter.js";

export interface ConsoleOptions {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Defaults to whether `input` is a terminal. */
  readonly interactive?: boolean;
  /** Where pictures (timelines) are saved; a `receipts` folder in the system's temporary folder by default. */
  readonly imageDir?: string;
}

/**
 * A reply as plain text for a terminal, which shows no pictures: a reply's picture is saved as a
 * file in `imageDir` (a `receipts` folder in the temporary folder by default), and its path printed.
 */
export async function renderForTerminal(
  reply: Reply,
  imageDir = path.join(tmpdir(), "receipts"),
): Promise<string> {
  if (!reply.image) return renderPlain(reply);
  await mkdir(imageDir, { recursive: true });
  const file = path.join(imageDir, path.basename(reply.image.name));
  await writeFile(file, reply.image.png);
  return renderPlain(reply, { imagePath: file });
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
export const CONSOLE_LEAVING = t("en", "console.leaving");

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
      action.data
        .replace(/^src:/, "/sources ")
        .replace(/^(?:deal|rel):/, "/deal ")
        .replace(/^tl:/, "/timeline "),
    );
    output.write(
      `${await renderForTerminal(reply, options.imageDir)}${hints.length > 0 ? `\n(${[...new Set(hints)].join(" · ")})` : ""}\n\n`,
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
        output.write(`${t("en", "console.banner")} ${CONSOLE_LEAVING}\n`);
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
