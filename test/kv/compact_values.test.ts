/**
 * Stored values do not pin the socket read they came in: small views of a large buffer are
 * copied compactly (`compactBytes`, `Database.set`), a same-length SET over a string the store
 * made rewrites it in place, and every writing command copies its values out of a large read.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compactBytes } from "../../src/kv/keyspace/encoding.ts";
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

describe("stored values do not pin their read", () => {
  it("compactBytes copies a small view of a large buffer and keeps the rest as they are", () => {
    const read = new Uint8Array(65536).fill(120);
    const small = compactBytes(read.subarray(100, 116));
    assert.notEqual(small.buffer, read.buffer);
    assert.ok(small.buffer.byteLength <= 16384, "at most a 16 KiB slab kept alive");
    assert.deepEqual(small, read.subarray(100, 116));
    assert.equal(compactBytes(read), read, "the whole buffer: no copy");
    const most = read.subarray(0, 60000);
    assert.equal(compactBytes(most), most, "most of the buffer: no copy");
    const exact = new Uint8Array(new ArrayBuffer(40), 0, 16);
    assert.equal(compactBytes(exact), exact, "little else kept alive: no copy");
    assert.equal(compactBytes(read.subarray(5, 5)).length, 0);
  });

  it("Database.set copies a small view of a large buffer; an owned value is kept as is", () => {
    const keyspace = new Keyspace({ sweepInterval: 0 });
    const db = keyspace.db(0);
    const read = new Uint8Array(65536).fill(121);
    db.set("k", read.subarray(10, 26));
    const stored = db.get("k") as Uint8Array;
    assert.notEqual(stored.buffer, read.buffer);
    assert.deepEqual(stored, read.subarray(10, 26));
    const mine = read.subarray(0, 16);
    db.set("own", mine, { owned: true });
    assert.equal(db.get("own"), mine);
    keyspace.close();
  });

  it("SET over a string of the same length the store made rewrites it in place", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    const db = keyspace.db(0);
    assert.deepEqual(await ask(t, ["SET", "pad", "p".repeat(20000)], ["SET", "k", "abc"]), [
      "OK",
      "OK",
    ]);
    assert.deepEqual(await ask(t, ["GET", "k"], ["SET", "k", "xyz"], ["GET", "k"]), [
      "abc",
      "OK",
      "xyz",
    ]);
    assert.deepEqual(await ask(t, ["SET", "k", "long"], ["INCR", "n"], ["SET", "n", "7"]), [
      "OK",
      1,
      "OK",
    ]);
    // Which arguments the store copies depends on the decoder's choices: identity is checked
    // through Database directly below, with bytes that are not ASCII (short ASCII values are
    // held as text, and read back as new arrays).
    const read = new Uint8Array(65536).fill(0xe9);
    db.set("u", read.subarray(8, 16));
    const copy = db.get("u");
    assert.notEqual((copy as Uint8Array).buffer, read.buffer, "a compact copy, the store's own");
    db.set("u", Uint8Array.of(0xff, 49, 50, 51, 52, 53, 54, 55));
    assert.equal(db.get("u"), copy, "same length over the store's own: same array, new bytes");
    assert.deepEqual(copy, Uint8Array.of(0xff, 49, 50, 51, 52, 53, 54, 55));
    db.set("u", Uint8Array.of(0xff, 50, 51));
    assert.notEqual(db.get("u"), copy, "another length: a new array");
    assert.deepEqual(await ask(t, ["GET", "k"], ["GET", "n"], ["INCR", "n"]), ["long", "7", 8]);
    // A caller's own array (stored as it is) is never written to.
    const mine = Uint8Array.of(0xe9, 109, 105, 110, 101);
    db.set("c", mine);
    assert.equal(db.get("c"), mine);
    assert.deepEqual(await ask(t, ["SET", "c", "else!"], ["GET", "c"]), ["OK", "else!"]);
    assert.deepEqual(mine, Uint8Array.of(0xe9, 109, 105, 110, 101));
    // A short ASCII value is held as text: each read makes new bytes of it.
    db.set("t", new TextEncoder().encode("text"));
    assert.notEqual(db.get("t"), db.get("t"));
    assert.deepEqual(db.get("t"), new TextEncoder().encode("text"));
    assert.equal(db.read("t"), "text");
    // WATCH sees an in-place SET; the TTL is cleared as by any SET.
    const w = connect(server);
    assert.deepEqual(await ask(t, ["SET", "e", "aaa", "EX", "100"]), ["OK"]);
    assert.deepEqual(await ask(w, ["WATCH", "e"], ["MULTI"], ["GET", "e"]), ["OK", "OK", "QUEUED"]);
    assert.deepEqual(await ask(t, ["SET", "e", "bbb"], ["TTL", "e"]), ["OK", -1]);
    assert.deepEqual(await ask(w, ["EXEC"]), [null]);
    keyspace.close();
  });

  it("SET, MSET, SETNX, GETSET, HSET, RPUSH, LINSERT and LSET copy values out of a large read", async () => {
    const { server, keyspace } = setup();
    const t = connect(server);
    // One chunk far larger than the values (a pipelined read): none of them may pin it.
    const v = (c: string) => c.repeat(300);
    assert.deepEqual(
      await ask(
        t,
        ["SET", "pad", "x".repeat(20000)],
        ["SET", "s", v("s")],
        ["MSET", "m1", v("m"), "m2", v("n")],
        ["HSET", "h", "f", v("h")],
        ["RPUSH", "l", v("a"), v("c")],
        ["LINSERT", "l", "BEFORE", v("c"), v("b")],
        ["LSET", "l", "0", v("A")],
        ["SETNX", "n", v("x")],
        ["GETSET", "g", v("g")],
      ),
      ["OK", "OK", "OK", 1, 2, 3, "OK", 1, null],
    );
    const db = keyspace.db(0);
    const exact = (value: Uint8Array, what: string) =>
      assert.equal(value.buffer.byteLength, value.length, `${what} keeps only its own bytes`);
    for (const key of ["s", "m1", "m2", "n", "g"]) exact(db.get(key) as Uint8Array, key);
    exact((db.get("h") as unknown as Map<string, Uint8Array>).get("f")!, "hash value");
    // List elements are binary strings: copies of their bytes, never views of the read.
    for (const element of db.get("l") as unknown as Iterable<string>) {
      assert.equal(typeof element, "string");
      assert.equal(element.length, 300);
    }
    assert.deepEqual(await ask(t, ["LRANGE", "l", "0", "-1"], ["GET", "s"]), [
      [v("A"), v("b"), v("c")],
      v("s"),
    ]);
    const big = db.get("pad") as Uint8Array;
    assert.ok(
      big.buffer.byteLength < 2 * big.length,
      "a large value is not copied into a larger one",
    );
  });
});
