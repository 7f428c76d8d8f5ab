/**
 * One instance's telegram dispatcher on PostgreSQL, alone in a process so that a test (or
 * bench/scale.ts) can SIGKILL it: `node --import tsx test/support/dispatch-process.ts <DATABASE_URL>
 * <sink URL> [messages per second]`. Each delivery is a POST of {chatId, key, pid} to the sink;
 * "active" and "standby" are printed as JSON lines when this dispatcher becomes or stops being the
 * platform's active one.
 */
import { Dispatcher } from "../../src/subscriptions/dispatcher.js";
import { openPgStore } from "../../src/subscriptions/pg-store.js";

const [url, sink, rate = "1000"] = process.argv.slice(2);
if (!url || !sink) throw new Error("usage: dispatch-process.ts <DATABASE_URL> <sink URL> [per second]");
const store = await openPgStore(url);
const dispatcher = new Dispatcher(
  store,
  {
    platform: "telegram",
    async deliver(chatId, _reply, options) {
      const res = await fetch(sink, {
        method: "POST",
        body: JSON.stringify({ chatId, key: options?.key, pid: process.pid }),
      });
      return res.ok ? { status: "sent" } : { status: "transient", reason: `sink ${res.status}` };
    },
  },
  {
    limits: { rules: [{ scope: "all", limit: Number(rate), windowMs: 1_000 }], concurrency: 4 },
    standbyMs: 500,
    onActive: (active) =>
      process.stdout.write(`${JSON.stringify({ state: active ? "active" : "standby" })}\n`),
  },
);
dispatcher.start();
process.stdout.write(`${JSON.stringify({ state: "started" })}\n`);
process.on("SIGTERM", () => {
  void dispatcher
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
