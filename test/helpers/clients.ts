/**
 * Shared helpers for the real-client tests (`test/integration/clients_*.test.ts`,
 * `test/integration/readme_commands.test.ts`): our key-value server in-process, child processes with a
 * deadline, timeouts, and where the external tools live. Runs on Node, Deno and Bun.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { after, before } from "node:test";
import { serve } from "../../adapters/serve.ts";
import { createKeyValueServer } from "../../src/kv/mod.ts";
import type { Server, ServerOptions } from "../../src/server/server.ts";
import { type Oracle, REDIS_SERVER, startOracle } from "./redis_oracle.ts";
import { findTool } from "./tools.ts";

/** The runtime running this test file. */
export const runtime: "node" | "deno" | "bun" =
  (globalThis as { Deno?: unknown }).Deno !== undefined
    ? "deno"
    : (globalThis as { Bun?: unknown }).Bun !== undefined
    ? "bun"
    : "node";

/** redis-cli: $REDIS_CLI, or the one on the PATH. */
export const REDIS_CLI: string = findTool("redis-cli", "REDIS_CLI");
/** redis-benchmark: $REDIS_BENCHMARK, or the one on the PATH. */
export const REDIS_BENCHMARK: string = findTool("redis-benchmark", "REDIS_BENCHMARK");
/** The real Redis used as the oracle: $REDIS_SERVER, or the one on the PATH. */
export const REDIS_SERVER_PATH: string = REDIS_SERVER;
/** The system Python that has Debian's python3-redis ($PYTHON to use another). */
export const PYTHON: string = process.env.PYTHON || "/usr/bin/python3";

/** Why a test needing `path` is skipped, or false when it exists. */
export function needs(...paths: string[]): string | false {
  for (const path of paths) if (!existsSync(path)) return `${path} is not installed`;
  return false;
}

/** Our key-value server, in-process on a free loopback port. */
export interface Ours {
  readonly port: number;
  readonly server: Server;
  stop(): Promise<void>;
}

/** Starts `createKeyValueServer()` with `serve({ port: 0 })`. */
export async function startOurs(options?: ServerOptions): Promise<Ours> {
  const server = createKeyValueServer(options);
  const running = await serve({ port: 0, hostname: "127.0.0.1", server });
  const address = running.address;
  if (address.transport !== "tcp") throw new Error("Expected a TCP address");
  let stopped = false;
  return {
    port: address.port,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.close();
      await server.close();
    },
  };
}

export { sleep, within } from "./timing.ts";

/**
 * Starts our server and a real redis-server (with these options / arguments) before the tests
 * of the enclosing `describe`, runs `setup` on the two, and stops both after the tests; read
 * `.ours` and `.oracle` inside the tests.
 */
export function oursAndOracle(
  options: { ours?: ServerOptions; oracle?: string[]; setup?: (port: number) => Promise<void> } =
    {},
): { readonly ours: Ours; readonly oracle: Oracle } {
  const both = {} as { ours: Ours; oracle: Oracle };
  before(async () => {
    both.ours = await startOurs(options.ours);
    both.oracle = await startOracle(options.oracle);
    if (options.setup !== undefined) {
      for (const port of [both.ours.port, both.oracle.port]) await options.setup(port);
    }
  });
  after(async () => {
    await both.ours?.stop();
    await both.oracle?.stop();
  });
  return both;
}

/** What a finished child process left. */
export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when it was killed for running past its deadline. */
  timedOut: boolean;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Bytes or text written to stdin, which is then closed. */
  input?: string | Uint8Array;
  /** Deadline in ms (then SIGKILL). Default 30 s. */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Runs a command to the end, collecting its output; killed at the deadline. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    child.stdout!.on("data", (d: Uint8Array) => out.push(d));
    child.stderr!.on("data", (d: Uint8Array) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 30_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const text = (chunks: Uint8Array[]) => {
        const decoder = new TextDecoder();
        return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
      };
      resolve({ code, signal, stdout: text(out), stderr: text(err), timedOut });
    });
    child.stdin!.on("error", () => {/* the child may exit before reading everything */});
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/** The version of Debian's redis-py (`python3-redis`), or undefined when missing. */
export function pythonRedisVersion(): string | undefined {
  if (!existsSync(PYTHON)) return undefined;
  const result = spawnSync(PYTHON, ["-c", "import redis; print(redis.__version__)"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const x = a.split(".").map((n) => parseInt(n, 10) || 0);
  const y = b.split(".").map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
