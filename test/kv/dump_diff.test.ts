/**
 * Differential tests of DUMP and RESTORE against a real redis-server 7.0: payloads of every
 * type and encoding cross both ways (Redis's DUMP restored here, ours restored by Redis) and
 * read back the same; identical payload bytes where the encodings allow; REPLACE, ABSTTL,
 * IDLETIME, FREQ, TTLs, BUSYKEY and the payload errors, RESP2 and RESP3.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectClient, type RawClient } from "../helpers/client.ts";
import {
  Differential,
  type Oracle,
  oracleSkip,
  type OurServer,
  startKeyValueServer,
  startOracle,
} from "../helpers/redis_oracle.ts";
import { crc64 } from "../../src/kv/persistence/crc64.ts";

const range = (n: number, f: (i: number) => string): string[] =>
  Array.from({ length: n }, (_, i) => f(i));

/** A payload with a correct footer around `body` (version `version`). */
function payload(body: number[], version = 10): Uint8Array {
  const out = new Uint8Array(body.length + 10);
  out.set(body);
  out[body.length] = version & 0xff;
  out[body.length + 1] = version >> 8;
  new DataView(out.buffer).setBigUint64(
    body.length + 2,
    crc64(out.subarray(0, body.length + 2)),
    true,
  );
  return out;
}

