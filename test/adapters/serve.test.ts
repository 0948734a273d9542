/**
 * `serve()` from adapters/serve.ts with the real core `Server`, on whichever runtime runs this
 * file: PING over TCP, TLS and a Unix socket, graceful close, and serving a given server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { detectRuntime, type RunningServer, serve } from "../../adapters/serve.ts";
import { makeCertificate } from "../helpers/tls.ts";
import { bounded, cleanups, connectClient as connect, tempPath } from "../helpers/sockets.ts";
import { within } from "../helpers/timing.ts";

const runtime = detectRuntime();

async function start(options: Parameters<typeof serve>[0]): Promise<RunningServer> {
  const running = await serve(options);
  cleanups.push(() => running.close());
  return running;
}

/** Sends `request` and resolves with the reply text once it has `length` characters. */
function ask(socket: Socket, request: string, length: number): Promise<string> {
  return within(
    new Promise<string>((resolve, reject) => {
      let reply = "";
      const onData = (d: Uint8Array) => {
        reply += new TextDecoder().decode(d);
        if (reply.length >= length) {
          socket.off("data", onData);
          resolve(reply);
        }
      };
      socket.on("data", onData);
      socket.once("error", reject);
      socket.write(request);
    }),
    5000,
    `a reply to ${JSON.stringify(request)}`,
  );
}

const PING = "*1\r\n$4\r\nPING\r\n";

test(
  `${runtime} serve(): PING over TCP on port 0`,
  bounded(10_000, async () => {
    const running = await start({ port: 0 });
    assert.equal(running.address.transport, "tcp");
    if (running.address.transport !== "tcp") return;
    assert.equal(running.address.hostname, "127.0.0.1");
    assert.ok(running.address.port > 0);
    const client = await connect(running.address);
    assert.equal(await ask(client, PING, 7), "+PONG\r\n");
    assert.equal(await ask(client, "PING hello\r\n", 11), "$5\r\nhello\r\n");
  }),
);

test(
  `${runtime} serve(): PING over TLS`,
  bounded(15_000, async () => {
    const { cert, key } = makeCertificate();
    const running = await start({ port: 0, tls: { cert, key } });
    const client = await connect(running.address, cert);
    assert.equal(await ask(client, PING, 7), "+PONG\r\n");
  }),
);

test(
  `${runtime} serve(): PING over a Unix socket`,
  bounded(10_000, async () => {
    const { path } = tempPath("redis.sock", "rediserver-serve-");
    const running = await start({ path });
    assert.deepEqual(running.address, { transport: "unix", path });
    const client = await connect(running.address);
    assert.equal(await ask(client, PING, 7), "+PONG\r\n");
  }),
);

test(
  `${runtime} serve(): close() ends open connections and stops listening`,
  bounded(15_000, async () => {
    const running = await serve({ port: 0 });
    const client = await connect(running.address);
    assert.equal(await ask(client, PING, 7), "+PONG\r\n");
    const ended = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await within(running.close(), 10_000, "server close");
    assert.equal(running.server.closed, true);
    await within(ended, 5000, "the client to be closed");
    await assert.rejects(connect(running.address), "new connections are refused");
  }),
);

test(
  `${runtime} serve(): a given server on a second listener`,
  bounded(15_000, async () => {
    const first = await start({ port: 0 });
    const second = await serve({ server: first.server, port: 0 });
    assert.equal(second.server, first.server);
    const client = await connect(second.address);
    assert.equal(await ask(client, PING, 7), "+PONG\r\n");
    await second.close(); // only this listener
    assert.equal(first.server.closed, false);
    await assert.rejects(connect(second.address));
    const other = await connect(first.address);
    assert.equal(await ask(other, PING, 7), "+PONG\r\n");
  }),
);
