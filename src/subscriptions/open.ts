/**
 * Which store: PostgreSQL when DATABASE_URL is postgres://… (several instances share it), else
 * SQLite in DATA_DIR (one process; the default).
 */
import { asSubscriptionStore } from "./sqlite-store.js";
import { openStore, type StoreOptions } from "./store.js";
import type { SubscriptionStore } from "./store-api.js";

export interface StoreLocation {
  readonly dataDir: string;
  readonly databaseUrl?: string;
}

/** Whether DATABASE_URL names PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** The store; node-postgres is loaded only when DATABASE_URL asks for it (SQLite starts no faster otherwise). */
export async function openSubscriptionStore(
  where: StoreLocation,
  options: StoreOptions = {},
): Promise<SubscriptionStore> {
  if (isPostgresUrl(where.databaseUrl)) {
    const { openPgStore } = await import("./pg-store.js");
    return openPgStore(where.databaseUrl, options);
  }
  return asSubscriptionStore(openStore(where.dataDir, options));
}
