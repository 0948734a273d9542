/**
 * MEMORY against a real redis-server 7.0.15: USAGE gives Redis's exact numbers for values
 * whose encoding is deterministic (strings, listpacks, intsets, hashtables without a rehash
 * in progress, quicklists) and its order of magnitude otherwise; its errors, HELP, PURGE and
 * the subcommand arity errors are byte-identical in RESP2 and RESP3; STATS and DOCTOR have
 * Redis's shapes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { VerbatimString } from "../../src/resp/types.ts";
import { estimateMemoryUsage } from "../../src/kv/values/memory_usage.ts";
import { createKeyValueServer } from "../../src/kv/mod.ts";
import { connect } from "../helpers/memory_transport.ts";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

const text = (n: number, c = "x") => c.repeat(n);

/** Keys whose MEMORY USAGE must equal Redis's, and the commands that make them. */
const SETUP: string[][] = [
  ["MSET", "a", "1", "bb", "22", "neg", "-5", "n", "12345678901", "big", "12345678901234567890"],
  ["MSET", "s10", "0123456789", "s44", text(44), "s45", text(45), "s100", text(100)],
  ["SET", "s1000", text(1000)],
  ["SET", "s70000", text(70000)],
  ["SET", text(31, "k"), "v"],
  ["SET", text(32, "k"), "v"],
  ["SET", text(300, "k"), "v"],
  ["RPUSH", "l", "a", "b", "c"],
  ["RPUSH", "lnum", "1", "200", "-3000", "70000", "5000000000"],
  ["HSET", "h", "f", "v", "g", "w", "n", "12"],
  ["HSET", "hv", "f", text(70, "z")],
  ["SADD", "st", "m"],
  ["SADD", "si", "1", "2", "3"],
  ["SADD", "si4", "1", "100000"],
  ["SADD", "si8", "1", "10000000000"],
  ["ZADD", "z", "1", "m", "2", "n"],
  ["ZADD", "zf", "1.5", "m", "2.25", "n", "1000000", "o", "-inf", "lo"],
  ["ZADD", "zv", "1", text(70, "z")],
];
const BIG: string[][] = [];
for (let i = 0; i < 600; i++) {
  BIG.push(["RPUSH", "lbig", `item-${i}-${text(20)}`]);
  BIG.push(["RPUSH", "l5k", ...Array.from({ length: 8 }, (_, j) => String(i * 8 + j))]);
  BIG.push(["HSET", "hbig", `f${i}`, `value-${i}`]);
  BIG.push(["SADD", "sint", String(i)]);
  BIG.push(["SADD", "sbig", `m${i}`]);
  BIG.push(["ZADD", "zbig", String(i), `m${i}`]);
}
const EXACT = [
  "a",
  "bb",
  "neg",
  "n",
  "big",
  "s10",
  "s44",
  "s45",
  "s100",
  "s1000",
  "s70000",
  text(31, "k"),
  text(32, "k"),
  text(300, "k"),
  "l",
  "lnum",
  "h",
  "hv",
  "st",
  "si",
  "si4",
  "si8",
  "z",
  "zf",
  "lbig",
  "l5k",
  "hbig",
  "sint",
];
/** Hashtables Redis may be rehashing, skiplists with random levels: within 25%. */
const CLOSE = ["sbig", "zbig", "zv"];

async function fill(d: Differential): Promise<void> {
  for (const command of [...SETUP, ...BIG]) await d.both(...command);
}

