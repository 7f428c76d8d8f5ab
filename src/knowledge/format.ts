/** Knowledge-base values as people read them: dates, money, counts. */
import type { Amount, Count, PartialDate } from "./types.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2024-04-02" → "2 Apr 2024", "2024-04" → "Apr 2024", "2024" → "2024"; anything else is shown as given. */
export function formatDate(date: PartialDate): string {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  const year = match?.[1];
  if (match === null || year === undefined) return date;
  const [, , month, day] = match;
  if (month === undefined) return year;
  const name = MONTHS[Number(month) - 1];
  if (name === undefined) return date;
  if (day === undefined) return `${name} ${year}`;
  const dayNumber = Number(day);
  return dayNumber >= 1 && dayNumber <= 31 ? `${dayNumber} ${name} ${year}` : date;
}

const SYMBOLS: Readonly<Record<string, string>> = { USD: "$", EUR: "€", GBP: "£" };

/** 150000000 → "150 million"; 1200000000 → "1.2 billion"; 5700000 → "5.7 million"; 950 → "950". */
export function formatNumber(value: number): string {
  const [scaled, unit] =
    value >= 1e9 ? [value / 1e9, " billion"] : value >= 1e6 ? [value / 1e6, " million"] : [value, ""];
  if (unit === "") return Math.round(value).toLocaleString("en");
  const digits = Number.isInteger(scaled)
    ? String(scaled)
    : scaled.toFixed(scaled < 10 ? 2 : 1).replace(/\.?0+$/, "");
  return `${digits}${unit}`;
}

/** 150000000 USD → "$150 million"; 1200000000 EUR → "€1.2 billion"; 65000000 NOK → "65 million NOK". */
export function formatMoney(value: number, currency: string): string {
  const symbol = SYMBOLS[currency];
  return symbol ? `${symbol}${formatNumber(value)}` : `${formatNumber(value)} ${currency}`;
}

/** An amount as a phrase: "about $150 million to $200 million a year". */
export function formatAmount(amount: Amount): string {
  const range = amount.to !== undefined ? ` to ${formatMoney(amount.to, amount.currency)}` : "";
  const per = amount.per
    ? amount.per === "user" || amount.per === "violation"
      ? ` per ${amount.per}`
      : ` a ${amount.per}`
    : "";
  return `${amount.approximate ? "about " : ""}${formatMoney(amount.value, amount.currency)}${range}${per}`;
}

/** A count as a phrase: "about 87 million people". */
export function formatCount(count: Count): string {
  return `${count.approximate ? "about " : ""}${formatNumber(count.value)} ${count.unit}`;
}
