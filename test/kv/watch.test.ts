/**
 * WATCH / MULTI / EXEC against a real redis-server 7.0: two client pairs (A and B), where B
 * touches keys A watches; every reply of both must be byte-identical to Redis's.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip, sleep } from "../helpers/redis_oracle.ts";

describe("kv WATCH/MULTI/EXEC vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (a: Differential, b: Differential) => Promise<void>) =>
        it(name, async () => {
          const a = await fx.open(protocol);
          const b = await fx.open(protocol, false);
          try {
            await body(a, b);
          } finally {
            await a.close();
            await b.close();
          }
        });

      const transaction = async (a: Differential, ...commands: string[][]) => {
        await a.same("MULTI");
        for (const command of commands) await a.same(...command);
        await a.same("EXEC");
      };

      run("a watched key touched by another client makes EXEC return null", async (a, b) => {
        await a.same("SET", "k", "1");
        await a.same("WATCH", "k");
        await b.same("SET", "k", "2");
        await transaction(a, ["GET", "k"], ["SET", "k", "3"]);
        await a.same("GET", "k");
        // the WATCH ended with EXEC: a new transaction goes through
        await transaction(a, ["INCR", "k"]);
      });

      run("untouched watched keys let EXEC run; UNWATCH forgets", async (a, b) => {
        await a.same("WATCH", "k", "j");
        await transaction(a, ["SET", "k", "1"], ["GET", "k"]);
        await a.same("WATCH", "k");
        await a.same("UNWATCH");
        await b.same("SET", "k", "2");
        await transaction(a, ["GET", "k"]);
        await a.same("UNWATCH", "x");
        await a.same("WATCH");
      });

      run("own writes, deletes, expires and in-place changes dirty the watch", async (a, b) => {
        await a.same("SET", "k", "1");
        await a.same("WATCH", "k");
        await a.same("SET", "k", "2");
        await transaction(a, ["GET", "k"]);
        await a.same("WATCH", "k");
        await b.same("DEL", "k");
        await transaction(a, ["GET", "k"]);
        await a.same("SET", "k", "1");
        await a.same("WATCH", "k");
        await b.same("EXPIRE", "k", "100");
        await transaction(a, ["TTL", "k"]);
        await a.same("RPUSH", "l", "x");
        await a.same("WATCH", "l");
        await b.same("RPUSH", "l", "y");
        await transaction(a, ["LLEN", "l"]);
        await a.same("WATCH", "missing");
        await b.same("DEL", "missing");
        await transaction(a, ["PING"]);
        await a.same("WATCH", "k");
        await b.same("INCR", "k");
        await transaction(a, ["PING"]);
        await a.same("WATCH", "k");
        await b.same("APPEND", "k", "x");
        await transaction(a, ["PING"]);
        await a.same("WATCH", "k");
        await b.same("RENAME", "k", "k2");
        await transaction(a, ["PING"]);
        await a.same("WATCH", "k2");
        await b.same("GET", "k2");
        await transaction(a, ["PING"]);
      });

      run("FLUSHALL, FLUSHDB and SWAPDB touch watched keys that exist", async (a, b) => {
        await a.same("SET", "k", "1");
        await a.same("WATCH", "k");
        await b.same("FLUSHALL");
        await transaction(a, ["PING"]);
        await a.same("WATCH", "missing");
        await b.same("FLUSHDB");
        await transaction(a, ["PING"]);
        await b.same("SELECT", "1");
        await b.same("SET", "other", "1");
        await a.same("WATCH", "other");
        await b.same("SWAPDB", "0", "1");
        await transaction(a, ["GET", "other"]);
        await a.same("WATCH", "nowhere");
        await b.same("SWAPDB", "0", "1");
        await transaction(a, ["PING"]);
        await a.same("SELECT", "2");
        await a.same("WATCH", "k");
        await b.same("SELECT", "0");
        await b.same("SET", "k", "db0");
        await transaction(a, ["PING"]);
      });

      run("WATCH inside MULTI, DISCARD and dirty state", async (a, b) => {
        await a.same("MULTI");
        await a.same("WATCH", "k");
        await a.same("SET", "k", "1");
        await a.same("EXEC");
        await a.same("WATCH", "k");
        await a.same("MULTI");
        await a.same("DISCARD");
        await b.same("SET", "k", "2");
        await transaction(a, ["GET", "k"]);
        await a.same("WATCH", "k");
        await b.same("SET", "k", "3");
        await a.same("WATCH", "j");
        await a.same("UNWATCH");
        await transaction(a, ["GET", "k"]);
        await a.same("WATCH", "k");
        await b.same("SET", "k", "4");
        await a.same("MULTI");
        await a.same("NOSUCHCOMMAND");
        await a.same("EXEC");
      });

      run("a watched key that expires makes EXEC fail; already expired does not", async (a, b) => {
        await a.same("SET", "k", "1", "PX", "30");
        await a.same("WATCH", "k");
        await sleep(60);
        await transaction(a, ["PING"]);
        await a.same("SET", "gone", "1", "PX", "1");
        await sleep(10);
        await a.same("WATCH", "gone");
        await b.same("GET", "gone");
        await transaction(a, ["PING"]);
        await a.same("SET", "long", "1", "EX", "100");
        await a.same("WATCH", "long");
        await transaction(a, ["PING"]);
      });
    });
  }
});
