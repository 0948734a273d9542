/**
 * Differential testing against a real Redis: starts `redis-server` (7.0.15 at
 * $REDIS_SERVER or the redis-server on the PATH) on a free loopback port, and compares the exact reply bytes of our
 * server and of Redis for the same requests. Runs on Node, Deno and Bun.
 *
 * ```ts
 * const oracle = await startOracle();
 * const ours = await startKeyValueServer();
 * const diff = await Differential.open({ port: ours.port }, { port: oracle.port }, 3);
 * await diff.same("SET", "k", "v");
 * await diff.sameUnordered("KEYS", "*");
 * await diff.close(); await ours.stop(); await oracle.stop();
 * ```
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import process from "node:process";
import assert from "node:assert/strict";
import { type ClientTarget, connectClient, type RawClient } from "./client.ts";
import { encodeCommand } from "../../src/resp/writer.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { findTool } from "./tools.ts";

/** Path of the oracle binary. */
export const REDIS_SERVER: string = findTool("redis-server", "REDIS_SERVER");

/** Why oracle tests are skipped, or false when redis-server is available. */
export const oracleSkip: string | false = existsSync(REDIS_SERVER)
  ? false
  : `${REDIS_SERVER} is not installed`;

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running redis-server. */
export interface Oracle {
  readonly port: number;
  readonly target: ClientTarget;
  stop(): Promise<void>;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startOnce(port: number, extra: string[]): Promise<Oracle | undefined> {
  const child = spawn(REDIS_SERVER, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    tmpdir(),
    "--daemonize",
    "no",
    ...extra,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    const onData = (data: Uint8Array) => {
      output += new TextDecoder().decode(data);
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await waitExit(child, 3000))) {
        child.kill("SIGKILL");
        await waitExit(child, 3000);
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  if (!ready) {
    await stop();
    if (/Address already in use/.test(output)) return undefined;
    throw new Error(`redis-server did not start:\n${output}`);
  }
  return { port, target: { port, host: "127.0.0.1" }, stop };
}

/** Starts redis-server on a free loopback port (no persistence); `extra` are more flags. */
export async function startOracle(extra: string[] = []): Promise<Oracle> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const oracle = await startOnce(await freePort(), extra);
    if (oracle !== undefined) return oracle;
  }
  throw new Error("Could not find a free port for redis-server");
}

/** Our key-value server, started in-process on a free port. */
export interface OurServer {
  readonly port: number;
  readonly target: ClientTarget;
  stop(): Promise<void>;
}

/** Starts the key-value server in-process with `serve({ port: 0 })`. */
export async function startKeyValueServer(): Promise<OurServer> {
  const { serve } = await import("../../adapters/serve.ts");
  const { createKeyValueServer } = await import("../../src/kv/mod.ts");
  const server = createKeyValueServer();
  const running = await serve({ port: 0, hostname: "127.0.0.1", server });
  const address = running.address;
  if (address.transport !== "tcp") throw new Error("Expected a TCP address");
  return {
    port: address.port,
    target: { port: address.port, host: "127.0.0.1" },
    // With `server` given, running.close() only stops the listener: close the server too.
    stop: () => server.close(),
  };
}

type Arg = string | Uint8Array | number;

