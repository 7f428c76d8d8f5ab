/**
 * Counting and timing questions at the composition root, so neither the bot layer nor an
 * adapter needs to know about metrics or logs: `observeQuestions` wraps one Bot's `handle`.
 */
import type { Bot } from "../bot/bot.js";
import type { Platform } from "../bot/types.js";

export interface QuestionObservation {
  readonly platform: Platform;
  readonly status: "answered" | "unknown";
  readonly seconds: number;
  /** The question as asked; what to do with it (log it or not) is the observer's business. */
  readonly text: string;
}

/**
 * Calls `observe` after each question this bot answers, answered or unknown. Commands, buttons
 * and replies that are not answers (the flood notice, help for an empty question) are not
 * questions answered and are not observed. Returns the same bot.
 */
export function observeQuestions(bot: Bot, observe: (observation: QuestionObservation) => void): Bot {
  const handle = bot.handle.bind(bot);
  bot.handle = async (request) => {
    const started = performance.now();
    const reply = await handle(request);
    if (request.input.kind === "text" && (reply.tone === "answer" || reply.tone === "unknown")) {
      observe({
        platform: request.chat.platform,
        status: reply.tone === "answer" ? "answered" : "unknown",
        seconds: (performance.now() - started) / 1000,
        text: request.input.text,
      });
    }
    return reply;
  };
  return bot;
}
