/**
 * Long scripts against a real redis-server 7.0, RESP2 and RESP3: past busy-reply-threshold
 * other clients get -BUSY (allow_busy commands still run), SCRIPT KILL stops a read-only
 * script (its caller gets "Script killed by user with SCRIPT KILL..."), a script that wrote is
 * UNKILLABLE, FUNCTION KILL/STATS answer as Redis does, and NOTBUSY once it is over. The
 * first long run of a script that wrote is tested in busy_writes_diff.
 */
import { after, before, describe, it } from "node:test";
import { oracleFixture, oracleSkip, sleep } from "../../helpers/redis_oracle.ts";
import { busyClients, restoreThreshold } from "./busy_clients.ts";

describe("long scripts vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const pair = () => busyClients(fx, protocol);
      const done = restoreThreshold;

      it("BUSY for others, allow_busy commands, SCRIPT KILL of a read-only script", async () => {
        const [a, b] = await pair();
        a.send("EVAL", "local i = 0 while true do i = i + 1 end", "0");
        await sleep(500);
        await b.same("GET", "x");
        await b.same("PING");
        await b.same("MULTI");
        await b.same("SET", "x", "1");
        await b.same("DISCARD");
        await b.same("FUNCTION", "STATS");
        await b.same("FUNCTION", "KILL");
        await b.same("SCRIPT", "KILL");
        await a.sameReplies(1, "the killed script's reply");
        await b.same("SCRIPT", "KILL");
        await b.same("GET", "x");
        await done(b);
      });

      it("a script that wrote is UNKILLABLE and ends by itself (its second long run)", async () => {
        const [a, b] = await pair();
        // A first run past the threshold teaches the server to run this script suspendable
        // from its start, as the second run below is (first runs: busy_writes_diff).
        const script = `redis.call('SET', KEYS[1], ARGV[1])
local s = redis.call('TIME')
local start = s[1] * 1000000 + s[2]
repeat local t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > tonumber(ARGV[1])
return 'done'`;
        await a.same("EVAL", script, "1", "w", "300000");
        a.send("EVAL", script, "1", "w", "1500000");
        await sleep(450);
        await b.same("SCRIPT", "KILL");
        await b.same("GET", "w");
        await a.sameReplies(1, "the script's reply");
        await b.same("GET", "w");
        await done(b);
      });

      it("a script spinning in nested calls and pcall is suspended and killed", async () => {
        const [a, b] = await pair();
        a.send(
          "EVAL",
          `local function spin(n) local i = 0 while true do i = i + n end end
local function outer() return pcall(spin, 1) end
local ok, err = outer()
for i = 1, 3 do ok = ok end
return {ok, err}`,
          "0",
        );
        await sleep(500);
        await b.same("SET", "x", "1");
        await b.same("SCRIPT", "KILL");
        await a.sameReplies(1, "the killed script's reply");
        await done(b);
      });

      it("a killed script that calls pcall in a loop still ends", async () => {
        // The kill error is raised at every step from then on, so it lands outside pcall.
        const [a, b] = await pair();
        a.send(
          "EVAL",
          "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end",
          "0",
        );
        await sleep(500);
        await b.same("SCRIPT", "KILL");
        await a.sameReplies(1, "the killed script's reply");
        await b.same("PING");
        await done(b);
      });

      it("FUNCTION KILL stops a function; SCRIPT KILL does not", async () => {
        const [a, b] = await pair();
        await b.same("FUNCTION", "FLUSH");
        await b.same(
          "FUNCTION",
          "LOAD",
          "#!lua name=spin\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}",
        );
        a.send("FCALL", "spin", "0");
        await sleep(500);
        await b.same("GET", "x");
        await b.same("SCRIPT", "KILL");
        await b.same("FUNCTION", "KILL");
        await a.sameReplies(1, "the killed function's reply");
        await b.same("FUNCTION", "FLUSH");
        await done(b);
      });
    });
  }
});
