#!/usr/bin/env node
/**
 * The `rediserver` command: runs the key-value server (a Redis 7 work-alike) on Deno, Bun or
 * Node.
 *
 * ```sh
 * node --import tsx cli.ts --port 6379
 * deno run -A cli.ts --port 6380 --requirepass secret
 * bun cli.ts --unixsocket /tmp/rediserver.sock
 * ```
 *
 * Prints one banner line when listening; SIGINT/SIGTERM close it gracefully (exit 0); a bad
 * flag prints a message on stderr and exits 1.
 *
 * @module
 */
import process from "node:process";
import { formatAddress } from "./adapters/common.ts";
import { type RunningServer, serve } from "./adapters/serve.ts";
import { createKeyValueServer } from "./src/kv/mod.ts";
import { VERSION } from "./src/server/version.ts";
import type { ServerOptions } from "./src/server/server.ts";

/**
 * What the command line asks for.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./cli.ts";
 *
 * const options = parseArgs(["--port", "6380"]); // { port: 6380, host: "127.0.0.1", ... }
 * ```
 */
export interface CliOptions {
  /** TCP port (0 = any free port). */
  port: number;
  /** Address to bind. */
  host: string;
  /** Unix socket path (instead of TCP). */
  unixsocket?: string;
  /** Password clients must AUTH with. */
  requirepass?: string;
  /** Maximum number of connected clients. */
  maxclients?: number;
  /** Number of databases. */
  databases?: number;
  /** `--help` was given. */
  help: boolean;
  /** `--version` was given. */
  version?: boolean;
}

/** The `--help` text. */
export const USAGE: string = `Usage: rediserver [options]

An in-memory key-value server that speaks the Redis protocol (RESP2/RESP3).

Options:
  --port <n>          TCP port to listen on (default 6379; 0 = any free port)
  --host <address>    Address to bind (default 127.0.0.1)
  --unixsocket <path> Listen on a Unix socket instead of TCP
  --requirepass <pw>  Require clients to AUTH with this password
  --maxclients <n>    Maximum number of connected clients (default 10000)
  --databases <n>     Number of databases (default 16)
  -v, --version       Print the version and exit
  -h, --help          Show this help

SIGINT and SIGTERM shut it down gracefully.
`;

/** An invalid command line. */
class UsageError extends Error {}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`Invalid value for ${flag}: '${text}' (expected ${min} to ${max})`);
  }
  return value;
}

/**
 * Parses command-line arguments (`--flag value` or `--flag=value`); throws an Error with a
 * message for the user on a bad flag or value.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./cli.ts";
 *
 * parseArgs(["--port=0", "--requirepass", "secret"]).requirepass; // "secret"
 * ```
 */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { port: 6379, host: "127.0.0.1", help: false };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq !== -1) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const take = (): string => {
      if (value !== undefined) return value;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`Missing value for ${flag}`);
      i++;
      return next;
    };
    switch (flag) {
      case "--help":
      case "-h":
        options.help = true;
        break;
      case "--version":
      case "-v":
        options.version = true;
        break;
      case "--port":
        options.port = integer(flag, take(), 0, 65535);
        break;
      case "--host":
      case "--bind":
        options.host = take();
        break;
      case "--unixsocket":
        options.unixsocket = take();
        break;
      case "--requirepass":
        options.requirepass = take();
        break;
      case "--maxclients":
        options.maxclients = integer(flag, take(), 1, 1_000_000);
        break;
      case "--databases":
        options.databases = integer(flag, take(), 1, 1_000_000);
        break;
      default:
        throw new UsageError(`Unknown option ${flag} (see --help)`);
    }
  }
  return options;
}

/**
 * Node only: stops V8's young generation from growing past the size it has at startup (2 MB
 * per semi-space). By default it grows, up to 16 MB per semi-space (32 MB resident), as soon
 * as many objects survive in a row, which is what accepting thousands of connections or
 * loading many keys looks like, and it does not shrink back while the server idles: 10,000
 * idle connections cost 30 MB more RSS with it. Kept small, the short-lived garbage of each
 * request is collected by more, cheaper scavenges: redis-benchmark CPU per request is the same
 * or lower (-P 1 and -P 16, 3-byte and 1 KiB values; total scavenge time 44 ms instead of 76
 * ms for 600,000 -P 16 requests), and loading 1,000,000 keys is no slower (1.2 s instead of
 * 1.4 s) and ends 45 MB smaller. Of the young-generation flags only this one takes effect
 * after startup (`--max-semi-space-size` does not), so it is set from here, for this
 * command's own process only: a library must not change its host's V8 flags. Deno's
 * `v8.setFlagsFromString` does nothing, and Bun has no V8.
 *
 * A young generation sized on Node's command line (`node --max-semi-space-size=64
 * --min-semi-space-size=32 dist/cli.js`, or `NODE_OPTIONS=--max-semi-space-size=64`) is left
 * as asked: it trades memory for throughput (one run on a loaded machine, 2026-12-06: server
 * CPU per request at -P 16 up to 30-40% lower for SET/GET/INCR/LPUSH/XADD with a 16 or 32 MB
 * semi-space, though not for every test; 10,000 idle connections 98 MB RSS by default, 119 MB
 * with 16 MB, 151 MB with 32 MB), which is the user's call rather than this command's default.
 */
