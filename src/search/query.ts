/** A question, analysed: its search terms, the entities it names, and what kind of answer it wants. */
import type { Entity } from "../knowledge/types.js";
import type { EntityMatcher, Speller } from "./entities.js";
import { analyseIntent, type Intent, type IntentAnalysis, intentCues } from "./intent.js";
import { detectLanguage, type Language, languagesOfWord, toEnglish } from "./languages/index.js";
import { isCommonWord, refoldPhrases, termsOfWord, words } from "./text.js";
import { reword } from "./wording.js";

export type { Intent } from "./intent.js";

export interface Query {
  /** The message as typed. */
  readonly text: string;
  /** The language it was understood in (see languages/): detected, else the chat's, else English. */
  readonly language: Language;
  /** Search terms, entity names replaced by their canonical name's terms, typos corrected. */
  readonly terms: readonly string[];
  /** Terms the index does not hold, not even as a typo: most likely names we know nothing about. */
  readonly unknownTerms: ReadonlySet<string>;
  readonly entities: readonly Entity[];
  readonly intent: IntentAnalysis;
  /** Money the question states ("$100 million"), in units of its currency: a claim's figure to check. */
  readonly amounts: readonly number[];
  /** Every large figure the question states, money or not ("the 1200 million fine", "87 million people"). */
  readonly figures: readonly number[];
  /** The terms those figures are written with ("1200", "million"): a fact stating the figure holds them. */
  readonly figureTerms: readonly string[];
  /** Leans on what came before: "they", "that", "the deal", or nothing but an intent. */
  readonly followUp: boolean;
  /** Refers back with a pronoun or "the deal", even if it names someone. */
  readonly anaphoric: boolean;
  /** Asks for more of the same ("tell me more", "what else?"). */
  readonly more: boolean;
  /** Asks for others than those already named ("which other phone makers?", "who else?"). */
  readonly others: boolean;
  /** Terms that only give the context ("fined over security phone numbers"): they count less in ranking. */
  readonly context: ReadonlySet<string>;
  /** Terms of what "that ruling", "this deal", "the fine" point back at: the previous answer, not a new topic. */
  readonly pointedAt: ReadonlySet<string>;
  /** Terms of words that only say what kind of answer is wanted ("legal" in "was that legal?"), not what about. */
  readonly cues: ReadonlySet<string>;
  /** The question's words in order, stop words included, typos corrected: its wording, for matching a fact's. */
  readonly words: readonly string[];
}

const CONTEXT_WORDS = new Set(["over", "regarding", "concerning", "about"]);

const FOLLOW_UP =
  /\b(?:they|them|their|theirs|it|its|that|this|those|these|he|she|him|her|his|the (?:deals?|company|companies|cases?|lawsuits?|suits?|fines?|settlements?|rulings?|apps?|firms?|brokers?|data|story))\b/;
/** "That ruling", "this deal", "the same fine": a noun pointing back at what was just said. */
const POINTED_AT =
  /\b(?:that|this|these|those|the same)\s+(ruling|decision|deal|deals|fine|fines|penalty|settlement|lawsuit|suit|case|report|story|claim|order|law|bill|rule|study|investigation|probe|agreement|contract|sale|program|programme|tool|judgment|verdict|complaint|letter|statement|policy|change|breach|leak|trial|appeal|payment|money|amount|vote|document|filing|info|information|thing|stuff)\b/g;
const OTHERS = /\b(?:other|others|else|another)\b/;
const MORE =
  /^(?:and |so |ok |okay )?(?:tell me )?(?:more|anything else|what else|go on|continue|and then|then what|what next|more (?:on|about) (?:that|this|it))\b/;

export interface AnalyseOptions {
  /** The chat's language, for messages too short or mixed to tell. */
  readonly language?: Language;
}

/**
 * Analyses a question; `speller` corrects terms the index does not hold. A question in another
 * language is first rendered into the English words the knowledge base uses.
 */
