/**
 * /suggest <url or claim> puts a source or a claim to check in a moderation queue; admins review it
 * with /queue (accept, or reject with a reason) and the user hears back in the chat they suggested
 * from, through the outbox. Nothing enters the knowledge base without a maintainer's edit.
 */
import { infoReply } from "../bot/replies.js";
import type { Block, Reply, Request } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import type { Language } from "../search/languages/index.js";
import { adminOnly, expired, idOf, isAdmin, type LoopContext, quote } from "./context.js";
import { day } from "./dates.js";
import type { RejectReason } from "./messages.js";
import { checkSuggestedUrl } from "./urls.js";

export const SUGGEST_LIMITS = { perUser: 5, windowHours: 24, maxLength: 500, queuePage: 5 } as const;

/** Reject reasons as button data carries them. */
const REJECT_CODES: Readonly<Record<string, RejectReason>> = {
  s: "scope",
  c: "covered",
  r: "unreliable",
  u: "unsupported",
};

/** Something typed like a link (a scheme, no spaces) is judged as one; anything else is a claim. */
const LOOKS_LIKE_URL = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S*$|^[a-z][a-z0-9+.-]*:\S+$/i;

/** /suggest <url or claim>, answered in `language`, which the decision is told in later too. */
export async function suggest(
  context: LoopContext,
  request: Request,
  args: string,
  language: Language,
): Promise<Reply> {
  const text = args.trim();
  const title = t(language, "loop.suggestTitle");
  const usage = t(language, "loop.suggestUsage");
  const refuse = (lines: string[]) => infoReply(title, lines, "error", language);
  const badUrl = (why: string) =>
    t(language, "loop.suggestBadUrl", { why: t(language, `loop.badUrl.${why}`) });
  if (!text) return infoReply(title, [usage], "info", language);
  if (text.length > SUGGEST_LIMITS.maxLength)
    return refuse([t(language, "loop.suggestTooLong", { max: SUGGEST_LIMITS.maxLength })]);
  let kind: "url" | "claim" = "claim";
  let stored = text;
  if (LOOKS_LIKE_URL.test(text)) {
    const checked = checkSuggestedUrl(/^www\./i.test(text) ? `https://${text}` : text);
    if (!checked.ok) return refuse([badUrl(checked.why), usage]);
    kind = "url";
    stored = checked.url;
  } else {
    // A claim may quote links: each is held to the same rules.
    for (const link of text.match(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? []) {
      const checked = checkSuggestedUrl(link);
      if (!checked.ok) return refuse([badUrl(checked.why)]);
    }
  }
  const user = await context.store.hash(`${request.chat.platform}:${request.user.id}`);
  const since = context.now() - SUGGEST_LIMITS.windowHours * 3600_000;
  if ((await context.store.suggestionsSince(user, since)) >= SUGGEST_LIMITS.perUser)
    return refuse([
      t(language, "loop.suggestRateLimited", {
        max: SUGGEST_LIMITS.perUser,
        hours: SUGGEST_LIMITS.windowHours,
      }),
    ]);
  const id = await context.store.addSuggestion(
    kind,
    stored,
    request.chat.platform,
    request.chat.id,
    user,
    language,
  );
  return infoReply(title, [t(language, "loop.suggestQueued", { id })], "info", language);
}

/**
 * /queue, /queue accept <id>, /queue reject <id> <reason>: admins only, answered in the admin's
 * language; the user hears the decision in theirs.
 */
export async function queue(
  context: LoopContext,
  request: Request,
  args: string,
  language: Language,
): Promise<Reply> {
  if (!isAdmin(context, request)) return adminOnly("queue", language);
  const [verb = "", idText, ...rest] = args.trim().split(/\s+/);
  if (!verb) return queueReply(context, language);
  const id = idOf(idText);
  if (id === undefined || !/^(accept|reject)$/i.test(verb))
    return infoReply(t(language, "loop.queueTitle"), [t(language, "loop.queueUsage")], "error", language);
  if (/^accept$/i.test(verb)) return decide(context, id, "accepted", undefined, language);
  const reason = rest.join(" ").trim();
  if (!reason) return rejectWhy(id, language);
  return decide(context, id, "rejected", { typed: quote(reason, 300) }, language);
}

/** `sq:a:<id>`, `sq:r:<id>` and `sq:r:<id>:<reason>`, pressed by an admin. */
export async function pressQueue(
  context: LoopContext,
  request: Request,
  data: string,
  language: Language,
): Promise<Reply> {
  if (!isAdmin(context, request)) return adminOnly("queue", language);
  const match = /^sq:(a|r):(\d+)(?::([scru]))?$/.exec(data);
  const id = idOf(match?.[2]);
  if (!match || id === undefined) return expired(language);
  if (match[1] === "a") return decide(context, id, "accepted", undefined, language);
  const reason = match[3] ? REJECT_CODES[match[3]] : undefined;
  return reason ? decide(context, id, "rejected", { code: reason }, language) : rejectWhy(id, language);
}

/** Why a suggestion was turned down: one of the buttons' reasons (said in each reader's language), or typed. */
type Rejection = { readonly code: RejectReason } | { readonly typed: string };

const rejection = (reason: Rejection, language: Language): string =>
  "code" in reason ? t(language, `loop.rejectReason.${reason.code}`) : reason.typed;

async function decide(
  context: LoopContext,
  id: number,
  state: "accepted" | "rejected",
  reason: Rejection | undefined,
  language: Language,
): Promise<Reply> {
  // The reason is kept in English; the user is told in the language they suggested in.
  const kept = reason && rejection(reason, "en");
  const decided = await context.store.decideSuggestion(id, state, kept, (s) =>
    infoReply(
      t(s.language, "loop.suggestTitle"),
      [
        state === "accepted"
          ? t(s.language, "loop.suggestAccepted", { id: s.id, text: quote(s.text) })
          : t(s.language, "loop.suggestRejected", {
              id: s.id,
              text: quote(s.text),
              reason: reason ? rejection(reason, s.language) : "",
            }),
      ],
      "info",
      s.language,
    ),
  );
  const title = t(language, "loop.queueTitle");
  if (!decided) return infoReply(title, [t(language, "loop.queueGone", { id })], "error", language);
  context.queued(new Set([decided.platform]));
  const done = state === "accepted" ? "loop.queueAccepted" : "loop.queueRejected";
  return infoReply(title, [t(language, done, { id })], "info", language);
}

function rejectWhy(id: number, language: Language): Reply {
  return {
    ...infoReply(t(language, "loop.queueTitle"), [t(language, "loop.rejectWhy", { id })], "info", language),
    actions: Object.entries(REJECT_CODES).map(([code, reason]) => ({
      label: t(language, `loop.rejectReason.${reason}`),
      data: `sq:r:${id}:${code}`,
    })),
  };
}

async function queueReply(context: LoopContext, language: Language): Promise<Reply> {
  const open = await context.store.openSuggestions(SUGGEST_LIMITS.queuePage);
  const title = t(language, "loop.queueTitle");
  if (open.length === 0) return infoReply(title, [t(language, "loop.queueEmpty")], "info", language);
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title,
    blocks: open.map(
      (s): Block => ({
        kind: "item",
        content: [
          t(language, "loop.queueItem", {
            id: s.id,
            kind: t(language, `loop.kind.${s.kind}`),
            when: day(s.createdAt, language),
          }),
          { text: s.text, code: true },
        ],
      }),
    ),
    citations: [],
    footer: t(language, "loop.queueUsage"),
    actions: open.flatMap((s) => [
      { label: t(language, "loop.acceptButton", { id: s.id }), data: `sq:a:${s.id}`, newRow: true as const },
      { label: t(language, "loop.rejectButton", { id: s.id }), data: `sq:r:${s.id}` },
    ]),
  };
}
