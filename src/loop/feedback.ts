/**
 * 👍 / 👎 on every answer; 👎 asks why with a second row of buttons. A vote is stored with the
 * answer's fact ids and knowledge-base version, under a salted hash of the user and the answer (one
 * vote per user per answer; a later press replaces it). The question's text is kept with the answer
 * only when LOG_MESSAGE_TEXT is on.
 */
import type { Answer } from "../answer/types.js";
import { infoReply } from "../bot/replies.js";
import type { Reply, Request } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import type { Language } from "../search/languages/index.js";
import { expired, idOf, type LoopContext, toast } from "./context.js";
import { FEEDBACK_DOWN, FEEDBACK_REASONS, FEEDBACK_UP, type FeedbackReason } from "./messages.js";

/** Reasons as button data carries them (a letter each, to keep within 64 bytes). */
const REASON_CODES: Readonly<Record<string, FeedbackReason>> = {
  w: "wrong",
  o: "outdated",
  n: "off-topic",
  s: "bad-source",
};
const CODE_OF = Object.fromEntries(Object.entries(REASON_CODES).map(([code, reason]) => [reason, code]));

/** An answer gets the feedback buttons, on a row of their own, and a record to vote on. */
export async function onAnswered(
  context: LoopContext,
  request: Request,
  answer: Answer,
  reply: Reply,
): Promise<Reply> {
  if (!context.feedback || reply.tone !== "answer" || answer.status !== "answered") return reply;
  if (request.chat.platform === "console" || request.input.kind !== "text") return reply;
  const id = await context.store.recordAnswer(
    answer.facts.map((fact) => fact.id),
    context.holder.current.kb.version,
    context.logMessageText ? request.input.text.slice(0, 500) : undefined,
  );
  return {
    ...reply,
    actions: [
      ...reply.actions,
      { label: FEEDBACK_UP, data: `fb:${id}:u`, newRow: true },
      { label: FEEDBACK_DOWN, data: `fb:${id}:d` },
    ],
  };
}

/** `fb:<answer>:u`, `fb:<answer>:d` and `fb:<answer>:d:<reason>`. */
export async function pressFeedback(
  context: LoopContext,
  request: Request,
  data: string,
  language: Language,
): Promise<Reply> {
  const match = /^fb:(\d+):(u|d)(?::([wons]))?$/.exec(data);
  const id = idOf(match?.[1]);
  const answer = id === undefined || !context.feedback ? undefined : await context.store.answer(id);
  if (!match || !answer) return expired(language);
  const voter = await context.store.hash(`${request.chat.platform}:${request.user.id}:${answer.id}`);
  if (match[2] === "u") {
    await context.store.vote(voter, answer, "up", undefined);
    return toast(t(language, "loop.feedbackThanks"));
  }
  const reason = match[3] ? REASON_CODES[match[3]] : undefined;
  await context.store.vote(voter, answer, "down", reason);
  if (reason) return toast(t(language, "loop.feedbackNoted"));
  return {
    ...infoReply("", [t(language, "loop.feedbackWhy")], "info", language),
    title: FEEDBACK_DOWN,
    ephemeral: true,
    actions: FEEDBACK_REASONS.map((r) => ({
      label: feedbackReason(language, r),
      data: `fb:${answer.id}:d:${CODE_OF[r]}`,
    })),
  };
}

/** A 👎 reason's label in `language` (a reason no longer known is shown as stored). */
export function feedbackReason(language: Language, reason: string): string {
  return (FEEDBACK_REASONS as readonly string[]).includes(reason)
    ? t(language, `loop.feedbackReason.${reason}`)
    : reason;
}
