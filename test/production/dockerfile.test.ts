/**
 * A static check of the Dockerfile, since no Docker engine runs here (and bookworm has no
 * hadolint): parse it into stages and instructions and hold it to what the image must do.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type AdapterState, startHealthServer } from "../../src/ops/health.js";
import { Metrics } from "../../src/ops/metrics.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface Instruction {
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly base: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/** Dockerfile syntax: comments, `\` line continuations, one instruction per logical line. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i]?.trim() ?? "";
    if (logical === "" || logical.startsWith("#")) continue;
    while (logical.endsWith("\\") && i + 1 < lines.length) {
      i++;
      const next = lines[i]?.trim() ?? "";
      // A comment inside a continued instruction is dropped; the continuation goes on.
      if (next.startsWith("#")) continue;
      logical = `${logical.slice(0, -1).trimEnd()} ${next}`;
    }
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (!match) throw new Error(`Dockerfile:${start}: cannot parse ${JSON.stringify(logical)}`);
    instructions.push({
      keyword: (match[1] as string).toUpperCase(),
      args: (match[2] as string).trim(),
      line: start,
    });
  }
  return instructions;
}

function stages(instructions: readonly Instruction[]): Stage[] {
  const out: { base: string; name?: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [base, as, name] = instruction.args.split(/\s+/);
      out.push({
        base: base as string,
        ...(as?.toUpperCase() === "AS" && name ? { name } : {}),
        instructions: [],
      });
    } else {
      const current = out.at(-1);
      if (!current) throw new Error(`Dockerfile:${instruction.line}: ${instruction.keyword} before FROM`);
      current.instructions.push(instruction);
    }
  }
  return out;
}

/** The JSON array of an exec-form CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((a) => typeof a === "string") ? parsed : undefined;
}

function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const { args } of stage.instructions.filter((i) => i.keyword === "ENV")) {
    for (const [, key, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
      env.set(key as string, (value as string).replace(/^"|"$/g, ""));
    }
  }
  return env;
}

const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
const instructions = parseDockerfile(dockerfile);
const all = stages(instructions);
const build = all.find((s) => s.name === "build");
const runtime = all.at(-1) as Stage;
const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
const only = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe("the Dockerfile parser", () => {
  it("joins continuation lines and skips comments", () => {
    expect(parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  # inner\n  && y\nCMD ["z"]\n')).toEqual([
      { keyword: "FROM", args: "a AS b", line: 2 },
      { keyword: "RUN", args: "x && y", line: 3 },
      { keyword: "CMD", args: '["z"]', line: 6 },
    ]);
  });
});

describe("Dockerfile", () => {
  it("has a build stage and a runtime stage on the same pinned base", () => {
    expect(all.length).toBe(2);
    expect(build).toBeDefined();
    expect(runtime).not.toBe(build);
    for (const stage of all) {
      expect(stage.base).toBe("node:20-bookworm-slim");
    }
  });

  it("compiles TypeScript and the native module in the build stage, then drops dev dependencies", () => {
    const commands = runs(build as Stage).join(" && ");
    expect(commands).toMatch(
      /apt-get install -y --no-install-recommends[^&]*\bpython3\b[^&]*\bmake\b[^&]*\bg\+\+/,
    );
    const order = ["npm ci", "npm run build", "npm prune --omit=dev"].map((c) => commands.indexOf(c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("ships no compiler: tsx, esbuild and TypeScript are dev dependencies, which the prune drops", () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    for (const name of ["tsx", "esbuild", "typescript"]) {
      expect(manifest.dependencies[name], name).toBeUndefined();
      expect(manifest.devDependencies[name], name).toBeDefined();
      expect(lock.packages[`node_modules/${name}`].dev, name).toBe(true);
    }
    // The image starts the compiled bot, never through a loader or npm.
    expect(dockerfile).not.toMatch(/\btsx\b|--import|--loader/);
  });

  it("installs nothing from npm in the runtime stage and copies only what dist/main.js needs", () => {
    for (const command of runs(runtime)) {
      expect(command).not.toMatch(/\bnpm (ci|install|i)\b/);
      expect(command).not.toMatch(/\b(python3|g\+\+|make)\b/);
    }
    const copies = only(runtime, "COPY").map((i) => i.args);
    for (const needed of ["/app/node_modules", "/app/dist", "/app/package.json"]) {
      expect(copies.some((c) => c.startsWith("--from=build") && c.includes(needed))).toBe(true);
    }
    expect(copies.some((c) => /^knowledge\s/.test(c))).toBe(true);
    // Without package.json's "type": "module", node would read dist/*.js as CommonJS.
    expect(JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).type).toBe("module");
  });

  it("runs node directly as the unprivileged node user, under tini, in production mode", () => {
    const users = only(runtime, "USER");
    expect(users.at(-1)?.args).toBe("node");
    const cmd = only(runtime, "CMD").at(-1);
    expect(execForm(cmd?.args ?? "")).toEqual(["node", "dist/main.js"]);
    expect(execForm(only(runtime, "ENTRYPOINT").at(-1)?.args ?? "")).toEqual(["/usr/bin/tini", "--"]);
    expect(runs(runtime).join(" ")).toMatch(/apt-get install -y --no-install-recommends[^&]*\btini\b/);
    expect(envOf(runtime).get("NODE_ENV")).toBe("production");
    expect(dockerfile).not.toMatch(/npm (run )?start/);
  });

  it("keeps DATA_DIR on a volume the node user owns", () => {
    const env = envOf(runtime);
    const dataDir = env.get("DATA_DIR");
    expect(dataDir).toBe("/data");
    const volumes = only(runtime, "VOLUME").flatMap((v) => execForm(v.args) ?? v.args.split(/\s+/));
    expect(volumes).toContain(dataDir);
    expect(runs(runtime).join(" ")).toContain(`chown node:node ${dataDir}`);
    expect(env.get("KNOWLEDGE_DIR")).toBe("/app/knowledge");
  });

  it("checks its health on HEALTH_PORT's /healthz and exposes that port", () => {
    const port = envOf(runtime).get("HEALTH_PORT");
    expect(port).toMatch(/^\d+$/);
    expect(only(runtime, "EXPOSE").map((e) => e.args)).toContain(port);
    const healthcheck = only(runtime, "HEALTHCHECK").at(-1)?.args ?? "";
    const command = execForm(healthcheck.slice(healthcheck.indexOf("CMD ") + 4));
    expect(command?.slice(0, 2)).toEqual(["node", "-e"]);
    const script = command?.[2] ?? "";
    expect(script).toContain("http://127.0.0.1:");
    expect(script).toContain("process.env.HEALTH_PORT");
    expect(script).toContain("/healthz");
    // The script must at least be valid JavaScript.
    expect(() => new Function(script)).not.toThrow();
  });

  it("runs a HEALTHCHECK command that passes on 200 and fails on 503 or no answer", async () => {
    const healthcheck = only(runtime, "HEALTHCHECK").at(-1)?.args ?? "";
    const [node, ...args] = execForm(healthcheck.slice(healthcheck.indexOf("CMD ") + 4)) ?? [];
    expect(node).toBe("node");
    const probe = (port: number) =>
      new Promise<number>((resolve) => {
        execFile(process.execPath, args, { env: { ...process.env, HEALTH_PORT: String(port) } }, (error) =>
          resolve(error ? Number(error.code ?? 1) : 0),
        );
      });
    let state: AdapterState = "ready";
    const server = await startHealthServer({
      port: 0,
      host: "127.0.0.1",
      metrics: new Metrics({ processMetrics: false }),
      providers: {
        adapters: () => [{ platform: "telegram", state }],
        knowledge: () => ({ version: "v", deals: 1, facts: 1 }),
        outboxDepth: () => 0,
      },
    });
    try {
      expect(await probe(server.port)).toBe(0);
      state = "failed";
      expect(await probe(server.port)).toBe(1);
    } finally {
      await server.close();
    }
    expect(await probe(server.port)).toBe(1);
  });

  it("follows the usual lint rules (hadolint's DL3008-style pinning aside)", () => {
    expect(instructions.some((i) => i.keyword === "ADD")).toBe(false);
    for (const stage of all) {
      expect(stage.base).not.toMatch(/:latest$|^[^:]+$/);
      for (const workdir of only(stage, "WORKDIR")) expect(workdir.args.startsWith("/")).toBe(true);
      for (const command of runs(stage).filter((c) => c.includes("apt-get install"))) {
        expect(command).toContain("apt-get update");
        expect(command).toContain("--no-install-recommends");
        expect(command).toContain("rm -rf /var/lib/apt/lists/*");
      }
    }
    const names = new Set(all.map((s) => s.name));
    for (const copy of instructions.filter((i) => i.keyword === "COPY")) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      if (from) expect(names.has(from)).toBe(true);
    }
  });
});

describe(".dockerignore", () => {
  const ignored = readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("keeps local state, secrets and scratch work out of the build context", () => {
    for (const entry of ["node_modules", "data", ".git", "scratch", ".env", "dist"]) {
      expect(ignored).toContain(entry);
    }
  });

  it("leaves in everything the Dockerfile copies from the context", () => {
    const sources = instructions
      .filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((a) => !a.startsWith("--"))
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      expect(ignored).not.toContain(source);
    }
  });
});
