/**
 * Differential tests of the stream commands (XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM,
 * XSETID, XREAD) against a real redis-server 7.0: byte-identical replies in RESP2 and RESP3,
 * errors and edge arguments included. Consumer groups: streams_groups_diff.test.ts.
 */
import { after, before, describe, it } from "node:test";
import type { RespValue } from "../../src/resp/types.ts";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

/** An auto-generated ID's shape: "<digits>-<digits>". */
const idShape = (v: RespValue): unknown =>
  /^\d+-\d+$/.test(v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v));

describe("kv streams vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("XADD IDs: explicit, ms-*, errors", async (d) => {
        await d.same("XADD", "s", "1-1", "f", "v");
        await d.same("XADD", "s", "1-1", "f", "v");
        await d.same("XADD", "s", "1-*", "f", "v");
        await d.same("XADD", "s", "1-*", "a", "b", "c", "d");
        await d.same("XADD", "s", "5", "f", "v");
        await d.same("XADD", "s", "5-*", "f", "v");
        await d.same("XADD", "s", "4-*", "f", "v");
        await d.same("XADD", "s", "0-0", "f", "v");
        await d.same("XADD", "t", "0-0", "f", "v");
        await d.same("XADD", "t", "0-*", "f", "v");
        await d.same("XADD", "t", "0-1", "f", "v");
        await d.same("XADD", "s", "-", "f", "v");
        await d.same("XADD", "s", "+", "f", "v");
        await d.same("XADD", "s", "abc", "f", "v");
        await d.same("XADD", "s", "10-x", "f", "v");
        await d.same("XADD", "s", "10-", "f", "v");
        await d.same("XADD", "s", "-10", "f", "v");
        await d.same("XADD", "s", "010-01", "f", "v");
        await d.same("XADD", "s", "11", "f");
        await d.same("XADD", "s", "11", "f", "v", "g");
        await d.same("XADD", "s");
        await d.same("XADD", "s", "*");
        await d.same("XADD", "big", "18446744073709551615-18446744073709551614", "f", "v");
        await d.same("XADD", "big", "18446744073709551615-*", "f", "v");
        await d.same("XADD", "big", "18446744073709551615-*", "f", "v");
        await d.same("XADD", "big", "*", "f", "v");
        await d.same("XADD", "big2", "18446744073709551616-0", "f", "v");
        await d.same("XADD", "big2", "9007199254740993-18446744073709551615", "f", "v");
        await d.same("XADD", "big2", "9007199254740993-*", "f", "v");
        await d.same("XADD", "big2", "*", "f", "v");
        await d.same("XRANGE", "big2", "-", "+");
        await d.same("XRANGE", "big", "-", "+");
        await d.same("XLEN", "s");
        await d.same("XRANGE", "s", "-", "+");
        await d.same("SET", "str", "x");
        await d.same("XADD", "str", "1-1", "f", "v");
        await d.same("XLEN", "str");
        await d.same("XLEN", "nokey");
        await d.same("TYPE", "s");
      });

      run("XADD * and NOMKSTREAM", async (d) => {
        await d.sameWith(idShape, "XADD", "auto", "*", "f", "v");
        await d.sameWith(idShape, "XADD", "auto", "*", "f", "v");
        await d.same("XLEN", "auto");
        await d.same("XADD", "none", "NOMKSTREAM", "*", "f", "v");
        await d.same("EXISTS", "none");
        await d.same("XADD", "none", "nomkstream", "1-1", "f", "v");
        await d.same("XADD", "s2", "1-1", "f", "v");
        await d.same("XADD", "s2", "NOMKSTREAM", "2-1", "f", "v");
        await d.same("XADD", "s2", "NOMKSTREAM", "MAXLEN", "1", "3-1", "f", "v");
        await d.same("XRANGE", "s2", "-", "+");
      });

      run("XADD and XTRIM trimming (MAXLEN, MINID, =, ~, LIMIT) and errors", async (d) => {
        for (let i = 1; i <= 350; i++) await d.both("XADD", "s", `${i}-0`, "a", "1", "b", "2");
        await d.same("XTRIM", "s", "MAXLEN", "~", "300");
        await d.same("XLEN", "s");
        await d.same("XTRIM", "s", "MAXLEN", "~", "120");
        await d.same("XLEN", "s");
        await d.same("XTRIM", "s", "MAXLEN", "=", "110");
        await d.same("XLEN", "s");
        await d.same("XRANGE", "s", "-", "+", "COUNT", "3");
        await d.same("XTRIM", "s", "MINID", "~", "300");
        await d.same("XTRIM", "s", "MINID", "305");
        await d.same("XRANGE", "s", "-", "+", "COUNT", "2");
        await d.same("XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "5");
        await d.same("XTRIM", "s", "MAXLEN", "10", "LIMIT", "5");
        await d.same("XTRIM", "s", "MAXLEN", "-1");
        await d.same("XTRIM", "s", "MAXLEN", "x");
        await d.same("XTRIM", "s", "MINID", "x");
        await d.same("XTRIM", "s", "MINID", "-");
        await d.same("XTRIM", "s", "LIMIT", "5");
        await d.same("XTRIM", "s", "MAXLEN", "1", "MINID", "1");
        await d.same("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "-1");
        await d.same("XTRIM", "s", "FOO");
        await d.same("XTRIM", "s", "MAXLEN");
        await d.same("XTRIM", "nokey", "MAXLEN", "1");
        await d.same("XTRIM", "s", "MAXLEN", "0");
        await d.same("XLEN", "s");
        await d.same("EXISTS", "s");
        for (let i = 1; i <= 250; i++) {
          await d.same("XADD", "t", "MAXLEN", "~", "100", `${i}-1`, "f", String(i));
        }
        await d.same("XLEN", "t");
        await d.same("XADD", "t", "MINID", "240", "300-1", "f", "v");
        await d.same("XRANGE", "t", "-", "+");
        await d.same("XADD", "t", "LIMIT", "10", "301-1", "f", "v");
        await d.same("XADD", "t", "MAXLEN", "~", "1", "LIMIT", "0", "302-1", "f", "v");
        await d.same("XLEN", "t");
      });

      run("~ trimming follows node sizes (4096-byte nodes, mixed fields)", async (d) => {
        const big = "x".repeat(500);
        for (let i = 1; i <= 60; i++) {
          const fields = i % 3 === 0 ? ["other", big] : ["f", i % 2 ? big : "12345"];
          await d.both("XADD", "s", `${i}-0`, ...fields, "n", String(i * 1000));
        }
        await d.same("XTRIM", "s", "MAXLEN", "~", "30");
        await d.same("XLEN", "s");
        await d.same("XTRIM", "s", "MINID", "~", "50");
        await d.same("XRANGE", "s", "-", "+", "COUNT", "1");
      });

      run("seeded random XADD ~ MAXLEN / MINID, XDEL, XTRIM: same entries as Redis", async (d) => {
        let seed = 7 + protocol;
        const rand = () => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed / 2147483648;
        };
        const sizes = [0, 1, 5, 12, 40, 63, 64, 200, 700, 1500];
        for (let i = 1; i <= 400; i++) {
          const v = "z".repeat(sizes[Math.floor(rand() * sizes.length)]);
          const num = String(Math.floor(rand() * 100000) - 50000);
          const fields = rand() < 0.8 ? ["a", v, "n", num] : ["b", num];
          const r = rand();
          const trim = r < 0.3
            ? ["MAXLEN", "~", String(50 + Math.floor(rand() * 200))]
            : r < 0.4
            ? ["MINID", "~", `${i - 150}-0`]
            : [];
          await d.both("XADD", "s", ...trim, `${i}-${Math.floor(rand() * 3)}`, ...fields);
          if (rand() < 0.1) await d.both("XDEL", "s", `${i - Math.floor(rand() * 30)}-0`);
          if (i % 50 === 0) {
            await d.same("XLEN", "s");
            await d.same("XRANGE", "s", "-", "+", "COUNT", "3");
            await d.same("MEMORY", "USAGE", "s");
            await d.same("XINFO", "STREAM", "s");
          }
        }
        await d.same("XTRIM", "s", "MAXLEN", "~", "20");
        await d.same("XRANGE", "s", "-", "+");
      });

      run("XRANGE / XREVRANGE: bounds, exclusive, COUNT, errors", async (d) => {
        for (let i = 1; i <= 30; i++) {
          await d.both("XADD", "s", `${Math.ceil(i / 3)}-${i % 3}`, "f", String(i));
        }
        await d.same("XRANGE", "s", "-", "+");
        await d.same("XREVRANGE", "s", "+", "-");
        await d.same("XRANGE", "s", "3", "5");
        await d.same("XRANGE", "s", "3-1", "5-0");
        await d.same("XRANGE", "s", "(3-1", "(5-0");
        await d.same("XREVRANGE", "s", "(5", "(3");
        await d.same("XRANGE", "s", "(3", "+", "COUNT", "2");
        await d.same("XREVRANGE", "s", "+", "-", "COUNT", "4");
        await d.same("XRANGE", "s", "-", "+", "COUNT", "0");
        await d.same("XRANGE", "s", "-", "+", "COUNT", "-3");
        await d.same("XRANGE", "s", "-", "+", "COUNT");
        await d.same("XRANGE", "s", "-", "+", "LIMIT", "1");
        await d.same("XRANGE", "s", "-", "+", "COUNT", "x");
        await d.same("XRANGE", "s", "(-", "+");
        await d.same("XRANGE", "s", "-", "(+");
        await d.same("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+");
        await d.same("XRANGE", "s", "-", "(0-0");
        await d.same("XRANGE", "s", "5", "3");
        await d.same("XRANGE", "s", "x", "+");
        await d.same("XRANGE", "s", "(", "+");
        await d.same("XRANGE", "nokey", "-", "+");
        await d.same("XRANGE", "nokey", "-", "+", "COUNT", "0");
        await d.same("SET", "str", "x");
        await d.same("XRANGE", "str", "-", "+");
      });

      run("XDEL and what it changes", async (d) => {
        for (let i = 1; i <= 250; i++) await d.both("XADD", "s", `${i}-0`, "f", "v");
        await d.same("XDEL", "s", "1-0", "2", "2-0", "999-0");
        await d.same("XDEL", "s", "x");
        await d.same("XDEL", "s", "-");
        await d.same("XDEL", "nokey", "1-0");
        const ids: string[] = [];
        for (let i = 101; i <= 200; i++) ids.push(`${i}-0`);
        await d.same("XDEL", "s", ...ids);
        await d.same("XLEN", "s");
        await d.same("XRANGE", "s", "99", "202");
        await d.same("XREVRANGE", "s", "202", "99");
        await d.same("XTRIM", "s", "MAXLEN", "~", "10");
        await d.same("XLEN", "s");
        await d.same("XADD", "s", "250-0", "f", "v");
        await d.same("XADD", "s", "251-0", "f", "v");
        await d.same("XDEL", "s", "251-0");
        await d.same("XADD", "s", "251-0", "f", "v");
        await d.same("XADD", "s", "*", "f", "v", "MAXLEN");
      });

      run("XSETID", async (d) => {
        await d.same("XSETID", "nokey", "1-1");
        await d.same("XADD", "s", "5-5", "f", "v");
        await d.same("XSETID", "s", "5-4");
        await d.same("XSETID", "s", "10-0");
        await d.same("XADD", "s", "9-0", "f", "v");
        await d.same("XADD", "s", "10-*", "f", "v");
        await d.same("XSETID", "s", "20-0", "ENTRIESADDED", "1");
        await d.same("XSETID", "s", "20-0", "ENTRIESADDED", "-1");
        await d.same("XSETID", "s", "20-0", "ENTRIESADDED", "50", "MAXDELETEDID", "21-0");
        await d.same("XSETID", "s", "20-0", "ENTRIESADDED", "50", "MAXDELETEDID", "3-0");
        await d.same("XSETID", "s", "20-0", "ENTRIESADDED");
        await d.same("XSETID", "s", "20-0", "FOO", "1");
        await d.same("XSETID", "s", "+");
        await d.same("XSETID", "s", "x");
        await d.same("XDEL", "s", "5-5", "10-1");
        await d.same("XSETID", "s", "0-1");
        await d.same("XADD", "s", "1-*", "f", "v");
      });

      run("XREAD without blocking: $, COUNT, several streams, errors", async (d) => {
        for (let i = 1; i <= 5; i++) await d.both("XADD", "a", `${i}-0`, "f", String(i));
        await d.both("XADD", "b", "3-0", "g", "x");
        await d.same("XREAD", "STREAMS", "a", "b", "0", "0");
        await d.same("XREAD", "COUNT", "2", "STREAMS", "a", "b", "2", "0-0");
        await d.same("XREAD", "STREAMS", "a", "b", "$", "$");
        await d.same("XREAD", "STREAMS", "a", "nokey", "5", "0");
        await d.same("XREAD", "STREAMS", "a", "b", "0");
        await d.same("XREAD", "STREAMS", "a", ">");
        await d.same("XREAD", "STREAMS", "a", "x");
        await d.same("XREAD", "STREAMS", "a", "+");
        await d.same("XREAD", "COUNT", "x", "STREAMS", "a", "0");
        await d.same("XREAD", "COUNT", "-1", "STREAMS", "a", "0");
        await d.same("XREAD", "BLOCK", "x", "STREAMS", "a", "0");
        await d.same("XREAD", "BLOCK", "-1", "STREAMS", "a", "0");
        await d.same("XREAD", "BLOCK", "0", "STREAMS", "a", "0");
        await d.same("XREAD", "GROUP", "g", "c", "STREAMS", "a", "0");
        await d.same("XREAD", "NOACK", "STREAMS", "a", "0");
        await d.same("XREAD", "FOO", "STREAMS", "a", "0");
        await d.same("XREAD", "COUNT", "1", "a", "0");
        await d.same("SET", "str", "x");
        await d.same("XREAD", "STREAMS", "str", "0");
        await d.same("XREAD", "STREAMS", "a", "18446744073709551615-18446744073709551615");
      });

      run("XREAD BLOCK: served by XADD, timeout null, MULTI answers at once", async (d) => {
        d.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        await new Promise((r) => setTimeout(r, 50));
        const other = await fx.open(protocol, false);
        await other.same("XADD", "s", "1-1", "f", "v");
        await d.sameReplies(1, "XREAD BLOCK served");
        await d.same("XREAD", "BLOCK", "30", "STREAMS", "s", "$");
        await d.same("MULTI");
        await d.same("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        await d.same("EXEC");
        d.send("XREAD", "BLOCK", "0", "STREAMS", "moved", "$");
        await new Promise((r) => setTimeout(r, 50));
        await other.same("RENAME", "s", "moved");
        await d.sameReplies(1, "XREAD BLOCK served by RENAME");
        await other.same("COPY", "moved", "s");
        await other.same("XRANGE", "s", "-", "+");
        d.send("XREAD", "COUNT", "1", "BLOCK", "2000", "STREAMS", "s", "1-1");
        await new Promise((r) => setTimeout(r, 50));
        await other.same("MULTI");
        await other.same("XADD", "s", "2-1", "f", "v");
        await other.same("XADD", "s", "3-1", "f", "v");
        await other.same("EXEC");
        await d.sameReplies(1, "XREAD BLOCK served after EXEC with COUNT");
        await other.close();
      });
    });
  }
});
