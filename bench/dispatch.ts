/**
 * In-process cost of one command through the whole server without sockets: decoder, router,
 * key-value handler and reply writer, fed pipelines of 16 commands the way redis-benchmark
 * `-P 16` sends them (one chunk per pipeline, one write per chunk). Runs on Node
 * (`node --import tsx bench/dispatch.ts`), Deno (`npx deno run -A bench/dispatch.ts`) and Bun
 * (`npx bun bench/dispatch.ts`); prints nanoseconds per command, best of a few rounds.
 *
 * It isolates the JavaScript cost that `bench/e2e.ts` measures together with the kernel's
 * socket work and the client: use it to compare changes to the hot path on each runtime
 * (`bench/dispatch_ab.ts` compares two checkouts in one process).
 * Tests: PING_MBULK, and SET/GET/INCR on one key (redis-benchmark without `-r`, as
 * bench/e2e.ts runs them), on 100,000 keys (`-r 100000`) and with 1 KiB values, the write
 * tests of the default suite and XADD. Optional arguments are test-name filters:
 * `node --import tsx bench/dispatch.ts incr get`.
 *
 * @module
 */
import { Keyspace } from "../src/kv/keyspace/keyspace.ts";
import { registerKeyValueCommands } from "../src/kv/mod.ts";
import { Server } from "../src/server/server.ts";
import {
  NullTransport,
  PIPELINE,
  pipelines,
  runtime,
  scriptArgs,
  selectTests,
  timeChunks,
} from "./lib/dispatch_cases.ts";

const server = new Server();
const keyspace = new Keyspace({ sweepInterval: 0 });
registerKeyValueCommands(server, keyspace);
const transport = new NullTransport();
transport.handler = server.accept(transport);

console.log(
  `rediserver dispatch benchmark on ${runtime} (ns per command, pipelines of ${PIPELINE})`,
);
for (const [name, make] of selectTests(scriptArgs)) {
  // Fresh chunks per round: the decoder may keep views of what it is fed.
  const rounds = 7;
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    best = Math.min(best, timeChunks(transport.handler, pipelines(make, 4096)));
  }
  console.log(`${name.padEnd(14)} ${best.toFixed(0).padStart(6)} ns`);
}
keyspace.close();
