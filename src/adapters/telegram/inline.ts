/** Inline mode: a query typed after @your_bot → up to 50 answer cards, each one message of Telegram HTML. */
import { createHash } from "node:crypto";
import type { InlineQuery, InlineQueryResultArticle } from "telegraf/types";
import { languageOfLocale } from "../../i18n/messages.js";
import { renderTelegram } from "../../render/telegram.js";
import { logUpdate, type TelegramContext } from "./context.js";
import type { Sender } from "./deliver.js";

/** Bot API limits on inline answers. */
const LIMITS = { results: 50, resultId: 64 } as const;

export async function answerInlineQuery(
  context: TelegramContext,
  send: Sender,
  query: InlineQuery,
): Promise<void> {
  logUpdate(context, "inline_query", undefined, { kind: "text", text: query.query });
  const ids = new Set<string>();
  const results: InlineQueryResultArticle[] = [];
  const typist = { platform: "telegram" as const, userId: String(query.from.id) };
  const language = languageOfLocale(query.from.language_code);
  for (const card of context.bot.cards(query.query, LIMITS.results, typist, language)) {
    const [first] = renderTelegram(card.reply);
    const id = resultId(card.id, ids);
    if (!first || results.length >= LIMITS.results) continue;
    ids.add(id);
    results.push({
      type: "article",
      id,
      title: card.title.trim() || "Receipts",
      ...(card.description.trim() ? { description: card.description } : {}),
      input_message_content: {
        message_text: first.text,
        parse_mode: "HTML",
        link_preview_options: first.link_preview_options,
      },
    });
  }
  await send.call("answerInlineQuery", undefined, () =>
    context.telegraf.telegram.answerInlineQuery(query.id, results, {
      cache_time: 60,
      // With nothing to offer, a way into a private chat, where the bot explains itself.
      ...(results.length === 0
        ? { button: { text: "Ask me in a private chat", start_parameter: "inline" } }
        : {}),
    }),
  );
}

/** Inline result ids are 1–64 bytes and unique within an answer. */
function resultId(id: string, taken: ReadonlySet<string>): string {
  const base =
    id !== "" && Buffer.byteLength(id) <= LIMITS.resultId - 4
      ? id
      : createHash("sha256").update(id).digest("base64url").slice(0, 40);
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}~${n}`;
  return candidate;
}
