/**
 * In-process A/B of EVALSHA through the whole server (no sockets): another copy of `src/`
 * (the base, e.g. an earlier commit) against this checkout's, both loaded in one process and
 * run in interleaved rounds (the order alternating). It measures the process's CPU time
 * (`process.cpuUsage`), which other processes on a shared machine disturb less than wall
 * time, and prints per case the median of the per-round ratios new/base. Cases: one INCR
 * per script at -P 1 and -P 16, a script of 100 INCRs (the per-call cost of `redis.call`),
 * and the BullMQ-sized job script.
 *
 * ```sh
 * mkdir -p /tmp/base && git archive HEAD~1 src | tar -x -C /tmp/base
 * echo '{"type":"module"}' > /tmp/base/package.json
 * node --import tsx bench/scripting/ab.ts /tmp/base [rounds]
 * npx deno run -A bench/scripting/ab.ts /tmp/base
 * npx bun bench/scripting/ab.ts /tmp/base
 * ```
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import type { TransportHandler } from "../../src/server/transport.ts";
import { jobArgs } from "./job_args.ts";

interface Side {
  handler: TransportHandler;
  shas: Record<string, string>;
  last(): string;
}

const SCRIPTS: Record<string, string> = {
  incr: "return redis.call('INCR', KEYS[1])",
  loop: "local n = 0 for i = 1, 100 do n = n + redis.call('INCR', KEYS[1]) end return n",
  job: readFileSync(new URL("./job_script.lua", import.meta.url), "utf8"),
};

const encoder = new TextEncoder();
function frame(args: string[]): string {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
  return text;
}

/** A server built from the `src/` under `root`, with the scripts loaded. */
async function side(root: URL): Promise<Side> {
  const { Keyspace } = await import(new URL("src/kv/keyspace/keyspace.ts", root).href);
  const { registerKeyValueCommands } = await import(new URL("src/kv/mod.ts", root).href);
  const { Server } = await import(new URL("src/server/server.ts", root).href);
  const server = new Server();
  registerKeyValueCommands(server, new Keyspace({ sweepInterval: 0 }));
  let last = "";
  const handler: TransportHandler = server.accept({
    remoteAddress: "127.0.0.1:50000",
    localAddress: "127.0.0.1:6379",
    write(bytes: Uint8Array): boolean {
      if (bytes.length < 200) last = new TextDecoder().decode(bytes);
      return true;
    },
    pause() {},
    resume() {},
    close() {},
  });
  const shas: Record<string, string> = {};
  for (const [name, body] of Object.entries(SCRIPTS)) {
    handler.receive(encoder.encode(frame(["SCRIPT", "LOAD", body])));
    shas[name] = last.split("\r\n")[1];
  }
  return { handler, shas, last: () => last };
}

const argv = process.argv.slice(2);
if (argv.length === 0) {
  console.error("usage: bench/scripting/ab.ts <root of the base copy> [rounds]");
  process.exit(2);
}
const baseRoot = new URL(argv[0].endsWith("/") ? argv[0] : argv[0] + "/", "file:///");
const rounds = Number(argv[1] ?? 15);
const sides = { base: await side(baseRoot), new: await side(new URL("../../", import.meta.url)) };

const key = (i: number) => `counter:${String((i * 7919) % 100000).padStart(12, "0")}`;
const cases: Array<
  { name: string; make: (s: Side, i: number) => string[]; pipeline: number; n: number }
> = [
  {
    name: "incr -P 1",
    make: (s, i) => ["EVALSHA", s.shas.incr, "1", key(i)],
    pipeline: 1,
    n: 40000,
  },
  {
    name: "incr -P 16",
    make: (s, i) => ["EVALSHA", s.shas.incr, "1", key(i)],
    pipeline: 16,
    n: 40000,
  },
  {
    name: "100 calls -P 16",
    make: (s, i) => ["EVALSHA", s.shas.loop, "1", key(i)],
    pipeline: 16,
    n: 2000,
  },
  {
    name: "job -P 16",
    make: (s, i) => jobArgs(s.shas.job, key(i), '{"user":42}'),
    pipeline: 16,
    n: 8000,
  },
];

const times = new Map<string, { base: number[]; new: number[] }>();
for (let round = 0; round < rounds; round++) {
  for (const test of cases) {
    const entry = times.get(test.name) ?? { base: [], new: [] };
    times.set(test.name, entry);
    for (const name of round % 2 === 0 ? ["base", "new"] as const : ["new", "base"] as const) {
      const s = sides[name];
      const chunks: Uint8Array[] = [];
      let k = 0;
      for (let c = 0; c < test.n / test.pipeline; c++) {
        let text = "";
        for (let p = 0; p < test.pipeline; p++) text += frame(test.make(s, k++));
        chunks.push(encoder.encode(text));
      }
      const before = process.cpuUsage();
      for (const chunk of chunks) s.handler.receive(chunk);
      const used = process.cpuUsage(before);
      entry[name].push(((used.user + used.system) * 1e3) / test.n);
      if (s.last().startsWith("-")) console.log(name, "error reply:", s.last());
    }
  }
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1];
const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
console.log(`scripting A/B on ${runtime}, ${rounds} rounds (CPU ns per command)`);
for (const [name, { base, new: now }] of times) {
  const ratios = base.map((b, i) => now[i] / b);
  console.log(
    `${name.padEnd(16)} base ${median(base).toFixed(0).padStart(7)}  new ${
      median(now).toFixed(0).padStart(7)
    }  new/base median ${median(ratios).toFixed(3)}`,
  );
}
