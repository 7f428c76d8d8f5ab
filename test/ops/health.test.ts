import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdapterHealth,
  type HealthProviders,
  type HealthServer,
  health,
  startHealthServer,
} from "../../src/ops/health.js";
import { Metrics } from "../../src/ops/metrics.js";

const KNOWLEDGE = { version: "abc123", deals: 42, facts: 517 };

function providers(adapters: AdapterHealth[]): HealthProviders {
  return { adapters: () => adapters, knowledge: () => KNOWLEDGE, outboxDepth: () => 3 };
}

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(p: HealthProviders, metrics = new Metrics({ processMetrics: false })) {
  server = await startHealthServer({ port: 0, host: "127.0.0.1", providers: p, metrics });
  return { server, metrics };
}

describe("health", () => {
  it("is ok when every adapter is ready", () => {
    expect(
      health(
        providers([
          { platform: "telegram", state: "ready" },
          { platform: "discord", state: "ready" },
        ]),
      ),
    ).toEqual({
      status: "ok",
      adapters: [
        { platform: "telegram", state: "ready" },
        { platform: "discord", state: "ready" },
      ],
      knowledge: KNOWLEDGE,
      outbox: { depth: 3 },
    });
  });

  it.each(["starting", "stopped", "failed"] as const)("is degraded while an adapter is %s", (state) => {
    const result = health(
      providers([
        { platform: "telegram", state: "ready" },
        { platform: "discord", state },
      ]),
    );
    expect(result.status).toBe("degraded");
  });

  it("says why when a provider throws, instead of failing the probe", () => {
    const result = health({
      ...providers([]),
      outboxDepth: () => {
        throw new Error("The database connection is not open");
      },
    });
    expect(result).toMatchObject({ status: "degraded", error: "The database connection is not open" });
  });

  it("reports no outbox as null", () => {
    expect(health({ ...providers([]), outboxDepth: () => undefined }).outbox).toEqual({ depth: null });
  });
});

describe("the health listener", () => {
  it("serves /healthz as JSON with 200 when ok", async () => {
    const { server } = await start(providers([{ platform: "telegram", state: "ready" }]));
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      status: "ok",
      adapters: [{ platform: "telegram", state: "ready" }],
      knowledge: KNOWLEDGE,
      outbox: { depth: 3 },
    });
  });

  it("answers 503 when degraded, and follows the adapters' state as it changes", async () => {
    const adapters: AdapterHealth[] = [{ platform: "discord", state: "starting" }];
    const { server } = await start({ ...providers([]), adapters: () => adapters });
    let res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "degraded", adapters: [{ state: "starting" }] });
    adapters[0] = { platform: "discord", state: "ready" };
    res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    adapters[0] = { platform: "discord", state: "stopped" };
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
  });

  it("ignores a query string", async () => {
    const { server } = await start(providers([]));
    expect((await fetch(`${server.url}/healthz?verbose=1`)).status).toBe(200);
  });

  it("serves /metrics in Prometheus text format with every metric the bot records", async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.questionAnswered("telegram", "answered", 0.012);
    metrics.questionAnswered("telegram", "answered", 0.02);
    metrics.questionAnswered("discord", "unknown", 0.003);
    metrics.notification("telegram", "sent");
    metrics.notification("telegram", "sent");
    metrics.notification("discord", "failed");
    metrics.notification("telegram", "dropped");
    metrics.rateLimited("telegram");
    metrics.watchOutbox(() => 7);
    const { server } = await start(providers([]), metrics);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const lines = text.split("\n");
    for (const line of [
      "# TYPE receipts_questions_total counter",
      'receipts_questions_total{platform="telegram",status="answered"} 2',
      'receipts_questions_total{platform="discord",status="unknown"} 1',
      "# TYPE receipts_answer_latency_seconds histogram",
      'receipts_answer_latency_seconds_bucket{le="0.025",platform="telegram"} 2',
      'receipts_answer_latency_seconds_bucket{le="0.01",platform="telegram"} 0',
      'receipts_answer_latency_seconds_count{platform="discord"} 1',
      'receipts_notifications_total{platform="telegram",result="sent"} 2',
      'receipts_notifications_total{platform="discord",result="failed"} 1',
      'receipts_notifications_total{platform="telegram",result="dropped"} 1',
      'receipts_rate_limited_total{platform="telegram"} 1',
      "receipts_outbox_depth 7",
    ]) {
      expect(lines, line).toContain(line);
    }
  });

  it("adds Node's process metrics unless told not to", async () => {
    const text = await new Metrics().text();
    expect(text).toContain("receipts_process_resident_memory_bytes");
    expect(text).toContain("receipts_nodejs_eventloop_lag_seconds");
  });

  it("keeps separate registries, so two instances never collide", async () => {
    const a = new Metrics({ processMetrics: false });
    const b = new Metrics({ processMetrics: false });
    a.rateLimited("discord");
    expect(await a.text()).toContain('receipts_rate_limited_total{platform="discord"} 1');
    expect(await b.text()).not.toContain('receipts_rate_limited_total{platform="discord"}');
  });

  it("answers HEAD without a body, other methods with 405 and other paths with 404", async () => {
    const { server } = await start(providers([]));
    const head = await fetch(`${server.url}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(`${server.url}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect((await fetch(`${server.url}/`)).status).toBe(404);
  });

  it("answers 500 when the metrics cannot be collected, and stays up", async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.watchOutbox(() => {
      throw new Error("database closed");
    });
    const { server } = await start(providers([]), metrics);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(500);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("closes promptly even with a keep-alive connection open", async () => {
    const { server } = await start(providers([]));
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { agent: new Agent({ keepAlive: true }) });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end();
    });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("fails to start when the port is taken", async () => {
    const { server: first } = await start(providers([]));
    await expect(
      startHealthServer({
        port: first.port,
        host: "127.0.0.1",
        providers: providers([]),
        metrics: new Metrics({ processMetrics: false }),
      }),
    ).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
