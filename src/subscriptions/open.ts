/**
 * Which store: PostgreSQL when DATABASE_URL is postgres://… (several instances share it), else
 * SQLite in DATA_DIR (one process; the default).
 */
import { isPostgresUrl, openPgStore } from "./pg-store.js";
import { asSubscriptionStore } from "./sqlite-store.js";
import { openStore, type StoreOptions } from "./store.js";
import type { SubscriptionStore } from "./store-api.js";

export interface StoreLocation {
  readonly dataDir: string;
  readonly databaseUrl?: string;
}

export async function openSubscriptionStore(
  where: StoreLocation,
  options: StoreOptions = {},
): Promise<SubscriptionStore> {
  if (isPostgresUrl(where.databaseUrl)) return openPgStore(where.databaseUrl, options);
  return asSubscriptionStore(openStore(where.dataDir, options));
}
