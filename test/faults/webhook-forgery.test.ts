/**
 * Fault: someone finds the webhook URL and posts to it. Without a secret they could post any update
 * (a forged /stats "from" an admin was answered); with a huge body they could fill the memory. Webhook
 * mode needs TELEGRAM_WEBHOOK_SECRET (checked at start, with how to make one), the secret is compared
 * in constant time, and a body is read only after the secret matched, and never past 1 MB.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTelegramAdapter,
  type TelegramAdapter,
  TelegramFatalError,
} from "../../src/adapters/telegram/index.js";
import { KnowledgeHolder } from "../../src/answer/knowledge.js";
import { Bot } from "../../src/bot/bot.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { startTelegramStandIn, type TelegramStandIn } from "../fakes/telegram-api.js";
import { knowledgeFrom } from "../support/knowledge.js";

const SECRET = "b7c1e0a94f6d2e83c5a1f0d9e7b6c4a3";
const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

/**
 * Posts `body` (a string, or `size` bytes sent in chunks without a length) and returns the status,
 * with how many bytes of a chunked body had been written when the answer came.
 */
function send(
  url: string,
  headers: Record<string, string>,
  body: string | { size: number },
): Promise<{ status: number; sent: number }> {
  let sent = 0;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on("error", (error) => {
      // The server may close the connection once it has answered; the answer is what counts.
      if (
        (error as NodeJS.ErrnoException).code !== "EPIPE" &&
        (error as NodeJS.ErrnoException).code !== "ECONNRESET"
      )
        reject(error);
    });
    if (typeof body === "string") {
      req.end(body);
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      while (sent < body.size && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const post = async (url: string, headers: Record<string, string>, body: string | { size: number }) =>
  (await send(url, headers, body)).status;

describe("fault: a forged or oversized webhook request", () => {
  let api: TelegramStandIn;
  let adapter: TelegramAdapter;
  let hook: string;
  beforeAll(async () => {
    api = await startTelegramStandIn();
    adapter = createTelegramAdapter({
      bot: new Bot(new KnowledgeHolder(await knowledgeFrom()), { flood: null }),
      token: api.token,
      apiRoot: api.apiRoot,
      webhook: { url: "https://receipts.invalid/telegram/hook", port: 0, host: "127.0.0.1", secret: SECRET },
    });
    await adapter.start();
    hook = `http://127.0.0.1:${adapter.webhookPort()}/telegram/hook`;
  });
  afterAll(async () => {
    await adapter.stop();
    await api.close();
  });

  it("will not start in webhook mode without a secret, and says how to make one", async () => {
    const problems = (() => {
      try {
        loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://bot.example.org/telegram" });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
      }
      return [];
    })();
    expect(problems).toEqual([expect.stringMatching(/TELEGRAM_WEBHOOK_SECRET .*`openssl rand -hex 32`/)]);

    const unsafe = createTelegramAdapter({
      bot: new Bot(new KnowledgeHolder(await knowledgeFrom()), { flood: null }),
      token: api.token,
      apiRoot: api.apiRoot,
      webhook: { url: "https://receipts.invalid/other", port: 0, host: "127.0.0.1", secret: "" },
    });
    await expect(unsafe.start()).rejects.toThrow(TelegramFatalError);
    await unsafe.stop();
    expect(api.webhookInfo().url).toBe("https://receipts.invalid/telegram/hook"); // untouched
  });

  it("refuses an update without the right secret, whatever its length", async () => {
    const before = api.calls.length;
    const update = JSON.stringify({ update_id: 1, ...api.message({ text: "/stats" }) });
    for (const secret of [undefined, "", SECRET.slice(0, -1), `${SECRET.slice(0, -1)}0`, `${SECRET}0`]) {
      const headers: Record<string, string> =
        secret === undefined ? {} : { "x-telegram-bot-api-secret-token": secret };
      expect(await post(hook, headers, update), String(secret)).toBe(403);
    }
    expect(api.calls.slice(before)).toEqual([]);
  });

  it("answers 413 to a body over 1 MB, declared or streamed, without reading it all", async () => {
    const headers = { "x-telegram-bot-api-secret-token": SECRET };
    const declared = await post(
      hook,
      { ...headers, "content-length": String(2 * 1024 * 1024) },
      { size: 2 * 1024 * 1024 },
    );
    expect(declared).toBe(413);
    const streamed = await send(hook, headers, { size: 300 * 1024 * 1024 });
    expect(streamed.status).toBe(413);
    expect(streamed.sent).toBeLessThan(32 * 1024 * 1024); // cut off early, not read to the end
    // And the door still works for a real update.
    expect(
      await post(hook, headers, JSON.stringify({ update_id: 7, ...api.message({ text: "/help" }) })),
    ).toBe(200);
    expect(api.sentMessages(api.defaultUser.id).length).toBeGreaterThan(0);
  });
});
