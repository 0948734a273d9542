/**
 * Seeded fuzzing of the codec's decoders with valid streams that are then damaged (flipped,
 * dropped, repeated bytes, truncations, huge and negative lengths, deep nesting, quote damage,
 * NUL bytes), fed whole and in random chunks. Asserts: only ProtocolError is ever thrown (with
 * one of Redis's texts), nothing hangs, requests before the damage decode exactly, the result
 * does not depend on how the bytes were chunked, and a failed decoder stays failed.
 * Replay a failure with FUZZ_SEED=<seed printed>.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RequestDecoder } from "../../src/resp/request_decoder.ts";
import { ReplyDecoder } from "../../src/resp/reply_decoder.ts";
import { ProtocolError } from "../../src/resp/errors.ts";
import { encodeCommand, Writer } from "../../src/resp/writer.ts";
import {
  concatBytes,
  encodeValues,
  fuzzIterations,
  fuzzSeed,
  isProtocolErrorText,
  latin1Bytes,
  mutate,
  randomChunks,
  randomRequest,
  randomStream,
  randomValue,
  Rng,
  show,
} from "../helpers/fuzz.ts";

interface RequestOutcome {
  commands: string[];
  error: string | undefined;
  buffered: number;
}

const key = (argv: Uint8Array[]): string => argv.map((a) => show(a, 1 << 20)).join(" | ");

/**
 * Decodes `chunks` with a fresh decoder, calling next() after every `drainEvery` chunks (the
 * decoder then holds several chunks at once) and after the last.
 */
function decodeRequests(
  chunks: Uint8Array[],
  authenticated = true,
  drainEvery = 1,
): RequestOutcome {
  const decoder = new RequestDecoder();
  decoder.authenticated = authenticated;
  const commands: string[] = [];
  let error: string | undefined;
  let calls = 0;
  outer: for (let c = 0; c < chunks.length; c++) {
    decoder.feed(chunks[c]);
    if ((c + 1) % drainEvery !== 0 && c + 1 < chunks.length) continue;
    for (;;) {
      if (++calls > 1_000_000) throw new Error("next() does not make progress");
      let argv: Uint8Array[] | undefined;
      try {
        argv = decoder.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        error = e.message;
        break outer;
      }
      if (argv === undefined) break;
      assert.ok(argv.length > 0, "an empty argv was returned");
      for (const a of argv) assert.ok(a instanceof Uint8Array);
      commands.push(key(argv));
    }
  }
  if (error !== undefined) {
    // A failed decoder stays failed.
    assert.throws(() => decoder.next(), ProtocolError);
  }
  // After an error the input left unread depends on where the chunks ended: not compared.
  return { commands, error, buffered: error === undefined ? decoder.bufferedBytes : -1 };
}

