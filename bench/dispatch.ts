/**
 * In-process cost of one command through the whole server without sockets: decoder, router,
 * key-value handler and reply writer, fed pipelines of 16 commands the way redis-benchmark
 * `-P 16` sends them (one chunk per pipeline, one write per chunk). Runs on Node
 * (`node --import tsx bench/dispatch.ts`), Deno (`npx deno run -A bench/dispatch.ts`) and Bun
 * (`npx bun bench/dispatch.ts`); prints nanoseconds per command, best of a few rounds.
 *
 * It isolates the JavaScript cost that `bench/e2e.ts` measures together with the kernel's
 * socket work and the client: use it to compare changes to the hot path on each runtime.
 * Tests: PING_MBULK, and SET/GET/INCR on one key (redis-benchmark without `-r`, as
 * bench/e2e.ts runs them), on 100,000 keys (`-r 100000`) and with 1 KiB values. Optional
 * arguments are test-name filters: `node --import tsx bench/dispatch.ts incr get`.
 *
 * @module
 */
import { Keyspace } from "../src/kv/keyspace/keyspace.ts";
import { registerKeyValueCommands } from "../src/kv/mod.ts";
import { Server } from "../src/server/server.ts";
import type { Transport, TransportHandler } from "../src/server/transport.ts";

const runtime = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : `node ${(globalThis as { process?: { version?: string } }).process?.version ?? ""}`;

/** A transport that counts the bytes written and drops them. */
class NullTransport implements Transport {
  readonly remoteAddress = "127.0.0.1:50000";
  readonly localAddress = "127.0.0.1:6379";
  written = 0;
  handler!: TransportHandler;
  write(bytes: Uint8Array): boolean {
    this.written += bytes.length;
    return true;
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
  destroy(): void {}
}

const PIPELINE = 16;
const KEYS = 100_000;

const encoder = new TextEncoder();

/** Pipelines of redis-benchmark's shape, each one chunk (ASCII arguments). */
function pipelines(make: (i: number) => string[], count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let n = 0;
  for (let p = 0; p < count; p++) {
    let text = "";
    for (let c = 0; c < PIPELINE; c++) {
      const args = make(n++);
      text += `*${args.length}\r\n`;
      for (const arg of args) text += `$${arg.length}\r\n${arg}\r\n`;
    }
    out.push(encoder.encode(text));
  }
  return out;
}

// redis-benchmark's keys: one key without `-r` (as bench/e2e.ts runs it), else `-r 100000`.
const key = (i: number) => `key:${String((i * 7919) % KEYS).padStart(12, "0")}`;
const counter = (i: number) => `counter:${String((i * 7919) % KEYS).padStart(12, "0")}`;
const value = "xxx";
const kilobyte = "x".repeat(1024);

const tests: Array<[string, (i: number) => string[]]> = [
  ["PING_MBULK", () => ["PING"]],
  ["SET", () => ["SET", "key:__rand_int__", value]],
  ["GET", () => ["GET", "key:__rand_int__"]],
  ["INCR", () => ["INCR", "counter:__rand_int__"]],
  ["SET -r", (i) => ["SET", key(i), value]],
  ["GET -r", (i) => ["GET", key(i)]],
  ["INCR -r", (i) => ["INCR", counter(i)]],
  ["SET -d 1024", () => ["SET", "key:__rand_int__", kilobyte]],
  ["GET -d 1024", () => ["GET", "key:__rand_int__"]],
  // The write tests of redis-benchmark's default suite, as it sends them without `-r`.
  ["LPUSH", () => ["LPUSH", "mylist", value]],
  ["RPUSH", () => ["RPUSH", "mylist", value]],
  ["SADD", () => ["SADD", "myset", "element:__rand_int__"]],
  ["HSET", () => ["HSET", "myhash", "element:__rand_int__", value]],
  ["ZADD", () => ["ZADD", "myzset", "0", "element:__rand_int__"]],
  ["MSET", () => ["MSET", ...Array.from({ length: 10 }, () => ["key:__rand_int__", value]).flat()]],
  // bench/streams.ts's XADD: 9 arguments.
  ["XADD", () => ["XADD", "bench:1", "*", "f1", "v1", "f2", "v2", "f3", "v3"]],
];

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const selected = args.length === 0
  ? tests
  : tests.filter(([name]) => args.some((a) => name.toLowerCase().includes(a.toLowerCase())));

const server = new Server();
const keyspace = new Keyspace({ sweepInterval: 0 });
registerKeyValueCommands(server, keyspace);
const transport = new NullTransport();
transport.handler = server.accept(transport);

console.log(`rediserver dispatch benchmark on ${runtime} (ns per command, pipelines of 16)`);
for (const [name, make] of selected) {
  // Fresh chunks per round: the decoder may keep views of what it is fed.
  const rounds = 7;
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const chunks = pipelines(make, 4096);
    const start = performance.now();
    for (const chunk of chunks) transport.handler.receive(chunk);
    const elapsed = performance.now() - start;
    best = Math.min(best, (elapsed * 1e6) / (chunks.length * PIPELINE));
  }
  console.log(`${name.padEnd(14)} ${best.toFixed(0).padStart(6)} ns`);
}
keyspace.close();
