/**
 * Fault: a knowledge file that expands into something enormous, or quotes something enormous. A few
 * hundred bytes of YAML aliases ("billion laughs") used to turn into a 10 MB error message, a notice
 * to admins of the same size stored in SQLite, and a frozen bot; a size up, the loader threw. Alias
 * expansion is limited (the `yaml` package's maxAliasCount, and js-yaml is not used for a file with
 * anchors), every value a message quotes is clipped, and a notice to admins stays one message.
 */
import { afterEach, describe, expect, it } from "vitest";
import { formatProblem, MESSAGE_MAX } from "../../src/knowledge/report.js";
import type { Problem } from "../../src/knowledge/types.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderTelegram } from "../../src/render/telegram.js";
import { fitsOneMessage, refusalNotice } from "../../src/subscriptions/digest.js";
import { Publisher } from "../../src/subscriptions/publisher.js";
import { openStore } from "../../src/subscriptions/store.js";
import { heldKnowledgeCopy, replyText } from "../subscriptions/support.js";
import { loadFixture } from "../support/knowledge.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A deal file whose status is `levels` of ten-fold aliases over a 100-character string. */
function aliasBomb(levels: number): string {
  const anchors = [`  a0: &a0 "${"x".repeat(100)}"`];
  for (let i = 1; i <= levels; i++)
    anchors.push(
      `  a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return [
    "id: acme-breach",
    "laughs:",
    ...anchors,
    "title: A title",
    "parties: [acme]",
    `status: *a${levels}`,
    "summary: A summary.",
    "facts:",
    "  - id: ab-fine",
    "    text: A regulator fined Acme.",
    "    status: ruled",
    "    sources: [news-report]",
    "",
  ].join("\n");
}

describe("fault: a YAML alias bomb, or a huge value, in a knowledge file", () => {
  it("is refused at once with short, located messages, however far it would expand", () => {
    for (const levels of [5, 9]) {
      const started = performance.now();
      const result = loadFixture({ "deals/acme-breach.yaml": aliasBomb(levels) });
      const ms = performance.now() - started;
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      const total = result.errors.reduce((sum, p) => sum + formatProblem(p).length, 0);
      expect(total, `${levels} levels`).toBeLessThan(2_000);
      expect(result.errors.map((p) => p.message)).toContainEqual(expect.stringMatching(/alias/i));
      expect(ms, `${levels} levels took ${Math.round(ms)} ms`).toBeLessThan(1_000);
    }
  });

  it("clips every value it quotes: an enum, a key, an id", () => {
    const huge = "z".repeat(100_000);
    const result = loadFixture({
      "deals/acme-breach.yaml": ["status: fined", `status: ${huge}\n${huge}: 1`],
      "deals/acme-streamco.yaml": ["sources: [", `sources: [${"q".repeat(100_000)}, `],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThanOrEqual(3);
    for (const problem of result.errors) expect(problem.message.length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(result.errors.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/^status must be one of .* \(got "z+…"\)$/),
    );
  });

  it("tells admins in one message within the platforms' limits, in good time", async () => {
    const { kb, holder } = await heldKnowledgeCopy(cleanups);
    const store = openStore(":memory:");
    cleanups.push(() => store.close());
    const publisher = new Publisher({
      store,
      holder,
      knowledgeDir: kb.dir,
      admins: new Set(["telegram:42"]),
    });
    await publisher.publish(holder.current.kb);
    const deals = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [
        `deals/bomb-${i}.yaml`,
        aliasBomb(4).replace("acme-breach", `bomb-${i}`),
      ]),
    );
    kb.edit({ ...deals, "deals/acme-breach.yaml": aliasBomb(5) });

    const started = performance.now();
    const result = await publisher.reload("test");
    expect(result.status).toBe("refused");
    expect(performance.now() - started).toBeLessThan(1_500);
    const [row] = store.due("telegram", Date.now(), 10);
    const notice = row && store.digest(row.digest);
    if (!notice) throw new Error("no notice queued for the admin");
    expect(fitsOneMessage(notice)).toBe(true);
    expect(renderTelegram(notice)).toHaveLength(1);
    expect(renderTelegram(notice)[0]?.text.length).toBeLessThanOrEqual(4_096);
    expect(JSON.stringify(renderDiscord(notice)).length).toBeLessThan(8_000);

    // However many problems, and however much escaping their text needs.
    const problems: Problem[] = Array.from({ length: 40 }, (_, i) => ({
      file: `knowledge/deals/deal-${i}.yaml`,
      line: i + 1,
      column: 1,
      severity: "error",
      message: "<&>".repeat(MESSAGE_MAX / 3),
    }));
    const worst = refusalNotice(problems, "v1", formatProblem);
    expect(fitsOneMessage(worst)).toBe(true);
    expect(replyText(worst)).toMatch(/and \d+ more: run npm run kb:check/);
  });
});
