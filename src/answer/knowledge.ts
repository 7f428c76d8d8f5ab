/**
 * One loaded version of the knowledge base with its index and engine, and the holder that
 * swaps versions atomically: a request sees one version from start to end.
 */
import type { KnowledgeBase } from "../knowledge/types.js";
import { FactIndex, type SavedIndex } from "../search/fact-index.js";
import { AnswerEngine } from "./engine.js";

export interface Knowledge {
  readonly kb: KnowledgeBase;
  readonly index: FactIndex;
  readonly engine: AnswerEngine;
}

/** The index and engine of a knowledge base; from a saved index (see search/index-cache.ts) when there is one. */
export function buildKnowledge(kb: KnowledgeBase, saved?: SavedIndex): Knowledge {
  const index = FactIndex.build(kb, saved);
  return { kb, index, engine: new AnswerEngine(kb, index) };
}

export class KnowledgeHolder {
  constructor(private knowledge: Knowledge) {}

  get current(): Knowledge {
    return this.knowledge;
  }

  replace(next: Knowledge): void {
    this.knowledge = next;
  }
}
