/**
 * INFO commandstats, errorstats, latencystats and the error counters of INFO stats against a
 * real redis-server 7.0: after CONFIG RESETSTAT, the same requests (successes, failures,
 * rejections, unknown commands, MULTI/EXEC) must give the same calls, rejected_calls,
 * failed_calls and error counts (times differ), in RESP2 and RESP3.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { connectClient } from "../helpers/client.ts";

function text(value: RespValue): string {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && "text" in value) {
    return String((value as { text: unknown }).text);
  }
  return String(value);
}

/** INFO <section> of both, as field maps. */
async function info(d: Differential, section: string): Promise<Array<Map<string, string>>> {
  const out: Array<Map<string, string>> = [];
  for (const peer of [d.ours, d.oracle]) {
    // A connection of its own: the pair's byte offsets stay on the compared replies.
    const client = await connectClient({ port: peer.socket.remotePort!, host: "127.0.0.1" });
    const reply = text(await client.call("INFO", section));
    await client.close();
    const fields = new Map<string, string>();
    for (const line of reply.split("\r\n")) {
      const at = line.indexOf(":");
      if (at > 0 && !line.startsWith("#")) fields.set(line.slice(0, at), line.slice(at + 1));
    }
    out.push(fields);
  }
  return out;
}

/** commandstats without the times: name -> "calls=..,rejected_calls=..,failed_calls=..". */
function counts(fields: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of fields) {
    out[name] = value.split(",").filter((f) => !f.startsWith("usec")).join(",");
  }
  return out;
}

describe(
  "INFO commandstats / errorstats / latencystats vs redis-server",
  { skip: oracleSkip },
  () => {
    const fx = oracleFixture({ before, after });

    for (const protocol of [2, 3] as const) {
      describe(`RESP${protocol}`, () => {
        const run = (name: string, body: (d: Differential) => Promise<void>) =>
          it(name, () => fx.check(protocol, body));

        run("calls, failures, rejections and error codes", async (d) => {
          await d.same("CONFIG", "RESETSTAT");
          await d.same("SET", "a", "1");
          await d.same("GET", "a");
          await d.same("GET");
          await d.same("GET", "a", "b");
          await d.same("INCR", "nope-not-int-key");
          await d.same("SET", "s", "x");
          await d.same("INCR", "s");
          await d.same("LPUSH", "s", "x");
          await d.same("NOSUCHCOMMAND", "x");
          await d.same("CONFIG", "NOSUCHSUB");
          await d.same("CONFIG", "GET", "maxmemory");
          await d.same("XADD", "x", "0-0", "f", "v");
          await d.same("MULTI");
          await d.same("INCR", "s");
          await d.same("SET", "t", "1");
          await d.same("EXEC");
          await d.same("MULTI");
          await d.same("GET");
          await d.same("EXEC");
          const [ours, theirs] = await info(d, "commandstats");
          assert.deepEqual(counts(ours), counts(theirs));
          const [oe, te] = await info(d, "errorstats");
          assert.deepEqual(Object.fromEntries(oe), Object.fromEntries(te));
          const [os, ts] = await info(d, "stats");
          assert.equal(os.get("total_error_replies"), ts.get("total_error_replies"));
          assert.deepEqual([...os.keys()], [...ts.keys()], "stats fields in Redis's order");
          const [ol, tl] = await info(d, "latencystats");
          assert.deepEqual([...ol.keys()].sort(), [...tl.keys()].sort());
          for (const [name, value] of ol) {
            assert.match(value, /^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/, name);
          }
          await d.same("CONFIG", "RESETSTAT");
          const [after1, after2] = await info(d, "errorstats");
          assert.deepEqual(Object.fromEntries(after1), Object.fromEntries(after2));
        });

        run("latency-tracking parameters", async (d) => {
          await d.same("CONFIG", "GET", "latency-tracking");
          await d.same("CONFIG", "GET", "latency-tracking-info-percentiles");
          await d.same("CONFIG", "SET", "latency-tracking", "maybe");
          await d.same("CONFIG", "SET", "latency-tracking-info-percentiles", "abc");
          await d.same("CONFIG", "SET", "latency-tracking-info-percentiles", "101");
          await d.same("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.99 0");
          await d.same("CONFIG", "GET", "latency-tracking-info-percentiles");
          await d.same("CONFIG", "RESETSTAT");
          await d.same("PING");
          const [ol, tl] = await info(d, "latencystats");
          assert.deepEqual([...ol.keys()].sort(), [...tl.keys()].sort());
          assert.match(
            ol.get("latency_percentiles_usec_ping") ?? "",
            /^p50=[\d.]+,p99\.99=[\d.]+,p0=[\d.]+$/,
          );
          await d.same("CONFIG", "SET", "latency-tracking-info-percentiles", "");
          await d.same("CONFIG", "GET", "latency-tracking-info-percentiles");
          await d.same("CONFIG", "SET", "latency-tracking", "no");
          await d.same("CONFIG", "RESETSTAT");
          await d.same("PING");
          const [ol2, tl2] = await info(d, "latencystats");
          assert.deepEqual([...ol2.keys()].sort(), [...tl2.keys()].sort());
          await d.same("CONFIG", "SET", "latency-tracking", "yes");
          await d.same("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
        });
      });
    }
  },
);
