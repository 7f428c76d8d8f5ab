/** Shared by the subscription tests: the fixture knowledge base, edited in memory or on disk, and a fake Deliverer. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildKnowledge, KnowledgeHolder } from "../../src/answer/knowledge.js";
import type { Platform, Reply } from "../../src/bot/types.js";
import { loadKnowledgeDir } from "../../src/knowledge/load.js";
import type { KnowledgeBase } from "../../src/knowledge/types.js";
import type { Deliverer, DeliveryResult } from "../../src/subscriptions/deliver.js";
import type { OutboxRow } from "../../src/subscriptions/store.js";
import { type Edits, FIXTURE_DIR, loadFixture } from "../support/knowledge.js";

export const FIXTURE = FIXTURE_DIR;

export type { Edits };

/** The valid fixture knowledge base with `edits` applied; throws if it does not load. */
export function fixtureKb(edits: Edits = {}): KnowledgeBase {
  const result = loadFixture(edits);
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
  readonly key: string | undefined;
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
    async deliver(chatId, reply, options) {
      const result = await script(chatId, n++);
      calls.push({ chatId, reply, key: options?.key, result });
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

/** The dispatcher's outcomes, recorded; `outcome` resolves once one matching `predicate` is recorded. */
export function outcomeLog() {
  type Outcome = { row: OutboxRow; result: DeliveryResult };
  const outcomes: Outcome[] = [];
  const waiters = new Set<() => void>();
  return {
    onOutcome(row: OutboxRow, result: DeliveryResult) {
      outcomes.push({ row, result });
      for (const waiter of [...waiters]) waiter();
    },
    outcome: (predicate: (o: Outcome) => boolean) =>
      new Promise<Outcome>((resolve) => {
        const check = () => {
          const found = outcomes.find(predicate);
          if (found) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/**
 * A temporary copy of the fixture on disk (`kb`, removed by `cleanups`), loaded and held as the
 * bot holds its knowledge (`holder`).
 */
export async function heldKnowledgeCopy(cleanups: (() => unknown)[]) {
  const kb = knowledgeCopy();
  cleanups.push(kb.remove);
  const loaded = await loadKnowledgeDir(kb.dir);
  if (!loaded.ok) throw new Error("fixture does not load");
  return { kb, holder: new KnowledgeHolder(buildKnowledge(loaded.kb)) };
}
