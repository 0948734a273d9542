/**
 * Keyspace notifications against a real redis-server 7.0: the same commands go to both, and
 * a subscriber on each (RESP2 and RESP3) must receive the same events in the same order
 * (`__keyspace@<db>__:<key>` / `__keyevent@<db>__:<event>`), for every command family, lazy
 * and active expiry, and the `notify-keyspace-events` flags and their canonical text.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Push, type RespValue } from "../../src/resp/types.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";
import { type Differential, oracleFixture, oracleSkip, sleep } from "../helpers/redis_oracle.ts";

type Arg = string | number;

/** Everything a subscriber got up to the sentinel message, as plain arrays. */
async function drain(sub: RawClient, publisher: RawClient): Promise<string[]> {
  await publisher.call("PUBLISH", "sentinel", "end");
  const out: string[] = [];
  for (;;) {
    const [message] = await sub.read(1);
    // RESP3 pushes are Push objects; both protocols give the same items.
    const items = (message instanceof Push ? message.items : message) as RespValue[];
    if (items[0] === "message" && items[1] === "sentinel") return out;
    out.push(items.slice(2).join(" "));
  }
}

/** Runs `commands` on both with `flags` set and compares the replies and the events. */
async function events(
  d: Differential,
  flags: string,
  commands: Arg[][],
  pause = 0,
): Promise<string[]> {
  const subs: RawClient[] = [];
  for (const client of [d.ours, d.oracle]) {
    const port = (client.socket.remotePort)!;
    const sub = await connectClient({ port, host: "127.0.0.1" });
    if (d.protocol === 3) await sub.call("HELLO", "3");
    await sub.call("PSUBSCRIBE", "__key*__:*");
    await sub.call("SUBSCRIBE", "sentinel");
    subs.push(sub);
  }
  try {
    await d.same("CONFIG", "SET", "notify-keyspace-events", flags);
    for (const command of commands) {
      if (command[0] === "SLEEP") await sleep(Number(command[1]));
      else if (command[0] === "BOTH") await d.both(...command.slice(1));
      else await d.same(...command);
    }
    if (pause > 0) await sleep(pause);
    const ours = await drain(subs[0], d.ours);
    const theirs = await drain(subs[1], d.oracle);
    assert.deepEqual(ours, theirs, `events of ${JSON.stringify(commands)}`);
    await d.same("CONFIG", "SET", "notify-keyspace-events", "");
    return ours;
  } finally {
    for (const sub of subs) await sub.close();
  }
}

