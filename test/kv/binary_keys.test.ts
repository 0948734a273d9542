/**
 * Binary keys: `keyOf` (one char per byte, with a fixed-arity path for short keys) and
 * `keyBytes` agree for every length and byte value, and binary keys of any length reach the
 * same entry through the server.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keyBytes, keyOf } from "../../src/kv/keyspace/encoding.ts";
import { Keyspace } from "../../src/kv/keyspace/keyspace.ts";
import { registerKeyValueCommands } from "../../src/kv/mod.ts";
import { Server } from "../../src/server/server.ts";
import { ask, connect } from "../helpers/memory_transport.ts";

function setup(now?: () => number): { server: Server; keyspace: Keyspace } {
  const server = new Server();
  const keyspace = new Keyspace({ now, sweepInterval: 0 });
  registerKeyValueCommands(server, keyspace);
  return { server, keyspace };
}

describe("keyOf short keys", () => {
  it("matches the one-char-per-byte form for every length up to 40, all byte values", () => {
    for (let n = 0; n <= 40; n++) {
      for (let round = 0; round < 8; round++) {
        const bytes = new Uint8Array(n);
        for (let i = 0; i < n; i++) bytes[i] = (i * 37 + round * 101 + n) & 255;
        if (round === 0) bytes.fill(0xff);
        if (round === 1) bytes.fill(0);
        let expected = "";
        for (let i = 0; i < n; i++) expected += String.fromCharCode(bytes[i]);
        const key = keyOf(bytes);
        assert.equal(key, expected, `length ${n}`);
        assert.deepEqual(keyBytes(key), bytes);
        // a view into a larger buffer converts only its own bytes
        const big = new Uint8Array(n + 8).fill(0x41);
        big.set(bytes, 4);
        assert.equal(keyOf(big.subarray(4, 4 + n)), expected);
      }
    }
  });

  it("binary keys reach the same entry whatever their length", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    for (const n of [1, 15, 16, 17, 24, 25, 100]) {
      const key = "\xff\x00é".repeat(n).slice(0, n);
      assert.deepEqual(await ask(t, ["SET", key, String(n)], ["GET", key], ["INCR", key]), [
        "OK",
        String(n),
        n + 1,
      ]);
    }
    t.reportClosed();
    await server.close();
    keyspace.close();
  });
});
