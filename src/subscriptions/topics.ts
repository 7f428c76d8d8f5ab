/**
 * Subscription topics: what a chat follows, and which facts concern it.
 *
 * A topic is canonical text stored in the database: `all`, `deal:<deal id>` or `entity:<entity id>`.
 * People type names ("Meta", "netflix facebook", "FB"); `parseTopic` turns those into a topic, and
 * `topicsOfFact` says which topics a fact concerns: its deal, the deal's parties, the fact's `by` and
 * `about` entities, and every parent of those (a fact about Instagram concerns Facebook too).
 */

import type { Suggestion } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import { normaliseName } from "../knowledge/load.js";
import { withParents } from "../knowledge/relations.js";
import type { Deal, Entity, KnowledgeBase } from "../knowledge/types.js";
import { typoDistance } from "../search/entities.js";
import { clip } from "../text/clip.js";

export type Topic = "all" | `deal:${string}` | `entity:${string}`;

export const ALL: Topic = "all";

export const dealTopic = (id: string): Topic => `deal:${id}`;
export const entityTopic = (id: string): Topic => `entity:${id}`;

/** Words that mean "everything". */
const ALL_WORDS = new Set(["all", "everything", "*", "any", "all deals"]);

/** Entity kinds offered first in suggestions: people subscribe to companies most. */
const KIND_ORDER: Record<Entity["kind"], number> = {
  company: 0,
  product: 1,
  regulator: 2,
  api: 3,
  person: 4,
  court: 5,
  law: 6,
  organisation: 7,
};

export type ParsedTopic =
  | { readonly ok: true; readonly topic: Topic; readonly label: string }
  | { readonly ok: false; readonly typed: string; readonly suggestions: readonly Suggestion[] };

/** Whether stored text is a well-formed topic (a database written by a later version may hold others). */
export function isTopic(text: string): text is Topic {
  return text === ALL || /^(deal|entity):[a-z0-9-]{1,80}$/.test(text);
}

/**
 * What someone typed after /subscribe or /unsubscribe → a topic. Tried in order: "all"; an explicit
 * `deal:`/`company:`/`entity:` prefix; a deal id; an entity's id, name or alias; a unique deal-id
 * prefix; an entity named inside the text (typos allowed on longer names); a deal whose title
 * names every word of the text.
 */
export function parseTopic(typed: string, kb: KnowledgeBase): ParsedTopic {
  const text = typed.trim();
  const prefix = /^(deal|company|entity)\s*:\s*(.*)$/i.exec(text);
  const only = prefix ? (prefix[1]?.toLowerCase() === "deal" ? "deal" : "entity") : undefined;
  const rest = prefix ? (prefix[2] ?? "") : text;
  const name = normaliseName(rest);
  const slug = name.replace(/\s+/g, "-");
  const found = (topic: Topic): ParsedTopic => ({ ok: true, topic, label: topicLabel(topic, kb) });

  if (!only && ALL_WORDS.has(name === "" ? rest.trim() : name)) return found(ALL);
  if (name !== "") {
    if (only !== "entity" && kb.deals.has(slug)) return found(dealTopic(slug));
    if (only !== "deal") {
      const entity = entityByName(kb, rest);
      if (entity) return found(entityTopic(entity.id));
    }
    if (only !== "entity") {
      const prefixed = [...kb.deals.keys()].filter((id) => id.startsWith(slug));
      if (prefixed.length === 1) return found(dealTopic(prefixed[0] as string));
    }
    if (only !== "deal") {
      const named = entitiesNamedIn(kb, rest);
      if (named.length === 1) return found(entityTopic((named[0] as Entity).id));
    }
    if (only !== "entity") {
      const typedWords = name.split(" ");
      const titled = [...kb.deals.values()].filter((deal) => {
        const titleWords = new Set(normaliseName(deal.title).split(" "));
        return typedWords.every((word) => titleWords.has(word));
      });
      if (titled.length === 1) return found(dealTopic((titled[0] as Deal).id));
    }
  }
  return { ok: false, typed: text.slice(0, 100), suggestions: suggestTopics(rest, kb, 5) };
}

/** A topic in words: "everything", a deal's title, an entity's name; the bare id when it is gone. */
export function topicLabel(topic: Topic, kb: KnowledgeBase): string {
  if (topic === ALL) return "everything";
  const [kind, id = ""] = splitTopic(topic);
  if (kind === "deal") return kb.deals.get(id)?.title ?? id;
  return kb.entities.get(id)?.name ?? id;
}

