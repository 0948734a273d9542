/**
 * Differential tests of the generic key commands against a real redis-server 7.0: the same
 * requests go to both, and the replies must be byte-identical (or equal as sets where Redis's
 * order is unspecified), in RESP2 and RESP3.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { VerbatimString } from "../../src/resp/types.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { type Differential, oracleFixture, oracleSkip, sleep } from "../helpers/redis_oracle.ts";

/** PTTL-like replies compared to the second. */
const seconds = (v: RespValue): unknown => typeof v === "number" ? Math.round(v / 1000) : v;

describe("kv keys vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("DEL, UNLINK, EXISTS, TOUCH, TYPE", async (d) => {
        await d.same("SET", "a", "1");
        await d.same("SET", "b", "2");
        await d.same("EXISTS", "a", "a", "b", "c");
        await d.same("TOUCH", "a", "b", "c", "a");
        await d.same("DEL", "a", "c");
        await d.same("UNLINK", "b", "b");
        await d.same("EXISTS", "a");
        await d.same("TYPE", "a");
        await d.same("SET", "s", "x");
        await d.same("TYPE", "s");
        await d.same("RPUSH", "l", "x");
        await d.same("TYPE", "l");
        await d.same("HSET", "h", "f", "v");
        await d.same("TYPE", "h");
        await d.same("SADD", "set", "m");
        await d.same("TYPE", "set");
        await d.same("ZADD", "z", "1", "m");
        await d.same("TYPE", "z");
        await d.same("EXISTS", "set", "z", "l", "h");
        await d.same("DEL", "s", "l", "h", "zz", "set", "z");
        await d.same("DEL");
        await d.same("UNLINK");
        await d.same("EXISTS");
        await d.same("TYPE");
        await d.same("TYPE", "a", "b");
        await d.same("del", "nothing");
      });

      run("binary and empty keys", async (d) => {
        const key = new Uint8Array([0, 255, 13, 10, 32, 42, 128]);
        await d.same("SET", key, "v");
        await d.same("SET", "", "empty");
        await d.same("EXISTS", key, "");
        await d.same("GET", "");
        await d.sameUnordered("KEYS", "*");
        await d.same("TYPE", key);
        await d.same("RENAME", key, new Uint8Array([1, 2, 3]));
        await d.same("GET", new Uint8Array([1, 2, 3]));
        await d.same("DEL", new Uint8Array([1, 2, 3]), "");
        await d.same("DBSIZE");
      });

      run("KEYS patterns", async (d) => {
        await d.same(
          "MSET",
          "hello",
          "1",
          "hallo",
          "2",
          "hxllo",
          "3",
          "hllo",
          "4",
          "heeeello",
          "5",
        );
        await d.same("MSET", "a*b", "6", "a?b", "7", "a[b", "8", "x\\y", "9");
        for (
          const pattern of [
            "*",
            "h?llo",
            "h*llo",
            "h[ae]llo",
            "h[^e]llo",
            "h[a-b]llo",
            "h[b-a]llo",
            "nomatch*",
            "a\\*b",
            "a\\?b",
            "a[[]b",
            "a*",
            "x\\\\y",
            "*llo",
            "[",
            "H*",
          ]
        ) {
          await d.sameUnordered("KEYS", pattern);
        }
        await d.same("KEYS");
        await d.same("KEYS", "*", "x");
        await d.same("FLUSHALL");
        await d.same("KEYS", "*");
      });

      run("SCAN: full iterations with MATCH, COUNT, TYPE; errors", async (d) => {
        await d.same("SCAN", "0");
        const args: string[] = [];
        for (let i = 0; i < 300; i++) args.push(`key:${i}`, String(i));
        await d.same("MSET", ...args);
        await d.same("RPUSH", "list1", "a");
        await d.same("RPUSH", "list2", "a");
        await d.same("HSET", "hash1", "f", "v");
        await d.same("SADD", "set1", "a");
        await d.same("ZADD", "zset1", "1", "a");
        await d.sameScan(["SCAN", "0"]);
        await d.sameScan(["SCAN", "0", "TYPE", "set"]);
        await d.sameScan(["SCAN", "0", "TYPE", "zset"]);
        await d.sameScan(["SCAN", "0", "COUNT", "7"]);
        await d.sameScan(["SCAN", "0", "COUNT", "1000"]);
        await d.sameScan(["SCAN", "0", "MATCH", "key:1*"]);
        await d.sameScan(["SCAN", "0", "MATCH", "*", "COUNT", "3"]);
        await d.sameScan(["SCAN", "0", "TYPE", "list"]);
        await d.sameScan(["SCAN", "0", "TYPE", "HASH"]);
        await d.sameScan(["SCAN", "0", "TYPE", "string", "MATCH", "key:2?"]);
        await d.sameScan(["SCAN", "0", "TYPE", "nosuchtype"]);
        await d.same("SCAN", "0", "COUNT", "0");
        await d.same("SCAN", "0", "COUNT", "-1");
        await d.same("SCAN", "0", "COUNT", "x");
        await d.same("SCAN", "0", "COUNT");
        await d.same("SCAN", "0", "MATCH");
        await d.same("SCAN", "0", "TYPE");
        await d.same("SCAN", "0", "FOO", "bar");
        await d.same("SCAN", "x");
        await d.same("SCAN", " 0");
        await d.same("SCAN", "0x");
        await d.same("SCAN", "18446744073709551616");
        await d.same("SCAN");
      });

      run("SCAN returns every key present for the whole scan while keys change", async (d) => {
        // Not differential (cursor values differ): every key that stays must be seen.
        const args: string[] = [];
        for (let i = 0; i < 500; i++) args.push(`k${i}`, "v");
        await d.ours.call("MSET", ...args);
        const seen = new Set<string>();
        let cursor = "0";
        let round = 0;
        do {
          const [next, keys] = await d.ours.call("SCAN", cursor, "COUNT", "20") as [
            string,
            string[],
          ];
          for (const k of keys) seen.add(k);
          cursor = next;
          round++;
          // churn: delete keys that were probably already returned, add new ones
          await d.ours.call("DEL", `k${round}`);
          await d.ours.call("SET", `new${round}`, "v");
        } while (cursor !== "0" && round < 1000);
        for (let i = 200; i < 500; i++) assert.ok(seen.has(`k${i}`), `k${i} missing`);
        // Both received bytes outside of comparisons: resync offsets with a setup call.
        await d.both("PING");
      });

      run("RENAME and RENAMENX", async (d) => {
        await d.same("RENAME", "nokey", "x");
        await d.same("RENAMENX", "nokey", "x");
        await d.same("SET", "a", "1");
        await d.same("RENAME", "a", "a");
        await d.same("RENAMENX", "a", "a");
        await d.same("RENAME", "a", "b");
        await d.same("EXISTS", "a");
        await d.same("GET", "b");
        await d.same("SET", "t", "v", "EX", "100");
        await d.same("RENAME", "t", "t2");
        await d.same("TTL", "t2");
        await d.same("SET", "c", "3");
        await d.same("RENAMENX", "b", "c");
        await d.same("RENAMENX", "b", "d");
        await d.same("GET", "d");
        await d.same("RENAME", "d", "t2");
        await d.same("TTL", "t2");
        await d.same("GET", "t2");
        await d.same("RPUSH", "l", "x", "y");
        await d.same("RENAME", "l", "c");
        await d.same("LRANGE", "c", "0", "-1");
        await d.same("TYPE", "l");
        await d.same("ZADD", "z", "1", "a");
        await d.same("RENAME", "z", "c");
        await d.same("ZRANGE", "c", "0", "-1");
        await d.same("RENAME", "c");
        await d.same("RENAMENX", "c", "d", "e");
      });

      run("RANDOMKEY, DBSIZE, SELECT, FLUSHDB, FLUSHALL", async (d) => {
        await d.same("RANDOMKEY");
        await d.same("DBSIZE");
        await d.same("SET", "only", "1");
        await d.same("RANDOMKEY");
        await d.same("SELECT", "1");
        await d.same("MSET", "x", "1", "y", "2");
        await d.same("DBSIZE");
        await d.same("FLUSHDB");
        await d.same("DBSIZE");
        await d.same("SELECT", "0");
        await d.same("DBSIZE");
        await d.same("FLUSHDB", "x");
        await d.same("FLUSHDB", "ASYNC", "SYNC");
        await d.same("FLUSHDB", "SYNC");
        await d.same("SET", "a", "1");
        await d.same("FLUSHALL", "async");
        await d.same("FLUSHALL", "sync");
        await d.same("FLUSHALL", "nope");
        await d.same("DBSIZE", "x");
        await d.same("RANDOMKEY", "x");
        await d.same("DBSIZE");
      });

      run("EXPIRE family: options, errors, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST", async (d) => {
        await d.same("EXPIRE", "nokey", "10");
        await d.same("TTL", "nokey");
        await d.same("PTTL", "nokey");
        await d.same("EXPIRETIME", "nokey");
        await d.same("PEXPIRETIME", "nokey");
        await d.same("PERSIST", "nokey");
        await d.same("SET", "k", "v");
        await d.same("TTL", "k");
        await d.same("PTTL", "k");
        await d.same("EXPIRETIME", "k");
        await d.same("PERSIST", "k");
        await d.same("EXPIRE", "k", "100", "XX");
        await d.same("EXPIRE", "k", "100", "GT");
        await d.same("EXPIRE", "k", "100", "NX");
        await d.same("TTL", "k");
        await d.sameWith(seconds, "PTTL", "k");
        await d.same("EXPIRE", "k", "200", "NX");
        await d.same("EXPIRE", "k", "200", "XX");
        await d.same("EXPIRE", "k", "100", "GT");
        await d.same("EXPIRE", "k", "300", "GT");
        await d.same("EXPIRE", "k", "400", "LT");
        await d.same("EXPIRE", "k", "50", "LT", "XX");
        await d.same("TTL", "k");
        await d.same("PEXPIRE", "k", "100000", "gt");
        await d.same("PEXPIRE", "k", "10000", "lt");
        await d.same("TTL", "k");
        await d.same("PERSIST", "k");
        await d.same("TTL", "k");
        await d.same("EXPIRE", "k", "10", "LT");
        await d.same("TTL", "k");
        await d.same("EXPIREAT", "k", "33177117420");
        await d.same("EXPIRETIME", "k");
        await d.same("PEXPIRETIME", "k");
        await d.same("PEXPIREAT", "k", "33177117420123");
        await d.same("EXPIRETIME", "k");
        await d.same("PEXPIRETIME", "k");
        await d.same("PEXPIREAT", "k", "33177117420499");
        await d.same("EXPIRETIME", "k");
        await d.same("PEXPIREAT", "k", "33177117420500");
        await d.same("EXPIRETIME", "k");
        // errors
        await d.same("EXPIRE", "k", "10", "foo");
        await d.same("EXPIRE", "k", "10", "NX", "XX");
        await d.same("EXPIRE", "k", "10", "NX", "GT");
        await d.same("EXPIRE", "k", "10", "NX", "LT");
        await d.same("EXPIRE", "k", "10", "GT", "LT");
        await d.same("EXPIRE", "k", "abc");
        await d.same("EXPIRE", "k", "1.5");
        await d.same("EXPIRE", "k", " 10");
        await d.same("EXPIRE", "k", "9223372036854775807");
        await d.same("EXPIRE", "k", "-9223372036854775808");
        await d.same("EXPIRE", "k", "9223372036854776");
        await d.same("PEXPIRE", "k", "9223372036854775807");
        await d.same("EXPIREAT", "k", "9223372036854775808");
        await d.same("EXPIRE", "nokey", "abc");
        await d.same("EXPIRE", "nokey", "10", "bad");
        await d.same("EXPIRE", "k");
        await d.same("TTL");
        await d.same("TTL", "k", "x");
        await d.same("PERSIST", "k", "x");
        // in the past: deleted at once
        await d.same("EXPIRE", "k", "-1");
        await d.same("EXISTS", "k");
        await d.same("SET", "k", "v");
        await d.same("EXPIREAT", "k", "1");
        await d.same("EXISTS", "k");
        await d.same("SET", "k", "v");
        await d.same("PEXPIREAT", "k", "0");
        await d.same("EXISTS", "k");
        await d.same("SET", "k", "v");
        await d.same("EXPIRE", "k", "0");
        await d.same("EXISTS", "k");
        // GT/LT against a past time on a key without TTL
        await d.same("SET", "k", "v");
        await d.same("EXPIRE", "k", "-5", "GT");
        await d.same("EXPIRE", "k", "-5", "XX");
        await d.same("EXPIRE", "k", "-5", "LT");
        await d.same("EXISTS", "k");
      });

      run("expiry: lazy expiry of 1 ms TTLs, SET clears TTL, KEEPTTL keeps it", async (d) => {
        await d.same("SET", "k", "v", "PX", "1");
        await d.same("PSETEX", "p", "1", "v");
        await d.same("SET", "j", "v");
        await d.same("PEXPIRE", "j", "1");
        await d.same("RPUSH", "l", "a");
        await d.same("PEXPIRE", "l", "1");
        await sleep(20);
        await d.same("GET", "k");
        await d.same("EXISTS", "p");
        await d.same("TTL", "j");
        await d.same("LRANGE", "l", "0", "-1");
        await d.same("TYPE", "l");
        await d.same("SET", "k", "v", "EX", "100");
        await d.same("SET", "k", "v2");
        await d.same("TTL", "k");
        await d.same("SET", "k", "v", "EX", "100");
        await d.same("SET", "k", "v3", "KEEPTTL");
        await d.same("TTL", "k");
        await d.same("SET", "e", "v", "PX", "1");
        await sleep(20);
        await d.same("SET", "e", "w", "KEEPTTL");
        await d.same("TTL", "e");
        await d.same("SET", "f", "v", "PX", "1");
        await sleep(20);
        await d.same("RENAME", "f", "g");
        await d.same("SETNX", "f", "x");
        await d.same("GET", "f");
        await sleep(150); // let both active sweeps run
        await d.same("DBSIZE");
      });

      run("COPY", async (d) => {
        await d.same("COPY", "nokey", "b");
        await d.same("SET", "a", "1");
        await d.same("COPY", "a", "b");
        await d.same("GET", "b");
        await d.same("COPY", "a", "b");
        await d.same("SET", "a", "2", "EX", "100");
        await d.same("COPY", "a", "b", "REPLACE");
        await d.same("GET", "b");
        await d.same("TTL", "b");
        await d.same("COPY", "a", "a");
        await d.same("COPY", "a", "a", "DB", "0");
        await d.same("COPY", "a", "a", "DB", "1");
        await d.same("SELECT", "1");
        await d.same("GET", "a");
        await d.same("TTL", "a");
        await d.same("SELECT", "0");
        await d.same("COPY", "a", "b", "DB", "16");
        await d.same("COPY", "a", "b", "DB", "-1");
        await d.same("COPY", "a", "b", "DB", "x");
        await d.same("COPY", "a", "b", "DB");
        await d.same("COPY", "a", "b", "FOO");
        await d.same("COPY", "a", "b", "REPLACE", "REPLACE", "DB", "2");
        await d.same("COPY", "a");
        // deep copies of the other types
        await d.same("RPUSH", "l", "x", "y");
        await d.same("COPY", "l", "l2");
        await d.same("RPUSH", "l", "z");
        await d.same("LRANGE", "l2", "0", "-1");
        await d.same("HSET", "h", "f", "1");
        await d.same("COPY", "h", "h2");
        await d.same("HSET", "h", "g", "2");
        await d.sameUnordered("HGETALL", "h2");
        await d.same("SADD", "s", "a", "b");
        await d.same("COPY", "s", "s2");
        await d.same("SREM", "s", "a");
        await d.sameUnordered("SMEMBERS", "s2");
        await d.same("ZADD", "z", "1", "a", "2", "b");
        await d.same("COPY", "z", "z2", "DB", "1");
        await d.same("ZADD", "z", "3", "c");
        await d.same("SELECT", "1");
        await d.same("ZRANGE", "z2", "0", "-1", "WITHSCORES");
        await d.same("SELECT", "0");
        await d.same("COPY", "l", "b", "REPLACE");
        await d.same("TYPE", "b");
      });

      run("MOVE", async (d) => {
        await d.same("MOVE", "nokey", "1");
        await d.same("SET", "k", "v", "EX", "100");
        await d.same("MOVE", "k", "0");
        await d.same("MOVE", "k", "16");
        await d.same("MOVE", "k", "-1");
        await d.same("MOVE", "k", "x");
        await d.same("MOVE", "k", "99999999999");
        await d.same("MOVE", "k", "1");
        await d.same("EXISTS", "k");
        await d.same("SELECT", "1");
        await d.same("GET", "k");
        await d.same("TTL", "k");
        await d.same("SET", "other", "1");
        await d.same("SELECT", "0");
        await d.same("SET", "other", "0");
        await d.same("MOVE", "other", "1");
        await d.same("GET", "other");
        await d.same("MOVE", "other");
      });

      it("RENAME, COPY, MOVE and SWAPDB of a list wake blocked BLPOP clients", async () => {
        const a = await fx.open(protocol);
        const b = await fx.open(protocol, false);
        try {
          await a.same("RPUSH", "src", "x", "y");
          b.send("BLPOP", "dst", "5");
          await sleep(30);
          await a.same("RENAME", "src", "dst");
          await b.sameReplies(1, "BLPOP after RENAME");
          b.send("BLPOP", "copy", "5");
          await sleep(30);
          await a.same("COPY", "dst", "copy");
          await b.sameReplies(1, "BLPOP after COPY");
          await b.same("SELECT", "1");
          b.send("BLPOP", "dst", "5");
          await sleep(30);
          await a.same("MOVE", "dst", "1");
          await b.sameReplies(1, "BLPOP after MOVE");
          await a.same("SELECT", "2");
          await a.same("RPUSH", "sw", "1", "2");
          b.send("BLPOP", "sw", "5");
          await sleep(30);
          await a.same("SWAPDB", "1", "2");
          await b.sameReplies(1, "BLPOP after SWAPDB");
          await a.same("LRANGE", "sw", "0", "-1");
        } finally {
          await a.close();
          await b.close();
        }
      });

      run("SWAPDB", async (d) => {
        await d.same("SET", "a", "db0");
        await d.same("SELECT", "1");
        await d.same("SET", "b", "db1", "EX", "100");
        await d.same("SWAPDB", "0", "1");
        await d.same("GET", "a");
        await d.same("GET", "b");
        await d.same("SELECT", "0");
        await d.same("GET", "b");
        await d.same("TTL", "b");
        await d.same("SWAPDB", "0", "0");
        await d.same("SWAPDB", "a", "0");
        await d.same("SWAPDB", "0", "a");
        await d.same("SWAPDB", "0", "16");
        await d.same("SWAPDB", "-1", "0");
        await d.same("SWAPDB", "0", "99999999999");
        await d.same("SWAPDB", "0");
      });

      run("COMMAND INFO: arity, flags and key positions", async (d) => {
        const names = ("del unlink exists touch type keys scan rename renamenx randomkey dbsize " +
          "flushdb flushall expire pexpire expireat pexpireat ttl pttl expiretime pexpiretime " +
          "persist copy move get set setnx setex psetex getset getdel getex mget mset msetnx " +
          "incr decr incrby decrby incrbyfloat append strlen getrange substr setrange swapdb " +
          "time watch unwatch").split(" ");
        // name, arity, flags, first key, last key, step (ACL categories, tips and key specs
        // are the core's business)
        const head = (v: RespValue) =>
          Array.isArray(v) ? v.map((i) => Array.isArray(i) ? i.slice(0, 6) : i) : v;
        for (const name of names) await d.sameWith(head, "COMMAND", "INFO", name);
      });

      run("TIME and INFO keyspace", async (d) => {
        await d.sameWith(
          (v) => Array.isArray(v) ? [v.length, Math.round(Number(v[0]) / 10)] : v,
          "TIME",
        );
        await d.same("TIME", "x");
        const keyspace = (v: RespValue) => {
          const text = v instanceof VerbatimString ? v.text : String(v);
          return text.replace(/avg_ttl=\d+/g, "avg_ttl=N");
        };
        await d.sameWith(keyspace, "INFO", "keyspace");
        await d.same("MSET", "a", "1", "b", "2");
        await d.same("EXPIRE", "a", "100");
        await d.same("SELECT", "3");
        await d.same("SET", "c", "1");
        await d.same("SELECT", "0");
        await d.sameWith(keyspace, "INFO", "keyspace");
      });
    });
  }
});
