import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type LogOptions, logQuestion } from "../src/log.js";

const TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const DISCORD_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB";

function capture(options: Omit<LogOptions, "destination"> = {}) {
  const destination = new PassThrough();
  const lines: string[] = [];
  destination.on("data", (chunk: Buffer) => lines.push(...String(chunk).split("\n").filter(Boolean)));
  const log = createLogger({ ...options, destination });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON object a line, at the configured level", () => {
    const { log, parsed } = capture({ level: "warn" });
    log.info("hidden");
    log.warn({ n: 1 }, "shown");
    expect(parsed()).toEqual([expect.objectContaining({ level: 40, app: "receipts", n: 1, msg: "shown" })]);
  });

  it("redacts token fields", () => {
    const { log, lines } = capture();
    log.info({ token: "abc", config: { telegram: { token: "def" } }, headers: { authorization: "Bot xyz" } });
    expect(lines.join("")).not.toMatch(/abc|def|xyz/);
    expect(lines.join("")).toContain("[redacted]");
  });

  it("scrubs the tokens it was given wherever they appear, error messages and URLs included", () => {
    const secret = "the-stand-in-token";
    const { log, lines } = capture({ secrets: [secret, undefined] });
    log.error({ err: new Error(`GET http://127.0.0.1/bot${secret}/getMe failed`) }, `no ${secret}`);
    expect(lines.join("")).not.toContain(secret);
  });

  it("scrubs anything shaped like a Telegram or Discord token, even unannounced", () => {
    const { log, lines } = capture();
    log.warn(
      { url: `https://bot-api.example.org/bot${TELEGRAM_TOKEN}/getUpdates` },
      `login with ${DISCORD_TOKEN}`,
    );
    const line = lines.join("");
    expect(line).not.toContain(TELEGRAM_TOKEN);
    expect(line).not.toContain(DISCORD_TOKEN);
    expect(line).toContain("https://bot-api.example.org/bot[redacted]/getUpdates");
  });

  it("gives each platform a child logger", () => {
    const { log, parsed } = capture();
    log.child({ platform: "discord" }).info("ready");
    expect(parsed()[0]).toMatchObject({ app: "receipts", platform: "discord", msg: "ready" });
  });
});

describe("logQuestion", () => {
  it("logs platform, status and latency, and no text by default", () => {
    const { log, parsed } = capture();
    logQuestion(
      log,
      { platform: "telegram", status: "answered", latencyMs: 12.345, text: "my secret question" },
      { messageText: false },
    );
    const [line] = parsed();
    expect(line).toMatchObject({
      level: 30,
      msg: "question",
      platform: "telegram",
      status: "answered",
      latencyMs: 12.3,
    });
    expect(line).not.toHaveProperty("text");
    expect(JSON.stringify(line)).not.toContain("secret question");
  });

  it("logs the text when LOG_MESSAGE_TEXT is on", () => {
    const { log, parsed } = capture();
    logQuestion(
      log,
      { platform: "discord", status: "unknown", latencyMs: 3, text: "who paid?" },
      { messageText: true },
    );
    expect(parsed()[0]).toMatchObject({ status: "unknown", text: "who paid?" });
  });
});
