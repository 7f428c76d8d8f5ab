/**
 * Where things are on the generated site: paths relative to its root (for links between pages)
 * and absolute URLs under SITE_URL (for links from answers, the feed, anything outside it).
 */

/** A deal's page, from the site's root: `deals/<deal id>.html`. */
export function dealPath(dealId: string): string {
  return `deals/${encodeURIComponent(dealId)}.html`;
}

/** A company's page, from the site's root: `companies/<entity id>.html`. */
export function companyPath(entityId: string): string {
  return `companies/${encodeURIComponent(entityId)}.html`;
}

/** `path` under `siteUrl`, whether or not SITE_URL ends in a slash; its own query and fragment dropped. */
export function siteLink(siteUrl: string, path: string): string {
  const base = new URL(siteUrl);
  base.search = "";
  base.hash = "";
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return new URL(path, base).href;
}

/**
 * A deal's page under `siteUrl`, or one of its facts on that page (`#<fact id>`):
 * `dealUrl("https://example.org/receipts", "netflix-facebook", "nf-inbox-api")` is
 * `https://example.org/receipts/deals/netflix-facebook.html#nf-inbox-api`.
 */
export function dealUrl(siteUrl: string, dealId: string, factId?: string): string {
  const url = siteLink(siteUrl, dealPath(dealId));
  return factId === undefined ? url : `${url}#${encodeURIComponent(factId)}`;
}
