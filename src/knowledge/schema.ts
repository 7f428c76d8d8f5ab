/**
 * The shape of each knowledge file, as zod schemas. Cross-file rules (does a cited source
 * exist?) live in validate.ts; these only check one file at a time.
 */
import { z } from "zod";
import { quote } from "./report.js";
import { AMOUNT_PERIODS, DEAL_STATUSES, ENTITY_KINDS, FACT_STATUSES, SOURCE_KINDS } from "./types.js";

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** True for a real calendar date in one of the three precisions. */
export function isPartialDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [, , month, day] = match;
  if (month === undefined) return true;
  const m = Number(month);
  if (m < 1 || m > 12) return false;
  if (day === undefined) return true;
  const d = Number(day);
  const daysInMonth = new Date(Date.UTC(Number(match[1]), m, 0)).getUTCDate();
  return d >= 1 && d <= daysInMonth;
}

const text = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, { error: `${what} must not be empty` });

const slug = (what: string) =>
  text(what).regex(SLUG, { error: `${what} must be a lowercase slug (a-z, 0-9 and -)` });

/** YAML reads an unquoted 2013 as a number; a year is still a date to us. */
const partialDate = (what: string) =>
  z.preprocess(
    (value) => (typeof value === "number" && Number.isInteger(value) ? String(value) : value),
    z
      .string({ error: `${what} must be a date as YYYY, YYYY-MM or YYYY-MM-DD` })
      .refine(isPartialDate, { error: `${what} must be a date as YYYY, YYYY-MM or YYYY-MM-DD` }),
  );

const url = (what: string) =>
  text(what).refine(
    (value) => {
      try {
        const parsed = new URL(value);
        return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname.includes(".");
      } catch {
        return false;
      }
    },
    { error: `${what} must be an absolute http(s) URL` },
  );

const oneOf = <T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, {
    error: (issue) => `${what} must be one of ${values.join(", ")} (got ${quote(issue.input)})`,
  });

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: "must be a list" });

export const sourceSchema = z.strictObject({
  id: slug("source id"),
  url: url("url"),
  title: text("title"),
  publisher: text("publisher"),
  published: partialDate("published").optional(),
  kind: oneOf("kind", SOURCE_KINDS),
  original: z
    .strictObject({
      publisher: text("original publisher"),
      url: url("original url").optional(),
      title: text("original title").optional(),
    })
    .optional(),
  note: text("note").optional(),
});

export const sourcesFileSchema = z.strictObject({
  sources: list(sourceSchema).min(1, { error: "sources must list at least one source" }),
});

export const entitySchema = z.strictObject({
  id: slug("entity id"),
  name: text("name"),
  kind: oneOf("kind", ENTITY_KINDS),
  aliases: list(text("alias")).default([]),
  parent: slug("parent").nullish(),
  description: text("description").optional(),
});

export const entitiesFileSchema = z.strictObject({
  entities: list(entitySchema).min(1, { error: "entities must list at least one entity" }),
});

export const amountSchema = z.strictObject({
  value: z.number({ error: "amount value must be a number" }).nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: "currency must be an ISO 4217 code such as USD or EUR" }),
  to: z.number({ error: "amount to must be a number" }).nonnegative().optional(),
  per: oneOf("per", AMOUNT_PERIODS).optional(),
  approximate: z.boolean().optional(),
});

export const countSchema = z.strictObject({
  value: z.number({ error: "count value must be a number" }).nonnegative(),
  unit: text("count unit"),
  approximate: z.boolean().optional(),
});

export const factSchema = z.strictObject({
  id: slug("fact id"),
  text: text("text"),
  status: oneOf("status", FACT_STATUSES),
  sources: list(slug("source id")).min(1, { error: "a fact must cite at least one source" }),
  date: partialDate("date").optional(),
  amount: amountSchema.optional(),
  count: countSchema.optional(),
  by: list(slug("entity id")).default([]),
  about: list(slug("entity id")).default([]),
  questions: list(text("question")).default([]),
});

export const dealFileSchema = z.strictObject({
  id: slug("deal id").max(40, {
    error: "deal id must be at most 40 characters (it travels in buttons and links)",
  }),
  title: text("title"),
  label: text("label")
    .max(48, { error: "label must be at most 48 characters (it is a deal's short name)" })
    .optional(),
  parties: list(slug("party")).min(1, { error: "a deal needs at least one party" }),
  status: oneOf("status", DEAL_STATUSES),
  period: z
    .strictObject({ from: partialDate("period from"), to: partialDate("period to").optional() })
    .optional(),
  summary: text("summary"),
  tags: list(text("tag")).default([]),
  related: list(slug("related deal id")).default([]),
  // Facts are checked one by one (factSchema), so one bad fact doesn't hide the whole deal.
  facts: list(z.unknown()).min(1, { error: "a deal needs at least one fact" }),
});

export type SourcesFile = z.output<typeof sourcesFileSchema>;
export type EntitiesFile = z.output<typeof entitiesFileSchema>;
export type DealFile = z.output<typeof dealFileSchema>;
export type FactEntry = z.output<typeof factSchema>;

/** Looks through optional, default, nullable and pipe wrappers to the schema that does the work. */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  for (;;) {
    const def = (current as { def?: { type?: string; innerType?: z.ZodType; out?: z.ZodType } } | undefined)
      ?.def;
    if (def?.innerType) current = def.innerType;
    else if (def?.type === "pipe" && def.out) current = def.out;
    else return current;
  }
}

/** The keys an object accepts at `path` within `schema`, for "did you mean" hints. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const step of path) {
    if (current instanceof z.ZodArray && typeof step === "number")
      current = unwrap(current.element as z.ZodType);
    else if (current instanceof z.ZodObject && typeof step === "string")
      current = unwrap(current.shape[step] as z.ZodType | undefined);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}
