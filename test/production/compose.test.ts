/**
 * deploy/compose.yaml cannot run here (no Docker daemon): this checks what can be checked without
 * one. Three bot instances on one PostgreSQL behind a proxy; every variable given to the bot is one
 * the bot reads (src/config.ts), and with the placeholders filled in, the configuration loads.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig, VARIABLES } from "../../src/config.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  ports?: string[];
}

const compose = parse(readFileSync(path.join(ROOT, "deploy/compose.yaml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
};
const bots = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

/** ${NAME}, ${NAME:-default}, ${NAME:?message} filled in as an operator's .env would. */
function fill(value: string): string {
  const example: Record<string, string> = {
    POSTGRES_PASSWORD: "a-password",
    PUBLIC_HOST: "receipts.example.com",
    TELEGRAM_BOT_TOKEN: `123456:${"A".repeat(30)}`,
    TELEGRAM_WEBHOOK_SECRET: "a-secret",
  };
  return value.replace(/\$\{(\w+)(?::?[-?][^}]*)?\}/g, (_, name: string) => example[name] ?? "");
}

describe("deploy/compose.yaml", () => {
  it("runs PostgreSQL, three bot instances and a proxy for the webhook", () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(bots).toHaveLength(3);
    expect(compose.services.proxy?.ports).toEqual(expect.arrayContaining(["443:443"]));
    const caddyfile = compose.configs.caddyfile?.content ?? "";
    for (const [name, service] of bots) {
      expect(caddyfile).toContain(`${name}:${service.environment?.TELEGRAM_WEBHOOK_PORT}`);
      expect(caddyfile).toContain(`health_port ${8080}`);
    }
  });

  it("gives the bot only variables it reads, and a configuration that loads", () => {
    const shards = new Set<string>();
    for (const [name, service] of bots) {
      const environment = service.environment ?? {};
      for (const variable of Object.keys(environment))
        expect(VARIABLES, `${name}: ${variable}`).toHaveProperty(variable);
      const env = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, fill(String(v))]));
      const config = loadConfig(env);
      expect(config.databaseUrl).toMatch(/^postgres:\/\/receipts:a-password@postgres:5432\/receipts$/);
      expect(config.telegram?.webhook?.url).toBe("https://receipts.example.com/telegram/hook");
      shards.add(String(environment.DISCORD_SHARDS));
    }
    expect([...shards].sort()).toEqual(["0", "1", "2"]); // each instance its own shard
  });
});
