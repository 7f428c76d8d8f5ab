/** Which deals each company is in: as a party (itself or through a company it owns), or only mentioned in a fact. */
import { entitiesOfFact, withParents } from "../knowledge/relations.js";
import type { Deal, KnowledgeBase } from "../knowledge/types.js";

export interface CompanyDeals {
  readonly party: Deal[];
  readonly mentioned: Deal[];
}

/** Every entity of kind company, with its deals (either list may be empty). */
export function companyDeals(kb: KnowledgeBase): Map<string, CompanyDeals> {
  const companies = new Map<string, CompanyDeals>();
  for (const entity of kb.entities.values())
    if (entity.kind === "company") companies.set(entity.id, { party: [], mentioned: [] });
  for (const deal of kb.deals.values()) {
    const parties = withParents(kb, deal.parties);
    const mentioned = withParents(
      kb,
      deal.facts.flatMap((fact) => entitiesOfFact(fact, undefined)),
    );
    for (const [id, deals] of companies) {
      if (parties.has(id)) deals.party.push(deal);
      else if (mentioned.has(id)) deals.mentioned.push(deal);
    }
  }
  return companies;
}
