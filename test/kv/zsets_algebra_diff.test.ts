/**
 * Differential tests of ZUNION, ZINTER, ZDIFF (and STORE forms), ZINTERCARD, ZRANGESTORE and
 * ZRANDMEMBER against a real redis-server 7.0, RESP2 and RESP3. ZRANDMEMBER's picks are
 * random: its replies are compared by shape (counts, distinctness, membership) and errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RespValue } from "../../src/resp/types.ts";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

const text = (v: RespValue): string =>
  v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);

/** A ZRANDMEMBER reply reduced to what does not depend on chance (distinct counts). */
const randomShape = (distinct: boolean) => (v: RespValue): unknown => {
  if (!Array.isArray(v)) return v;
  const members = v.flat().map(text).filter((_, i) => i % 2 === 0 || v.length === v.flat().length);
  return { length: v.length, distinct: distinct ? new Set(members).size : undefined };
};

describe("kv sorted-set algebra vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      const setup = async (d: Differential) => {
        await d.both("ZADD", "a", "1", "x", "2", "y", "3", "z", "-inf", "n");
        await d.both("ZADD", "b", "10", "y", "20", "z", "30", "w", "inf", "n");
        await d.both("SADD", "s", "x", "w", "q");
        await d.both("ZADD", "c", "1.5", "x");
      };

      run("ZUNION, ZINTER, ZDIFF with WEIGHTS, AGGREGATE, WITHSCORES, sets", async (d) => {
        await setup(d);
        for (const op of ["ZUNION", "ZINTER"]) {
          await d.same(op, "2", "a", "b");
          await d.same(op, "2", "a", "b", "WITHSCORES");
          await d.same(op, "3", "a", "b", "s", "WITHSCORES");
          await d.same(op, "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES");
          await d.same(op, "2", "a", "b", "WEIGHTS", "0", "0", "WITHSCORES");
          await d.same(op, "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES");
          await d.same(op, "2", "a", "b", "AGGREGATE", "max", "WITHSCORES");
          await d.same(op, "2", "a", "a", "WITHSCORES");
          await d.same(op, "2", "a", "nokey", "WITHSCORES");
          await d.same(op, "1", "nokey");
          await d.same(op, "2", "a", "b", "WEIGHTS", "1");
          await d.same(op, "2", "a", "b", "WEIGHTS", "1", "x");
          await d.same(op, "2", "a", "b", "AGGREGATE", "AVG");
          await d.same(op, "2", "a", "b", "AGGREGATE");
          await d.same(op, "2", "a", "b", "FOO");
          await d.same(op, "0", "a");
          await d.same(op, "-1", "a");
          await d.same(op, "x", "a");
          await d.same(op, "3", "a", "b");
        }
        await d.same("ZDIFF", "2", "a", "b", "WITHSCORES");
        await d.same("ZDIFF", "3", "a", "s", "c");
        await d.same("ZDIFF", "2", "s", "b", "WITHSCORES");
        await d.same("ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2");
        await d.same("ZDIFF", "1", "nokey");
        await d.same("SET", "str", "v");
        await d.same("ZUNION", "2", "a", "str");
        await d.same("ZINTER", "2", "str", "nokey");
        await d.same("ZDIFF", "2", "nokey", "str");
      });

      run("STORE forms, ZINTERCARD, ZRANGESTORE", async (d) => {
        await setup(d);
        for (const op of ["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]) {
          await d.same(op, "dst", "2", "a", "b");
          await d.same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
          await d.same("MEMORY", "USAGE", "dst");
          await d.same(op, "dst", "2", "a", "b", "WITHSCORES");
          await d.same(op, "dst", "1", "nokey");
          await d.same("EXISTS", "dst");
          await d.same(op, "dst", "0", "a");
        }
        await d.same("ZUNIONSTORE", "dst", "3", "a", "b", "s", "WEIGHTS", "1", "2", "3");
        await d.same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
        await d.same("ZINTERSTORE", "str", "2", "a", "b", "AGGREGATE", "MAX");
        await d.same("TYPE", "str");
        await d.same("ZINTERCARD", "2", "a", "b");
        await d.same("ZINTERCARD", "2", "a", "b", "LIMIT", "1");
        await d.same("ZINTERCARD", "2", "a", "b", "LIMIT", "0");
        await d.same("ZINTERCARD", "2", "a", "b", "LIMIT", "-1");
        await d.same("ZINTERCARD", "3", "a", "b", "s");
        await d.same("ZINTERCARD", "2", "a", "b", "WITHSCORES");
        await d.same("ZINTERCARD", "0", "a");
        await d.same("ZINTERCARD", "1", "nokey");
        await d.same("ZRANGESTORE", "r", "a", "0", "-1");
        await d.same("ZRANGE", "r", "0", "-1", "WITHSCORES");
        await d.same("MEMORY", "USAGE", "r");
        await d.same("ZRANGESTORE", "r", "b", "(10", "+inf", "BYSCORE", "LIMIT", "0", "1");
        await d.same("ZRANGE", "r", "0", "-1", "WITHSCORES");
        await d.same("MEMORY", "USAGE", "r");
        await d.same("ZRANGESTORE", "r", "a", "[y", "+", "BYLEX");
        await d.same("ZRANGESTORE", "r", "a", "+", "[y", "BYLEX", "REV");
        await d.same("ZRANGE", "r", "0", "-1");
        await d.same("ZRANGESTORE", "r", "a", "5", "9");
        await d.same("EXISTS", "r");
        await d.same("ZRANGESTORE", "r", "nokey", "0", "-1");
        await d.same("ZRANGESTORE", "r", "a", "0", "-1", "WITHSCORES");
        await d.same("ZRANGESTORE", "r", "a", "0", "-1", "LIMIT", "0", "1");
        await d.same("ZRANGESTORE", "r", "s", "0", "-1");
      });

      run("ZRANDMEMBER: counts, WITHSCORES, errors", async (d) => {
        await setup(d);
        await d.same("ZRANDMEMBER", "nokey");
        await d.same("ZRANDMEMBER", "nokey", "5");
        await d.same("ZRANDMEMBER", "c");
        await d.same("ZRANDMEMBER", "c", "1", "WITHSCORES");
        await d.same("ZRANDMEMBER", "a", "0");
        for (const count of ["1", "3", "4", "10", "-1", "-10"]) {
          const shape = randomShape(!count.startsWith("-"));
          await d.sameWith(shape, "ZRANDMEMBER", "a", count);
          await d.sameWith(shape, "ZRANDMEMBER", "a", count, "WITHSCORES");
        }
        const members = await d.both("ZRANDMEMBER", "a", "20");
        assert.deepEqual((members as RespValue[]).map(text).sort(), ["n", "x", "y", "z"]);
        await d.same("ZRANDMEMBER", "a", "x");
        await d.same("ZRANDMEMBER", "a", "1", "FOO");
        await d.same("ZRANDMEMBER", "a", "1", "WITHSCORES", "x");
        await d.same("ZRANDMEMBER", "a", "-9223372036854775808");
        await d.same("ZRANDMEMBER", "a", "9223372036854775807", "WITHSCORES");
        await d.same("ZRANDMEMBER", "s", "1");
        await d.same("ZRANDMEMBER", "s");
      });
    });
  }
});
