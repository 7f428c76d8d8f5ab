/**
 * Finds the entities a question names — by name or alias, across several words, with a
 * little typo tolerance on longer names — so "meta", "FB" and "facebok" all mean Facebook.
 */
import type { Entity, KnowledgeBase } from "../knowledge/types.js";
import { words } from "./text.js";

/** The knowledge base's spelling of a typed word, and how many typos away it is (0: as typed). */
export type Speller = (word: string) => { readonly word: string; readonly distance: number } | undefined;

export interface EntityMention {
  readonly entity: Entity;
  /** Index of the first word and the number of words the mention covers. */
  readonly start: number;
  readonly length: number;
}

const MAX_WORDS = 5;

export class EntityMatcher {
  /** Normalised name or alias (words joined by a space) → entity. */
  private readonly byName = new Map<string, Entity>();
  /** One-word names of four letters or more, for typo matching. */
  private readonly fuzzyNames: { name: string; entity: Entity }[] = [];

  constructor(kb: KnowledgeBase) {
    for (const entity of kb.entities.values()) {
      for (const label of [entity.name, ...entity.aliases]) {
        const key = words(label).join(" ");
        if (!key || this.byName.has(key)) continue;
        this.byName.set(key, entity);
        if (!key.includes(" ") && key.length >= 4) this.fuzzyNames.push({ name: key, entity });
      }
    }
  }

  /**
   * Mentions among `tokens` (see text.ts `words`), longest first, never overlapping. A word is typo-matched to a name
   * only when `speller` knows no closer ordinary word ("securty" is security, not Securus).
   */
  find(tokens: readonly string[], speller: Speller = () => undefined): EntityMention[] {
    const mentions: EntityMention[] = [];
    let i = 0;
    while (i < tokens.length) {
      const mention = this.longestAt(tokens, i) ?? this.fuzzyAt(tokens, i, speller);
      if (mention) {
        mentions.push(mention);
        i += mention.length;
      } else {
        i++;
      }
    }
    return mentions;
  }

  private longestAt(tokens: readonly string[], start: number): EntityMention | undefined {
    for (let length = Math.min(MAX_WORDS, tokens.length - start); length >= 1; length--) {
      const entity = this.byName.get(tokens.slice(start, start + length).join(" "));
      if (entity) return { entity, start, length };
    }
    return undefined;
  }

  private fuzzyAt(tokens: readonly string[], start: number, speller: Speller): EntityMention | undefined {
    const token = tokens[start] ?? "";
    const allowed = typoAllowance(token, 4);
    if (allowed === 0) return undefined;
    const word = speller(token);
    if (word?.distance === 0) return undefined;
    let best: { entity: Entity; d: number } | undefined;
    for (const { name, entity } of this.fuzzyNames) {
      if (Math.abs(name.length - token.length) > allowed) continue;
      if (name[0] !== token[0]) continue;
      const d = typoDistance(token, name);
      if (d <= allowed && (!best || d < best.d)) best = { entity, d };
    }
    if (!best) return undefined;
    // A tie with an ordinary word goes to the word, unless the word is the name itself.
    if (word && word.distance <= best.d && !words(best.entity.name).includes(word.word)) return undefined;
    return { entity: best.entity, start, length: 1 };
  }
}

/**
 * Typos tolerated in a word of this length: two from nine letters, one below that, none below
 * `shortest` letters. Names get a lower `shortest` (4: "vizo" is Vizio) than ordinary words
 * (5: "uber" must not become "user").
 */
export function typoAllowance(word: string, shortest = 5): number {
  if (word.length < shortest) return 0;
  return word.length >= 9 ? 2 : 1;
}

/**
 * Edit distance where swapping two neighbouring letters counts as one typo (optimal string
 * alignment), so "netfilx" is one typo from "netflix".
 */
export function typoDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Math.abs(a.length - b.length);
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
