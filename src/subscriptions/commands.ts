/**
 * The subscription commands, as CommandExtensions of the bot layer: /subscribe, /unsubscribe,
 * /subscriptions for everyone (changing a group's subscriptions needs the right to manage the chat),
 * and /reload and /stats for the admins named in ADMIN_IDS.
 */
import type { KnowledgeHolder } from "../answer/knowledge.js";
import type { CommandExtension } from "../bot/bot.js";
import { infoReply } from "../bot/replies.js";
import type { Block, Reply, Request, Suggestion } from "../bot/types.js";
import { formatProblem } from "../knowledge/report.js";
import type { KnowledgeBase } from "../knowledge/types.js";
import { refusalNotice } from "./digest.js";
import type { Dispatcher } from "./dispatcher.js";
import { SUBSCRIPTION_COMMANDS } from "./menu.js";
import type { Publisher, ReloadResult } from "./publisher.js";
import { asSubscriptionStore } from "./sqlite-store.js";
import type { Store } from "./store.js";
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
    async handle(request, args) {
      const denied = mayNotManage(request);
      if (denied) return denied;
      if (!args) return usage(request, store, kb());
      const lines: string[] = [];
      const unknown: Reply[] = [];
      for (const typed of splitTopics(args)) {
        const parsed = parseTopic(typed, kb());
        if (!parsed.ok) {
          unknown.push(notFound(parsed.typed, parsed.suggestions, "subscribe"));
          continue;
        }
        const outcome = await store.subscribe(request.chat, parsed.topic, request.user.id);
        if (outcome === "added") lines.push(`Subscribed to ${describe(parsed.topic, kb())}.`);
        else if (outcome === "exists")
          lines.push(`This chat already follows ${describe(parsed.topic, kb())}.`);
        else {
          lines.push(
            `This chat follows ${store.maxTopicsPerChat} topics, the most it may: /unsubscribe some first.`,
          );
          break;
        }
      }
      if (lines.length === 0 && unknown[0]) return unknown[0];
      for (const reply of unknown) lines.push(...reply.blocks.map((b) => b.content.map(text).join("")));
      lines.push(
        "I send one message per update, with its sources, when facts are added, changed or withdrawn. /subscriptions lists what this chat follows.",
      );
      return infoReply("Subscriptions", lines);
    },
    suggest: (prefix) => suggestTopics(prefix, kb()),
  };

  const unsubscribe: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.unsubscribe,
    async handle(request, args) {
      const denied = mayNotManage(request);
      if (denied) return denied;
      const topics = await store.topicsOf(request.chat.platform, request.chat.id);
      if (!args) {
        if (topics.length === 0) return infoReply("Subscriptions", ["This chat follows nothing."]);
        return listReply(
          topics,
          kb(),
          "Which one? Use /unsubscribe <topic>, or /unsubscribe all to stop every update. This chat follows:",
        );
      }
      if (/^(all|everything)$/i.test(args.trim())) {
        const removed = await store.unsubscribeAll(request.chat);
        return infoReply("Subscriptions", [
          removed > 0
            ? `Done: this chat no longer gets updates (${removed} ${removed === 1 ? "topic" : "topics"} removed).`
            : "This chat followed nothing.",
        ]);
      }
      const lines: string[] = [];
      for (const typed of splitTopics(args)) {
        const topic = findFollowed(typed, topics, kb());
        if (topic && (await store.unsubscribe(request.chat, topic))) {
          lines.push(`Unsubscribed from ${describe(topic, kb())}.`);
        } else {
          lines.push(`This chat does not follow "${typed.slice(0, 100)}".`);
        }
      }
      const left = await store.topicsOf(request.chat.platform, request.chat.id);
      lines.push(
        left.length > 0
          ? `Still following: ${left.map((t) => topicLabel(t, kb())).join(", ")}.`
          : "This chat follows nothing now.",
      );
      return infoReply("Subscriptions", lines);
    },
    async suggest(prefix, request) {
      const typed = prefix.trim().toLowerCase();
      const followed = (await store.topicsOf(request.chat.platform, request.chat.id)).map(
        (topic): Suggestion => ({ label: describe(topic, kb()).slice(0, 100), value: topicValue(topic) }),
      );
      return [...followed, { label: "All of them", value: "all" }]
        .filter((s) => typed === "" || s.label.toLowerCase().includes(typed) || s.value.includes(typed))
        .slice(0, 25);
    },
  };

  const subscriptions: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.subscriptions,
    async handle(request) {
      const topics = await store.topicsOf(request.chat.platform, request.chat.id);
      if (topics.length === 0) {
        return infoReply("Subscriptions", [`This chat follows nothing yet. Try ${EXAMPLES}.`]);
      }
      return listReply(
        topics,
        kb(),
        "This chat gets an update when facts about these are added, changed or withdrawn:",
      );
    },
  };

  const reload: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.reload,
    async handle(request) {
      const denied = adminOnly(request, isAdmin, "reload");
      if (denied) return denied;
      await rememberAdmin(request, store);
      const by = `/reload by ${request.chat.platform}:${request.user.id}`;
      const result = await publisher.reload(by, { platform: request.chat.platform, chatId: request.chat.id });
      return reloadReply(result);
    },
  };

  const stats: CommandExtension = {
    ...SUBSCRIPTION_COMMANDS.stats,
    async handle(request) {
      const denied = adminOnly(request, isAdmin, "stats");
      if (denied) return denied;
      await rememberAdmin(request, store);
      return statsReply(store, kb(), publisher, options.dispatchers?.() ?? []);
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
function mayNotManage(request: Request): Reply | undefined {
  if (request.chat.kind === "private" || request.user.canManageChat) return undefined;
  const who =
    request.chat.platform === "discord"
      ? "Only members with the Manage Channels permission can change this channel's subscriptions."
      : "Only this group's admins can change its subscriptions.";
  return infoReply("Not allowed here", [`${who} You can subscribe in a private chat with me.`], "error");
}

function adminOnly(
  request: Request,
  isAdmin: (request: Request) => boolean,
  command: string,
): Reply | undefined {
  return isAdmin(request)
    ? undefined
    : infoReply("Admins only", [`/${command} is for the bot's admins.`], "error");
}

/** An admin's DM is where they are told about refused knowledge bases (Discord DMs have their own id). */
async function rememberAdmin(request: Request, store: SubscriptionStore): Promise<void> {
  if (request.chat.kind === "private")
    await store.rememberAdminChat(request.chat.platform, request.user.id, request.chat.id);
}

function describe(topic: Topic, kb: KnowledgeBase): string {
  const [kind, id] = splitTopic(topic);
  if (kind === "all") return "everything (every deal)";
  if (kind === "deal") {
    const deal = kb.deals.get(id);
    return deal ? `the deal "${deal.title}"` : `the deal ${id} (no longer in the knowledge base)`;
  }
  const entity = kb.entities.get(id);
  return entity ? `${entity.name} (${entity.kind})` : `${id} (no longer in the knowledge base)`;
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

async function usage(request: Request, store: SubscriptionStore, kb: KnowledgeBase): Promise<Reply> {
  const topics = await store.topicsOf(request.chat.platform, request.chat.id);
  const examples = suggestTopics("", kb, 6).map((s) => s.value);
  return infoReply("Subscribe to updates", [
    `Tell me what to follow: ${EXAMPLES}. I send one message per update, with its sources.`,
    `Some topics: ${examples.join(", ")}.`,
    topics.length > 0
      ? `This chat follows: ${topics.map((t) => topicLabel(t, kb)).join(", ")}.`
      : "This chat follows nothing yet.",
  ]);
}

function notFound(typed: string, suggestions: readonly Suggestion[], command: string): Reply {
  const hint =
    suggestions.length > 0
      ? ` Did you mean: ${suggestions.map((s) => `/${command} ${s.value}`).join(", ")}?`
      : " /deals lists the deals I know.";
  return infoReply("Unknown topic", [`I don't know a deal or company called "${typed}".${hint}`], "error");
}

function listReply(topics: readonly Topic[], kb: KnowledgeBase, lead: string): Reply {
  return {
    tone: "info",
    title: "Subscriptions",
    blocks: [
      { kind: "paragraph", content: [lead] },
      ...topics.map(
        (topic): Block => ({
          kind: "item",
          content: [describe(topic, kb), " — ", { text: `/unsubscribe ${topicValue(topic)}`, code: true }],
        }),
      ),
    ],
    citations: [],
    actions: [],
  };
}

function reloadReply(result: ReloadResult): Reply {
  switch (result.status) {
    case "refused":
      return refusalNotice(
        result.errors,
        result.serving,
        formatProblem,
        `${result.errors.length} ${result.errors.length === 1 ? "error" : "errors"}: still answering from version ${result.serving}.`,
      );
    case "unchanged":
      return infoReply("Knowledge base", [`Already up to date: version ${result.version}.`]);
    case "first":
      return infoReply("Knowledge base", [
        `Published version ${result.version} (first publication: nobody notified).`,
      ]);
    case "published": {
      const c = result.counts;
      return infoReply("Knowledge base reloaded", [
        `Now answering from version ${result.version} (was ${result.from}).`,
        `${c.added} new, ${c.changed} updated, ${c.retracted} withdrawn facts; ${c.dealsAdded} new deals.`,
        `${result.notifications} ${result.notifications === 1 ? "notification" : "notifications"} queued.`,
      ]);
    }
  }
}

async function statsReply(
  store: SubscriptionStore,
  kb: KnowledgeBase,
  publisher: Publisher,
  dispatchers: readonly Dispatcher[],
): Promise<Reply> {
  const s = await store.stats();
  const perPlatform = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([platform, n]) => `${platform} ${n}`)
      .join(", ") || "none";
  const last = publisher.last;
  const lines = [
    `Knowledge base: version ${kb.version} (published: ${s.publishedVersion ?? "none"}), ${kb.deals.size} deals, ${kb.facts.size} facts.`,
    `Subscribers: ${s.chats} chats with ${s.subscriptions} subscriptions (${perPlatform(
      Object.fromEntries(Object.entries(s.byPlatform).map(([p, v]) => [p, v.chats])),
    )}).`,
    `Outbox: ${s.outbox.pending} pending (${perPlatform(s.pendingByPlatform)}), ${s.outbox.sent} sent, ${s.outbox.dead} dead; ${s.changeSets} change sets.`,
    ...dispatchers.map(
      (d) =>
        `Dispatcher ${d.platform}: ${d.stats.sent} sent, ${d.stats.rateLimited} rate limited, ${d.stats.transient} retried, ${d.stats.gone} chats gone, ${d.stats.moved} moved, ${d.stats.failed} failed since start.`,
    ),
    last
      ? `Last reload: ${new Date(last.at).toISOString()} (${last.trigger}): ${last.result.status}.`
      : "No reload since start.",
  ];
  return infoReply("Stats", lines);
}
