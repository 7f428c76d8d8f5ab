/**
 * A message as people type it → the question inside it. Claim wrappers ("is it true that…",
 * "Fact check:", "- legit?", quotes around a headline), filler ("exactly", "basically") and chat
 * slang ("ppl", "dms", "fb", "u") say how something is asked, not what about: they are taken out
 * or spelt out before the question is analysed, and whether the message was a claim to check is
 * remembered.
 */

export interface Wording {
  /** The question with wrappers and filler removed and slang spelt out, lowercase. */
  readonly text: string;
  /** The message asked to check a claim: a wrapper, a headline in quotes, a pasted statement. */
  readonly claim: boolean;
}

/** Openings that announce a claim to check. */
const CLAIM_OPENINGS = new RegExp(
  `^(?:${[
    "breaking(?: news)?",
    "claim",
    "fact[- ]?check(?:ing)?",
    "rumou?r",
    "viral(?: claim| post| tweet)?",
    "headline",
    "verify",
    "true or false",
    "real or fake",
    "fact or fiction",
    "(?:so )?is (?:it|this|that) (?:true|real|legit|correct|accurate)(?: that)?",
    "(?:can|could) you (?:verify|confirm|check|fact[- ]?check)(?: that| if| whether)?",
    "(?:i|we) (?:heard|read|saw)(?: somewhere| online| on \\w+)?(?: that)?",
    "(?:someone|somebody|my \\w+) (?:said|says|told me|posted)(?: that)?",
    "(?:people|they|everyone) (?:are saying|say|says)(?: that)?",
    "apparently",
    "supposedly",
    "did you (?:know|hear)(?: that)?",
    "saw this",
    "check this",
    "thoughts on this",
  ].join("|")})\\s*[:\\-–—,]*\\s*`,
);

/** Endings that ask whether what came before is true. */
const CLAIM_ENDINGS =
  /\s*[-–—:,]*\s*(?:(?:is )?(?:this|it|that) )?(?:legit|true|real|fake|accurate|correct|right|verified|confirmed|for real|or not|fact or fiction|true or false|real or fake|is (?:this|it|that) (?:true|real|legit|accurate|right|correct))\s*[?!.]*\s*$/;

/** Words that only pad a question. */
const FILLER = new Set([
  "exactly",
  "actually",
  "basically",
  "literally",
  "honestly",
  "seriously",
  "totally",
  "even",
  "just",
  "ever",
  "please",
  "um",
  "uh",
  "hmm",
  "yo",
  "tbh",
  "imo",
  "imho",
  "fyi",
  "ngl",
  "omg",
  "wtf",
  "lol",
  "lmao",
  "btw",
  "pls",
  "plz",
  "okay",
  "ok",
  "so",
  "hey",
]);

/** Phrases that only pad a question ("can you tell me…"). */
const FILLER_PHRASES =
  /^(?:(?:hey|hi|hello|ok|okay|so|and|but|also|quick question|question)[,:!]?\s+)*(?:(?:can|could) you (?:please )?(?:tell|show) me|(?:do|does) (?:you|anyone) know|i (?:want|would like|wanna|need) to know|i(?:'m| am) (?:curious|wondering)|i wonder|any idea|tell me|explain)\b[:,]?\s*/;

/** Chat slang → the word it stands for. */
const SLANG: Readonly<Record<string, string>> = {
  ppl: "people",
  ppls: "people",
  peeps: "people",
  msg: "message",
  msgs: "messages",
  dm: "dm",
  dms: "dms",
  pm: "pm",
  fb: "facebook",
  ig: "instagram",
  insta: "instagram",
  wa: "whatsapp",
  yt: "youtube",
  u: "you",
  ur: "your",
  r: "are",
  y: "why",
  wat: "what",
  wht: "what",
  wut: "what",
  hw: "how",
  abt: "about",
  bc: "because",
  cuz: "because",
  coz: "because",
  bcoz: "because",
  b4: "before",
  govt: "government",
  gov: "government",
  info: "information",
  pic: "photo",
  pics: "photos",
  vid: "video",
  vids: "videos",
  thru: "through",
  tho: "though",
  yr: "year",
  yrs: "years",
  mil: "million",
  mln: "million",
  bn: "billion",
  bil: "billion",
  acct: "account",
  exec: "executive",
  execs: "executives",
  guy: "person",
  guys: "people",
  dude: "person",
  folks: "people",
  sth: "something",
  smth: "something",
  rn: "right now",
  idk: "i don't know",
  thx: "thanks",
  ty: "thank you",
  w: "with",
  "w/": "with",
  "w/o": "without",
};

const QUOTES = /["“”«»„‟]/g;

/** Takes wrappers, filler and slang out of a message; see Wording. */
export function reword(message: string): Wording {
  let text = message
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[‘’ʼ`´]/g, "'")
    .replace(/\s+/g, " ")
    .trim();
  let claim = false;
  // A headline in quotes, with or without a question around it.
  const quoted = /["“«„][^"”»“]{12,}["”»“]/.test(text);
  if (quoted) claim = true;
  text = text.replace(QUOTES, " ").replace(/\s+/g, " ").trim();

  // Wrappers can nest ("fact check: is it true that …?"): peel until nothing changes.
  for (let previous = ""; previous !== text; ) {
    previous = text;
    text = text.replace(FILLER_PHRASES, "").trim();
    const opened = text.replace(CLAIM_OPENINGS, "");
    if (opened !== text && opened.length > 0) {
      claim = true;
      text = opened.trim();
    }
    const ended = text.replace(CLAIM_ENDINGS, "");
    if (ended !== text && ended.split(" ").length >= 3) {
      claim = true;
      text = ended.trim();
    }
  }

  const words = text.split(" ").flatMap((word) => {
    const bare = word.replace(/^[^\p{L}\p{N}$€£/]+|[^\p{L}\p{N}%/]+$/gu, "");
    if (FILLER.has(bare)) return [];
    const spelt = SLANG[bare];
    return spelt === undefined ? [word] : [word.replace(bare, spelt)];
  });
  return { text: words.join(" ").trim(), claim };
}
