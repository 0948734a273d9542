/**
 * Seeded fuzzing of a live server with damaged request streams (see helpers/fuzz.ts).
 * Asserts: no uncaught exception and no hang; every valid request before the damage gets its
 * exact reply; a protocol error is answered `-ERR Protocol error: ...` as the last reply and
 * the connection is closed; the output does not depend on how the input was chunked (in
 * memory and over TCP); other clients are unaffected; connections are all released; and, with
 * redis-server installed, the reply bytes equal Redis's for the same input.
 * Replay a failure with FUZZ_SEED=<seed printed>.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Server } from "../../src/server/server.ts";
import { serve } from "../../adapters/serve.ts";
import type { RunningServer } from "../../adapters/common.ts";
import { ReplyDecoder } from "../../src/resp/reply_decoder.ts";
import { ReplyError } from "../../src/resp/types.ts";
import { connect } from "../helpers/memory_transport.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";
import { oracleSkip, startOracle } from "../helpers/redis_oracle.ts";
import {
  concatBytes,
  fuzzIterations,
  fuzzSeed,
  isProtocolErrorText,
  mutate,
  randomChunks,
  randomStream,
  Rng,
  show,
} from "../helpers/fuzz.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const unhandled: unknown[] = [];
const onUnhandled = (error: unknown) => void unhandled.push(error);
process.on("uncaughtException", onUnhandled);
process.on("unhandledRejection", onUnhandled);
after(() => {
  process.off("uncaughtException", onUnhandled);
  process.off("unhandledRejection", onUnhandled);
});

interface Case {
  bytes: Uint8Array;
  damageAt: number;
  expectedPrefix: Uint8Array;
  label: string;
}

function makeCase(rng: Rng, seed: number, i: number, maxBytes = Infinity): Case {
  for (;;) {
    const stream = randomStream(rng, 1 + rng.int(10));
    const m = rng.chance(0.1)
      ? { bytes: stream.bytes, at: stream.bytes.length, kind: "none" }
      : mutate(rng, stream.bytes);
    if (m.bytes.length > maxBytes) continue;
    const intact = stream.requests.filter((_, k) => stream.ends[k] <= m.at);
    return {
      bytes: m.bytes,
      damageAt: m.at,
      expectedPrefix: concatBytes(intact.map((r) => r.reply)),
      label: `case ${i} (seed ${seed}, ${m.kind} at ${m.at}): ${show(m.bytes)}`,
    };
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Checks an output stream: well-formed, a protocol error only last and only with a close. */
function checkOutput(output: Uint8Array, closed: boolean, label: string): void {
  const decoder = new ReplyDecoder({ bulkAsString: true });
  decoder.feed(output);
  const replies = [];
  for (let v = decoder.next(); v !== undefined; v = decoder.next()) replies.push(v);
  const last = replies[replies.length - 1];
  for (let k = 0; k < replies.length; k++) {
    const r = replies[k];
    if (r instanceof ReplyError && r.message.startsWith("ERR Protocol error")) {
      assert.equal(k, replies.length - 1, `protocol error not last — ${label}`);
      assert.ok(isProtocolErrorText(r.message.slice(4)), `${r.message} — ${label}`);
      assert.ok(closed, `protocol error without close — ${label}`);
    }
  }
  void last;
}

/** The reference output: a fresh in-memory connection fed the whole input in one chunk. */
function reference(server: Server, bytes: Uint8Array): { output: Uint8Array; closed: boolean } {
  const t = connect(server);
  t.send(bytes.slice());
  const output = concatBytes(t.writes);
  const closed = t.closeCalled;
  t.reportClosed();
  return { output, closed };
}

