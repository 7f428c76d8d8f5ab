/**
 * The operations listener on HEALTH_PORT: `/healthz` for Docker, load balancers and humans,
 * `/metrics` for Prometheus. It reads the bot's state through provider functions, so it knows
 * nothing of adapters, SQLite or the knowledge base.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Platform } from "../bot/types.js";
import type { Logger } from "../log.js";
import type { Metrics } from "./metrics.js";

export type AdapterState = "starting" | "ready" | "stopped" | "failed";

export interface AdapterHealth {
  readonly platform: Platform;
  readonly state: AdapterState;
}

export interface KnowledgeHealth {
  readonly version: string;
  readonly deals: number;
  readonly facts: number;
}

/** How the listener learns the bot's state; each is called on every request. */
export interface HealthProviders {
  adapters(): readonly AdapterHealth[];
  knowledge(): KnowledgeHealth;
  /** Notifications waiting in the outbox; undefined when there is no outbox. */
  outboxDepth(): number | undefined;
  /** Set while notifications are paused because the store refuses writes (disk full, read-only). */
  outboxFault?(): OutboxFault | undefined;
}

export interface OutboxFault {
  /** Why, in an operator's words (which file, what to do). */
  readonly error: string;
  /** Notifications sent but not yet recorded (kept in memory, never sent again). */
  readonly unrecorded: number;
  /** When writes started failing (ms since the epoch). */
  readonly since: number;
}

export interface Health {
  /** `ok` when every adapter is ready and the outbox can be written; `degraded` (HTTP 503) otherwise. */
  readonly status: "ok" | "degraded";
  readonly adapters: readonly AdapterHealth[];
  readonly knowledge: KnowledgeHealth | null;
  readonly outbox: {
    readonly depth: number | null;
    readonly fault?: { readonly error: string; readonly unrecorded: number; readonly since: string };
  };
  /** Why a provider could not answer, when one could not. */
  readonly error?: string;
}

export function health(providers: HealthProviders): Health {
  try {
    const adapters = providers.adapters();
    const fault = providers.outboxFault?.();
    return {
      status: adapters.every((a) => a.state === "ready") && !fault ? "ok" : "degraded",
      adapters,
      knowledge: providers.knowledge(),
      outbox: {
        depth: providers.outboxDepth() ?? null,
        ...(fault ? { fault: { ...fault, since: new Date(fault.since).toISOString() } } : {}),
      },
    };
  } catch (error) {
    return {
      status: "degraded",
      adapters: [],
      knowledge: null,
      outbox: { depth: null },
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

export interface HealthServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Default 127.0.0.1: only this machine (HEALTH_HOST=0.0.0.0 in a container, published with -p). */
  readonly host?: string;
  readonly providers: HealthProviders;
  readonly metrics: Metrics;
  readonly log?: Logger;
}

export interface HealthServer {
  readonly port: number;
  /** The address it listens on. */
  readonly host: string;
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { providers, metrics, log } = options;

  const respond = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, {
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
    });
    res.end(res.req.method === "HEAD" ? undefined : body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname !== "/healthz" && pathname !== "/metrics") {
      respond(res, 404, "text/plain; charset=utf-8", "not found: try /healthz or /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      respond(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
      return;
    }
    if (pathname === "/healthz") {
      const body = health(providers);
      respond(res, body.status === "ok" ? 200 : 503, "application/json", `${JSON.stringify(body)}\n`);
      return;
    }
    respond(res, 200, metrics.contentType, await metrics.text());
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log?.error({ err: error, url: req.url }, "health listener failed to answer");
      if (!res.headersSent) respond(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy();
    });
  });
  // Probes are tiny; nothing should hold a socket open for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  log?.info({ host, port }, "health and metrics listening");

  return {
    port,
    host,
    url: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
