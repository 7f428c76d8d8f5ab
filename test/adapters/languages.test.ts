/**
 * Replies framed in the chat's language, end to end: the real telegraf and discord.js against the
 * stand-ins, the chat's setting kept in real SQLite. For each language: the opening line (verdict or
 * direct answer) comes first and is in that language, "Sources", the buttons and the English-facts
 * line are too, and every message fits the platform's limits. `/language de` then a question gets
 * German framing whatever the question's language.
 */
import type { Message } from "telegraf/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordAdapter, type DiscordAdapter } from "../../src/adapters/discord/index.js";
import { createTelegramAdapter, type TelegramAdapter } from "../../src/adapters/telegram/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { LANGUAGE_SETTING } from "../../src/bot/chat-settings.js";
import { say, t } from "../../src/i18n/messages.js";
import { DISCORD_LIMITS, escapeMarkdown } from "../../src/render/discord.js";
import { LANGUAGES, type Language, loadLanguageDetection } from "../../src/search/languages/index.js";
import { StoreChatSettings } from "../../src/subscriptions/chat-settings.js";
import { asSubscriptionStore } from "../../src/subscriptions/sqlite-store.js";
import { openStore, type Store } from "../../src/subscriptions/store.js";
import { type StandInCall, startDiscordStandIn } from "../fakes/discord-api.js";
import { type RecordedCall, startTelegramStandIn, type TelegramStandIn } from "../fakes/telegram-api.js";
import { knowledgeFrom } from "../support/knowledge.js";

const OTHERS = LANGUAGES.filter((language): language is Exclude<Language, "en"> => language !== "en");
const CLAIM = "did facebook let netflix read messages?";
/** A "when" question in each language: its reply opens with the direct answer ("Wann: …"). */
const WHEN: Readonly<Record<Exclude<Language, "en">, string>> = {
  es: "¿Cuándo demandó la FTC a Kochava?",
  pt: "em que ano a empresa israelita onavo foi comprada pelo facebook?",
  de: "Wann hat die FTC Kochava verklagt?",
  fr: "Quand est-ce que Zoom a arrêté d'envoyer des données à Facebook ?",
  it: "quando la FTC ha fatto causa a Kochava?",
};

let knowledge: KnowledgeHolder;
let store: Store;
let bot: Bot;

beforeAll(async () => {
  knowledge = new KnowledgeHolder(await knowledgeFrom());
  store = openStore(":memory:");
  bot = new Bot(knowledge, { flood: null, settings: new StoreChatSettings(asSubscriptionStore(store)) });
  // The detector loads in the background at first use; here it is ready before the first question.
  await loadLanguageDetection();
  // The first answer builds what the engine keeps warm; not part of any reply's time below.
  bot.ask({ platform: "console", id: "warm-up", kind: "private" }, CLAIM);
}, 60_000); // the knowledge base, the detector and the first answer's word lists: seconds on a busy machine

afterAll(() => store?.close());

/** The opening line the engine gives `question`, said in `language`. */
function opening(question: string, language: Language): string {
  const { answer } = knowledge.current.engine.answer(question);
  const phrase = answer.verdict?.phrase ?? answer.directPhrase;
  if (!phrase) throw new Error(`no opening line for ${question}`);
  return say(language, phrase);
}