describe("fuzz: RequestDecoder", () => {
  it("damaged request streams: prefix exact, only protocol errors, chunking-independent", () => {
    const seed = fuzzSeed("request decoder");
    const rng = new Rng(seed);
    const iterations = fuzzIterations(1500);
    const started = Date.now();
    const kinds = new Map<string, number>();
    for (let i = 0; i < iterations; i++) {
      const stream = randomStream(rng, 1 + rng.int(12));
      const m = rng.chance(0.1)
        ? { bytes: stream.bytes, at: stream.bytes.length, kind: "none" }
        : mutate(rng, stream.bytes);
      const extra = rng.chance(0.3) ? mutate(rng, m.bytes) : undefined;
      const bytes = extra ? extra.bytes : m.bytes;
      const damageAt = extra ? Math.min(m.at, extra.at) : m.at;
      const context = () =>
        `case ${i} (seed ${seed}, ${m.kind}${extra ? "+" + extra.kind : ""} at ${damageAt}): ${
          show(bytes)
        }`;
      const whole = decodeRequests([bytes]);
      // Requests that end before the damage decode exactly as generated.
      const intact = stream.ends.filter((end) => end <= damageAt).length;
      for (let k = 0; k < intact; k++) {
        assert.equal(whole.commands[k], key(stream.requests[k].argv), context());
      }
      if (whole.error !== undefined) {
        assert.ok(isProtocolErrorText(whole.error), `${whole.error} — ${context()}`);
      }
      if (bytes.length < 60 * 1024) {
        // Below the inline limit the outcome cannot depend on read sizes.
        const chunked = decodeRequests(randomChunks(rng, bytes));
        assert.deepEqual(chunked, whole, context());
        const batched = decodeRequests(randomChunks(rng, bytes), true, 2 + rng.int(4));
        assert.deepEqual(batched, whole, `${context()} (several chunks per next())`);
      }
      kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
    }
    console.log(
      `[fuzz] request decoder: ${iterations} cases in ${Date.now() - started} ms, mutations ${
        JSON.stringify(Object.fromEntries(kinds))
      }`,
    );
  });

  it("large arguments in chunks of any size: the same commands, nothing left", () => {
    const seed = fuzzSeed("request decoder, large arguments");
    const rng = new Rng(seed);
    for (let i = 0; i < fuzzIterations(150); i++) {
      const argvs = Array.from({ length: 1 + rng.int(6) }, () => {
        const argv = randomRequest(rng, rng.chance(0.5) ? 100_000 : 3000).argv;
        if (rng.chance(0.3)) argv.push(new Uint8Array(32 * 1024 + rng.int(4096)).fill(120));
        return argv;
      });
      const bytes = concatBytes(argvs.map((argv) => encodeCommand(argv)));
      const expected = argvs.map(key);
      const maxChunk = rng.pick([8, 1100, 5000, 70000]);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length;) {
        const size = 1 + rng.int(maxChunk);
        chunks.push(bytes.slice(at, at + size));
        at += size;
      }
      const context = `case ${i} (seed ${seed}), chunks up to ${maxChunk}`;
      const outcome = decodeRequests(chunks, true, rng.chance(0.3) ? 2 + rng.int(3) : 1);
      assert.deepEqual(outcome, { commands: expected, error: undefined, buffered: 0 }, context);
    }
  });

  it("random bytes and huge headers: bounded memory, no up-front allocation", () => {
    const seed = fuzzSeed("request decoder, random bytes");
    const rng = new Rng(seed);
    for (let i = 0; i < fuzzIterations(300); i++) {
      const outcome = decodeRequests(randomChunks(rng, rng.bytes(rng.size(2048))));
      if (outcome.error) assert.ok(isProtocolErrorText(outcome.error), outcome.error);
    }
    // A header that claims 500 MB buffers only what arrived.
    const decoder = new RequestDecoder();
    decoder.feed(latin1Bytes("*2\r\n$3\r\nSET\r\n$524288000\r\n"));
    assert.equal(decoder.next(), undefined);
    decoder.feed(new Uint8Array(100_000));
    assert.equal(decoder.next(), undefined);
    const retained = (decoder as unknown as { retainedBytes?: number }).retainedBytes;
    if (retained !== undefined) assert.ok(retained < 1_000_000, `retains ${retained} bytes`);
    assert.ok(decoder.bufferedBytes < 1_000_000);
  });

  it("unauthenticated limits hold under fuzzing", () => {
    const seed = fuzzSeed("request decoder, unauthenticated");
    const rng = new Rng(seed);
    for (let i = 0; i < fuzzIterations(300); i++) {
      const count = rng.int(30);
      const size = rng.chance(0.5) ? rng.int(20000) : rng.int(100);
      const bytes = latin1Bytes(`*${count}\r\n$${size}\r\n`);
      const outcome = decodeRequests([bytes], false);
      if (count > 10) {
        assert.equal(outcome.error, "Protocol error: unauthenticated multibulk length");
      } else if (count > 0 && size > 16384) {
        assert.equal(outcome.error, "Protocol error: unauthenticated bulk length");
      } else assert.equal(outcome.error, undefined, `*${count} $${size}`);
    }
  });
});

