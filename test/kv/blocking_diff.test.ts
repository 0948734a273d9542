/**
 * Differential tests of the blocking commands on the keyspace's one blocking mechanism
 * against a real redis-server 7.0, RESP2 and RESP3: LMPOP/ZMPOP, BLMPOP, BZPOPMIN,
 * BZPOPMAX, BZMPOP (immediate replies, errors, timeouts), first-blocked-first-served across
 * clients, keys created by other commands, inside MULTI/EXEC, and timeouts' parse errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RespValue } from "../../src/resp/types.ts";
import { type Differential, oracleFixture, oracleSkip, sleep } from "../helpers/redis_oracle.ts";

const text = (v: RespValue): string =>
  v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);

describe("kv blocking commands vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("LMPOP and ZMPOP: replies and argument errors", async (d) => {
        await d.same("RPUSH", "l1", "a", "b", "c");
        await d.same("ZADD", "z1", "1", "a", "2", "b", "3", "c");
        await d.same("LMPOP", "2", "nol", "l1", "LEFT");
        await d.same("LMPOP", "2", "nol", "l1", "RIGHT", "COUNT", "5");
        await d.same("LMPOP", "1", "l1", "LEFT");
        await d.same("EXISTS", "l1");
        await d.same("ZMPOP", "2", "noz", "z1", "MIN");
        await d.same("ZMPOP", "1", "z1", "MAX", "COUNT", "10");
        await d.same("ZMPOP", "1", "z1", "MAX");
        for (const cmd of ["LMPOP", "ZMPOP"]) {
          const where = cmd === "LMPOP" ? "LEFT" : "MIN";
          await d.same(cmd, "0", "k", where);
          await d.same(cmd, "-1", "k", where);
          await d.same(cmd, "x", "k", where);
          await d.same(cmd, "3", "k", where);
          await d.same(cmd, "1", "k", "UP");
          await d.same(cmd, "1", "k", where, "COUNT", "0");
          await d.same(cmd, "1", "k", where, "COUNT", "-1");
          await d.same(cmd, "1", "k", where, "COUNT", "x");
          await d.same(cmd, "1", "k", where, "COUNT", "1", "COUNT", "1");
          await d.same(cmd, "1", "k", where, "COUNT");
          await d.same(cmd, "1", "k", where, "FOO");
          await d.same(cmd, "1", "k");
        }
        await d.same("SET", "s", "x");
        await d.same("LMPOP", "2", "nol", "s", "LEFT");
        await d.same("ZMPOP", "2", "noz", "s", "MIN");
        await d.same("RPUSH", "l2", "x");
        await d.same("ZMPOP", "1", "l2", "MIN");
        await d.same("LMPOP", "1", "l2", "left", "count", "2");
      });

      run("BZPOPMIN, BZPOPMAX, BZMPOP, BLMPOP: immediate, timeout, errors", async (d) => {
        await d.same("ZADD", "z", "1", "a", "2", "b", "3", "c");
        await d.same("RPUSH", "l", "a", "b", "c");
        await d.same("BZPOPMIN", "noz", "z", "0");
        await d.same("BZPOPMAX", "z", "0.01");
        await d.same("BZMPOP", "0", "2", "noz", "z", "MIN", "COUNT", "5");
        await d.same("BLMPOP", "0", "2", "nol", "l", "RIGHT", "COUNT", "2");
        await d.same("BZPOPMIN", "z", "0.05");
        await d.same("BZMPOP", "0.05", "1", "z", "MAX");
        await d.same("BLMPOP", "0.05", "1", "nol", "LEFT");
        await d.same("BLPOP", "nol", "0.05");
        for (const timeout of ["x", "-1", "-0.5", "1e400", "", "nan"]) {
          await d.same("BZPOPMIN", "z", timeout);
          await d.same("BZMPOP", timeout, "1", "z", "MIN");
          await d.same("BLMPOP", timeout, "1", "l", "LEFT");
        }
        await d.same("BZMPOP", "0", "0", "z", "MIN");
        await d.same("BLMPOP", "0", "1", "l", "UP");
        await d.same("SET", "s", "x");
        await d.same("BZPOPMIN", "s", "0");
        await d.same("BZMPOP", "0", "1", "s", "MIN");
        await d.same("BLMPOP", "0", "1", "s", "LEFT");
        await d.same("MULTI");
        await d.same("BZPOPMIN", "z", "0");
        await d.same("BZMPOP", "0", "1", "z", "MIN");
        await d.same("BLMPOP", "0", "1", "l", "LEFT");
        await d.same("EXEC");
      });

      run(
        "CLIENT UNBLOCK [TIMEOUT|ERROR], CLIENT LIST flags=b, INFO blocked_clients",
        async (d) => {
          const admin = await fx.open(protocol, false);
          await d.both("CLIENT", "SETNAME", "blocked-one");
          const sides = [admin.ours, admin.oracle];
          const ids: string[] = [];
          for (const side of sides) {
            const list = text(await side.call("CLIENT", "LIST"));
            ids.push(/id=(\d+) [^\n]* name=blocked-one /.exec(list)![1]);
          }
          const blocked = [
            ["BZPOPMIN", "z", "0"],
            ["BLMPOP", "0", "1", "l", "LEFT"],
            ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
            ["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"],
          ];
          for (const [n, command] of blocked.entries()) {
            d.send(...command);
            await sleep(30);
            for (const [i, side] of sides.entries()) {
              const line = text(await side.call("CLIENT", "LIST", "ID", String(ids[i])));
              assert.match(line, / flags=b /, `${command[0]} shows flags=b`);
              const info = text(await side.call("INFO", "clients"));
              assert.match(info, /blocked_clients:1\r\n/);
              const how = n % 2 === 0 ? "TIMEOUT" : "ERROR";
              assert.equal(await side.call("CLIENT", "UNBLOCK", String(ids[i]), how), 1);
            }
            await d.sameReplies(1, `${command.join(" ")} unblocked`);
          }
          for (const [i, side] of sides.entries()) {
            assert.equal(await side.call("CLIENT", "UNBLOCK", String(ids[i])), 0);
            const info = text(await side.call("INFO", "clients"));
            assert.match(info, /blocked_clients:0\r\n/);
          }
          const leaving = await fx.open(protocol, false);
          leaving.send("BZPOPMIN", "gone", "0");
          leaving.send("XREAD", "BLOCK", "0", "STREAMS", "gone2", "$");
          await sleep(30);
          await leaving.close();
          await sleep(50);
          for (const side of sides) {
            const info = text(await side.call("INFO", "clients"));
            assert.match(info, /blocked_clients:0\r\n/, "a closed connection leaves no waiter");
          }
          await d.same("ZADD", "gone", "1", "m");
          await d.same("ZCARD", "gone");
          await d.same("CLIENT", "UNBLOCK", "x");
          await d.same("CLIENT", "UNBLOCK", "1", "FOO");
          await d.same("CLIENT", "UNBLOCK", "1", "TIMEOUT", "x");
          await d.same("CLIENT", "UNBLOCK", "999999");
          await d.same("CLIENT", "UNBLOCK");
        },
      );

      run("first blocked, first served; created by ZADD, RPUSH, RENAME, MULTI", async (d) => {
        const second = await fx.open(protocol, false);
        const writer = await fx.open(protocol, false);
        d.send("BZPOPMIN", "z", "z2", "0");
        await sleep(30);
        second.send("BZMPOP", "0", "2", "z2", "z", "MAX", "COUNT", "2");
        await sleep(30);
        await writer.same("ZADD", "z", "1", "a", "2", "b", "3", "c");
        await d.sameReplies(1, "first client served");
        await second.sameReplies(1, "second client served from what is left");
        d.send("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "3");
        await sleep(30);
        second.send("BLPOP", "l", "0");
        await sleep(30);
        await writer.same("RPUSH", "l", "x");
        await d.sameReplies(1, "BLMPOP served");
        await writer.same("RPUSH", "tmp", "y", "z");
        await writer.same("RENAME", "tmp", "l");
        await second.sameReplies(1, "BLPOP served by RENAME");
        d.send("BZPOPMAX", "z3", "0");
        await sleep(30);
        await writer.same("MULTI");
        await writer.same("ZADD", "z3", "5", "m");
        await writer.same("ZADD", "z3", "6", "n");
        await writer.same("ZREM", "z3", "n");
        await writer.same("EXEC");
        await d.sameReplies(1, "BZPOPMAX served after EXEC");
        await d.same("EXISTS", "z3");
        d.send("BZPOPMIN", "z4", "0.2");
        await d.sameReplies(1, "BZPOPMIN timed out");
      });
    });
  }
});
