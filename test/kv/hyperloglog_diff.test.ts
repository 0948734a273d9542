/**
 * Differential tests of PFADD, PFCOUNT, PFMERGE and PFDEBUG against redis-server 7.0 (RESP2
 * and RESP3): the HLL strings themselves (GET) must be Redis's bytes after every step —
 * sparse opcodes, promotion to dense, cached cardinality — and every count Redis's number.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";
import { batch, type Line, prng } from "./bitmaps_batch.ts";

const enc = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const header = (encoding: number, rest: number[]): Uint8Array =>
  Uint8Array.from([72, 89, 76, 76, encoding, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, ...rest]);

/** A valid dense HLL string with registers 0..5 set to 40, 1, 63, 20, 33, 2. */
function denseWithLargeRegisters(): Uint8Array {
  const bytes = new Uint8Array(12304);
  bytes.set(header(0, []));
  const values = [40, 1, 63, 20, 33, 2];
  // Six-bit registers, little-endian bit order from byte 16.
  let acc = 0n;
  values.forEach((v, i) => acc |= BigInt(v) << BigInt(6 * i));
  for (let i = 0; i < 5; i++) bytes[16 + i] = Number((acc >> BigInt(8 * i)) & 0xffn);
  return bytes;
}

const EDGES: Line[] = [
  ["PFADD", "h", "a", "b", "c"],
  ["GET", "h"],
  ["PFCOUNT", "h"],
  ["GET", "h"],
  ["PFADD", "h"],
  ["PFADD", "h", "a"],
  ["PFADD", "empty"],
  ["GET", "empty"],
  ["PFCOUNT", "empty"],
  ["PFCOUNT", "nokey"],
  ["PFCOUNT", "h", "nokey", "empty"],
  ["PFDEBUG", "ENCODING", "h"],
  ["PFDEBUG", "DECODE", "h"],
  ["PFDEBUG", "encoding", "nokey"],
  ["PFDEBUG", "FOO", "h"],
  ["PFDEBUG", "FOO", "nokey"],
  ["PFDEBUG", "TODENSE", "h"],
  ["PFDEBUG", "TODENSE", "h"],
  ["PFDEBUG", "ENCODING", "h"],
  ["PFDEBUG", "DECODE", "h"],
  ["PFCOUNT", "h"],
  ["GET", "h"],
  ["PFADD", "h", "d", "e"],
  ["PFCOUNT", "h"],
  ["GET", "h"],
  ["PFMERGE", "m", "h", "empty", "nokey"],
  ["GET", "m"],
  ["PFMERGE", "m2", "empty", "nokey"],
  ["GET", "m2"],
  ["PFMERGE", "m3"],
  ["GET", "m3"],
  ["PFCOUNT", "m", "m2", "m3"],
  ["SET", "str", "hello"],
  ["PFADD", "str", "a"],
  ["PFCOUNT", "str"],
  ["PFCOUNT", "h", "str"],
  ["PFMERGE", "str", "h"],
  ["PFMERGE", "h", "str"],
  ["PFDEBUG", "GETREG", "str"],
  ["LPUSH", "list", "x"],
  ["PFADD", "list", "a"],
  ["PFCOUNT", "list"],
  ["PFCOUNT", "h", "list"],
  ["PFMERGE", "list", "h"],
  ["PFDEBUG", "ENCODING", "list"],
  ["SET", "badenc", header(2, [0x7f, 0xff])],
  ["PFCOUNT", "badenc"],
  ["SET", "shortdense", header(0, [0, 0, 0])],
  ["PFCOUNT", "shortdense"],
  ["SET", "badsparse", header(1, [0x7f, 0xf0])],
  ["PFCOUNT", "badsparse"],
  ["PFCOUNT", "badsparse", "h"],
  ["PFADD", "badsparse", "a", "b"],
  ["PFMERGE", "x", "badsparse"],
  ["PFDEBUG", "TODENSE", "badsparse"],
  ["PFDEBUG", "GETREG", "badsparse"],
  ["PFDEBUG", "DECODE", "badsparse"],
  ["SET", "overflow", header(1, [0x7f, 0xff, 0x83])],
  ["PFCOUNT", "overflow"],
  ["PFDEBUG", "TODENSE", "overflow"],
  ["SET", "cached", enc("HYLL\x01\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\x7f\xff")],
  ["PFCOUNT", "cached"],
  ["SET", "large", denseWithLargeRegisters()],
  ["PFCOUNT", "large"],
  ["GET", "large"],
  ["PFMERGE", "fromlarge", "h", "large"],
  ["GET", "fromlarge"],
  ["PFCOUNT", "fromlarge", "h"],
  ["PFMERGE", "sparse2", "h"],
  ["PFADD", "sparse2", "zz"],
  ["PFMERGE", "sparse2", "large"],
  ["PFDEBUG", "ENCODING", "sparse2"],
  ["GET", "sparse2"],
  ["PFADD", "ttl", "a"],
  ["EXPIRE", "ttl", "100"],
  ["PFADD", "ttl", "b"],
  ["PFCOUNT", "ttl"],
  ["TTL", "ttl"],
  ["PFADD"],
  ["PFCOUNT"],
  ["PFMERGE"],
  ["PFDEBUG", "GETREG"],
];

