/**
 * The subscription commands, as CommandExtensions of the bot layer: /subscribe, /unsubscribe,
 * /subscriptions for everyone (changing a group's subscriptions needs the right to manage the chat),
 * and /reload and /stats for the admins named in ADMIN_IDS.
 */
import type { KnowledgeHolder } from "../answer/knowledge.js";
import type { CommandExtension } from "../bot/bot.js";
import { infoReply } from "../bot/replies.js";
import type { Block, Reply, Request, Suggestion } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import { formatProblem } from "../knowledge/report.js";
import type { KnowledgeBase } from "../knowledge/types.js";
import type { Language } from "../search/languages/index.js";
import { refusalNotice } from "./digest.js";
import type { Dispatcher } from "./dispatcher.js";
import { SUBSCRIPTION_COMMANDS } from "./menu.js";
import type { Publisher, ReloadResult } from "./publisher.js";
import { asSubscriptionStore } from "./sqlite-store.js";
import { DIGEST_LANGUAGE_KEYS, type Store } from "./store.js";
import type { SubscriptionStore } from "./store-api.js";
import { ALL, parseTopic, splitTopic, suggestTopics, type Topic, topicLabel } from "./topics.js";

export interface SubscriptionCommandOptions {
  readonly store: Store | SubscriptionStore;
  readonly holder: KnowledgeHolder;
  readonly publisher: Publisher;
  /** `platform:userId` pairs allowed to /reload and /stats. */
  readonly admins: ReadonlySet<string>;
  /** The running dispatchers, for /stats. */
  readonly dispatchers?: () => readonly Dispatcher[];
}

const EXAMPLES = "/subscribe Meta, /subscribe netflix-facebook or /subscribe all";

export function subscriptionCommands(options: SubscriptionCommandOptions): CommandExtension[] {
  const { holder, publisher, admins } = options;
  const store = asSubscriptionStore(options.store);
  const kb = () => holder.current.kb;
  const isAdmin = (request: Pick<Request, "chat" | "user">) =>
    admins.has(`${request.chat.platform}:${request.user.id}`);

  const subscribe: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.subscribe,
    async handle(request, args, language = "en") {
      const denied = mayNotManage(request, language);
      if (denied) return denied;
      if (!args) return usage(request, store, kb(), language);
      const lines: string[] = [];
      const unknown: Reply[] = [];
      for (const typed of splitTopics(args)) {
        const parsed = parseTopic(typed, kb());
        if (!parsed.ok) {
          unknown.push(notFound(parsed.typed, parsed.suggestions, "subscribe", language));
          continue;
        }
        const outcome = await store.subscribe(request.chat, parsed.topic, request.user.id);
        const topic = describe(parsed.topic, kb(), language);
        if (outcome === "added") {
          lines.push(t(language, "subscriptions.subscribed", { topic }));
          // Digests go out in the language the chat subscribed in, unless it chooses one (/language).
          await store.setChatSetting(
            request.chat.platform,
            request.chat.id,
            DIGEST_LANGUAGE_KEYS[1],
            language,
          );
        } else if (outcome === "exists") lines.push(t(language, "subscriptions.already", { topic }));
        else {
          lines.push(t(language, "subscriptions.limit", { n: store.maxTopicsPerChat }));
          break;
        }
      }
      if (lines.length === 0 && unknown[0]) return unknown[0];
      for (const reply of unknown) lines.push(...reply.blocks.map((b) => b.content.map(text).join("")));
      lines.push(t(language, "subscriptions.how"));
      return infoReply(t(language, "subscriptions.title"), lines, "info", language);
    },
    suggest: (prefix) => suggestTopics(prefix, kb()),
  };

  const unsubscribe: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.unsubscribe,
    async handle(request, args, language = "en") {
      const denied = mayNotManage(request, language);
      if (denied) return denied;
      const title = t(language, "subscriptions.title");
      const topics = await store.topicsOf(request.chat.platform, request.chat.id);
      if (!args) {
        if (topics.length === 0)
          return infoReply(title, [t(language, "subscriptions.followsNothing")], "info", language);
        return listReply(topics, kb(), t(language, "subscriptions.whichOne"), language);
      }
      if (/^(all|everything)$/i.test(args.trim())) {
        const removed = await store.unsubscribeAll(request.chat);
        return infoReply(
          title,
          [
            removed > 0
              ? t(language, "subscriptions.stoppedAll", { count: removed })
              : t(language, "subscriptions.followedNothing"),
          ],
          "info",
          language,
        );
      }
      const lines: string[] = [];
      for (const typed of splitTopics(args)) {
        const topic = findFollowed(typed, topics, kb());
        if (topic && (await store.unsubscribe(request.chat, topic))) {
          lines.push(t(language, "subscriptions.unsubscribed", { topic: describe(topic, kb(), language) }));
        } else {
          lines.push(t(language, "subscriptions.notFollowed", { typed: typed.slice(0, 100) }));
        }
      }
      const left = await store.topicsOf(request.chat.platform, request.chat.id);
      lines.push(
        left.length > 0
          ? t(language, "subscriptions.stillFollowing", {
              topics: left.map((topic) => topicLabel(topic, kb())).join(", "),
            })
          : t(language, "subscriptions.nothingNow"),
      );
      return infoReply(title, lines, "info", language);
    },
    async suggest(prefix, request) {
      const typed = prefix.trim().toLowerCase();
      const followed = (await store.topicsOf(request.chat.platform, request.chat.id)).map(
        (topic): Suggestion => ({ label: describe(topic, kb()).slice(0, 100), value: topicValue(topic) }),
      );
      return [...followed, { label: t("en", "subscriptions.allOfThem"), value: "all" }]
        .filter((s) => typed === "" || s.label.toLowerCase().includes(typed) || s.value.includes(typed))
        .slice(0, 25);
    },
  };

  const subscriptions: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.subscriptions,
    async handle(request, _args, language = "en") {
      const topics = await store.topicsOf(request.chat.platform, request.chat.id);
      if (topics.length === 0) {
        return infoReply(
          t(language, "subscriptions.title"),
          [t(language, "subscriptions.nothingYet", { examples: EXAMPLES })],
          "info",
          language,
        );
      }
      return listReply(topics, kb(), t(language, "subscriptions.list"), language);
    },
  };

  const reload: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.reload,
    async handle(request, _args, language = "en") {
      const denied = adminOnly(request, isAdmin, "reload", language);
      if (denied) return denied;
      await rememberAdmin(request, store);
      const by = `/reload by ${request.chat.platform}:${request.user.id}`;
      const result = await publisher.reload(by, { platform: request.chat.platform, chatId: request.chat.id });
      return reloadReply(result, language);
    },
  };

  const stats: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.stats,
    async handle(request, _args, language = "en") {
      const denied = adminOnly(request, isAdmin, "stats", language);
      if (denied) return denied;
      await rememberAdmin(request, store);
      return statsReply(store, kb(), publisher, options.dispatchers?.() ?? [], language);
    },
  };

  return [subscribe, unsubscribe, subscriptions, reload, stats];
}

