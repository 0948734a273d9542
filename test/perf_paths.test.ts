/**
 * Correctness of the fast paths added for throughput: INCR rewriting its digits in place
 * (single lookup; WATCH, TTL, APPEND, GETRANGE, COPY/RENAME/MOVE, MULTI and caller-owned
 * values), `keyOf`'s fixed-arity path for short binary keys, the router's command-name cache,
 * and the runtime adapter handing over plain `Uint8Array` chunks.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { compactBytes, keyBytes, keyOf } from "../src/kv/keyspace/encoding.ts";
import { Keyspace } from "../src/kv/keyspace/keyspace.ts";
import { Slab } from "../src/resp/slab.ts";
import { DEFAULT_LIMITS, resolveLimits } from "../src/resp/limits.ts";
import { Writer } from "../src/resp/writer.ts";
import { registerKeyValueCommands } from "../src/kv/mod.ts";
import { Router } from "../src/server/router.ts";
import { Server } from "../src/server/server.ts";
import type { ListenFunction, TransportHandler } from "../src/server/transport.ts";
import { detectRuntime } from "../adapters/serve.ts";
import { connect, type MemoryTransport, tick } from "./helpers/memory_transport.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function command(...args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${enc(a).length}\r\n${a}\r\n`;
  return out;
}

/** Sends commands in one chunk and returns their decoded replies. */
async function ask(t: MemoryTransport, ...commands: string[][]): Promise<unknown[]> {
  t.send(commands.map((c) => command(...c)).join(""));
  await tick();
  return t.replies();
}

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

