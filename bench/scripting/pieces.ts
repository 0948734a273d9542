/**
 * In-process cost of each kind of operation the job script (`job_script.lua`) is made of:
 * `redis.call` of INCR, HGET and a six-field HSET, `cjson.decode/encode`, `cmsgpack.pack/unpack`,
 * `string.gmatch` with `string.upper`, a table constructor. Each is timed as an EVAL of a Lua loop
 * of 2000 of it, on another copy of `src/` (the base) and on this checkout's, in interleaved
 * rounds; it prints the median CPU time (`process.cpuUsage`) per iteration, loop included (the
 * `empty` line is the loop alone). Run both sides from clean trees: a working tree with other
 * changes in it measures those too.
 *
 * ```sh
 * git worktree add /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/node_modules
 * node --import tsx bench/scripting/pieces.ts /tmp/base [filter...]
 * ```
 *
 * @module
 */
import process from "node:process";
import type { TransportHandler } from "../../src/server/transport.ts";

const encoder = new TextEncoder();
let last = "";

function frame(args: string[]): string {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
  return text;
}

/** A server built from the `src/` under `root`. */
async function side(root: URL): Promise<TransportHandler> {
  const { Keyspace } = await import(new URL("src/kv/keyspace/keyspace.ts", root).href);
  const { registerKeyValueCommands } = await import(new URL("src/kv/mod.ts", root).href);
  const { Server } = await import(new URL("src/server/server.ts", root).href);
  const server = new Server();
  registerKeyValueCommands(server, new Keyspace({ sweepInterval: 0 }));
  return server.accept({
    remoteAddress: "127.0.0.1:50000",
    localAddress: "127.0.0.1:6379",
    write(bytes: Uint8Array): boolean {
      last = new TextDecoder().decode(bytes);
      return true;
    },
    pause() {},
    resume() {},
    close() {},
  });
}

const N = 2000;
const PIECES: Record<string, string> = {
  empty: "local x = 0",
  call_incr: "redis.call('INCR', KEYS[1])",
  call_hget: "redis.call('HGET', KEYS[2], 'f')",
  call_hset6: "redis.call('HSET', KEYS[3], 'name', 'n', 'data', '{\"user\":42}', 'opts', " +
    "'" + "x".repeat(43) + "', 'timestamp', '1700000000000', 'delay', 0, 'priority', 1)",
  cjson_decode: "local d = cjson.decode(ARGV[1])",
  cjson_encode: "local s = cjson.encode(T)",
  msgpack_pack: "local p = cmsgpack.pack(T)",
  msgpack_unpack: "local u = cmsgpack.unpack(P)",
  table_ctor: "local o = { attempts = 3, delay = 0, priority = 1, " +
    "backoff = { type = 'fixed', delay = 1000 } }",
  gmatch_upper: "local parts = {} for w in string.gmatch('counter:000000012345', '[^:]+') do " +
    "parts[#parts + 1] = string.upper(w) end",
};
const PRELUDE = "local T = { attempts = 3, delay = 0, priority = 1, " +
  "backoff = { type = 'fixed', delay = 1000 } } local P = cmsgpack.pack(T)\n";
const JOB_DATA = '{"user":42,"tags":["a","b"],"payload":"xxxxxxxxxxxxxxxx"}';

const argv = process.argv.slice(2);
if (argv.length === 0) {
  console.error("usage: bench/scripting/pieces.ts <root of the base copy> [filter...]");
  process.exit(2);
}
const baseRoot = new URL(argv[0].endsWith("/") ? argv[0] : argv[0] + "/", "file:///");
const filters = argv.slice(1);
const sides = { base: await side(baseRoot), new: await side(new URL("../../", import.meta.url)) };
const names = Object.keys(PIECES).filter((name) =>
  name === "empty" || filters.length === 0 || filters.some((f) => name.includes(f))
);

const times = new Map<string, number[]>();
for (let round = 0; round < 9; round++) {
  for (const name of names) {
    const script = PRELUDE + `for i = 1, ${N} do ${PIECES[name]} end return 1`;
    const request = encoder.encode(
      frame(["EVAL", script, "3", "k:counter", "k:hash", "k:job", JOB_DATA]),
    );
    for (const which of round % 2 === 0 ? ["base", "new"] as const : ["new", "base"] as const) {
      const handler = sides[which];
      handler.receive(request); // compiles the script and warms up
      const before = process.cpuUsage();
      for (let r = 0; r < 5; r++) handler.receive(request);
      const used = process.cpuUsage(before);
      if (!last.startsWith(":1")) console.log(which, name, "reply:", last);
      const key = `${which} ${name}`;
      times.set(key, [...(times.get(key) ?? []), ((used.user + used.system) * 1e3) / (5 * N)]);
    }
  }
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1];
const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
console.log(`scripting pieces on ${runtime}, 9 rounds (CPU ns per loop iteration)`);
for (const name of names) {
  const base = median(times.get(`base ${name}`)!);
  const now = median(times.get(`new ${name}`)!);
  console.log(
    `${name.padEnd(16)} base ${base.toFixed(0).padStart(6)}  new ${now.toFixed(0).padStart(6)}` +
      `  new/base ${(now / base).toFixed(2)}`,
  );
}
