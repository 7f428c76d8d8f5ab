import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { gracefulShutdown, type Shutdown } from "../../src/ops/shutdown.js";

function logged() {
  const destination = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  destination.on("data", (chunk: Buffer) =>
    lines.push(
      ...String(chunk)
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ),
  );
  return { log: createLogger({ destination }), lines };
}

let shutdown: Shutdown | undefined;
afterEach(() => shutdown?.dispose());

describe("gracefulShutdown", () => {
  it("runs stop once on SIGTERM and exits 0 when it is done", async () => {
    const { log, lines } = logged();
    const exits: number[] = [];
    let stops = 0;
    shutdown = gracefulShutdown({
      log,
      exit: (code) => exits.push(code),
      async stop() {
        stops++;
        await sleep(20);
      },
    });
    expect(shutdown.stopping).toBe(false);
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGINT", "SIGINT"); // a second signal changes nothing
    expect(shutdown.stopping).toBe(true);
    await shutdown.begin(0, "again");
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
    expect(lines.map((l) => l.msg)).toEqual(["stopping", "stopped"]);
    expect(lines[0]).toMatchObject({ reason: "SIGTERM" });
  });

  it("exits with the code it was begun with (a fatal error: 1)", async () => {
    const exits: number[] = [];
    shutdown = gracefulShutdown({
      log: logged().log,
      exit: (code) => exits.push(code),
      stop: async () => {},
    });
    await shutdown.begin(1, "telegram stopped");
    expect(exits).toEqual([1]);
  });

  it("exits 1 at the deadline when stopping hangs, saying so", async () => {
    const { log, lines } = logged();
    const exits: number[] = [];
    shutdown = gracefulShutdown({
      log,
      deadlineMs: 50,
      exit: (code) => exits.push(code),
      stop: () => new Promise<void>(() => {}),
    });
    void shutdown.begin(0, "SIGTERM");
    await sleep(120);
    expect(exits).toEqual([1]);
    expect(lines.at(-1)).toMatchObject({ level: 60, msg: "shutdown took too long: exiting anyway" });
  });

  it("still exits when a step throws", async () => {
    const { log, lines } = logged();
    const exits: number[] = [];
    shutdown = gracefulShutdown({
      log,
      exit: (code) => exits.push(code),
      stop: async () => {
        throw new Error("database is locked");
      },
    });
    await shutdown.begin(0, "SIGINT");
    expect(exits).toEqual([0]);
    expect(lines.some((l) => l.msg === "error while stopping")).toBe(true);
  });
});
