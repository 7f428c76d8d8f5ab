/**
 * Text analysis shared by indexing and querying, so a fact and a question meet on the same
 * terms: lowercase, accents and possessives dropped, stop words out, synonyms folded onto
 * one word, then Porter-stemmed (message / messages / messaging → messag).
 */
import { createRequire } from "node:module";
import { stemmer } from "stemmer";

/** English stop words, question words included: they carry intent, not topic. */
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being
  below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
  each either ever every few for from many further get got had hadn't has hasn't have haven't having he he'd he'll
  he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's
  its itself just know let's like me more most much mustn't my myself no nor not now of off on once only or
  other ought our ours ourselves out over own please really same say said says shan't she she'd she'll she's
  should shouldn't so some such tell than that that's the their theirs them themselves then there there's
  these they they'd they'll they're they've this those through thus to too true under until up upon us very
  was wasn't we we'd we'll we're we've were weren't what what's when when's where where's whether which while
  who who's whom whose why why's will with won't would wouldn't yes yet you you'd you'll you're you've your
  yours yourself yourselves anything something everything thing things stuff anyone someone everyone ok okay
  hey hi hello thanks thank pls plz lol u ur r im dont didnt doesnt isnt wasnt wont cant whats hows whos let lets
  is-it did-they any-idea happen happened happening going go went gone way whatever whatsoever anyway
  etc such`.split(/\s+/),
);

/**
 * Words people use for the same thing, folded onto the first word of each group before
 * stemming. Multi-word phrases are matched first (see PHRASES).
 */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  [
    "message",
    "messages",
    "messaging",
    "dm",
    "dms",
    "pm",
    "pms",
    "inbox",
    "inboxes",
    "chat",
    "chats",
    "conversations",
  ],
  [
    "access",
    "accessed",
    "accessing",
    "read",
    "reading",
    "see",
    "saw",
    "seen",
    "look",
    "looked",
    "snoop",
    "spy",
  ],
  [
    "pay",
    "paid",
    "paying",
    "payment",
    "payments",
    "spend",
    "spent",
    "spending",
    "money",
    "cost",
    "costs",
    "dollars",
  ],
  ["sell", "sold", "selling", "sale", "sales", "broker", "brokers", "brokered", "monetize", "monetise"],
  [
    "share",
    "shared",
    "sharing",
    "shares",
    "give",
    "gave",
    "given",
    "giving",
    "hand",
    "handed",
    "leak",
    "leaked",
    "send",
    "sent",
    "sends",
    "sending",
    "transmit",
    "transmits",
    "transmitted",
    "transmitting",
    "supply",
    "supplied",
    "supplies",
    "supplying",
  ],
  [
    "buy",
    "bought",
    "buys",
    "buying",
    "acquire",
    "acquired",
    "acquires",
    "acquiring",
    "acquisition",
    "purchase",
    "purchased",
    "purchases",
    "purchasing",
  ],
  [
    "combine",
    "combined",
    "combines",
    "combining",
    "combination",
    "merge",
    "merged",
    "merges",
    "merging",
    "mix",
    "mixed",
    "mixes",
    "mixing",
  ],
  ["bid", "bids", "bidding", "bidder", "bidders", "offer", "offers", "offered", "offering"],
  ["location", "locations", "geolocation", "gps", "whereabouts", "geodata"],
  ["fine", "fined", "fines", "penalty", "penalties", "penalised", "penalized"],
  ["lawsuit", "lawsuits", "suit", "sued", "sue", "suing", "litigation", "class-action"],
  ["view", "viewed", "viewing", "views", "watch", "watched", "watching", "watches", "viewer", "viewers"],
  ["deny", "denied", "denies", "denial", "denials", "refute", "refuted", "refutes", "rebut", "rebuttal"],
  ["settle", "settled", "settlement", "settlements", "settles"],
  ["child", "children", "kid", "kids", "teen", "teens", "teenager", "teenagers", "minor", "minors"],
  ["genetic", "genetics", "dna", "genome", "genomic", "gene", "genes"],
  ["health", "medical", "healthcare", "patient", "patients"],
  ["ai", "llm", "llms", "genai"],
  ["europe", "european", "europeans", "eu", "eea"],
  ["china", "chinese", "beijing", "prc"],
  ["britain", "british", "uk"],
  ["ireland", "irish"],
  ["france", "french"],
  ["germany", "german"],
  ["italy", "italian"],
  ["spain", "spanish"],
  ["norway", "norwegian"],
  ["netherlands", "dutch"],
  ["japan", "japanese"],
  ["korea", "korean"],
  ["india", "indian"],
  ["australia", "australian"],
  ["canada", "canadian"],
  ["russia", "russian"],
  ["israel", "israeli"],
  ["train", "trained", "training", "trains"],
  ["ad", "ads", "advert", "adverts", "advertising", "advertisement", "advertisements", "marketing"],
  [
    "user",
    "users",
    "customer",
    "customers",
    "member",
    "members",
    "subscriber",
    "subscribers",
    "people",
    "person",
  ],
  ["board", "director", "directors"],
  [
    "leave",
    "left",
    "leaving",
    "leaves",
    "quit",
    "quits",
    "depart",
    "departed",
    "departs",
    "departure",
    "exit",
    "exited",
    "exits",
    "resign",
    "resigned",
    "resigns",
    "resignation",
  ],
  [
    "learn",
    "learned",
    "learnt",
    "learns",
    "discover",
    "discovered",
    "discovers",
    "realise",
    "realised",
    "realize",
    "realized",
  ],
  [
    "overturn",
    "overturned",
    "overturns",
    "vacate",
    "vacated",
    "reverse",
    "reversed",
    "annul",
    "annulled",
    "quash",
    "quashed",
    "tossed",
    // "Throw the fine out" with words between ("throw one of the fines out"): see PHRASES.
    "throw",
    "throws",
    "threw",
    "thrown",
  ],
  ["face", "faces", "facial"],
  [
    "apologise",
    "apologised",
    "apologises",
    "apologising",
    "apologize",
    "apologized",
    "apologizes",
    "apologizing",
    "apology",
    "apologies",
    "sorry",
  ],
];

/**
 * Phrases folded onto one word after tokenising: each is a sequence of word choices, "?" marking
 * one optional word of any kind ("threw the fine out"). Checked word by word, so a text without
 * any phrase's first word costs one map lookup a word.
 */
const PHRASES: readonly [pattern: string, replacement: string][] = [
  ["private message|messages", "message"],
  ["direct message|messages", "message"],
  ["artificial intelligence", "ai"],
  ["machine learning", "ai"],
  ["class action", "lawsuit"],
  ["watch|watching history", "viewing history"],
  ["find|finds|found|finding out", "learn"],
  ["step|steps|stepped|stepping down|aside", "leave"],
  ["made|make|makes|became|become|becomes|went public", "unsealed"],
  ["back|backed|backing|backs ? up", "backup"],
  ["throw|throws|threw|thrown|throwing|toss|tossed|struck|strike|strikes ? out|down", "overturn"],
];

interface Phrase {
  /** Each position: the words allowed there; `null` is one word of any kind, which may be left out. */
  readonly slots: readonly (ReadonlySet<string> | null)[];
  readonly to: readonly string[];
}

/** Phrases by their possible first words. */
const PHRASES_BY_FIRST = new Map<string, Phrase[]>();
for (const [pattern, to] of PHRASES) {
  const slots = pattern.split(" ").map((part) => (part === "?" ? null : new Set(part.split("|"))));
  const phrase: Phrase = { slots, to: to.split(" ") };
  for (const first of slots[0] ?? [])
    PHRASES_BY_FIRST.set(first, [...(PHRASES_BY_FIRST.get(first) ?? []), phrase]);
}

/** How many words of `tokens` from `start` the phrase covers, or 0 when it does not match. */
function phraseLength(tokens: readonly string[], start: number, phrase: Phrase): number {
  let at = start;
  for (const [i, slot] of phrase.slots.entries()) {
    if (slot === null) {
      // One optional word of any kind: take it only when the next slot then matches.
      const next = phrase.slots[i + 1];
      if (next && !next.has(tokens[at] ?? "") && next.has(tokens[at + 1] ?? "")) at++;
      continue;
    }
    if (!slot.has(tokens[at] ?? "")) return 0;
    at++;
  }
  return at - start;
}

const NO_PHRASES: readonly Phrase[] = [];

/**
 * Walks `tokens` folding phrases, the longest starting at each word: `word(i)` for a word kept,
 * `phrase(i, to)` for a phrase folded onto `to`, `i` its first word. A word that starts no phrase
 * costs one map lookup (indexing spends its time here).
 */
function walkPhrases(
  tokens: readonly string[],
  word: (i: number) => void,
  phrase: (i: number, to: readonly string[]) => void,
): void {
  for (let i = 0; i < tokens.length; i++) {
    let length = 0;
    let to: readonly string[] = [];
    for (const candidate of PHRASES_BY_FIRST.get(tokens[i] as string) ?? NO_PHRASES) {
      const n = phraseLength(tokens, i, candidate);
      if (n > length) [length, to] = [n, candidate.to];
    }
    if (length === 0) word(i);
    else {
      phrase(i, to);
      i += length - 1;
    }
  }
}

function foldPhrases(tokens: string[]): string[] {
  let out: string[] | undefined;
  walkPhrases(
    tokens,
    (i) => out?.push(tokens[i] as string),
    (i, to) => {
      out ??= tokens.slice(0, i);
      out.push(...to);
    },
  );
  return out ?? tokens;
}

/**
 * Phrases folded again once typos are corrected ("privte mesages" → "private messages" → "message");
 * `known[i]` says whether word i was known as typed or corrected, and a folded phrase is known.
 */
export function refoldPhrases(
  tokens: readonly string[],
  known: readonly boolean[],
): { words: string[]; known: boolean[] } {
  const out = { words: [] as string[], known: [] as boolean[] };
  walkPhrases(
    tokens,
    (i) => {
      out.words.push(tokens[i] as string);
      out.known.push(known[i] ?? false);
    },
    (_, to) => {
      out.words.push(...to);
      out.known.push(...to.map(() => true));
    },
  );
  return out;
}

const ASCII = /^\p{ASCII}*$/u;

/**
 * Irregular verb forms the stemmer cannot join to their verb ("told" and "tell"): "without telling
 * them" meets "were not told". Forms already in a synonym group (sold, paid, gave, left) are there.
 */
const IRREGULAR = new Map<string, string>(
  (
    [
      ["tell", "told"],
      ["know", "knew known"],
      ["keep", "kept"],
      ["find", "found"],
      ["bring", "brought"],
      ["make", "made"],
      ["hide", "hid hidden"],
      ["steal", "stole stolen"],
      ["run", "ran"],
      ["win", "won"],
      ["lose", "lost"],
      ["begin", "began begun"],
      ["write", "wrote written"],
      ["choose", "chose chosen"],
      ["meet", "met"],
      ["hold", "held"],
      ["stand", "stood"],
      ["think", "thought"],
      ["catch", "caught"],
      ["seek", "sought"],
      ["build", "built"],
      ["break", "broke broken"],
      ["fall", "fell fallen"],
      ["grow", "grew grown"],
      ["draw", "drew drawn"],
      ["throw", "threw thrown"],
      ["forget", "forgot forgotten"],
      ["lend", "lent"],
      ["rise", "rose risen"],
      ["speak", "spoke spoken"],
      ["understand", "understood"],
      ["withhold", "withheld"],
      ["take", "took taken"],
      ["get", "got gotten"],
    ] as const
  ).flatMap(([verb, forms]) => forms.split(" ").map((form) => [form, verb] as const)),
);

const SYNONYMS = new Map<string, string>();
for (const [canonical, ...others] of SYNONYM_GROUPS) {
  for (const word of others) SYNONYMS.set(word, canonical as string);
}

/** Lowercase, strip accents and apostrophes' possessives. */
export function normalise(text: string): string {
  // Most text is plain ASCII: skip Unicode decomposition for it (indexing spends its time here).
  return (ASCII.test(text) ? text : text.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""))
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/'s\b/g, "");
}

/** A thousands separator: the comma in "300,000". */
const THOUSANDS = /(\d),(?=\d{3}(?!\d))/g;

/** "100k": a hundred thousand, as written out ("$100,000", read as 100000). */
const KILO = /\b(\d{1,3})k\b/g;

/** Words as typed (normalised, not stemmed), including stop words, with phrases folded. */
export function words(text: string): string[] {
  // "300,000", "300000" and "300k" are one number, however it was typed.
  const normalised = normalise(text).replace(THOUSANDS, "$1").replace(KILO, "$1000");
  // The Unicode-aware pattern is several times slower; plain ASCII text doesn't need it.
  const tokens =
    (ASCII.test(normalised)
      ? normalised.match(/[a-z0-9][a-z0-9'&+-]*/g)
      : normalised.match(/[\p{L}\p{N}][\p{L}\p{N}'&+-]*/gu)) ?? [];
  return foldPhrases(tokens);
}

/** One word → its index term, or null for a stop word. */
export function termOf(word: string): string | null {
  const bare = word.replace(/'+$/, "").replace(/^-+|-+$/g, "");
  if (bare.length === 0 || STOP_WORDS.has(bare) || /^\p{L}$/u.test(bare)) return null;
  const base = IRREGULAR.get(bare) ?? bare;
  const folded = SYNONYMS.get(base) ?? base;
  if (/^\d+$/.test(folded)) return folded;
  return stemmer(folded);
}

/**
 * The index terms of one word. A hyphenated word gives its parts and the whole
 * (t-mobile → t, mobil, tmobil), so both spellings meet.
 */
export function termsOfWord(word: string): string[] {
  // Stemming is most of the cost of indexing, and words repeat: remember them. Questions can carry
  // any number of made-up words, so the memory is capped in bytes, and no word is too long for it.
  let terms = memo.get(word);
  if (terms === undefined) {
    terms = computeTermsOfWord(word);
    if (word.length <= MEMO_WORD_MAX) {
      const bytes = MEMO_ENTRY_BYTES + 2 * (word.length + terms.reduce((sum, term) => sum + term.length, 0));
      if (memoBytes + bytes > MEMO_BYTES) {
        memo.clear();
        memoBytes = 0;
      }
      memo.set(word, terms);
      memoBytes += bytes;
    }
  }
  return terms;
}

/** What the word memory may hold, counting two bytes a character: a real vocabulary fits easily. */
const MEMO_BYTES = 16 * 1024 * 1024;
/** The memory's own cost per word (map entry, array, string headers), roughly. */
const MEMO_ENTRY_BYTES = 96;
/** Longer "words" are not remembered: no real one is this long. */
const MEMO_WORD_MAX = 64;
const memo = new Map<string, string[]>();
let memoBytes = 0;

function computeTermsOfWord(word: string): string[] {
  if (STOP_WORDS.has(word)) return [];
  // "t-mobile", "at&t": the parts and the whole, so "tmobile" and "att" meet them too.
  const parts = word.split(/[-'&]+/).filter(Boolean);
  const out: string[] = [];
  for (const part of parts) {
    const term = termOf(part);
    if (term) out.push(term);
  }
  if (parts.length > 1) {
    const whole = termOf(parts.join(""));
    if (whole) out.push(whole);
  }
  return out;
}

/** The index terms of a text, in order, stop words removed (duplicates kept). */
export function terms(text: string): string[] {
  return words(text).flatMap(termsOfWord);
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

const require = createRequire(import.meta.url);
/** Everyday English words (stopwords-iso's list): not names, so not knowing one says little. */
const COMMON_ENGLISH: ReadonlySet<string> = new Set(
  (require("stopwords-iso") as Record<string, string[]>).en,
);

/** Whether a word is everyday English rather than a name or a term of art. */
export function isCommonWord(word: string): boolean {
  return COMMON_ENGLISH.has(word) || STOP_WORDS.has(word);
}
