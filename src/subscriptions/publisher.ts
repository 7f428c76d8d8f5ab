/**
 * Publishing a knowledge base: swap it in for answers, diff it against the last published snapshot,
 * and queue one digest per subscribed chat, all or nothing.
 *
 * The outbox rows and the new snapshot are written in ONE transaction. If the bot dies before the
 * commit, the snapshot still holds the old version and the next start diffs again to the same rows;
 * after it, the rows are in the outbox and the dispatcher sends them. Either way each chat gets each
 * digest once (the outbox key `cs:<change set>` is unique per chat).
 *
 * A knowledge base that fails validation is refused: the old one keeps answering, and admins are
 * told why, once per distinct set of problems.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { buildKnowledge, type KnowledgeHolder } from "../answer/knowledge.js";
import type { Platform } from "../bot/types.js";
import { languageOfLocale } from "../i18n/messages.js";
import { loadKnowledgeDir } from "../knowledge/load.js";
import { formatProblem } from "../knowledge/report.js";
import type { KnowledgeBase, Problem } from "../knowledge/types.js";
import { type Logger, silentLogger } from "../log.js";
import type { Language } from "../search/languages/index.js";
import { changesFor, diffKnowledge, isEmpty, snapshotOf } from "./diff.js";
import { buildDigest, refusalNotice } from "./digest.js";
import { asSubscriptionStore } from "./sqlite-store.js";
import { DIGEST_LANGUAGE_KEYS, type Store } from "./store.js";
import type { SubscriptionStore } from "./store-api.js";
import { ALL, topicLabel } from "./topics.js";

export interface PublisherOptions {
  /** The SQLite Store is taken as it is (wrapped); PostgreSQL's as a SubscriptionStore. */
  readonly store: Store | SubscriptionStore;
  readonly holder: KnowledgeHolder;
  readonly knowledgeDir: string;
  /** `platform:userId` pairs told when a knowledge base is refused. */
  readonly admins?: ReadonlySet<string>;
  /** Platforms that have a dispatcher; admins elsewhere are not queued notices nobody would send. */
  readonly platforms?: () => ReadonlySet<Platform>;
  /** Called after rows were queued, with the platforms that got them. */
  readonly onQueued?: (platforms: ReadonlySet<Platform>) => void;
  readonly log?: Logger;
  /** Paths in problems are shown relative to this. Default: the knowledge folder's parent. */
  readonly displayRoot?: string;
}

export interface Counts {
  readonly added: number;
  readonly changed: number;
  readonly retracted: number;
  readonly dealsAdded: number;
  readonly dealsRemoved: number;
}

export type PublishResult =
  /** No snapshot yet: this version becomes it, and nobody is notified. */
  | { readonly status: "first"; readonly version: string }
  | { readonly status: "unchanged"; readonly version: string }
  | {
      readonly status: "published";
      readonly version: string;
      readonly from: string;
      /** Undefined when nothing a subscriber sees changed (a source title, an alias). */
      readonly changeSet: number | undefined;
      readonly counts: Counts;
      readonly notifications: number;
    };

export type ReloadResult =
  | PublishResult
  | { readonly status: "refused"; readonly errors: readonly Problem[]; readonly serving: string };

export interface ReloadRecord {
  readonly at: number;
  readonly trigger: string;
  readonly result: ReloadResult;
}

export class Publisher {
  private readonly log: Logger;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((result: PublishResult, kb: KnowledgeBase) => void)[] = [];
  private readonly store: SubscriptionStore;
  last: ReloadRecord | undefined;

  constructor(private readonly options: PublisherOptions) {
    this.log = (options.log ?? silentLogger).child({ component: "publisher" });
    this.store = asSubscriptionStore(options.store);
  }

