/** Numbered citations: sources numbered in order of first use, shared by every fact that cites them. */
import { tierOf } from "../knowledge/tiers.js";
import type { Source } from "../knowledge/types.js";
import type { Citation } from "./types.js";

export class Citations {
  private readonly numbers = new Map<string, number>();
  /** The citations so far, numbered 1..n. */
  readonly list: Citation[] = [];

  constructor(private readonly sources: ReadonlyMap<string, Source>) {}

  /** How many sources are numbered so far. */
  get size(): number {
    return this.list.length;
  }

  /** Whether this source already has a number. */
  has(id: string): boolean {
    return this.numbers.has(id);
  }

  /** The numbers of these sources, numbering the ones not cited before; unknown ids are skipped. */
  cite(ids: readonly string[]): number[] {
    return ids.flatMap((id) => {
      let n = this.numbers.get(id);
      if (n === undefined) {
        const source = this.sources.get(id);
        if (!source) return [];
        n = this.list.length + 1;
        this.numbers.set(id, n);
        this.list.push(citationOf(source, n));
      }
      return [n];
    });
  }
}

export function citationOf(source: Source, n: number): Citation {
  return {
    n,
    id: source.id,
    url: source.url,
    title: source.title,
    publisher: source.publisher,
    ...(source.published ? { published: source.published } : {}),
    ...(source.original ? { original: source.original } : {}),
    tier: tierOf(source),
  };
}
