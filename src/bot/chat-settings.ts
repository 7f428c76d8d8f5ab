/**
 * Per-chat settings (the reply language, for now), kept by whichever store the bot runs on: a tiny
 * async interface, so SQLite and PostgreSQL can both serve it (see subscriptions/chat-settings.ts).
 */
import type { Platform } from "./types.js";

export interface ChatSettings {
  /** The chat's value for `key`; undefined when it was never set (or was cleared). */
  get(platform: Platform, chatId: string, key: string): Promise<string | undefined>;
  /** Sets `key` for the chat; undefined clears it. */
  set(platform: Platform, chatId: string, key: string, value: string | undefined): Promise<void>;
}

/** The key a chat's chosen reply language is stored under. */
export const LANGUAGE_SETTING = "language";

/**
 * Settings kept in memory: for entry points with no store (the console chat, `ask`), where a
 * setting lasts as long as the process.
 */
export class MemoryChatSettings implements ChatSettings {
  private readonly values = new Map<string, string>();

  async get(platform: Platform, chatId: string, key: string): Promise<string | undefined> {
    return this.values.get(`${platform}:${chatId}:${key}`);
  }

  async set(platform: Platform, chatId: string, key: string, value: string | undefined): Promise<void> {
    const id = `${platform}:${chatId}:${key}`;
    if (value === undefined) this.values.delete(id);
    else this.values.set(id, value);
  }
}
