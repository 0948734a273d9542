import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cloneValue, type RedisObject, typeOf } from "../../src/kv/keyspace/values.ts";
import { keyBytes, keyOf } from "../../src/kv/keyspace/encoding.ts";
import { Keyspace } from "../../src/kv/keyspace/keyspace.ts";
import type { Watcher } from "../../src/kv/keyspace/watch.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("keyspace: keys", () => {
  it("keyOf/keyBytes round-trip every byte value and long keys", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    assert.deepEqual(keyBytes(keyOf(all)), all);
    const long = new Uint8Array(100_000).map((_, i) => (i * 7) & 255);
    const key = keyOf(long);
    assert.equal(key.length, long.length);
    assert.deepEqual(keyBytes(key), long);
    assert.equal(keyOf(enc("abc")), "abc");
    assert.equal(keyOf(new Uint8Array(0)), "");
  });

  it("set/get/delete/has and size", () => {
    const ks = new Keyspace();
    const db = ks.db(0);
    assert.equal(db.get("a"), undefined);
    db.set("a", enc("1"));
    assert.deepEqual(db.get("a"), enc("1"));
    assert.equal(db.has("a"), true);
    assert.equal(db.size, 1);
    assert.equal(db.delete("a"), true);
    assert.equal(db.delete("a"), false);
    assert.equal(db.size, 0);
    assert.throws(() => ks.db(16), RangeError);
    assert.equal(ks.db(15).index, 15);
    ks.close();
  });

  it("typeOf and cloneValue", () => {
    const v = enc("x");
    const c = cloneValue(v) as Uint8Array;
    assert.deepEqual(c, v);
    assert.notEqual(c, v);
    class Obj implements RedisObject {
      readonly type = "hash" as const;
      fields = new Map<string, Uint8Array>([["f", enc("v")]]);
      size(): number {
        return this.fields.size;
      }
    }
    const o = new Obj();
    const copy = cloneValue(o) as Obj;
    assert.equal(typeOf(copy), "hash");
    assert.equal(copy.size(), 1);
    assert.notEqual(copy.fields, o.fields);
    assert.notEqual(copy.fields.get("f"), o.fields.get("f"));
    const custom: RedisObject = { type: "list", clone: () => ({ type: "set" }) };
    assert.equal(typeOf(cloneValue(custom)), "set");
  });
});

