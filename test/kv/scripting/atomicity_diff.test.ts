/**
 * Scripts and the other clients, against a real redis-server 7.0 in RESP2 and RESP3: a
 * script's writes fail another client's WATCH/EXEC, a client blocked in BLPOP is served after
 * the script (which sees the list it pushed), scripts inside MULTI, FUNCTION calls likewise.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip } from "../../helpers/redis_oracle.ts";

describe("scripts and other clients vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it("a script's write fails a WATCHing client's EXEC; a read does not", async () => {
        const a = await fx.open(protocol);
        const b = await fx.open(protocol, false);
        await a.both("SET", "w", "1");
        await a.same("WATCH", "w");
        await b.same("EVAL", "return redis.call('GET', KEYS[1])", "1", "w");
        await a.same("MULTI");
        await a.same("INCR", "w");
        await a.same("EXEC");
        await a.same("WATCH", "w");
        await b.same("EVAL", "return redis.call('SET', KEYS[1], 'x')", "1", "w");
        await a.same("MULTI");
        await a.same("GET", "w");
        await a.same("EXEC");
        await a.same("WATCH", "w");
        await b.same("EVAL_RO", "return redis.call('SET', KEYS[1], 'y')", "1", "w");
        await a.same("MULTI");
        await a.same("GET", "w");
        await a.same("EXEC");
      });

      it("a blocked client is served after the script that pushed", async () => {
        const a = await fx.open(protocol);
        const b = await fx.open(protocol, false);
        a.send("BLPOP", "bl", "5");
        await new Promise((resolve) => setTimeout(resolve, 100));
        await b.same(
          "EVAL",
          "redis.call('RPUSH', KEYS[1], 'one', 'two'); return redis.call('LRANGE', KEYS[1], 0, -1)",
          "1",
          "bl",
        );
        await a.sameReplies(1, "BLPOP served after EVAL");
        await b.same("LRANGE", "bl", "0", "-1");
        a.send("BLPOP", "bl2", "5");
        await new Promise((resolve) => setTimeout(resolve, 100));
        await b.same(
          "EVAL",
          "redis.call('RPUSH', KEYS[1], 'x'); redis.call('LPOP', KEYS[1]); return redis.call('LLEN', KEYS[1])",
          "1",
          "bl2",
        );
        await b.same("RPUSH", "bl2", "y");
        await a.sameReplies(1, "BLPOP after a script that pushed and popped");
      });

      it("EVAL and FCALL inside MULTI, with errors", async () => {
        const d: Differential = await fx.open(protocol);
        await d.same("FUNCTION", "FLUSH");
        await d.same(
          "FUNCTION",
          "LOAD",
          "#!lua name=tx\nredis.register_function('bump', function(k) return redis.call('INCR', k[1]) end)",
        );
        await d.same("MULTI");
        await d.same("EVAL", "return redis.call('INCR', KEYS[1])", "1", "c");
        await d.same("FCALL", "bump", "1", "c");
        await d.same("EVAL", "return redis.call('LPUSH', KEYS[1], 'x')", "1", "c");
        await d.same("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0");
        await d.same("GET", "c");
        await d.same("EXEC");
        await d.same("FUNCTION", "FLUSH");
      });
    });
  }
});