export function splitTopic(topic: Topic): ["all" | "deal" | "entity", string] {
  if (topic === ALL) return ["all", ""];
  const at = topic.indexOf(":");
  return [topic.slice(0, at) as "deal" | "entity", topic.slice(at + 1)];
}

/** An entity by id, name or alias, compared as the loader compares names. */
export function entityByName(kb: KnowledgeBase, typed: string): Entity | undefined {
  const wanted = normaliseName(typed);
  if (wanted === "") return undefined;
  const byId = kb.entities.get(wanted.replace(/\s+/g, "-"));
  if (byId) return byId;
  for (const entity of kb.entities.values()) {
    if (normaliseName(entity.name) === wanted) return entity;
    if (entity.aliases.some((alias) => normaliseName(alias) === wanted)) return entity;
  }
  return undefined;
}

/** Entities whose name or alias appears as whole words in `typed`, or is one typo away from all of it. */
function entitiesNamedIn(kb: KnowledgeBase, typed: string): Entity[] {
  const text = ` ${normaliseName(typed)} `;
  const found = new Map<string, Entity>();
  for (const entity of kb.entities.values()) {
    for (const label of [entity.name, ...entity.aliases]) {
      const name = normaliseName(label);
      // Two-letter aliases ("FB") only count when they are the whole text, handled by entityByName.
      if (name.length >= 3 && text.includes(` ${name} `)) found.set(entity.id, entity);
    }
  }
  if (found.size > 0) return [...found.values()];
  const whole = normaliseName(typed);
  if (whole.length < 5) return [];
  for (const entity of kb.entities.values()) {
    for (const label of [entity.name, ...entity.aliases]) {
      if (typoDistance(normaliseName(label), whole) <= 1) found.set(entity.id, entity);
    }
  }
  return [...found.values()];
}

/** Every topic a fact of `deals` mentioning `entities` concerns, parents included; always "all". */
export function topicsOf(kb: KnowledgeBase, deals: readonly string[], entities: readonly string[]): Topic[] {
  const topics = new Set<Topic>([ALL, ...deals.map(dealTopic)]);
  for (const id of withParents(kb, entities)) topics.add(entityTopic(id));
  return [...topics];
}

/**
 * Topics matching what has been typed so far, for autocomplete: "all", then deals by id or title,
 * then entities by name or alias (companies first). Values parse back to the same topic.
 */
export function suggestTopics(prefix: string, kb: KnowledgeBase, limit = 25): Suggestion[] {
  const typed = normaliseName(prefix);
  const slug = typed.replace(/\s+/g, "-");
  const out: Suggestion[] = [];
  if (typed === "" || "all".startsWith(typed) || "everything".startsWith(typed)) {
    out.push({ label: t("en", "subscriptions.everythingChoice"), value: "all" });
  }
  const entities = [...kb.entities.values()]
    .filter((entity) => {
      if (typed === "") return entity.kind === "company";
      return [entity.name, ...entity.aliases].some((label) => normaliseName(label).startsWith(typed));
    })
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
  const deals = [...kb.deals.values()]
    .filter((deal) => typed === "" || deal.id.includes(slug) || normaliseName(deal.title).includes(typed))
    .sort(
      (a, b) => Number(!a.id.startsWith(slug)) - Number(!b.id.startsWith(slug)) || a.id.localeCompare(b.id),
    );
  // Interleave so that a short list still offers both kinds.
  const entityItems = entities.map((entity) => ({
    label: clip(`${entity.name} (${entity.kind})`, 100),
    // A name that reads as a deal id would parse as the deal: say which is meant.
    value: kb.deals.has(normaliseName(entity.name).replace(/\s+/g, "-"))
      ? `entity:${entity.id}`
      : entity.name,
  }));
  const dealItems = deals.map((deal) => ({ label: clip(`Deal: ${deal.title}`, 100), value: deal.id }));
  for (let i = 0; out.length < limit && (i < entityItems.length || i < dealItems.length); i++) {
    const entity = entityItems[i];
    const deal = dealItems[i];
    if (entity) out.push(entity);
    if (deal && out.length < limit) out.push(deal);
  }
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(s.value) && seen.add(s.value)).slice(0, limit);
}
