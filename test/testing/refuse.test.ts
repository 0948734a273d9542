/**
 * TestServer.refuseConnections: a real refusal (ECONNREFUSED on TCP, no socket file on a
 * Unix socket) for the pause, then the same address again; open connections stay; a client
 * with retries (ioredis) gets through after; a port taken meanwhile makes close() reject.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startTestServer } from "../../testing.ts";
import { connectClient } from "../helpers/client.ts";

/** Connects with node:net: "connected", or the error code (ECONNREFUSED, ENOENT...). */
function tryConnect(target: { port: number } | { path: string }): Promise<string> {
  return new Promise((resolve) => {
    const socket = "path" in target
      ? createConnection({ path: target.path })
      : createConnection({ host: "127.0.0.1", port: target.port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

/** Waits until `target` accepts connections again (the pause is over). */
async function untilListening(target: { port: number } | { path: string }): Promise<void> {
  while (await tryConnect(target) !== "connected") {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("refuseConnections", () => {
  it("TCP: ECONNREFUSED during the pause, the same port after; open connections stay", async () => {
    await using redis = await startTestServer();
    const open = await connectClient({ port: redis.port });
    await redis.refuseConnections(300);
    assert.equal(await tryConnect({ port: redis.port }), "ECONNREFUSED");
    assert.equal(await open.call("SET", "k", "kept"), "OK"); // the open connection still works
    assert.equal(redis.server.listeners.length, 0);
    await untilListening({ port: redis.port });
    const again = await connectClient({ port: redis.port });
    assert.equal(await again.call("GET", "k"), "kept");
    assert.equal(redis.server.listeners.length, 1);
    again.destroy();
    open.destroy();
  });

  it("on Node and Bun the listening socket is closed before the call returns", {
    skip: "Deno" in globalThis ? "Deno closes it a moment later (the promise tells when)" : false,
  }, async () => {
    await using redis = await startTestServer();
    const refusing = redis.refuseConnections(200);
    assert.equal(await tryConnect({ port: redis.port }), "ECONNREFUSED");
    await refusing;
  });

  it("ioredis reconnects once the pause is over", async () => {
    await using redis = await startTestServer();
    const client = new Redis(redis.url, { retryStrategy: () => 50, maxRetriesPerRequest: 50 });
    client.on("error", () => {}); // refused first, on purpose
    try {
      assert.equal(await client.ping(), "PONG");
      await redis.refuseConnections(300);
      redis.disconnectAll();
      const pong = client.ping(); // queued, retried until the server listens again
      assert.equal(await tryConnect({ port: redis.port }), "ECONNREFUSED");
      assert.equal(await pong, "PONG");
    } finally {
      client.disconnect();
    }
  });

  it("reset() ends the pause at once; close() during a pause does not listen again", async () => {
    const redis = await startTestServer();
    await redis.refuseConnections(60_000);
    assert.equal(await tryConnect({ port: redis.port }), "ECONNREFUSED");
    redis.reset();
    await untilListening({ port: redis.port });
    const client = await connectClient({ port: redis.port });
    assert.equal(await client.call("PING"), "PONG");
    client.destroy();
    await redis.refuseConnections(60_000);
    await redis.close();
    assert.equal(await tryConnect({ port: redis.port }), "ECONNREFUSED");
    assert.equal(redis.server.listeners.length, 0);
  });

  it("Unix socket: the path is gone during the pause, back after", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rediserver-refuse-"));
    const path = join(dir, "redis.sock");
    try {
      await using redis = await startTestServer({ path });
      await redis.refuseConnections(200);
      assert.match(await tryConnect({ path }), /^(ENOENT|ECONNREFUSED)$/);
      await untilListening({ path });
      const client = await connectClient({ path });
      assert.equal(await client.call("PING"), "PONG");
      client.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a port taken during the pause: close() rejects with the reason", async () => {
    const redis = await startTestServer();
    await redis.refuseConnections(100);
    const squatter = createServer();
    await new Promise<void>((resolve, reject) => {
      squatter.once("error", reject);
      squatter.listen({ host: "127.0.0.1", port: redis.port }, resolve);
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(redis.server.listeners.length, 0);
      await assert.rejects(
        redis.close(),
        (error: Error) =>
          error.message.startsWith(`rediserver/testing: could not listen again on ${redis.url}: `),
      );
      assert.equal(redis.server.connections.size, 0);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
