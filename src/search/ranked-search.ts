/**
 * MiniSearch's own BM25+ search, scored into reusable typed arrays instead of an object, an
 * array and a map per matching document: an answer used to allocate most of its memory (and
 * spend a third of its time) there, for a ranking of which it reads only the first few hundred.
 * The scores, and the order of documents with equal scores, are exactly those of
 * `MiniSearch.search` with the index's search options (exact terms, OR, no document boost):
 * test/search/ranked-search.test.ts compares the two on the real knowledge base.
 */
import MiniSearch, { type AsPlainObject, type Options } from "minisearch";

/** One search's documents, best first; read them with `next` until it gives -1. */
export interface Ranking {
  /** The next document (its short id), or -1 when none is left. */
  next(): number;
  /** The document's id as indexed. */
  id(doc: number): string;
  score(doc: number): number;
  /**
   * The query terms the document matched, in the query's order (MiniSearch's `queryTerms`);
   * documents matching the same terms share one array.
   */
  terms(doc: number): readonly string[];
  /** The query terms found in the first of the index's fields, in the query's order (shared likewise). */
  termsIn(doc: number, field: string): readonly string[];
}

export class RankedSearch<T> extends MiniSearch<T> {
  /** Per document: its length in each field, `fields` wide (read once, not a map look-up per posting). */
  private lengths = new Float64Array(0);
  private ids: string[] = [];
  private fieldCount = 0;
  // Scratch space reused by every search (searches run one at a time).
  private total = new Float64Array(0);
  private final = new Float64Array(0);
  private termScore = new Float64Array(0);
  private seenIn = new Int32Array(0);
  private seenByTerm = new Int32Array(0);
  private order = new Int32Array(0);
  private masks = new Uint32Array(0);
  private fieldMasks = new Uint32Array(0);
  private touched = new Int32Array(0);
  private found = new Int32Array(0);
  private heap = new Int32Array(0);
  private searches = 0;
  private termStamp = 0;
  private words = 1;

  /** An index saved with `toJSON`, read back as a RankedSearch. */
  static loadRanked<T>(saved: AsPlainObject, options: Options<T>): RankedSearch<T> {
    const ranked = new RankedSearch<T>(options);
    Object.assign(ranked, MiniSearch.loadJS<T>(saved, options));
    return ranked;
  }

  /**
   * Readies the per-document tables; call after adding documents (the index is not changed
   * afterwards: documents added later are not searched).
   */
  prepare(): void {
    const size = this._nextId;
    const fields = Object.keys(this._fieldIds).length;
    this.fieldCount = fields;
    this.lengths = new Float64Array(size * fields);
    this.ids = new Array<string>(size);
    for (const [doc, id] of this._documentIds) {
      this.ids[doc] = String(id);
      const lengths = this._fieldLength.get(doc) ?? [];
      for (let f = 0; f < fields; f++) this.lengths[doc * fields + f] = lengths[f] ?? 0;
    }
    this.total = new Float64Array(size);
    this.final = new Float64Array(size);
    this.termScore = new Float64Array(size);
    this.seenIn = new Int32Array(size);
    this.seenByTerm = new Int32Array(size);
    this.order = new Int32Array(size);
    this.touched = new Int32Array(size);
    this.found = new Int32Array(size);
    this.heap = new Int32Array(size);
    this.words = 0;
  }

