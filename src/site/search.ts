/**
 * What the site's search box searches: one small document per deal, with its parties' names and
 * every alias (so "FB" and "Meta" find Facebook's deals), and the MiniSearch options the browser
 * uses with them. The page carries both as JSON; the browser builds the index with the same
 * MiniSearch the bot uses, shipped as a local file.
 */
import { dealLabel, withParents } from "../knowledge/relations.js";
import type { Deal, KnowledgeBase } from "../knowledge/types.js";

export interface SearchDocument {
  readonly id: string;
  readonly label: string;
  readonly title: string;
  /** Names and aliases of the deal's parties and of their parent companies. */
  readonly parties: string;
  readonly tags: string;
  readonly summary: string;
}

export const SEARCH_OPTIONS = {
  fields: ["label", "title", "parties", "tags", "summary"],
  storeFields: [],
} as const;

export const SEARCH_QUERY_OPTIONS = {
  boost: { label: 3, parties: 3, title: 2, tags: 1.5 },
  prefix: true,
  fuzzy: 0.2,
  combineWith: "AND",
} as const;

export function searchDocument(deal: Deal, kb: KnowledgeBase): SearchDocument {
  const parties = [...withParents(kb, deal.parties)]
    .map((id) => kb.entities.get(id))
    .flatMap((entity) => (entity ? [entity.name, ...entity.aliases] : []));
  return {
    id: deal.id,
    label: dealLabel(deal),
    title: deal.title,
    parties: [...new Set(parties)].join(" · "),
    tags: deal.tags.join(" · "),
    summary: deal.summary,
  };
}

/** The JSON the index page carries for its search box. */
export function searchData(deals: readonly Deal[], kb: KnowledgeBase): string {
  return JSON.stringify({
    options: SEARCH_OPTIONS,
    searchOptions: SEARCH_QUERY_OPTIONS,
    documents: deals.map((deal) => searchDocument(deal, kb)),
  });
}