async function limitYoungGeneration(): Promise<void> {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno !== undefined || versions.bun !== undefined) return;
  if (sizesYoungGeneration(process.execArgv, process.env.NODE_OPTIONS ?? "")) return;
  try {
    const v8 = await import("node:v8");
    v8.setFlagsFromString("--semi-space-growth-factor=1");
  } catch { /* not settable: keep V8's defaults */ }
}

/** V8 flags that size the young generation (V8 takes `-` or `_` between the words). */
const YOUNG_GENERATION_FLAG =
  /^--(?:(?:max|min)[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)(?:=|$)/;

/**
 * Whether Node was started with a flag that sizes V8's young generation (semi-space size or
 * growth factor), on its command line (`execArgv`) or in `NODE_OPTIONS`: the command then
 * leaves the young generation as asked.
 *
 * @example
 * ```ts
 * import { sizesYoungGeneration } from "./cli.ts";
 *
 * sizesYoungGeneration(["--max-semi-space-size=64"], ""); // true
 * sizesYoungGeneration(["--import", "tsx"], "--max-old-space-size=512"); // false
 * ```
 */
export function sizesYoungGeneration(execArgv: readonly string[], nodeOptions: string): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((flag) =>
    YOUNG_GENERATION_FLAG.test(flag)
  );
}

/**
 * Why listening failed, in the same words on every runtime ("address already in use"):
 * Node and Bun give an error `code`, Deno an error class name.
 *
 * @example
 * ```ts
 * import { listenFailure } from "./cli.ts";
 *
 * const error = Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" });
 * console.log(listenFailure(error)); // "address already in use"
 * ```
 */
export function listenFailure(error: unknown): string {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  if (code === "EADDRINUSE" || name === "AddrInUse") return "address already in use";
  if (code === "EACCES" || name === "PermissionDenied") return "permission denied";
  if (code === "EADDRNOTAVAIL" || name === "AddrNotAvailable") return "address not available";
  if (code === "ENOENT" || name === "NotFound") return "no such file or directory";
  return message ?? String(error);
}

function runtimeName(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno !== undefined) return `Deno ${versions.deno}`;
  if (versions.bun !== undefined) return `Bun ${versions.bun}`;
  return `Node ${versions.node}`;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`rediserver: ${(error as Error).message}\n`);
    process.exit(1);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (options.version) {
    process.stdout.write(`rediserver ${VERSION} (${runtimeName()})\n`);
    process.exit(0);
  }
  await limitYoungGeneration();
  const serverOptions: ServerOptions = {};
  if (options.requirepass !== undefined) serverOptions.password = options.requirepass;
  if (options.maxclients !== undefined) serverOptions.maxClients = options.maxclients;
  if (options.databases !== undefined) serverOptions.databases = options.databases;
  const server = createKeyValueServer(serverOptions);
  let running: RunningServer;
  try {
    running = await serve({
      server,
      ...(options.unixsocket !== undefined
        ? { path: options.unixsocket }
        : { hostname: options.host, port: options.port }),
    });
  } catch (error) {
    const where = options.unixsocket ?? formatAddress(options.host, options.port);
    process.stderr.write(`rediserver: Could not listen on ${where}: ${listenFailure(error)}\n`);
    await server.close();
    process.exit(1);
  }
  const address = running.address;
  const where = address.transport === "unix"
    ? address.path
    : address.hostname.includes(":")
    ? `[${address.hostname}]:${address.port}`
    : `${address.hostname}:${address.port}`;
  process.stdout.write(
    `rediserver ${VERSION} (${runtimeName()}) listening on ${where}, pid ${process.pid}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Received ${signal}, closing\n`);
    // Clients that never let go (blocked forever, slow readers) must not keep us alive.
    const force = setTimeout(() => process.exit(0), 5000);
    server.close().finally(() => {
      clearTimeout(force);
      process.exit(0);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  watchLauncher(() => stop("SIGTERM"));
}

/**
 * Started by npm or npx (`npm start`, `npx rediserver`), we run under `sh -c`, and a signal
 * sent to npm ends npm and that shell without reaching us. When our parent is gone (we were
 * re-parented), `stop` runs as for SIGTERM. A server started otherwise (`rediserver &`, a
 * service manager) is left alone.
 */
function watchLauncher(stop: () => void): void {
  let parent: number;
  try {
    if (process.env.npm_command === undefined) return;
    parent = process.ppid;
  } catch { // Deno without --allow-env
    return;
  }
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 250);
  (timer as { unref?: () => void }).unref?.();
}

async function isEntryPoint(): Promise<boolean> {
  // Deno and Bun set import.meta.main; Node (before v24) does not: compare with the script.
  const main = (import.meta as { main?: boolean }).main;
  if (main !== undefined) return main;
  const given = process.argv[1];
  if (given === undefined) return false;
  // Loaded only here (on Node): in Deno, node:fs alone costs several MB of RSS.
  const { realpathSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  // npm runs bins through a symlink (node_modules/.bin/rediserver): compare real paths.
  let script = given;
  try {
    script = realpathSync(given);
  } catch { /* no such file: compare as given */ }
  const path = fileURLToPath(import.meta.url);
  return path === script || path.replace(/\.ts$/, "") === script.replace(/\.[jt]s$/, "");
}

if (await isEntryPoint()) await main();
