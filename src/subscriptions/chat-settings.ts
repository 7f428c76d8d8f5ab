/** ChatSettings on the subscription store's database: the `chat_settings` table (migration 4). */
import type { ChatSettings } from "../bot/chat-settings.js";
import type { Platform } from "../bot/types.js";
import type { Store } from "./store.js";

export class StoreChatSettings implements ChatSettings {
  constructor(private readonly store: Pick<Store, "chatSetting" | "setChatSetting">) {}

  async get(platform: Platform, chatId: string, key: string): Promise<string | undefined> {
    return this.store.chatSetting(platform, chatId, key);
  }

  async set(platform: Platform, chatId: string, key: string, value: string | undefined): Promise<void> {
    this.store.setChatSetting(platform, chatId, key, value);
  }
}
