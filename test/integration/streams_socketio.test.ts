/**
 * `@socket.io/redis-streams-adapter` on our key-value server: two socket.io servers share
 * one stream (XADD to publish, XREAD BLOCK with `$` and then the last ID to consume) and
 * pub/sub for ephemeral messages. A broadcast from one server reaches a client of the other
 * through the stream, `fetchSockets()` sees the sockets of both, and `serverSideEmit` reaches
 * the other server. Runs on Node, Deno and Bun.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { type Ours, sleep, startOurs, within } from "../helpers/clients.ts";

/** One socket.io server with the streams adapter on its own connection to our server. */
interface Node {
  io: Server;
  http: HttpServer;
  redis: Redis;
  port: number;
}

describe("@socket.io/redis-streams-adapter with two socket.io servers", () => {
  let ours: Ours;
  const nodes: Node[] = [];
  const clients: ClientSocket[] = [];

  async function start(): Promise<Node> {
    const redis = new Redis({ port: ours.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    redis.on("error", () => {});
    const http = createServer();
    // A short BLOCK keeps shutdown quick: the adapter stops polling after its XREAD returns.
    const io = new Server(http, { adapter: createAdapter(redis, { blockTimeInMs: 200 }) });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const node = { io, http, redis, port: (http.address() as AddressInfo).port };
    nodes.push(node);
    return node;
  }

  async function client(node: Node): Promise<ClientSocket> {
    const socket = connect(`http://127.0.0.1:${node.port}`, {
      transports: ["websocket"],
      reconnection: false,
    });
    clients.push(socket);
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      }),
      5000,
      "socket.io client connects",
    );
    return socket;
  }

  before(async () => {
    ours = await startOurs();
  });

  after(async () => {
    for (const socket of clients) socket.disconnect();
    for (const node of nodes) {
      await new Promise<void>((resolve) => node.io.close(() => resolve()));
    }
    await sleep(300); // the adapters' last XREAD BLOCK returns, then they disconnect
    for (const node of nodes) node.redis.disconnect();
    await ours?.stop();
  });

  it("broadcasts, fetchSockets and serverSideEmit cross servers through the stream", async () => {
    const [a, b] = [await start(), await start()];
    const onA = await client(a);
    const onB = await client(b);
    await sleep(300); // both adapters are polling the stream

    const received = new Promise<unknown>((resolve) => onB.once("hello", resolve));
    a.io.emit("hello", { from: "a" });
    assert.deepEqual(await within(received, 5000, "broadcast reaches server b"), { from: "a" });

    const sockets = await within(a.io.fetchSockets(), 5000, "fetchSockets across servers");
    assert.deepEqual(sockets.map((s) => s.id).sort(), [onA.id, onB.id].sort());

    const heard = new Promise<unknown[]>((resolve) =>
      b.io.on("ping-all", (...args: unknown[]) => resolve(args))
    );
    a.io.serverSideEmit("ping-all", 42);
    assert.deepEqual(await within(heard, 5000, "serverSideEmit reaches b"), [42]);

    // The broadcast went through the stream (fetchSockets and serverSideEmit use pub/sub).
    const entries = await a.redis.xrange("socket.io", "-", "+");
    assert.ok(entries.length >= 1, `the adapter's stream holds the broadcast`);
    assert.ok(entries[0][1].includes("nsp"), JSON.stringify(entries[0]));
  });
});
