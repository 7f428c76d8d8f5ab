/**
 * Reading knowledge files from disk, and the rules for what a file may hold.
 *
 * Only regular files inside the knowledge folder are read: a symbolic link may point elsewhere in
 * it, but never out of it (nothing behind such a link is opened, so nothing of it can be quoted in
 * an error), and a FIFO, a socket, a device or a folder is refused before it is opened (opened
 * non-blocking, and checked again once open, so a FIFO swapped in meanwhile cannot block either).
 * A file must be UTF-8. Every file that cannot be read is a problem at its place, never skipped.
 */
import { isUtf8 } from "node:buffer";
import { constants, type Stats } from "node:fs";
import { lstat, open, realpath, stat } from "node:fs/promises";
import path from "node:path";

/** A knowledge file is text of a few kilobytes; anything near this is a mistake. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly line: number; readonly column: number; readonly message: string };

/** The real path of the knowledge folder, which every file read must be inside. */
export function knowledgeRoot(dir: string): Promise<string> {
  return realpath(dir);
}

/** Reads `file`, which must be a regular UTF-8 file inside `root` (a real path). */
export async function readKnowledgeFile(root: string, file: string): Promise<ReadResult> {
  const fail = (message: string, line = 1, column = 1): ReadResult => ({ ok: false, line, column, message });
  let target = file;
  let info: Stats;
  try {
    info = await lstat(file);
    if (info.isSymbolicLink()) {
      target = await realpath(file);
      if (target !== root && !target.startsWith(`${root}${path.sep}`))
        return fail("a symbolic link to a file outside KNOWLEDGE_DIR: only files inside it are read");
      info = await stat(target);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && target === file && (await isLink(file)))
      return fail("cannot read: it is a broken symbolic link (what it points to does not exist)");
    return fail(cannotRead(error));
  }
  if (!info.isFile()) return fail(`not a regular file (${kindOf(info)}): only regular files are read`);
  if (info.size > MAX_FILE_BYTES) return fail(`larger than ${MAX_FILE_BYTES / 1024 / 1024} MB: split it`);

  let bytes: Buffer;
  try {
    const handle = await open(target, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      const opened = await handle.stat();
      if (!opened.isFile())
        return fail(`not a regular file (${kindOf(opened)}): only regular files are read`);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return fail(cannotRead(error));
  }
  if (bytes.length > MAX_FILE_BYTES) return fail(`larger than ${MAX_FILE_BYTES / 1024 / 1024} MB: split it`);

  if (!isUtf8(bytes)) {
    const bad = invalidUtf8At(bytes);
    const before = bytes.subarray(0, bad);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const line = before.reduce((n, byte) => n + (byte === 0x0a ? 1 : 0), 1);
    const column = before.subarray(lineStart).toString("utf8").length + 1;
    const byte = (bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return fail(`not UTF-8 (byte 0x${byte}): save the file as UTF-8`, line, column);
  }
  return { ok: true, text: new TextDecoder("utf-8").decode(bytes) };
}

/**
 * Characters a knowledge file must not contain, with their names: controls (NUL among them), bidi
 * overrides and isolates that make text read differently from how it is stored, and zero-width
 * characters that make two equal-looking words differ.
 */
const INVISIBLE = new Map<string, string>([
  ["\u200b", "zero width space"],
  ["\u200c", "zero width non-joiner"],
  ["\u200d", "zero width joiner"],
  ["\u200e", "left-to-right mark"],
  ["\u200f", "right-to-left mark"],
  ["\u202a", "left-to-right embedding"],
  ["\u202b", "right-to-left embedding"],
  ["\u202c", "pop directional formatting"],
  ["\u202d", "left-to-right override"],
  ["\u202e", "right-to-left override"],
  ["\u2060", "word joiner"],
  ["\u2066", "left-to-right isolate"],
  ["\u2067", "right-to-left isolate"],
  ["\u2068", "first strong isolate"],
  ["\u2069", "pop directional isolate"],
  ["\ufeff", "zero width no-break space"],
]);
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/** Every forbidden character in `text` (a leading byte-order mark is allowed), where it is. */
export function forbiddenCharacters(text: string): { line: number; column: number; message: string }[] {
  const found: { line: number; column: number; message: string }[] = [];
  for (const match of text.matchAll(FORBIDDEN)) {
    if (match.index === 0 && match[0] === "\ufeff") continue;
    const code = match[0].charCodeAt(0);
    const before = text.slice(0, match.index);
    const hex = code.toString(16).toUpperCase().padStart(4, "0");
    const name = INVISIBLE.get(match[0]) ?? "control character";
    found.push({
      line: before.split("\n").length,
      column: match.index - before.lastIndexOf("\n"),
      message: `invisible character U+${hex} (${name}): remove it`,
    });
  }
  return found;
}

/** The offset of the first byte that is not valid UTF-8, or -1. */
function invalidUtf8At(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Sequence length and the range of the second byte (excludes overlongs and surrogates).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k];
      if (byte === undefined) return i;
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (byte < min || byte > max) return i;
    }
    i += length;
  }
  return -1;
}

async function isLink(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined))?.isSymbolicLink() ?? false;
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a file";
}

function cannotRead(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  if (code === "EACCES" || code === "EPERM")
    return `cannot read (${code}: permission denied): give the bot's user read access to it`;
  if (code === "ELOOP") return "cannot read: its symbolic links go round in a loop";
  if (code === "ENOENT") return "cannot read: it is gone (ENOENT)";
  return `cannot read (${code})`;
}
