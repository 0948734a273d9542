/**
 * rediserver/testing as a test suite uses it: real clients (ioredis, node-redis) against
 * startTestServer(), injected errors, delayed replies, dropped connections,
 * reset, snapshot/restore, `await using`, a Unix socket and TLS, and a thousand servers
 * started and closed in one process.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startTestServer, type TestServer } from "../../testing.ts";
import { connectClient } from "../helpers/client.ts";
import { makeCertificate } from "../helpers/tls.ts";
import { needs } from "../helpers/clients.ts";

const text = (s: string) => new TextEncoder().encode(s);

describe("startTestServer with ioredis and node-redis", () => {
  let redis: TestServer;
  let io: Redis;
  let nr: ReturnType<typeof createClient>;
  before(async () => {
    redis = await startTestServer();
    io = new Redis(redis.url, { maxRetriesPerRequest: 5, retryStrategy: () => 10 });
    io.on("error", () => {}); // the drops below are on purpose
    nr = createClient({ url: redis.url });
    nr.on("error", () => {});
    await nr.connect();
  });
  after(async () => {
    io.disconnect();
    nr.destroy();
    await redis.close();
  });

  it("listens on 127.0.0.1 on a free port and gives a redis:// URL", () => {
    assert.ok(redis.port > 0);
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
  });

  it("values set through the keyspace are what clients read, and back", async () => {
    redis.keyspace.db(0).set("seeded", text("from the test"));
    assert.equal(await io.get("seeded"), "from the test");
    await nr.set("written", "by node-redis");
    const value = redis.keyspace.db(0).get("written");
    assert.ok(value instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(value), "by node-redis");
  });

  it("failNext: the next SET answers the error, seen by both clients", async () => {
    const readonly = "READONLY You can't write against a read only replica.";
    redis.failNext("SET", readonly);
    await assert.rejects(io.set("a", "1"), (e: Error) => e.message === readonly);
    assert.equal(await io.set("a", "1"), "OK");
    redis.failNext("set", readonly);
    await assert.rejects(nr.set("a", "2"), (e: Error) => e.message === readonly);
    assert.equal(await nr.set("a", "2"), "OK");
  });

  it("failNext with a count, and '*' for any command", async () => {
    redis.failNext("*", "LOADING Redis is loading the dataset in memory", 2);
    await assert.rejects(io.get("a"), /LOADING/);
    await assert.rejects(nr.get("a"), /LOADING/);
    assert.equal(await io.get("a"), "2");
  });

  it("failAlways fails every matching command until undone", async () => {
    const undo = redis.failAlways("incr", "ERR injected");
    await assert.rejects(io.incr("n"), /ERR injected/);
    await assert.rejects(nr.incr("n"), /ERR injected/);
    assert.equal(await io.get("a"), "2"); // other commands still run
    undo();
    assert.equal(await io.incr("n"), 1);
  });

  it("delayReplies holds replies back, in order", async () => {
    redis.delayReplies(60);
    const started = Date.now();
    const [a, b] = await Promise.all([io.incr("d"), io.incr("d")]);
    assert.deepEqual([a, b], [1, 2]);
    assert.ok(Date.now() - started >= 50, "replies waited");
    redis.delayReplies(0);
  });

  it("disconnectAll drops every client; ioredis and node-redis reconnect", async () => {
    const reconnected = new Promise<void>((resolve) => nr.once("ready", () => resolve()));
    const closed = new Promise<void>((resolve) => io.once("close", () => resolve()));
    redis.disconnectAll();
    await closed;
    assert.equal(await io.set("after", "drop"), "OK");
    await reconnected;
    assert.equal(await nr.get("after"), "drop");
  });

  it("snapshot and restore: a fixture shared between tests", async () => {
    await io.flushall();
    await io.rpush("list", "a", "b");
    await io.hset("hash", "f", "v");
    await io.zadd("zset", 1, "one");
    await io.set("ttl", "x", "PX", 100_000);
    await io.select(2);
    await io.sadd("set", "m");
    await io.select(0);
    const fixture = redis.snapshot();
    await io.rpush("list", "c");
    await io.del("hash");
    redis.restore(fixture);
    assert.deepEqual(await io.lrange("list", 0, -1), ["a", "b"]);
    assert.deepEqual(await io.hgetall("hash"), { f: "v" });
    assert.ok(await io.pttl("ttl") > 90_000);
    assert.equal(redis.keyspace.db(2).size, 1);
    // The snapshot is a copy: changes after restore() do not reach it.
    await io.rpush("list", "z");
    redis.restore(fixture);
    assert.equal(await io.llen("list"), 2);
  });

  it("reset empties every database and drops injected failures", async () => {
    redis.failAlways("get", "ERR nope");
    await io.set("k", "v");
    redis.reset();
    assert.equal(await io.dbsize(), 0);
    assert.equal(await io.get("k"), null);
  });
});

describe("startTestServer lifecycle", () => {
  it("await using closes the server at the end of the scope", async () => {
    let port = 0;
    {
      await using redis = await startTestServer();
      port = redis.port;
      const client = await connectClient({ port });
      assert.equal(await client.call("PING"), "PONG");
      client.destroy();
    }
    await assert.rejects(connectClient({ port }));
  });

  it("close() answers a blocked BLPOP at once and closes its connection", async () => {
    const redis = await startTestServer();
    const client = await connectClient({ port: redis.port });
    client.socket.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    while (redis.keyspace.blocking.blockedClients === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await redis.close();
    assert.deepEqual(await client.read(), [null]);
    await client.waitClosed();
  });

  it("listens on a Unix socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rediserver-testing-"));
    const path = join(dir, "redis.sock");
    try {
      await using redis = await startTestServer({ path });
      assert.equal(redis.url, "unix://" + path);
      const client = await connectClient({ path });
      assert.equal(await client.call("SET", "k", "v"), "OK");
      client.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves TLS with a given certificate", { skip: needs("/usr/bin/openssl") }, async () => {
    const certificate = makeCertificate();
    await using redis = await startTestServer({ tls: certificate });
    assert.equal(redis.url, `rediss://127.0.0.1:${redis.port}`);
    const client = new Redis(redis.url, { tls: { ca: certificate.cert, servername: "localhost" } });
    try {
      assert.equal(await client.ping(), "PONG");
    } finally {
      client.disconnect();
    }
  });

  it("tls: true serves a throwaway self-signed certificate that clients can trust", async () => {
    await using redis = await startTestServer({ tls: true });
    assert.ok(redis.tls !== undefined);
    const client = new Redis(redis.url, { tls: { ca: redis.tls.cert, servername: "localhost" } });
    try {
      assert.equal(await client.set("k", "v"), "OK");
      assert.equal(await client.get("k"), "v");
    } finally {
      client.disconnect();
    }
  });

  // 3-4 s on Bun on a quiet 2-core machine: above Bun's default 5 s limit under load.
  it("a thousand servers started and closed leave no connection, timer or socket", {
    timeout: 60_000,
  }, async () => {
    for (let i = 0; i < 1000; i++) {
      const redis = await startTestServer({ clock: i % 2 === 0 ? "manual" : "real" });
      redis.keyspace.db(0).set("k", text("v"));
      redis.keyspace.db(0).setExpireAt("k", redis.clock.now() + 1_000);
      await redis.close();
      assert.equal(redis.server.connections.size, 0);
      assert.equal(redis.server.listeners.length, 0);
      assert.equal(redis.clock.pendingTimers, 0);
    }
  });
});
