/**
 * Differential tests of the string encodings Redis 7.0 reports after every writing string
 * command (OBJECT ENCODING, RESP2 and RESP3): `int`/`embstr`/`raw` from SET and its family,
 * `raw` after in-place edits (APPEND, SETRANGE, SETBIT, BITFIELD, BITOP's result, PFADD and
 * PFCOUNT), INCRBYFLOAT's never-`int` result, what INCR and the SET family leave; and
 * OBJECT IDLETIME after RESTORE ... IDLETIME against redis-server.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

type Step = readonly string[];

/** Each case: commands run on both servers, then OBJECT ENCODING of `k` compared. */
const CASES: ReadonlyArray<readonly Step[]> = [
  [["SET", "k", "12"]],
  [["SET", "k", "12"], ["APPEND", "k", "3"]],
  [["SET", "k", "12"], ["APPEND", "k", ""]],
  [["SET", "k", "ab"], ["APPEND", "k", ""]],
  [["APPEND", "k", "12"]],
  [["APPEND", "k", "abc"]],
  [["APPEND", "k", "x".repeat(50)]],
  [["SET", "k", "abc"], ["APPEND", "k", "d"]],
  [["SET", "k", "1234"], ["SETRANGE", "k", "0", "5"]],
  [["SET", "k", "1234"], ["SETRANGE", "k", "1", ""]],
  [["SET", "k", "abcd"], ["SETRANGE", "k", "10", ""]],
  [["SETRANGE", "k", "0", "12"]],
  [["SETRANGE", "k", "3", "ab"]],
  [["SETRANGE", "k", "0", ""]],
  [["SET", "k", "1234"], ["SETBIT", "k", "1", "0"]],
  [["SET", "k", "1234"], ["SETBIT", "k", "100", "1"]],
  [["SETBIT", "k", "7", "1"]],
  [["SET", "k", "1234"], ["GETBIT", "k", "1"]],
  [["SET", "k", "1234"], ["BITCOUNT", "k"]],
  [["SET", "k", "1234"], ["BITFIELD", "k", "GET", "u8", "0"]],
  [["SET", "k", "1234"], ["BITFIELD_RO", "k", "GET", "u8", "0"]],
  [["SET", "k", "1234"], ["BITFIELD", "k", "SET", "u8", "0", "49"]],
  [["SET", "k", "1234"], ["BITFIELD", "k", "INCRBY", "u8", "0", "0"]],
  [["SET", "k", "1234"], ["BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"]],
  [["BITFIELD", "k", "SET", "i8", "0", "49"]],
  [["SET", "a", "12"], ["BITOP", "OR", "k", "a"]],
  [["SET", "a", "abc"], ["BITOP", "NOT", "k", "a"]],
  [["SET", "a", "12"], ["SET", "k", "1"], ["BITOP", "AND", "k", "a", "nokey"]],
  [["SET", "k", "10"], ["INCR", "k"]],
  [["SET", "k", "99"], ["INCR", "k"]],
  [["SET", "k", "1234"], ["SETRANGE", "k", "0", "5"], ["INCR", "k"]],
  [["SET", "k", "1234"], ["SETRANGE", "k", "0", "5"], ["INCRBY", "k", "1000"]],
  [["SET", "k", "10"], ["INCRBYFLOAT", "k", "1"]],
  [["SET", "k", "10"], ["INCRBYFLOAT", "k", "0.5"]],
  [["INCRBYFLOAT", "k", "3"]],
  [["INCRBYFLOAT", "k", "1e30"]],
  [["SET", "k", "10"], ["INCRBYFLOAT", "k", "1"], ["INCR", "k"]],
  [["SET", "k", "10"], ["INCRBYFLOAT", "k", "1"], ["DECRBY", "k", "1"]],
  [["SET", "k", "10"], ["INCRBYFLOAT", "k", "1"], ["SETRANGE", "k", "0", "9"]],
  [["SET", "k", "ab"], ["SETRANGE", "k", "0", "1"], ["SET", "k", "12"]],
  [["SET", "k", "ab"], ["SETRANGE", "k", "0", "1"], ["GETSET", "k", "12"]],
  [["SET", "k", "ab"], ["SETRANGE", "k", "0", "1"], ["SET", "k", "12", "KEEPTTL"]],
  [["SET", "k", "ab"], ["SETRANGE", "k", "0", "1"], ["MSET", "k", "12", "j", "x"]],
  [["SET", "k", "ab"], ["SETRANGE", "k", "0", "1"], ["GETEX", "k", "EX", "100"]],
  [["SET", "k", "ab"], ["SETRANGE", "k", "0", "1"], ["EXPIRE", "k", "100"]],
  [["SET", "k", "ab"], ["SETRANGE", "k", "0", "1"], ["GETRANGE", "k", "0", "1"]],
  [["SETEX", "k", "100", "5"]],
  [["PSETEX", "k", "100000", "abc"]],
  [["SETNX", "k", "5"]],
  [["MSETNX", "k", "5", "j", "x".repeat(45)]],
  [["SET", "k", "x".repeat(45)]],
  [["SET", "k", "x".repeat(40)], ["APPEND", "k", "x".repeat(10)]],
  [["PFADD", "k"]],
  [["PFADD", "k", "a", "b"]],
  [["PFADD", "h", "a"], ["PFMERGE", "k", "h"]],
  [["PFADD", "h", "a"], ["DUMP", "h"]],
  // RENAME and MOVE move Redis's object, COPY duplicates it: raw, embstr and int stay.
  ...[
    [["SET", "a", "abc"], ["APPEND", "a", "d"]],
    [["SET", "a", "12"], ["APPEND", "a", "3"]],
    [["SET", "a", "12"], ["SETRANGE", "a", "0", "3"]],
    [["SET", "a", "12"]],
    [["SET", "a", "abc"]],
    [["SET", "a", "x".repeat(50)]],
    [["SET", "a", "10"], ["INCRBYFLOAT", "a", "1"]],
  ].flatMap((made): Step[][] => [
    [...made, ["RENAME", "a", "k"]],
    [...made, ["SET", "k", "1"], ["RENAME", "a", "k"]],
    [...made, ["RENAMENX", "a", "k"]],
    [...made, ["COPY", "a", "k"]],
    [...made, ["SET", "k", "1"], ["COPY", "a", "k", "REPLACE"]],
    [["SELECT", "1"], ...made, ["COPY", "a", "k", "DB", "0"], ["SELECT", "0"]],
    [["SELECT", "1"], ...made.map((step) => step.map((w) => w === "a" ? "k" : w)), [
      "MOVE",
      "k",
      "0",
    ], ["SELECT", "0"]],
  ]),
];