describe("keyspace: expiry", () => {
  it("expires lazily on access; TTL cleared by set unless keepTtl", () => {
    const clock = fakeClock();
    const ks = new Keyspace({ now: clock.now, sweepInterval: 0 });
    const db = ks.db(0);
    db.set("k", enc("v"));
    db.setExpireAt("k", clock.now() + 10);
    assert.equal(db.expireAt("k"), clock.now() + 10);
    assert.equal(db.expiresCount, 1);
    clock.advance(10);
    assert.equal(db.has("k"), true, "expired only when now > expireAt");
    clock.advance(1);
    assert.equal(db.size, 1, "not removed before access");
    assert.equal(db.get("k"), undefined);
    assert.equal(db.size, 0);
    assert.equal(db.expiresCount, 0);
    assert.equal(ks.expiredKeys, 1);

    db.set("k", enc("v"));
    db.setExpireAt("k", clock.now() + 100);
    db.set("k", enc("w"), { keepTtl: true });
    assert.equal(db.expireAt("k"), clock.now() + 100);
    db.set("k", enc("x"));
    assert.equal(db.expireAt("k"), undefined);
    assert.equal(db.expiresCount, 0);
    db.setExpireAt("missing", 5);
    assert.equal(db.has("missing"), false);
    ks.close();
  });

  it("keys() skips expired keys without deleting them", () => {
    const clock = fakeClock();
    const ks = new Keyspace({ now: clock.now, sweepInterval: 0 });
    const db = ks.db(0);
    db.set("a", enc("1"));
    db.set("b", enc("2"));
    db.setExpireAt("b", clock.now());
    clock.advance(1);
    assert.deepEqual([...db.keys()], ["a"]);
    assert.equal(db.size, 2);
    ks.close();
  });

  it("the active sweep removes expired keys in bounded steps", () => {
    const clock = fakeClock();
    const ks = new Keyspace({ now: clock.now, sweepInterval: 0 });
    const db = ks.db(3);
    for (let i = 0; i < 1000; i++) {
      db.set(`k${i}`, enc("v"));
      db.setExpireAt(`k${i}`, clock.now() + (i < 900 ? 5 : 100_000));
    }
    clock.advance(10);
    ks.sweepNow();
    const after = db.size;
    assert.ok(after < 1000, "some keys were swept");
    assert.ok(after >= 1000 - 16 * 20, "work per step is bounded");
    for (let i = 0; i < 50 && db.size > 100; i++) ks.sweepNow();
    assert.equal(db.size, 100);
    assert.ok(db.averageTtl > 90_000 && db.averageTtl <= 100_000, `${db.averageTtl}`);
    ks.close();
  });

  it("the sweep timer runs by itself and close() stops it", async () => {
    const ks = new Keyspace({ sweepInterval: 5 });
    const db = ks.db(0);
    db.set("k", enc("v"));
    db.setExpireAt("k", ks.now() + 1);
    const deadline = Date.now() + 2000;
    while (db.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(db.size, 0);
    db.set("j", enc("v"));
    db.setExpireAt("j", ks.now() + 1);
    ks.close();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(db.size, 1, "no sweep after close");
  });
});

describe("keyspace: scan and random", () => {
  it("scan returns every key present for the whole scan despite inserts and deletes", () => {
    const ks = new Keyspace();
    const db = ks.db(0);
    for (let i = 0; i < 500; i++) db.set(`k${i}`, enc("v"));
    const seen = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      const page = db.scan(cursor, 10);
      for (const k of page.keys) seen.add(k);
      cursor = page.cursor;
      calls++;
      // churn: delete some early keys, add new ones
      db.delete(`k${calls * 3}`);
      db.set(`new${calls}`, enc("v"));
    } while (cursor !== 0 && calls < 10_000);
    for (let i = 0; i < 500; i++) {
      const k = `k${i}`;
      if (db.has(k)) assert.ok(seen.has(k), `missing ${k}`);
    }
    ks.close();
  });

  it("scan with an unknown cursor resumes by position", () => {
    const ks = new Keyspace();
    const db = ks.db(0);
    for (let i = 0; i < 30; i++) db.set(`k${i}`, enc("v"));
    const first = db.scan(0, 10);
    assert.equal(first.keys.length, 10);
    // A second database resumes the same cursor only through the fallback path.
    const second = db.scan(first.cursor, 10);
    const again = db.scan(first.cursor, 10); // state consumed: fallback
    assert.deepEqual(again.keys, second.keys);
    assert.deepEqual(db.scan(999_999, 10), { cursor: 0, keys: [] });
    ks.close();
  });

  it("randomKey returns live keys", () => {
    const clock = fakeClock();
    const ks = new Keyspace({ now: clock.now, sweepInterval: 0 });
    const db = ks.db(0);
    assert.equal(db.randomKey(), undefined);
    db.set("a", enc("1"));
    db.set("b", enc("1"));
    db.setExpireAt("b", clock.now());
    clock.advance(1);
    for (let i = 0; i < 20; i++) assert.equal(db.randomKey(), "a");
    for (let i = 0; i < 3000; i++) db.set(`x${i}`, enc("1"));
    const got = new Set<string>();
    for (let i = 0; i < 200; i++) got.add(db.randomKey()!);
    assert.ok(got.size > 50);
    ks.close();
  });
});