  /**
   * Documents matching any of `terms` (as the index's processTerm gives them), scored as
   * MiniSearch scores them with `boost` per field, `bm25`, and `termBoost` per term;
   * `accept` drops documents (MiniSearch's `filter`), keeping the others' order.
   */
  ranked(
    terms: readonly string[],
    options: {
      readonly boost: Readonly<Record<string, number>>;
      readonly bm25: { readonly k: number; readonly b: number; readonly d: number };
      readonly termBoost?: (term: string) => number;
      readonly accept?: (id: string) => boolean;
    },
  ): Ranking {
    const words = Math.max(1, Math.ceil(terms.length / 32));
    this.ensureMasks(words);
    const search = ++this.searches;
    const { total, final, termScore, seenIn, seenByTerm, order, masks, fieldMasks, touched, found } = this;
    const fieldNames = (this._options.fields ?? []) as string[];
    const { k, b, d } = options.bm25;
    let count = 0;
    terms.forEach((term, t) => {
      const data = this._index.get(term);
      if (!data) return;
      const stamp = ++this.termStamp;
      const termBoost = options.termBoost ? options.termBoost(term) : 1;
      const word = t >>> 5;
      const bit = 1 << (t & 31);
      let touchedCount = 0;
      for (const field of fieldNames) {
        const fieldId = this._fieldIds[field] as number;
        const freqs = data.get(fieldId);
        if (!freqs) continue;
        const fieldBoost = options.boost[field] || 1;
        const matching = freqs.size;
        const average = this._avgFieldLength[fieldId] as number;
        const invDocFreq = Math.log(1 + (this._documentCount - matching + 0.5) / (matching + 0.5));
        for (const doc of freqs.keys()) {
          const termFreq = freqs.get(doc) as number;
          const fieldLength = this.lengths[doc * this.fieldCount + fieldId] as number;
          // MiniSearch's BM25+ and weighting, operation for operation (the same floating-point result).
          const raw =
            invDocFreq * (d + (termFreq * (k + 1)) / (termFreq + k * (1 - b + (b * fieldLength) / average)));
          const weighted = termBoost * fieldBoost * raw;
          if (seenByTerm[doc] !== stamp) {
            seenByTerm[doc] = stamp;
            if (seenIn[doc] !== search) for (let w = 0; w < words; w++) fieldMasks[doc * words + w] = 0;
            termScore[doc] = weighted;
            touched[touchedCount++] = doc;
          } else termScore[doc] = (termScore[doc] as number) + weighted;
          if (fieldId === 0)
            fieldMasks[doc * words + word] = (fieldMasks[doc * words + word] as number) | bit;
        }
      }
      // MiniSearch adds up each term's score for a document (its fields first), in the terms' order.
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i] as number;
        if (seenIn[doc] !== search) {
          seenIn[doc] = search;
          total[doc] = termScore[doc] as number;
          order[doc] = count;
          found[count++] = doc;
          for (let w = 0; w < words; w++) masks[doc * words + w] = 0;
        } else total[doc] = (total[doc] as number) + (termScore[doc] as number);
        masks[doc * words + word] = (masks[doc * words + word] as number) | bit;
      }
    });
    // A document's score is multiplied by how many of the query's terms it matched.
    let size = 0;
    const heap = this.heap;
    for (let i = 0; i < count; i++) {
      const doc = found[i] as number;
      if (options.accept && !options.accept(this.ids[doc] as string)) continue;
      let matched = 0;
      for (let w = 0; w < words; w++) matched += bitCount(masks[doc * words + w] as number);
      final[doc] = (total[doc] as number) * (matched || 1);
      heap[size++] = doc;
    }
    // Best first; equal scores in the order MiniSearch found them (its sort is stable).
    const before = (a: number, c: number) =>
      (final[a] as number) > (final[c] as number) ||
      (final[a] === final[c] && (order[a] as number) < (order[c] as number));
    const down = (from: number, length: number) => {
      let at = from;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= length) return;
        const right = left + 1;
        const best = right < length && before(heap[right] as number, heap[left] as number) ? right : left;
        if (!before(heap[best] as number, heap[at] as number)) return;
        const swap = heap[at] as number;
        heap[at] = heap[best] as number;
        heap[best] = swap;
        at = best;
      }
    };
    for (let i = (size >> 1) - 1; i >= 0; i--) down(i, size);
    const queryTerms = [...terms];
    // Many documents match the same terms: one array per combination, shared (read-only).
    const shared = [new Map<number, string[]>(), new Map<number, string[]>()];
    const termsOf = (doc: number, bits: Uint32Array, which: 0 | 1): string[] => {
      const single = words === 1 ? (bits[doc] as number) : -1;
      const cached = single >= 0 ? shared[which]?.get(single) : undefined;
      if (cached) return cached;
      const out: string[] = [];
      for (let t = 0; t < queryTerms.length; t++)
        if (((bits[doc * words + (t >>> 5)] as number) & (1 << (t & 31))) !== 0)
          out.push(queryTerms[t] as string);
      if (single >= 0) shared[which]?.set(single, out);
      return out;
    };
    return {
      next: () => {
        if (size === 0 || this.searches !== search) return -1;
        const top = heap[0] as number;
        heap[0] = heap[--size] as number;
        down(0, size);
        return top;
      },
      id: (doc) => this.ids[doc] as string,
      score: (doc) => final[doc] as number,
      terms: (doc) => termsOf(doc, masks, 0),
      termsIn: (doc, field) => {
        if (this._fieldIds[field] !== 0)
          throw new Error(`only the first field's terms are kept, not ${field}'s`);
        return termsOf(doc, fieldMasks, 1);
      },
    };
  }

  /** Whether a document's `field` holds `term` as indexed (a look-up in the index, not a read of the text). */
  holds(id: string, field: string, term: string): boolean {
    const doc = this._idToShortId.get(id);
    const fieldId = this._fieldIds[field];
    if (doc === undefined || fieldId === undefined) return false;
    return this._index.get(term)?.get(fieldId)?.has(doc) ?? false;
  }

  /** Room for `words` 32-bit masks per document, cleared. */
  private ensureMasks(words: number): void {
    if (words !== this.words) {
      this.words = words;
      this.masks = new Uint32Array(this.ids.length * words);
      this.fieldMasks = new Uint32Array(this.ids.length * words);
    }
  }
}

function bitCount(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
