/**
 * Stream APIs of real clients against our key-value server, each result compared with what
 * the same calls give against a real redis-server 7.0: ioredis (xadd, xrange, xrevrange,
 * xread, xgroup, xreadgroup, xack, xpending, xclaim, xautoclaim, xinfo, xtrim, xdel) and
 * node-redis v5 in RESP2 and RESP3 (xAdd, xRange, xRead, xGroupCreate, xReadGroup, xAck,
 * xPending, xPendingRange, xClaim, xAutoClaim, xInfoStream, xInfoGroups, xInfoConsumers —
 * node-redis parses every reply into objects, so a wrong shape fails). Then XREAD BLOCK and
 * XREADGROUP BLOCK woken by another client, on both clients. Runs on Node, Deno and Bun.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { oracleSkip } from "../helpers/redis_oracle.ts";
import { oursAndOracle, sleep, within } from "../helpers/clients.ts";

/** A JSON-friendly view of a result, with times (idle, delivery, seen) rounded away. */
function plain(value: unknown, key = ""): unknown {
  if (/idle|time|millisecondsSinceLastDelivery|seen|inactive/i.test(key)) return "<time>";
  if (value instanceof Map) return [...value].map(([k, v]) => [String(k), plain(v, String(k))]);
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (value instanceof Error) return { error: value.message };
  if (Array.isArray(value)) {
    // Flat replies: a time follows its name; XPENDING entries: [id, consumer, idle, count].
    const pending = value.length === 4 && /^\d+-\d+$/.test(String(value[0]));
    return value.map((v, i) =>
      (pending && i === 2) || (i > 0 && typeof value[i - 1] === "string" &&
          /idle|time/.test(value[i - 1] as string))
        ? "<time>"
        : plain(v)
    );
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).map(([k, v]) => [k, plain(v, k)]);
  }
  return value;
}

/** Runs `steps` in order, each result (or error) recorded under its name. */
async function record(
  steps: Array<[string, () => Promise<unknown>]>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, step] of steps) {
    try {
      out[name] = plain(await step());
    } catch (error) {
      out[name] = plain(error);
    }
  }
  return out;
}

