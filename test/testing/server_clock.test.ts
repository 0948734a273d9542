/**
 * Server-level time on the test clock: the idle timeout, CLIENT LIST age/idle and INFO
 * uptime move with `clock.advance()`; delayReplies with a command filter.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../testing.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";

describe("server time follows the test clock", () => {
  let redis: TestServer;
  let client: RawClient;
  before(async () => {
    redis = await startTestServer({ clock: "manual" });
    client = await connectClient({ port: redis.port });
  });
  after(async () => {
    client.destroy();
    await redis.close();
  });

  it("CLIENT INFO age/idle and INFO uptime move with advance()", async () => {
    assert.match(await client.call("CLIENT", "INFO") as string, / age=0 idle=0 /);
    const other = await connectClient({ port: redis.port });
    await other.call("PING");
    redis.clock.advance(90_000);
    const list = await client.call("CLIENT", "LIST") as string;
    other.destroy();
    assert.match(list, / age=90 idle=0 .*cmd=client\|list/); // this client just spoke
    assert.match(list, / age=90 idle=90 .*cmd=ping/);
    const info = await client.call("INFO", "server") as string;
    assert.match(info, /uptime_in_seconds:90\r\n/);
    redis.clock.advance(2 * 86_400_000);
    assert.match(await client.call("INFO", "server") as string, /uptime_in_days:2\r\n/);
  });

  it("the idle timeout closes an idle client when the clock passes it", async () => {
    const idle = await connectClient({ port: redis.port });
    try {
      assert.equal(await client.call("CONFIG", "SET", "timeout", "60"), "OK");
      assert.equal(await idle.call("PING"), "PONG");
      redis.clock.advance(30_000);
      assert.equal(await idle.call("PING"), "PONG"); // still open
      redis.clock.advance(61_000); // the sweep runs every second of clock time
      await idle.waitClosed();
    } finally {
      idle.destroy();
      await client.call("CONFIG", "SET", "timeout", "0").catch(() => {});
    }
  });
});

describe("delayReplies with a command filter", () => {
  it("delays GET replies only; other commands answer at once", async () => {
    await using redis = await startTestServer();
    const client = await connectClient({ port: redis.port });
    try {
      redis.delayReplies(300, { command: "get" });
      let gotAt = 0;
      const started = Date.now();
      const get = client.call("GET", "k").then((v) => (gotAt = Date.now(), v));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(gotAt, 0, "GET's reply is held");
      assert.equal(await get, null);
      assert.ok(gotAt - started >= 250, "GET waited");
      redis.delayReplies(0, { command: "GET" });
      assert.equal(await client.call("GET", "k"), null);
      redis.delayReplies(300, { command: "GET" });
      const pinged = await Promise.race([
        client.call("PING"),
        new Promise((resolve) => setTimeout(() => resolve("late"), 200)),
      ]);
      assert.equal(pinged, "PONG");
    } finally {
      client.destroy();
    }
  });
});
