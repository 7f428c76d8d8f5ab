/** Replies for the renderer tests: a few written out, and fast-check arbitraries for the rest. */
import fc from "fast-check";
import type { Citation } from "../../src/answer/types.js";
import type { Action, Block, Inline, Reply } from "../../src/bot/types.js";

const citation = (n: number, fields: Partial<Citation> = {}): Citation => ({
  n,
  id: `source-${n}`,
  url: `https://news.example/${n}`,
  title: `Source number ${n}`,
  publisher: "Example News",
  published: "2024-04-02",
  tier: "original",
  ...fields,
});

/** Three facts about one deal, citing four sources. */
export const answer: Reply = {
  tone: "answer",
  title: "Acme and StreamCo",
  blocks: [
    {
      kind: "item",
      content: [{ text: "Confirmed:", bold: true }, " Acme shares viewing data with StreamCo."],
      cites: [1, 2],
    },
    { kind: "item", content: [{ text: "Reported:", bold: true }, " StreamCo pays $5m a year."], cites: [3] },
    { kind: "item", content: [{ text: "Alleged:", bold: true }, " Users were not told."], cites: [4, 1] },
  ],
  citations: [
    citation(1, { title: "Acme annual report", publisher: "Acme", published: "2024-04-02" }),
    citation(2, { title: "The data deal", publisher: "Wire", published: "2024-04" }),
    citation(3, {
      title: "StreamCo pays up",
      publisher: "Daily",
      published: "2023",
      original: { publisher: "Reuters" },
    }),
    citation(4, { title: "Complaint", publisher: "District Court" }),
  ],
  footer: "Alleged: claimed in a filing or by a party, not proven.",
  actions: [
    { label: "Sources", data: "src:acme-streamco" },
    { label: "More on this deal", data: "deal:acme-streamco" },
    { label: "Related deals", data: "rel:acme-streamco" },
  ],
};

export const unknown: Reply = {
  tone: "unknown",
  blocks: [
    { kind: "paragraph", content: ["I don't know that: nothing in my knowledge base answers it."] },
    { kind: "heading", content: ["Try asking"] },
    { kind: "item", content: [{ text: "What data does Acme share?", italic: true }] },
  ],
  citations: [],
  actions: [],
};

export const help: Reply = {
  tone: "info",
  title: "Help",
  blocks: [
    { kind: "paragraph", content: ["Ask me about data-sharing deals."] },
    { kind: "heading", content: ["Commands"] },
    { kind: "item", content: [{ text: "/deals", code: true }, " lists every deal"] },
    { kind: "item", content: [{ text: "/sources", code: true }, " lists a deal's sources"] },
  ],
  citations: [],
  actions: [],
  ephemeral: true,
};

/** Every character a platform might read as markup, a ping, emoji and right-to-left text. */
export const NASTY_TEXT = `<b>5 < 6 & 7 > 3</b> "quoted" *bold* _under_ \`code\` [link](https://x.example) @everyone 😀👩‍👩‍👧 שלום عالم`;

export const nasty: Reply = {
  tone: "answer",
  title: NASTY_TEXT,
  blocks: [
    { kind: "paragraph", content: [NASTY_TEXT], cites: [1] },
    { kind: "item", content: [{ text: NASTY_TEXT, href: 'https://x.example/?a=1&b="2"' }] },
  ],
  citations: [citation(1, { title: NASTY_TEXT, publisher: "<Pub> & *Co*" })],
  footer: NASTY_TEXT,
  actions: [{ label: NASTY_TEXT, data: "src:x" }],
};

const LONG_WORDS = Array.from({ length: 2000 }, (_, i) => `word${i % 10}`).join(" ");

/** One block of 10,000+ characters, before and after a short one. */
export const long: Reply = {
  tone: "answer",
  title: "A long answer",
  blocks: [
    { kind: "paragraph", content: [LONG_WORDS], cites: [1] },
    { kind: "paragraph", content: ["After the long one."], cites: [2] },
  ],
  citations: [citation(1), citation(2)],
  actions: [],
};

// --- Arbitraries ---------------------------------------------------------------------------------

const NASTY = [
  "<",
  ">",
  "&",
  '"',
  "'",
  "*",
  "_",
  "`",
  "```",
  "[",
  "]",
  "(",
  ")",
  "\\",
  "~",
  "|",
  "||",
  "#",
  "-",
  "-# ",
  "> ",
  "1. ",
  "**",
  "__",
  ":",
  "@everyone",
  "@here",
  "<@123456789>",
  "&amp;",
  "&lt;",
  "<b>",
  "</a>",
  '<a href="javascript:x">',
  "https://example.com/a_b*c",
  "😀",
  "👩‍👩‍👧",
  "🇫🇷",
  "e\u0301",
  "\uD83D",
  "\uDE00",
  "שלום",
  "مرحبا",
  "\u202E",
  "\u200B",
  " ",
  "  ",
  "\n",
  "\t",
  "word",
  "Sources",
];
const REPEATABLE = ["word ", "&", "<b>", "😀", "a", "* ", "x", "[1] "];

