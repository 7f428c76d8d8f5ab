/**
 * A real PostgreSQL server for tests: initdb in a temporary folder, postgres on a free 127.0.0.1
 * port, removed afterwards. As root (CI, containers) it runs as the `postgres` user, which
 * PostgreSQL requires; otherwise as whoever runs the tests. Missing binaries fail the tests with
 * what to install: nothing is skipped.
 *
 *   const postgres = usePostgres();              // at the top of a test file: started and stopped with it
 *   const url = await postgres.createDatabase(); // a fresh database per test
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

export interface PostgresServer {
  readonly port: number;
  /** postgres://… for the server's `postgres` database. */
  readonly url: string;
  /** A new, empty database; its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** Where initdb and postgres are: PG_BIN, else Debian's newest /usr/lib/postgresql/<n>/bin, else PATH. */
export function postgresBin(): string {
  const candidates = [
    process.env.PG_BIN,
    ...(existsSync("/usr/lib/postgresql")
      ? readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
    ...(process.env.PATH ?? "").split(path.delimiter),
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find(
    (dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres")),
  );
  if (!found)
    throw new Error(
      "PostgreSQL is not installed: the PostgreSQL tests need initdb and postgres. Install it (Debian: `apt-get install -y postgresql`, which .ci/run does) or set PG_BIN to the folder holding them.",
    );
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * As root, the unprivileged user PostgreSQL runs as (created if missing), as spawn options: the
 * server is then our own child, which a signal reaches directly (through runuser, SIGINT did not,
 * and every stop waited 10 s for nothing). Nothing as anyone else.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"]);
  }
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const user = serverUser();
  const root = mkdtempSync(path.join(tmpdir(), "receipts-pg-"));
  const data = path.join(root, "data");
  if (user) {
    chownSync(root, user.uid, user.gid);
    chmodSync(root, 0o700);
  }
  const initdb = path.join(bin, "initdb");
  const initArgs = ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"];
  try {
    execFileSync(initdb, initArgs, { stdio: "pipe", ...user });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    const output = String((error as { stderr?: Buffer }).stderr ?? error);
    throw new Error(`initdb failed: ${output.trim()}`);
  }
  const port = await freePort();
  const args = [
    "-D",
    data,
    "-p",
    String(port),
    "-h",
    "127.0.0.1",
    "-k",
    root,
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
  ];
  const child: ChildProcess = spawn(path.join(bin, "postgres"), args, {
    stdio: ["ignore", "ignore", "pipe"],
    ...user,
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGINT"); // fast shutdown: sessions end, no checkpoint wait
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not start on port ${port}:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let databases = 0;
  return {
    port,
    url,
    async createDatabase() {
      const name = `receipts_test_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

/** A server for the calling test file: started before its tests, stopped after them. */
export function usePostgres(): Pick<PostgresServer, "createDatabase"> {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    createDatabase: () => {
      if (!server) throw new Error("usePostgres: the server has not started (call it at a file's top level)");
      return server.createDatabase();
    },
  };
}