describe("kv HyperLogLog vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it("edges, errors, corrupted values, PFDEBUG", () =>
        fx.check(protocol, (d) => batch(d, EDGES)));

      it("sparse growth to dense: the same bytes after every PFADD", () =>
        fx.check(protocol, async (d) => {
          const lines: Line[] = [];
          for (let i = 0; i < 2200; i += 1 + (i >> 6)) {
            const elements: string[] = [];
            for (let k = 0; k <= i >> 6; k++) elements.push(`e${i}-${k}`);
            lines.push(["PFADD", "grow", ...elements], ["GET", "grow"]);
            if (i % 7 === 0) lines.push(["PFCOUNT", "grow"], ["PFDEBUG", "ENCODING", "grow"]);
          }
          lines.push(["PFDEBUG", "GETREG", "grow"], ["PFCOUNT", "grow"]);
          await batch(d, lines, 100);
        }));

      it("seeded random PFADD/PFMERGE/PFCOUNT sequences", () =>
        fx.check(protocol, async (d) => {
          const rand = prng(protocol * 104729);
          const int = (n: number) => Math.floor(rand() * n);
          const keys = ["h1", "h2", "h3", "h4"];
          const lines: Line[] = [];
          for (let i = 0; i < 1500; i++) {
            const key = keys[int(4)];
            const r = int(10);
            if (r < 6) {
              const elements: string[] = [];
              const n = rand() < 0.1 ? 200 : 1 + int(8);
              for (let k = 0; k < n; k++) elements.push(String(int(rand() < 0.5 ? 500 : 1e6)));
              lines.push(["PFADD", key, ...elements]);
            } else if (r === 6) lines.push(["PFMERGE", key, keys[int(4)], keys[int(4)]]);
            else if (r === 7) lines.push(["PFCOUNT", key]);
            else if (r === 8) lines.push(["PFCOUNT", key, keys[int(4)], "nokey"]);
            else lines.push(["GET", key]);
          }
          for (const key of keys) lines.push(["GET", key], ["PFCOUNT", key], ["GET", key]);
          await batch(d, lines, 100);
        }));

      it("a value Redis wrote counts the same here", () =>
        fx.check(protocol, async (d) => {
          const elements: string[] = [];
          for (let i = 0; i < 5000; i++) elements.push(`redis-${i}`);
          await d.oracle.call("PFADD", "r", ...elements.slice(0, 300));
          const sparse = await d.oracle.call("GET", "r");
          await d.oracle.call("PFADD", "r", ...elements);
          const dense = await d.oracle.call("GET", "r");
          assert.ok(typeof sparse === "string" && typeof dense === "string");
          await batch(d, [
            ["SET", "s", enc(sparse)],
            ["SET", "d", enc(dense)],
            ["PFCOUNT", "s"],
            ["PFCOUNT", "d"],
            ["PFCOUNT", "s", "d"],
            ["PFADD", "s", "one-more"],
            ["GET", "s"],
            ["PFMERGE", "s", "d"],
            ["GET", "s"],
            ["PFCOUNT", "s"],
          ]);
        }));
    });
  }
});