describe("keyspace: watch, swap, flush, ready", () => {
  it("touch marks watchers dirty; unwatchAll forgets", () => {
    const ks = new Keyspace();
    const db = ks.db(0);
    const a: Watcher = { watchDirty: false };
    const b: Watcher = { watchDirty: false };
    ks.watch(a, 0, "k");
    ks.watch(a, 0, "k");
    assert.equal(ks.watchCount(a), 1);
    ks.watch(b, 1, "k");
    db.set("k", enc("v"));
    assert.equal(a.watchDirty, true);
    assert.equal(b.watchDirty, false, "other database");
    ks.unwatchAll(a);
    a.watchDirty = false;
    db.delete("k");
    assert.equal(a.watchDirty, false);
    ks.close();
  });

  it("a key expired at WATCH time and then deleted is not a change; expiry after WATCH is", () => {
    const clock = fakeClock();
    const ks = new Keyspace({ now: clock.now, sweepInterval: 0 });
    const db = ks.db(0);
    db.set("k", enc("v"));
    db.setExpireAt("k", clock.now());
    clock.advance(1);
    const w: Watcher = { watchDirty: false };
    ks.watch(w, 0, "k");
    assert.equal(db.get("k"), undefined); // lazy delete
    assert.equal(w.watchDirty, false);
    assert.equal(ks.checkWatchedExpired(w), false);
    ks.unwatchAll(w);

    db.set("j", enc("v"));
    db.setExpireAt("j", clock.now() + 5);
    ks.watch(w, 0, "j");
    assert.equal(ks.checkWatchedExpired(w), false);
    clock.advance(6);
    assert.equal(ks.checkWatchedExpired(w), true);
    assert.equal(w.watchDirty, true);
    ks.close();
  });

  it("swap exchanges contents, keeps watches by index, and dirties watchers", () => {
    const ks = new Keyspace();
    ks.db(0).set("a", enc("0"));
    ks.db(1).set("b", enc("1"));
    const w0: Watcher = { watchDirty: false };
    const w1: Watcher = { watchDirty: false };
    const w2: Watcher = { watchDirty: false };
    ks.watch(w0, 0, "b"); // exists in the other db
    ks.watch(w1, 1, "zzz"); // exists nowhere
    ks.watch(w2, 2, "a");
    ks.swap(0, 1);
    assert.deepEqual(ks.db(0).get("b"), enc("1"));
    assert.deepEqual(ks.db(1).get("a"), enc("0"));
    assert.equal(ks.db(0).has("a"), false);
    assert.equal(w0.watchDirty, true);
    assert.equal(w1.watchDirty, false);
    assert.equal(w2.watchDirty, false);
    ks.flushAll();
    assert.equal(ks.db(0).size + ks.db(1).size, 0);
    ks.close();
  });

  it("flush (clear) dirties watchers of existing keys only", () => {
    const ks = new Keyspace();
    const db = ks.db(0);
    db.set("a", enc("0"));
    const wa: Watcher = { watchDirty: false };
    const wb: Watcher = { watchDirty: false };
    ks.watch(wa, 0, "a");
    ks.watch(wb, 0, "b");
    db.clear();
    assert.equal(wa.watchDirty, true);
    assert.equal(wb.watchDirty, false);
    ks.close();
  });

  it("signalReady serves clients blocked on the key; swap signals list keys", async () => {
    const ks = new Keyspace();
    const seen: string[] = [];
    const connection = { closed: false, onClose: () => {} };
    const blocked = ks.blocking.block({
      connection,
      db: 0,
      keys: ["q", "l", "s"],
      tryServe: (key) => {
        seen.push(`0:${key}`);
        return key === "l";
      },
      timedOut: () => {},
    }, 0);
    ks.db(0).signalReady("q");
    await Promise.resolve();
    ks.db(1).set("l", { type: "list" });
    ks.db(1).set("s", enc("x"));
    ks.swap(0, 1);
    await blocked;
    assert.deepEqual(seen, ["0:q", "0:l"]);
    assert.equal(ks.blocking.blockedClients, 0);
    ks.close();
  });
});
