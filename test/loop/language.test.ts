/**
 * The loop speaks the chat's language: its buttons and replies, and the answer it queues later (in the
 * language the chat had when it asked). Through the Bot as the platforms call it, on real SQLite.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { slashCommands } from "../../src/adapters/discord/register.js";
import type { Reply, Request } from "../../src/bot/types.js";
import { SqliteLoopStore } from "../../src/loop/store.js";
import { DB_FILE, MIGRATIONS, migrate, openStore } from "../../src/subscriptions/store.js";
import { tempDir } from "../subscriptions/support.js";
import { loopBot, QUESTION, WEATHER_EDIT, WEATHER_FACT } from "./support.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A request from a Telegram user whose app is set to Spanish. */
const spanish = (input: Request["input"]): Request => ({
  chat: { platform: "telegram", id: "4001", kind: "private" },
  user: { id: "4001", canManageChat: true },
  locale: "es",
  input,
});

const words = (reply: Reply) =>
  [
    reply.title ?? "",
    ...reply.blocks.flatMap((b) => b.content.map((i) => (typeof i === "string" ? i : i.text))),
  ].join("\n");

describe("the feedback loop in the chat's language", () => {
  it("/notifications, the Notify button, its reply and the later answer are in Spanish", async () => {
    const h = await loopBot(cleanups);
    cleanups.push(async () => {
      await h.loop.stop();
      await h.subscriptions.stop();
    });
    await h.loop.reask(); // the first run records the facts

    const none = await h.bot.handle(spanish({ kind: "command", name: "notifications", args: "" }));
    expect(none.title).toBe("Avisos");
    expect(words(none)).toContain("Este chat no espera ninguna respuesta");

    const unknown = await h.bot.handle(spanish({ kind: "text", text: QUESTION }));
    const notify = unknown.actions.find((a) => a.data.startsWith("ntf:"));
    expect(notify?.label).toBe("🔔 Avísame cuando pueda responder");

    const pressed = await h.bot.handle(spanish({ kind: "action", data: notify?.data ?? "" }));
    expect(words(pressed)).toContain(`Te avisaré aquí cuando pueda responder "${QUESTION}"`);

    const listed = await h.bot.handle(spanish({ kind: "command", name: "notifications", args: "" }));
    expect(listed.actions.map((a) => a.label)).toEqual(["Quitar 1"]);

    h.kb.edit(WEATHER_EDIT);
    await h.subscriptions.publisher.reload("test edit");
    await h.loop.reask();
    const queued = h.store.db.prepare("SELECT reply FROM digests ORDER BY id DESC LIMIT 1").get() as {
      reply: string;
    };
    const later = JSON.parse(queued.reply) as Reply;
    expect(later.title).toMatch(
      /^Preguntaste "did acme sell location data to a weather app\?" el \d{1,2} [a-z]+\.? \d{4}\. Ya puedo responder:$/,
    );
    expect(words(later)).toContain(WEATHER_FACT);
  }, 60_000);

  it("a suggestion's decision is told in the language it was made in, the admin hears theirs", async () => {
    const h = await loopBot(cleanups, { admins: ["telegram:1001"] });
    cleanups.push(async () => {
      await h.loop.stop();
      await h.subscriptions.stop();
    });
    const queued = await h.bot.handle(
      spanish({ kind: "command", name: "suggest", args: "https://example.com/acme-weather" }),
    );
    expect(words(queued)).toContain("¡Gracias! La sugerencia #1 está en la cola");
    const admin: Request = {
      chat: { platform: "telegram", id: "1001", kind: "private" },
      user: { id: "1001", canManageChat: true },
      locale: "en",
      input: { kind: "action", data: "sq:r:1:c" },
    };
    expect(words(await h.bot.handle(admin))).toContain("#1 rejected; the user has been told.");
    const told = h.store.db.prepare("SELECT reply FROM digests ORDER BY id DESC LIMIT 1").get() as {
      reply: string;
    };
    expect(words(JSON.parse(told.reply) as Reply)).toBe(
      'Sugerir una fuente\nTu sugerencia #1 ("https://example.com/acme-weather") no se aceptó: la base de conocimiento ya lo cubre.',
    );
  });

  it("the menus describe the loop's commands in the chat's language", async () => {
    const h = await loopBot(cleanups);
    cleanups.push(async () => {
      await h.loop.stop();
      await h.subscriptions.stop();
    });
    const menu = h.bot.commandsIn("de");
    expect(menu.find((c) => c.name === "suggest")?.description).toBe(
      "Eine Quelle oder Behauptung zur Prüfung vorschlagen",
    );
    const discord = slashCommands(h.bot.commands, undefined, (language) => h.bot.commandsIn(language));
    const suggest = discord.find((c) => c.name === "suggest");
    expect(suggest?.description_localizations?.["es-ES"]).toBe(
      "Sugerir una fuente o una afirmación para revisar",
    );
    expect(suggest?.options?.[0]?.description_localizations?.["es-ES"]).toMatch(/^Enlace o afirmación/);
  });

  it("reads rows kept before the language was (migration 6) as English", async () => {
    const data = tempDir();
    cleanups.push(data.remove);
    const old = new Database(path.join(data.dir, DB_FILE));
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    old
      .prepare(
        "INSERT INTO loop_pending (platform, chat_id, question, asked_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run("telegram", "1", "an old question", 1, Number.MAX_SAFE_INTEGER);
    old.close();
    const store = openStore(data.dir);
    cleanups.push(() => store.close());
    const loop = new SqliteLoopStore(store);
    expect((await loop.allPending(0)).map((q) => [q.question, q.language])).toEqual([
      ["an old question", "en"],
    ]);
    await loop.addPending("telegram", "1", "una pregunta", Number.MAX_SAFE_INTEGER, 20, "es");
    expect((await loop.pendingOf("telegram", "1", 0)).map((q) => q.language)).toEqual(["en", "es"]);
  });
});
