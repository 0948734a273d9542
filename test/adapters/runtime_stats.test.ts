/**
 * The runtime's memory readings `serve()` gives the server (adapters/common.ts), on whichever
 * runtime runs this file: memory outside the heap (ArrayBuffers) is counted once in INFO
 * used_memory — on Bun too, where `heapUsed` already includes it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../../adapters/serve.ts";

const MiB = 1024 * 1024;

/** Bun refreshes its memory figures as its event loop turns, not at each call. */
const turn = () => new Promise((resolve) => setTimeout(resolve, 50));

test("used_memory grows by the size of a new ArrayBuffer, not twice that", async () => {
  const running = await serve({ port: 0 });
  try {
    await turn();
    const before = running.server.memoryReading().used;
    const buffer = new Uint8Array(64 * MiB).fill(1);
    // Bun updates `external` first and `heapUsed` a few turns later: check every reading.
    for (let i = 0; i < 10; i++) {
      await turn();
      const grown = (running.server.memoryReading().used - before) / MiB;
      // 64 MiB counted once, give or take the heap's own drift between the two readings.
      assert.ok(grown > 48 && grown < 96, `used_memory grew by ${grown.toFixed(1)} MiB`);
    }
    assert.equal(buffer[buffer.length - 1], 1);
  } finally {
    await running.close();
  }
});