describe("fuzz regressions: RequestDecoder", () => {
  // Found by the fuzzer (and confirmed against redis-server 7.0.15): an empty bulk length
  // "$\r\n" is "invalid bulk length" (string2ll fails on ""), whatever the chunking.
  for (
    const text of [
      "*1\r\n$\r\nPING\r\n",
      "*2\r\n$\r\neCHO\r\n$3\r\nabc\r\n",
      "*1\r\n$\r\n$4\r\nPINg\r\n",
      "*1\r\n$\r\r\nPiNG\r\n",
    ]
  ) {
    it(`rejects an empty bulk length: ${JSON.stringify(text)}`, () => {
      const bytes = latin1Bytes(text);
      assert.deepEqual(decodeRequests([bytes]), {
        commands: [],
        error: "Protocol error: invalid bulk length",
        buffered: -1,
      });
      assert.deepEqual(decodeRequests([...bytes].map((b) => new Uint8Array([b]))), {
        commands: [],
        error: "Protocol error: invalid bulk length",
        buffered: -1,
      });
    });
  }
});

describe("fuzz: ReplyDecoder", () => {
  function decodeReplies(
    chunks: Uint8Array[],
    drainEvery = 1,
  ): { values: string[]; error: string | undefined } {
    const decoder = new ReplyDecoder({ bulkAsString: true });
    const values: string[] = [];
    const writer = new Writer();
    writer.protocol = 3;
    let calls = 0;
    for (let c = 0; c < chunks.length; c++) {
      decoder.feed(chunks[c]);
      if ((c + 1) % drainEvery !== 0 && c + 1 < chunks.length) continue;
      for (;;) {
        if (++calls > 1_000_000) throw new Error("next() does not make progress");
        let value;
        try {
          value = decoder.next();
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          return { values, error: e.message };
        }
        if (value === undefined) break;
        writer.value(value);
        values.push(show(writer.take(), 1 << 20));
      }
    }
    return { values, error: undefined };
  }

  it("damaged reply streams: prefix exact, only protocol errors, chunking-independent", () => {
    const seed = fuzzSeed("reply decoder");
    const rng = new Rng(seed);
    const iterations = fuzzIterations(800);
    const started = Date.now();
    for (let i = 0; i < iterations; i++) {
      const values = Array.from({ length: 1 + rng.int(6) }, () => randomValue(rng));
      const { bytes: original, ends } = encodeValues(values);
      const m = mutate(rng, original);
      const context = () => `case ${i} (seed ${seed}, ${m.kind} at ${m.at}): ${show(m.bytes)}`;
      const whole = decodeReplies([m.bytes]);
      const expected = decodeReplies([original]);
      assert.equal(expected.error, undefined);
      assert.equal(expected.values.length, values.length);
      const intact = ends.filter((end) => end <= m.at).length;
      assert.deepEqual(whole.values.slice(0, intact), expected.values.slice(0, intact), context());
      if (m.bytes.length < 60 * 1024) {
        assert.deepEqual(decodeReplies(randomChunks(rng, m.bytes)), whole, context());
        assert.deepEqual(
          decodeReplies(randomChunks(rng, m.bytes), 2 + rng.int(4)),
          whole,
          `${context()} (several chunks per next())`,
        );
      }
    }
    console.log(`[fuzz] reply decoder: ${iterations} cases in ${Date.now() - started} ms`);
  });

  it("deep nesting is a protocol error, not a stack overflow", () => {
    for (const opener of ["*1\r\n", "%1\r\n", "~1\r\n", ">1\r\n", "|1\r\n", "*?\r\n"]) {
      const outcome = decodeReplies([latin1Bytes(opener.repeat(200_000))]);
      assert.ok(outcome.error !== undefined, `${opener.trim()} x 200000 must fail`);
    }
  });

  it("huge and negative lengths in replies: no allocation up front, no crash", () => {
    for (
      const text of [
        "$536870912\r\n",
        "$9223372036854775807\r\n",
        "$-2\r\n",
        "*-2\r\n",
        "*2147483648\r\n",
        "%4611686018427387904\r\n",
        "=-1\r\n",
        "!99999999999999999999\r\n",
        "$?\r\n;-1\r\n",
        ":99999999999999999999999999\r\n",
        ",1e99999\r\n",
        "(abc\r\n",
        "#x\r\n",
      ]
    ) {
      const outcome = decodeReplies([latin1Bytes(text), new Uint8Array(1000)]);
      assert.ok(outcome.values.length <= 2, text);
    }
  });
});
