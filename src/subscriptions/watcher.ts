/**
 * Watches the knowledge folder and calls `onChange` once a burst of edits has settled (editors save
 * through temporary files and renames, and `git pull` touches many files: one reload, not twenty).
 * SIGHUP asks for a reload too, as daemons conventionally do.
 */
import { type FSWatcher, watch } from "node:fs";
import { type Logger, silentLogger } from "../log.js";

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` runs. Default 750 ms. */
  readonly debounceMs?: number;
  readonly log?: Logger;
  /** Also reload on SIGHUP. Default true. */
  readonly sighup?: boolean;
}

export interface KnowledgeWatcher {
  close(): void;
}

export function watchKnowledge(
  dir: string,
  onChange: (trigger: string) => void,
  options: WatchOptions = {},
): KnowledgeWatcher {
  const log = (options.log ?? silentLogger).child({ component: "watcher" });
  const debounceMs = options.debounceMs ?? 750;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const changed = (file: string | null) => {
    // Editor droppings (swap files, backups) are not knowledge.
    if (file && /(^|[/\\])(\.[^/\\]*\.sw[a-p]|[^/\\]*~|\.#[^/\\]*|4913)$/.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(`file change${file ? ` (${file})` : ""}`), debounceMs);
  };
  try {
    watcher = watch(dir, { recursive: true, persistent: false }, (_event, file) => changed(file));
    watcher.on("error", (error) =>
      log.error({ err: error, dir }, "knowledge watcher failed: use SIGHUP or /reload"),
    );
  } catch (error) {
    log.error({ err: error, dir }, "cannot watch the knowledge folder: use SIGHUP or /reload");
  }
  const hup = () => onChange("SIGHUP");
  if (options.sighup !== false) process.on("SIGHUP", hup);
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
      if (options.sighup !== false) process.off("SIGHUP", hup);
    },
  };
}
