/**
 * Consecutive commands on the same key share one key string (`src/kv/command.ts`): keys that
 * differ in one byte, in length or only past the compared length still reach their own entry.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Keyspace } from "../../src/kv/keyspace/keyspace.ts";
import { registerKeyValueCommands } from "../../src/kv/mod.ts";
import { Server } from "../../src/server/server.ts";
import { ask, connect } from "../helpers/memory_transport.ts";

describe("first key of consecutive commands", () => {
  it("same key, keys one byte apart, longer keys, binary keys", async () => {
    const server = new Server();
    const keyspace = new Keyspace({ sweepInterval: 0 });
    registerKeyValueCommands(server, keyspace);
    const t = connect(server);
    const long = "k".repeat(64);
    const longer = "k".repeat(70);
    assert.deepEqual(
      await ask(
        t,
        ["INCR", "ab"],
        ["INCR", "ab"],
        ["INCR", "ac"],
        ["INCR", "ab"],
        ["SET", long + "1", "x"],
        ["SET", long + "2", "y"],
        ["SET", longer + "1", "z"],
        ["SET", longer + "2", "w"],
        ["GET", longer + "1"],
        ["GET", long + "1"],
        ["SET", "\xff\x00", "b1"],
        ["SET", "\xff\x01", "b2"],
        ["GET", "\xff\x00"],
        ["GET", "ac"],
      ),
      [1, 2, 1, 3, "OK", "OK", "OK", "OK", "z", "x", "OK", "OK", "b1", "1"],
    );
    t.reportClosed();
    await server.close();
    keyspace.close();
  });
});
