/**
 * Differential tests of FUNCTION and FCALL against a real redis-server 7.0, RESP2 and RESP3:
 * LOAD (metadata, REPLACE, errors of registration), FCALL/FCALL_RO and flags, LIST (pattern,
 * WITHCODE), DELETE, FLUSH, DUMP/RESTORE (both directions), STATS, KILL, HELP.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectClient } from "../../helpers/client.ts";
import {
  type Differential,
  oracleFixture,
  oracleSkip,
  startKeyValueServer,
  startOracle,
  toPlain,
} from "../../helpers/redis_oracle.ts";

const LIB = `#!lua name=mylib
local function echo(keys, args) return {keys[1], args[1]} end
redis.register_function('echo', echo)
redis.register_function{function_name='ro', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}
redis.register_function{function_name='w', callback=function(keys, args) return redis.call('SET', keys[1], args[1]) end}
redis.register_function{function_name='allflags', callback=function() return 1 end, flags={'allow-oom', 'no-writes', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}
`;

/** Arrays sorted at every depth, inside maps and sets too (FUNCTION LIST's dict order). */
function sortAll(v: unknown): unknown {
  const key = (x: unknown) => JSON.stringify(toPlain(x));
  if (Array.isArray(v)) return v.map(sortAll).sort((a, b) => key(a) < key(b) ? -1 : 1);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, sortAll(x)]));
  if (v instanceof Set) return sortAll([...v]);
  return v;
}

