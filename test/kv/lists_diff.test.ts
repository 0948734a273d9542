/**
 * Lists against redis-server 7.0 across our two list forms (packed while small, a deque past
 * 64 elements, 1 KiB or an element longer than 255 bytes): binary and long elements, every
 * reading and writing command, MEMORY USAGE and COPY, in RESP2 and RESP3 (DUMP: dump_diff).
 */
import { after, before, describe, it } from "node:test";
import { oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

type Arg = string | Uint8Array;

/** Bytes 0-255 in a pattern, `length` long. */
function binary(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7) & 255;
  return out;
}

/** The requests: each list is read and written on both sides of the form change. */
function cases(): Arg[][] {
  const out: Arg[][] = [];
  const push: Arg[] = ["RPUSH", "small"];
  for (let i = 0; i < 10; i++) push.push(i % 3 === 0 ? binary(i, i) : `e:${i}`);
  out.push(push);
  for (const key of ["small", "grown", "long"]) {
    if (key === "grown") {
      for (let i = 0; i < 80; i++) {
        out.push(["LPUSH", key, i % 5 === 0 ? binary(i % 7, i) : `${i}`]);
      }
    }
    if (key === "long") {
      out.push(["RPUSH", key, "a", binary(300, 1), "b", "-12", "9223372036854775807"]);
    }
    out.push(
      ["LRANGE", key, "0", "-1"],
      ["LRANGE", key, "3", "7"],
      ["LLEN", key],
      ["LINDEX", key, "1"],
      ["LINDEX", key, "-1"],
      ["MEMORY", "USAGE", key, "SAMPLES", "0"],
      ["LSET", key, "2", binary(20, 3)],
      ["LSET", key, "0", "x"],
      ["LINSERT", key, "BEFORE", "x", "before-x"],
      ["LINSERT", key, "AFTER", binary(20, 3), binary(270, 2)],
      ["LINSERT", key, "AFTER", "nope", "y"],
      ["LPOS", key, "x"],
      ["LPOS", key, binary(20, 3), "RANK", "-1", "COUNT", "0"],
      ["RPUSH", key, "x", "x", "y", "x"],
      ["LREM", key, "-2", "x"],
      ["LREM", key, "1", "x"],
      ["LREM", key, "0", "y"],
      ["LRANGE", key, "0", "-1"],
      ["COPY", key, `${key}-copy`],
      ["RPOP", `${key}-copy`],
      ["LRANGE", key, "0", "-1"],
      ["LRANGE", `${key}-copy`, "-5", "-1"],
      ["LPOP", key, "2"],
      ["RPOP", key, "2"],
      ["LMOVE", key, "moved", "RIGHT", "LEFT"],
      ["RPOPLPUSH", key, "moved"],
      ["LRANGE", "moved", "0", "-1"],
      ["LMPOP", "2", "nokey", key, "RIGHT", "COUNT", "3"],
      ["BLPOP", key, "0.01"],
      ["SORT", key, "ALPHA", "LIMIT", "0", "5"],
      ["LTRIM", key, "1", "-2"],
      ["LRANGE", key, "0", "-1"],
      ["OBJECT", "ENCODING", key],
      ["LTRIM", key, "5", "1"],
      ["EXISTS", key],
    );
  }
  return out;
}

describe("lists across their forms against redis-server", { skip: oracleSkip }, () => {
  const fixture = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    it(`every list command, RESP${protocol}`, async () => {
      const diff = await fixture.open(protocol);
      for (const args of cases()) await diff.same(...args);
    });
  }
});
