/** Per-chat memory of what is in focus, so "how much did they pay?" knows who "they" are. */

export interface Focus {
  readonly deal: string;
  readonly entities: readonly string[];
  /** The previous answer's facts, lead first. */
  readonly facts: readonly string[];
  /** Facts of this deal already shown in the conversation, oldest first (for "tell me more"). */
  readonly shown?: readonly string[];
  /** What the previous reply said, in short (its facts and opening line): a follow-up never repeats it. */
  readonly said?: string;
}

/**
 * Where focus is kept between messages when several instances answer one chat (PostgreSQL): the
 * bot reads it before a message and writes it after. Without one, the in-memory Conversations is all.
 */
export interface SharedFocus {
  get(chat: string): Promise<Focus | undefined>;
  set(chat: string, focus: Focus): Promise<void>;
}

interface Entry {
  readonly focus: Focus;
  readonly at: number;
}

export interface ConversationOptions {
  /** How long a focus lasts without a new question. Default 30 minutes. */
  readonly ttlMs?: number;
  /** How many chats to remember; the least recently used is forgotten first. Default 10,000. */
  readonly maxChats?: number;
  readonly now?: () => number;
}

export class Conversations {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxChats: number;
  private readonly now: () => number;

  constructor(options: ConversationOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30 * 60_000;
    this.maxChats = options.maxChats ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(chat: string): Focus | undefined {
    const entry = this.entries.get(chat);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(chat);
      return undefined;
    }
    return entry.focus;
  }

  set(chat: string, focus: Focus): void {
    this.entries.delete(chat); // re-insert: Map order is our LRU order
    this.entries.set(chat, { focus, at: this.now() });
    if (this.entries.size > this.maxChats) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(chat: string): void {
    this.entries.delete(chat);
  }
}