describe("kv string encodings vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("after every writing string command", async (d) => {
        for (const steps of CASES) {
          await d.both("FLUSHALL");
          for (const step of steps) await d.same(...step);
          await d.same("OBJECT", "ENCODING", "k");
          await d.same("GET", "k");
        }
      });

      run("PFCOUNT of one key leaves it raw (Redis unshares it)", async (d) => {
        await d.both("SET", "k", "x");
        await d.both("PFADD", "h", "a");
        const dump = await d.both("GET", "h");
        assert.ok(dump !== null);
        await d.same("SET", "k", dump as Uint8Array);
        await d.same("OBJECT", "ENCODING", "k");
        await d.same("PFCOUNT", "k");
        await d.same("OBJECT", "ENCODING", "k");
      });

      run("OBJECT IDLETIME after RESTORE ... IDLETIME", async (d) => {
        await d.both("SET", "src", "12");
        const payload = await d.both("DUMP", "src");
        for (const idle of ["0", "1000", "86400", "20000000", "1000000000000"]) {
          await d.same("RESTORE", `i${idle}`, "0", payload as Uint8Array, "IDLETIME", idle);
          // Both clocks are read at slightly different moments: within a second or two.
          const seen: number[] = [];
          await d.sameWith(
            (v) => {
              seen.push(Number(v));
              return typeof v;
            },
            "OBJECT",
            "IDLETIME",
            `i${idle}`,
          );
          assert.ok(Math.abs(seen[0] - seen[1]) <= 2, `IDLETIME ${idle}: ${seen}`);
          await d.same("OBJECT", "ENCODING", `i${idle}`);
        }
        await d.same("RESTORE", "f", "0", payload as Uint8Array, "FREQ", "7");
        await d.same("OBJECT", "IDLETIME", "f");
        await d.same("OBJECT", "FREQ", "f");
      });
    });
  }
});
