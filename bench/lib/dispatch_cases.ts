/**
 * What `bench/dispatch.ts` and `bench/dispatch_ab.ts` share: a transport that drops what is
 * written, the test commands (redis-benchmark's shapes) and pipelines of 16 of them, one
 * chunk each, as redis-benchmark `-P 16` sends them. Runs on Node, Deno and Bun.
 *
 * @module
 */
import type { Transport, TransportHandler } from "../../src/server/transport.ts";

/** The name the runtime that runs this goes by in the output. */
export const runtime: string = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : `node ${(globalThis as { process?: { version?: string } }).process?.version ?? ""}`;

/** The command-line arguments on every runtime. */
export const scriptArgs: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];

/** A transport that counts the bytes written and drops them. */
export class NullTransport implements Transport {
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

/** Commands per pipeline (one chunk). */
export const PIPELINE = 16;
const KEYS = 100_000;

const encoder = new TextEncoder();

/** Pipelines of redis-benchmark's shape, each one chunk (ASCII arguments). */
export function pipelines(make: (i: number) => string[], count: number): Uint8Array[] {
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

/** The tests: a name and the arguments of the i-th command. */
export const tests: Array<[string, (i: number) => string[]]> = [
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
  // The list reads and pops of the default suite, on the list the two tests above fill (select
  // them too, e.g. `push lrange pop`); then pushes to 100,000 small lists (the packed form).
  ["LRANGE_100", () => ["LRANGE", "mylist", "0", "99"]],
  ["LRANGE_600", () => ["LRANGE", "mylist", "0", "599"]],
  ["LPOP", () => ["LPOP", "mylist"]],
  ["RPOP", () => ["RPOP", "mylist"]],
  ["LPUSH -r", (i) => ["LPUSH", `list:${String((i * 7919) % KEYS).padStart(12, "0")}`, value]],
  ["SADD", () => ["SADD", "myset", "element:__rand_int__"]],
  ["HSET", () => ["HSET", "myhash", "element:__rand_int__", value]],
  ["ZADD", () => ["ZADD", "myzset", "0", "element:__rand_int__"]],
  ["MSET", () => ["MSET", ...Array.from({ length: 10 }, () => ["key:__rand_int__", value]).flat()]],
  // bench/streams.ts's XADD: 9 arguments.
  ["XADD", () => ["XADD", "bench:1", "*", "f1", "v1", "f2", "v2", "f3", "v3"]],
  // Small sorted sets (listpack in Redis): 1000 keys of up to 20 members, 20 keys of up to
  // 120; the adds first, so that the reads and pops after them find the sets filled.
  ...smallZSetTests("zs20", 1000, 20),
  ...smallZSetTests("zs120", 20, 120),
];

/** The small sorted-set tests over `keys` keys of up to `members` members each. */
function smallZSetTests(
  name: string,
  keys: number,
  members: number,
): Array<[string, (i: number) => string[]]> {
  const k = (i: number) => `${name}:${i % keys}`;
  const m = (i: number) => `member:${(i * 7) % members}`;
  const lon = (i: number) => (13 + ((i * 37) % members) / members).toFixed(6);
  return [
    [`${name}-ZADD`, (i) => ["ZADD", k(i), String((i * 13) % 29), m(i)]],
    [`${name}-ZSCORE`, (i) => ["ZSCORE", k(i), m(i * 3)]],
    [`${name}-ZRANK`, (i) => ["ZRANK", k(i), m(i * 5)]],
    [`${name}-ZRANGE`, (i) => ["ZRANGE", k(i), "0", "9", "WITHSCORES"]],
    [`${name}-ZINCRBY`, (i) => ["ZINCRBY", k(i), "1.5", m(i * 11)]],
    [
      `${name}-ZPOPMIN`,
      (i) => i % 2 === 0 ? ["ZPOPMIN", k(i >> 1)] : ["ZADD", k(i >> 1), String(i % 31), m(i)],
    ],
    [
      `${name}-ZREM`,
      (i) =>
        i % 2 === 0 ? ["ZREM", k(i >> 1), m(i)] : ["ZADD", k(i >> 1), String(i % 31), m(i - 1)],
    ],
    [`${name}-GEOADD`, (i) => ["GEOADD", `g${k(i)}`, lon(i), "52.5", m(i)]],
    [`${name}-GEOSEARCH`, (i) => [
      "GEOSEARCH",
      `g${k(i)}`,
      "FROMLONLAT",
      "13.4",
      "52.5",
      "BYRADIUS",
      "50",
      "km",
      "ASC",
    ]],
  ];
}

/** The tests whose names contain one of the filters (all without filters). */
export function selectTests(filters: readonly string[]): Array<[string, (i: number) => string[]]> {
  return filters.length === 0
    ? tests
    : tests.filter(([name]) => filters.some((a) => name.toLowerCase().includes(a.toLowerCase())));
}

/** Feeds every chunk to the handler: nanoseconds per command (wall-clock time). */
export function timeChunks(handler: TransportHandler, chunks: readonly Uint8Array[]): number {
  const start = performance.now();
  for (const chunk of chunks) handler.receive(chunk);
  const elapsed = performance.now() - start;
  return (elapsed * 1e6) / (chunks.length * PIPELINE);
}

/** `process.cpuUsage()` where the runtime has it (Node, Deno and Bun all do). */
type CpuUsage = () => { user: number; system: number };

/**
 * Feeds every chunk to the handler: nanoseconds of the process's CPU time (user + system,
 * all threads: the garbage collector's helpers too) per command. On a machine shared with
 * other work this moves far less than wall-clock time does, since waiting for a core is not
 * counted.
 */
export function cpuChunks(
  handler: TransportHandler,
  chunks: readonly Uint8Array[],
  cpuUsage: CpuUsage,
): number {
  const start = cpuUsage();
  for (const chunk of chunks) handler.receive(chunk);
  const end = cpuUsage();
  const micros = end.user - start.user + end.system - start.system;
  return (micros * 1e3) / (chunks.length * PIPELINE);
}
