/** A question, analysed: its search terms, the entities it names, and what kind of answer it wants. */
import type { Entity } from "../knowledge/types.js";
import type { EntityMatcher, Speller } from "./entities.js";
import { termsOfWord, words } from "./text.js";

export type Intent =
  /** how much, what did they pay: facts with an amount */
  | "amount"
  /** when, what year: facts with a date */
  | "date"
  /** who: facts that name people and parties */
  | "who"
  /** is it true, did they really: statuses, denials, disputes */
  | "verify"
  /** did they deny it, what did X say */
  | "denial"
  /** what happened next: rulings, fines, settlements */
  | "outcome";

export interface Query {
  readonly text: string;
  /** Search terms, entity names replaced by their canonical name's terms, typos corrected. */
  readonly terms: readonly string[];
  /** Terms the index does not hold, not even as a typo: most likely names we know nothing about. */
  readonly unknownTerms: ReadonlySet<string>;
  readonly entities: readonly Entity[];
  readonly intents: ReadonlySet<Intent>;
  /** Leans on what came before: "they", "that", "the deal", or nothing but an intent. */
  readonly followUp: boolean;
  /** Refers back with a pronoun or "the deal", even if it names someone. */
  readonly anaphoric: boolean;
  /** About using a product (passwords, subscriptions, what's on), not about data deals. */
  readonly offTopic: boolean;
}

const INTENT_PATTERNS: readonly [Intent, RegExp][] = [
  [
    "amount",
    /\bhow much\b|\bhow many (?:dollars|euros|millions?)\b|\$|€|£|\bamount\b|\bprice\b|\bcost\b|\bpa(?:y|id)\b|\bspen[dt]\b|\bfined?\b|\bpenalt|\bworth\b|\b(?:millions?|billions?) (?:of )?(?:dollars|euros|pounds)\b/,
  ],
  [
    "date",
    /\bwhen\b|\bwhat (?:year|date|month|day)\b|\bhow long ago\b|\bsince when\b|\btimeline\b|\bwhich year\b/,
  ],
  ["who", /^\s*who\b|\bwho (?:is|was|were|are|did|said|runs?|sued|alleg)|\bby whom\b|\bwhich compan/],
  [
    "verify",
    /\bis (?:it|this|that) (?:true|real|legit|a fact)|\btrue\b|\breally\b|\bactually\b|\bfact.?check|\bhoax\b|\bfake\b|\bmyth\b|\brumou?r|\bviral\b|\bdebunk|\blegit\b|\bconfirm/,
  ],
  [
    "denial",
    /\bden(?:y|ied|ies|ial)\b|\brefut|\brespon(?:d|se)\b|\bcomment\b|\bstatement\b|\bwhat (?:did|does|do) [\w ]{1,30}? ?say\b|\bsay about\b|\bside of the story\b/,
  ],
  [
    "outcome",
    /\bhow did (?:it|that|this|the \w+) end\b|\bend(?:ed)? up\b|\bwhat happened\b|\boutcome\b|\bresult\b|\bruling\b|\bruled\b|\bverdict\b|\bjudge\b|\bcourt\b|\bfined?\b|\bsettle|\bconsequence|\bpunish|\bstatus\b|\bwhere does .* stand\b|\bnow\b/,
  ],
];

/**
 * Questions about using a product rather than about data deals (accounts, passwords, what's
 * on, prices): out of scope however well their words match.
 */
const OFF_TOPIC = [
  /\b(?:reset|change|recover|forgot|forgotten|update|unlock)\b.{0,20}\bpassword\b/,
  /\b(?:cancel|pause|renew|upgrade|downgrade)\b.{0,20}\b(?:subscription|account|plan|membership)\b/,
  /\b(?:log|sign) ?(?:in|on|up)\b.{0,20}\b(?:account|app)\b|\bcan ?t log ?in\b/,
  /\bwhat s (?:new|on)\b|\bwhat should i watch\b|\brecommend (?:a|me|some)\b|\bthis weekend\b|\btonight\b/,
  /\b(?:share|stock) price\b|\bshould i (?:buy|sell)\b.{0,20}\b(?:stock|shares)\b/,
  /\brecipe\b|\bscore (?:last|tonight|today)\b|\bwho won\b/,
];

const FOLLOW_UP =
  /\b(?:they|them|their|it|its|that|this|those|these|he|she|him|her|the (?:deal|company|companies|case|lawsuit|fine|settlement))\b/;

/** Analyses a question; `speller` corrects terms the index does not hold. */
export function analyseQuery(text: string, matcher: EntityMatcher, speller: Speller): Query {
  // Correct typos first, so "cambrige analitica" meets its entity by name.
  const typed = words(text);
  const spelt = typed.map((word) => speller(word));
  const corrected = typed.map((word, i) => spelt[i]?.word ?? word);
  const mentions = matcher.find(corrected, speller);
  const queryTerms: string[] = [];
  const unknownTerms = new Set<string>();
  const addWord = (word: string, i: number) => {
    for (const term of termsOfWord(word)) {
      queryTerms.push(term);
      if (!spelt[i]) unknownTerms.add(term);
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
  const raw = text.toLowerCase();
  const intents = new Set<Intent>();
  for (const [intent, pattern] of INTENT_PATTERNS)
    if (pattern.test(intent === "amount" ? raw : lower)) intents.add(intent);

  const entities = [...new Map(mentions.map((m) => [m.entity.id, m.entity])).values()];
  const uniqueTerms = [...new Set(queryTerms)];
  const anaphoric = FOLLOW_UP.test(lower);
  return {
    text,
    terms: uniqueTerms,
    unknownTerms,
    entities,
    intents,
    followUp: entities.length === 0 && (anaphoric || uniqueTerms.length <= 1),
    anaphoric,
    offTopic: OFF_TOPIC.some((pattern) => pattern.test(lower)),
  };
}