describe("MEMORY against redis-server 7.0.15", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  it("MEMORY USAGE gives Redis's numbers, with SAMPLES 5 (default), 1 and 0 (all)", {
    timeout: 60_000,
  }, async () => {
    const d = await fx.open(2);
    await fill(d);
    for (const key of EXACT) {
      await d.same("MEMORY", "USAGE", key);
      await d.same("MEMORY", "USAGE", key, "SAMPLES", "0");
      await d.same("memory", "usage", key, "samples", "1");
    }
    for (const key of CLOSE) {
      for (const samples of ["5", "0"]) {
        const ours = Number(await d.ours.call("MEMORY", "USAGE", key, "SAMPLES", samples));
        const theirs = Number(await d.oracle.call("MEMORY", "USAGE", key, "SAMPLES", samples));
        assert.ok(
          Math.abs(ours - theirs) <= theirs * 0.25,
          `${key} SAMPLES ${samples}: ours ${ours}, redis ${theirs}`,
        );
      }
    }
  });

  for (const protocol of [2, 3] as const) {
    it(`MEMORY errors, missing keys, HELP and PURGE are byte-identical (RESP${protocol})`, async () => {
      const d = await fx.open(protocol);
      await d.both("SET", "a", "1");
      const cases = [
        ["MEMORY"],
        ["MEMORY", "foo"],
        ["MEMORY", "USAGE"],
        ["MEMORY", "USAGE", "missing"],
        ["MEMORY", "USAGE", "missing", "SAMPLES", "x"],
        ["MEMORY", "USAGE", "a", "SAMPLES"],
        ["MEMORY", "USAGE", "a", "SAMPLES", "x"],
        ["MEMORY", "USAGE", "a", "SAMPLES", "-1"],
        ["MEMORY", "USAGE", "a", "SAMPLES", "9223372036854775807"],
        ["MEMORY", "USAGE", "a", "SAMPLES", "9223372036854775808"],
        ["MEMORY", "USAGE", "a", "SAMPLES", "1", "SAMPLES", "2"],
        ["MEMORY", "USAGE", "a", "foo", "1"],
        ["MEMORY", "USAGE", "a", "b"],
        ["MEMORY", "HELP"],
        ["MEMORY", "help", "x"],
        ["MEMORY", "PURGE"],
        ["MEMORY", "PURGE", "x"],
        ["MEMORY", "DOCTOR", "x"],
        ["MEMORY", "STATS", "x"],
        ["MEMORY", "MALLOC-STATS", "x"],
      ];
      for (const command of cases) await d.same(...command);
      // Another database: the key is not there.
      await d.both("SELECT", "1");
      await d.same("MEMORY", "USAGE", "a");
    });
  }

  it("MEMORY STATS: a map with Redis's keys in Redis's order and value types", async () => {
    const d = await fx.open(3);
    await d.both("MSET", "a", "1", "b", "2");
    await d.both("SET", "t", "1", "EX", "100");
    await d.both("SELECT", "2");
    await d.both("SET", "x", "1");
    const ours = await d.ours.call("MEMORY", "STATS") as Map<string, unknown>;
    const theirs = await d.oracle.call("MEMORY", "STATS") as Map<string, unknown>;
    assert.ok(ours instanceof Map && theirs instanceof Map);
    const redisKeys = [...theirs.keys()];
    let at = 0;
    for (const key of ours.keys()) {
      const found = redisKeys.indexOf(key, at);
      assert.ok(found >= 0, `${key} in Redis's order: ${redisKeys.join(",")}`);
      at = found + 1;
      const mine = ours.get(key), redis = theirs.get(key);
      assert.equal(typeof mine, typeof redis, `type of ${key}`);
      if (Number.isInteger(redis) && typeof mine === "number") {
        assert.ok(Number.isInteger(mine), `${key} is an integer`);
      }
      if (redis instanceof Map) {
        assert.deepEqual([...(mine as Map<string, unknown>).keys()], [...redis.keys()]);
      }
    }
    for (
      const key of [
        "peak.allocated",
        "total.allocated",
        "keys.count",
        "db.0",
        "db.2",
        "dataset.bytes",
      ]
    ) assert.ok(ours.has(key), key);
    assert.equal(ours.get("keys.count"), theirs.get("keys.count"));
    const db0 = ours.get("db.0") as Map<string, number>;
    const redisDb0 = theirs.get("db.0") as Map<string, number>;
    // The key dict's overhead is computed as Redis does.
    assert.equal(db0.get("overhead.hashtable.main"), redisDb0.get("overhead.hashtable.main"));
    assert.equal(db0.get("overhead.hashtable.expires"), redisDb0.get("overhead.hashtable.expires"));
  });

  it("MEMORY DOCTOR and MALLOC-STATS are verbatim text as in Redis", async () => {
    const d = await fx.open(3);
    for (const sub of ["DOCTOR", "MALLOC-STATS"]) {
      const ours = await d.ours.call("MEMORY", sub);
      const theirs = await d.oracle.call("MEMORY", sub);
      assert.ok(ours instanceof VerbatimString && theirs instanceof VerbatimString, sub);
      assert.equal(ours.format, theirs.format);
      assert.ok(ours.text.endsWith("\n"), sub);
    }
    const doctor = await d.ours.call("MEMORY", "DOCTOR") as VerbatimString;
    assert.match(doctor.text, /^(Hi )?Sam, /);
  });

  it("COMMAND INFO memory|usage: arity and key positions as Redis", async () => {
    const d = await fx.open(2);
    const pick = (reply: unknown) => {
      const [entry] = reply as unknown[][];
      return [entry[0], entry[1], entry[3], entry[4], entry[5]];
    };
    const ours = await d.ours.call("COMMAND", "INFO", "memory|usage");
    const theirs = await d.oracle.call("COMMAND", "INFO", "memory|usage");
    assert.deepEqual(pick(ours), pick(theirs));
  });
});

describe("MEMORY without the oracle", () => {
  it("estimates Redis 7.0's sizes for strings", () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    assert.equal(estimateMemoryUsage("a", bytes("1")), 48);
    assert.equal(estimateMemoryUsage("s10", bytes("0123456789")), 64);
    assert.equal(estimateMemoryUsage("s44", bytes(text(44))), 96);
    assert.equal(estimateMemoryUsage("s45", bytes(text(45))), 112);
    assert.equal(estimateMemoryUsage("s1000", bytes(text(1000))), 1072);
  });

  it("MEMORY USAGE follows expiry, databases and value changes", async () => {
    const server = createKeyValueServer();
    try {
      const t = connect(server);
      t.send("SET k v PX 20\r\nMEMORY USAGE k\r\nSELECT 1\r\nMEMORY USAGE k\r\nSELECT 0\r\n");
      const [, size, , other] = t.replies();
      assert.equal(size, 64);
      assert.equal(other, null);
      await new Promise((resolve) => setTimeout(resolve, 40));
      t.send(`MEMORY USAGE k\r\nSET k ${text(100)}\r\nMEMORY USAGE k\r\nMEMORY\r\n`);
      const [gone, , bigger, bare] = t.replies();
      assert.equal(gone, null);
      assert.equal(bigger, 160);
      assert.match(String((bare as Error).message), /wrong number of arguments for 'memory'/);
    } finally {
      await server.close();
    }
  });
});
