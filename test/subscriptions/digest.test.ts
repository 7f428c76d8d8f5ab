import { describe, expect, it } from "vitest";
import { renderDiscord } from "../../src/render/discord.js";
import { renderTelegram } from "../../src/render/telegram.js";
import { diffKnowledge, snapshotOf } from "../../src/subscriptions/diff.js";
import { buildDigest, fitsOneMessage } from "../../src/subscriptions/digest.js";
import { parseTelegramHtml } from "../fakes/telegram-api.js";
import { fixtureKb, NEW_FACT, replyText } from "./support.js";

const BASE = fixtureKb();
const SNAPSHOT = snapshotOf(BASE);

describe("buildDigest", () => {
  it("announces a new fact with its status and numbered citations", () => {
    const kb = fixtureKb({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${NEW_FACT.slice(1)}`] });
    const reply = buildDigest(diffKnowledge(SNAPSHOT, kb), kb, { following: ["StreamCo"] });
    if (!reply) throw new Error("no digest");
    const text = replyText(reply);
    expect(text).toContain("1 new fact about StreamCo.");
    expect(text).toContain("Acme Social and StreamCo's message deal");
    expect(text).toContain("New · Reported: StreamCo and Acme settled the case in 2025");
    expect(reply.blocks.find((b) => b.cites)?.cites).toEqual([1, 2]);
    expect(reply.citations.map((c) => [c.n, c.id])).toEqual([
      [1, "news-report"],
      [2, "court-filing"],
    ]);
    expect(reply.footer).toContain("/unsubscribe");
    expect(reply.actions.map((a) => a.data)).toEqual(["deal:acme-streamco", "src:acme-streamco"]);
  });

  it("says how a changed fact changed, and labels allegations", () => {
    const kb = fixtureKb({
      "deals/acme-streamco.yaml": [
        "status: alleged\n    sources: [court-filing, news-report]",
        "status: confirmed\n    sources: [court-filing]",
      ],
      "deals/acme-breach.yaml": ["status: ruled", "status: alleged"],
    });
    const reply = buildDigest(diffKnowledge(SNAPSHOT, kb), kb);
    const text = replyText(reply ?? { tone: "info", blocks: [], citations: [], actions: [] });
    expect(text).toContain("2 updated facts.");
    expect(text).toContain("Updated · Confirmed: The plaintiffs say Acme gave StreamCo's software access");
    expect(text).toContain("(new status, sources; was alleged)");
    expect(text).toContain("Updated · Alleged: A regulator fined");
    expect(reply?.footer).toContain("Alleged: claimed in a filing or by a party, not proven.");
  });

  it("announces withdrawn facts and removed deals with their published words", () => {
    const kb = fixtureKb({ "deals/acme-breach.yaml": null });
    const text = replyText(
      buildDigest(diffKnowledge(SNAPSHOT, kb), kb) ?? {
        tone: "info",
        blocks: [],
        citations: [],
        actions: [],
      },
    );
    expect(text).toContain("Withdrawn: A regulator fined Acme Social $5 million in 2019.");
    expect(text).toContain("Deal removed: Acme Social's 2018 data breach fine");
  });

  it("is nothing when nothing changed", () => {
    expect(buildDigest(diffKnowledge(SNAPSHOT, BASE), BASE)).toBeUndefined();
  });

  it("stays one valid message on every platform, counting what it leaves out", () => {
    const long = "The plaintiffs say that ".concat(
      "Acme & <StreamCo> shared a great deal of data ".repeat(12),
    );
    const facts = Array.from(
      { length: 40 },
      (_, i) =>
        `  - id: bulk-${i}\n    text: ${JSON.stringify(`${long}(${i})`)}\n    status: alleged\n    sources: [court-filing, news-report, denial-post]\n`,
    ).join("");
    const kb = fixtureKb({ "deals/acme-streamco.yaml": ["facts:\n", `facts:\n${facts}`] });
    const reply = buildDigest(diffKnowledge(SNAPSHOT, kb), kb);
    if (!reply) throw new Error("no digest");
    expect(fitsOneMessage(reply)).toBe(true);
    const messages = renderTelegram(reply);
    expect(messages).toHaveLength(1);
    expect(parseTelegramHtml(messages[0]?.text ?? "")).not.toHaveProperty("error");
    expect(renderDiscord(reply).embeds[0]?.description).toContain("[3]");
    expect(replyText(reply)).toMatch(/…and \d+ more changes\. See \/deal acme-streamco\./);
    expect(replyText(reply)).toContain("40 new facts.");
  });
});
