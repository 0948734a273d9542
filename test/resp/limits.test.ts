/**
 * Decoder limits resolved once and shared: complete frozen limits are used as they are,
 * anything else is resolved into a frozen copy, and a server's limits reach its connections.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_LIMITS, resolveLimits } from "../../src/resp/limits.ts";
import { Server } from "../../src/server/server.ts";
import { connect, tick } from "../helpers/memory_transport.ts";

describe("shared decoder limits", () => {
  it("complete frozen limits are shared; anything else is resolved into a frozen copy", () => {
    assert.equal(resolveLimits(undefined), DEFAULT_LIMITS);
    const server = new Server({ limits: { maxBulkLength: 1000 } });
    const resolved = server.options.limits;
    assert.ok(Object.isFrozen(resolved));
    assert.deepEqual(resolved, { ...DEFAULT_LIMITS, maxBulkLength: 1000 });
    assert.equal(resolveLimits(resolved), resolved);
    // A caller's object that is not frozen is copied: changing it later changes nothing.
    const mine = { ...DEFAULT_LIMITS, maxDepth: 3 };
    const copy = resolveLimits(mine);
    assert.notEqual(copy, mine);
    mine.maxDepth = 99;
    assert.equal(copy.maxDepth, 3);
    // Frozen but partial: the defaults are filled in.
    assert.deepEqual(resolveLimits(Object.freeze({ maxDepth: 5 })), {
      ...DEFAULT_LIMITS,
      maxDepth: 5,
    });
  });

  it("a server's limits apply to its connections", async () => {
    const server = new Server({ limits: { maxBulkLength: 10 } });
    const t = connect(server);
    t.send("*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n");
    await tick();
    assert.match(t.output, /^-ERR Protocol error: invalid bulk length\r\n/);
  });
});
