/**
 * Differential tests of consumer groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
 * XAUTOCLAIM), XINFO and MEMORY USAGE of streams against a real redis-server 7.0, in RESP2
 * and RESP3. Times (idle, delivery and seen times) are compared to the second.
 */
import { after, before, describe, it } from "node:test";
import type { RespValue } from "../../src/resp/types.ts";
import { type Differential, oracleFixture, oracleSkip, sleep } from "../helpers/redis_oracle.ts";

/** Integers that are times (ms since the epoch, or idle ms) become seconds. */
function roundTimes(v: RespValue): RespValue {
  if (typeof v === "number") return v > 1e12 ? Math.round(v / 10000) : Math.round(v / 1000);
  if (Array.isArray(v)) return v.map(roundTimes);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, roundTimes(x)]));
  return v;
}

describe("kv stream consumer groups vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("XGROUP subcommands and errors", async (d) => {
        await d.same("XGROUP", "CREATE", "s", "g", "$");
        await d.same("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        await d.same("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        await d.same("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "5");
        await d.same("XGROUP", "CREATE", "s", "g3", "0", "ENTRIESREAD", "-2");
        await d.same("XGROUP", "CREATE", "s", "g3", "0", "ENTRIESREAD", "x");
        await d.same("XGROUP", "CREATE", "s", "g3", "-");
        await d.same("XGROUP", "CREATE", "s", "g3", "x");
        await d.same("XGROUP", "CREATE", "s", "g3", "0", "FOO");
        await d.same("XGROUP", "CREATE", "s");
        await d.same("XGROUP", "SETID", "s", "g", "-");
        await d.same("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "3");
        await d.same("XGROUP", "SETID", "s", "nog", "$");
        await d.same("XGROUP", "SETID", "s", "g", "$", "MKSTREAM");
        await d.same("XGROUP", "SETID", "nokey", "g", "$");
        await d.same("XGROUP", "CREATECONSUMER", "s", "g", "alice");
        await d.same("XGROUP", "CREATECONSUMER", "s", "g", "alice");
        await d.same("XGROUP", "CREATECONSUMER", "s", "nog", "alice");
        await d.same("XGROUP", "DELCONSUMER", "s", "g", "alice");
        await d.same("XGROUP", "DELCONSUMER", "s", "g", "bob");
        await d.same("XGROUP", "DESTROY", "s", "g2");
        await d.same("XGROUP", "DESTROY", "s", "g2");
        await d.same("XGROUP", "DESTROY", "nokey", "g2");
        await d.same("XGROUP", "FOO");
        await d.same("XGROUP", "HELP");
        await d.same("XGROUP", "help", "x");
        await d.same("XGROUP");
        await d.same("SET", "str", "x");
        await d.same("XGROUP", "CREATE", "str", "g", "$");
        await d.sameWith(roundTimes, "XINFO", "GROUPS", "s");
      });

      run("XREADGROUP >, history, NOACK, XACK, XPENDING", async (d) => {
        for (let i = 1; i <= 6; i++) await d.both("XADD", "s", `${i}-0`, "f", String(i));
        await d.same("XGROUP", "CREATE", "s", "g", "0");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">");
        await d.same("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">");
        await d.same(
          "XREADGROUP",
          "GROUP",
          "g",
          "carol",
          "NOACK",
          "COUNT",
          "1",
          "STREAMS",
          "s",
          ">",
        );
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "1-0");
        await d.same("XPENDING", "s", "g");
        await d.sameWith(roundTimes, "XPENDING", "s", "g", "-", "+", "10");
        await d.sameWith(roundTimes, "XPENDING", "s", "g", "-", "+", "10", "bob");
        await d.sameWith(roundTimes, "XPENDING", "s", "g", "(1-0", "(4-0", "10");
        await d.same("XPENDING", "s", "g", "-", "+", "10", "nobody");
        await d.same("XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10");
        await d.same("XPENDING", "s", "g", "-", "+", "0");
        await d.same("XPENDING", "s", "g", "-", "+");
        await d.same("XPENDING", "s", "g", "IDLE", "1", "-", "+");
        await d.same("XPENDING", "s", "g", "-", "+", "x");
        await d.same("XPENDING", "s", "g", "x", "+", "1");
        await d.same("XPENDING", "s", "nog");
        await d.same("XPENDING", "nokey", "g");
        await d.same("XACK", "s", "g", "1-0", "3-0", "9-0");
        await d.same("XACK", "s", "g", "x");
        await d.same("XACK", "s", "nog", "1-0");
        await d.same("XACK", "nokey", "g", "1-0");
        await d.same("XDEL", "s", "2-0");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0");
        await d.same("XPENDING", "s", "g");
        await d.sameWith(roundTimes, "XINFO", "GROUPS", "s");
        await d.sameWith(roundTimes, "XINFO", "CONSUMERS", "s", "g");
        await d.same("XINFO", "CONSUMERS", "s", "nog");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
        await d.same("XREADGROUP", "GROUP", "nog", "alice", "STREAMS", "s", ">");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "nokey", ">");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "$");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s");
        await d.same("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "10", "STREAMS", "s", ">");
        await d.same("MULTI");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        await d.same("EXEC");
      });

      run("XCLAIM and XAUTOCLAIM", async (d) => {
        for (let i = 1; i <= 8; i++) await d.both("XADD", "s", `${i}-0`, "f", String(i));
        await d.same("XGROUP", "CREATE", "s", "g", "0");
        await d.same("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
        await d.same("XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "99-0");
        await d.same("XCLAIM", "s", "g", "bob", "100000", "3-0");
        await d.same("XCLAIM", "s", "g", "bob", "0", "3-0", "JUSTID");
        await d.same("XCLAIM", "s", "g", "bob", "0", "4-0", "RETRYCOUNT", "7", "JUSTID");
        await d.same("XCLAIM", "s", "g", "bob", "0", "5-0", "IDLE", "5000", "JUSTID");
        await d.same("XCLAIM", "s", "g", "bob", "0", "6-0", "TIME", "1000", "JUSTID");
        await d.same("XCLAIM", "s", "g", "bob", "0", "6-0", "LASTID", "100-0", "JUSTID");
        await d.same("XINFO", "GROUPS", "s");
        await d.same("XCLAIM", "s", "g", "bob", "0", "1-0", "FOO");
        await d.same("XCLAIM", "s", "g", "bob", "0", "1-0", "IDLE", "x");
        await d.same("XCLAIM", "s", "g", "bob", "0", "1-0", "TIME", "x");
        await d.same("XCLAIM", "s", "g", "bob", "0", "1-0", "RETRYCOUNT", "x");
        await d.same("XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "x");
        await d.same("XCLAIM", "s", "g", "bob", "x", "1-0");
        await d.same("XCLAIM", "s", "nog", "bob", "0", "1-0");
        await d.same("XACK", "s", "g", "7-0");
        await d.same("XCLAIM", "s", "g", "carol", "0", "7-0");
        await d.same("XCLAIM", "s", "g", "carol", "0", "7-0", "FORCE");
        await d.same("XDEL", "s", "8-0", "5-0");
        await d.same("XCLAIM", "s", "g", "carol", "0", "8-0", "5-0");
        await d.sameWith(roundTimes, "XPENDING", "s", "g", "-", "+", "20");
        await d.same("XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "2");
        await d.same("XAUTOCLAIM", "s", "g", "dave", "0", "3-0", "COUNT", "2", "JUSTID");
        await d.same("XAUTOCLAIM", "s", "g", "dave", "100000", "0");
        await d.same("XDEL", "s", "1-0", "2-0");
        await d.same("XAUTOCLAIM", "s", "g", "erin", "0", "-", "JUSTID");
        await d.same("XAUTOCLAIM", "s", "g", "erin", "0", "(0-0", "COUNT", "1");
        await d.same("XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "0");
        await d.same("XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "x");
        await d.same("XAUTOCLAIM", "s", "g", "erin", "x", "0");
        await d.same("XAUTOCLAIM", "s", "g", "erin", "0", "x");
        await d.same("XAUTOCLAIM", "s", "g", "erin", "0", "0", "FOO");
        await d.same("XAUTOCLAIM", "s", "nog", "erin", "0", "0");
        await d.same("XAUTOCLAIM", "nokey", "g", "erin", "0", "0");
        await d.sameWith(roundTimes, "XINFO", "CONSUMERS", "s", "g");
      });

      run("XINFO STREAM [FULL [COUNT]], lag and entries-read", async (d) => {
        await d.same("XINFO", "STREAM", "nokey");
        await d.same("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        await d.sameWith(roundTimes, "XINFO", "STREAM", "s");
        await d.sameWith(roundTimes, "XINFO", "STREAM", "s", "FULL");
        for (let i = 1; i <= 130; i++) {
          await d.both("XADD", "s", `${i}-1`, "a", "1", "b", String(i));
        }
        await d.same("XADD", "s", "131-1", "other", "x");
        await d.same("XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", "s", ">");
        await d.same("XGROUP", "CREATE", "s", "late", "0");
        await d.same("XGROUP", "CREATE", "s", "mid", "50-1");
        await d.same("XGROUP", "CREATE", "s", "end", "$");
        await d.sameWith(roundTimes, "XINFO", "GROUPS", "s");
        await d.same("XDEL", "s", "60-1");
        await d.sameWith(roundTimes, "XINFO", "GROUPS", "s");
        await d.same("XREADGROUP", "GROUP", "mid", "c2", "COUNT", "20", "STREAMS", "s", ">");
        await d.sameWith(roundTimes, "XINFO", "GROUPS", "s");
        await d.same("XDEL", "s", "1-1");
        await d.sameWith(roundTimes, "XINFO", "STREAM", "s");
        await d.same("MEMORY", "USAGE", "s");
        await d.same("MEMORY", "USAGE", "s", "SAMPLES", "0");
        await d.sameWith(roundTimes, "XINFO", "STREAM", "s", "FULL", "COUNT", "2");
        await d.sameWith(roundTimes, "XINFO", "STREAM", "s", "FULL", "COUNT", "-1");
        await d.same("XINFO", "STREAM", "s", "FULL", "COUNT");
        await d.same("XINFO", "STREAM", "s", "FULL", "COUNT", "x");
        await d.same("XINFO", "STREAM", "s", "FOO");
        await d.same("XINFO", "STREAM", "s", "FULL", "LIMIT", "1");
        await d.same("COPY", "s", "copied");
        await d.sameWith(roundTimes, "XINFO", "STREAM", "copied", "FULL");
        await d.same("XPENDING", "copied", "g");
        await d.same("XINFO", "HELP");
        await d.same("XINFO", "HELP", "x");
        await d.same("XINFO", "FOO", "s");
        await d.same("XINFO", "GROUPS");
        await d.same("SET", "str", "x");
        await d.same("XINFO", "STREAM", "str");
        await d.same("XTRIM", "s", "MAXLEN", "0");
        await d.sameWith(roundTimes, "XINFO", "STREAM", "s");
        await d.sameWith(roundTimes, "XINFO", "GROUPS", "s");
      });

      run("XREADGROUP BLOCK: served, group destroyed, key deleted", async (d) => {
        await d.same("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        const other = await fx.open(protocol, false);
        d.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        await sleep(50);
        await other.same("XADD", "s", "1-1", "f", "v");
        await d.sameReplies(1, "XREADGROUP BLOCK served");
        d.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        await sleep(50);
        await other.same("XGROUP", "DESTROY", "s", "g");
        await d.sameReplies(1, "XREADGROUP BLOCK after XGROUP DESTROY");
        await d.same("XGROUP", "CREATE", "s", "g", "$");
        d.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        await sleep(50);
        await other.same("DEL", "s");
        await d.sameReplies(1, "XREADGROUP BLOCK after DEL");
        await other.close();
      });
    });
  }
});
