/**
 * The corners a differential fuzzer found, as classes, against a real redis-server 7.0 (RESP2
 * and RESP3): count arguments of the pop and random-member commands (`-0`, non-integers,
 * ranges), EXEC with extra arguments (in and out of MULTI), SELECT outside 32 bits, SCAN
 * cursors, user bytes with a NUL in error texts.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

const COUNTS = [
  "-0",
  "0",
  "-1",
  "1",
  "+1",
  "1.5",
  "1e3",
  "abc",
  "",
  " 1",
  "01",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775808",
  "-9223372036854775809",
  "4294967296",
];

describe("fuzzer corners vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("pop counts: LPOP RPOP SPOP ZPOPMIN ZPOPMAX", async (d) => {
        for (const count of COUNTS) {
          await d.same("RPUSH", "l", "a");
          await d.same("SADD", "s", "a");
          await d.same("ZADD", "z", "1", "a");
          for (const command of ["LPOP", "RPOP"]) {
            await d.same(command, "l", count);
            await d.same(command, "nokey", count);
          }
          // One member: a successful SPOP is deterministic too.
          await d.same("SPOP", "s", count);
          await d.same("SPOP", "nokey", count);
          for (const command of ["ZPOPMIN", "ZPOPMAX"]) {
            await d.same(command, "z", count);
            await d.same(command, "nokey", count);
          }
          await d.both("DEL", "l", "s", "z");
        }
      });

      run("random-member counts: HRANDFIELD SRANDMEMBER ZRANDMEMBER", async (d) => {
        await d.same("HSET", "h", "f", "v");
        await d.same("SADD", "s", "m");
        await d.same("ZADD", "z", "1", "m");
        for (const count of COUNTS) {
          // Huge counts: Redis builds (or tries to) replies that large; not compared here.
          if (count === "9223372036854775807" || count === "4294967296") continue;
          await d.same("HRANDFIELD", "h", count);
          await d.same("HRANDFIELD", "nokey", count);
          await d.same("SRANDMEMBER", "s", count);
          await d.same("SRANDMEMBER", "nokey", count);
          await d.same("ZRANDMEMBER", "z", count);
          await d.same("ZRANDMEMBER", "nokey", count);
        }
      });

      run("random-member counts at the long limits, with and without pairs", async (d) => {
        await d.same("HSET", "h", "f", "v", "g", "w");
        await d.same("SADD", "s", "m", "n");
        await d.same("ZADD", "z", "1", "m", "2", "n");
        const whole = "9223372036854775807";
        // The whole collection: sorted, as its order is unspecified.
        await d.sameUnordered("HRANDFIELD", "h", whole);
        await d.sameUnordered("SRANDMEMBER", "s", whole);
        await d.sameUnordered("ZRANDMEMBER", "z", whole);
        await d.sameUnordered("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES");
        await d.sameUnordered("ZRANDMEMBER", "z", "4611686018427387903", "WITHSCORES");
        // Errors Redis gives before writing anything (counts it would stream without end are
        // not compared: Redis 7.0.15 runs out of memory on them).
        for (
          const count of [
            whole,
            "4611686018427387904",
            "-4611686018427387904",
            "-9223372036854775807",
            "-9223372036854775808",
          ]
        ) {
          await d.same("HRANDFIELD", "h", count, "WITHVALUES");
          await d.same("ZRANDMEMBER", "z", count, "WITHSCORES");
          await d.same("HRANDFIELD", "nokey", count, "WITHVALUES");
          await d.same("ZRANDMEMBER", "nokey", count, "WITHSCORES");
        }
        for (const command of ["HRANDFIELD", "SRANDMEMBER", "ZRANDMEMBER"]) {
          await d.same(command, command[0].toLowerCase(), "-9223372036854775808");
          await d.same(command, "nokey", "-9223372036854775807");
          await d.same(command, "nokey", whole);
        }
        await d.same("HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES", "x");
        await d.same("HRANDFIELD", "h", whole, "NOPE");
      });

      run("EXEC with extra arguments, in and out of MULTI", async (d) => {
        await d.same("EXEC", "x");
        await d.same("MULTI");
        await d.same("SET", "k", "v");
        await d.same("EXEC", "x", "y");
        await d.same("EXEC");
        await d.same("GET", "k");
        await d.same("MULTI");
        await d.same("EXEC");
      });

      run("SELECT outside 32 bits, SCAN cursors", async (d) => {
        for (const index of ["4294967296", "-2147483649", "2147483648", "-1", "16", "1.0", "x"]) {
          await d.same("SELECT", index);
        }
        for (
          const cursor of [
            "18446744073709551615",
            "18446744073709551616",
            "-1",
            "abc",
            "0x10",
            " 5",
            "5abc",
            "00",
            "+0",
          ]
        ) await d.same("SCAN", cursor);
      });

      // No name whose part before the NUL is a real one ("HELP\0", "maxmemory\0"): Redis
      // hashes all the bytes but compares as C strings, so such a name is found only when
      // its hash lands in the real name's bucket — which depends on the seed a redis-server
      // picks at start (XGROUP HELP\0 x: unknown subcommand, or about 1 start in 8, arity).
      run("user bytes with a NUL in error texts", async (d) => {
        await d.same("SET", "k", "v");
        await d.same("EXPIRE", "k", "10", "foo\0bar");
        await d.same("OBJECT", "foo\0x", "k");
        await d.same("XGROUP", "foo\0x");
        await d.same("NOSUCH\0CMD", "a\0b");
        for (const container of ["CONFIG", "COMMAND", "CLIENT", "MEMORY", "XINFO", "PUBSUB"]) {
          await d.same(container, "foo\0bar");
        }
        await d.same("CONFIG", "SET", "foo\0bar", "1");
        await d.same("CONFIG", "SET", "notify-keyspace-events", "", "x\0y", "2");
        await d.same("CONFIG", "SET", "Databases", "1");
        await d.same("CONFIG", "SET", "Notify-Keyspace-Events", "", "notify-keyspace-events", "");
        await d.same("HELLO", "3", "foo\0bar");
        await d.same("CLIENT", "KILL", "TYPE", "x\0y");
        await d.same("CLIENT", "LIST", "TYPE", "x\0y");
        await d.same("CLIENT", "KILL", "foo\0bar", "x");
        await d.same("PFDEBUG", "x\0y", "k");
        await d.same("XADD", "s\0k", "1-1", "f", "v");
        await d.same("XGROUP", "CREATE", "s\0k", "g\0h", "0");
        await d.same("XREADGROUP", "GROUP", "g\0x", "c", "STREAMS", "s\0k", ">");
        await d.same("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey\0x", ">");
        await d.same("XPENDING", "s\0k", "g\0x");
        await d.same("XCLAIM", "s\0k", "g\0x", "c", "0", "1-1");
        await d.same("XCLAIM", "s\0k", "g\0h", "c", "0", "1-1", "FOO\0X");
        await d.same("XAUTOCLAIM", "s\0k", "g\0x", "c", "0", "0");
        await d.same("XGROUP", "SETID", "s\0k", "g\0x", "$");
        await d.same("XGROUP", "CREATECONSUMER", "s\0k", "g\0x", "c");
        await d.same("XGROUP", "DELCONSUMER", "s\0k", "g\0x", "c");
        await d.same("XINFO", "CONSUMERS", "s\0k", "g\0x");
      });
    });
  }
});
