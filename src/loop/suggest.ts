/**
 * /suggest <url or claim> puts a source or a claim to check in a moderation queue; admins review it
 * with /queue (accept, or reject with a reason) and the user hears back in the chat they suggested
 * from, through the outbox. Nothing enters the knowledge base without a maintainer's edit.
 */
import { infoReply } from "../bot/replies.js";
import type { Block, Reply, Request } from "../bot/types.js";
import { adminOnly, expired, idOf, isAdmin, type LoopContext, quote } from "./context.js";
import { day } from "./dates.js";
import { LOOP_TEXT, type RejectReason } from "./messages.js";
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

export async function suggest(context: LoopContext, request: Request, args: string): Promise<Reply> {
  const text = args.trim();
  const title = LOOP_TEXT.suggestTitle;
  if (!text) return infoReply(title, [LOOP_TEXT.suggestUsage]);
  if (text.length > SUGGEST_LIMITS.maxLength)
    return infoReply(title, [LOOP_TEXT.suggestTooLong(SUGGEST_LIMITS.maxLength)], "error");
  let kind: "url" | "claim" = "claim";
  let stored = text;
  if (LOOKS_LIKE_URL.test(text)) {
    const checked = checkSuggestedUrl(/^www\./i.test(text) ? `https://${text}` : text);
    if (!checked.ok)
      return infoReply(title, [LOOP_TEXT.suggestBadUrl(checked.why), LOOP_TEXT.suggestUsage], "error");
    kind = "url";
    stored = checked.url;
  } else {
    // A claim may quote links: each is held to the same rules.
    for (const link of text.match(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? []) {
      const checked = checkSuggestedUrl(link);
      if (!checked.ok) return infoReply(title, [LOOP_TEXT.suggestBadUrl(checked.why)], "error");
    }
  }
  const user = await context.store.hash(`${request.chat.platform}:${request.user.id}`);
  const since = context.now() - SUGGEST_LIMITS.windowHours * 3600_000;
  if ((await context.store.suggestionsSince(user, since)) >= SUGGEST_LIMITS.perUser)
    return infoReply(
      title,
      [LOOP_TEXT.suggestRateLimited(SUGGEST_LIMITS.perUser, SUGGEST_LIMITS.windowHours)],
      "error",
    );
  const id = await context.store.addSuggestion(kind, stored, request.chat.platform, request.chat.id, user);
  return infoReply(title, [LOOP_TEXT.suggestQueued(id)]);
}

/** /queue, /queue accept <id>, /queue reject <id> <reason>: admins only. */
export async function queue(context: LoopContext, request: Request, args: string): Promise<Reply> {
  if (!isAdmin(context, request)) return adminOnly("queue");
  const [verb = "", idText, ...rest] = args.trim().split(/\s+/);
  if (!verb) return queueReply(context);
  const id = idOf(idText);
  if (id === undefined || !/^(accept|reject)$/i.test(verb))
    return infoReply(LOOP_TEXT.queueTitle, [LOOP_TEXT.queueUsage], "error");
  if (/^accept$/i.test(verb)) return decide(context, id, "accepted", undefined);
  const reason = rest.join(" ").trim();
  if (!reason) return rejectWhy(id);
  return decide(context, id, "rejected", quote(reason, 300));
}

/** `sq:a:<id>`, `sq:r:<id>` and `sq:r:<id>:<reason>`, pressed by an admin. */
export async function pressQueue(context: LoopContext, request: Request, data: string): Promise<Reply> {
  if (!isAdmin(context, request)) return adminOnly("queue");
  const match = /^sq:(a|r):(\d+)(?::([scru]))?$/.exec(data);
  const id = idOf(match?.[2]);
  if (!match || id === undefined) return expired();
  if (match[1] === "a") return decide(context, id, "accepted", undefined);
  const reason = match[3] ? REJECT_CODES[match[3]] : undefined;
  return reason ? decide(context, id, "rejected", LOOP_TEXT.rejectReasons[reason]) : rejectWhy(id);
}

async function decide(
  context: LoopContext,
  id: number,
  state: "accepted" | "rejected",
  reason: string | undefined,
): Promise<Reply> {
  const decided = await context.store.decideSuggestion(id, state, reason, (s) =>
    infoReply(LOOP_TEXT.suggestTitle, [
      state === "accepted"
        ? LOOP_TEXT.suggestAccepted(s.id, quote(s.text))
        : LOOP_TEXT.suggestRejected(s.id, quote(s.text), reason ?? ""),
    ]),
  );
  if (!decided) return infoReply(LOOP_TEXT.queueTitle, [LOOP_TEXT.queueGone(id)], "error");
  context.queued(new Set([decided.platform]));
  return infoReply(LOOP_TEXT.queueTitle, [LOOP_TEXT.queueDone(id, state)]);
}

function rejectWhy(id: number): Reply {
  return {
    ...infoReply(LOOP_TEXT.queueTitle, [LOOP_TEXT.rejectWhy(id)]),
    actions: Object.entries(REJECT_CODES).map(([code, reason]) => ({
      label: LOOP_TEXT.rejectReasons[reason],
      data: `sq:r:${id}:${code}`,
    })),
  };
}

async function queueReply(context: LoopContext): Promise<Reply> {
  const open = await context.store.openSuggestions(SUGGEST_LIMITS.queuePage);
  if (open.length === 0) return infoReply(LOOP_TEXT.queueTitle, [LOOP_TEXT.queueEmpty]);
  return {
    tone: "info",
    title: LOOP_TEXT.queueTitle,
    blocks: open.map(
      (s): Block => ({
        kind: "item",
        content: [LOOP_TEXT.queueItem(s.id, s.kind, day(s.createdAt)), { text: s.text, code: true }],
      }),
    ),
    citations: [],
    footer: LOOP_TEXT.queueUsage,
    actions: open.flatMap((s) => [
      { label: LOOP_TEXT.acceptButton(s.id), data: `sq:a:${s.id}`, newRow: true as const },
      { label: LOOP_TEXT.rejectButton(s.id), data: `sq:r:${s.id}` },
    ]),
  };
}
