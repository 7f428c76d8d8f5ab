/**
 * "Notify me when I can answer this": the button on every "I don't know", what pressing it does, and
 * /notifications with a drop button per question. Re-asking after a change is reask.ts.
 */
import type { Answer } from "../answer/types.js";
import { infoReply } from "../bot/replies.js";
import type { Action, Block, Reply, Request } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import type { Language } from "../search/languages/index.js";
import { expired, idOf, type LoopContext, quote } from "./context.js";
import { day } from "./dates.js";
import { PENDING_DAYS } from "./store.js";
import { gapKey } from "./wording.js";

/** Most questions one chat may wait on at once. */
export const MAX_PENDING_PER_CHAT = 20;
/** The most of a question kept (questions are cut at 1,000 characters before analysis anyway). */
const MAX_QUESTION = 500;

const chatKey = (request: Pick<Request, "chat">) => `${request.chat.platform}:${request.chat.id}`;

/**
 * An "I don't know" to a question (not small talk, not advice): the question is kept for the gaps
 * report, and on Telegram and Discord the reply gets the Notify button, which names that record.
 */
export async function onUnknown(
  context: LoopContext,
  request: Request,
  answer: Answer,
  reply: Reply,
  language: Language,
): Promise<Reply> {
  if (reply.tone !== "unknown" || answer.unanswered !== "no-match" || request.input.kind !== "text")
    return reply;
  const text = request.input.text.trim().slice(0, MAX_QUESTION);
  if (!text) return reply;
  const { index, kb } = context.holder.current;
  const id = await context.store.recordUnanswered(
    text,
    gapKey(index, text),
    await context.store.hash(chatKey(request)),
    kb.version,
  );
  if (request.chat.platform === "console") return reply;
  const button: Action = { label: t(language, "loop.notifyButton"), data: `ntf:${id}`, newRow: true };
  return { ...reply, actions: [...reply.actions, button] };
}

/**
 * `ntf:<id>`: this chat waits for an answer to the question of that "I don't know", to be told in
 * `language`, the chat's language now.
 */
export async function pressNotify(
  context: LoopContext,
  request: Request,
  data: string,
  language: Language,
): Promise<Reply> {
  const id = idOf(/^ntf:(\d+)$/.exec(data)?.[1]);
  const question = id === undefined ? undefined : await context.store.unanswered(id);
  // The button names a question asked in this chat; from anywhere else it is not ours to follow.
  if (!question || question.chatHash !== (await context.store.hash(chatKey(request))))
    return expired(language);
  const expires = context.now() + PENDING_DAYS * 24 * 3600_000;
  const outcome = await context.store.addPending(
    request.chat.platform,
    request.chat.id,
    question.text,
    expires,
    MAX_PENDING_PER_CHAT,
    language,
  );
  const shown = quote(question.text);
  const line =
    outcome === "added"
      ? t(language, "loop.notifyAdded", { question: shown })
      : outcome === "exists"
        ? t(language, "loop.notifyAlready", { question: shown })
        : t(language, "loop.notifyLimit", { max: MAX_PENDING_PER_CHAT });
  return {
    ...infoReply(
      t(language, "loop.notificationsTitle"),
      [line],
      outcome === "limit" ? "error" : "info",
      language,
    ),
    ephemeral: true,
  };
}

/** `ntd:<id>`: drops one of this chat's pending questions. */
export async function pressDrop(
  context: LoopContext,
  request: Request,
  data: string,
  language: Language,
): Promise<Reply> {
  const id = idOf(/^ntd:(\d+)$/.exec(data)?.[1]);
  if (id === undefined) return expired(language);
  const dropped = await context.store.dropPending(request.chat.platform, request.chat.id, id);
  return infoReply(
    t(language, "loop.notificationsTitle"),
    [
      dropped
        ? t(language, "loop.dropped", { question: quote(dropped.question) })
        : t(language, "loop.droppedAlready"),
    ],
    "info",
    language,
  );
}

/** /notifications: this chat's pending questions, each with a button to drop it. */
export async function notificationsReply(
  context: LoopContext,
  request: Request,
  language: Language,
): Promise<Reply> {
  const pending = await context.store.pendingOf(request.chat.platform, request.chat.id, context.now());
  const title = t(language, "loop.notificationsTitle");
  if (pending.length === 0)
    return infoReply(title, [t(language, "loop.notificationsNone")], "info", language);
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title,
    blocks: [
      { kind: "paragraph", content: [t(language, "loop.notificationsLead", { days: PENDING_DAYS })] },
      ...pending.map(
        (question, i): Block => ({
          kind: "item",
          content: [
            `${i + 1}. `,
            { text: quote(question.question, 200), italic: true },
            ` — ${t(language, "loop.asked", { when: day(question.askedAt, language) })}`,
          ],
        }),
      ),
    ],
    citations: [],
    actions: pending.map((question, i) => ({
      label: t(language, "loop.dropButton", { n: i + 1 }),
      data: `ntd:${question.id}`,
    })),
  };
}
