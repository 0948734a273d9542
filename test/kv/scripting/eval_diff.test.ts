/**
 * Differential tests of EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against a real
 * redis-server 7.0: byte-identical replies (errors included) in RESP2 and RESP3 — the
 * environment, conversions both ways, error texts and codes, sandbox, shebang flags.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip } from "../../helpers/redis_oracle.ts";

describe("EVAL vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));
      const evals = async (d: Differential, scripts: string[], ...rest: string[]) => {
        for (const script of scripts) await d.same("EVAL", script, ...(rest.length ? rest : ["0"]));
      };

      run("Lua values to replies", async (d) => {
        await evals(d, [
          "return 1",
          "return -3.9",
          "return 3.99",
          "return 1e20",
          "return -1e30",
          "return 0/0",
          "return 2^53 + 1",
          "return 'hello'",
          "return ''",
          "return '\\0\\1\\255'",
          "return true",
          "return false",
          "return nil",
          "return {}",
          "return {1, 2, 3}",
          "return {1, 'two', {3, {4}}, false, 5}",
          "return {1, nil, 3}",
          "return {ok='fine'}",
          "return {ok='with\\r\\nnewline'}",
          "return {err='MYCODE my message'}",
          "return {err='no code'}",
          "return {err='ERR with\\nnewline'}",
          "return redis.status_reply('OK')",
          "return redis.error_reply('FOO bar')",
          "return redis.error_reply('-BAR baz')",
          "return redis.error_reply('plain')",
          "return redis.error_reply(1)",
          "return redis.status_reply()",
          "return {double=3.5}",
          "return {double='x'}",
          "return {big_number='123456789012345678901234567890'}",
          "return {map={a=1}}",
          "return {set={x=true}}",
          "return {verbatim_string={format='txt', string='hello'}}",
          "return {1, 2, {ok='x'}, {err='E y'}}",
          "return function() end",
          "return {a=1, b=2}",
          "return 1, 2",
        ]);
      });

      run("RESP3 mode with redis.setresp(3)", async (d) => {
        await evals(d, [
          "redis.setresp(3); return true",
          "redis.setresp(3); return false",
          "redis.setresp(3); return {double=1.5}",
          "redis.setresp(3); return {map={k='v'}}",
          "redis.setresp(3); return {set={m=true}}",
          "redis.setresp(3); return {big_number='12345'}",
          "redis.setresp(2); return true",
          "redis.setresp(4)",
          "redis.setresp()",
          "redis.setresp('x')",
        ]);
        await d.both("HSET", "h", "f", "v");
        await d.both("SADD", "s", "m");
        await d.both("ZADD", "z", "1.5", "a");
        await d.both("SET", "str", "v");
        await evals(d, [
          "redis.setresp(3); return redis.call('HGETALL', 'h')",
          "redis.setresp(3); local r = redis.call('HGETALL', 'h'); return r.map.f",
          "redis.setresp(3); return redis.call('SMEMBERS', 's')",
          "redis.setresp(3); local r = redis.call('SMEMBERS', 's'); return type(r.set)",
          "redis.setresp(3); local r = redis.call('ZSCORE', 'z', 'a'); return tostring(r.double)",
          "redis.setresp(3); return redis.call('ZSCORE', 'z', 'a')",
          "redis.setresp(3); return redis.call('GET', 'nosuch') == nil",
          "redis.setresp(3); return redis.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')",
          "redis.setresp(3); return redis.call('EXISTS', 'str')",
          "return redis.call('HGETALL', 'h')",
          "return redis.call('GET', 'nosuch')",
          "return type(redis.call('GET', 'nosuch'))",
          "return redis.call('ZSCORE', 'z', 'a')",
          "return redis.call('SET', 'k', 'v')",
          "return redis.call('SET', 'k', 'v').ok",
          "return redis.call('PING')",
          "return redis.call('LRANGE', 'nolist', 0, -1)",
        ]);
      });

      run("redis.call arguments, KEYS and ARGV", async (d) => {
        await d.same(
          "EVAL",
          "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}",
          "2",
          "a",
          "b",
          "c",
          "d",
        );
        await d.same("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "\u00e9\0x");
        await d.same("EVAL", "return redis.call('GET', KEYS[1])", "1", "k");
        await evals(d, [
          "return redis.call('SET', 'n', 3.5)",
          "return redis.call('GET', 'n')",
          "return redis.call('SET', 'n', 0.1)",
          "return redis.call('GET', 'n')",
          "return redis.call('SET', 'n', 1e100)",
          "return redis.call('GET', 'n')",
          "return redis.call('SET', 'n', -0.5)",
          "return redis.call('GET', 'n')",
          "return redis.call('INCRBY', 'i', 10)",
          "return redis.call('get', {})",
          "return redis.call()",
          "return redis.pcall()",
          "return redis.call('nosuch')",
          "return redis.pcall('nosuch')",
          "return redis.call('get')",
          "return redis.call('get', 'a', 'b')",
          "return redis.call('CLIENT')",
          "return redis.call('CLIENT', 'nosuch')",
          "return redis.call('blpop', 'l', 0)",
          "return redis.call('subscribe', 'c')",
          "return redis.call('eval', 'return 1', 0)",
          "return redis.call('multi')",
          "return redis.call('script', 'load', 'return 1')",
          "return redis.pcall('blpop', 'l', 0)",
          "return redis.call('XREAD', 'BLOCK', '10', 'STREAMS', 's', '$')",
          "return redis.pcall('xread', 'COUNT', '1', 'BLOCK', '10', 'STREAMS', 's', '$')",
          "return redis.call('XREAD', 'STREAMS', 's', '0')",
          "return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>')",
          "return redis.call('select', 1)",
          "return redis.call('dbsize')",
        ]);
        await d.same("EVAL", "return redis.call('SET', KEYS[1], 'x')", "1", "k");
        await d.same("EVAL", "return redis.call('INCR', KEYS[1])", "1", "k");
        await d.same("EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "k");
        await d.same("EVAL", "local r = redis.pcall('INCR', KEYS[1]); return r.err", "1", "k");
        await d.same("EVAL", "return redis.call('HSET', KEYS[1], 'f', 'v')", "1", "k");
        await d.same("EVAL", "return {pcall(redis.call, 'INCR', KEYS[1])}", "1", "k");
      });

      run("KEYS and ARGV are fresh in every run, whatever the last run did to them", async (d) => {
        // After the array part, no key is left (next from the last index, or from the start).
        const after = (t: string) => `tostring(next(${t}, #${t} > 0 and #${t} or nil))`;
        const look = "return {#KEYS, #ARGV, KEYS[1], KEYS[2], ARGV[1], ARGV[2], " +
          "tostring(getmetatable(KEYS)), tostring(getmetatable(ARGV)), " +
          `tostring(rawget(KEYS, 'x')), tostring(ARGV.y), ${after("KEYS")}, ${after("ARGV")}}`;
        const changes = [
          "KEYS[1] = nil KEYS[3] = 'c' KEYS.x = 1 ARGV.y = 2 setmetatable(KEYS, {}) return 1",
          "for i = 1, 40 do KEYS[i] = i; ARGV[i] = -i end return #KEYS + #ARGV",
          "table.remove(KEYS) table.remove(ARGV) return {#KEYS, #ARGV}",
          "setmetatable(ARGV, {__index = function() return 'dflt' end}) return ARGV[9]",
          "for k in pairs(KEYS) do KEYS[k] = nil end return next(KEYS)",
          "return {pcall(error, KEYS)}",
        ];
        for (const change of changes) {
          await d.same("EVAL", change, "2", "k1", "k2", "a1", "a2");
          await d.same("EVAL", look, "2", "k1", "k2", "a1", "a2");
          await d.same("EVAL", look, "1", "only", "a1");
          await d.same("EVAL", look, "0");
        }
      });

      run("errors: runtime, compile, numkeys, NOSCRIPT", async (d) => {
        await evals(d, [
          "error('boom')",
          "error('boom', 0)",
          "error('boom', 2)",
          "error({err='MY code'})",
          "error(redis.error_reply('E x'))",
          "error(42)",
          "error(true)",
          "error()",
          "local a = nil\nreturn a.b",
          "local t = {}\n\nreturn t.x.y",
          "return 1 + {}",
          "return #nil",
          "return ('x'):bad()",
          "return string.rep()",
          "return 1 +",
          "return 'unfinished",
          "x =",
          "local function f() error('deep') end\nlocal function g() f() end\ng()",
          "local ok, e = pcall(error, 'caught') return e",
          "local ok, e = pcall(error, {err='X y'}) return e",
          "local ok, e = pcall(function() local x = nil; return x.y end) return e",
          "return {pcall(redis.call, 'nosuch')}",
          "return {xpcall(function() error('z') end, function(m) return 'handled ' .. m end)}",
          "\nredis.call('INCR', 'notanint', 'x')",
          "redis.call('SET', 'a', 'b')\n\nredis.call('LPUSH', 'a', 'x')",
          "return redis.sha1hex()",
          "return redis.log()",
          "return redis.log('x', 'y')",
          "return redis.log(99, 'y')",
          "return redis.set_repl()",
          "return redis.set_repl(99)",
        ]);
        await d.same("EVAL", "return 1");
        await d.same("EVAL", "return 1", "-1");
        await d.same("EVAL", "return 1", "x");
        await d.same("EVAL", "return 1", "2", "a");
        await d.same("EVALSHA", "nosuch", "0");
        await d.same("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0");
        await d.same("EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", "0");
      });

      run("the sandbox and the redis table", async (d) => {
        await evals(d, [
          "x = 1",
          "return y",
          "_G.newglobal = 1",
          "return rawget(_G, 'nosuch')",
          "return _VERSION",
          "return type(loadstring)",
          "return type(load)",
          "return type(getfenv)",
          "return type(setfenv)",
          "return type(newproxy)",
          "return type(gcinfo)",
          "return type(collectgarbage)",
          "return type(coroutine)",
          "return type(__redis__err__handler)",
          "return os",
          "return io",
          "return print",
          "return dofile",
          "return loadfile",
          "return require",
          "return module",
          "return debug",
          "return package",
          "return type(cjson)",
          "return type(cmsgpack)",
          "return type(bit)",
          "return type(struct)",
          "return type(math.random)",
          "return redis.REDIS_VERSION",
          "return redis.REDIS_VERSION_NUM",
          "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
          "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}",
          "return redis.sha1hex('')",
          "return redis.sha1hex('abc')",
          "return redis.sha1hex(123)",
          "redis.log(redis.LOG_WARNING, 'from a script'); return 1",
          "redis.set_repl(redis.REPL_ALL); return 1",
          "return redis.replicate_commands()",
          "return redis.breakpoint()",
          "return redis.debug('x')",
          "return type(redis.acl_check_cmd)",
          "return redis.acl_check_cmd('get', 'x')",
          "return redis.acl_check_cmd('nosuch')",
          "return loadstring('return 7')()",
          "local f = loadstring('syntax error here') return f",
          "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)\nlocal _, x = coroutine.resume(co, 1)\nlocal _, y = coroutine.resume(co, 10)\nreturn {x, y}",
          "math.randomseed(7); return {math.random(100), math.random(5, 9), tostring(math.random())}",
          "return math.random(0)",
          "return string.format('%.3f %5d %s %q', 1.23456, 42, 'x', 'a\\nb')",
          "return tostring(1/3)",
          "return tostring(1e15), tostring(2^63)",
          "return table.concat({1, 2, 3}, ',')",
          "local t = {3, 1, 2}; table.sort(t); return t",
          "return {string.find('hello world', 'o w')}",
          "return (string.gsub('hello', 'l', 'L'))",
          "return unpack({1, 2, 3})",
          "return select('#', 1, 2, 3)",
          "return tonumber('0x10')",
          "return tonumber('10', 2)",
        ]);
      });

      it("read-only library tables", () =>
        fx.check(protocol, (d) =>
          evals(d, [
            "redis = 1",
            "string.x = 1",
            "rawset(_G, 'a', 1)",
            "table.insert(redis, 1)",
            "redis.call = nil",
            "x = 1",
            "_G.redis = 1",
            "math.sin = 1",
            "cjson.x = 1",
            "getmetatable('').x = 1",
            "getmetatable('').__index.x = 1",
            "local m = getmetatable(_G) m.x = 1",
            "getmetatable(_G).__index = 1",
            "local a = {string} a[1].y = 2",
            "rawset(string, 'x', 1)",
            "setmetatable(_G, nil)",
            "setmetatable(string, {})",
            "table.sort(redis)",
            "table.remove(string)",
            "table.insert(string, 1, 2)",
            "return {pcall(function() bit.x = 1 end)}",
            "return {pcall(rawset, string, 'a', 1)}",
            "return {pcall(table.insert, string, 1)}",
            "KEYS[1] = 1 return KEYS[1]",
            "table.insert(KEYS, 'z') return KEYS",
            "local t = {3, 1, 2} table.sort(t) t.x = 1 return t",
          ])));

      run("SCRIPT LOAD/EXISTS/FLUSH/HELP, EVALSHA", async (d) => {
        const sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";
        await d.same("SCRIPT", "FLUSH");
        await d.same("SCRIPT", "EXISTS", sha, "nosuch");
        await d.same("EVALSHA", sha, "0");
        await d.same("SCRIPT", "LOAD", "return 1");
        await d.same("SCRIPT", "EXISTS", sha, sha.toUpperCase(), "nosuch");
        await d.same("EVALSHA", sha, "0");
        await d.same("EVALSHA", sha.toUpperCase(), "0");
        await d.same("EVALSHA_RO", sha, "0");
        await d.same("SCRIPT", "LOAD", "return +");
        await d.same("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1");
        await d.same("SCRIPT", "FLUSH", "ASYNC");
        await d.same("SCRIPT", "EXISTS", sha);
        await d.same("SCRIPT", "FLUSH", "SYNC");
        await d.same("SCRIPT", "FLUSH", "BAD");
        await d.same("SCRIPT", "FLUSH", "SYNC", "x");
        await d.same("SCRIPT", "HELP");
        await d.same("SCRIPT", "KILL");
        await d.same("SCRIPT", "NOSUCH");
        await d.same("SCRIPT");
        await d.same("SCRIPT", "LOAD");
        await d.same("SCRIPT", "EXISTS");
        await d.same("EVAL", "return redis.call('SET', 'a', 'b')", "0");
        await d.same("EVAL", "return 'kept'", "0");
        await d.same("EVALSHA", "3bc8b1e6de3d7ce4f3dc5c1c26cec5b22e4b0d8d", "0");
      });

      run("read-only scripts and shebang flags", async (d) => {
        await d.same("EVAL_RO", "return redis.call('SET', 'a', 'b')", "0");
        await d.same("EVAL_RO", "return redis.pcall('SET', 'a', 'b')", "0");
        await d.same("EVAL_RO", "return redis.call('GET', 'a')", "0");
        await d.same("EVAL_RO", "return redis.call('PUBLISH', 'c', 'm')", "0");
        await d.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('SET', 'a', 'b')", "0");
        await d.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('GET', 'a')", "0");
        await d.same("EVAL", "#!lua\nreturn redis.call('SET', 'a', 'b')", "0");
        await d.same("EVAL_RO", "#!lua\nreturn 1", "0");
        await d.same("EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0");
        await d.same(
          "EVAL",
          "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2",
          "0",
        );
        await d.same("EVAL", "#!lua flags=\nreturn 3", "0");
        await d.same("EVAL", "#!lua flags=bogus\nreturn 1", "0");
        await d.same("EVAL", "#!lua flags=no-writes,\nreturn 1", "0");
        await d.same("EVAL", "#!luax\nreturn 1", "0");
        await d.same("EVAL", "#!lua foo=bar\nreturn 1", "0");
        await d.same("EVAL", "#!lua", "0");
        await d.same("EVAL", "#!lua\nerror('line two')", "0");
        await d.same("EVAL", "#!lua\n\nreturn x", "0");
      });

      run("busy-reply-threshold and lua-time-limit in CONFIG", async (d) => {
        await d.same("CONFIG", "GET", "busy-reply-threshold");
        await d.same("CONFIG", "GET", "lua-time-limit");
        await d.same("CONFIG", "SET", "busy-reply-threshold", "1234");
        await d.same("CONFIG", "GET", "lua-time-limit");
        await d.same("CONFIG", "SET", "lua-time-limit", "abc");
        await d.same("CONFIG", "SET", "lua-time-limit", "5000");
        await d.same("CONFIG", "GET", "busy-reply-threshold");
      });

      run("scripts inside MULTI, SELECT inside scripts", async (d) => {
        await d.same("MULTI");
        await d.same("EVAL", "return redis.call('INCR', KEYS[1])", "1", "m");
        await d.same("EVAL", "return redis.call('INCR', KEYS[1])", "1", "m");
        await d.same("EVAL", "return redis.call('nosuch')", "0");
        await d.same("EXEC");
        await d.same(
          "EVAL",
          "redis.call('SELECT', 2); redis.call('SET', 'in2', 'x'); return redis.call('DBSIZE')",
          "0",
        );
        await d.same("EXISTS", "in2");
        await d.same("SELECT", "2");
        await d.same("GET", "in2");
        await d.same("EVAL", "return redis.call('GET', 'in2')", "0");
        await d.same("SELECT", "0");
      });
    });
  }
});
