/**
 * Differential tests of the string commands against a real redis-server 7.0: byte-identical
 * replies (errors included) in RESP2 and RESP3.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Differential, oracleFixture, oracleSkip, sleep } from "../helpers/redis_oracle.ts";

describe("kv strings vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("GET/SET with binary, empty and large values; arity errors", async (d) => {
        await d.same("GET", "k");
        await d.same("SET", "k", "v");
        await d.same("GET", "k");
        await d.same("SET", "bin", new Uint8Array([0, 13, 10, 255, 36, 42, 0]));
        await d.same("GET", "bin");
        await d.same("SET", "empty", "");
        await d.same("GET", "empty");
        await d.same("STRLEN", "empty");
        await d.same("SET", "big", "x".repeat(100_000));
        await d.same("GET", "big");
        await d.same("SET", "utf8", "héllo wörld ☃");
        await d.same("GET", "utf8");
        await d.same("STRLEN", "utf8");
        for (
          const args of [
            ["GET"],
            ["GET", "a", "b"],
            ["SET", "k"],
            ["SET"],
            ["SETNX", "k"],
            ["SETEX", "k", "1"],
            ["PSETEX", "k"],
            ["GETSET", "k"],
            ["GETDEL"],
            ["GETEX"],
            ["MGET"],
            ["MSET", "a"],
            ["MSET", "a", "1", "b"],
            ["MSETNX", "a", "1", "b"],
            ["INCR"],
            ["DECR", "a", "b"],
            ["INCRBY", "a"],
            ["DECRBY", "a"],
            ["INCRBYFLOAT", "a"],
            ["APPEND", "a"],
            ["STRLEN"],
            ["GETRANGE", "a", "0"],
            ["SUBSTR", "a"],
            ["SETRANGE", "a", "0"],
          ]
        ) {
          await d.same(...args);
        }
      });

      run("pipelined inline and multibulk requests", async (d) => {
        await d.sameRaw(
          'SET a 1\r\nGET a\r\nINCR a\r\nAPPEND a "x y\\r\\n"\r\nGET a\r\nSTRLEN a\r\n',
          6,
        );
        await d.sameRaw(
          "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n",
          2,
        );
        await d.sameRaw("MSET x 1 y 2\nMGET x y z\nDECRBY x 5\nGETRANGE y 0 -1\n", 4);
      });

      run("SET options and every syntax / expire error", async (d) => {
        const cases: string[][] = [
          ["SET", "k", "v", "NX"],
          ["SET", "k", "v", "NX"],
          ["SET", "k", "w", "XX"],
          ["SET", "nokey", "w", "XX"],
          ["GET", "k"],
          ["SET", "k", "v", "nx", "nx"],
          ["SET", "k", "v", "xx", "xx"],
          ["SET", "k", "v", "NX", "XX"],
          ["SET", "k", "v", "XX", "NX"],
          ["SET", "k", "v", "EX"],
          ["SET", "k", "v", "EX", "0"],
          ["SET", "k", "v", "EX", "-1"],
          ["SET", "k", "v", "EX", "abc"],
          ["SET", "k", "v", "EX", "1.5"],
          ["SET", "k", "v", "PX", "0"],
          ["SET", "k", "v", "EXAT", "0"],
          ["SET", "k", "v", "PXAT", "-5"],
          ["SET", "k", "v", "EX", "10", "PX", "10"],
          ["SET", "k", "v", "PX", "10", "EX", "10"],
          ["SET", "k", "v", "EX", "10", "EXAT", "10"],
          ["SET", "k", "v", "PXAT", "10", "PX", "10"],
          ["SET", "k", "v", "KEEPTTL", "EX", "10"],
          ["SET", "k", "v", "EX", "10", "KEEPTTL"],
          ["SET", "k", "v", "PERSIST"],
          ["SET", "k", "v", "FOO"],
          ["SET", "k", "v", "EX", "9223372036854775807"],
          ["SET", "k", "v", "EX", "9223372036854775"],
          ["SET", "k", "v", "EX", "9223372036854776"],
          ["SET", "k", "v", "PX", "9223372036854775807"],
          ["SET", "k", "v", "EXAT", "9223372036854775807"],
          ["SET", "k", "v", "EX", "9223372036854775808"],
          ["SET", "k", "v", "EX", "100", "EX", "200"],
          ["TTL", "k"],
          ["SET", "k", "v", "ex", "100", "get"],
          ["SET", "k", "v2", "GET"],
          ["SET", "k", "v3", "get", "keepttl"],
          ["TTL", "k"],
          ["SET", "newkey", "v", "GET"],
          ["SET", "newkey", "v", "NX", "GET"],
          ["SET", "newkey2", "v", "NX", "GET"],
          ["SET", "newkey3", "v", "XX", "GET"],
          ["GET", "newkey3"],
          ["SET", "k", "v", "PXAT", "33177117420000"],
          ["PEXPIRETIME", "k"],
          ["SET", "k", "v", "EXAT", "33177117420"],
          ["EXPIRETIME", "k"],
          ["SET", "k", "v", "EXAT", "1"],
          ["GET", "k"],
          ["SET", "k", "v", "GET", "EX", "0"],
          ["SET", "k", "v", "EX", "0", "GET"],
        ];
        for (const args of cases) await d.same(...args);
        await d.same("RPUSH", "list", "a");
        await d.same("SET", "list", "v", "GET");
        await d.same("LLEN", "list");
        await d.same("SET", "list", "v", "NX");
        await d.same("SET", "list", "v");
        await d.same("GET", "list");
        await d.same("SET", "k", "v", "EX", "10");
        await d.same("SET", "k", "v", "PX", "100000");
        await d.sameWith((v) => typeof v === "number" ? Math.round(v / 1000) : v, "PTTL", "k");
      });

      run("SETNX, SETEX, PSETEX, GETSET, GETDEL", async (d) => {
        await d.same("SETNX", "k", "1");
        await d.same("SETNX", "k", "2");
        await d.same("GET", "k");
        await d.same("SETEX", "k", "100", "v");
        await d.same("TTL", "k");
        await d.same("SETEX", "k", "0", "v");
        await d.same("SETEX", "k", "-1", "v");
        await d.same("SETEX", "k", "abc", "v");
        await d.same("SETEX", "k", "9223372036854775807", "v");
        await d.same("PSETEX", "k", "100000", "v");
        await d.same("TTL", "k");
        await d.same("PSETEX", "k", "0", "v");
        await d.same("PSETEX", "k", "9223372036854775807", "v");
        await d.same("GETSET", "k", "new");
        await d.same("TTL", "k");
        await d.same("GETSET", "nokey", "x");
        await d.same("GETDEL", "k");
        await d.same("GETDEL", "k");
        await d.same("RPUSH", "l", "a");
        await d.same("GETSET", "l", "x");
        await d.same("GETDEL", "l");
        await d.same("SETNX", "l", "x");
        await d.same("SETEX", "l", "10", "x");
        await d.same("TYPE", "l");
      });

      run("GETEX", async (d) => {
        await d.same("GETEX", "nokey");
        await d.same("GETEX", "nokey", "EX", "-1");
        await d.same("GETEX", "nokey", "FOO");
        await d.same("SET", "k", "v");
        await d.same("GETEX", "k");
        await d.same("GETEX", "k", "EX", "100");
        await d.same("TTL", "k");
        await d.same("GETEX", "k", "PX", "200000");
        await d.same("TTL", "k");
        await d.same("GETEX", "k", "EXAT", "33177117420");
        await d.same("EXPIRETIME", "k");
        await d.same("GETEX", "k", "PXAT", "33177117420123");
        await d.same("PEXPIRETIME", "k");
        await d.same("GETEX", "k", "PERSIST");
        await d.same("TTL", "k");
        await d.same("GETEX", "k", "PERSIST");
        for (
          const args of [
            ["GETEX", "k", "EX", "-1"],
            ["GETEX", "k", "EX", "0"],
            ["GETEX", "k", "EX", "abc"],
            ["GETEX", "k", "EX"],
            ["GETEX", "k", "NX"],
            ["GETEX", "k", "KEEPTTL"],
            ["GETEX", "k", "GET"],
            ["GETEX", "k", "PERSIST", "EX", "10"],
            ["GETEX", "k", "EX", "10", "PERSIST"],
            ["GETEX", "k", "EX", "10", "PX", "10"],
            ["GETEX", "k", "EX", "9223372036854775807"],
            ["GETEX", "k", "PXAT", "9223372036854775807"],
            ["GETEX", "k", "BAR"],
          ]
        ) {
          await d.same(...args);
        }
        await d.same("GETEX", "k", "EXAT", "1");
        await d.same("EXISTS", "k");
        await d.same("RPUSH", "l", "a");
        await d.same("GETEX", "l");
        await d.same("GETEX", "l", "EX", "-1");
      });

      run("MGET, MSET, MSETNX", async (d) => {
        await d.same("MSET", "a", "1", "b", "2", "a", "3");
        await d.same("MGET", "a", "b", "c", "a");
        await d.same("RPUSH", "l", "x");
        await d.same("MGET", "l", "a");
        await d.same("MSETNX", "c", "1", "d", "2");
        await d.same("MSETNX", "d", "1", "e", "2");
        await d.same("MGET", "c", "d", "e");
        await d.same("MSETNX", "x", "1", "x", "2");
        await d.same("GET", "x");
        await d.same("MSET", "l", "s");
        await d.same("TYPE", "l");
        await d.same("SET", "t", "v", "EX", "100");
        await d.same("MSET", "t", "w");
        await d.same("TTL", "t");
      });

      run("INCR, DECR, INCRBY, DECRBY: parsing, overflow, wrong types", async (d) => {
        await d.same("INCR", "n");
        await d.same("INCR", "n");
        await d.same("DECR", "n");
        await d.same("DECR", "m");
        await d.same("INCRBY", "n", "100");
        await d.same("INCRBY", "n", "-1000");
        await d.same("DECRBY", "n", "5");
        await d.same("DECRBY", "n", "-5");
        for (const value of ["10", "-5", " 1", "1 ", "+1", "01", "-0", "abc", "", "1.5", "0"]) {
          await d.same("SET", "v", value);
          await d.same("INCR", "v");
        }
        await d.same("SET", "v", "9223372036854775806");
        await d.same("INCR", "v");
        await d.same("INCR", "v");
        await d.same("GET", "v");
        await d.same("SET", "v", "-9223372036854775807");
        await d.same("DECR", "v");
        await d.same("DECR", "v");
        await d.same("SET", "v", "9223372036854775808");
        await d.same("INCR", "v");
        await d.same("SET", "v", "9007199254740991");
        await d.same("INCR", "v");
        await d.same("INCR", "v");
        await d.same("INCRBY", "v", "-18014398509481984");
        await d.same("SET", "v", "1");
        await d.same("INCRBY", "v", "9223372036854775807");
        await d.same("INCRBY", "v", "9223372036854775806");
        await d.same("INCRBY", "v", "9223372036854775808");
        await d.same("INCRBY", "v", "abc");
        await d.same("INCRBY", "v", "1.5");
        await d.same("INCRBY", "v", "");
        await d.same("SET", "v", "-2");
        await d.same("DECRBY", "v", "9223372036854775807");
        await d.same("DECRBY", "v", "-9223372036854775808");
        await d.same("DECRBY", "v", "9223372036854775806");
        await d.same("GET", "v");
        await d.same("RPUSH", "l", "a");
        await d.same("INCR", "l");
        await d.same("INCRBY", "l", "abc");
        await d.same("DECRBY", "l", "1");
        await d.same("SET", "t", "5", "EX", "100");
        await d.same("INCR", "t");
        await d.same("TTL", "t");
        await d.same("SET", "b", new Uint8Array([49, 0]));
        await d.same("INCR", "b");
      });

      run("INCRBYFLOAT: long double results and errors", async (d) => {
        await d.same("INCRBYFLOAT", "f", "0.1");
        await d.same("INCRBYFLOAT", "f", "0.1");
        await d.same("INCRBYFLOAT", "f", "0.1");
        await d.same("SET", "f", "3.0e3");
        await d.same("INCRBYFLOAT", "f", "5.0e3");
        const cases: string[][] = [
          ["10.5", "0.1"],
          ["10", "1e30"],
          ["0", "0.000003814697265625"],
          ["0", "1e-20"],
          ["0", "-0.0"],
          ["1", "-1"],
          ["0", "+1.5"],
          ["1.5", "0x10"],
          ["1", "0x1p-3"],
          ["1", " 1"],
          ["1", "1 "],
          ["1", "inf"],
          ["1", "-infinity"],
          ["1", "nan"],
          ["1", "1e5000"],
          ["1", "1e-5000"],
          ["1", "1e400"],
          ["0", "1.7976931348623157e308"],
          ["abc", "1"],
          ["1", "abc"],
          ["10", ".5"],
          ["10", "5."],
          ["10", "1e"],
          ["10", "."],
          ["10", ""],
          ["10", "-"],
          ["3", "-3.0000"],
          ["5e-324", "0"],
          ["-1.5", "0.25"],
          ["1", "123456789012345678901234567890"],
          ["0.1", "0.2"],
          ["9223372036854775807", "1"],
          [" 1", "1"],
          ["1e4000", "1e4000"],
          ["1e4932", "1e4932"],
        ];
        for (const [start, increment] of cases) {
          await d.same("SET", "f", start);
          await d.same("INCRBYFLOAT", "f", increment);
          await d.same("GET", "f");
        }
        await d.same("INCRBYFLOAT", "nokey", "-2.5e-3");
        await d.same("SET", "t", "1.5", "EX", "100");
        await d.same("INCRBYFLOAT", "t", "1");
        await d.same("TTL", "t");
        await d.same("RPUSH", "l", "a");
        await d.same("INCRBYFLOAT", "l", "x");
        await d.same("INCRBYFLOAT", "l", "1");
      });

      run("APPEND and STRLEN", async (d) => {
        await d.same("APPEND", "a", "hello");
        await d.same("APPEND", "a", " world");
        await d.same("APPEND", "a", "");
        await d.same("GET", "a");
        await d.same("STRLEN", "a");
        await d.same("APPEND", "e", "");
        await d.same("EXISTS", "e");
        await d.same("APPEND", "b", new Uint8Array([0, 255]));
        await d.same("APPEND", "b", new Uint8Array([13, 10]));
        await d.same("GET", "b");
        for (let i = 0; i < 200; i++) await d.same("APPEND", "grow", `chunk${i}-`);
        await d.same("GET", "grow");
        await d.same("STRLEN", "grow");
        await d.same("COPY", "grow", "grow2");
        await d.same("APPEND", "grow", "tail");
        await d.same("APPEND", "grow2", "other");
        await d.same("GET", "grow");
        await d.same("GET", "grow2");
        await d.same("SET", "t", "x", "EX", "100");
        await d.same("APPEND", "t", "y");
        await d.same("TTL", "t");
        await d.same("SET", "n", "10");
        await d.same("APPEND", "n", "5");
        await d.same("INCR", "n");
        await d.same("STRLEN", "nokey");
        await d.same("RPUSH", "l", "a");
        await d.same("APPEND", "l", "x");
        await d.same("STRLEN", "l");
      });

      run("GETRANGE, SUBSTR, SETRANGE", async (d) => {
        await d.same("SET", "s", "Hello World");
        const ranges: Array<[string, string]> = [
          ["0", "4"],
          ["0", "-1"],
          ["-5", "-1"],
          ["-1", "-5"],
          ["5", "3"],
          ["-100", "100"],
          ["100", "200"],
          ["-3", "0"],
          ["0", "0"],
          ["10", "10"],
          ["11", "11"],
          ["-1", "-1"],
          ["-12", "-12"],
          ["9223372036854775807", "9223372036854775807"],
          ["-9223372036854775808", "9223372036854775807"],
          ["-9223372036854775808", "-9223372036854775807"],
          ["-9223372036854775807", "-9223372036854775808"],
          ["a", "1"],
          ["1", "b"],
          ["1.5", "2"],
          ["9223372036854775808", "1"],
        ];
        for (const [start, end] of ranges) {
          await d.same("GETRANGE", "s", start, end);
          await d.same("SUBSTR", "s", start, end);
        }
        await d.same("GETRANGE", "nokey", "0", "-1");
        await d.same("GETRANGE", "nokey", "a", "-1");
        await d.same("SET", "e", "");
        await d.same("GETRANGE", "e", "0", "-1");
        await d.same("SET", "n", "12345");
        await d.same("GETRANGE", "n", "1", "2");
        await d.same("SETRANGE", "s", "6", "Redis");
        await d.same("GET", "s");
        await d.same("SETRANGE", "s", "20", "!");
        await d.same("GET", "s");
        await d.same("SETRANGE", "s", "0", "");
        await d.same("SETRANGE", "new", "0", "");
        await d.same("EXISTS", "new");
        await d.same("SETRANGE", "new", "3", "abc");
        await d.same("GET", "new");
        await d.same("SETRANGE", "new", "-1", "x");
        await d.same("SETRANGE", "new", "x", "x");
        await d.same("SETRANGE", "new", "536870911", "ab");
        await d.same("SETRANGE", "new", "536870912", "");
        await d.same("SETRANGE", "new", "9223372036854775807", "ab");
        await d.same("SETRANGE", "huge", "536870912", "a");
        await d.same("SET", "t", "abc", "EX", "100");
        await d.same("SETRANGE", "t", "1", "X");
        await d.same("TTL", "t");
        await d.same("GET", "t");
        await d.same("RPUSH", "l", "a");
        await d.same("GETRANGE", "l", "0", "1");
        await d.same("SETRANGE", "l", "0", "x");
        await d.same("SETRANGE", "l", "0", "");
        await d.same("SETRANGE", "l", "-1", "x");
      });

      for (const create of [["HSET", "h", "f", "v"], ["SADD", "h", "m"], ["ZADD", "h", "1", "m"]]) {
        run(`wrong types everywhere (${create[0]})`, async (d) => {
          await d.same(...create);
          await wrongTypes(d);
        });
      }

      const wrongTypes = async (d: Differential) => {
        for (
          const args of [
            ["GET", "h"],
            ["GETDEL", "h"],
            ["STRLEN", "h"],
            ["APPEND", "h", "x"],
            ["INCR", "h"],
            ["DECR", "h"],
            ["INCRBYFLOAT", "h", "1"],
            ["GETRANGE", "h", "0", "1"],
            ["SETRANGE", "h", "0", "x"],
            ["GETSET", "h", "x"],
            ["GETEX", "h", "PERSIST"],
            ["SET", "h", "x", "GET"],
            ["MGET", "h"],
            ["TYPE", "h"],
          ]
        ) {
          await d.same(...args);
        }
      };

      run("a 1 ms TTL expires lazily for every string read", async (d) => {
        for (const key of ["a", "b", "c", "d", "e", "f"]) await d.same("SET", key, "1", "PX", "1");
        await sleep(15);
        await d.same("GET", "a");
        await d.same("INCR", "b");
        await d.same("APPEND", "c", "x");
        await d.same("STRLEN", "d");
        await d.same("GETRANGE", "e", "0", "-1");
        await d.same("SET", "f", "x", "XX");
        await d.same("MGET", "a", "b", "c", "d", "e", "f");
        assert.ok(true);
      });
    });
  }
});