export function analyseQuery(
  text: string,
  matcher: EntityMatcher,
  spellAnyWord: Speller,
  options: AnalyseOptions = {},
): Query {
  // Each word is spelt once (telling the language, typos, entities ask about the same words).
  const speller = spelledOnce(spellAnyWord);
  // Mostly English words (or names, or the knowledge base's own words): English, whatever a
  // detector makes of "alexa coppa fine"; otherwise the detector's language, else the chat's.
  const language = looksEnglish(text, matcher, speller, options.language)
    ? "en"
    : chatOrDetected(text, options.language);
  const english = toEnglish(text, language);
  const wording = reword(english);
  // Correct typos first, so "cambrige analitica" meets its entity by name.
  // "What year did…" asks when; the year is not a topic word.
  const typed = words(
    wording.text.replace(/\b(?:in )?(?:what|which) (?:year|date|month|day|time)\b/g, "when"),
  );
  const spelt = typed.map((word) => speller(word));
  const { words: corrected, known } = refoldPhrases(
    typed.map((word, i) => spelt[i]?.word ?? word),
    spelt.map((word) => word !== undefined),
  );
  const mentions = matcher.find(corrected, speller);
  const queryTerms: string[] = [];
  const unknownTerms = new Set<string>();
  const addWord = (word: string, i: number) => {
    for (const term of termsOfWord(word)) {
      queryTerms.push(term);
      // A word neither known nor everyday English is most likely a name we know nothing about.
      if (!known[i] && !isCommonWord(word)) unknownTerms.add(term);
    }
  };
  let next = 0;
  for (const mention of mentions) {
    for (let i = next; i < mention.start; i++) addWord(corrected[i] as string, i);
    for (const word of words(mention.entity.name)) queryTerms.push(...termsOfWord(word));
    next = mention.start + mention.length;
  }
  for (let i = next; i < corrected.length; i++) addWord(corrected[i] as string, i);

  const lower = typed.join(" ");
  // "How many Vizio TVs": what is counted is the first word after "how many" that names no entity.
  const many = corrected.indexOf("many");
  // A word of an alias that is not in the entity's own name ("TVs" in "Vizio TVs") names no entity.
  const named = new Set(
    mentions.flatMap((m) => {
      const own = new Set(words(m.entity.name));
      return Array.from({ length: m.length }, (_, k) => m.start + k).filter((i) =>
        own.has(corrected[i] as string),
      );
    }),
  );
  const countedAt =
    many >= 0 ? corrected.findIndex((word, i) => i > many && !named.has(i) && !isCommonWord(word)) : -1;
  const counted = countedAt >= 0 ? corrected[countedAt] : undefined;
  // What is counted is asked about, even where an alias took it in.
  if (counted !== undefined)
    for (const term of termsOfWord(counted)) if (!queryTerms.includes(term)) queryTerms.push(term);
  // After "over", "because of" or "regarding", a question says why or about what, not what it wants.
  const cut = typed.findIndex((word, i) => i > 1 && CONTEXT_WORDS.has(word));
  const context = new Set(cut < 0 ? [] : typed.slice(cut + 1).flatMap(termsOfWord));
  for (const term of typed.slice(0, Math.max(0, cut)).flatMap(termsOfWord)) context.delete(term);
  const analysed = analyseIntent(english.toLowerCase(), wording.text, wording.claim);
  const intent = counted ? { ...analysed, counted } : analysed;
  const entities = [...new Map(mentions.map((m) => [m.entity.id, m.entity])).values()];
  const uniqueTerms = [...new Set(queryTerms)];
  const anaphoric = FOLLOW_UP.test(lower);
  const pointedAt = new Set(
    [...lower.matchAll(POINTED_AT)].flatMap((match) => termsOfWord(match[1] as string)),
  );
  const more = MORE.test(wording.text);
  return {
    text,
    language,
    terms: uniqueTerms,
    unknownTerms,
    entities,
    intent,
    amounts: amountsIn(wording.text),
    figures: figuresIn(wording.text),
    figureTerms: [
      ...new Set(
        [...wording.text.matchAll(FIGURE_WORDS)].flatMap((match) => words(match[0]).flatMap(termsOfWord)),
      ),
    ],
    followUp: entities.length === 0 && (anaphoric || more || uniqueTerms.length <= 1),
    anaphoric,
    more,
    others: OTHERS.test(wording.text),
    context,
    pointedAt,
    cues: new Set(intentCues(typed, intent.all).flatMap(termsOfWord)),
    words: corrected,
  };
}

/** `speller`, asked about each word once: it searches the vocabulary within a typo's reach. */
function spelledOnce(speller: Speller): Speller {
  const spelt = new Map<string, ReturnType<Speller>>();
  return (word) => {
    if (!spelt.has(word)) spelt.set(word, speller(word));
    return spelt.get(word);
  };
}

