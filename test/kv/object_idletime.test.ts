/**
 * OBJECT IDLETIME with the test server's manual clock (issue #18): the idle time moves with
 * `clock.advance()`, reads and writes reset it, the lookups Redis makes without touching
 * (TYPE, EXISTS, TTL, OBJECT, SCAN's TYPE filter, MEMORY USAGE) leave it, TOUCH resets it,
 * RESTORE ... IDLETIME sets it; and the keyspace's LRU clock itself (24 bits, wrapping).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../testing.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";
import { idleSeconds, LRU_CLOCK_MAX, LruClock, stampForIdle } from "../../src/kv/keyspace/lru.ts";

describe("OBJECT IDLETIME with a manual clock", () => {
  let redis: TestServer;
  let client: RawClient;
  before(async () => {
    redis = await startTestServer({ clock: "manual", startTime: Date.UTC(2030, 0, 1) });
    client = await connectClient({ port: redis.port });
  });
  after(async () => {
    client.destroy();
    await redis.close();
  });
  const idle = (key: string) => client.call("OBJECT", "IDLETIME", key);

  it("grows by 60 when the clock moves 60 s, and a read or write resets it", async () => {
    await client.call("SET", "k", "v");
    assert.equal(await idle("k"), 0);
    redis.clock.advance(60_000);
    assert.equal(await idle("k"), 60);
    redis.clock.advance(59_999);
    assert.equal(await idle("k"), 119);
    assert.equal(await client.call("GET", "k"), "v");
    assert.equal(await idle("k"), 0);
    redis.clock.advance(5_000);
    await client.call("APPEND", "k", "w");
    assert.equal(await idle("k"), 0);
    redis.clock.advance(3_600_000);
    assert.equal(await idle("k"), 3600);
    assert.equal(await idle("missing"), null);
  });

  it("TYPE, EXISTS, TTL, OBJECT, SCAN TYPE and MEMORY USAGE leave it; TOUCH resets it", async () => {
    await client.call("SET", "t", "v");
    await client.call("RPUSH", "l", "a");
    redis.clock.advance(10_000);
    for (const key of ["t", "l"]) {
      await client.call("TYPE", key);
      await client.call("EXISTS", key);
      await client.call("TTL", key);
      await client.call("PTTL", key);
      await client.call("EXPIRETIME", key);
      await client.call("OBJECT", "ENCODING", key);
      await client.call("OBJECT", "REFCOUNT", key);
      await client.call("MEMORY", "USAGE", key);
    }
    await client.call("SCAN", "0", "TYPE", "string");
    assert.equal(await idle("t"), 10);
    assert.equal(await idle("l"), 10);
    assert.equal(await client.call("TOUCH", "t", "nokey"), 1);
    assert.equal(await idle("t"), 0);
    await client.call("LRANGE", "l", "0", "-1");
    assert.equal(await idle("l"), 0);
  });

  it("RENAME, MOVE, COPY and PERSIST look their keys up as Redis: an access each", async () => {
    const keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for (const key of keys) await client.call("SET", key, "v");
    await client.call("SELECT", "1");
    await client.call("SET", "f", "in1");
    await client.call("SET", "g", "in1");
    await client.call("SELECT", "0");
    redis.clock.advance(100_000);
    assert.equal(await client.call("RENAME", "a", "a2"), "OK");
    assert.equal(await client.call("RENAMENX", "b", "c"), 0); // both looked up
    assert.equal(await client.call("COPY", "d", "d2"), 1);
    assert.equal(await client.call("COPY", "e", "h"), 0); // the destination is looked up
    assert.equal(await client.call("MOVE", "f", "1"), 0); // both looked up
    assert.equal(await client.call("PERSIST", "i"), 0); // no TTL: still an access
    for (const key of ["a2", "b", "c", "d", "d2", "e", "f", "h", "i"]) {
      assert.equal(await idle(key), 0, key);
    }
    assert.equal(await idle("g"), 100);
    await client.call("SELECT", "1");
    assert.equal(await idle("f"), 0);
    assert.equal(await idle("g"), 100);
    await client.call("SET", "x", "in1");
    redis.clock.advance(50_000);
    assert.equal(await client.call("MOVE", "x", "0"), 1);
    await client.call("SELECT", "0");
    assert.equal(await idle("x"), 0);
    assert.equal(await idle("g"), 150);
    await client.call("FLUSHALL");
  });

  it("RESTORE ... IDLETIME n gives n, which then grows with the clock", async () => {
    await client.call("SET", "src", "payload");
    const raw = await connectClient({ port: redis.port }, { bulkAsString: false });
    try {
      const dump = await raw.call("DUMP", "src") as Uint8Array;
      assert.equal(await raw.call("RESTORE", "r", "0", dump, "IDLETIME", "1000"), "OK");
      assert.equal(await idle("r"), 1000);
      redis.clock.advance(60_000);
      assert.equal(await idle("r"), 1060);
      assert.equal(await raw.call("RESTORE", "r2", "0", dump, "FREQ", "5"), "OK");
      assert.equal(await idle("r2"), 0);
    } finally {
      raw.destroy();
    }
  });
});

describe("the keyspace's LRU clock", () => {
  it("reads the clock once per synchronous run, again after a microtask checkpoint", async () => {
    let time = 5_000_000;
    let reads = 0;
    const clock = new LruClock(() => {
      reads++;
      return time;
    });
    assert.equal(clock.stamp(), 5000);
    time += 2_000;
    assert.equal(clock.stamp(), 5000);
    assert.equal(reads, 1);
    await Promise.resolve();
    assert.equal(clock.stamp(), 5002);
    time += 1_000;
    clock.invalidate();
    assert.equal(clock.stamp(), 5003);
    assert.equal(reads, 3);
  });

  it("wraps at 2^24 seconds as Redis's does", () => {
    assert.equal(new LruClock(() => (LRU_CLOCK_MAX + 5) * 1000).stamp(), 4);
    assert.equal(idleSeconds(LRU_CLOCK_MAX - 10, 5), 15);
    assert.equal(idleSeconds(100, 160), 60);
    assert.equal(stampForIdle(1000n, 5000), 4000);
    assert.equal(stampForIdle(10n, 5), LRU_CLOCK_MAX - 5);
    assert.equal(idleSeconds(stampForIdle(10n, 5), 5), 10);
  });
});