describe("Telegram, framed in the chat's language", () => {
  let api: TelegramStandIn;
  let adapter: TelegramAdapter;
  beforeAll(async () => {
    api = await startTelegramStandIn();
    adapter = createTelegramAdapter({ bot, token: api.token, apiRoot: api.apiRoot });
    await adapter.start();
    await api.waitForCall("getUpdates");
  });
  afterAll(async () => {
    await adapter?.stop();
    await api?.close();
  });

  /** Sends `text` from a user with `language_code` and returns the sendMessage calls it caused. */
  async function send(text: string, user: number, languageCode?: string): Promise<RecordedCall[]> {
    const before = api.calls.length;
    const from = languageCode ? { id: user, language_code: languageCode } : user;
    const update = api.pushUpdate(api.message({ text, from }));
    await api.waitForAck(update.update_id, 15_000);
    return api.calls.slice(before).filter((call) => call.method === "sendMessage");
  }
  const shown = (call: RecordedCall) =>
    (call.response as { result?: Message.TextMessage } | undefined)?.result?.text ?? "";
  const buttons = (calls: RecordedCall[]) =>
    calls.flatMap((call) =>
      (
        (call.params.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)
          ?.inline_keyboard ?? []
      )
        .flat()
        .map((b) => b.text),
    );
  function expectFits(calls: RecordedCall[]) {
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.response).toMatchObject({ ok: true });
      expect(String(call.params.text).length).toBeLessThanOrEqual(4096);
    }
  }

  it.each(OTHERS)(
    "%s by the user's language_code: verdict first, Sources, buttons and the English-facts line",
    async (language) => {
      const user = 7000 + OTHERS.indexOf(language);
      const calls = await send(CLAIM, user, language === "pt" ? "pt-br" : language);
      expectFits(calls);
      const text = calls.map(shown).join("\n");
      // The opening line is the first line after the title.
      expect(text.split("\n").filter(Boolean)[1]).toBe(opening(CLAIM, language));
      expect(text).toContain(`${t(language, "render.sources")}\n[1]`);
      expect(text).toContain(t(language, "note.english"));
      expect(buttons(calls)).toEqual(
        expect.arrayContaining([t(language, "button.sources"), t(language, "button.more")]),
      );
    },
  );

  it.each(OTHERS)(
    "%s by the question itself when the app says nothing: the direct answer first",
    async (language) => {
      const user = 7100 + OTHERS.indexOf(language);
      const calls = await send(WHEN[language], user);
      expectFits(calls);
      const lines = calls.map(shown).join("\n").split("\n").filter(Boolean);
      expect(lines[1]).toBe(opening(WHEN[language], language));
      expect(lines.join("\n")).toContain(t(language, "note.english"));
    },
  );

  it.each(OTHERS)("%s help and the deals list fit in Telegram messages", async (language) => {
    const user = 7200 + OTHERS.indexOf(language);
    const help = await send("/help", user, language);
    expectFits(help);
    expect(shown(help[0] as RecordedCall)).toContain(t(language, "heading.commands"));
    expect(shown(help[0] as RecordedCall)).toContain(`/language [code] — ${t(language, "command.language")}`);
    const deals = await send("/deals", user, language);
    expectFits(deals);
    expect(deals.map(shown).join("\n")).toContain(t(language, "deals.footer"));
  });

  it("/language de, then a question in English: German framing, kept in SQLite", async () => {
    const user = 7300;
    const set = await send("/language de", user, "en");
    expect(shown(set[0] as RecordedCall)).toContain("Ab jetzt antworte ich hier auf Deutsch.");
    expect(store.chatSetting("telegram", String(user), LANGUAGE_SETTING)).toBe("de");

    const calls = await send(CLAIM, user, "en");
    const lines = calls.map(shown).join("\n").split("\n").filter(Boolean);
    expect(lines[1]).toBe(opening(CLAIM, "de"));
    expect(lines).toContain("Quellen");
    expect(lines.join("\n")).toMatch(/^• (Behauptet|Nicht belegt):/m);
    expect(buttons(calls)).toContain("Quellen");

    // The menu offers every language as a button; a button press switches, as /language would.
    const menu = await send("/language", user, "en");
    expect(buttons(menu)).toEqual([...LANGUAGES.map((l) => t(l, "language.name")), "Automatisch"]);
    const message = (menu[0]?.response as { result?: Message.TextMessage } | undefined)
      ?.result as Message.TextMessage;
    const before = api.calls.length;
    const press = api.pushUpdate(api.callbackQuery({ from: user, message, data: "lang:fr" }));
    await api.waitForAck(press.update_id, 15_000);
    const reply = api.calls.slice(before).find((call) => call.method === "sendMessage");
    expect(shown(reply as RecordedCall)).toContain("Désormais, je réponds ici en français.");
    expect(store.chatSetting("telegram", String(user), LANGUAGE_SETTING)).toBe("fr");

    // "auto" forgets the setting: the next English question is answered in English.
    await send("/language auto", user, "en");
    expect(store.chatSetting("telegram", String(user), LANGUAGE_SETTING)).toBeUndefined();
    const english = (await send("when did the FTC sue Kochava?", user, "en")).map(shown).join("\n");
    expect(english).toContain("When: 29 Aug 2022.");
    expect(english).toContain("Sources\n[1]");
  });

  it("inline cards are framed in the user's app language", async () => {
    const before = api.calls.length;
    const update = api.pushUpdate(api.inlineQuery({ from: { id: 7500, language_code: "it" }, query: CLAIM }));
    await api.waitForAck(update.update_id, 15_000);
    const call = api.calls.slice(before).find((c) => c.method === "answerInlineQuery");
    const results = call?.params.results as { input_message_content: { message_text: string } }[];
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result.input_message_content.message_text).toContain(`<b>${t("it", "render.sources")}</b>`);
      expect(result.input_message_content.message_text.length).toBeLessThanOrEqual(4096);
    }
  });

  it("a language it does not speak gets a clear message and changes nothing", async () => {
    const user = 7400;
    await send("/language it", user);
    const calls = await send("/language klingon", user);
    expect(shown(calls[0] as RecordedCall)).toContain("Non parlo «klingon»");
    expect(store.chatSetting("telegram", String(user), LANGUAGE_SETTING)).toBe("it");
  });
});