  /**
   * Reads the knowledge folder again; a valid version replaces the one answering and is published.
   * Reloads run one at a time, in the order asked.
   */
  reload(trigger: string, except?: { platform: Platform; chatId: string }): Promise<ReloadResult> {
    const run = this.queue.then(() => this.reloadNow(trigger, except));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `listener` after each publication that changed the knowledge base (status "published"), once
   * its transaction has committed (the feedback loop re-asks pending questions then).
   */
  onPublished(listener: (result: PublishResult, kb: KnowledgeBase) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once the reloads asked for so far have finished. */
  async settled(): Promise<void> {
    await this.queue;
  }

  private async reloadNow(
    trigger: string,
    except?: { platform: Platform; chatId: string },
  ): Promise<ReloadResult> {
    const { holder, knowledgeDir } = this.options;
    let result: ReloadResult;
    const loaded = await loadKnowledgeDir(knowledgeDir, {
      warnings: false,
      displayRoot: this.options.displayRoot ?? path.dirname(knowledgeDir),
    }).catch((error: unknown): { ok: false; errors: Problem[] } => ({
      ok: false,
      errors: [{ file: knowledgeDir, line: 1, column: 1, severity: "error", message: String(error) }],
    }));
    if (!loaded.ok) {
      const serving = holder.current.kb.version;
      result = { status: "refused", errors: loaded.errors, serving };
      this.log.error(
        { trigger, serving, problems: loaded.errors.slice(0, 20).map(formatProblem) },
        "knowledge base refused: still answering from the previous version",
      );
      await this.noticeAdmins(loaded.errors, serving, except);
    } else if (
      loaded.kb.version === holder.current.kb.version &&
      (await this.store.publishedVersion()) === loaded.kb.version
    ) {
      result = { status: "unchanged", version: loaded.kb.version };
    } else {
      holder.replace(buildKnowledge(loaded.kb));
      result = await this.publish(loaded.kb);
      this.log.info({ trigger, ...result }, "knowledge base reloaded");
    }
    this.last = { at: Date.now(), trigger, result };
    return result;
  }

  /**
   * Diffs `kb` against the snapshot and, in one transaction, queues digests and advances the
   * snapshot. The transaction first waits for any other instance publishing (lockPublishing), so
   * of several instances reloading the same version, one publishes and the others find it done.
   */
  async publish(kb: KnowledgeBase): Promise<PublishResult> {
    const queued = new Set<Platform>();
    const result = await this.store.transaction(async (store): Promise<PublishResult> => {
      await store.lockPublishing();
      const published = await store.publishedVersion();
      if (published === kb.version) return { status: "unchanged", version: kb.version };
      const after = snapshotOf(kb);
      if (published === undefined) {
        await store.replaceSnapshot(kb.version, after);
        return { status: "first", version: kb.version };
      }
      const changes = diffKnowledge(await store.snapshot(), kb, after);
      const counts: Counts = {
        added: changes.facts.filter((c) => c.kind === "added").length,
        changed: changes.facts.filter((c) => c.kind === "changed").length,
        retracted: changes.facts.filter((c) => c.kind === "retracted").length,
        dealsAdded: changes.dealsAdded.length,
        dealsRemoved: changes.dealsRemoved.length,
      };
      if (isEmpty(changes)) {
        await store.replaceSnapshot(kb.version, after);
        return {
          status: "published",
          version: kb.version,
          from: published,
          changeSet: undefined,
          counts,
          notifications: 0,
        };
      }
      const changeSet = await store.addChangeSet(published, kb.version, counts);
      // Chats following the same topics get the same digest: build and store it once.
      const digests = new Map<string, number | null>();
      let notifications = 0;
      for (const chat of await store.chats()) {
        const language = await digestLanguage(store, chat.platform, chat.chatId);
        const key = `${[...chat.topics].sort().join("|")}#${language}`;
        let digest = digests.get(key);
        if (digest === undefined) {
          const mine = changesFor(changes, new Set(chat.topics));
          const following = chat.topics.includes(ALL) ? undefined : chat.topics.map((t) => topicLabel(t, kb));
          const reply = buildDigest(mine, kb, { language, ...(following ? { following } : {}) });
          digest = reply ? await store.addDigest(changeSet, reply) : null;
          digests.set(key, digest);
        }
        if (digest === null) continue;
        if (await store.enqueue(chat.platform, chat.chatId, `cs:${changeSet}`, changeSet, digest)) {
          notifications++;
          queued.add(chat.platform);
        }
      }
      await store.replaceSnapshot(kb.version, after);
      return { status: "published", version: kb.version, from: published, changeSet, counts, notifications };
    });
    if (queued.size > 0) this.options.onQueued?.(queued);
    if (result.status === "published") {
      for (const listener of this.listeners) {
        try {
          listener(result, kb);
        } catch (error) {
          this.log.error({ err: error }, "a publication listener failed");
        }
      }
    }
    return result;
  }

  /** Queues the refusal for every admin we can reach, once per distinct set of problems. */
  private async noticeAdmins(
    errors: readonly Problem[],
    serving: string,
    except?: { platform: Platform; chatId: string },
  ): Promise<void> {
    const { admins, platforms } = this.options;
    if (!admins || admins.size === 0) return;
    const active = platforms?.();
    const lines = errors.map(formatProblem);
    const fingerprint = createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
    const queued = new Set<Platform>();
    await this.store.transaction(async (store) => {
      let digest: number | undefined;
      for (const admin of admins) {
        const [platform, userId = ""] = admin.split(":") as [Platform, string];
        if (active && !active.has(platform)) continue;
        // A Telegram user's private chat has the user's id; elsewhere we need to have seen their DM.
        const chatId = platform === "telegram" ? userId : await store.adminChat(platform, userId);
        if (chatId === undefined) {
          this.log.warn({ admin }, "cannot tell this admin: they have not used an admin command in a DM yet");
          continue;
        }
        if (except && except.platform === platform && except.chatId === chatId) continue;
        digest ??= await store.addDigest(null, refusalNotice(errors, serving, formatProblem));
        if (await store.enqueue(platform, chatId, `notice:${fingerprint}`, null, digest))
          queued.add(platform);
      }
    });
    if (queued.size > 0) this.options.onQueued?.(queued);
  }
}

/** The language a chat's digests are written in: its chosen one, else the one it subscribed in, else English. */
async function digestLanguage(
  store: SubscriptionStore,
  platform: Platform,
  chatId: string,
): Promise<Language> {
  for (const key of DIGEST_LANGUAGE_KEYS) {
    const language = languageOfLocale(await store.getChatSetting(platform, chatId, key));
    if (language) return language;
  }
  return "en";
}
