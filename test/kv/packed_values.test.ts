/**
 * The packed forms of small hashes and sets (one string while small, a Map past the limits)
 * against a plain Map / Set model, through random operations that cross the limits both ways
 * (long fields and values, many members), and the string values the database holds as text.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RedisHash } from "../../src/kv/values/hash.ts";
import { RedisSet } from "../../src/kv/values/set.ts";
import { Keyspace } from "../../src/kv/keyspace/keyspace.ts";

/** A small deterministic generator (the same sequence on every runtime). */
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
}

function bytes(random: (n: number) => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random(256);
  return out;
}

function name(random: (n: number) => number): string {
  const kind = random(10);
  if (kind === 0) return String.fromCharCode(...bytes(random, 250 + random(20)));
  if (kind === 1) return String.fromCharCode(...bytes(random, random(4)));
  return `f${random(90)}`;
}

describe("packed hashes and sets", () => {
  it("a hash answers as a Map would, in insertion order, packed or not", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = generator(seed);
      const hash = new RedisHash();
      const model = new Map<string, Uint8Array>();
      for (let step = 0; step < 400; step++) {
        const field = name(random);
        const op = random(10);
        if (op < 6) {
          const value = bytes(random, random(8) === 0 ? 300 : random(12));
          assert.equal(hash.put(field, value), !model.has(field));
          model.set(field, value);
        } else if (op < 8) assert.equal(hash.delete(field), model.delete(field));
        else assert.deepEqual(hash.get(field), model.get(field));
        assert.equal(hash.size, model.size);
        assert.equal(hash.has(field), model.has(field));
      }
      assert.deepEqual([...hash], [...model]);
      assert.deepEqual([...hash.keys()], [...model.keys()]);
      assert.deepEqual([...hash.values()], [...model.values()]);
      assert.deepEqual([...hash.clone().entries()], [...model.entries()]);
    }
  });

  it("a hash converts out of listpack as Redis does, and stays readable", () => {
    const hash = new RedisHash();
    hash.set("a", Uint8Array.of(1));
    hash.set("b", Uint8Array.of(2));
    assert.equal(hash.listpack, true);
    hash.listpack = false;
    assert.deepEqual([...hash.keys()], ["a", "b"]);
    assert.deepEqual(hash.get("b"), Uint8Array.of(2));
    const long = new RedisHash();
    long.set("x", new Uint8Array(65));
    assert.equal(long.listpack, false);
    assert.equal(long.get("x")!.length, 65);
  });

  it("a set answers as a Set would, with the last member filling a removed one's place", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = generator(seed);
      const set = new RedisSet();
      const model: string[] = [];
      for (let step = 0; step < 400; step++) {
        const member = random(3) === 0 ? String(random(200)) : name(random);
        const at = model.indexOf(member);
        if (random(10) < 6) {
          assert.equal(set.add(member), at < 0);
          if (at < 0) model.push(member);
        } else {
          assert.equal(set.delete(member), at >= 0);
          if (at >= 0) {
            const last = model.pop()!;
            if (at < model.length) model[at] = last;
          }
        }
        assert.equal(set.size, model.length);
        assert.equal(set.has(member), model.includes(member));
      }
      assert.deepEqual(Array.from({ length: set.size }, (_, i) => set.at(i)), model);
      if (!set.intset) assert.deepEqual([...set.ordered()], model);
      assert.deepEqual([...set.clone().ordered()], [...set.ordered()]);
    }
  });

  it("an intset replies in numeric order, packed or not", () => {
    for (const count of [10, 100]) {
      const set = new RedisSet();
      for (let i = count; i > -count; i -= 3) set.add(String(i));
      const expected = [...set.ordered()].map(Number);
      assert.deepEqual(expected, expected.slice().sort((a, b) => a - b));
      assert.equal(set.intset, true);
    }
  });

  it("the database holds short ASCII strings as text and gives back new bytes", () => {
    const keyspace = new Keyspace();
    const db = keyspace.db(0);
    db.set("a", new TextEncoder().encode("value"));
    assert.equal(db.read("a"), "value");
    assert.deepEqual(db.get("a"), new TextEncoder().encode("value"));
    db.set("b", Uint8Array.of(0xff, 0));
    assert.deepEqual(db.read("b"), Uint8Array.of(0xff, 0));
    db.set("c", new Uint8Array(65).fill(97));
    assert.ok(db.read("c") instanceof Uint8Array);
    db.setExpireAt("a", Date.now() + 100_000);
    db.set("a", new TextEncoder().encode("other"), { keepTtl: true });
    assert.ok(db.expireAt("a")! > Date.now());
    db.set("a", new TextEncoder().encode("third"));
    assert.equal(db.expireAt("a"), undefined);
    assert.equal(db.expiresCount, 0);
    keyspace.close();
  });
});
