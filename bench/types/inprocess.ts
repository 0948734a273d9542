/**
 * In-process cost of the data-type benchmark's commands (`bench/types.ts`: SETBIT, GETBIT,
 * BITCOUNT, PFADD, PFCOUNT, GEOSEARCH) through the whole server without sockets: decoder,
 * router, key-value handler and reply writer, on the same seeded data, fed as redis-benchmark
 * sends them (`-P 16`: sixteen commands per chunk). Prints nanoseconds per command, best of a
 * few rounds, of wall time and of the process's CPU time (steadier on a shared machine), next
 * to PING as the floor of the dispatch path. Then splits the CPU time: "path" is the same
 * requests answered by a stub registered under the command's name (same spec and flags, a
 * handler that only writes the reply the real one wrote: decoding, dispatch, the write
 * command bookkeeping and the reply writer), "handler" is the rest (key lookup and the
 * command's own work). The two are measured in alternating rounds. Profile one test with
 * Node's `--cpu-prof`.
 *
 * Under `node --import tsx`, esbuild's keepNames adds a `__name` call to every closure a
 * handler creates per call, which can dwarf small handlers; for Node figures bundle the script
 * first (the second line) or compare against `dist/`.
 *
 * ```sh
 * node --import tsx bench/types/inprocess.ts [filter...]
 * npx esbuild --bundle --platform=node --format=esm bench/types/inprocess.ts --outfile=/tmp/ip.mjs && node /tmp/ip.mjs
 * node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/types/inprocess.ts geosearch
 * npx deno run -A bench/types/inprocess.ts
 * npx bun bench/types/inprocess.ts
 * ```
 *
 * @module
 */
import process from "node:process";
import { Keyspace } from "../../src/kv/keyspace/keyspace.ts";
import { registerKeyValueCommands } from "../../src/kv/mod.ts";
import { Server } from "../../src/server/server.ts";
import type { CommandSpec, Handler } from "../../src/server/command_spec.ts";
import type { Transport, TransportHandler } from "../../src/server/transport.ts";
import { prng, seedCommands, TESTS } from "./data.ts";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

/** A transport that keeps the last reply chunk and counts bytes. */
class NullTransport implements Transport {
  readonly remoteAddress = "127.0.0.1:50000";
  readonly localAddress = "127.0.0.1:6379";
  written = 0;
  last: Uint8Array = new Uint8Array(0);
  handler!: TransportHandler;
  write(bytes: Uint8Array): boolean {
    this.written += bytes.length;
    this.last = bytes;
    return true;
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
  destroy(): void {}
}

const PIPELINE = 16;
const encoder = new TextEncoder();

function frame(args: readonly string[]): string {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
  return text;
}

/** `count` chunks of 16 commands, `__rand_int__` replaced as redis-benchmark `-r` does. */
function pipelines(args: readonly string[], random: number, count: number): Uint8Array[] {
  const rand = prng(7);
  const out: Uint8Array[] = [];
  for (let p = 0; p < count; p++) {
    let text = "";
    for (let c = 0; c < PIPELINE; c++) {
      const value = String(random > 1 ? Math.floor(rand() * random) : 0).padStart(12, "0");
      text += frame(args.map((a) => a.replace("__rand_int__", value)));
    }
    out.push(encoder.encode(text));
  }
  return out;
}

const argv: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const tests: Array<[string, string[], number]> = [
  ["ping", ["PING"], 1],
  ...Object.entries(TESTS).map(([name, t]): [string, string[], number] => [
    name,
    t.args,
    t.random,
  ]),
  ["bitpos", ["BITPOS", "bits", "1", "100", "-1"], 1],
];
const selected = argv.length === 0
  ? tests
  : tests.filter(([name]) => argv.some((a) => name.includes(a.toLowerCase())));

const server = new Server();
const keyspace = new Keyspace({ sweepInterval: 0 });
registerKeyValueCommands(server, keyspace);
const transport = new NullTransport();
transport.handler = server.accept(transport);
for (const command of seedCommands()) transport.handler.receive(encoder.encode(frame(command)));

/** Best wall and CPU ns per command of feeding `made` (fresh copies) `rounds` times. */
function measure(made: readonly Uint8Array[]): { wall: number; cpu: number } {
  // Fresh chunks (copies): the decoder may keep views of what it is fed.
  const fed = made.map((chunk) => chunk.slice());
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const chunk of fed) transport.handler.receive(chunk);
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const commands = fed.length * PIPELINE;
  return { wall: (elapsed * 1e6) / commands, cpu: ((used.user + used.system) * 1e3) / commands };
}

/** A handler that writes `reply` (one recorded reply: an integer, or raw bytes) and nothing else. */
function stubHandler(recorded: Uint8Array): Handler {
  const text = new TextDecoder().decode(recorded);
  if (/^:-?\d+\r\n$/.test(text)) {
    const n = Number(text.slice(1, -2));
    return (_command, reply) => reply.integer(n);
  }
  const bytes = recorded.slice();
  return (_command, reply) => reply.raw(bytes);
}

console.log(
  `rediserver data-type commands in process on ${runtime} (ns per command, -P 16; ` +
    `path = a stub handler under the same name, handler = CPU - path)`,
);
for (const [name, args, random] of selected) {
  const rounds = 7;
  const chunks = name === "geosearch" ? 512 : 4096;
  const made = pipelines(args, random, chunks);
  const command = args[0].toLowerCase();
  const spec = server.router.get(command)!;
  // One command alone: the bytes of one reply, for the stub.
  transport.handler.receive(encoder.encode(frame(args)));
  const stub: CommandSpec = { ...spec, handler: stubHandler(transport.last) };
  let best = Infinity, bestCpu = Infinity, bestPath = Infinity;
  for (let round = 0; round < rounds; round++) {
    const real = measure(made);
    best = Math.min(best, real.wall);
    bestCpu = Math.min(bestCpu, real.cpu);
    if (name === "ping") continue;
    server.router.register(command, stub);
    try {
      bestPath = Math.min(bestPath, measure(made).cpu);
    } finally {
      server.router.register(command, spec);
    }
  }
  const reply = new TextDecoder().decode(transport.last.subarray(0, 48)).replace(/\r\n/g, " ");
  const split = name === "ping"
    ? "".padEnd(30)
    : `path ${bestPath.toFixed(0).padStart(6)} handler ${
      Math.max(0, bestCpu - bestPath).toFixed(0).padStart(6)
    }`;
  console.log(
    `${name.padEnd(10)} ${best.toFixed(0).padStart(7)} ns ${
      bestCpu.toFixed(0).padStart(7)
    } ns CPU  ${split}   ${reply}`,
  );
}
keyspace.close();