/**
 * The detector's language, unless the chat's language (not English) has more of the message's words
 * than it: a short message ("xq texas demanda a allstate?", "meta a démenti ?") is easily misread,
 * and the chat says which language its people write.
 */
function chatOrDetected(text: string, chat: Language | undefined): Language {
  const detected = detectLanguage(text);
  if (!chat || chat === "en" || detected === chat) return detected ?? chat ?? "en";
  let ofChat = 0;
  let ofDetected = 0;
  for (const word of words(text)) {
    const languages: readonly Language[] = languagesOfWord(word);
    if (languages.includes(chat)) ofChat++;
    if (detected && languages.includes(detected)) ofDetected++;
  }
  return ofChat > ofDetected ? chat : (detected ?? chat);
}

/** Share of a message's words that must be English (or names) for it to be read as English. */
const ENGLISH_SHARE = 0.6;

/**
 * Whether a message is English: most of its words are everyday English, names the knowledge base
 * knows, or its own words (a long word with one typo counts: "cambrige"), and it has no more
 * words that only another language has ("quand", "multaron") than words only English has.
 * Words of both ("a", "in", "fine") count for neither side against the other. In a chat whose language is not English,
 * a message needs English words of its own and none of another language's to count as English.
 */
function looksEnglish(
  text: string,
  matcher: EntityMatcher,
  speller: Speller,
  chat: Language | undefined,
): boolean {
  const typed = words(text);
  if (typed.length === 0) return true;
  const named = new Set(
    matcher
      .find(typed, (word) => ({ word, distance: 0 }))
      .flatMap((m) => Array.from({ length: m.length }, (_, k) => m.start + k)),
  );
  let english = 0;
  let onlyEnglish = 0;
  const foreign = new Map<string, number>();
  typed.forEach((word, i) => {
    if (named.has(i)) {
      english++;
      return;
    }
    const others = languagesOfWord(word);
    const spelt = isCommonWord(word) ? undefined : speller(word);
    const known =
      isCommonWord(word) ||
      spelt?.distance === 0 ||
      (word.length >= 8 && spelt !== undefined && spelt.distance <= 1);
    if (known) english++;
    if (known && others.length === 0) onlyEnglish++;
    if (!known) for (const language of others) foreign.set(language, (foreign.get(language) ?? 0) + 1);
  });
  const mostForeign = Math.max(0, ...foreign.values());
  if (mostForeign > 0 && mostForeign >= onlyEnglish) return false;
  if (chat && chat !== "en" && (onlyEnglish < 2 || mostForeign > 0)) return false;
  return english / typed.length >= ENGLISH_SHARE;
}

/** Whether the question shows this intent (primary or not). */
export function wants(query: Query, intent: Intent): boolean {
  return query.intent.all.has(intent);
}

const SCALE: Readonly<Record<string, number>> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  mil: 1e6,
  million: 1e6,
  millions: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  billions: 1e9,
};

/** A figure with a scale word: "1200 million", "1.2bn". */
const FIGURE_WORDS = /\b(\d+(?:[.,]\d+)?)\s*(million|millions|billion|billions|bn)\b/g;

/** "1200 million", "1.2bn", "$5 billion" → 1.2e9, 1.2e9, 5e9: figures with a scale word, money or not. */
export function figuresIn(text: string): number[] {
  const out: number[] = [];
  for (const match of text.matchAll(FIGURE_WORDS)) {
    const value = Number((match[1] ?? "").replace(",", ".")) * (SCALE[match[2] ?? ""] ?? 1);
    if (Number.isFinite(value) && value > 0) out.push(value);
  }
  return out;
}

/** "$100 million", "€1.2bn", "5 billion dollars" → 100e6, 1.2e9, 5e9. */
export function amountsIn(text: string): number[] {
  const out: number[] = [];
  const money =
    /(?:[$€£]\s?(\d+(?:[.,]\d+)?)\s*(k|m|mn|mil|million|millions|b|bn|billion|billions)?\b)|(?:\b(\d+(?:[.,]\d+)?)\s*(k|m|mn|million|millions|b|bn|billion|billions)?\s*(?:dollars|usd|euros?|eur|pounds|gbp)\b)/g;
  for (const match of text.matchAll(money)) {
    const digits = (match[1] ?? match[3] ?? "").replace(",", ".");
    const scale = SCALE[match[2] ?? match[4] ?? ""] ?? 1;
    const value = Number(digits) * scale;
    if (Number.isFinite(value) && value > 0) out.push(value);
  }
  return out;
}
