/**
 * Links from replies to the generated site (SITE_URL): a deal's page, and a fact on it by its anchor.
 * Without SITE_URL there is no site to link to, and every link is undefined.
 */
import { dealUrl } from "../site/urls.js";

export interface SiteLinks {
  /** A deal's page, e.g. `https://example.org/deals/netflix-facebook.html`. */
  deal(dealId: string): string | undefined;
  /** A fact on its deal's page, e.g. `…/deals/netflix-facebook.html#nf-inbox-api`. */
  fact(dealId: string, factId: string): string | undefined;
}

export const NO_LINKS: SiteLinks = { deal: () => undefined, fact: () => undefined };

export function siteLinks(siteUrl: string | undefined): SiteLinks {
  if (siteUrl === undefined) return NO_LINKS;
  return {
    deal: (dealId) => dealUrl(siteUrl, dealId),
    fact: (dealId, factId) => dealUrl(siteUrl, dealId, factId),
  };
}
