/**
 * What a question asks for: a date, an amount, a person, a reason, a definition, a verdict, a
 * ruling, a denial, what happened next, or just the story. One primary intent decides what leads
 * the answer; the others may shape it. Small talk and advice (or predictions) are recognised so
 * the bot can answer them in a line instead of with facts.
 */

export const INTENTS = [
  /** tell me about it: no particular kind of fact */
  "topic",
  /** a fact with a date */
  "when",
  /** a fact with an amount or a count */
  "how-much",
  /** who did, said, sued, ruled: facts that name people and organisations */
  "who",
  /** a cause or purpose */
  "why",
  /** a definition */
  "what-is",
  /** is it true, really: statuses decide */
  "is-it-true",
  /** was it legal, is it proven: rulings, findings, what no court has found */
  "legal",
  /** a pasted claim or headline to check: the reply opens with a verdict */
  "claim",
  /** what happened next: rulings, fines, settlements */
  "outcome",
  /** what did they say, did they deny it */
  "denial",
  /** thanks, hi, bye, who are you: a short friendly line, no facts */
  "small-talk",
  /** advice, opinions, how-to and predictions: out of scope */
  "advice",
] as const;
export type Intent = (typeof INTENTS)[number];

export type SmallTalk = "greeting" | "thanks" | "bye" | "identity" | "ack";

export interface IntentAnalysis {
  readonly primary: Intent;
  /** Every intent the question shows, the primary included. */
  readonly all: ReadonlySet<Intent>;
  /** For how-much: the question counts things ("how many users") rather than money. */
  readonly wantsCount: boolean;
  /** For "how many X": the X, as typed ("tvs", "users"). */
  readonly counted?: string;
  /** For small talk: which kind. */
  readonly smallTalk?: SmallTalk;
  /** A yes/no question ("did…", "is…"): its answer opens with a verdict when the facts allow one. */
  readonly yesNo: boolean;
  /** "How do I…", "how to…": answerable only when the facts speak to exactly that (an opt-out). */
  readonly howTo: boolean;
  /**
   * "Who said it?", "who fined them?": the who is whoever said, found or decided what a fact
   * reports (its `by`), not someone the fact tells of ("who got the data?").
   */
  readonly whoSaid?: boolean;
  /** "How much do I get?", "per person": what one person gets, not the fund. */
  readonly perPerson?: boolean;
  /** "Which apps…", "what products…": the who is a product or a service, not a person or a company. */
  readonly products?: boolean;
  /**
   * "How did Vizio know what people watched?": asks by what means something was done, answered
   * by how it worked (software that logged the screen), not by what came of it. Its primary is why.
   */
  readonly means?: boolean;
  /** "When do authors get paid?", "when is the deadline?": asks when something is due, not when it was. */
  readonly upcoming?: boolean;
  /** "Which companies got the data?": the who is whoever received something, not whoever gave it. */
  readonly recipients?: boolean;
  /** "Did Grindr appeal…?", "has it paid…?": a yes/no question about a deed done, not about what is now. */
  readonly didIt?: boolean;
  /**
   * "What was the Oracle lawsuit about?", "the Google Buzz scandal": asks what it was about (what
   * was done, or alleged), not how it ended.
   */
  readonly about?: boolean;
}