describe("keyspace notifications vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  it("notify-keyspace-events: flags, canonical text, errors", () =>
    fx.check(2, async (d) => {
      for (
        const value of ["", "KEA", "Kg$lshzxetdnm", "Emn", "A", "K", "E", "gx", "AKEnm", "ex$"]
      ) {
        await d.same("CONFIG", "SET", "notify-keyspace-events", value);
        await d.same("CONFIG", "GET", "notify-keyspace-events");
      }
      await d.same("CONFIG", "SET", "notify-keyspace-events", "KEQ");
      await d.same("CONFIG", "GET", "notify-keyspace-events");
      await d.same("CONFIG", "SET", "notify-keyspace-events", "");
    }));

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("pub/sub confirmations reach a client under CLIENT REPLY OFF / SKIP", async (d) => {
        await d.sameRaw("CLIENT REPLY OFF\r\nPSUBSCRIBE a* b*\r\nPUNSUBSCRIBE a*\r\n", 3);
        await d.sameRaw("PUNSUBSCRIBE\r\n", 1);
      });

      run("strings and counters", async (d) => {
        const got = await events(d, "KEA", [
          ["SET", "s", "1"],
          ["SET", "s", "2", "EX", "100"],
          ["SET", "s", "3", "KEEPTTL"],
          ["SETNX", "s", "4"],
          ["SETNX", "t", "4"],
          ["SETEX", "u", "100", "v"],
          ["PSETEX", "u", "100000", "v"],
          ["GETSET", "s", "9"],
          ["MSET", "a", "1", "b", "2"],
          ["MSETNX", "c", "1", "d", "2"],
          ["MSETNX", "c", "1", "e", "2"],
          ["APPEND", "a", "x"],
          ["SETRANGE", "a", "5", "y"],
          ["INCR", "n"],
          ["DECR", "n"],
          ["INCRBY", "n", "5"],
          ["DECRBY", "n", "5"],
          ["INCRBYFLOAT", "n", "1.5"],
          ["GETDEL", "n"],
          ["GETDEL", "n"],
          ["GETEX", "s", "EX", "100"],
          ["GETEX", "s", "PERSIST"],
          ["GETEX", "s"],
          ["SET", "s", "x", "GET"],
          ["SET", "s", "x", "XX", "PX", "5000"],
          ["SET", "zz", "x", "XX"],
        ]);
        assert.ok(got.length > 20);
        await events(d, "Kn$", [["SET", "new1", "1"], ["SET", "new1", "2"], ["INCR", "new2"]]);
        await events(d, "Eg", [["SET", "k", "v"], ["EXPIRE", "k", "100"], ["DEL", "k"]]);
      });

      run("keys and expiry", async (d) => {
        await events(d, "KEA", [
          ["SET", "a", "1"],
          ["EXPIRE", "a", "100"],
          ["PEXPIRE", "a", "100000"],
          ["EXPIREAT", "a", "99999999999"],
          ["PERSIST", "a"],
          ["PERSIST", "a"],
          ["EXPIRE", "a", "100", "NX"],
          ["EXPIRE", "a", "50", "GT"],
          ["EXPIRE", "a", "-1"],
          ["SET", "a", "1"],
          ["PEXPIREAT", "a", "1"],
          ["SET", "a", "1"],
          ["SET", "b", "2"],
          ["RENAME", "a", "c"],
          ["RENAME", "c", "b"],
          ["RENAMENX", "b", "d"],
          ["RENAMENX", "d", "d"],
          ["SET", "e", "1"],
          ["EXPIRE", "e", "100"],
          ["COPY", "e", "f"],
          ["COPY", "e", "f", "REPLACE"],
          ["MOVE", "e", "3"],
          ["DEL", "d", "f", "nothing"],
          ["UNLINK", "b"],
          ["TOUCH", "x"],
        ]);
      });

      run("lazy and active expiry", async (d) => {
        // Lazy or active, whichever comes first, publishes the same `expired`.
        await events(d, "KEA", [["SET", "lazy", "1", "PX", "30"], ["SLEEP", 40], ["GET", "lazy"]]);
        await events(d, "Ex", [["SET", "gone", "1", "PX", "5"]], 400);
      });

      run("lists", async (d) => {
        await events(d, "KEA", [
          ["LPUSH", "l", "a", "b", "c"],
          ["RPUSH", "l", "d"],
          ["LPUSHX", "l", "e"],
          ["RPUSHX", "l", "f"],
          ["LPUSHX", "none", "e"],
          ["LINSERT", "l", "BEFORE", "a", "z"],
          ["LINSERT", "l", "BEFORE", "nope", "z"],
          ["LSET", "l", "0", "q"],
          ["LREM", "l", "1", "q"],
          ["LREM", "l", "1", "nope"],
          ["LTRIM", "l", "0", "3"],
          ["LPOP", "l"],
          ["RPOP", "l", "1"],
          ["LMOVE", "l", "m", "LEFT", "RIGHT"],
          ["RPOPLPUSH", "l", "m"],
          ["LMPOP", "2", "x", "m", "RIGHT", "COUNT", "1"],
          ["LMPOP", "1", "m", "LEFT", "COUNT", "10"],
          ["RPUSH", "t", "1", "2"],
          ["LTRIM", "t", "5", "10"],
          ["RPUSH", "u", "1"],
          ["LREM", "u", "0", "1"],
          ["RPUSH", "r", "1", "2"],
          ["LMOVE", "r", "r", "LEFT", "RIGHT"],
          ["BLPOP", "r", "1"],
          ["BRPOP", "r", "1"],
        ]);
      });

      run("hashes and sets", async (d) => {
        await events(d, "KEA", [
          ["HSET", "h", "a", "1", "b", "2"],
          ["HSET", "h", "a", "1"],
          ["HMSET", "h", "c", "3"],
          ["HSETNX", "h", "c", "4"],
          ["HSETNX", "h", "d", "4"],
          ["HINCRBY", "h", "n", "1"],
          ["HINCRBYFLOAT", "h", "f", "1.5"],
          ["HDEL", "h", "zz"],
          ["HDEL", "h", "a", "b", "c", "d", "n", "f"],
          ["SADD", "s", "a", "b", "c"],
          ["SADD", "s", "a"],
          ["SREM", "s", "zz"],
          ["SREM", "s", "a", "c"],
          ["SMOVE", "s", "t", "b"],
          ["SMOVE", "s", "t", "c"],
          ["SPOP", "t"],
          ["SADD", "t2", "1", "2", "3"],
          ["BOTH", "SPOP", "t2", "5"],
          ["SADD", "x", "1", "2"],
          ["SADD", "y", "2", "3"],
          ["SINTERSTORE", "i", "x", "y"],
          ["SUNIONSTORE", "u", "x", "y"],
          ["SDIFFSTORE", "df", "x", "y"],
          ["SINTERSTORE", "i", "x", "nothing"],
          ["SINTERSTORE", "i", "x", "nothing"],
        ]);
      });

      run("sorted sets and geo", async (d) => {
        await events(d, "KEA", [
          ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
          ["ZADD", "z", "1", "a"],
          ["ZADD", "z", "INCR", "1", "a"],
          ["ZINCRBY", "z", "1", "b"],
          ["ZREM", "z", "nope"],
          ["ZREM", "z", "a"],
          ["ZREMRANGEBYRANK", "z", "0", "0"],
          ["ZREMRANGEBYSCORE", "z", "100", "200"],
          ["ZADD", "y", "0", "a", "0", "b", "0", "c"],
          ["ZREMRANGEBYLEX", "y", "[a", "[b"],
          ["ZPOPMIN", "y"],
          ["ZPOPMAX", "z"],
          ["ZMPOP", "1", "z", "MIN"],
          ["ZADD", "p", "1", "a", "2", "b"],
          ["ZADD", "q", "2", "b", "3", "c"],
          ["ZUNIONSTORE", "u", "2", "p", "q"],
          ["ZINTERSTORE", "i", "2", "p", "q"],
          ["ZDIFFSTORE", "df", "2", "p", "q"],
          ["ZRANGESTORE", "r", "p", "0", "-1"],
          ["ZINTERSTORE", "i", "2", "p", "nothing"],
          ["BZPOPMIN", "p", "1"],
          ["BZPOPMAX", "q", "1"],
          ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "C"],
          ["GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
          ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "gr"],
        ]);
      });

      run("bitmaps, HyperLogLog, streams", async (d) => {
        await events(d, "KEA", [
          ["SETBIT", "b", "7", "1"],
          ["BITFIELD", "b", "SET", "u8", "0", "5"],
          ["BITFIELD", "b", "GET", "u8", "0"],
          ["BITOP", "NOT", "c", "b"],
          ["BITOP", "AND", "c", "nothing"],
          ["PFADD", "h", "a", "b"],
          ["PFADD", "h", "a"],
          ["PFMERGE", "h2", "h"],
          ["XADD", "x", "1-1", "f", "v"],
          ["XADD", "x", "2-1", "f", "v"],
          ["XDEL", "x", "1-1"],
          ["XTRIM", "x", "MAXLEN", "0"],
          ["XSETID", "x", "5-5"],
          ["XGROUP", "CREATE", "x", "g", "0"],
          ["XGROUP", "CREATECONSUMER", "x", "g", "c"],
          ["XGROUP", "DELCONSUMER", "x", "g", "c"],
          ["XGROUP", "SETID", "x", "g", "0"],
          ["XGROUP", "DESTROY", "x", "g"],
        ]);
      });

      run("streams: consumers created implicitly, XADD that trims", async (d) => {
        // Redis's unit/pubsub "stream events test", then XCLAIM / XAUTOCLAIM / XREADGROUP
        // creating consumers or not, and XADD's xtrim only when entries went.
        await events(d, "KEA", [
          ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
          ["XGROUP", "CREATECONSUMER", "s", "g", "Bob"],
          ["XADD", "s", "1-0", "f", "A"],
          ["XREADGROUP", "GROUP", "g", "Alice", "STREAMS", "s", ">"],
          ["XCLAIM", "s", "g", "Mike", "0", "1-0", "FORCE"],
          ["XGROUP", "DELCONSUMER", "s", "g", "Lee"],
          ["XAUTOCLAIM", "s", "g", "Bob", "0", "1-0"],
          ["XGROUP", "DELCONSUMER", "s", "g", "Bob"],
          ["XREADGROUP", "GROUP", "g", "Nobody", "STREAMS", "s", ">"],
          ["XREADGROUP", "GROUP", "g", "History", "STREAMS", "s", "0"],
          ["XCLAIM", "s", "g", "Idle", "1000000", "1-0"],
          ["XAUTOCLAIM", "s", "g", "Auto", "0", "0-0"],
          ["XAUTOCLAIM", "s", "g", "Auto2", "0", "0-0"],
          ["XADD", "s", "MAXLEN", "5", "2-0", "f", "B"],
          ["XADD", "s", "MAXLEN", "1", "3-0", "f", "C"],
          ["XADD", "s", "MINID", "3", "4-0", "f", "D"],
          ["XADD", "s", "MAXLEN", "~", "1", "5-0", "f", "E"],
          ["XADD", "t", "MAXLEN", "0", "1-0", "f", "v"],
          ["XADD", "none", "NOMKSTREAM", "MAXLEN", "0", "*", "f", "v"],
          ["XLEN", "t"],
        ]);
      });

      it("streams: a blocked XREADGROUP served by XADD creates its consumer after xadd", async () => {
        const d = await fx.open(protocol);
        const blocker = await fx.open(protocol, false);
        await d.same("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        blocker.send("XREADGROUP", "GROUP", "g", "Zed", "BLOCK", "0", "STREAMS", "s", ">");
        await sleep(100);
        await events(d, "KEA", [["XADD", "s", "MAXLEN", "0", "1-0", "f", "v"], ["SLEEP", "100"]]);
        await blocker.sameReplies(1, "XREADGROUP served by XADD");
        await d.same("XINFO", "GROUPS", "s");
      });
    });
  }
});
