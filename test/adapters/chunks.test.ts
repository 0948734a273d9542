/**
 * The runtime adapter hands over plain `Uint8Array` chunks (not Buffers), so that `slice()`
 * in the core copies.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import type { ListenFunction, TransportHandler } from "../../src/server/transport.ts";
import { detectRuntime } from "../../adapters/serve.ts";

describe("adapter chunks", () => {
  it("the runtime adapter hands over plain Uint8Arrays whose slice() copies", async () => {
    const runtime = detectRuntime();
    const { listen } =
      (runtime === "deno"
        ? await import("../../adapters/deno.ts")
        : runtime === "bun"
        ? await import("../../adapters/bun.ts")
        : await import("../../adapters/node.ts")) as { listen: ListenFunction };
    const chunks: Uint8Array[] = [];
    let received = 0;
    const listener = await listen({ hostname: "127.0.0.1", port: 0 }, (transport) => {
      const handler: TransportHandler = {
        receive(chunk) {
          chunks.push(chunk);
          received += chunk.length;
          if (received >= 6) transport.close();
        },
        drained() {},
        closed() {},
      };
      return handler;
    });
    try {
      const address = listener.address;
      assert.equal(address.transport, "tcp");
      const port = address.transport === "tcp" ? address.port : 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("Timed out")), 5000);
        const socket = netConnect(port, "127.0.0.1", () => socket.write("abcdef"));
        socket.on("error", () => {});
        socket.on("close", () => {
          clearTimeout(timer);
          resolve();
        });
        socket.resume();
      });
      assert.ok(chunks.length > 0);
      for (const chunk of chunks) {
        assert.equal(Object.getPrototypeOf(chunk), Uint8Array.prototype);
        const copy = chunk.slice(0, 1);
        copy[0] = 0x7a;
        assert.notEqual(chunk[0], 0x7a, "slice() copies");
      }
    } finally {
      await listener.close();
    }
  });
});
