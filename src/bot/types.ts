/**
 * The bot layer's contract with adapters: a platform-neutral request in, a platform-neutral
 * reply out. Adapters translate platform events to a Request and a Reply to platform messages;
 * they decide nothing about what an answer is.
 */
import type { Citation } from "../answer/types.js";
import type { Language } from "../search/languages/index.js";

export type Platform = "telegram" | "discord" | "console";

export interface ChatRef {
  readonly platform: Platform;
  /** The platform's chat or channel id, as a string. */
  readonly id: string;
  /** Private chats and DMs versus groups, supergroups and server channels. */
  readonly kind: "private" | "group";
}

export interface UserRef {
  readonly id: string;
  readonly name?: string;
  /** May change this chat's settings (Telegram group admin, Discord Manage Channels, anyone in a DM). */
  readonly canManageChat: boolean;
}

/** What the user asked for. Commands arrive already split from the platform's syntax. */
export type Input =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "command"; readonly name: string; readonly args: string }
  /** A button press: `data` is what Action.data carried, untouched. */
  | { readonly kind: "action"; readonly data: string };

export interface Request {
  readonly chat: ChatRef;
  readonly user: UserRef;
  readonly input: Input;
  /** The user's locale as the platform gives it (Telegram `language_code`, Discord `locale`), if any. */
  readonly locale?: string;
}

/** Inline text: plain, or marked up. Renderers escape `text` for their platform. */
export type Inline =
  | string
  | {
      readonly text: string;
      readonly bold?: true;
      readonly italic?: true;
      readonly code?: true;
      readonly href?: string;
    };

export interface Block {
  /** `heading` titles a section; `item` is one bullet (a fact, a deal); `paragraph` is prose. */
  readonly kind: "heading" | "paragraph" | "item";
  readonly content: readonly Inline[];
  /** Citation numbers to mark after the block, e.g. [1] [3]. */
  readonly cites?: readonly number[];
}

/** A button. `data` is at most 64 bytes (Telegram's callback limit), so every platform can carry it. */
export interface Action {
  readonly label: string;
  readonly data: string;
  /** Starts a new row of buttons (feedback buttons sit apart from the browsing ones). */
  readonly newRow?: true;
}

/** A picture sent with a reply (a deal's timeline): shown as a photo or an attachment where the platform can. */
export interface ReplyImage {
  readonly png: Uint8Array;
  /** A file name for it, e.g. `timeline-netflix-facebook.png`. */
  readonly name: string;
  /** What the picture shows, in words: for screen readers, and for text-only clients instead of it. */
  readonly alt: string;
}

export interface Reply {
  readonly tone: "answer" | "unknown" | "info" | "error";
  /** The language the reply is framed in, for the words renderers add ("Sources"); English when unset. */
  readonly language?: Language;
  readonly title?: string;
  readonly blocks: readonly Block[];
  /** The numbered sources list shown under the blocks. */
  readonly citations: readonly Citation[];
  readonly footer?: string;
  readonly actions: readonly Action[];
  /** Shown only to the asker where the platform can (Discord ephemeral replies). */
  readonly ephemeral?: boolean;
  /** May go unsent where the platform allows silence (a repeated flood notice in a chat). */
  readonly quiet?: boolean;
  readonly image?: ReplyImage;
  /**
   * The web page of the deal this reply is about (under SITE_URL): the title links to it, and it is
   * the one link Telegram may preview. Unset when SITE_URL is, or when the reply is about no one deal.
   */
  readonly page?: string;
  /** A goodbye ("bye", "exit", /quit): an entry point that can end the conversation ends it after this. */
  readonly farewell?: boolean;
  /** A short acknowledgement of a button press: a toast where the platform has one (Telegram). */
  readonly toast?: boolean;
}

/** An entry for autocomplete (Discord) or inline answers (Telegram). */
export interface Suggestion {
  readonly label: string;
  readonly value: string;
}
