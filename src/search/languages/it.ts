/** it → the English words the engine knows. See lexicon.ts. */
import type { Lexicon } from "./lexicon.js";

export const it: Lexicon = {
  phrases: {},
  words: {},
};
