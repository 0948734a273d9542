/**
 * Scripts that write and then run past busy-reply-threshold, on their FIRST long run, against
 * a real redis-server 7.0, RESP2 and RESP3: other clients get -BUSY while it runs, SCRIPT KILL
 * and FUNCTION KILL answer UNKILLABLE, and the script's reply and the data after it are
 * Redis's. Ours stops the plain run at the threshold and restarts it suspendable, replaying
 * the recorded replies of its calls (runner.ts, replay.ts): these tests check that nothing
 * ran twice (INCR, RPUSH), that math.random, pcall'd errors, RESP3 replies and SELECT
 * survive the restart, and that EVAL inside MULTI and FCALL behave alike. Last, on our server
 * only: a script whose restarted run makes other calls than its first is stopped with an
 * error, its first run's writes kept.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectClient } from "../../helpers/client.ts";
import {
  type Differential,
  oracleFixture,
  oracleSkip,
  sleep,
  startKeyValueServer,
  toPlain,
} from "../../helpers/redis_oracle.ts";
import { busyClients, restoreThreshold } from "./busy_clients.ts";
import { encodeCommand } from "../../../src/resp/writer.ts";

/** Loops on TIME until ARGV[1] microseconds have passed since `start` (a Lua local). */
const SPIN = `local s = redis.call('TIME')
local start = s[1] * 1000000 + s[2]
repeat local t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > tonumber(ARGV[1])`;

/**
 * How long (µs of TIME) the scripts of the differential tests spin: far beyond the 700 ms
 * at which the other client looks, so that on a loaded machine both servers are still
 * running the script then.
 */
const LONG = "4000000";
// Each differential test spins LONG on both servers, above Bun's default 5 s test limit.

/** Writes, reads back, errors caught by pcall, a RESP3 map, math.random; then SPIN. */
const WRITER = `local r = math.random(1000000)
local n = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], 'start', n, r)
local err = redis.pcall('INCR', KEYS[2])
redis.setresp(3)
redis.call('HSET', KEYS[3], 'f', n)
local map = redis.call('HGETALL', KEYS[3])
redis.setresp(2)
${SPIN}
local x = 0
for i = 1, 200000 do x = x + i % 7 end
redis.call('RPUSH', KEYS[2], 'end', n, x)
return {n, r, err.err, map.map.f, redis.call('LRANGE', KEYS[2], 0, -1)}`;

