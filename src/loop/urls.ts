/**
 * Which links /suggest takes: http and https only, without a user name or password, and not to a
 * private, loopback or link-local address (a maintainer will open it; it must be a public page).
 * The address is judged as written: the bot never fetches a suggested link itself.
 */
import { isIP } from "node:net";

export type UrlCheck =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly why: UrlRefusal };

/** Why a link is refused: each has its wording under `loop.badUrl` in the message files. */
export type UrlRefusal = "invalid" | "scheme" | "credentials" | "private";

/** Host names that never name a public page. */
const PRIVATE_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home|corp|localdomain|home\.arpa)$/i;

export function checkSuggestedUrl(typed: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(typed.trim());
  } catch {
    return { ok: false, why: "invalid" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, why: "scheme" };
  if (url.username !== "" || url.password !== "") return { ok: false, why: "credentials" };
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const family = isIP(host);
  if (family === 4 ? isPrivateIPv4(host) : family === 6 ? isPrivateIPv6(host) : isPrivateName(host))
    return { ok: false, why: "private" };
  return { ok: true, url: url.href };
}

function isPrivateName(host: string): boolean {
  return host === "" || !host.includes(".") || PRIVATE_NAMES.test(host.replace(/\.$/, ""));
}

function isPrivateIPv4(host: string): boolean {
  const [a = 0, b = 0] = host.split(".").map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function isPrivateIPv6(host: string): boolean {
  if (host === "::" || host === "::1") return true;
  // IPv4-mapped (::ffff:7f00:1, as the URL parser writes ::ffff:127.0.0.1): judge the IPv4 address.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const high = Number.parseInt(mapped[1] as string, 16);
    const low = Number.parseInt(mapped[2] as string, 16);
    return isPrivateIPv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  const first = Number.parseInt(host.split(":")[0] || "0", 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}
