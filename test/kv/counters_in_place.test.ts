/**
 * INCR rewriting a counter's digits in place (single lookup): across digit-length changes and
 * the int64 edge, and never visible to WATCH, TTL, APPEND, GETRANGE, COPY/RENAME/MOVE, MULTI
 * or values the caller stored or read earlier.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Keyspace } from "../../src/kv/keyspace/keyspace.ts";
import { registerKeyValueCommands } from "../../src/kv/mod.ts";
import { Server } from "../../src/server/server.ts";
import { ask, connect } from "../helpers/memory_transport.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function setup(now?: () => number): { server: Server; keyspace: Keyspace } {
  const server = new Server();
  const keyspace = new Keyspace({ now, sweepInterval: 0 });
  registerKeyValueCommands(server, keyspace);
  return { server, keyspace };
}

describe("INCR in place", () => {
  it("counts across digit-length changes both ways, in place or not", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    assert.deepEqual(await ask(t, ["SET", "k", "7"], ["INCR", "k"], ["INCR", "k"]), [
      "OK",
      8,
      9,
    ]);
    const before = keyspace.db(0).get("k");
    assert.deepEqual(await ask(t, ["INCR", "k"], ["INCR", "k"], ["GET", "k"]), [10, 11, "11"]);
    const owned = keyspace.db(0).get("k");
    assert.notEqual(owned, before, "a new array when the length changes");
    assert.deepEqual(await ask(t, ["INCRBY", "k", "88"], ["GET", "k"]), [99, "99"]);
    assert.equal(keyspace.db(0).get("k"), owned, "same length: rewritten in place");
    assert.deepEqual(await ask(t, ["INCR", "k"], ["DECR", "k"], ["DECRBY", "k", "99"]), [
      100,
      99,
      0,
    ]);
    assert.deepEqual(
      await ask(t, ["DECR", "k"], ["DECRBY", "k", "8"], ["DECR", "k"], ["DECR", "k"]),
      [-1, -9, -10, -11],
    );
    assert.deepEqual(await ask(t, ["GET", "k"], ["STRLEN", "k"]), ["-11", 3]);
    assert.deepEqual(await ask(t, ["INCRBY", "k", "22"], ["GET", "k"]), [11, "11"]);
    t.reportClosed();
    await server.close();
    keyspace.close();
  });

  it("crosses 2^53 into the exact int64 path and back, and reports overflow", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    assert.deepEqual(
      await ask(
        t,
        ["SET", "k", "9007199254740990"],
        ["INCR", "k"],
        ["INCR", "k"],
        ["INCR", "k"],
        ["GET", "k"],
        ["DECR", "k"],
        ["DECR", "k"],
        ["GET", "k"],
      ),
      [
        "OK",
        9007199254740991,
        9007199254740992n,
        9007199254740993n,
        "9007199254740993",
        9007199254740992n,
        9007199254740991,
        "9007199254740991",
      ],
    );
    const replies = await ask(
      t,
      ["SET", "m", "9223372036854775806"],
      ["INCR", "m"],
      ["INCR", "m"],
      ["GET", "m"],
    );
    assert.equal(String(replies[1]), "9223372036854775807");
    assert.match(String((replies[2] as Error).message), /increment or decrement would overflow/);
    assert.equal(replies[3], "9223372036854775807");
    t.reportClosed();
    await server.close();
    keyspace.close();
  });

  it("never modifies a value the caller stored, nor one read earlier with GET", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    const mine = enc("41");
    keyspace.db(0).set("k", mine);
    assert.deepEqual(await ask(t, ["INCR", "k"], ["INCR", "k"]), [42, 43]);
    assert.deepEqual(mine, enc("41"), "the caller's array is untouched");
    // MSET/SET values are the client's arguments: the first INCR replaces them.
    assert.deepEqual(await ask(t, ["SET", "j", "5"]), ["OK"]);
    const fromClient = keyspace.db(0).get("j") as Uint8Array;
    assert.deepEqual(await ask(t, ["INCR", "j"], ["INCR", "j"]), [6, 7]);
    assert.deepEqual(fromClient, enc("5"));
    t.reportClosed();
    await server.close();
    keyspace.close();
  });

  it("keeps the TTL, and an expired counter starts again from 0", async () => {
    const clock = fakeClock();
    const { server, keyspace } = setup(clock.now);
    const t = connect(server);
    assert.deepEqual(
      await ask(t, ["SET", "k", "1", "PX", "1000"], ["INCR", "k"], ["INCR", "k"], ["PTTL", "k"]),
      ["OK", 2, 3, 1000],
    );
    clock.advance(400);
    assert.deepEqual(await ask(t, ["INCR", "k"], ["PTTL", "k"]), [4, 600]);
    clock.advance(601);
    assert.deepEqual(await ask(t, ["INCR", "k"], ["PTTL", "k"], ["INCR", "k"]), [1, -1, 2]);
    assert.equal(keyspace.expiredKeys, 1);
    t.reportClosed();
    await server.close();
    keyspace.close();
  });

  it("an in-place INCR by another client dirties a WATCH; an own one does too", async () => {
    const { server, keyspace } = setup();
    const a = connect(server, 1);
    const b = connect(server, 2);
    assert.deepEqual(await ask(a, ["INCR", "k"], ["INCR", "k"]), [1, 2]);
    assert.deepEqual(await ask(a, ["WATCH", "k"]), ["OK"]);
    assert.deepEqual(await ask(b, ["INCR", "k"]), [3]); // same length: in place
    assert.deepEqual(await ask(a, ["MULTI"], ["INCR", "k"], ["EXEC"]), ["OK", "QUEUED", null]);
    assert.deepEqual(await ask(a, ["WATCH", "k"], ["INCR", "k"]), ["OK", 4]);
    assert.deepEqual(await ask(a, ["MULTI"], ["GET", "k"], ["EXEC"]), ["OK", "QUEUED", null]);
    assert.deepEqual(await ask(a, ["WATCH", "k"], ["MULTI"], ["INCR", "k"], ["INCR", "k"]), [
      "OK",
      "OK",
      "QUEUED",
      "QUEUED",
    ]);
    assert.deepEqual(await ask(a, ["EXEC"]), [[5, 6]]);
    a.reportClosed();
    b.reportClosed();
    await server.close();
    keyspace.close();
  });

  it("APPEND, SETRANGE, GETRANGE, COPY, RENAME and MOVE see independent values", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    assert.deepEqual(await ask(t, ["INCRBY", "k", "10"], ["INCR", "k"]), [10, 11]);
    assert.deepEqual(await ask(t, ["COPY", "k", "c"], ["INCR", "k"], ["GET", "c"]), [1, 12, "11"]);
    assert.deepEqual(await ask(t, ["GETRANGE", "k", "0", "0"], ["INCR", "k"]), ["1", 13]);
    assert.deepEqual(await ask(t, ["APPEND", "k", "5"], ["INCR", "k"], ["GET", "k"]), [
      3,
      136,
      "136",
    ]);
    const replies = await ask(t, ["APPEND", "k", "x"], ["INCR", "k"]);
    assert.equal(replies[0], 4);
    assert.match((replies[1] as Error).message, /^ERR value is not an integer or out of range/);
    assert.deepEqual(await ask(t, ["GET", "k"], ["SETRANGE", "k", "3", "0"], ["INCR", "k"]), [
      "136x",
      4,
      1361,
    ]);
    assert.deepEqual(await ask(t, ["RENAME", "k", "r"], ["INCR", "r"], ["GET", "k"]), [
      "OK",
      1362,
      null,
    ]);
    assert.deepEqual(await ask(t, ["MOVE", "r", "1"], ["INCR", "r"], ["SELECT", "1"]), [
      1,
      1,
      "OK",
    ]);
    assert.deepEqual(await ask(t, ["INCR", "r"], ["GET", "r"], ["SELECT", "0"], ["GET", "r"]), [
      1363,
      "1363",
      "OK",
      "1",
    ]);
    assert.deepEqual(await ask(t, ["GET", "c"]), ["11"]);
    t.reportClosed();
    await server.close();
    keyspace.close();
  });

  it("errors: WRONGTYPE and not an integer, nothing changed", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    const replies = await ask(
      t,
      ["LPUSH", "l", "1"],
      ["INCR", "l"],
      ["SET", "s", "012"],
      ["INCR", "s"],
      ["GET", "s"],
    );
    assert.equal(replies[0], 1);
    assert.match((replies[1] as Error).message, /^WRONGTYPE /);
    assert.match((replies[3] as Error).message, /^ERR value is not an integer or out of range/);
    assert.equal(replies[4], "012");
    t.reportClosed();
    await server.close();
    keyspace.close();
  });
});
