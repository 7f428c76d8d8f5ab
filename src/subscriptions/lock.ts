/**
 * One process per data folder: `lockDataDir` creates DATA_DIR/receipts.lock, holding the process's
 * pid and host, before the database is opened, and a second process finds it and refuses to start.
 *
 * A lock outlives a process that was killed, so a lock is honoured only while its holder can be
 * alive: on this host, while its pid runs (a restarted container often gets the same pid: that is
 * us, then, not the holder); anywhere, while the holder keeps touching the file (every 10 s). Two
 * processes that find the same stale lock at the same instant could both take it over; the
 * outbox's claims (store.ts) still keep them from sending one notification twice.
 */
import {
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

export const LOCK_FILE = "receipts.lock";

export interface LockOptions {
  /** How often the holder touches the lock file. Default 10 s. */
  readonly heartbeatMs?: number;
  /** A lock file untouched for this long has no live holder. Default 60 s. */
  readonly staleMs?: number;
}

export interface DataDirLock {
  readonly file: string;
  /** Stops touching the lock file and removes it (if it is still ours). */
  release(): void;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly started?: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: Holder,
    file: string,
  ) {
    const where = holder.host === hostname() ? "" : ` on ${holder.host}`;
    const since = holder.started ? `, since ${holder.started}` : "";
    super(
      `receipts: DATA_DIR ${dir} is in use by another receipts process (pid ${holder.pid}${where}${since}). ` +
        `Stop that process first, or give this one a DATA_DIR of its own. If no such process runs, delete ${file}.`,
    );
    this.name = "DataDirLockedError";
  }
}

/** Lock files this process holds: a second opening of the same folder in one process is refused too. */
const held = new Set<string>();

/** Takes the data folder's lock, or throws DataDirLockedError naming the live holder. */
export function lockDataDir(dir: string, options: LockOptions = {}): DataDirLock {
  const file = path.join(dir, LOCK_FILE);
  const staleMs = options.staleMs ?? 60_000;
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(file, me)) return hold(file, options.heartbeatMs ?? 10_000);
    const found = read(file);
    if (!found) continue; // released meanwhile
    if (alive(found.holder, file, staleMs)) throw new DataDirLockedError(dir, found.holder, file);
    // Stale: remove it, unless someone else replaced it meanwhile.
    if (read(file)?.text === found.text) rmSync(file, { force: true });
  }
  throw new Error(
    `receipts: could not take the lock ${file}: it keeps changing; is another process starting?`,
  );
}

/** Writes the whole lock file aside, then links it into place: it appears complete or not at all. */
function create(file: string, me: Holder): boolean {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temporary, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function read(file: string): { text: string; holder: Holder } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (Number.isInteger(value.pid) && typeof value.host === "string")
      return { text, holder: value as Holder };
  } catch {
    // unreadable: no live holder wrote it
  }
  return { text, holder: { pid: 0, host: "" } };
}

function alive(holder: Holder, file: string, staleMs: number): boolean {
  if (holder.pid <= 0) return false;
  const touched = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (Date.now() - touched > staleMs) return false;
  if (holder.host !== hostname()) return true; // cannot look further: the heartbeat says it lives
  if (holder.pid === process.pid) return held.has(file);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

function hold(file: string, heartbeatMs: number): DataDirLock {
  held.add(file);
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // the next start judges by the pid, or takes the lock over once it is stale
    }
  }, heartbeatMs);
  heartbeat.unref();
  return {
    file,
    release() {
      clearInterval(heartbeat);
      if (!held.delete(file)) return;
      if (read(file)?.holder.pid === process.pid) unlinkSync(file);
    },
  };
}
