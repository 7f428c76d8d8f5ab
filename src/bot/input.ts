/** Typed text → Input: "/deal@receipts_bot netflix" is a command, anything else a question. */
import type { Input } from "./types.js";

/**
 * Parses a message's text. `botUsername`, when given, lets a command addressed to another bot
 * in a group ("/help@otherbot") be recognised and ignored (undefined).
 */
export function parseInput(text: string, botUsername?: string): Input | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return { kind: "text", text };
  const [, name = "", addressee, args = ""] = match;
  if (addressee && botUsername && addressee.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { kind: "command", name: name.toLowerCase(), args: args.trim() };
}