/** "What was the lawsuit about?", "what's the X scandal": asking what a story is about. */
const ABOUT =
  /^(?:and |so |but )?(?:what|wat)(?:'s| is| was| were| are) (?:the |this |that )?.{1,60}? about\b\s*\??$|\b(?:scandal|controversy|affair|uproar|outcry)\b/;

/** "Who got…", "which companies received…", "who bought…": asking who received something. */
const RECIPIENTS = /\b(?:got|get|gets|received|receive|receives|bought|buys|obtained|ended up with)\b/;

/** "When do…", "when is…", "when will…": a date still to come, or the one now in force. */
const UPCOMING = /\bwhen (?:do|does|will|is|are|can|should|would)\b/;

/** "How did…", "how could…": asking by what means (not "how much", "how long", "how did it end"). */
const MEANS =
  /^(?:and |so |but |wait )?how (?:did|does|do|could|can|was|were)\b(?! (?:i|we|you|one)\b)(?!.*\b(?:end|ended|turn out|turned out|go|went)\b)/;

/** "Who said…", "who first reported…", "by whom": asking who said, found or decided something. */
const WHO_SAID =
  /\b(?:who|whom)(?:'s| is| was| were| has| have| had| did| does)?(?: \w+)? (?:say|said|says|find|found|finds|decide|decided|decides|rule|ruled|rules|report|reported|reports|sue|sued|sues|allege|alleged|alleges|claim|claimed|claims|deny|denied|denies|fine|fined|fines|announce|announced|reveal|revealed|discover|discovered|leak|leaked|investigate|investigated|accuse|accused|complain|complained|file|filed|order|ordered|warn|warned|confirm|confirmed|admit|admitted)\b|\bby whom\b|\baccording to (?:whom|who)\b/;

/** A question about what one person gets. */
const PER_PERSON =
  /\b(?:do|would|will|can|could|did) (?:i|we|you) (?:get|receive|be paid)\b|\beach\b|\bper (?:person|user|member|customer|head|book|title)\b|\bindividual/i;

/** "Which apps", "what other services": asking for products by name. */
const PRODUCTS =
  /\b(?:which|what) (?:\w+ ){0,2}(?:apps?|products?|services?|tools?|brands?|devices?|games?|websites?|sites?|platforms?|trackers?|programs?|programmes?)\b/;

const SMALL_TALK: readonly [SmallTalk, RegExp][] = [
  [
    "bye",
    /^(?:bye|goodbye|good bye|bye bye|see (?:you|ya)|cya|later|good night|exit|quit|\/?quit|\/?exit|stop|done|that's all|that is all)$/,
  ],
  [
    "thanks",
    /^(?:(?:ok(?:ay)?|great|cool|nice|perfect|awesome|brilliant|wow|good) )?(?:thanks?|thank you|thx|ty|tysm|cheers|many thanks|thanks a lot|thank you so much|much appreciated|appreciate it)(?: (?:a lot|so much|very much|again|mate|man|bot|for (?:that|this|the (?:info|answer|help))))*$/,
  ],
  [
    "greeting",
    /^(?:hi|hello|hey|hiya|howdy|yo|sup|hallo|greetings|good (?:morning|afternoon|evening|day)|what'?s up|wassup|hi there|hello there|hey there)(?: (?:there|bot|receipts|again|all|everyone))*$/,
  ],
  [
    "identity",
    /^(?:who|what) (?:are|r) (?:you|u)|^what (?:can|do) you (?:do|know)|^how do(?:es)? (?:you|this(?: bot)?|it) work|^are you (?:a )?(?:bot|human|real|ai|robot|person)|^who (?:made|built|created|runs) (?:you|this)|^what is this(?: bot)?$|^how are you|^what'?s your name|^help$/,
  ],
  [
    "ack",
    /^(?:ok(?:ay)?|k|kk|alright|all right|sure|got it|i see|makes sense|cool|nice|great|good|awesome|perfect|interesting|wow|damn|yikes|lol|haha+|hmm+|oh|ah|yes|yeah|yep|no|nope|nah|fine|good bot|bad bot|wtf|omg|ugh|right|true|fair|fair enough|noted|understood)(?: (?:ok|thanks|then|lol|haha|wow|cool|great))*$/,
  ],
];

const ADVICE = [
  /\bshould (?:i|we|you|people|one)\b/,
  /\bwhat should\b/,
  /\bbest (?:way|app|apps|vpn|vpns|browser|phone|settings?|alternative|alternatives|option|service|email|messenger)\b/,
  /\brecommend|\bsuggest (?:a|an|some|me)\b/,
  /\b(?:is it|are they|is \w+) safe to\b|\bsafe to use\b/,
  /\bwhat do you think\b|\byour (?:opinion|view|take)\b|\bdo you (?:think|believe|like)\b|\bwould you\b/,
  /\b(?:which|what) (?:\w+ ){0,3}(?:is|are) (?:the )?(?:most|least) (?:private|secure|safe|trustworthy|trusted|ethical)\b|\bsafest\b/,
  /\b(?:can'?t|cannot|unable to|won'?t let me|how to|how do i) (?:log|sign)\b|\b(?:log|sign)(?:ging)? ?(?:in|into|on)\b.{0,20}\b(?:account|app)\b|\bmy (?:password|account|subscription|login)\b|\bunsubscribe\b/,
  /\bthis (?:week|weekend)\b|\btonight\b|\bwhat'?s new\b|\blatest (?:update|version|news|release|model|features?|episode|season)\b|\bnext (?:season|episode|update)\b/,
  /\b(?:is|are) \w+(?: \w+)? (?:down|offline|not working|broken)\b|\bnot working\b|\bwon'?t (?:load|open|work|send)\b|\boutage\b|\bright now\b/,
  /\bnot (?:sending|receiving|loading|syncing|connecting|updating|opening|delivering|downloading|uploading)\b|\bkeeps? (?:crashing|freezing|logging (?:me )?out)\b/,
];

/** The future: what will happen is a prediction, out of scope like advice. */
const FUTURE = [
  /\bwill (?:\w+ ){0,4}(?:get|be|face|pay|happen|win|lose|ever|go|stop|sell|share|buy|change|raise|increase|hike|cut|lower|launch|release|ban)\b/,
  /\bnext (?:year|month|week|time)\b|\bin the future\b|\bgoing to happen\b|\bgonna\b|\bpredict|\bforecast|\blikely to\b|\bwhat will\b|\bany chance\b/,
];

/**
 * What a settlement pays out: "how much will I get from the Vizio settlement?", "when will I get my
 * settlement money?" ask for its terms (a sum each, a date set), a matter of record, not a prediction.
 */
const PAYOUT = /\b(?:settle\w*|payouts?|payments?|claims?|compensation|refunds?|checks?|cheques?|money)\b/;

const HOW_TO =
  /\bhow (?:do|can|should|could|would) (?:i|we|you|one|people)\b|\bhow to\b|\bis there a way to\b/;

/**
 * Prices: what a product costs to buy ("how much is a 23andMe kit", "netflix premium a month"),
 * not what someone in a deal paid, earned or was fined.
 */
const PRICE =
  /\bhow much (?:is|are|does|do) (?:a|an) |\bhow much (?:is|are|does|do) [\w' ]{1,30} (?:a|per) (?:month|year)\b|\bwhat does (?:a|an) [\w' ]{1,30} cost\b|\b(?:price|prices|pricing) (?:of|for)\b|\b(?:stock|share) price\b/;
const DEAL_MONEY =
  /\b(?:fine[ds]?|penalt\w*|settle\w*|paid|pay|pays|paying|deal|contract|worth|licens\w*|spent|spend|spending|revenue|earn\w*|them|they|it)\b/;

const PATTERNS: readonly [Intent, RegExp][] = [
  [
    "when",
    /^(?:and |so |but |ok |okay |wait )?when\b|\bwhen (?:did|was|were|is|are|does|do|has|have|had|will|would|exactly)\b|\b(?:and|or|but|then) when\b|\bwhat (?:year|date|month|day|time)\b|\bwhich (?:year|month|date|day)\b|\bin what year\b|\bhow long ago\b|\bsince when\b|\bhow long (?:did|was|has|have|had|were)\b|\bdate of\b|\btimeline\b|\bhow recent\b/,
  ],
  [
    "how-much",
    /\bhow much\b|\bhow many\b|\bhow big\b|\bhow large\b|\bhow high\b|\bamount\b|\bprice\b|\bcost\b|\bworth\b|\bnumber of\b|\bwhat (?:was|is|were) the (?:fine|penalty|settlement|payout|figure|sum|total)\b|\bsize of the (?:fine|penalty|settlement)\b|\$|€|£/,
  ],
  [
    "who",
    /^(?:and |so |but )?(?:who|whom|whose)\b|\bwho(?:'s| is| was| were| are| did| said| says| runs?| sued| sues| alleg\w*| made| found| discovered| reported| leaked| bought| sold| got| paid| gave| else| exactly)\b|\bby whom\b|\b(?:which|what) (?:compan|firms?\b|brands?\b|partners?\b|agenc|regulators?\b|courts?\b|judges?\b|lawyers?\b|person|people|apps?\b|states?\b|countr|brokers?\b|insurers?\b|carriers?\b|hospitals?\b|outlets?\b|newspapers?\b|senators?\b|officials?\b|employees?\b|executives?\b)|\bname of\b|\bnamed\b|\b(?:which|what) (?:(?:other|\w+) ){0,2}\w+(?:ers|ors|ies|ants|ents|ists|ies)\b(?! (?:of|was|is))|\bwhich (?:\w+ ){0,2}(?!(?:other|either|neither|whether|number|order|after|under|over|later|earlier|better|paper|chapter|letter|matter|power|cover|never|ever|former|latter)\b)\w+(?:er|or)\b(?! (?:of|was|is))/,
  ],
  [
    "why",
    /\bwhy\b|\bhow come\b|^(?:and |so |but )?how (?:did|does|could|was|were)\b(?! (?:i|we|you)\b)(?!.*\b(?:end|ended|turn out|turned out|go|went)\b)(?! (?:much|many|long|often|big))|\bwhat for\b|\bfor what\b|\breasons?\b|\bwhat (?:was|is) the (?:point|purpose|motive|goal|aim)\b|\bpurpose\b|\bmotive\b|\bwhat (?:did|do|does) (?:they|he|she|it|\w+) (?:want|need|use) (?:it|the data|that|them)(?: for)?\b|\bwhat .{1,40} used for\b/,
  ],
  [
    "legal",
    /\blegal\b|\billegal|\blawful|\bunlawful|\bagainst the law\b|\bbr(?:oke|eak|eaking|eaks) (?:the )?(?:law|rules)\b|\bviolat|\bproven\b|\bprove[dn]?\b|\bproof\b|\bevidence\b|\bguilty\b|\bconvicted\b|\bdid (?:a|the|any) (?:court|judge|jury|regulator)\b|\ballowed to\b|\bpermitted\b|\bin breach\b|\bbreach(?:ed)? (?:of )?(?:the )?(?:law|gdpr|rules|hipaa)\b|\bestablished\b|\bfound to\b/,
  ],
  [
    "is-it-true",
    /\bis (?:it|this|that) (?:true|real|legit|accurate|right|correct|a fact)\b|\btrue\b|\breally\b|\bactually\b|\bfact.?check|\bhoax\b|\bfake\b|\bmyth\b|\brumou?r|\bviral\b|\bdebunk|\blegit\b|\bconfirm|\bverif|\bfor real\b|\bright\s*\?*$|\bcorrect\s*\?*$/,
  ],
  [
    "denial",
    /\bden(?:y|ied|ies|ial|ying)\b|\brefut|\brebut|\brespon(?:d|se|ded)\b|\breact(?:ed|ion)?\b|\bcomment(?:ed)?\b|\bstatement\b|\bwhat (?:did|does|do|has|have) [\w' ]{1,40}? ?say\b|\bsay about\b|\bside of the story\b|\badmit(?:ted|s)?\b|\bapologi[sz]|\bsorry\b|\bdefend(?:ed)?\b/,
  ],
  [
    "outcome",
    /\bwhat happened\b|\bhow did (?:it|that|this|the \w+) end\b|\bend(?:ed)? up\b|\boutcome\b|\bresult(?:ed)?\b|\bruling\b|\bruled\b|\bverdict\b|\bjudge\b|\bcourt\b|\bfined?\b|\bfines\b|\bpenalt|\bsettle|\bconsequence|\bpunish|\b(?:case|lawsuit|suit|legal|current|court|settlement|appeal)\s+status\b|\bstatus of\b|\bwhat(?:'s| is) the status\b|\bwhere does .* stand\b|\bnow\b|\bany action\b|\bwhat did the \w+ do\b|\bget away with\b|\bsanction|\bbanned?\b|\border(?:ed)?\b|\b(?:win|won|winning|lose|lost|losing)\b|\bstill\b|\bhave to\b|\bmust\b/,
  ],
];

/**
 * The words that on their own say what kind of answer is wanted ("legal", "proven", "fined",
 * "denied"): in "was that legal?" the word asks for a ruling, it names no topic.
 */
export function intentCues(words: readonly string[], intents: ReadonlySet<Intent>): string[] {
  return words.filter((word) =>
    PATTERNS.some(([intent, pattern]) => intents.has(intent) && pattern.test(word)),
  );
}

/** "What is X", "what's a X", "define X": asking for a definition, not for a story or a figure. */
const WHAT_IS =
  /^(?:so |and |but )?(?:what|wat)(?:'s| is| are| was| were) (?:a |an |the )?(.{1,60}?)\s*\??$|^define\b|\bmeaning of\b|\bwhat does (?:the (?:term|word) )?.{1,40} mean\b|\bwhat(?:'s| is) meant by\b/;
/** What follows "what is" when it asks for a figure, a status or a story, not a definition. */
const NOT_A_DEFINITION =
  /\b(?:fine|penalty|settlement|amount|deal|story|status|outcome|result|case|lawsuit|point|reason|purpose|difference|latest|news|going on|happening|happened|up with|new|problem|issue|date|timeline|number|scandal|controversy|affair|row|uproar|backlash|outcry)\b|\b(?:did|does|do|has|have|had|was|were|is|are)\b/;

const YES_NO = /^(?:and |so |but |wait )?(?:did|does|do|is|was|were|are|has|have|had|can|could|would|will)\b/;
const QUESTION_START =
  /^(?:and |so |but |wait )?(?:what|wat|who|whom|whose|when|where|why|how|which|did|does|do|is|was|were|are|has|have|had|can|could|should|would|will|tell|show|list|explain|any|anything|give)\b/;
/** Verbs a pasted claim states ("Facebook gave Netflix…"): past tense or the present of a deal. */
const CLAIM_VERB =
  /\b(?:\w{3,}ed|gave|sold|sells|paid|pays|let|lets|read|reads|sent|sends|got|gets|took|takes|made|makes|shares|shared|spies|spied|knew|knows|has|have|had|is|are|was|were|uses|used|leaked|leaks|tracks|tracked|hands|handed|buys|bought|can|will|did)\b/;

/**
 * The intents of a question. `raw` is the message as typed (lowercase), `text` the reworded
 * question (see wording.ts); `claim` says whether a claim wrapper was found.
 */
export function analyseIntent(raw: string, text: string, claim: boolean): IntentAnalysis {
  const bare = raw
    .replace(/\p{Extended_Pictographic}|\u{FE0F}|\u{200D}/gu, "")
    .replace(/[^\p{L}\p{N}' /]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  for (const [kind, pattern] of SMALL_TALK) {
    if (pattern.test(bare) || (bare === "" && raw.trim() !== "" && kind === "ack")) {
      return {
        primary: "small-talk",
        all: new Set(["small-talk"]),
        wantsCount: false,
        smallTalk: kind,
        yesNo: false,
        howTo: false,
      };
    }
  }
  const all = new Set<Intent>();
  for (const [intent, pattern] of PATTERNS) if (pattern.test(text)) all.add(intent);
  const definition = WHAT_IS.exec(text);
  if (definition && !NOT_A_DEFINITION.test(definition[1] ?? "") && !all.has("when") && !all.has("how-much"))
    all.add("what-is");
  const asked = QUESTION_START.test(text) || raw.includes("?");
  const statement = !asked && text.split(" ").length >= 5 && CLAIM_VERB.test(text);
  if (claim || statement) all.add("claim");
  const price = PRICE.test(text) && !DEAL_MONEY.test(text);
  const perPerson = PER_PERSON.test(raw);
  const payout = perPerson && PAYOUT.test(text);
  const future = !payout && FUTURE.some((pattern) => pattern.test(text));
  const advice = (price || future || ADVICE.some((pattern) => pattern.test(text))) && !claim;
  if (advice) all.add("advice");
  const many =
    /\b(?:how many|number of)\s+(?:(?:the|of|their|its|people's|\w+'s)\s+)?([\p{L}][\p{L}-]*)/u.exec(text);
  const wantsCount = many !== null || /\bhow many\b/.test(text);
  const yesNo = YES_NO.test(text);
  const howTo = HOW_TO.test(text);

  // "How did Vizio know what people were watching?": the question is how, whatever its clause asks.
  const means = MEANS.test(text) && !all.has("how-much") && !all.has("when");
  const primary: Intent = advice
    ? "advice"
    : all.has("claim")
      ? "claim"
      : means
        ? "why"
        : ((
            ["when", "how-much", "who", "why", "what-is", "legal", "denial", "is-it-true", "outcome"] as const
          ).find((intent) => all.has(intent)) ?? "topic");
  all.add(primary);
  return {
    primary,
    all,
    wantsCount,
    ...(many?.[1] ? { counted: many[1] } : {}),
    yesNo,
    howTo,
    ...(PRODUCTS.test(text) ? { products: true } : {}),
    ...(perPerson ? { perPerson: true } : {}),
    ...(WHO_SAID.test(text) ? { whoSaid: true } : {}),
    ...(means ? { means: true } : {}),
    ...(/^(?:and |so |but |wait )?(?:did|has|have|had)\b/.test(text) ? { didIt: true } : {}),
    ...(primary === "who" && RECIPIENTS.test(text) ? { recipients: true } : {}),
    ...(primary === "when" && UPCOMING.test(text) ? { upcoming: true } : {}),
    ...(primary === "topic" && ABOUT.test(text) ? { about: true } : {}),
  };
}