describe("perf paths: INCR in place", () => {
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

describe("perf paths: stored values do not pin their read", () => {
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
    // through Database directly below.
    const read = new Uint8Array(65536).fill(97);
    db.set("u", read.subarray(8, 16));
    const copy = db.get("u");
    assert.notEqual((copy as Uint8Array).buffer, read.buffer, "a compact copy, the store's own");
    db.set("u", new TextEncoder().encode("12345678"));
    assert.equal(db.get("u"), copy, "same length over the store's own: same array, new bytes");
    assert.equal(new TextDecoder().decode(copy as Uint8Array), "12345678");
    db.set("u", new TextEncoder().encode("123"));
    assert.notEqual(db.get("u"), copy, "another length: a new array");
    assert.deepEqual(await ask(t, ["GET", "k"], ["GET", "n"], ["INCR", "n"]), ["long", "7", 8]);
    // A caller's own array (stored as it is) is never written to.
    const mine = new TextEncoder().encode("mine");
    db.set("c", mine);
    assert.equal(db.get("c"), mine);
    assert.deepEqual(await ask(t, ["SET", "c", "else"], ["GET", "c"]), ["OK", "else"]);
    assert.equal(new TextDecoder().decode(mine), "mine");
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
    for (const element of db.get("l") as unknown as Iterable<Uint8Array>) exact(element, "element");
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

describe("perf paths: slabs", () => {
  it("copies share a slab, are never rewritten, and long ones get their own buffer", () => {
    const slab = new Slab(64, 16);
    const source = new Uint8Array(100).map((_, i) => i);
    const a = slab.copy(source, 0, 10);
    const b = slab.copy(source, 10, 30); // longer than 16: its own buffer
    const c = slab.copy(source, 50, 60);
    assert.equal(a.buffer, c.buffer, "short copies share a slab");
    assert.equal(b.buffer.byteLength, 20);
    source.fill(0);
    assert.deepEqual([...a], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...c], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    // Filling the slab starts a new one; earlier copies stay as they were.
    const copies = Array.from(
      { length: 20 },
      (_, i) => slab.copy(new Uint8Array(16).fill(i), 0, 16),
    );
    copies.forEach((copy, i) => assert.deepEqual(copy, new Uint8Array(16).fill(i)));
    assert.notEqual(copies[0].buffer, copies[19].buffer);
    assert.deepEqual([...a], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("Writer.take hands out copies that later writes never change", () => {
    const writer = new Writer();
    writer.simple("OK");
    const first = writer.take();
    writer.integer(12345);
    const second = writer.take();
    writer.bulk("x".repeat(100));
    writer.take();
    assert.equal(new TextDecoder().decode(first), "+OK\r\n");
    assert.equal(new TextDecoder().decode(second), ":12345\r\n");
  });
});

describe("perf paths: shared decoder limits", () => {
  it("complete frozen limits are shared; anything else is resolved into a frozen copy", () => {
    assert.equal(resolveLimits(undefined), DEFAULT_LIMITS);
    const server = new Server({ limits: { maxBulkLength: 1000 } });
    const resolved = server._options.limits;
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

describe("perf paths: keyOf short keys", () => {
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

describe("perf paths: router name cache", () => {
  it("resolves any case, follows register/remove, and caches unknown names safely", () => {
    const router = new Router();
    const get = { arity: 2, handler: () => "a" };
    router.register("get", get);
    for (const name of ["get", "GET", "gEt", "GET", "get"]) {
      assert.equal(router.lookupBytes(enc(name))?.name, "get");
    }
    assert.equal(router.lookupBytes(enc("nope")), undefined);
    assert.equal(router.lookupBytes(enc("nope")), undefined);
    router.register("nope", { arity: 1, handler: () => "b" });
    assert.equal(router.lookupBytes(enc("NOPE"))?.name, "nope");
    assert.equal(router.lookupBytes(enc("nope"))?.name, "nope");
    const replacement = { arity: 3, handler: () => "c" };
    router.register("GET", replacement);
    assert.equal(router.lookupBytes(enc("get"))?.spec, replacement);
    router.remove("get");
    assert.equal(router.lookupBytes(enc("GET")), undefined);
    assert.equal(router.lookupBytes(new Uint8Array(0)), undefined);
    assert.equal(router.lookupBytes(enc("x".repeat(40))), undefined);
  });

  it("a name held in the cache is a copy: changing the caller's bytes changes nothing", () => {
    const router = new Router();
    router.register("get", { arity: 2, handler: () => "a" });
    router.register("set", { arity: 3, handler: () => "b" });
    const name = enc("get");
    assert.equal(router.lookupBytes(name)?.name, "get");
    name.set(enc("gex"));
    assert.equal(router.lookupBytes(name), undefined);
    assert.equal(router.lookupBytes(enc("get"))?.name, "get");
  });

  it("names that share a cache slot, and many names in turn, all resolve", () => {
    const router = new Router();
    const names: string[] = [];
    for (let i = 0; i < 300; i++) {
      const name = `c${i.toString(36)}x`;
      names.push(name);
      router.register(name, { arity: 1, handler: () => i });
    }
    for (let round = 0; round < 3; round++) {
      for (const name of names) {
        const raw = round === 1 ? name.toUpperCase() : name;
        assert.equal(router.lookupBytes(enc(raw))?.name, name);
      }
    }
  });

  it("dispatch: commands in any case, unknown ones, and the fallback handler", async () => {
    const server = new Server({ handler: (c) => `fallback ${c.name}` });
    server.router.register("hi", { arity: 1, handler: () => "hello" });
    const t = connect(server);
    const replies = await ask(t, ["HI"], ["hi"], ["Hi"], ["what"], ["WHAT"], ["hi"]);
    assert.deepEqual(replies, [
      "hello",
      "hello",
      "hello",
      "fallback what",
      "fallback what",
      "hello",
    ]);
    server.router.remove("hi");
    assert.deepEqual(await ask(t, ["hi"]), ["fallback hi"]);
    t.reportClosed();
    await server.close();
  });
});

describe("perf paths: adapter chunks", () => {
  it("the runtime adapter hands over plain Uint8Arrays whose slice() copies", async () => {
    const runtime = detectRuntime();
    const { listen } =
      (runtime === "deno"
        ? await import("../adapters/deno.ts")
        : runtime === "bun"
        ? await import("../adapters/bun.ts")
        : await import("../adapters/node.ts")) as { listen: ListenFunction };
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
