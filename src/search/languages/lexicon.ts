/**
 * A language's words for what people ask Receipts about, mapped to the English words the engine
 * knows. Facts stay in English; a question in another language is rendered into English words
 * (question words, domain words, countries) before it is analysed, and names pass through as
 * they are ("TikTok", "Meta").
 */
export interface Lexicon {
  /**
   * Multi-word phrases and question words, matched first and word by word, accents ignored:
   * "por qué" → "why", "cuánto" → "how much", "es verdad que" → "is it true that".
   */
  readonly phrases: Readonly<Record<string, string>>;
  /**
   * Single words → English. Inflections are found through the language's Snowball stemmer
   * ("multaron", "multado" and "multa" all meet "multa"), so list base forms, plus any form
   * whose stem differs.
   */
  readonly words: Readonly<Record<string, string>>;
  /** Words that are not stop words in this language although a generic list says they are. */
  readonly keep?: readonly string[];
}

/**
 * A lexicon made when first needed, then kept: a start that finds the lexicons prepared in the
 * cache folder (saved-lexicons.ts) never makes them, and making them (the French and Italian
 * ones spell each word with its elisions and inversions) took a few hundred milliseconds at
 * every import.
 */
export function lazyLexicon(make: () => Lexicon): () => Lexicon {
  let made: Lexicon | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/** The languages Receipts understands and answers in, English first. */
export const LANGUAGES = ["en", "es", "pt", "de", "fr", "it"] as const;
export type Language = (typeof LANGUAGES)[number];

/** Snowball's name for each language's stemmer. */
export const STEMMERS: Readonly<Record<Exclude<Language, "en">, string>> = {
  es: "spanish",
  pt: "portuguese",
  de: "german",
  fr: "french",
  it: "italian",
};

export function isLanguage(value: string | undefined): value is Language {
  return (LANGUAGES as readonly string[]).includes(value ?? "");
}
