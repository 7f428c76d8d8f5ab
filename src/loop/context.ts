/** What every part of the feedback loop works with, and the small helpers they share. */
import type { KnowledgeHolder } from "../answer/knowledge.js";
import { infoReply } from "../bot/replies.js";
import type { Platform, Reply, Request } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import type { Language } from "../search/languages/index.js";
import { clip } from "../text/clip.js";
import type { LoopStore } from "./store.js";

export interface LoopContext {
  readonly store: LoopStore;
  readonly holder: KnowledgeHolder;
  /** `platform:userId` pairs allowed to /queue and to see gaps in /stats. */
  readonly admins: ReadonlySet<string>;
  /** Feedback buttons on answers (FEEDBACK=off turns them off). */
  readonly feedback: boolean;
  /** LOG_MESSAGE_TEXT: only then is the text of answered questions kept with their feedback record. */
  readonly logMessageText: boolean;
  readonly now: () => number;
  /** Told after outbox rows were queued, with their platforms, so their dispatchers wake up. */
  readonly queued: (platforms: ReadonlySet<Platform>) => void;
}

export const isAdmin = (context: LoopContext, request: Pick<Request, "chat" | "user">): boolean =>
  context.admins.has(`${request.chat.platform}:${request.user.id}`);

export const adminOnly = (command: string, language: Language): Reply =>
  infoReply(
    t(language, "subscriptions.adminsTitle"),
    [t(language, "subscriptions.adminsText", { command })],
    "error",
    language,
  );

export const expired = (language: Language): Reply =>
  infoReply(t(language, "expired.title"), [t(language, "expired.text")], "error", language);

/** A short acknowledgement of a button press (a toast on Telegram, a private note on Discord). */
export const toast = (text: string): Reply => ({
  tone: "info",
  blocks: [{ kind: "paragraph", content: [text] }],
  citations: [],
  actions: [],
  toast: true,
  ephemeral: true,
});

/** A positive integer id out of button data or a command argument; undefined otherwise. */
export function idOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,12}$/.test(text)) return undefined;
  const id = Number(text);
  return id > 0 ? id : undefined;
}

/** A user's words shown back to them, on one line and not too long. */
export function quote(text: string, max = 120): string {
  return clip(text.replace(/\s+/g, " ").trim(), max);
}
