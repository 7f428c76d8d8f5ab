/** de → the English words the engine knows. See lexicon.ts. */
import type { Lexicon } from "./lexicon.js";

export const de: Lexicon = {
  phrases: {},
  words: {},
};
