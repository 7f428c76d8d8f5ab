/** What platforms.ts needs from every platform adapter. */
import type { Platform } from "../bot/types.js";

export interface Adapter {
  readonly platform: Platform;
  /** Connects and starts taking messages; resolves once the adapter is ready. */
  start(): Promise<void>;
  /** Stops taking messages and disconnects; safe to call twice. */
  stop(): Promise<void>;
}