describe("scripts that wrote, past busy-reply-threshold, vs redis-server", {
  skip: oracleSkip,
}, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const pair = () => busyClients(fx, protocol);
      const done = restoreThreshold;
      /** What another client sees while the script runs (sent 700 ms after it). */
      const busy = async (b: Differential) => {
        await sleep(700);
        await b.same("GET", "n");
        await b.same("SCRIPT", "KILL");
        await b.same("FUNCTION", "KILL");
        await b.same("PING");
      };
      const data = async (b: Differential) => {
        await b.same("GET", "n");
        await b.same("LRANGE", "l", "0", "-1");
        await b.same("HGETALL", "h");
      };

      it(
        "EVAL, first long run: BUSY, UNKILLABLE, each write made once",
        { timeout: 30_000 },
        async () => {
          const [a, b] = await pair();
          await b.same("SET", "n", "41");
          a.send("EVAL", WRITER, "3", "n", "l", "h", LONG);
          await busy(b);
          await a.sameReplies(1, "the script's reply");
          await data(b);
          // Its second long run is suspendable from its start.
          a.send("EVAL", WRITER, "3", "n", "l", "h", LONG);
          await busy(b);
          await a.sameReplies(1, "the second run's reply");
          await data(b);
          await done(b);
        },
      );

      it(
        "FCALL, first long run: BUSY, UNKILLABLE, each write made once",
        { timeout: 30_000 },
        async () => {
          const [a, b] = await pair();
          await b.same("FUNCTION", "FLUSH");
          await b.same(
            "FUNCTION",
            "LOAD",
            `#!lua name=w\nredis.register_function('w', function(KEYS, ARGV)\n${WRITER}\nend)`,
          );
          a.send("FCALL", "w", "3", "n", "l", "h", LONG);
          await busy(b);
          await a.sameReplies(1, "the function's reply");
          await data(b);
          await b.same("FUNCTION", "FLUSH");
          await done(b);
        },
      );

      it(
        "EVAL inside MULTI/EXEC: BUSY, UNKILLABLE, the transaction's replies",
        { timeout: 30_000 },
        async () => {
          const [a, b] = await pair();
          a.send("MULTI");
          a.send("SET", "m", "before");
          a.send("EVAL", WRITER, "3", "n", "l", "h", LONG);
          a.send("GET", "m");
          a.send("EXEC");
          await busy(b);
          await a.sameReplies(5, "MULTI ... EXEC");
          await data(b);
          await done(b);
        },
      );

      it("many calls (a full log) before it writes, after it writes, then long", {
        timeout: 30_000,
      }, async () => {
        const [a, b] = await pair();
        for (
          const [label, body] of [
            ["reads, then a write", "for i = 1, 70000 do redis.call('GET', 'n') end"],
            ["writes", "for i = 1, 70000 do redis.call('RPUSH', 'l', i) end"],
          ]
        ) {
          a.send(
            "EVAL",
            `${body}\nlocal n = redis.call('INCR', 'n')\n${SPIN}\nreturn {n, redis.call('LLEN', 'l')}`,
            "0",
            LONG,
          );
          await busy(b);
          await a.sameReplies(1, `${label}: the script's reply`);
          await data(b);
        }
        await done(b);
      });

      it(
        "SELECT in the script: the live part writes where the first run was",
        { timeout: 30_000 },
        async () => {
          const [a, b] = await pair();
          a.send(
            "EVAL",
            `redis.call('SELECT', 3)
redis.call('INCR', 'n')
${SPIN}
redis.call('RPUSH', 'l', 'after')
return redis.call('LRANGE', 'l', 0, -1)`,
            "0",
            LONG,
          );
          await busy(b);
          await a.sameReplies(1, "the script's reply");
          await data(b);
          await b.same("SELECT", "3");
          await data(b);
          await b.same("SELECT", "0");
          await done(b);
        },
      );

      // A suspended EVAL/FCALL holds its connection's later commands (CommandSpec.inOrder).
      it("pipelined behind the script: the caller's next command runs after it", {
        timeout: 30_000,
      }, async () => {
        const [a, b] = await pair();
        const request = new Uint8Array([
          ...encodeCommand(["EVAL", `redis.call('INCR', 'n')\n${SPIN}\nreturn 1`, "0", LONG]),
          ...encodeCommand(["INCR", "n"]),
        ]);
        a.ours.write(request);
        a.oracle.write(request);
        await busy(b);
        await a.sameReplies(2, "the script's reply, then INCR's");
        await data(b);
        await done(b);
      });
    });
  }
});

describe("a restarted script that diverges from its first run (ours only)", () => {
  it("is stopped with an error; its first run's writes stay", async () => {
    const server = await startKeyValueServer();
    const client = await connectClient(server.target);
    const text = async (...args: string[]) => {
      const value = await client.call(...args);
      return value instanceof Error ? value.message : String(toPlain(value));
    };
    try {
      await text("CONFIG", "SET", "busy-reply-threshold", "100");
      // A table's address differs between the two runs: the SET is not the same call.
      assert.match(
        await text(
          "EVAL",
          `redis.call('SET', 'k', tostring({}))\n${SPIN}\nreturn 1`,
          "0",
          "1000000",
        ),
        /^ERR Error running script [0-9a-f]{40}: restarted past busy-reply-threshold, its call 1 \(SET\) is not its first run's \(SET\) \(the writes of its first run stay\)$/,
      );
      assert.match(await text("GET", "k"), /^table: /);
      // One that did not write is run again, live from its start.
      assert.equal(
        await text("EVAL", `redis.call('GET', tostring({}))\n${SPIN}\nreturn 'ok'`, "0", "1000000"),
        "ok",
      );
      // A library's upvalue changes between the runs: the restarted one returns at once.
      await text(
        "FUNCTION",
        "LOAD",
        `#!lua name=d\nlocal runs = 0\nredis.register_function('d', function(KEYS, ARGV)
runs = runs + 1
if runs == 1 then redis.call('INCR', 'c')\n${SPIN}\nend
return runs end)`,
      );
      assert.equal(
        await text("FCALL", "d", "0", "1000000"),
        "ERR Error running script d: restarted past busy-reply-threshold, it ended before its call 1 (INCR) (the writes of its first run stay)",
      );
      assert.equal(await text("GET", "c"), "1");
      assert.equal(await text("PING"), "PONG");
      await text("CONFIG", "SET", "busy-reply-threshold", "5000");
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
