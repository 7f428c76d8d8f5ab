/**
 * The bot's Prometheus metrics, on a registry of its own (not prom-client's global one, so
 * tests and a second instance in one process never collide). Other modules record through the
 * methods of `Metrics` and never touch prom-client themselves.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Platform } from "../bot/types.js";

export type QuestionStatus = "answered" | "unknown";
/** `dropped`: the subscriber's chat is gone for good, so the notification was let go. */
export type NotificationResult = "sent" | "failed" | "dropped";

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC), prefixed `receipts_`. Default true. */
  readonly processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly questions: Counter<"platform" | "status">;
  private readonly latency: Histogram<"platform">;
  private readonly notifications: Counter<"platform" | "result">;
  private readonly rateLimits: Counter<"platform">;
  private outboxDepth: () => number | undefined = () => undefined;
  private outboxUnrecorded: () => number | undefined = () => undefined;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.questions = new Counter({
      name: "receipts_questions_total",
      help: "Questions answered from the knowledge base (answered) or not (unknown)",
      labelNames: ["platform", "status"],
      registers,
    });
    this.latency = new Histogram({
      name: "receipts_answer_latency_seconds",
      help: "Time from a question arriving at the bot layer to its reply being ready",
      labelNames: ["platform"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.notifications = new Counter({
      name: "receipts_notifications_total",
      help: "Subscription notifications by outcome: sent, failed (given up) or dropped (chat gone)",
      labelNames: ["platform", "result"],
      registers,
    });
    this.rateLimits = new Counter({
      name: "receipts_rate_limited_total",
      help: "Times a platform answered 429 Too Many Requests",
      labelNames: ["platform"],
      registers,
    });
    const depth = () => this.outboxDepth();
    new Gauge({
      name: "receipts_outbox_depth",
      help: "Notifications waiting in the outbox",
      registers,
      collect() {
        const value = depth();
        if (value !== undefined) this.set(value);
      },
    });
    const unrecorded = () => this.outboxUnrecorded();
    new Gauge({
      name: "receipts_outbox_unrecorded",
      help: "Notifications sent but not recorded because the store refuses writes; sending is paused while above 0",
      registers,
      collect() {
        const value = unrecorded();
        if (value !== undefined) this.set(value);
      },
    });
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: "receipts_" });
  }

  questionAnswered(platform: Platform, status: QuestionStatus, seconds: number): void {
    this.questions.inc({ platform, status });
    this.latency.observe({ platform }, seconds);
  }

  notification(platform: Platform, result: NotificationResult): void {
    this.notifications.inc({ platform, result });
  }

  rateLimited(platform: Platform): void {
    this.rateLimits.inc({ platform });
  }

  /**
   * Where `receipts_outbox_depth` reads the outbox's size at each scrape, and
   * `receipts_outbox_unrecorded` the sends not yet recorded.
   */
  watchOutbox(depth: () => number | undefined, unrecorded?: () => number | undefined): void {
    this.outboxDepth = depth;
    if (unrecorded) this.outboxUnrecorded = unrecorded;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