const piece = (allowBrackets: boolean) =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
      { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
      { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
    )
    .map((text) => (allowBrackets ? text : text.replace(/[[\]]/g, "")));

/** Mostly short text full of markup characters; now and then thousands of characters. */
export const text = (options: { allowBrackets?: boolean; maxPieces?: number } = {}) => {
  const allowBrackets = options.allowBrackets ?? true;
  return fc.oneof(
    {
      weight: 15,
      arbitrary: fc
        .array(piece(allowBrackets), { maxLength: options.maxPieces ?? 10 })
        .map((parts) => parts.join("")),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...REPEATABLE), fc.integer({ min: 1, max: 2500 }))
        .map(([unit, times]) => unit.repeat(times))
        .map((repeated) => (allowBrackets ? repeated : repeated.replace(/[[\]]/g, ""))),
    },
  );
};

const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    "javascript:alert(1)",
    "ftp://files.example/x",
    "mailto:a@b.example",
    'https://x.example/a b<c>"d"(e)\\f?g=<h>&i=)',
    `https://x.example/${"a".repeat(3000)}`,
    `https://x.example/?q=${"&".repeat(500)}`,
    "",
    "not a url",
  ),
  fc.string({ maxLength: 30 }),
);

const inline = (allowBrackets: boolean): fc.Arbitrary<Inline> =>
  fc.oneof(
    text({ allowBrackets }),
    fc.record(
      {
        text: text({ allowBrackets }),
        bold: fc.constant(true as const),
        italic: fc.constant(true as const),
        code: fc.constant(true as const),
        href: url,
      },
      { requiredKeys: ["text"] },
    ),
  );

const block = (allowBrackets: boolean): fc.Arbitrary<Block> =>
  fc.record(
    {
      kind: fc.constantFrom("heading" as const, "paragraph" as const, "item" as const),
      content: fc.array(inline(allowBrackets), { maxLength: 5 }),
      cites: fc.array(fc.integer({ min: 0, max: 45 }), { maxLength: 6 }),
    },
    { requiredKeys: ["kind", "content"] },
  );

const citationArbitrary = (allowBrackets: boolean): fc.Arbitrary<Citation> =>
  fc.record(
    {
      n: fc.integer({ min: 0, max: 45 }),
      id: fc.string({ maxLength: 10 }),
      url,
      title: text({ allowBrackets }),
      publisher: text({ allowBrackets, maxPieces: 4 }),
      published: fc.constantFrom("2024-04-02", "2024-04", "2024", "2024-13-40", "soon", ""),
      original: fc.record({ publisher: text({ allowBrackets, maxPieces: 4 }) }),
      tier: fc.constantFrom("primary", "original", "syndication", "copy"),
    },
    { requiredKeys: ["n", "id", "url", "title", "publisher", "tier"] },
  );

const action: fc.Arbitrary<Action> = fc.record({
  label: text({ maxPieces: 4 }),
  data: fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.constantFrom("src:acme", "deal:acme", "", "\uD800", "é".repeat(32), "é".repeat(33)),
  ),
});

/** Any reply: 0–60 blocks, 0–40 citations (numbered 1..n, or at random), 0–12 actions. */
export const reply = (options: { allowBrackets?: boolean } = {}): fc.Arbitrary<Reply> => {
  const allowBrackets = options.allowBrackets ?? true;
  return fc.record(
    {
      tone: fc.constantFrom("answer" as const, "unknown" as const, "info" as const, "error" as const),
      title: text({ allowBrackets }),
      blocks: fc.array(block(allowBrackets), { maxLength: 60, size: "max" }),
      citations: fc
        .tuple(fc.array(citationArbitrary(allowBrackets), { maxLength: 40, size: "max" }), fc.boolean())
        .map(([citations, renumber]) =>
          renumber ? citations.map((c, i) => ({ ...c, n: i + 1 })) : citations,
        ),
      footer: text({ allowBrackets }),
      actions: fc.array(action, { maxLength: 12 }),
      ephemeral: fc.boolean(),
    },
    { requiredKeys: ["tone", "blocks", "citations", "actions"] },
  );
};
