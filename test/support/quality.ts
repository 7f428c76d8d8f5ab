/**
 * The engine run over the question set, the way a chat runs it (conversations, the chat's
 * language), measured: answered, right lead first, abstained, per intent and per language; how
 * long the replies are on Telegram and whether they fit one message and one Discord embed; which
 * tiers the sources shown come from; whether a follow-up ever got the previous reply again.
 * Shared by the question-set test and `npm run bench`.
 */
import { Conversations } from "../../src/answer/conversation.js";
import type { Knowledge } from "../../src/answer/knowledge.js";
import { answerReply } from "../../src/bot/replies.js";
import { DISCORD_LIMITS, renderDiscord } from "../../src/render/discord.js";
import { renderPlain } from "../../src/render/plain.js";
import { renderTelegram, TELEGRAM_LIMITS } from "../../src/render/telegram.js";
import { type Judged, judge, type QuestionCase } from "./questions.js";

export interface Rate {
  readonly right: number;
  readonly of: number;
}

export interface Quality {
  readonly judged: readonly Judged[];
  /** Answerable questions answered with an acceptable fact. */
  readonly answered: Rate;
  /** Answerable questions whose first fact is a lead. */
  readonly first: Rate;
  /** …whose top three facts hold an acceptable one. */
  readonly top3: Rate;
  readonly abstained: Rate;
  readonly firstByIntent: ReadonlyMap<string, Rate>;
  readonly byLanguage: ReadonlyMap<string, { first: Rate; abstained: Rate }>;
  /** Visible characters of each answered reply on Telegram, sorted. */
  readonly telegramLengths: readonly number[];
  /** Replies that needed more than one Telegram message, or did not fit one Discord embed. */
  readonly oversized: readonly string[];
  /** Sources shown in answers, by tier. */
  readonly shownTiers: ReadonlyMap<string, number>;
  /** Follow-ups whose reply repeated the reply before it, word for word. */
  readonly repeats: readonly string[];
}

const rate = (right: number, of: number): Rate => ({ right, of });
const bump = (map: Map<string, [number, number]>, key: string, hit: boolean) => {
  const [right, of] = map.get(key) ?? [0, 0];
  map.set(key, [right + (hit ? 1 : 0), of + 1]);
};

/** What Telegram shows of a message: the HTML without tags, entities decoded. */
function visible(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

export function measureQuality(knowledge: Knowledge, questions: readonly QuestionCase[]): Quality {
  const conversations = new Conversations();
  const judged: Judged[] = [];
  const firstByIntent = new Map<string, [number, number]>();
  const languageFirst = new Map<string, [number, number]>();
  const languageAbstained = new Map<string, [number, number]>();
  const lengths: number[] = [];
  const oversized: string[] = [];
  const shownTiers = new Map<string, number>();
  const repeats: string[] = [];
  const previous = new Map<string, string>();
  let answered = 0;
  let first = 0;
  let top3 = 0;
  let abstained = 0;

  questions.forEach((c, i) => {
    const chat = c.chat ?? `single-${i}`;
    const { answer, focus } = knowledge.engine.answer(c.q, conversations.get(chat), { language: c.language });
    if (focus) conversations.set(chat, focus);
    const ids = answer.facts.map((f) => f.id);
    const result = judge(c, {
      status: answer.status,
      facts: ids,
      text: answer.facts.map((f) => f.text).join(" "),
    });
    judged.push(result);
    const reply = answerReply(answer, knowledge.kb);
    const said = renderPlain(reply);
    if (c.chat && previous.get(chat) === said) repeats.push(c.q);
    previous.set(chat, said);

    if (c.expect === "unknown") {
      const ok = answer.status === "unknown";
      if (ok) abstained++;
      bump(languageAbstained, c.language, ok);
      return;
    }
    const lead = c.lead.length > 0 ? c.lead : c.facts;
    const isFirst = ids.length > 0 && lead.includes(ids[0] as string);
    if (result.correct) answered++;
    if (isFirst) first++;
    if (ids.slice(0, 3).some((id) => c.facts.includes(id))) top3++;
    bump(firstByIntent, c.intent, isFirst);
    bump(languageFirst, c.language, isFirst);
    if (answer.status !== "answered") return;
    for (const citation of answer.citations)
      shownTiers.set(citation.tier, (shownTiers.get(citation.tier) ?? 0) + 1);
    const messages = renderTelegram(reply);
    lengths.push(messages.reduce((sum, m) => sum + visible(m.text).length, 0));
    const embed = renderDiscord(reply).embeds[0];
    const embedSize =
      (embed?.title?.length ?? 0) + (embed?.description?.length ?? 0) + (embed?.footer?.text.length ?? 0);
    if (
      messages.length > 1 ||
      messages.some((m) => visible(m.text).length > TELEGRAM_LIMITS.text) ||
      (embed?.description?.length ?? 0) > DISCORD_LIMITS.description ||
      embedSize > DISCORD_LIMITS.embed
    )
      oversized.push(c.q);
  });

  const answerable = questions.filter((c) => c.expect === "answered").length;
  const toRates = (map: Map<string, [number, number]>) =>
    new Map([...map].map(([key, [right, of]]) => [key, rate(right, of)]));
  const languages = new Set([...languageFirst.keys(), ...languageAbstained.keys()]);
  return {
    judged,
    answered: rate(answered, answerable),
    first: rate(first, answerable),
    top3: rate(top3, answerable),
    abstained: rate(abstained, questions.length - answerable),
    firstByIntent: toRates(firstByIntent),
    byLanguage: new Map(
      [...languages].map((language) => {
        const [f, fo] = languageFirst.get(language) ?? [0, 0];
        const [a, ao] = languageAbstained.get(language) ?? [0, 0];
        return [language, { first: rate(f, fo), abstained: rate(a, ao) }];
      }),
    ),
    telegramLengths: lengths.sort((a, b) => a - b),
    oversized,
    shownTiers,
    repeats,
  };
}

export function percent({ right, of }: Rate): string {
  return of === 0 ? "–" : `${((100 * right) / of).toFixed(1)}%`;
}

export function median(sorted: readonly number[]): number {
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