/** Several topics may be given at once, separated by commas. */
function splitTopics(args: string): string[] {
  return args
    .split(/[,;\n]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .slice(0, 10);
}

function text(part: Block["content"][number]): string {
  return typeof part === "string" ? part : part.text;
}

/** Who may change a chat's subscriptions: anyone in a DM; in groups, whoever may manage the chat. */
function mayNotManage(request: Request, language: Language): Reply | undefined {
  if (request.chat.kind === "private" || request.user.canManageChat) return undefined;
  const who =
    request.chat.platform === "discord"
      ? "subscriptions.notAllowedDiscord"
      : "subscriptions.notAllowedTelegram";
  return infoReply(t(language, "subscriptions.notAllowedTitle"), [t(language, who)], "error", language);
}

/** /reload and /stats: their refusal is in the chat's language, their reports for admins in English. */
function adminOnly(
  request: Request,
  isAdmin: (request: Request) => boolean,
  command: string,
  language: Language,
): Reply | undefined {
  return isAdmin(request)
    ? undefined
    : infoReply(
        t(language, "subscriptions.adminsTitle"),
        [t(language, "subscriptions.adminsText", { command })],
        "error",
        language,
      );
}

/** An admin's DM is where they are told about refused knowledge bases (Discord DMs have their own id). */
async function rememberAdmin(request: Request, store: SubscriptionStore): Promise<void> {
  if (request.chat.kind === "private")
    await store.rememberAdminChat(request.chat.platform, request.user.id, request.chat.id);
}

function describe(topic: Topic, kb: KnowledgeBase, language: Language = "en"): string {
  const [kind, id] = splitTopic(topic);
  if (kind === "all") return t(language, "subscriptions.everything");
  if (kind === "deal") {
    const deal = kb.deals.get(id);
    return deal
      ? t(language, "subscriptions.theDeal", { title: deal.title })
      : t(language, "subscriptions.goneDeal", { id });
  }
  const entity = kb.entities.get(id);
  return entity
    ? t(language, "subscriptions.entity", {
        name: entity.name,
        kind: t(language, `entityKind.${entity.kind}`),
      })
    : t(language, "subscriptions.goneEntity", { id });
}

/** What to type to name a followed topic again. */
function topicValue(topic: Topic): string {
  const [kind, id] = splitTopic(topic);
  return kind === "all" ? "everything" : `${kind}:${id}`;
}

/** A topic this chat follows, by what was typed: parsed as /subscribe would, or by its stored id. */
function findFollowed(typed: string, followed: readonly Topic[], kb: KnowledgeBase): Topic | undefined {
  const parsed = parseTopic(typed, kb);
  if (parsed.ok && followed.includes(parsed.topic)) return parsed.topic;
  const bare = typed
    .trim()
    .toLowerCase()
    .replace(/^(company|entity|deal):/, "")
    .replace(/\s+/g, "-");
  if (/^everything$/.test(bare) && followed.includes(ALL)) return ALL;
  return followed.find((topic) => splitTopic(topic)[1] === bare || topic === typed.trim().toLowerCase());
}

async function usage(
  request: Request,
  store: SubscriptionStore,
  kb: KnowledgeBase,
  language: Language,
): Promise<Reply> {
  const topics = await store.topicsOf(request.chat.platform, request.chat.id);
  const examples = suggestTopics("", kb, 6).map((s) => s.value);
  return infoReply(
    t(language, "subscriptions.usageTitle"),
    [
      t(language, "subscriptions.usageText", { examples: EXAMPLES }),
      t(language, "subscriptions.someTopics", { topics: examples.join(", ") }),
      topics.length > 0
        ? t(language, "subscriptions.follows", {
            topics: topics.map((topic) => topicLabel(topic, kb)).join(", "),
          })
        : t(language, "subscriptions.nothingYetShort"),
    ],
    "info",
    language,
  );
}

function notFound(
  typed: string,
  suggestions: readonly Suggestion[],
  command: string,
  language: Language,
): Reply {
  const hint =
    suggestions.length > 0
      ? t(language, "subscriptions.didYouMean", {
          options: suggestions.map((s) => `/${command} ${s.value}`).join(", "),
        })
      : t(language, "subscriptions.seeDeals");
  return infoReply(
    t(language, "subscriptions.unknownTopicTitle"),
    [t(language, "subscriptions.unknownTopic", { typed, hint })],
    "error",
    language,
  );
}

function listReply(topics: readonly Topic[], kb: KnowledgeBase, lead: string, language: Language): Reply {
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "subscriptions.title"),
    blocks: [
      { kind: "paragraph", content: [lead] },
      ...topics.map(
        (topic): Block => ({
          kind: "item",
          content: [
            describe(topic, kb, language),
            " — ",
            { text: `/unsubscribe ${topicValue(topic)}`, code: true },
          ],
        }),
      ),
    ],
    citations: [],
    actions: [],
  };
}