describe("stream APIs of ioredis and node-redis vs redis-server", { skip: oracleSkip }, () => {
  const both = oursAndOracle();
  const closers: Array<() => unknown> = [];
  after(async () => {
    for (const close of closers) await close();
  });

  function ioredis(port: number): Redis {
    const c = new Redis({
      port,
      host: "127.0.0.1",
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    c.on("error", () => {});
    closers.push(() => c.disconnect());
    return c;
  }

  async function nodeRedis(port: number, resp: 2 | 3) {
    const c = createClient({ socket: { port, host: "127.0.0.1" }, RESP: resp });
    c.on("error", () => {});
    await c.connect();
    closers.push(() => c.destroy());
    return c;
  }

  const ioredisSteps = (c: Redis): Array<[string, () => Promise<unknown>]> => [
    ["flush", () => c.flushall()],
    ["xadd", () => c.xadd("s", "1-1", "a", "1", "b", "2")],
    ["xadd maxlen", () => c.xadd("s", "MAXLEN", "~", "100", "2-1", "a", "3")],
    ["xadd nomkstream", () => c.xadd("none", "NOMKSTREAM", "*", "a", "1")],
    ["xadd error", () => c.xadd("s", "1-0", "a", "1")],
    ["xlen", () => c.xlen("s")],
    ["xrange", () => c.xrange("s", "-", "+")],
    ["xrevrange", () => c.xrevrange("s", "+", "-", "COUNT", 1)],
    ["xread", () => c.xread("COUNT", 5, "STREAMS", "s", "0")],
    ["xread none", () => c.xread("STREAMS", "s", "$")],
    ["xgroup", () => c.xgroup("CREATE", "s", "g", "0")],
    ["xgroup busy", () => c.xgroup("CREATE", "s", "g", "0")],
    ["xreadgroup", () => c.xreadgroup("GROUP", "g", "alice", "COUNT", 1, "STREAMS", "s", ">")],
    ["xreadgroup 2", () => c.xreadgroup("GROUP", "g", "bob", "STREAMS", "s", ">")],
    ["xpending", () => c.xpending("s", "g")],
    ["xpending range", () => c.xpending("s", "g", "-", "+", 10)],
    ["xclaim", () => c.xclaim("s", "g", "carol", 0, "1-1")],
    ["xautoclaim", () => c.xautoclaim("s", "g", "dave", 0, "0", "COUNT", 5)],
    ["xack", () => c.xack("s", "g", "1-1", "9-9")],
    ["xinfo stream", () => c.xinfo("STREAM", "s")],
    ["xinfo groups", () => c.xinfo("GROUPS", "s")],
    ["xinfo consumers", () => c.xinfo("CONSUMERS", "s", "g")],
    ["xdel", () => c.xdel("s", "1-1")],
    ["xtrim", () => c.xtrim("s", "MAXLEN", 0)],
    ["xreadgroup nogroup", () => c.xreadgroup("GROUP", "x", "y", "STREAMS", "s", ">")],
  ];

  it("ioredis: the stream commands give what they give against Redis", async () => {
    const ours = await record(ioredisSteps(ioredis(both.ours.port)));
    const theirs = await record(ioredisSteps(ioredis(both.oracle.port)));
    assert.deepEqual(ours, theirs);
  });

  for (const resp of [2, 3] as const) {
    it(`node-redis RESP${resp}: parsed stream replies equal Redis's`, async () => {
      const steps = (c: Awaited<ReturnType<typeof nodeRedis>>) =>
        [
          ["flush", () => c.flushAll()],
          ["xAdd", () => c.xAdd("s", "1-1", { a: "1", b: "2" })],
          ["xAdd trim", () =>
            c.xAdd("s", "2-1", { a: "3" }, {
              TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: 100 },
            })],
          ["xLen", () => c.xLen("s")],
          ["xRange", () => c.xRange("s", "-", "+")],
          ["xRevRange", () => c.xRevRange("s", "+", "-", { COUNT: 1 })],
          ["xRead", () => c.xRead({ key: "s", id: "0" }, { COUNT: 5 })],
          ["xRead none", () => c.xRead({ key: "s", id: "$" })],
          ["xGroupCreate", () => c.xGroupCreate("s", "g", "0")],
          ["xGroupCreateConsumer", () => c.xGroupCreateConsumer("s", "g", "zed")],
          ["xReadGroup", () => c.xReadGroup("g", "alice", { key: "s", id: ">" }, { COUNT: 1 })],
          ["xReadGroup history", () => c.xReadGroup("g", "alice", { key: "s", id: "0" })],
          ["xPending", () => c.xPending("s", "g")],
          ["xPendingRange", () => c.xPendingRange("s", "g", "-", "+", 10)],
          ["xClaim", () => c.xClaim("s", "g", "carol", 0, "1-1")],
          ["xClaimJustId", () => c.xClaimJustId("s", "g", "carol", 0, "1-1")],
          ["xAutoClaim", () => c.xAutoClaim("s", "g", "dave", 0, "0")],
          ["xAck", () => c.xAck("s", "g", "1-1")],
          ["xInfoStream", () => c.xInfoStream("s")],
          ["xInfoGroups", () => c.xInfoGroups("s")],
          ["xInfoConsumers", () => c.xInfoConsumers("s", "g")],
          ["xGroupDelConsumer", () => c.xGroupDelConsumer("s", "g", "zed")],
          ["xGroupSetId", () => c.xGroupSetId("s", "g", "$")],
          ["xDel", () => c.xDel("s", "2-1")],
          ["xTrim", () => c.xTrim("s", "MAXLEN", 0)],
          ["xGroupDestroy", () => c.xGroupDestroy("s", "g")],
        ] as Array<[string, () => Promise<unknown>]>;
      const ours = await record(steps(await nodeRedis(both.ours.port, resp)));
      const theirs = await record(steps(await nodeRedis(both.oracle.port, resp)));
      assert.deepEqual(ours, theirs);
    });
  }

  it("XREAD BLOCK and XREADGROUP BLOCK woken by another client (ioredis, node-redis)", async () => {
    const port = both.ours.port;
    const reader = ioredis(port), writer = ioredis(port);
    await writer.del("live");
    const read = reader.xread("BLOCK", 5000, "STREAMS", "live", "$");
    await sleep(50);
    await writer.xadd("live", "5-1", "k", "v");
    assert.deepEqual(await within(read, 3000, "xread block"), [["live", [["5-1", ["k", "v"]]]]]);

    const c = await nodeRedis(port, 2);
    await writer.xgroup("CREATE", "live", "g", "$");
    const group = c.duplicate();
    group.on("error", () => {});
    await group.connect();
    closers.push(() => group.destroy());
    const pending = group.xReadGroup("g", "w1", { key: "live", id: ">" }, { BLOCK: 5000 });
    await sleep(50);
    await writer.xadd("live", "6-1", "job", "1");
    const got = await within(pending, 3000, "xreadgroup block");
    assert.match(JSON.stringify(plain(got)), /"live".*"6-1".*"job".*"1"/);
    assert.deepEqual(await c.xRead({ key: "live", id: "$" }, { BLOCK: 20 }), null);
  });
});
