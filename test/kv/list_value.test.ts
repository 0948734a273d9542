/**
 * The list value (packed in one string while small, a deque of strings past the limits)
 * against an array model, through random operations that cross the limits (many elements,
 * elements longer than 255 bytes, binary bytes), and its replies written from either form.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RedisList } from "../../src/kv/values/list.ts";
import { Writer } from "../../src/resp/writer.ts";

/** A small deterministic generator (the same sequence on every runtime). */
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
}

/** A binary string element: mostly short, some empty, some long, bytes 0-255. */
function element(random: (n: number) => number): string {
  const kind = random(12);
  const length = kind === 0 ? 250 + random(20) : kind === 1 ? 0 : random(10);
  let out = "";
  for (let i = 0; i < length; i++) {
    out += String.fromCharCode(random(4) === 0 ? random(256) : 97 + random(3));
  }
  return out;
}

/** A binary string's bytes (one per char). */
function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Every element through `forEachRange`, as the parts it hands out. */
function ranged(list: RedisList, start: number, end: number): string[] {
  const out: string[] = [];
  list.forEachRange(start, end, (text, from, to) => out.push(text.slice(from, to)));
  return out;
}

describe("list value", () => {
  it("answers as an array would, packed or not", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = generator(seed);
      const list = new RedisList();
      let model: string[] = [];
      const steps = seed % 3 === 0 ? 1500 : 300;
      for (let step = 0; step < steps; step++) {
        const op = random(14);
        const n = model.length;
        if (op < 2) {
          const v = element(random);
          list.pushBack(v);
          model.push(v);
        } else if (op === 2) {
          // LPUSH / RPUSH with several arguments: argv[0..1] are the name and the key.
          const values = Array.from({ length: 1 + random(12) }, () => element(random));
          const front = random(2) === 0;
          list.pushAll(["LPUSH", "k", ...values].map(latin1Bytes), 2, front);
          if (front) model.unshift(...values.reverse());
          else model.push(...values);
        } else if (op < 6) {
          const v = element(random);
          list.pushFront(v);
          model.unshift(v);
        } else if (op === 6) assert.equal(list.popFront(), model.shift());
        else if (op === 7) assert.equal(list.popBack(), model.pop());
        else if (op === 8) {
          const i = random(n + 2) - 1;
          assert.equal(list.at(i), model[i]);
        } else if (op === 9 && n > 0) {
          const i = random(n), v = element(random);
          list.set(i, v);
          model[i] = v;
        } else if (op === 10) {
          const i = random(n + 1), v = element(random);
          list.insert(i, v);
          model.splice(i, 0, v);
        } else if (op === 11 && random(4) === 0) {
          const front = random(3), back = random(3);
          list.trim(front, back);
          model = front + back >= n ? [] : model.slice(front, n - back);
        } else if (op === 12) {
          const drop = element(random).slice(0, 1);
          const removed = list.filter((v, i) => v[0] !== drop || i % 2 === 0);
          const kept = model.filter((v, i) => v[0] !== drop || i % 2 === 0);
          assert.equal(removed, model.length - kept.length);
          model = kept;
        } else if (op === 13 && n > 0) {
          const start = random(n), end = start + random(n - start);
          assert.deepEqual(ranged(list, start, end), model.slice(start, end + 1));
        }
        assert.equal(list.length, model.length);
      }
      assert.deepEqual(list.toArray(), model);
      assert.deepEqual([...list], model);
      const copy = list.clone();
      copy.pushBack("x");
      assert.deepEqual(list.toArray(), model);
      assert.deepEqual(copy.toArray(), [...model, "x"]);
    }
  });

  it("grows past the packed limits and keeps every element", () => {
    const list = new RedisList();
    for (let i = 0; i < 1000; i++) list.pushFront(`e:${i}`);
    assert.equal(list.length, 1000);
    assert.equal(list.at(0), "e:999");
    assert.equal(list.at(999), "e:0");
    const long = "\xff".repeat(300);
    const small = new RedisList();
    small.pushBack("a");
    small.pushBack(long);
    small.pushBack("b");
    assert.deepEqual(small.toArray(), ["a", long, "b"]);
    small.set(0, long);
    assert.deepEqual(small.toArray(), [long, long, "b"]);
  });

  it("writes its elements as bulk strings byte for byte", () => {
    const list = new RedisList();
    list.pushBack("\x00\xff\r\n");
    list.pushBack("");
    list.pushBack("abc");
    const writer = new Writer();
    writer.arrayHeader(list.length);
    list.forEachRange(0, list.length - 1, (text, from, to) => writer.bulkLatin1(text, from, to));
    assert.deepEqual(
      [...writer.take()],
      [..."*3\r\n$4\r\n\x00\xff\r\n\r\n$0\r\n\r\n$3\r\nabc\r\n"].map((c) => c.charCodeAt(0)),
    );
  });
});
