/**
 * "Similar wording" for coverage gaps, by the engine's own analysis: two questions are one gap when
 * they name the same entities and leave the same search terms (stemmed, typos corrected, in English).
 */
import type { FactIndex } from "../search/fact-index.js";

export function gapKey(index: FactIndex, question: string): string {
  const query = index.analyse(question);
  const entities = [...new Set(query.entities.map((entity) => entity.id))].sort();
  const terms = [...new Set(query.terms)].sort();
  return `${entities.join(",")}|${terms.join(" ")}`;
}
