/** The knowledge base as the rest of the bot sees it: typed, validated and frozen. */

export const FACT_STATUSES = ["alleged", "reported", "confirmed", "denied", "ruled", "unsupported"] as const;
export type FactStatus = (typeof FACT_STATUSES)[number];

/** How a fact's status is shown to readers, everywhere (answers, timelines, the site). */
export const FACT_STATUS_LABEL: Readonly<Record<FactStatus, string>> = {
  alleged: "Alleged",
  reported: "Reported",
  confirmed: "Confirmed",
  denied: "Denied",
  ruled: "Ruled",
  unsupported: "Not supported",
};

export const DEAL_STATUSES = [
  "alleged",
  "reported",
  "confirmed",
  "litigation",
  "settled",
  "fined",
  "ruled",
  "closed",
] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

export const ENTITY_KINDS = [
  "company",
  "person",
  "product",
  "api",
  "law",
  "regulator",
  "court",
  "organisation",
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * What a source is. court, regulator, government and company pages are primary documents;
 * press and research are original reporting (unless `original` says the page carries another
 * outlet's text); blog, forum and other pages are copies or commentary. See tiers.ts.
 */
export const SOURCE_KINDS = [
  "court",
  "regulator",
  "government",
  "company",
  "press",
  "research",
  "blog",
  "forum",
  "other",
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const AMOUNT_PERIODS = ["year", "month", "week", "day", "user", "violation"] as const;
export type AmountPeriod = (typeof AMOUNT_PERIODS)[number];

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: as precise as the sources are, no more. */
export type PartialDate = string;

export interface Source {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly publisher: string;
  readonly published?: PartialDate;
  readonly kind: SourceKind;
  /** Set when `url` is a repost or rewrite: the outlet that first published it. */
  readonly original?: { readonly publisher: string; readonly url?: string; readonly title?: string };
  readonly note?: string;
}

export interface Entity {
  readonly id: string;
  readonly name: string;
  readonly kind: EntityKind;
  readonly aliases: readonly string[];
  readonly parent?: string;
  readonly description?: string;
}

export interface Amount {
  readonly value: number;
  readonly currency: string;
  readonly to?: number;
  readonly per?: AmountPeriod;
  readonly approximate?: boolean;
}

/** How many of something: users, people, records, apps, partners… */
export interface Count {
  readonly value: number;
  /** What is counted, plural: "users", "people", "records". */
  readonly unit: string;
  readonly approximate?: boolean;
}

export interface Fact {
  readonly id: string;
  readonly deal: string;
  readonly text: string;
  readonly status: FactStatus;
  readonly sources: readonly string[];
  readonly date?: PartialDate;
  readonly amount?: Amount;
  readonly count?: Count;
  /** Who alleges, says, denies or rules it (entity ids). */
  readonly by: readonly string[];
  /** Entities the fact is about beyond the deal's parties. */
  readonly about: readonly string[];
  /** Ways people ask for exactly this fact; indexed, never shown. */
  readonly questions: readonly string[];
}

export interface Deal {
  readonly id: string;
  readonly title: string;
  /** A short name for headings and buttons ("Netflix–Facebook inbox API"); see dealLabel. */
  readonly label?: string;
  readonly parties: readonly string[];
  readonly status: DealStatus;
  readonly period?: { readonly from: PartialDate; readonly to?: PartialDate };
  readonly summary: string;
  readonly tags: readonly string[];
  readonly related: readonly string[];
  readonly facts: readonly Fact[];
}

export interface KnowledgeBase {
  /** A content hash: two knowledge bases with the same facts have the same version. */
  readonly version: string;
  readonly sources: ReadonlyMap<string, Source>;
  readonly entities: ReadonlyMap<string, Entity>;
  readonly deals: ReadonlyMap<string, Deal>;
  readonly facts: ReadonlyMap<string, Fact>;
}

/** A problem found while loading, located in its file. Lines and columns start at 1. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: "error" | "warning";
  readonly message: string;
}

export type LoadResult =
  | { readonly ok: true; readonly kb: KnowledgeBase; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly errors: readonly Problem[]; readonly warnings: readonly Problem[] };
