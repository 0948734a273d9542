/**
 * Differential tests of small sorted sets (Redis's listpack encoding) against a real
 * redis-server 7.0, RESP2 and RESP3: the (score, member) order with ties and -0, lex ranges
 * over mixed scores (Redis scans a listpack linearly), the conversions to a skiplist at
 * zset-max-listpack-entries / -value (and their CONFIG SET), the encodings ZUNIONSTORE,
 * ZRANGESTORE, GEOSEARCHSTORE, RESTORE and SORT leave, and a seeded random mix of every
 * sorted-set command on sets around the size limit.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCORES = ["0", "-0", "1", "1", "2", "-1.5", "inf", "-inf", "3.25", "1e3", "7"];
const MEMBERS = ["a", "b", "c", "ab", "", "zz", "a\xff", "\x00x", "m:10", "m:9", "B"];
const BOUNDS = ["-", "+", "[a", "(a", "[b", "(m", "[zz", "(", "[", "[\xff", "[B"];
const SCORE_BOUNDS = ["-inf", "+inf", "0", "(0", "1", "(1", "2.5", "(7", "-2", "1000"];

describe("kv small sorted sets (listpack) vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("order by score then member bytes, ties, -0 stored as 0", async (d) => {
        await d.same("ZADD", "z", "1", "b", "1", "a", "1", "a\xff", "1", "", "0", "x", "-0", "y");
        await d.same("ZRANGE", "z", "0", "-1", "WITHSCORES");
        await d.same("ZSCORE", "z", "y");
        await d.same("ZINCRBY", "z", "-0", "x");
        await d.same("ZADD", "z", "INCR", "-1", "b");
        await d.same("ZRANGE", "z", "0", "-1", "WITHSCORES");
        await d.same("ZREVRANGE", "z", "0", "2", "WITHSCORES");
        await d.same("ZRANK", "z", "a\xff");
        await d.same("ZREVRANK", "z", "a\xff");
        await d.same("OBJECT", "ENCODING", "z");
        await d.same("ZSCAN", "z", "0");
        await d.same("ZSCAN", "z", "0", "MATCH", "a*");
        await d.same("ZMSCORE", "z", "a", "nope", "");
        await d.same("ZPOPMAX", "z", "2");
        await d.same("ZPOPMIN", "z");
        await d.same("ZPOPMIN", "z", "10");
        await d.same("EXISTS", "z");
      });

      run("lex ranges over mixed scores scan the listpack", async (d) => {
        await d.same("ZADD", "m", "1", "d", "2", "a", "3", "c", "4", "b", "5", "e");
        for (const [lo, hi] of [["[b", "[d"], ["-", "[c"], ["(a", "+"], ["[c", "(e"]]) {
          await d.same("ZRANGEBYLEX", "m", lo, hi);
          await d.same("ZREVRANGEBYLEX", "m", hi, lo);
          await d.same("ZRANGEBYLEX", "m", lo, hi, "LIMIT", "1", "2");
          await d.same("ZLEXCOUNT", "m", lo, hi);
        }
        await d.same("ZREMRANGEBYLEX", "m", "[b", "[d");
        await d.same("ZRANGE", "m", "0", "-1", "WITHSCORES");
      });

      run("conversions at the entry and value limits, one way", async (d) => {
        const args: string[] = [];
        for (let i = 0; i < 128; i++) args.push(String(i % 7), `m${i}`);
        await d.same("ZADD", "e", ...args);
        await d.same("OBJECT", "ENCODING", "e");
        await d.same("ZADD", "e", "1", "one-more");
        await d.same("OBJECT", "ENCODING", "e");
        await d.same("ZREMRANGEBYRANK", "e", "0", "-3");
        await d.same("OBJECT", "ENCODING", "e");
        await d.same("ZRANGE", "e", "0", "-1", "WITHSCORES");
        await d.same("ZADD", "v", "1", "x".repeat(64));
        await d.same("OBJECT", "ENCODING", "v");
        await d.same("ZADD", "v", "2", "y".repeat(65));
        await d.same("OBJECT", "ENCODING", "v");
        await d.same("ZADD", "w", "1", "y".repeat(65));
        await d.same("OBJECT", "ENCODING", "w");
        await d.both("CONFIG", "SET", "zset-max-listpack-value", "400");
        try {
          await d.same("ZADD", "long", "2", "q".repeat(300), "1", "p".repeat(256), "3", "r");
          await d.same("OBJECT", "ENCODING", "long");
          await d.same("ZRANGE", "long", "0", "-1", "WITHSCORES");
          await d.same("ZRANK", "long", "q".repeat(300));
          await d.same("ZREM", "long", "p".repeat(256));
          await d.same("ZRANGEBYLEX", "long", "-", "+");
        } finally {
          await d.both("CONFIG", "SET", "zset-max-listpack-value", "64");
        }
      });

      run("encodings of stored results, RESTORE and SORT", async (d) => {
        await d.same("ZADD", "s", "3", "c", "1", "a", "2", "b");
        await d.same("ZUNIONSTORE", "u", "1", "s");
        await d.same("OBJECT", "ENCODING", "u");
        await d.same("ZRANGESTORE", "r", "s", "0", "1");
        await d.same("OBJECT", "ENCODING", "r");
        await d.same("ZRANGE", "r", "0", "-1", "WITHSCORES");
        const dump = await d.both("DUMP", "s");
        await d.same("RESTORE", "s2", "0", dump as Uint8Array);
        await d.same("OBJECT", "ENCODING", "s2");
        await d.same("ZRANGE", "s2", "0", "-1", "WITHSCORES");
        await d.same("SORT", "s", "ALPHA");
        await d.same("OBJECT", "ENCODING", "s");
        await d.same(
          "GEOADD",
          "g",
          "13.361389",
          "38.115556",
          "Palermo",
          "15.087269",
          "37.502669",
          "Catania",
        );
        await d.same("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC");
        await d.same(
          "GEOSEARCHSTORE",
          "gs",
          "g",
          "FROMLONLAT",
          "15",
          "37",
          "BYRADIUS",
          "200",
          "km",
        );
        await d.same("OBJECT", "ENCODING", "gs");
        await d.same("ZRANGE", "gs", "0", "-1", "WITHSCORES");
      });

      run("a seeded mix of commands on sets around the size limit", async (d) => {
        const next = random(protocol * 7919);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
        const member = (): string => next() < 0.7 ? pick(MEMBERS) : `k${Math.floor(next() * 140)}`;
        const score = (): string => pick(SCORES);
        // "q" keeps one score, so that its lex ranges are well defined in either encoding;
        // "p" mixes scores, and is asked lex ranges only while a listpack (a skiplist's
        // answer then depends on its random levels, in Redis too).
        const lexKey = async (): Promise<string> =>
          String(await d.both("OBJECT", "ENCODING", "p")) === "listpack" ? "p" : "q";
        for (let step = 0; step < 600; step++) {
          let key = pick(["p", "q"]);
          const r = next();
          if ((r >= 0.47 && r < 0.55) || (r >= 0.7 && r < 0.74) || (r >= 0.86 && r < 0.88)) {
            key = await lexKey();
          }
          let args: string[];
          if (r < 0.35) {
            args = ["ZADD", key];
            if (next() < 0.2) args.push(pick(["NX", "XX", "GT", "LT", "CH"]));
            for (let n = 1 + Math.floor(next() * 8); n > 0; n--) {
              args.push(key === "q" ? "1" : score(), member());
            }
          } else if (r < 0.4) args = ["ZINCRBY", key, key === "q" ? "0" : score(), member()];
          else if (r < 0.47) args = ["ZREM", key, member(), member()];
          else if (r < 0.55) {
            args = ["ZRANGE", key, pick(BOUNDS), pick(BOUNDS), "BYLEX"];
            if (next() < 0.5) args.push("REV");
            if (next() < 0.3) args.push("LIMIT", String(Math.floor(next() * 3)), "2");
          } else if (r < 0.63) {
            args = ["ZRANGE", key, pick(SCORE_BOUNDS), pick(SCORE_BOUNDS), "BYSCORE"];
            if (next() < 0.5) args.push("REV");
            if (next() < 0.3) args.push("LIMIT", String(Math.floor(next() * 3)), "-1");
            args.push("WITHSCORES");
          } else if (r < 0.7) {
            args = [
              "ZRANGE",
              key,
              String(Math.floor(next() * 9) - 4),
              String(Math.floor(next() * 9) - 4),
            ];
            if (next() < 0.5) args.push("REV");
          } else if (r < 0.74) args = ["ZLEXCOUNT", key, pick(BOUNDS), pick(BOUNDS)];
          else if (r < 0.78) args = ["ZCOUNT", key, pick(SCORE_BOUNDS), pick(SCORE_BOUNDS)];
          else if (r < 0.83) args = [pick(["ZRANK", "ZREVRANK", "ZSCORE"]), key, member()];
          else if (r < 0.86) {
            args = [pick(["ZPOPMIN", "ZPOPMAX"]), key, String(1 + Math.floor(next() * 3))];
          } else if (r < 0.88) args = ["ZREMRANGEBYLEX", key, pick(BOUNDS), pick(BOUNDS)];
          else if (r < 0.9) {
            args = ["ZREMRANGEBYSCORE", key, pick(SCORE_BOUNDS), pick(SCORE_BOUNDS)];
          } else if (r < 0.92) args = ["ZREMRANGEBYRANK", key, "0", String(Math.floor(next() * 3))];
          else if (r < 0.96) args = ["OBJECT", "ENCODING", key];
          else args = ["ZRANGE", key, "0", "-1", "WITHSCORES"];
          await d.same(...args);
        }
        await d.same("ZRANGE", "p", "0", "-1", "WITHSCORES");
        await d.same("ZRANGE", "q", "0", "-1", "WITHSCORES");
      });
    });
  }
});