/** Keys of every type and encoding, created on both servers. */
async function setup(d: Differential): Promise<string[]> {
  const keys: [string, ...string[]][] = [
    ["SET", "s:int", "12"],
    ["SET", "s:neg", "-70000"],
    ["SET", "s:big", "12345678901234567890"],
    ["SET", "s:emb", "hello world"],
    ["SET", "s:empty", ""],
    ["SET", "s:bin", "\x00\xff\r\n"],
    ["SET", "s:raw", "abc".repeat(40)],
    ["SET", "s:rand", range(60, (i) => String.fromCharCode(33 + (i * 37) % 90)).join("")],
    ["RPUSH", "l:small", "a", "1", "-1", "300", "-5000", "70000", "-9000000", "5000000000", ""],
    ["RPUSH", "l:big", ...range(3000, (i) => `element-${i}`)],
    ["RPUSH", "l:long", "x".repeat(5000), "y".repeat(70), "z"],
    ["SADD", "set:int", "1", "-2", "300", "70000", "-5000000000"],
    ["SADD", "set:small16", "1", "2", "3"],
    ["SADD", "set:str", "a", "b", "c", "1"],
    ["SADD", "set:many", ...range(600, String)],
    ["HSET", "h:lp", "f", "v", "n", "123", "neg", "-4097"],
    ["HSET", "h:ht", "f", "v".repeat(100), "g", "1"],
    ["ZADD", "z:lp", "1", "a", "2.5", "b", "-3", "c", "1e300", "d", "inf", "e", "-inf", "f"],
    ["ZADD", "z:sl", "1", "m".repeat(100), "0.1", "x", "-0.5", "y"],
    ["ZADD", "z:many", ...range(200, (i) => `${i / 7} m${i}`).flatMap((s) => s.split(" "))],
  ];
  for (const args of keys) await d.both(...args);
  // Streams: several nodes, varying fields, deletions, groups with pending entries.
  for (let i = 1; i <= 250; i++) {
    const fields = i % 7 === 0 ? ["other", String(i)] : ["f", String(i), "g", "v" + i];
    await d.both("XADD", "x:big", `${1000 + i}-${i % 3}`, ...fields);
  }
  await d.both("XDEL", "x:big", "1005-2", "1100-1", "1250-1");
  await d.both("XGROUP", "CREATE", "x:big", "g1", "0");
  await d.both("XGROUP", "CREATE", "x:big", "g2", "$");
  await d.both("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "x:big", ">");
  await d.both("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "x:big", ">");
  await d.both("XACK", "x:big", "g1", "1002-2");
  await d.both("XADD", "x:small", "1-1", "a", "1");
  await d.both("XADD", "x:empty", "5-5", "a", "1");
  await d.both("XDEL", "x:empty", "5-5");
  await d.both("XADD", "x:huge", "18446744073709551615-18446744073709551614", "k", "v");
  return [...keys.map((k) => k[1]), "x:big", "x:small", "x:empty", "x:huge"];
}

/** Compares what both servers hold at `key`. */
async function sameValue(d: Differential, key: string): Promise<void> {
  const type = String(await d.same("TYPE", key));
  await d.same("OBJECT", "ENCODING", key);
  if (type === "string") await d.same("GET", key);
  else if (type === "list") await d.same("LRANGE", key, "0", "-1");
  else if (type === "set") await d.sameUnordered("SMEMBERS", key);
  else if (type === "hash") {
    // RESP3 maps keep each server's hashtable order: compare fields and values as sets.
    await d.sameUnordered("HKEYS", key);
    await d.sameUnordered("HVALS", key);
    for (const field of ["f", "g", "n", "neg"]) await d.same("HGET", key, field);
  } else if (type === "zset") await d.same("ZRANGE", key, "0", "-1", "WITHSCORES");
}

describe("kv DUMP and RESTORE vs redis-server", { skip: oracleSkip }, () => {
  let oracle: Oracle;
  let ours: OurServer;
  before(async () => {
    oracle = await startOracle();
    ours = await startKeyValueServer();
  });
  after(async () => {
    await ours?.stop();
    await oracle?.stop();
  });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      let d: Differential;
      let a: RawClient; // ours
      let b: RawClient; // redis
      const run = (name: string, body: () => Promise<void>) =>
        it(name, async () => {
          d = await Differential.open(ours.target, oracle.target, protocol);
          a = await connectClient(ours.target, { bulkAsString: false });
          b = await connectClient(oracle.target, { bulkAsString: false });
          try {
            await d.both("FLUSHALL");
            await body();
          } finally {
            await d.close();
            await a.close();
            await b.close();
          }
        });

      run("payloads cross both ways and read back the same", async () => {
        for (const key of await setup(d)) {
          const theirs = await b.call("DUMP", key) as Uint8Array;
          const mine = await a.call("DUMP", key) as Uint8Array;
          assert.ok(theirs instanceof Uint8Array && mine instanceof Uint8Array, key);
          for (const [suffix, p] of [[":from-redis", theirs], [":from-ours", mine]] as const) {
            assert.equal(String(await a.call("RESTORE", key + suffix, "0", p)), "OK", key);
            assert.equal(String(await b.call("RESTORE", key + suffix, "0", p)), "OK", key);
            await sameValue(d, key + suffix);
          }
        }
      });

      run(
        "identical payload bytes where Redis compresses nothing (short strings and blobs)",
        async () => {
          await setup(d);
          for (
            const key of [
              "s:int",
              "s:neg",
              "s:big",
              "s:emb",
              "s:empty",
              "s:bin",
              "s:rand",
              "l:small",
              "set:small16",
              "h:lp",
            ]
          ) await d.same("DUMP", key);
          await d.same("DUMP", "missing");
        },
      );

      run("REPLACE, TTLs, ABSTTL, IDLETIME, FREQ", async () => {
        await d.both("SET", "k", "v");
        const p = await b.call("DUMP", "k") as Uint8Array;
        await d.same("RESTORE", "k", "0", p);
        await d.same("RESTORE", "k", "0", p, "REPLACE");
        await d.same("RESTORE", "t", "100000", p);
        await d.same("TTL", "t");
        await d.same("RESTORE", "t2", "1", p, "ABSTTL");
        await d.same("EXISTS", "t2");
        await d.same("RESTORE", "k", "1", p, "ABSTTL", "REPLACE");
        await d.same("EXISTS", "k");
        await d.same("RESTORE", "t3", String(Date.now() + 100_000_000), p, "ABSTTL");
        await d.same("TTL", "t3");
        await d.same("RESTORE", "i", "0", p, "IDLETIME", "1000");
        await d.same("RESTORE", "f", "0", p, "FREQ", "100");
        await d.same("RESTORE", "x", "0", p, "IDLETIME", "-1");
        await d.same("RESTORE", "x", "0", p, "IDLETIME", "abc");
        await d.same("RESTORE", "x", "0", p, "FREQ", "256");
        await d.same("RESTORE", "x", "0", p, "FREQ", "-1");
        await d.same("RESTORE", "x", "0", p, "FREQ", "1", "IDLETIME", "1");
        await d.same("RESTORE", "x", "0", p, "IDLETIME", "1", "FREQ", "1");
        await d.same("RESTORE", "x", "0", p, "IDLETIME");
        await d.same("RESTORE", "x", "0", p, "FOO");
        await d.same("RESTORE", "x", "-1", p);
        await d.same("RESTORE", "x", "abc", p);
        await d.same("RESTORE", "t", "-1", p);
        await d.same("EXISTS", "x");
      });

      run("payload errors store nothing", async () => {
        await d.both("SET", "k", "v");
        const p = await b.call("DUMP", "k") as Uint8Array;
        const flipped = p.slice();
        flipped[flipped.length - 1] ^= 1;
        await d.same("RESTORE", "x", "0", flipped);
        const body = Array.from(p.subarray(0, p.length - 10));
        await d.same("RESTORE", "x", "0", payload(body, 11));
        await d.same("RESTORE", "x", "0", payload(body, 9));
        await d.same("RESTORE", "x", "0", payload([99, 1, 2]));
        await d.same("RESTORE", "x", "0", payload([2, 0]));
        await d.same("RESTORE", "x", "0", payload([0, 5, 97]));
        await d.same("RESTORE", "x", "0", "short");
        await d.same("RESTORE", "x", "0", "");
        await d.same("EXISTS", "x");
        await d.same("RESTORE", "k", "0", flipped);
        await d.same("DUMP");
        await d.same("RESTORE", "k", "0");
        await d.same("COMMAND", "INFO", "DUMP", "RESTORE");
      });
    });
  }
});