describe("fuzz: live server", () => {
  it("in memory: prefix replies exact, protocol error last + close, chunking-independent", () => {
    const seed = fuzzSeed("server in memory");
    const rng = new Rng(seed);
    const server = new Server();
    const bystander = connect(server, 1);
    const iterations = fuzzIterations(1200);
    const started = Date.now();
    let protocolErrors = 0;
    for (let i = 0; i < iterations; i++) {
      const c = makeCase(rng, seed, i);
      const ref = reference(server, c.bytes);
      assert.ok(
        startsWith(ref.output, c.expectedPrefix),
        `prefix — ${c.label}\n${show(ref.output)}`,
      );
      checkOutput(ref.output, ref.closed, c.label);
      if (ref.closed) protocolErrors++;
      if (c.bytes.length < 60 * 1024) {
        const t = connect(server);
        for (const chunk of randomChunks(rng, c.bytes)) {
          if (t.closeCalled) break;
          t.send(chunk);
        }
        assert.equal(show(concatBytes(t.writes), 1 << 20), show(ref.output, 1 << 20), c.label);
        assert.equal(t.closeCalled, ref.closed, c.label);
        t.reportClosed();
      }
      if (i % 50 === 0) {
        bystander.send(`ECHO b${i}\r\n`);
        assert.deepEqual(bystander.replies(), [`b${i}`]);
      }
    }
    assert.equal(server.connections.size, 1, "every fuzzed connection was released");
    assert.deepEqual(unhandled, []);
    console.log(
      `[fuzz] server in memory: ${iterations} cases, ${protocolErrors} closed, ${
        Date.now() - started
      } ms`,
    );
  });

  it("over TCP: same bytes as in memory, bystander unaffected, connections released", async () => {
    const seed = fuzzSeed("server over TCP");
    const rng = new Rng(seed);
    const refServer = new Server();
    const running: RunningServer = await serve({ port: 0 });
    const port = running.address.transport === "tcp" ? running.address.port : 0;
    const clients: RawClient[] = [];
    let stop = false;
    let bystanderLoop: Promise<void> = Promise.resolve();
    try {
      const bystander = await connectClient({ port });
      clients.push(bystander);
      let bystanderRounds = 0;
      bystanderLoop = (async () => {
        while (!stop) {
          const n = bystanderRounds++;
          bystander.send("ECHO", `x${n}`);
          bystander.send("PING");
          assert.deepEqual(await bystander.read(2), [`x${n}`, "PONG"]);
          await sleep(2);
        }
      })();
      const iterations = fuzzIterations(120);
      const started = Date.now();
      let next = 0;
      const worker = async () => {
        while (next < iterations) {
          const i = next++;
          const c = makeCase(rng, seed, i, 60 * 1024);
          const ref = reference(refServer, c.bytes);
          const client = await connectClient({ port });
          clients.push(client);
          for (const chunk of atMost(randomChunks(rng, c.bytes), 200)) {
            if (client.closed) break;
            client.write(chunk);
            if (rng.chance(0.05)) await sleep(1);
          }
          await quiet(client, ref.closed, ref.output.length);
          assert.equal(show(client.allBytes(), 1 << 20), show(ref.output, 1 << 20), c.label);
          assert.equal(client.closed, ref.closed, c.label);
          client.destroy();
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      stop = true;
      await bystanderLoop;
      const deadline = Date.now() + 3000;
      while (running.server.connections.size > 1 && Date.now() < deadline) await sleep(10);
      assert.equal(running.server.connections.size, 1, "only the bystander is left");
      assert.deepEqual(unhandled, []);
      console.log(
        `[fuzz] server over TCP: ${iterations} cases, bystander ${bystanderRounds} rounds ok, ${
          Date.now() - started
        } ms`,
      );
    } finally {
      stop = true;
      await bystanderLoop.catch(() => {}); // its failure is reported above if it matters
      for (const c of clients) c.destroy();
      await running.close();
    }
  });

  it("matches redis-server byte for byte on damaged ECHO/PING streams", {
    skip: oracleSkip,
  }, async () => {
    const seed = fuzzSeed("server vs redis-server");
    const rng = new Rng(seed);
    const oracle = await startOracle();
    const refServer = new Server();
    const clients: RawClient[] = [];
    try {
      const iterations = fuzzIterations(150);
      let next = 0;
      const mismatches: string[] = [];
      const worker = async () => {
        while (next < iterations) {
          const i = next++;
          const c = makeCase(rng, seed, i, 60 * 1024);
          const ref = reference(refServer, c.bytes);
          const client = await connectClient(oracle.target);
          clients.push(client);
          client.write(c.bytes);
          await quiet(client, ref.closed, ref.output.length);
          const redis = client.allBytes();
          if (show(redis, 1 << 20) !== show(ref.output, 1 << 20) || client.closed !== ref.closed) {
            mismatches.push(
              `${c.label}\n  redis (closed ${client.closed}): ${
                show(redis)
              }\n  ours  (closed ${ref.closed}): ${show(ref.output)}`,
            );
          }
          client.destroy();
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
      console.log(`[fuzz] vs redis-server: ${iterations} cases, ${mismatches.length} mismatches`);
      assert.deepEqual(mismatches.slice(0, 3), []);
    } finally {
      for (const c of clients) c.destroy();
      await oracle.stop();
    }
  });
});

/** Merges chunks so that there are at most `max` writes. */
function atMost(chunks: Uint8Array[], max: number): Uint8Array[] {
  if (chunks.length <= max) return chunks;
  const per = Math.ceil(chunks.length / max);
  const out: Uint8Array[] = [];
  for (let i = 0; i < chunks.length; i += per) out.push(concatBytes(chunks.slice(i, i + per)));
  return out;
}

/**
 * Waits until the peer closed (when a close is expected), or until `expected` bytes arrived
 * and nothing more came for a short while; bounded either way.
 */
async function quiet(client: RawClient, expectClose: boolean, expected = 0): Promise<void> {
  const deadline = Date.now() + (expectClose ? 3000 : 2000);
  let seen = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    if (client.closed) return;
    const size = client.allBytes().length;
    if (size !== seen) {
      seen = size;
      stableSince = Date.now();
    } else if (!expectClose && size >= expected && Date.now() - stableSince >= 30) return;
    await sleep(5);
  }
}