function reloadReply(result: ReloadResult, language: Language): Reply {
  const say = (key: string, values: Record<string, string | number> = {}) => t(language, key, values);
  switch (result.status) {
    case "refused":
      return refusalNotice(
        result.errors,
        result.serving,
        formatProblem,
        say("admin.stillServing", { count: result.errors.length, serving: result.serving }),
        language,
      );
    case "unchanged":
      return infoReply(
        say("admin.kbTitle"),
        [say("admin.upToDate", { version: result.version })],
        "info",
        language,
      );
    case "first":
      return infoReply(
        say("admin.kbTitle"),
        [say("admin.first", { version: result.version })],
        "info",
        language,
      );
    case "published": {
      const c = result.counts;
      return infoReply(
        say("admin.reloadedTitle"),
        [
          say("admin.nowAnswering", { version: result.version, from: result.from }),
          say("admin.counts", {
            added: c.added,
            changed: c.changed,
            retracted: c.retracted,
            deals: c.dealsAdded,
          }),
          say("admin.queued", { count: result.notifications }),
        ],
        "info",
        language,
      );
    }
  }
}

async function statsReply(
  store: SubscriptionStore,
  kb: KnowledgeBase,
  publisher: Publisher,
  dispatchers: readonly Dispatcher[],
  language: Language,
): Promise<Reply> {
  const s = await store.stats();
  const none = t(language, "admin.none");
  const perPlatform = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([platform, n]) => `${platform} ${n}`)
      .join(", ") || none;
  const last = publisher.last;
  const lines = [
    t(language, "admin.statsKb", {
      version: kb.version,
      published: s.publishedVersion ?? none,
      deals: kb.deals.size,
      facts: kb.facts.size,
    }),
    t(language, "admin.statsSubscribers", {
      chats: s.chats,
      subscriptions: s.subscriptions,
      platforms: perPlatform(Object.fromEntries(Object.entries(s.byPlatform).map(([p, v]) => [p, v.chats]))),
    }),
    t(language, "admin.statsOutbox", {
      pending: s.outbox.pending,
      platforms: perPlatform(s.pendingByPlatform),
      sent: s.outbox.sent,
      dead: s.outbox.dead,
      changeSets: s.changeSets,
    }),
    ...dispatchers.map((d) =>
      t(language, "admin.statsDispatcher", {
        platform: d.platform,
        sent: d.stats.sent,
        rateLimited: d.stats.rateLimited,
        transient: d.stats.transient,
        gone: d.stats.gone,
        moved: d.stats.moved,
        failed: d.stats.failed,
      }),
    ),
    last
      ? t(language, "admin.lastReload", {
          at: new Date(last.at).toISOString(),
          trigger: last.trigger,
          status: last.result.status,
        })
      : t(language, "admin.noReload"),
  ];
  return infoReply(t(language, "admin.statsTitle"), lines, "info", language);
}
