/**
 * Differential tests of SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO
 * against redis-server 7.0 (RESP2 and RESP3): edge arguments and errors, then seeded random
 * sequences whose every reply and final value must be Redis's.
 */
import { after, before, describe, it } from "node:test";
import { oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";
import { batch, type Line, prng } from "./bitmaps_batch.ts";

const EDGES: Line[] = [
  ["SETBIT", "b", "7", "1"],
  ["SETBIT", "b", "7", "1"],
  ["SETBIT", "b", "7", "0"],
  ["SETBIT", "b", "100", "1"],
  ["GET", "b"],
  ["GETBIT", "b", "100"],
  ["GETBIT", "b", "101"],
  ["GETBIT", "b", "100000"],
  ["GETBIT", "nokey", "0"],
  ["SETBIT", "b", "-1", "1"],
  ["SETBIT", "b", "x", "1"],
  ["SETBIT", "b", "4294967296", "1"],
  ["SETBIT", "b", "4294967295", "2"],
  ["SETBIT", "b", "0", "2"],
  ["SETBIT", "b", "0", "-1"],
  ["SETBIT", "b", "0", "x"],
  ["SETBIT", "b", "0", ""],
  ["GETBIT", "b", "4294967296"],
  ["GETBIT", "b", "-1"],
  ["GETBIT", "b", "+1"],
  ["SET", "s", "foobar"],
  ["BITCOUNT", "s"],
  ["BITCOUNT", "s", "0", "0"],
  ["BITCOUNT", "s", "1", "1"],
  ["BITCOUNT", "s", "1", "-1"],
  ["BITCOUNT", "s", "-2", "-1"],
  ["BITCOUNT", "s", "-1", "-2"],
  ["BITCOUNT", "s", "5", "30", "BIT"],
  ["BITCOUNT", "s", "5", "30", "bit"],
  ["BITCOUNT", "s", "5", "30", "BYTE"],
  ["BITCOUNT", "s", "-9", "-1", "BIT"],
  ["BITCOUNT", "s", "0", "1000", "BIT"],
  ["BITCOUNT", "s", "0", "1", "BITS"],
  ["BITCOUNT", "s", "-1", "-2", "BITS"],
  ["BITCOUNT", "s", "0"],
  ["BITCOUNT", "s", "0", "1", "BIT", "x"],
  ["BITCOUNT", "s", "a", "1"],
  ["BITCOUNT", "s", "0", "9223372036854775807"],
  ["BITCOUNT", "s", "-9223372036854775808", "-9223372036854775807"],
  ["BITCOUNT", "nokey", "a", "b", "c"],
  ["BITPOS", "s", "1"],
  ["BITPOS", "s", "0"],
  ["BITPOS", "s", "2"],
  ["BITPOS", "s", "x"],
  ["BITPOS", "nokey", "1"],
  ["BITPOS", "nokey", "0"],
  ["BITPOS", "nokey", "2"],
  ["BITPOS", "s", "1", "2"],
  ["BITPOS", "s", "1", "2", "-1"],
  ["BITPOS", "s", "1", "7", "15", "BIT"],
  ["BITPOS", "s", "0", "7", "15", "BIT"],
  ["BITPOS", "s", "1", "7", "BIT"],
  ["BITPOS", "s", "1", "7", "15", "BITS"],
  ["BITPOS", "s", "1", "7", "15", "BIT", "x"],
  ["BITPOS", "s", "1", "a"],
  ["BITPOS", "s", "1", "0", "a"],
  ["SET", "ones", "\xff\xff\xff"],
  ["BITPOS", "ones", "0"],
  ["BITPOS", "ones", "0", "0"],
  ["BITPOS", "ones", "0", "0", "-1"],
  ["BITPOS", "ones", "0", "0", "-1", "BIT"],
  ["BITPOS", "ones", "0", "3", "5", "BIT"],
  ["BITPOS", "ones", "1", "3", "5", "BIT"],
  ["SET", "zeros", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"],
  ["BITPOS", "zeros", "1"],
  ["BITPOS", "zeros", "0"],
  ["BITPOS", "zeros", "1", "3", "-1", "BIT"],
  ["BITPOS", "zeros", "0", "3", "-1", "BIT"],
  ["SET", "empty", ""],
  ["BITPOS", "empty", "0"],
  ["BITPOS", "empty", "1"],
  ["BITCOUNT", "empty"],
  ["BITCOUNT", "empty", "0", "-1"],
  ["BITOP", "AND", "dest", "s", "b"],
  ["GET", "dest"],
  ["BITOP", "or", "dest", "s", "b", "nokey"],
  ["GET", "dest"],
  ["BITOP", "XOR", "dest", "s", "s"],
  ["GET", "dest"],
  ["BITOP", "NOT", "dest", "s"],
  ["GET", "dest"],
  ["BITOP", "NOT", "dest", "s", "b"],
  ["BITOP", "NAND", "dest", "s"],
  ["BITOP", "AND", "dest", "nokey", "nokey2"],
  ["EXISTS", "dest"],
  ["LPUSH", "list", "a"],
  ["BITOP", "AND", "dest", "s", "list"],
  ["SETBIT", "list", "0", "1"],
  ["GETBIT", "list", "0"],
  ["BITCOUNT", "list"],
  ["BITPOS", "list", "1"],
  ["BITFIELD", "list", "GET", "u8", "0"],
  ["BITFIELD_RO", "list", "GET", "u8", "0"],
  ["SET", "num", "12345"],
  ["GETBIT", "num", "2"],
  ["SETBIT", "num", "2", "1"],
  ["GET", "num"],
  ["SETBIT", "ttl", "1", "1"],
  ["EXPIRE", "ttl", "100"],
  ["SETBIT", "ttl", "1000", "1"],
  ["TTL", "ttl"],
  ["SETBIT", "b"],
  ["GETBIT", "b"],
  ["BITCOUNT"],
  ["BITOP", "AND", "x"],
];

const BITFIELD_EDGES: Line[] = [
  ["BITFIELD", "f"],
  ["BITFIELD", "f", "SET", "u8", "0", "255", "GET", "u8", "0", "GET", "i8", "0"],
  ["BITFIELD", "f", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1"],
  ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "10"],
  ["BITFIELD", "f", "OVERFLOW", "WRAP", "INCRBY", "i8", "#3", "200", "GET", "i8", "#3"],
  ["BITFIELD", "f", "SET", "i64", "0", "-9223372036854775808", "GET", "i64", "0"],
  ["BITFIELD", "f", "INCRBY", "i64", "0", "-1", "GET", "u63", "1"],
  ["BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1"],
  ["BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "9223372036854775807"],
  ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "9223372036854775807"],
  ["BITFIELD", "f", "SET", "u63", "3", "-1", "GET", "u63", "3"],
  ["BITFIELD", "f", "OVERFLOW", "SAT", "SET", "u63", "3", "-1", "GET", "u63", "3"],
  ["BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u4", "3", "16", "SET", "i4", "3", "-9"],
  ["BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i4", "3", "-9", "SET", "i4", "3", "8"],
  ["BITFIELD", "f", "SET", "u32", "#5", "4294967295", "INCRBY", "u32", "#5", "1"],
  ["BITFIELD", "f", "SET", "i33", "7", "-4294967296", "GET", "i33", "7", "GET", "u33", "7"],
  ["BITFIELD", "f", "INCRBY", "u63", "0", "-9223372036854775808"],
  ["BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "u63", "0", "-9223372036854775808"],
  ["BITFIELD", "f", "GET", "u64", "0"],
  ["BITFIELD", "f", "GET", "i65", "0"],
  ["BITFIELD", "f", "GET", "i0", "0"],
  ["BITFIELD", "f", "GET", "x8", "0"],
  ["BITFIELD", "f", "GET", "", "0"],
  ["BITFIELD", "f", "GET", "i8", "-1"],
  ["BITFIELD", "f", "GET", "i8", "#-1"],
  ["BITFIELD", "f", "GET", "i8", "#"],
  ["BITFIELD", "f", "GET", "i8", "4294967296"],
  ["BITFIELD", "f", "GET", "i8", "#536870912"],
  ["BITFIELD", "f", "GET", "i8"],
  ["BITFIELD", "f", "SET", "i8", "0"],
  ["BITFIELD", "f", "SET", "i8", "0", "x"],
  ["BITFIELD", "f", "OVERFLOW", "x", "GET", "i8", "0"],
  ["BITFIELD", "f", "OVERFLOW"],
  ["BITFIELD", "f", "FOO", "i8", "0"],
  ["BITFIELD", "f", "GET", "i8", "0", "GET", "u16", "1000000"],
  ["BITFIELD_RO", "f", "GET", "i8", "0", "GET", "u16", "#4"],
  ["BITFIELD_RO", "f", "SET", "i8", "0", "1"],
  ["BITFIELD_RO", "nokey", "GET", "i8", "0"],
  ["BITFIELD", "nokey", "GET", "i8", "0"],
  ["EXISTS", "nokey"],
  ["BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"],
  ["GET", "new"],
  ["GET", "f"],
];

/** A random command over a few small keys, arguments near the interesting boundaries. */
function randomLine(rand: () => number): Line {
  const int = (n: number) => Math.floor(rand() * n);
  const key = ["k1", "k2", "k3"][int(3)];
  const offset = () => String(int(rand() < 0.8 ? 96 : 2000));
  const range = () => String(int(40) - 20);
  switch (int(8)) {
    case 0:
      return ["SETBIT", key, offset(), String(int(2))];
    case 1:
      return ["GETBIT", key, offset()];
    case 2:
      return rand() < 0.3
        ? ["BITCOUNT", key]
        : ["BITCOUNT", key, range(), range(), rand() < 0.5 ? "BIT" : "BYTE"];
    case 3: {
      const bit = String(int(2));
      const r = int(4);
      if (r === 0) return ["BITPOS", key, bit];
      if (r === 1) return ["BITPOS", key, bit, range()];
      return ["BITPOS", key, bit, range(), range(), r === 2 ? "BIT" : "BYTE"];
    }
    case 4: {
      const op = ["AND", "OR", "XOR", "NOT"][int(4)];
      return op === "NOT"
        ? ["BITOP", op, key, ["k1", "k2", "k3"][int(3)]]
        : ["BITOP", op, key, "k1", "k2", "k3"];
    }
    case 5:
      return ["GET", key];
    default: {
      const line: (string | number)[] = [rand() < 0.2 ? "BITFIELD_RO" : "BITFIELD", key];
      for (let n = 1 + int(3); n > 0; n--) {
        const signed = rand() < 0.5;
        const bits = 1 + int(signed ? 64 : 63);
        const type = (signed ? "i" : "u") + bits;
        const at = rand() < 0.3 ? "#" + int(8) : offset();
        const big = () =>
          String(
            BigInt(Math.floor(rand() * 2 ** 53)) * (rand() < 0.5 ? -1n : 1n) *
              BigInt(1 + int(1024)),
          );
        const value = rand() < 0.5 ? String(int(300) - 150) : big();
        const r = int(4);
        if (r === 0) line.push("OVERFLOW", ["WRAP", "SAT", "FAIL"][int(3)]);
        else if (r === 1) line.push("GET", type, at);
        else line.push(r === 2 ? "SET" : "INCRBY", type, at, value);
      }
      return line;
    }
  }
}

describe("kv bitmaps vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it("SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP: edges and errors", () =>
        fx.check(protocol, (d) => batch(d, EDGES)));
      it("BITFIELD and BITFIELD_RO: types, overflow modes, # offsets, errors", () =>
        fx.check(protocol, (d) => batch(d, BITFIELD_EDGES)));
      it("seeded random sequences", () =>
        fx.check(protocol, async (d) => {
          const rand = prng(protocol * 7919);
          const lines: Line[] = [];
          for (let i = 0; i < 3000; i++) lines.push(randomLine(rand));
          lines.push(["GET", "k1"], ["GET", "k2"], ["GET", "k3"]);
          await batch(d, lines);
        }));
    });
  }
});