/** Makes control bytes visible in assertion messages. */
export function show(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (b === 13) out += "\\r";
    else if (b === 10) out += "\\n";
    else if (b < 32 || b > 126) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function describeArgs(args: readonly Arg[]): string {
  return args.map((a) =>
    typeof a === "string" ? a : typeof a === "number" ? String(a) : `<${show(a)}>`
  ).join(" ");
}

/** Sorts arrays (recursively, at every depth) so that unordered replies compare equal. */
export function sortDeep(value: RespValue): RespValue {
  if (Array.isArray(value)) {
    return value.map(sortDeep).sort((a, b) => {
      const x = JSON.stringify(toPlain(a)), y = JSON.stringify(toPlain(b));
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  if (value instanceof Set) return sortDeep([...value]);
  return value;
}

/** A JSON-friendly view of a reply, for comparisons and messages. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: show(value) };
  if (typeof value === "bigint") return { bigint: String(value) };
  if (value instanceof Error) return { error: value.message };
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Set) return { set: [...value].map(toPlain) };
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [toPlain(k), toPlain(v)]) };
  if (typeof value === "number" && !Number.isFinite(value)) return { number: String(value) };
  return value;
}

/**
 * Two raw connections, one to our server and one to the oracle, in the same protocol. Each
 * check sends the same bytes to both and compares what comes back.
 */
export class Differential {
  /** Number of comparisons made by every Differential in this process. */
  static checks = 0;
  readonly ours: RawClient;
  readonly oracle: RawClient;
  readonly protocol: 2 | 3;
  #offsets = { ours: 0, oracle: 0 };

  private constructor(ours: RawClient, oracle: RawClient, protocol: 2 | 3) {
    this.ours = ours;
    this.oracle = oracle;
    this.protocol = protocol;
  }

  /** Connects to both; with protocol 3 sends HELLO 3 to both (its reply is not compared). */
  static async open(
    ours: ClientTarget,
    oracle: ClientTarget,
    protocol: 2 | 3 = 2,
  ): Promise<Differential> {
    const a = await connectClient(ours);
    const b = await connectClient(oracle);
    const diff = new Differential(a, b, protocol);
    if (protocol === 3) await diff.both("HELLO", "3");
    return diff;
  }

  async #exchange(
    request: Uint8Array,
    replies: number,
  ): Promise<{ ours: Uint8Array; oracle: Uint8Array; values: [RespValue[], RespValue[]] }> {
    this.ours.write(request);
    this.oracle.write(request);
    const [x, y] = await Promise.all([this.ours.read(replies), this.oracle.read(replies)]);
    const ours = this.ours.allBytes().subarray(this.#offsets.ours);
    const oracle = this.oracle.allBytes().subarray(this.#offsets.oracle);
    this.#offsets.ours += ours.length;
    this.#offsets.oracle += oracle.length;
    return { ours, oracle, values: [x, y] };
  }

  /** Sends a command to both without reading the reply (e.g. a blocking command). */
  send(...args: Arg[]): void {
    const request = encodeCommand(args);
    this.ours.write(request);
    this.oracle.write(request);
  }

  /** Reads `replies` replies from both (after {@link send}) and compares their bytes. */
  async sameReplies(replies: number, label: string): Promise<RespValue[]> {
    const [x] = await Promise.all([this.ours.read(replies), this.oracle.read(replies)]);
    const ours = this.ours.allBytes().subarray(this.#offsets.ours);
    const oracle = this.oracle.allBytes().subarray(this.#offsets.oracle);
    this.#offsets.ours += ours.length;
    this.#offsets.oracle += oracle.length;
    Differential.checks++;
    assert.equal(show(ours), show(oracle), `RESP${this.protocol} ${label}: ours vs redis`);
    return x;
  }

  /** Sends a command to both without comparing (setup); returns our reply. */
  async both(...args: Arg[]): Promise<RespValue> {
    const { values } = await this.#exchange(encodeCommand(args), 1);
    return values[0][0];
  }

  /** Sends a command to both; asserts byte-identical replies; returns the reply. */
  async same(...args: Arg[]): Promise<RespValue> {
    const { ours, oracle, values } = await this.#exchange(encodeCommand(args), 1);
    Differential.checks++;
    assert.equal(
      show(ours),
      show(oracle),
      `RESP${this.protocol} ${describeArgs(args)}: ours (actual) vs redis (expected)`,
    );
    return values[0][0];
  }

  /** Sends raw bytes (inline or pipelined requests) expecting `replies` replies; compares bytes. */
  async sameRaw(request: string | Uint8Array, replies = 1): Promise<RespValue[]> {
    const bytes = typeof request === "string" ? new TextEncoder().encode(request) : request;
    const { ours, oracle, values } = await this.#exchange(bytes, replies);
    Differential.checks++;
    assert.equal(
      show(ours),
      show(oracle),
      `RESP${this.protocol} raw ${show(bytes)}: ours (actual) vs redis (expected)`,
    );
    return values[0];
  }

  /** Sends a command to both; compares the decoded replies after `normalize`. */
  async sameWith(
    normalize: (value: RespValue) => unknown,
    ...args: Arg[]
  ): Promise<RespValue> {
    const { values } = await this.#exchange(encodeCommand(args), 1);
    Differential.checks++;
    assert.deepEqual(
      toPlain(normalize(values[0][0])),
      toPlain(normalize(values[1][0])),
      `RESP${this.protocol} ${describeArgs(args)}: ours (actual) vs redis (expected)`,
    );
    return values[0][0];
  }

  /** Like {@link same} but arrays/sets compare as unordered (SMEMBERS, KEYS, ...). */
  sameUnordered(...args: Arg[]): Promise<RespValue> {
    return this.sameWith(sortDeep, ...args);
  }

  /**
   * Runs a whole SCAN-like iteration (`args` with the cursor at `cursorIndex`, default 1) on
   * both servers and compares the sets of returned elements (duplicates removed).
   */
  async sameScan(args: Arg[], cursorIndex = 1): Promise<string[]> {
    const collect = async (client: RawClient) => {
      const seen = new Set<string>();
      let cursor = "0";
      let rounds = 0;
      do {
        const request = args.slice();
        request[cursorIndex] = cursor;
        const reply = await client.call(...request);
        assert.ok(
          Array.isArray(reply),
          `SCAN reply is an array: ${JSON.stringify(toPlain(reply))}`,
        );
        const [next, items] = reply as [string, RespValue[]];
        cursor = String(next);
        for (const item of items) seen.add(JSON.stringify(toPlain(item)));
        rounds++;
      } while (cursor !== "0" && rounds < 100_000);
      return [...seen].sort();
    };
    const ours = await collect(this.ours);
    const oracle = await collect(this.oracle);
    this.#offsets.ours = this.ours.allBytes().length;
    this.#offsets.oracle = this.oracle.allBytes().length;
    Differential.checks++;
    assert.deepEqual(ours, oracle, `RESP${this.protocol} ${describeArgs(args)} (full iteration)`);
    return ours;
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    await Promise.all([this.ours.close(), this.oracle.close()]);
  }
}

/**
 * Registers `before`/`after` hooks (call inside a `describe`) that start redis-server and our
 * key-value server once for the suite; `open(protocol)` gives a fresh Differential pair
 * (both servers FLUSHALLed), closed automatically at the end; `check(protocol, body)` runs
 * `body` on a fresh pair and closes it.
 */
export function oracleFixture(
  hooks: { before: (fn: () => Promise<void>) => void; after: (fn: () => Promise<void>) => void },
): {
  open(protocol?: 2 | 3, flush?: boolean): Promise<Differential>;
  check(protocol: 2 | 3, body: (d: Differential) => Promise<void>): Promise<void>;
} {
  let oracle: Oracle | undefined;
  let ours: OurServer | undefined;
  const opened: Differential[] = [];
  hooks.before(async () => {
    oracle = await startOracle();
    ours = await startKeyValueServer();
  });
  hooks.after(async () => {
    for (const d of opened.splice(0)) await d.close();
    await ours?.stop();
    await oracle?.stop();
    if (process.env.REDISERVER_DIFF_COUNT) {
      console.log(`differential checks so far: ${Differential.checks}`);
    }
  });
  return {
    async open(protocol: 2 | 3 = 2, flush = true): Promise<Differential> {
      if (ours === undefined || oracle === undefined) throw new Error("Servers not started");
      const d = await Differential.open(ours.target, oracle.target, protocol);
      opened.push(d);
      if (flush) await d.both("FLUSHALL");
      return d;
    },
    async check(protocol, body): Promise<void> {
      const d = await this.open(protocol);
      try {
        await body(d);
      } finally {
        await d.close();
      }
    },
  };
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
