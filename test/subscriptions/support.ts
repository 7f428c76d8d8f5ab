/** Shared by the subscription tests: the fixture knowledge base, edited in memory or on disk, and a fake Deliverer. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Platform, Reply } from "../../src/bot/types.js";
import { type KnowledgeFile, loadKnowledge } from "../../src/knowledge/load.js";
import type { KnowledgeBase } from "../../src/knowledge/types.js";
import type { Deliverer, DeliveryResult } from "../../src/subscriptions/deliver.js";

export const FIXTURE = path.join(import.meta.dirname, "..", "knowledge", "fixtures", "valid");

export type Edits = Record<string, readonly [from: string, to: string] | string | null>;

function fixtureFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of ["sources.yaml", "entities.yaml"])
    files.set(name, readFileSync(path.join(FIXTURE, name), "utf8"));
  for (const name of readdirSync(path.join(FIXTURE, "deals")))
    files.set(`deals/${name}`, readFileSync(path.join(FIXTURE, "deals", name), "utf8"));
  return files;
}

function applyEdits(files: Map<string, string>, edits: Edits): void {
  for (const [name, edit] of Object.entries(edits)) {
    if (edit === null) files.delete(name);
    else if (typeof edit === "string") files.set(name, edit);
    else {
      const text = files.get(name) ?? "";
      if (!text.includes(edit[0])) throw new Error(`fixture ${name} has no ${JSON.stringify(edit[0])}`);
      files.set(name, text.replace(edit[0], edit[1]));
    }
  }
}

/** The valid fixture knowledge base with `edits` applied; throws if it does not load. */
export function fixtureKb(edits: Edits = {}): KnowledgeBase {
  const files = fixtureFiles();
  applyEdits(files, edits);
  const file = (name: string): KnowledgeFile | undefined => {
    const text = files.get(name);
    return text === undefined ? undefined : { path: name, text };
  };
  const deals = [...files.keys()].filter((name) => name.startsWith("deals/")).sort();
  const result = loadKnowledge({
    sources: file("sources.yaml"),
    entities: file("entities.yaml"),
    deals: deals.map((name) => file(name) as KnowledgeFile),
  });
  if (!result.ok) throw new Error(`fixture does not load: ${JSON.stringify(result.errors)}`);
  return result.kb;
}

/** A temporary copy of a knowledge folder; `edit` changes it on disk. */
export function knowledgeCopy(from = FIXTURE) {
  const root = mkdtempSync(path.join(tmpdir(), "receipts-kb-"));
  const dir = path.join(root, "knowledge");
  cpSync(from, dir, { recursive: true });
  return {
    dir,
    root,
    edit(edits: Edits) {
      for (const [name, edit] of Object.entries(edits)) {
        const file = path.join(dir, name);
        if (edit === null) rmSync(file);
        else if (typeof edit === "string") writeFileSync(file, edit);
        else {
          const text = readFileSync(file, "utf8");
          if (!text.includes(edit[0])) throw new Error(`${name} has no ${JSON.stringify(edit[0])}`);
          writeFileSync(file, text.replace(edit[0], edit[1]));
        }
      }
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function tempDir(prefix = "receipts-data-"): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A new fact for the acme-streamco deal, as YAML to append to its facts. */
export const NEW_FACT = `
  - id: as-settlement
    text: StreamCo and Acme settled the case in 2025, according to the news report.
    status: reported
    sources: [news-report, court-filing]
    date: 2025
`;

export interface Delivery {
  readonly chatId: string;
  readonly reply: Reply;
  readonly result: DeliveryResult;
}

/**
 * A Deliverer whose answers a test scripts: `script(chatId)` returns the result, or a promise of it
 * (held until the test resolves it). Every call is recorded, and `waitFor` synchronises on them.
 */
export function fakeDeliverer(
  platform: Platform = "telegram",
  script: (chatId: string, n: number) => DeliveryResult | Promise<DeliveryResult> = () => ({
    status: "sent",
  }),
) {
  const calls: Delivery[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let n = 0;
  const deliverer: Deliverer & { calls: Delivery[]; waitFor(count: number): Promise<void> } = {
    platform,
    calls,
    async deliver(chatId, reply) {
      const result = await script(chatId, n++);
      calls.push({ chatId, reply, result });
      for (const waiter of [...waiters]) {
        if (calls.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      return result;
    },
    waitFor(count) {
      if (calls.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
  return deliverer;
}

/** Everything a Reply says, as one string, for assertions. */
export function replyText(reply: Reply): string {
  const inline = (part: Reply["blocks"][number]["content"][number]) =>
    typeof part === "string" ? part : part.text;
  return [
    reply.title ?? "",
    ...reply.blocks.map((block) => block.content.map(inline).join("")),
    ...reply.citations.map((c) => `[${c.n}] ${c.title} ${c.url}`),
    reply.footer ?? "",
  ].join("\n");
}
