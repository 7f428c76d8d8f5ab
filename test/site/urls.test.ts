import { describe, expect, it } from "vitest";
import { companyPath, dealPath, dealUrl, siteLink } from "../../src/site/urls.js";

describe("dealUrl", () => {
  it("links a deal's page, and a fact on it, under SITE_URL with or without a final slash", () => {
    expect(dealUrl("https://example.org", "netflix-facebook")).toBe(
      "https://example.org/deals/netflix-facebook.html",
    );
    for (const base of ["https://example.org/receipts", "https://example.org/receipts/"])
      expect(dealUrl(base, "netflix-facebook", "nf-inbox-api")).toBe(
        "https://example.org/receipts/deals/netflix-facebook.html#nf-inbox-api",
      );
  });
});

describe("site paths", () => {
  it("puts deals and companies in folders of their own, relative to the site's root", () => {
    expect(dealPath("netflix-facebook")).toBe("deals/netflix-facebook.html");
    expect(companyPath("facebook")).toBe("companies/facebook.html");
    expect(siteLink("https://example.org/receipts?x=1#top", "feed.xml")).toBe(
      "https://example.org/receipts/feed.xml",
    );
  });
});