describe("FUNCTION vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () =>
          fx.check(protocol, async (d) => {
            await d.both("FUNCTION", "FLUSH");
            await body(d);
            await d.both("FUNCTION", "FLUSH");
          }));

      run("LOAD, FCALL, FCALL_RO, LIST, DELETE", async (d) => {
        await d.same("FUNCTION", "LOAD", LIB);
        await d.same("FUNCTION", "LOAD", LIB);
        await d.same("FUNCTION", "LOAD", "REPLACE", LIB);
        await d.same("FCALL", "echo", "1", "k", "a");
        await d.same("FCALL", "w", "1", "k", "v");
        await d.same("FCALL", "ro", "1", "k");
        await d.same("FCALL_RO", "ro", "1", "k");
        await d.same("FCALL_RO", "w", "1", "k", "v");
        await d.same("FCALL_RO", "echo", "0");
        await d.same("FCALL", "allflags", "0");
        await d.same("FCALL", "nosuch", "0");
        await d.same("FCALL", "echo", "x");
        await d.same("FCALL", "echo", "-1");
        await d.same("FCALL", "echo", "3", "a");
        // Functions come in the order of Redis's dict: compared unordered.
        await d.sameWith(sortAll, "FUNCTION", "LIST");
        await d.sameWith(sortAll, "FUNCTION", "LIST", "WITHCODE");
        await d.sameWith(sortAll, "FUNCTION", "LIST", "LIBRARYNAME", "my*");
        await d.sameWith(sortAll, "FUNCTION", "LIST", "LIBRARYNAME", "MY*", "WITHCODE");
        await d.same("FUNCTION", "LIST", "LIBRARYNAME", "other");
        await d.same("FUNCTION", "LIST", "LIBRARYNAME");
        await d.same("FUNCTION", "LIST", "BAD");
        await d.same("FUNCTION", "STATS");
        await d.same("FUNCTION", "DELETE", "nosuch");
        await d.same("FUNCTION", "DELETE", "mylib");
        await d.same("FCALL", "echo", "0");
        await d.same("FUNCTION", "LIST");
      });

      run("LOAD errors", async (d) => {
        for (
          const code of [
            "return 1",
            "#!lua",
            "#!lua name=",
            "#!lua name=a name=b\n",
            "#!lua foo=bar\n",
            "#!lua name=bad-name\nredis.register_function('f', function() end)",
            "#!nosuch name=x\n",
            "#!lua name=x\n",
            "#!lua name=x\nreturn 1",
            "#!lua name=x\nreturn 1 +",
            "#!lua name=x\nerror('boom')",
            "#!lua name=x\nredis.call('PING')",
            "#!lua name=x\nlocal s = string.rep('a', 2)",
            "#!lua name=x\nredis.register_function('f')",
            "#!lua name=x\nredis.register_function('f', 1)",
            "#!lua name=x\nredis.register_function(1, function() end)",
            "#!lua name=x\nredis.register_function('f', function() end, 3)",
            "#!lua name=x\nredis.register_function()",
            "#!lua name=x\nredis.register_function('bad name', function() end)",
            "#!lua name=x\nredis.register_function('f', function() end)\nredis.register_function('f', function() end)",
            "#!lua name=x\nredis.register_function{function_name='f'}",
            "#!lua name=x\nredis.register_function{callback=function() end}",
            "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags={'bogus'}}",
            "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags='no-writes'}",
            "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, other=1}",
            "#!lua name=x\nredis.register_function{function_name=1, callback=function() end}",
            "#!lua name=x\nredis.register_function{function_name='f', callback=1}",
            "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, description=1}",
            "#!lua name=x\nredis.register_function(1)",
            "#!lua name=x\nredis.log(redis.LOG_NOTICE, 'loading')\nredis.register_function('f', function() return redis.REDIS_VERSION end)",
          ]
        ) {
          await d.same("FUNCTION", "LOAD", code);
          await d.same("FUNCTION", "FLUSH");
        }
        await d.same("FUNCTION", "LOAD");
        await d.same("FUNCTION", "LOAD", "BAD", "#!lua name=x\n");
        await d.same("FUNCTION", "LOAD", "REPLACE");
        await d.same(
          "FUNCTION",
          "LOAD",
          "#!lua name=a\nredis.register_function('f', function() return 1 end)",
        );
        await d.same(
          "FUNCTION",
          "LOAD",
          "#!lua name=b\nredis.register_function('f', function() return 2 end)",
        );
        await d.same(
          "FUNCTION",
          "LOAD",
          "REPLACE",
          "#!lua name=b\nredis.register_function('f', function() return 2 end)",
        );
        await d.same("FCALL", "f", "0");
      });

      run("functions at run time: environment, errors, KEYS/ARGV absent", async (d) => {
        await d.same(
          "FUNCTION",
          "LOAD",
          `#!lua name=rt
redis.register_function('err', function() error('boom') end)
redis.register_function('callerr', function() return redis.call('nosuch') end)
redis.register_function('keys', function() return KEYS end)
redis.register_function('glob', function() x = 1 end)
redis.register_function('str', function(k, a) return string.upper(a[1]) .. cjson.encode({1}) end)
redis.register_function('reg', function() redis.register_function('z', function() end) end)
redis.register_function('resp3', function() redis.setresp(3) return redis.call('HGETALL', 'h') end)`,
        );
        await d.both("HSET", "h", "f", "v");
        for (const fn of ["err", "callerr", "keys", "glob", "reg", "resp3"]) {
          await d.same("FCALL", fn, "0");
        }
        await d.same("FCALL", "str", "0", "abc");
      });

      run("FLUSH, HELP, KILL, STATS, RESTORE errors", async (d) => {
        await d.same("FUNCTION", "FLUSH", "ASYNC");
        await d.same("FUNCTION", "FLUSH", "SYNC");
        await d.same("FUNCTION", "FLUSH", "BAD");
        await d.same("FUNCTION", "FLUSH", "SYNC", "x");
        await d.same("FUNCTION", "HELP");
        await d.same("FUNCTION", "KILL");
        await d.same("FUNCTION", "STATS");
        await d.same("FUNCTION", "DUMP");
        await d.same("FUNCTION", "RESTORE", "garbage");
        await d.same("FUNCTION", "RESTORE", "garbage", "BAD");
        await d.same("FUNCTION", "RESTORE", "a", "b", "c");
        await d.same("FUNCTION", "NOSUCH");
        await d.same("FUNCTION");
      });
    });
  }

  it("DUMP from one server RESTOREs on the other, both ways, with each policy", async () => {
    const oracle = await startOracle();
    const server = await startKeyValueServer();
    const ours = await connectClient(server.target, { bulkAsString: false });
    const theirs = await connectClient(oracle.target, { bulkAsString: false });
    const both = async (...args: (string | Uint8Array)[]) => {
      const a = await ours.call(...args);
      const b = await theirs.call(...args);
      assert.deepEqual(toPlain(a), toPlain(b), args.join(" ").slice(0, 60));
      return [a, b];
    };
    try {
      const short = "#!lua name=s\nredis.register_function('s1', function() return 's' end)";
      await both("FUNCTION", "LOAD", LIB);
      await both("FUNCTION", "LOAD", short);
      // The payloads differ (Redis compresses with LZF, libraries come in its dict order).
      const dumpOurs = await ours.call("FUNCTION", "DUMP");
      const dumpTheirs = await theirs.call("FUNCTION", "DUMP");
      assert.ok(dumpOurs instanceof Uint8Array && dumpTheirs instanceof Uint8Array);
      // Each server restores the other's payload.
      for (const policy of [[], ["APPEND"], ["REPLACE"], ["FLUSH"]]) {
        const a = await ours.call("FUNCTION", "RESTORE", dumpTheirs, ...policy);
        const b = await theirs.call("FUNCTION", "RESTORE", dumpOurs, ...policy);
        assert.deepEqual(toPlain(a), toPlain(b), `RESTORE ${policy}`);
      }
      await both("FCALL", "s1", "0");
      await both("FUNCTION", "FLUSH");
      await both("FUNCTION", "RESTORE", dumpTheirs);
      await both("FCALL", "echo", "1", "a", "b");
      await both("FUNCTION", "FLUSH");
      await both("FUNCTION", "RESTORE", dumpOurs);
      await both("FCALL", "echo", "1", "a", "b");
    } finally {
      await ours.close();
      await theirs.close();
      await server.stop();
      await oracle.stop();
    }
  });
});
