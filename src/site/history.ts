/**
 * When each deal last changed, from git history: "last updated" comes from history, not from a
 * hand-edited field. Outside a git checkout (an image, a tarball) there is no history, and the
 * callers fall back on the facts' own dates.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Deal id → the commit date (ISO 8601) of the last commit that touched `deals/<id>.yaml`. */
export async function dealsLastChanged(knowledgeDir: string): Promise<Map<string, string>> {
  const changed = new Map<string, string>();
  let log: string;
  try {
    ({ stdout: log } = await run(
      "git",
      ["log", "--format=%x00%cI", "--name-only", "--relative", "--", "deals"],
      { cwd: knowledgeDir, maxBuffer: 64 * 1024 * 1024 },
    ));
  } catch {
    return changed;
  }
  // Newest commit first: the first date seen for a file is its last change.
  for (const commit of log.split("\0").slice(1)) {
    const [date = "", ...files] = commit.split("\n").map((line) => line.trim());
    for (const file of files) {
      const match = /^deals\/([^/]+)\.yaml$/.exec(file.split(path.sep).join("/"));
      if (match && !changed.has(match[1] as string)) changed.set(match[1] as string, date);
    }
  }
  return changed;
}
