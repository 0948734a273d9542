/**
 * Differential tests of SORT, SORT_RO and LCS against a real redis-server 7.0, RESP2 and
 * RESP3: numeric and ALPHA sorts of lists, sets (intsets) and sorted sets, BY patterns
 * (constant, keys, hash fields), GET patterns, LIMIT corners, STORE, errors and key specs.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

describe("kv SORT and LCS vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      const setup = async (d: Differential) => {
        await d.both("RPUSH", "l", "3", "1", "2", "10", "-5", "2.5", "1e2", "0x10");
        await d.both("RPUSH", "words", "pear", "apple", "Banana", "apple2", "", "z\x00a", "z");
        await d.both("SADD", "ints", "5", "3", "9", "1", "-2");
        await d.both("ZADD", "z", "1", "c", "2", "a", "3", "b", "3", "bb");
        for (const [k, w] of [["3", "30"], ["1", "100"], ["2", "-1"], ["10", "abc"]]) {
          await d.both("SET", `w_${k}`, w);
        }
        for (const [k, w] of [["a", "3"], ["b", "1"], ["c", "2"], ["bb", "1"]]) {
          await d.both("SET", `n_${k}`, w);
          await d.both("HSET", `h_${k}`, "f", w, "name", `name-${k}`);
        }
        await d.both("RPUSH", "nums", "3", "1", "2", "10");
      };

      run("numeric and ALPHA sorts of lists, sets and sorted sets", async (d) => {
        await setup(d);
        for (const key of ["nums", "ints", "z", "missing"]) {
          await d.same("SORT", key);
          await d.same("SORT", key, "DESC");
          await d.same("SORT", key, "ALPHA");
          await d.same("SORT", key, "ALPHA", "DESC");
          await d.same("SORT_RO", key, "desc", "alpha", "asc");
        }
        await d.same("SORT", "l");
        await d.same("SORT", "l", "DESC");
        await d.same("SORT", "words");
        await d.same("SORT", "words", "ALPHA");
        await d.same("SORT", "words", "ALPHA", "DESC");
        await d.both("RPUSH", "bad", "1", "nan");
        await d.same("SORT", "bad");
        await d.both("RPUSH", "sp", " 1", "2 ", "");
        await d.same("SORT", "sp");
        await d.both("RPUSH", "ties", "1.0", "1", "01", "inf", "-inf", "+inf", "infinity");
        await d.same("SORT", "ties");
        await d.same("SORT", "ties", "DESC");
      });

      run("BY patterns: constant, string keys, hash fields", async (d) => {
        await setup(d);
        await d.same("SORT", "nums", "BY", "nosort");
        await d.same("SORT", "nums", "BY", "nosort", "DESC");
        await d.same("SORT", "nums", "BY", "nosort", "LIMIT", "1", "2");
        await d.same("SORT", "nums", "BY", "nosort", "DESC", "LIMIT", "1", "2");
        await d.same("SORT", "z", "BY", "nosort");
        await d.same("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "10");
        await d.same("SORT", "z", "BY", "nosort", "LIMIT", "2", "1");
        await d.same("SORT", "ints", "BY", "nosort");
        await d.same("SORT", "nums", "BY", "w_*");
        await d.same("SORT", "nums", "BY", "w_*", "DESC");
        await d.same("SORT", "nums", "BY", "w_*", "ALPHA");
        await d.same("SORT", "nums", "BY", "w_*", "ALPHA", "DESC", "LIMIT", "0", "3");
        await d.same("SORT", "z", "BY", "n_*");
        await d.same("SORT", "z", "BY", "h_*->f");
        await d.same("SORT", "z", "BY", "h_*->f", "DESC");
        await d.same("SORT", "z", "BY", "h_*->name", "ALPHA", "DESC");
        await d.same("SORT", "z", "BY", "h_*->nofield");
        await d.same("SORT", "z", "BY", "n_*->f");
        await d.same("SORT", "z", "BY", "h_*->");
      });

      run("GET patterns, LIMIT corners", async (d) => {
        await setup(d);
        await d.same("SORT", "z", "GET", "#");
        await d.same("SORT", "z", "GET", "n_*", "GET", "#", "GET", "h_*->name", "GET", "x");
        await d.same("SORT", "z", "BY", "n_*", "GET", "h_*->f", "GET", "h_*->missing");
        await d.same("SORT", "nums", "GET", "w_*", "GET", "nokey_*");
        await d.same("SORT", "z", "ALPHA", "GET", "h_*");
        for (
          const [s, c] of [
            ["0", "0"],
            ["0", "-1"],
            ["1", "2"],
            ["-5", "2"],
            ["3", "100"],
            ["4", "1"],
            ["100", "1"],
            ["2", "-7"],
            ["9223372036854775807", "9223372036854775807"],
          ]
        ) {
          await d.same("SORT", "nums", "LIMIT", s, c);
          await d.same("SORT", "z", "ALPHA", "LIMIT", s, c, "DESC");
          await d.same("SORT", "nums", "BY", "w_*", "LIMIT", s, c);
          await d.same("SORT", "missing", "LIMIT", s, c);
        }
      });

      run("STORE", async (d) => {
        await setup(d);
        await d.same("SORT", "nums", "STORE", "dst");
        await d.same("LRANGE", "dst", "0", "-1");
        await d.same("SORT", "z", "GET", "n_*", "GET", "nokey", "STORE", "dst");
        await d.same("LRANGE", "dst", "0", "-1");
        await d.same("SORT", "ints", "BY", "nosort", "STORE", "dst");
        await d.same("LRANGE", "dst", "0", "-1");
        await d.both("SET", "dst2", "x", "EX", "100");
        await d.same("SORT", "words", "ALPHA", "STORE", "dst2", "STORE", "dst3");
        await d.same("LRANGE", "dst3", "0", "-1");
        await d.same("TTL", "dst2");
        await d.same("SORT", "missing", "STORE", "dst3");
        await d.same("EXISTS", "dst3");
        await d.same("SORT", "nums", "LIMIT", "10", "1", "STORE", "dst");
        await d.same("EXISTS", "dst");
        await d.same("SORT", "nums", "STORE", "nums");
        await d.same("LRANGE", "nums", "0", "-1");
      });

      run("errors and key specs", async (d) => {
        await setup(d);
        await d.both("SET", "str", "x");
        await d.both("HSET", "hash", "f", "v");
        await d.same("SORT", "str");
        await d.same("SORT", "hash");
        await d.same("SORT", "str", "FOO");
        await d.same("SORT");
        await d.same("SORT", "nums", "LIMIT", "1");
        await d.same("SORT", "nums", "LIMIT", "x", "1");
        await d.same("SORT", "nums", "LIMIT", "1", "1.5");
        await d.same("SORT", "nums", "BY");
        await d.same("SORT", "nums", "GET");
        await d.same("SORT", "nums", "STORE");
        await d.same("SORT_RO", "nums", "STORE", "x");
        await d.same("SORT", "words");
        await d.same("SORT", "nums", "BY", "w_*", "GET", "#");
        await d.same(
          "COMMAND",
          "GETKEYS",
          "SORT",
          "k",
          "STORE",
          "a",
          "LIMIT",
          "0",
          "1",
          "STORE",
          "b",
        );
        await d.same("COMMAND", "GETKEYSANDFLAGS", "SORT", "k", "GET", "store", "BY", "x");
        await d.same("COMMAND", "GETKEYS", "SORT_RO", "k", "BY", "x", "GET", "y");
        await d.same("COMMAND", "INFO", "SORT", "SORT_RO", "LCS");
      });

      // Redis reads ERANGE from errno without clearing it first: after an overflow, numeric
      // SORTs fail until a command clears errno (INCRBYFLOAT does), so these come last.
      run("scores out of double range", async (d) => {
        await d.both("SET", "f", "1");
        for (const v of ["1e400", "-1e400", "1e-400"]) {
          await d.both("DEL", "big");
          await d.both("RPUSH", "big", "1", v, "2");
          await d.same("SORT", "big");
          await d.both("INCRBYFLOAT", "f", "1");
        }
        await d.same("SORT", "big", "ALPHA");
      });

      run("LCS", async (d) => {
        await d.both("SET", "a", "ohmytext");
        await d.both("SET", "b", "mynewtext");
        await d.both("SET", "c", "rediscluster-rrrr-aaa");
        await d.both("SET", "e", "");
        await d.both("RPUSH", "list", "x");
        await d.same("LCS", "a", "b");
        await d.same("LCS", "a", "b", "LEN");
        await d.same("LCS", "a", "b", "IDX");
        await d.same("LCS", "a", "b", "IDX", "WITHMATCHLEN");
        await d.same("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN");
        await d.same("LCS", "a", "b", "IDX", "MINMATCHLEN", "-4");
        await d.same("LCS", "a", "c", "idx", "withmatchlen");
        await d.same("LCS", "c", "a");
        await d.same("LCS", "a", "missing");
        await d.same("LCS", "e", "missing", "IDX");
        await d.same("LCS", "a", "a", "IDX", "WITHMATCHLEN");
        await d.same("LCS", "a", "b", "LEN", "IDX");
        await d.same("LCS", "a", "b", "MINMATCHLEN");
        await d.same("LCS", "a", "b", "MINMATCHLEN", "x");
        await d.same("LCS", "a", "b", "FOO");
        await d.same("LCS", "a", "list");
        await d.same("LCS", "list", "a", "FOO");
        await d.same("LCS", "a");
        await d.same("COMMAND", "GETKEYS", "LCS", "a", "b", "LEN");
      });
    });
  }
});
