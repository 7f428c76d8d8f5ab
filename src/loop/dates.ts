/**
 * Times the loop shows (when a question was asked, last seen): a day. In English as the knowledge
 * base writes dates; in another language as that language abbreviates them ("4 dic 2026").
 */
import { formatDate } from "../knowledge/format.js";
import type { Language } from "../search/languages/index.js";

export function day(ms: number, language: Language = "en"): string {
  const date = new Date(ms);
  if (language === "en") return formatDate(date.toISOString().slice(0, 10));
  return new Intl.DateTimeFormat(language, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
}
