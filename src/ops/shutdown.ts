/**
 * Stopping once, in order, within a deadline. SIGINT and SIGTERM (or a fatal error) start it;
 * the process exits with the given code when `stop` has finished, or with 1 when the deadline
 * passes first, saying so, rather than being SIGKILLed with nothing in the log.
 */
import type { Logger } from "../log.js";

export interface ShutdownOptions {
  /** Everything that must happen before exiting, in order; it should not throw. */
  readonly stop: () => Promise<void>;
  readonly log: Logger;
  /** Default 9 s: under the 10 s `docker stop` and Kubernetes give before SIGKILL. */
  readonly deadlineMs?: number;
  /** Default process.exit; a test passes its own. */
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
}

export interface Shutdown {
  /** Starts stopping (once; later calls are ignored) and exits with `code` when done. */
  begin(code: number, reason: string): Promise<void>;
  readonly stopping: boolean;
  /** Removes the signal handlers (tests). */
  dispose(): void;
}

export const SHUTDOWN_DEADLINE_MS = 9_000;

export function gracefulShutdown(options: ShutdownOptions): Shutdown {
  const { log } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  let running: Promise<void> | undefined;

  const begin = (code: number, reason: string): Promise<void> => {
    if (running) return running;
    const started = Date.now();
    log.info({ reason }, "stopping");
    const deadline = setTimeout(() => {
      log.fatal({ reason, deadlineMs }, "shutdown took too long: exiting anyway");
      exit(1);
    }, deadlineMs);
    deadline.unref();
    running = options
      .stop()
      .catch((error: unknown) => {
        log.error({ err: error }, "error while stopping");
      })
      .then(() => {
        clearTimeout(deadline);
        log.info({ ms: Date.now() - started, code }, "stopped");
        exit(code);
      });
    return running;
  };

  // A second signal while stopping changes nothing: the deadline decides.
  const onSignal = (signal: NodeJS.Signals) => void begin(0, signal);
  for (const signal of signals) process.on(signal, onSignal);

  return {
    begin,
    get stopping() {
      return running !== undefined;
    },
    dispose() {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
