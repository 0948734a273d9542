/**
 * In-process cost of EVALSHA through the whole server without sockets (decoder, router,
 * script runner, Lua, redis.call, reply writer), next to plain INCR: the A/B tool for changes
 * to the scripting path. Chunks are fed as redis-benchmark sends them (`-P 1`: one command per
 * chunk; `-P 16`: sixteen). It also counts the transport writes made synchronously inside
 * `receive()`: one per chunk means no reply waits for a later tick. "job suspendable" runs the
 * same job script on the suspendable path (LuaState.start, taken by scripts that once ran past
 * busy-reply-threshold): what running every script suspendable would cost.
 *
 * ```sh
 * node --import tsx bench/scripting/inprocess.ts [filter...]
 * npx deno run -A bench/scripting/inprocess.ts
 * npx bun bench/scripting/inprocess.ts
 * ```
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Keyspace } from "../../src/kv/keyspace/keyspace.ts";
import { registerKeyValueCommands } from "../../src/kv/mod.ts";
import { Server } from "../../src/server/server.ts";
import type { Transport, TransportHandler } from "../../src/server/transport.ts";
import { jobArgs } from "./job_args.ts";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

class NullTransport implements Transport {
  readonly remoteAddress = "127.0.0.1:50000";
  readonly localAddress = "127.0.0.1:6379";
  writes = 0;
  last = "";
  handler!: TransportHandler;
  write(bytes: Uint8Array): boolean {
    this.writes++;
    if (bytes.length < 200) this.last = new TextDecoder().decode(bytes);
    return true;
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
  destroy(): void {}
}

const encoder = new TextEncoder();
const JOB = readFileSync(new URL("./job_script.lua", import.meta.url), "utf8");
const INCR = "return redis.call('INCR', KEYS[1])";

function frame(args: string[]): string {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
  return text;
}

const server = new Server();
const keyspace = new Keyspace({ sweepInterval: 0 });
registerKeyValueCommands(server, keyspace);
const transport = new NullTransport();
transport.handler = server.accept(transport);

function load(body: string): string {
  transport.handler.receive(encoder.encode(frame(["SCRIPT", "LOAD", body])));
  return transport.last.split("\r\n")[1];
}
const incrSha = load(INCR);
const jobSha = load(JOB);
// The job script again (another SHA), made "long" once: a run that spins past
// busy-reply-threshold before any write is restarted as a suspendable run, and the runner
// then runs every later call of that script suspendable from its start (runner.ts). This
// prices the suspendable path against the plain call on the same script.
const SPIN = "if ARGV[4] == 'spin' then local t = 0 for i = 1, 3e6 do t = t + i end end\n";
const slicedSha = load(SPIN + JOB);
transport.handler.receive(encoder.encode(frame(["CONFIG", "SET", "busy-reply-threshold", "1"])));
transport.handler.receive(encoder.encode(frame([
  "EVALSHA",
  slicedSha,
  "6",
  "a",
  "b",
  "c",
  "d",
  "e",
  "f",
  "x",
  "{}",
  "0",
  "spin",
])));
await new Promise((resolve) => setTimeout(resolve, 500));
transport.handler.receive(encoder.encode(frame(["CONFIG", "SET", "busy-reply-threshold", "5000"])));

const counter = (i: number) => `counter:${String((i * 7919) % 100000).padStart(12, "0")}`;
const tests: Array<[string, (i: number) => string[]]> = [
  ["INCR", (i) => ["INCR", counter(i)]],
  ["EVALSHA incr", (i) => ["EVALSHA", incrSha, "1", counter(i)]],
  ["EVALSHA job", (i) => jobArgsAt(jobSha, i)],
  ["EVALSHA job suspendable", (i) => jobArgsAt(slicedSha, i)],
];

function jobArgsAt(sha: string, i: number): string[] {
  return jobArgs(sha, `queue:job:${String((i * 7919) % 100000).padStart(12, "0")}`);
}

const argv: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const selected = argv.length === 0
  ? tests
  : tests.filter(([name]) => argv.some((a) => name.toLowerCase().includes(a.toLowerCase())));

console.log(`scripting in-process on ${runtime} (ns per command, best of 7 interleaved rounds)`);
// Rounds interleave the tests, so that a slower stretch of a shared machine hits them all.
const cases = selected.flatMap(([name, make]) =>
  [1, 16].map((pipeline) => ({ name, make, pipeline, best: Infinity, writesPerChunk: 0 }))
);
for (let round = 0; round < 7; round++) {
  for (const test of cases) {
    const commands = test.name.startsWith("EVALSHA job") ? 16384 : 65536;
    const chunks: Uint8Array[] = [];
    let n = 0;
    for (let c = 0; c < commands / test.pipeline; c++) {
      let text = "";
      for (let p = 0; p < test.pipeline; p++) text += frame(test.make(n++));
      chunks.push(encoder.encode(text));
    }
    const before = transport.writes;
    const start = performance.now();
    for (const chunk of chunks) transport.handler.receive(chunk);
    const elapsed = performance.now() - start;
    test.writesPerChunk = (transport.writes - before) / chunks.length;
    test.best = Math.min(test.best, (elapsed * 1e6) / commands);
  }
}
for (const test of cases) {
  console.log(
    `${(test.name + " -P " + test.pipeline).padEnd(30)} ${test.best.toFixed(0).padStart(7)} ns` +
      `  sync writes/chunk ${test.writesPerChunk.toFixed(2)}`,
  );
}
if (transport.last.startsWith("-")) console.log("last reply:", transport.last);
keyspace.close();
