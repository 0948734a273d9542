/**
 * Process helpers shared by the end-to-end and memory benchmarks: starting `redis-server` and
 * the key-value server on each runtime as child processes, waiting until they answer, reading
 * a child's RSS, killing every child on exit, and describing the machine. Node only (the bench
 * drivers run on Node; the servers they start run on any runtime).
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { cpus, release } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root (bench/lib/../..). */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the reference server lives. */
export const REDIS_SERVER = "/usr/bin/redis-server";
/** Where redis-benchmark lives. */
export const REDIS_BENCHMARK = "/usr/bin/redis-benchmark";

/** A runtime our server can run on. */
export type Runtime = "node" | "deno" | "bun";
/** Every runtime, in report order. */
export const RUNTIMES: readonly Runtime[] = ["node", "deno", "bun"];

const children = new Set<ChildProcess>();
let exitHooked = false;

/** Kills every child still running (SIGKILL: used on exit, when nothing can wait). */
export function killAll(): void {
  for (const child of children) {
    try {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  children.clear();
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping children\n`);
      killAll();
      process.exit(130);
    });
  }
  process.on("uncaughtException", (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    killAll();
    process.exit(1);
  });
  process.on("unhandledRejection", (error) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    killAll();
    process.exit(1);
  });
}

/**
 * Kills everything and exits if the whole run takes longer than `ms` (a hung child or a
 * server that stopped answering must not keep the bench alive).
 */
export function setDeadline(ms: number): void {
  hookExit();
  const timer = setTimeout(() => {
    process.stderr.write(`\nDeadline of ${Math.round(ms / 1000)} s reached: aborting\n`);
    killAll();
    process.exit(2);
  }, ms);
  timer.unref();
}

/** Spawns a child that is killed when this process exits. */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  hookExit();
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Runs a command to completion with a time bound; resolves with its output. */
export function run(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolvePromise) => {
    const child = spawnTracked(command, args);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut });
    });
  });
}

/** A free TCP port on 127.0.0.1 (bound and released; good enough for a bench). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/** Sends one inline command and resolves with the first reply line (or rejects). */
export function ask(port: number, line: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No reply to ${line} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${line}\r\n`));
    socket.on("data", (text: string) => {
      data += text;
      const end = data.indexOf("\r\n");
      if (end === -1) return;
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(data.slice(0, end));
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A server under test: the reference or ours on one runtime. */
export interface ServerProcess {
  /** "redis" or a runtime name. */
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** The pid of the process that serves (the runtime itself, never a wrapper). */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /** The last bytes the server wrote to stderr (for error messages). */
  stderr(): string;
}

function binary(name: "deno" | "bun"): string {
  const local = join(ROOT, "node_modules", ".bin", name);
  if (existsSync(local)) return realpathSync(local);
  // Fall back on the PATH: `command -v` resolves it once, so that the pid is the runtime's.
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`${name} not found (npm install, or put it on the PATH)`);
  }
}

/** Builds `dist/` (what Node runs) once per bench run. */
export function buildDist(): void {
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
}

/**
 * The command line that starts the key-value server on a runtime (a real binary, no npx
 * wrapper): `cli.ts` on Deno and Bun, the built `dist/cli.js` on Node (call
 * {@link buildDist} first).
 */
export function serverCommand(
  runtime: Runtime,
  port: number,
  extra: readonly string[] = [],
  runtimeFlags: readonly string[] = [],
): [string, string[]] {
  const cli = ["cli.ts", "--port", String(port), ...extra];
  switch (runtime) {
    case "node":
      // The built package, as users run it: tsx would add its loader (and its memory).
      return [process.execPath, [...runtimeFlags, "dist/cli.js", ...cli.slice(1)]];
    case "deno":
      return [binary("deno"), ["run", "-A", ...runtimeFlags, ...cli]];
    case "bun":
      return [binary("bun"), [...runtimeFlags, ...cli]];
  }
}

/** Waits until `PING` answers `+PONG` (or `-NOAUTH`), bounded by `timeoutMs`. */
export async function waitReady(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Server exited (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    }
    try {
      const line = await ask(port, "PING", 1000);
      if (line === "+PONG") return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`Server on port ${port} not ready within ${timeoutMs} ms: ${stderr()}`);
}

function track(name: string, port: number, child: ChildProcess): ServerProcess {
  let tail = "";
  const keep = (text: string) => {
    tail = (tail + text).slice(-4000);
  };
  child.stdout!.setEncoding("utf8").on("data", () => {});
  child.stderr!.setEncoding("utf8").on("data", keep);
  const exited = new Promise<void>((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) resolvePromise();
    else child.once("exit", () => resolvePromise());
  });
  return {
    name,
    port,
    child,
    pid: child.pid!,
    stderr: () => tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts `redis-server` on a free loopback port, without persistence. */
export async function startRedis(extra: readonly string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawnTracked(REDIS_SERVER, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--dir",
    "/tmp",
    "--logfile",
    "",
    ...extra,
  ]);
  const server = track("redis", port, child);
  await waitReady(port, child, 10_000, server.stderr);
  return server;
}

/** Starts our key-value server (`cli.ts`) on a runtime, on a free loopback port. */
export async function startOurs(
  runtime: Runtime,
  extra: readonly string[] = [],
  runtimeFlags: readonly string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const [command, args] = serverCommand(runtime, port, extra, runtimeFlags);
  const child = spawnTracked(command, args);
  const server = track(runtime, port, child);
  await waitReady(port, child, 30_000, server.stderr);
  return server;
}

/**
 * Starts `bench/lib/floor_server.mjs` on a runtime: one pending read per connection and `+PONG`
 * to every chunk, nothing else (the runtime's own cost per connection, for comparison).
 */
export function startFloor(runtime: Runtime): Promise<ServerProcess> {
  return startScript(runtime, "bench/lib/floor_server.mjs", `${runtime} floor`);
}

/**
 * Starts a script of this repository that takes `--port N` (an example server, a floor
 * server) on a runtime: Node runs TypeScript through tsx, Deno with `run -A`.
 */
export async function startScript(
  runtime: Runtime,
  script: string,
  name: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const argv = [script, "--port", String(port)];
  const [command, args]: [string, string[]] = runtime === "node"
    ? [process.execPath, script.endsWith(".ts") ? ["--import", "tsx", ...argv] : argv]
    : runtime === "deno"
    ? [binary("deno"), ["run", "-A", ...argv]]
    : [binary("bun"), argv];
  const child = spawnTracked(command, args);
  const server = track(name, port, child);
  await waitReady(port, child, 30_000, server.stderr);
  return server;
}

/** A process's resident set size in bytes (VmRSS from /proc/<pid>/status). */
export function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`No VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * Formats generated files with the project's `deno fmt` settings when Deno is available, so
 * that `deno fmt --check` stays clean after a bench run. Best effort.
 */
export function formatFiles(paths: readonly string[]): void {
  try {
    execFileSync(binary("deno"), ["fmt", "--quiet", ...paths], { cwd: ROOT, timeout: 60_000 });
  } catch { /* left as written */ }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

function firstLine(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", timeout: 20_000 }).split("\n")[0]
      .trim();
  } catch {
    return "unavailable";
  }
}

/** The machine and the versions a result depends on. */
export interface Environment {
  cpu: string;
  cores: number;
  os: string;
  node: string;
  deno: string;
  bun: string;
  redis: string;
  date: string;
}

/** Describes this machine and the runtimes and Redis versions in use. */
export function environment(): Environment {
  let cpu = cpus()[0]?.model ?? "unknown";
  let osName = `Linux ${release()}`;
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpu;
  } catch { /* keep os.cpus() */ }
  try {
    const osRelease = readFileSync("/etc/os-release", "utf8");
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osRelease)?.[1];
    if (pretty) osName = `${pretty}, kernel ${release()}`;
  } catch { /* keep uname */ }
  const redis = firstLine(REDIS_SERVER, ["--version"]);
  let deno = "unavailable";
  let bun = "unavailable";
  try {
    deno = firstLine(binary("deno"), ["--version"]).replace(/^deno\s+/, "");
  } catch { /* not installed */ }
  try {
    bun = firstLine(binary("bun"), ["--version"]);
  } catch { /* not installed */ }
  return {
    cpu,
    cores: cpus().length,
    os: osName,
    node: process.version,
    deno,
    bun,
    redis: /v=(\S+)/.exec(redis)?.[1] ?? redis,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

/** The environment as Markdown lines. */
export function environmentMarkdown(env: Environment): string {
  return [
    `- Machine: ${env.cpu}, ${env.cores} cores, ${env.os}`,
    `- Versions: Node ${env.node}, Deno ${env.deno}, Bun ${env.bun}, redis-server ${env.redis}`,
    `- Date: ${env.date}`,
  ].join("\n");
}
