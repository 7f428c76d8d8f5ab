/**
 * "Tell me when you know": after each published change, the questions chats are waiting on are asked
 * again; each one now answered with at least one fact added or changed since they were last asked is
 * queued to its chat through the outbox, as a normal answer under a first line saying which question
 * it answers and when it was asked.
 *
 * The loop keeps its own record of the facts it last asked against (fact id → content hash), written in
 * the same transaction as the outbox rows and the forgetting of the answered questions. So a crash
 * before that commit re-asks the same questions against the same change at the next start, and one
 * after it leaves the rows to the dispatcher: each answer is queued once (its key `ask:<id>` is unique
 * per chat), and sent once.
 */
import type { Knowledge } from "../answer/knowledge.js";
import { answerReply } from "../bot/replies.js";
import type { Platform, Reply } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import { snapshotOf } from "../subscriptions/diff.js";
import { day } from "./dates.js";
import type { Delivery, LoopStore, PendingQuestion } from "./store.js";

export interface ReaskResult {
  /** Facts added or changed since the last time (0 on the first run, which only records them). */
  readonly changed: number;
  readonly asked: number;
  readonly queued: number;
  readonly platforms: ReadonlySet<Platform>;
}

export async function reask(store: LoopStore, knowledge: Knowledge, now: number): Promise<ReaskResult> {
  const { kb, engine } = knowledge;
  const hashes = new Map([...snapshotOf(kb)].map(([id, fact]) => [id, fact.hash]));
  const before = await store.factHashes();
  const none = { asked: 0, queued: 0, platforms: new Set<Platform>() };
  if (before.size === 0) {
    await store.settleAnswers([], [], hashes);
    return { changed: 0, ...none };
  }
  const changed = new Set([...hashes].filter(([id, hash]) => before.get(id) !== hash).map(([id]) => id));
  if (changed.size === 0) {
    if (hashes.size !== before.size) await store.settleAnswers([], [], hashes); // only retractions
    return { changed: 0, ...none };
  }
  const pending = await store.allPending(now);
  const deliveries: Delivery[] = [];
  const answered: number[] = [];
  for (const question of pending) {
    const { answer } = engine.answer(question.question);
    if (answer.status !== "answered" || !answer.facts.some((fact) => changed.has(fact.id))) continue;
    deliveries.push({
      platform: question.platform,
      chatId: question.chatId,
      key: `ask:${question.id}`,
      reply: answeredLater(
        question,
        answerReply(answer, kb, { suggestions: false, language: question.language }),
      ),
    });
    answered.push(question.id);
  }
  const queued = await store.settleAnswers(deliveries, answered, hashes);
  return {
    changed: changed.size,
    asked: pending.length,
    queued,
    platforms: new Set(deliveries.map((d) => d.platform)),
  };
}

/**
 * The answer, under a first line (its title) saying which question it answers and when that was asked,
 * in the language the chat had when it asked.
 */
function answeredLater(question: PendingQuestion, reply: Reply): Reply {
  const { title, ...rest } = reply;
  return {
    ...rest,
    title: t(question.language, "loop.answerLead", {
      question: question.question,
      when: day(question.askedAt, question.language),
    }),
    blocks: [...(title ? [{ kind: "heading" as const, content: [title] }] : []), ...reply.blocks],
  };
}
