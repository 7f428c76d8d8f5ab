/**
 * Fault: /healthz and /metrics (the outbox depth, the knowledge-base version, the process's memory)
 * served on every network interface. They are now served on 127.0.0.1 unless HEALTH_HOST says
 * otherwise (the Docker image says 0.0.0.0: its network is the container's own, published with -p).
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { startHealthServer } from "../../src/ops/health.js";
import { Metrics } from "../../src/ops/metrics.js";

const providers = {
  adapters: () => [],
  knowledge: () => ({ version: "v", deals: 1, facts: 1 }),
  outboxDepth: () => 0,
};

describe("fault: the health port reachable from other machines", () => {
  it("listens on 127.0.0.1 unless HEALTH_HOST says otherwise", async () => {
    expect(loadConfig({ HEALTH_PORT: "8080" }).healthHost).toBe("127.0.0.1");
    expect(loadConfig({ HEALTH_PORT: "8080", HEALTH_HOST: "0.0.0.0" }).healthHost).toBe("0.0.0.0");
    expect(() => loadConfig({ HEALTH_HOST: "not a host!" })).toThrow(/HEALTH_HOST/);

    const server = await startHealthServer({
      port: 0,
      providers,
      metrics: new Metrics({ processMetrics: false }),
    });
    try {
      expect(server.host).toBe("127.0.0.1");
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
