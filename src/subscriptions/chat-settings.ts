/** ChatSettings on the subscription store: `chat_settings` (SQLite migration 4, PostgreSQL's own). */
import type { ChatSettings } from "../bot/chat-settings.js";
import type { Platform } from "../bot/types.js";
import type { SubscriptionStore } from "./store-api.js";

export class StoreChatSettings implements ChatSettings {
  constructor(private readonly store: Pick<SubscriptionStore, "getChatSetting" | "setChatSetting">) {}

  get(platform: Platform, chatId: string, key: string): Promise<string | undefined> {
    return this.store.getChatSetting(platform, chatId, key);
  }

  set(platform: Platform, chatId: string, key: string, value: string | undefined): Promise<void> {
    return this.store.setChatSetting(platform, chatId, key, value);
  }
}
