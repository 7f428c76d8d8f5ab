/** Times the loop shows (when a question was asked, last seen): a day, as the knowledge base writes dates. */
import { formatDate } from "../knowledge/format.js";

export function day(ms: number): string {
  return formatDate(new Date(ms).toISOString().slice(0, 10));
}
