/**
 * Cutting text to a length, for any layer: the bot layer's labels and suggestions, the
 * subscription topics, and the renderers all use it. Nothing here knows a platform.
 */

/** Marks text that was cut. */
export const ELLIPSIS = "…";

/** Cuts `text` to at most `max` code points with a final "…", never inside a surrogate pair: for short labels. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}${ELLIPSIS}`;
}
