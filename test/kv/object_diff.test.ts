/**
 * Differential tests of OBJECT ENCODING | REFCOUNT | FREQ | IDLETIME | HELP against a real
 * redis-server 7.0, RESP2 and RESP3: the encodings of every type across Redis's conversion
 * thresholds, the one-way conversions, and the errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

const range = (n: number, f: (i: number) => string): string[] =>
  Array.from({ length: n }, (_, i) => f(i));

describe("kv OBJECT vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));
      const encoding = (d: Differential, key: string) => d.same("OBJECT", "ENCODING", key);

      run("string encodings and refcounts", async (d) => {
        const values = [
          "0",
          "1",
          "-1",
          "01",
          "+1",
          "-0",
          "9999",
          "10000",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775808",
          "1.5",
          "",
          " 1",
          "x".repeat(44),
          "x".repeat(45),
          "1".repeat(21),
        ];
        for (const [i, v] of values.entries()) {
          await d.both("SET", `s${i}`, v);
          await encoding(d, `s${i}`);
          await d.same("OBJECT", "REFCOUNT", `s${i}`);
        }
        await d.both("SET", "n", "10");
        await d.both("INCR", "n");
        await encoding(d, "n");
        await d.both("INCRBYFLOAT", "n", "0.5");
        await encoding(d, "n");
      });

      run("lists, sets, hashes, sorted sets, streams and conversions", async (d) => {
        await d.both("RPUSH", "l", "a", "1");
        await encoding(d, "l");
        await d.same("OBJECT", "REFCOUNT", "l");
        await d.both("SADD", "s", "1", "2", "-3");
        await encoding(d, "s");
        await d.both("SADD", "s", "x");
        await encoding(d, "s");
        await d.both("SREM", "s", "x");
        await encoding(d, "s");
        await d.both("SADD", "big", ...range(512, String));
        await encoding(d, "big");
        await d.both("SADD", "big", "512");
        await encoding(d, "big");
        await d.both("HSET", "h", "f", "v");
        await encoding(d, "h");
        await d.both("HSET", "h", "g", "v".repeat(65));
        await encoding(d, "h");
        await d.both("HDEL", "h", "g");
        await encoding(d, "h");
        await d.both("HSET", "h2", ...range(512, (i) => `f${i} v`).flatMap((s) => s.split(" ")));
        await encoding(d, "h2");
        await d.both("HSET", "h2", "one", "more");
        await encoding(d, "h2");
        await d.both("ZADD", "z", "1", "a");
        await encoding(d, "z");
        await d.both("ZADD", "z", "2", "m".repeat(65));
        await encoding(d, "z");
        await d.both("ZADD", "z2", ...range(128, (i) => `${i} m${i}`).flatMap((s) => s.split(" ")));
        await encoding(d, "z2");
        await d.both("ZADD", "z2", "1", "extra");
        await encoding(d, "z2");
        await d.both("ZADD", "z3", "1", "a", "2", "b");
        await d.both("SORT", "z3", "ALPHA");
        await encoding(d, "z3");
        await d.both("XADD", "st", "1-1", "f", "v");
        await encoding(d, "st");
      });

      run("CONFIG SET of the thresholds: conversions, aliases, errors, all or none", async (d) => {
        const params = [
          "hash-max-listpack-entries",
          "hash-max-listpack-value",
          "hash-max-ziplist-entries",
          "hash-max-ziplist-value",
          "zset-max-listpack-entries",
          "zset-max-listpack-value",
          "zset-max-ziplist-entries",
          "zset-max-ziplist-value",
          "set-max-intset-entries",
          "list-max-listpack-size",
          "list-max-ziplist-size",
          "list-compress-depth",
        ];
        // Redis 7.0's defaults, put back at the end: the thresholds are process-wide here.
        const defaults = [
          ...["hash-max-listpack-entries", "512", "hash-max-listpack-value", "64"],
          ...["zset-max-listpack-entries", "128", "zset-max-listpack-value", "64"],
          ...["set-max-intset-entries", "512", "list-max-listpack-size", "-2"],
          ...["list-compress-depth", "0"],
        ];
        for (const p of params) await d.same("CONFIG", "GET", p);
        try {
          // RESP3 maps keep Redis's dict order: the glob is compared on RESP2 only.
          if (protocol === 2) await d.sameUnordered("CONFIG", "GET", "*-max-*-entries");
          for (const p of params) {
            for (const v of ["-1", "x", "1.5", "2kb", "1K", " 1", "+1", "0", "-6", "3000000000"]) {
              await d.same("CONFIG", "SET", p, v);
              await d.same("CONFIG", "GET", p);
            }
          }
          await d.same(
            "CONFIG",
            "SET",
            "hash-max-listpack-entries",
            "2",
            "zset-max-listpack-entries",
            "2",
          );
          await d.same(
            "CONFIG",
            "SET",
            "hash-max-listpack-value",
            "4",
            "set-max-intset-entries",
            "2",
          );
          await d.both("HSET", "h", "a", "1", "b", "2");
          await encoding(d, "h");
          await d.both("HSET", "h", "c", "3");
          await encoding(d, "h");
          await d.both("HSET", "h4", "a", "12345");
          await encoding(d, "h4");
          await d.both("ZADD", "z", "1", "a", "2", "b");
          await encoding(d, "z");
          await d.both("ZADD", "z", "3", "c");
          await encoding(d, "z");
          await d.both("SADD", "s", "1", "2");
          await encoding(d, "s");
          await d.both("SADD", "s", "3");
          await encoding(d, "s");
          // All or none: a bad second value leaves the first unchanged.
          await d.same(
            "CONFIG",
            "SET",
            "hash-max-listpack-entries",
            "7",
            "set-max-intset-entries",
            "x",
          );
          await d.same("CONFIG", "GET", "hash-max-listpack-entries");
          await d.same(
            "CONFIG",
            "SET",
            "zset-max-listpack-value",
            "9",
            "zset-max-listpack-value",
            "10",
          );
          await d.same("CONFIG", "GET", "zset-max-listpack-value");
          await d.same(
            "CONFIG",
            "SET",
            "zset-max-listpack-value",
            "9",
            "zset-max-ziplist-value",
            "10",
          );
          await d.same("CONFIG", "GET", "zset-max-listpack-value");
        } finally {
          assert.equal(String(await d.same("CONFIG", "SET", ...defaults)), "OK");
        }
      });

      run("missing keys, FREQ, IDLETIME, HELP and errors", async (d) => {
        await d.both("SET", "k", "v");
        for (const sub of ["ENCODING", "REFCOUNT", "FREQ", "IDLETIME"]) {
          await d.same("OBJECT", sub, "missing");
          await d.same("OBJECT", sub);
          await d.same("OBJECT", sub, "k", "extra");
        }
        await d.same("OBJECT", "FREQ", "k");
        await d.same("OBJECT", "HELP");
        await d.same("OBJECT", "help", "x");
        await d.same("OBJECT", "foo");
        await d.same("OBJECT");
        await d.same("COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k");
        await d.sameUnordered("COMMAND", "INFO", "OBJECT");
      });
    });
  }
});
