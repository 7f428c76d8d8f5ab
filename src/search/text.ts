/**
 * Text analysis shared by indexing and querying, so a fact and a question meet on the same
 * terms: lowercase, accents and possessives dropped, stop words out, synonyms folded onto
 * one word, then Porter-stemmed (message / messages / messaging → messag).
 */
import { stemmer } from "stemmer";

/** English stop words, question words included: they carry intent, not topic. */
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being
  below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
  each either ever every few for from further get got had hadn't has hasn't have haven't having he he'd he'll
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
  ],
  ["location", "locations", "geolocation", "gps", "whereabouts", "geodata"],
  ["fine", "fined", "fines", "penalty", "penalties", "penalised", "penalized"],
  ["lawsuit", "lawsuits", "suit", "sued", "sue", "suing", "litigation", "case", "cases", "class-action"],
  ["deny", "denied", "denies", "denial", "denials", "refute", "refuted", "refutes", "rebut", "rebuttal"],
  ["settle", "settled", "settlement", "settlements", "settles"],
  ["child", "children", "kid", "kids", "teen", "teens", "teenager", "teenagers", "minor", "minors"],
  ["genetic", "genetics", "dna", "genome", "genomic", "gene", "genes"],
  ["health", "medical", "healthcare", "patient", "patients"],
  ["ai", "llm", "llms", "genai", "chatgpt"],
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
  ["face", "faces", "facial"],
];

/** Phrases folded onto one word before tokenising (checked on lowercase text). */
const PHRASES: readonly [RegExp, string][] = [
  [/\bprivate messages?\b/g, "message"],
  [/\bdirect messages?\b/g, "message"],
  [/\bartificial intelligence\b/g, "ai"],
  [/\bmachine learning\b/g, "ai"],
  [/\bclass action\b/g, "lawsuit"],
  [/\bwatch(?:ing)? history\b/g, "viewing history"],
];

/** All phrases in one pass: one regular expression instead of one per phrase. */
const PHRASE_PATTERN = new RegExp(PHRASES.map(([pattern]) => pattern.source).join("|"), "g");
const ASCII = /^\p{ASCII}*$/u;

function matchesWhole(pattern: RegExp, text: string): boolean {
  return new RegExp(`^(?:${pattern.source})$`).test(text);
}

const SYNONYMS = new Map<string, string>();
for (const [canonical, ...others] of SYNONYM_GROUPS) {
  for (const word of others) SYNONYMS.set(word, canonical as string);
}

/** Lowercase, strip accents and apostrophes' possessives, fold phrases. */
export function normalise(text: string): string {
  // Most text is plain ASCII: skip Unicode decomposition for it (indexing spends its time here).
  let out = (ASCII.test(text) ? text : text.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""))
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/'s\b/g, "");
  out = out.replace(
    PHRASE_PATTERN,
    (phrase) => PHRASES.find(([pattern]) => matchesWhole(pattern, phrase))?.[1] ?? phrase,
  );
  return out;
}

/** Words as typed (normalised, not stemmed), including stop words. */
export function words(text: string): string[] {
  const normalised = normalise(text);
  // The Unicode-aware pattern is several times slower; plain ASCII text doesn't need it.
  return (
    (ASCII.test(normalised)
      ? normalised.match(/[a-z0-9][a-z0-9'&+-]*/g)
      : normalised.match(/[\p{L}\p{N}][\p{L}\p{N}'&+-]*/gu)) ?? []
  );
}

/** One word → its index term, or null for a stop word. */
export function termOf(word: string): string | null {
  const bare = word.replace(/'+$/, "").replace(/^-+|-+$/g, "");
  if (bare.length === 0 || STOP_WORDS.has(bare) || /^\p{L}$/u.test(bare)) return null;
  const folded = SYNONYMS.get(bare) ?? bare;
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
  const parts = word.split(/[-']+/).filter(Boolean);
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