describe("Discord, framed in the user's locale", () => {
  let discord: Awaited<ReturnType<typeof startDiscordStandIn>>;
  let adapter: DiscordAdapter;
  beforeAll(async () => {
    // A channel per language, so each language's chat has a conversation of its own.
    discord = await startDiscordStandIn({
      token: "languages-token",
      guilds: [{ channels: OTHERS.map((language) => ({ name: language })) }],
    });
    adapter = createDiscordAdapter({
      bot,
      token: "languages-token",
      apiRoot: discord.apiRoot,
      guildId: discord.ids.guild,
      deferAfterMs: 2_500,
      clientOptions: { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } },
    });
    await adapter.start();
  });
  afterAll(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  const LOCALES: Readonly<Record<Exclude<Language, "en">, string>> = {
    es: "es-ES",
    pt: "pt-BR",
    de: "de",
    fr: "fr",
    it: "it",
  };

  async function command(
    language: Exclude<Language, "en">,
    commandName: string,
    options?: Record<string, string>,
  ) {
    const payload = discord.interactionCreate({
      kind: "command",
      commandName,
      locale: LOCALES[language],
      channelId: discord.channelByName(language).id,
      ...(options ? { options } : {}),
    });
    discord.dispatch("INTERACTION_CREATE", payload);
    const call = await discord.waitForCall(
      (c: StandInCall) => c.method === "POST" && c.path.startsWith(`/interactions/${String(payload.id)}/`),
    );
    expect(call.status).toBe(204);
    const body = call.body as {
      data: {
        embeds: { title?: string; description?: string; footer?: { text: string } }[];
        components: { components: { label: string }[] }[];
      };
    };
    return body.data;
  }

  function expectFits(embed: { title?: string; description?: string; footer?: { text: string } }) {
    const total =
      (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embed);
  }

  it.each(OTHERS)("%s: /ask in the user's locale, within the embed limits", async (language) => {
    const data = await command(language, "ask", { question: CLAIM });
    const [embed] = data.embeds;
    if (!embed) throw new Error("no embed");
    expectFits(embed);
    const lines = (embed.description ?? "").split("\n");
    expect(lines[0]).toBe(`**${escapeMarkdown(opening(CLAIM, language))}**`);
    expect(embed.description).toContain(`**${t(language, "render.sources")}**`);
    expect(embed.footer?.text).toContain(t(language, "note.english"));
    const labels = data.components.flatMap((row) => row.components.map((b) => b.label));
    expect(labels).toContain(t(language, "button.more"));
  });

  it.each(OTHERS)("%s: /help and /deals within the embed limits", async (language) => {
    for (const name of ["help", "deals"]) {
      const data = await command(language, name);
      const [embed] = data.embeds;
      if (!embed) throw new Error("no embed");
      expectFits(embed);
    }
    const help = await command(language, "help");
    expect(help.embeds[0]?.description).toContain(t(language, "help.labelled"));
  });
});
