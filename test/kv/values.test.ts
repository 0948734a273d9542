/**
 * Pure data-structure tests for the key-value data types: the ring-buffer deque, the skip
 * list (against a sorted-array model, with a seeded PRNG), the long double arithmetic used
 * by HINCRBYFLOAT/INCRBYFLOAT, and the argument parsers.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Deque } from "../../src/kv/values/deque.ts";
import { type LexRange, type ScoreRange, SkipList } from "../../src/kv/values/skiplist.ts";
import {
  addLongDouble,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
} from "../../src/kv/values/long_double.ts";
import { parseDouble, parseRangeDouble, parseTimeoutSeconds } from "../../src/server/args.ts";
import { MapScanner } from "../../src/kv/values/map_scanner.ts";
import { isIntegerMember, RedisSet } from "../../src/kv/values/set.ts";

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("Deque", () => {
  it("matches an array model under random operations", () => {
    const rand = prng(1);
    const d = new Deque<number>();
    const model: number[] = [];
    for (let step = 0; step < 20000; step++) {
      const op = Math.floor(rand() * 9);
      const v = Math.floor(rand() * 1000);
      switch (op) {
        case 0:
        case 1:
          d.pushBack(v);
          model.push(v);
          break;
        case 2:
        case 3:
          d.pushFront(v);
          model.unshift(v);
          break;
        case 4:
          assert.equal(d.popFront(), model.shift());
          break;
        case 5:
          assert.equal(d.popBack(), model.pop());
          break;
        case 6: {
          const i = Math.floor(rand() * (model.length + 1));
          d.insert(i, v);
          model.splice(i, 0, v);
          break;
        }
        case 7: {
          if (model.length === 0) break;
          const i = Math.floor(rand() * model.length);
          assert.equal(d.removeAt(i), model.splice(i, 1)[0]);
          break;
        }
        case 8: {
          const front = Math.floor(rand() * 3), back = Math.floor(rand() * 3);
          d.trim(front, back);
          if (front + back >= model.length) model.length = 0;
          else model.splice(model.length - back, back), model.splice(0, front);
          break;
        }
      }
      assert.equal(d.length, model.length);
      if (step % 97 === 0) {
        assert.deepEqual(d.toArray(), model);
        const a = Math.floor(rand() * (model.length + 2)) - 1;
        const b = Math.floor(rand() * (model.length + 2)) - 1;
        assert.deepEqual(d.slice(a, b), model.slice(Math.max(0, a), Math.max(0, b + 1)));
        if (model.length > 0) {
          const i = Math.floor(rand() * model.length);
          assert.equal(d.at(i), model[i]);
        }
      }
    }
  });

  it("filters in place and keeps order", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 50; i++) d.pushFront(i);
    assert.equal(d.filter((v) => v % 3 !== 0), 17);
    assert.deepEqual(
      d.toArray(),
      Array.from({ length: 50 }, (_, i) => 49 - i).filter((v) => v % 3 !== 0),
    );
  });

  it("shrinks after draining and grows again", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 10000; i++) d.pushBack(i);
    for (let i = 0; i < 9990; i++) assert.equal(d.popFront(), i);
    assert.deepEqual(d.toArray(), [9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999]);
    for (let i = 0; i < 100; i++) d.pushFront(-i);
    assert.equal(d.length, 110);
    assert.equal(d.at(0), -99);
  });
});

interface Item {
  score: number;
  member: string;
}

function compare(a: Item, b: Item): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
}

describe("SkipList", () => {
  it("matches a sorted-array model: insert, delete, update, rank, ranges", () => {
    const rand = prng(42);
    const list = new SkipList();
    const model = new Map<string, number>();
    const sorted = (): Item[] =>
      [...model].map(([member, score]) => ({ member, score })).sort(compare);
    const members = Array.from({ length: 300 }, (_, i) => "m" + (i * 7919 % 1000));
    for (let step = 0; step < 6000; step++) {
      const member = members[Math.floor(rand() * members.length)];
      const score = Math.floor(rand() * 20) - 10 + (rand() < 0.2 ? 0.5 : 0);
      const op = rand();
      const current = model.get(member);
      if (op < 0.5) {
        if (current === undefined) {
          list.insert(score, member);
          model.set(member, score);
        } else {
          list.updateScore(current, member, score);
          model.set(member, score);
        }
      } else if (op < 0.7) {
        if (current !== undefined) {
          assert.ok(list.delete(current, member));
          model.delete(member);
        } else assert.ok(!list.delete(score, member));
      }
      if (step % 50 !== 0) continue;
      const items = sorted();
      assert.equal(list.length, items.length);
      assert.deepEqual(
        [...list].map((n) => ({ score: n.score, member: n.member })),
        items,
      );
      // backward links
      const back: Item[] = [];
      for (let n = list.tail; n !== null; n = n.backward) {
        back.push({ score: n.score, member: n.member });
      }
      assert.deepEqual(back.reverse(), items);
      for (let i = 0; i < items.length; i += 7) {
        assert.equal(list.rank(items[i].score, items[i].member), i + 1);
        assert.equal(list.byRank(i + 1)!.member, items[i].member);
      }
      assert.equal(list.byRank(0), null);
      assert.equal(list.byRank(items.length + 1), null);
      // score ranges
      const lo = Math.floor(rand() * 24) - 12, hi = lo + Math.floor(rand() * 10);
      const range: ScoreRange = {
        min: lo,
        max: hi,
        minExclusive: rand() < 0.5,
        maxExclusive: rand() < 0.5,
      };
      const inRange = items.filter((x) =>
        (range.minExclusive ? x.score > lo : x.score >= lo) &&
        (range.maxExclusive ? x.score < hi : x.score <= hi)
      );
      assert.equal(list.countInRange(range), inRange.length);
      assert.equal(list.firstInRange(range)?.member ?? null, inRange[0]?.member ?? null);
      assert.equal(list.lastInRange(range)?.member ?? null, inRange.at(-1)?.member ?? null);
    }
  });

  it("lex ranges and range deletions on equal scores", () => {
    const rand = prng(7);
    const list = new SkipList();
    const model: string[] = [];
    for (let i = 0; i < 500; i++) {
      const m = String.fromCharCode(97 + Math.floor(rand() * 26)) +
        String(Math.floor(rand() * 100));
      if (model.includes(m)) continue;
      list.insert(0, m);
      model.push(m);
    }
    model.sort();
    const range: LexRange = {
      min: { kind: 0, value: "c", exclusive: false },
      max: { kind: 0, value: "f5", exclusive: true },
    };
    const expected = model.filter((m) => m >= "c" && m < "f5");
    assert.equal(list.countInLexRange(range), expected.length);
    assert.equal(list.firstInLexRange(range)!.member, expected[0]);
    assert.equal(list.lastInLexRange(range)!.member, expected.at(-1));
    const all: LexRange = {
      min: { kind: -1, value: "", exclusive: true },
      max: { kind: 1, value: "", exclusive: true },
    };
    assert.equal(list.countInLexRange(all), model.length);
    const removed: string[] = [];
    assert.equal(list.deleteRangeByLex(range, (n) => removed.push(n.member)), expected.length);
    assert.deepEqual(removed, expected);
    const rest = model.filter((m) => !(m >= "c" && m < "f5"));
    assert.deepEqual([...list].map((n) => n.member), rest);
    // rank deletion: the 3rd..10th
    const gone: string[] = [];
    list.deleteRangeByRank(3, 10, (n) => gone.push(n.member));
    assert.deepEqual(gone, rest.slice(2, 10));
    assert.deepEqual([...list].map((n) => n.member), [...rest.slice(0, 2), ...rest.slice(10)]);
    for (let i = 0; i < list.length; i += 13) {
      const n = list.byRank(i + 1)!;
      assert.equal(list.rank(n.score, n.member), i + 1);
    }
  });

  it("deletes by score range", () => {
    const list = new SkipList();
    for (let i = 0; i < 100; i++) list.insert(i % 10, "m" + String(i).padStart(3, "0"));
    const removed: string[] = [];
    const n = list.deleteRangeByScore(
      { min: 3, max: 5, minExclusive: true, maxExclusive: false },
      (node) => removed.push(node.member),
    );
    assert.equal(n, 20);
    assert.ok(removed.every((m) => [4, 5].includes(Number(m.slice(1)) % 10)));
    assert.equal(list.length, 80);
    assert.equal(
      list.countInRange({
        min: -Infinity,
        max: Infinity,
        minExclusive: false,
        maxExclusive: false,
      }),
      80,
    );
  });
});

describe("long double (HINCRBYFLOAT / INCRBYFLOAT)", () => {
  const add = (a: string, b: string): string => {
    const x = parseLongDouble(a) as LongDouble, y = parseLongDouble(b) as LongDouble;
    return formatLongDouble(addLongDouble(x, y)!);
  };
  it("adds and formats like x87 long double %.17Lf", () => {
    // Values checked against redis-server 7.0.15 on x86-64.
    assert.equal(add("10.5", "0.1"), "10.6");
    assert.equal(add("0.1", "0.2"), "0.3");
    assert.equal(add("1.1", "2.2"), "3.3");
    assert.equal(add("-0.5", "0.5"), "0");
    assert.equal(add("5.0e3", "2.0e2"), "5200");
    assert.equal(add("17179869184", "1.5"), "17179869185.5");
    assert.equal(add("0.0000001", "0"), "0.0000001");
    assert.equal(add("1e-20", "0"), "0");
    assert.equal(add("123456789.123456789", "0"), "123456789.12345678899873747");
    assert.equal(add("0x1p3", "0.25"), "8.25");
    assert.equal(
      add("10.6", "1e308").slice(0, 40),
      "9999999999999999999668587965584564566056",
    );
  });
  it("rejects what strtold/string2ld rejects", () => {
    for (const bad of ["", " 1", "1 ", "abc", "nan", "1e5000", "5e-5000", "1e", "."]) {
      assert.equal(parseLongDouble(bad), undefined, bad);
    }
    assert.equal(parseLongDouble("inf"), Infinity);
    assert.equal(parseLongDouble("-Infinity"), -Infinity);
    assert.equal(typeof parseLongDouble("1e4000"), "object");
  });
});

describe("argument parsers", () => {
  it("parseDouble follows getDoubleFromObject", () => {
    assert.equal(parseDouble(enc("1.5e3")), 1500);
    assert.equal(parseDouble(enc("0x10")), 16);
    assert.equal(parseDouble(enc("-inf")), -Infinity);
    assert.equal(parseDouble(enc("1e-310")), 1e-310);
    for (const bad of ["", " 1", "1 ", "nan", "1e400", "1e-400", "1x", "."]) {
      assert.equal(parseDouble(enc(bad)), undefined, bad);
    }
  });
  it("parseRangeDouble follows zslParseRange's strtod", () => {
    assert.equal(parseRangeDouble(enc("")), 0);
    assert.equal(parseRangeDouble(enc(" 1")), 1);
    assert.equal(parseRangeDouble(enc("1e400")), Infinity);
    assert.equal(parseRangeDouble(enc("("), 1), 0);
    assert.equal(parseRangeDouble(enc("x")), undefined);
  });
  it("parseTimeoutSeconds rounds up to ms and rejects negatives", () => {
    assert.equal(parseTimeoutSeconds(enc("0.0001")), 1);
    assert.equal(parseTimeoutSeconds(enc("1.5")), 1500);
    assert.equal(parseTimeoutSeconds(enc("0")), 0);
    assert.equal(parseTimeoutSeconds(enc("-0.0001")), 0); // ceil(-0.1) = -0: Redis blocks forever
    assert.throws(() => parseTimeoutSeconds(enc("-1")), /timeout is negative/);
    assert.throws(() => parseTimeoutSeconds(enc("inf")), /timeout is negative/);
    assert.throws(() => parseTimeoutSeconds(enc("abc")), /timeout is not a float or out of range/);
  });
  it("isIntegerMember is string2ll", () => {
    assert.ok(isIntegerMember("-9223372036854775808"));
    assert.ok(!isIntegerMember("9223372036854775808"));
    assert.ok(!isIntegerMember("-0"));
    assert.ok(!isIntegerMember("01"));
    assert.ok(!isIntegerMember("+1"));
  });
});

describe("scans", () => {
  it("MapScanner returns every key present for the whole scan despite changes", () => {
    const rand = prng(3);
    const map = new Map<number, number>();
    for (let i = 0; i < 1000; i++) map.set(i, i);
    const scanner = new MapScanner<number>();
    const stable = new Set<number>([...map.keys()].filter((k) => k % 2 === 0));
    const seen = new Set<number>();
    let cursor = 0;
    let rounds = 0;
    do {
      const page = scanner.scan(map, cursor, 10);
      for (const k of page.keys) seen.add(k);
      cursor = page.cursor;
      // Mutate odd keys only: delete some, add new ones.
      for (let i = 0; i < 5; i++) {
        const k = Math.floor(rand() * 2000);
        if (k % 2 === 1) {
          if (map.has(k)) map.delete(k);
          else map.set(k, k);
        }
      }
      rounds++;
    } while (cursor !== 0 && rounds < 10000);
    for (const k of stable) assert.ok(seen.has(k), `missed ${k}`);
  });

  it("RedisSet keeps intset order and random access", () => {
    const set = new RedisSet();
    for (const m of ["10", "-3", "2"]) set.add(m);
    assert.ok(set.intset);
    assert.deepEqual(set.ordered(), ["-3", "2", "10"]);
    set.add("x");
    assert.ok(!set.intset);
    set.delete("x");
    assert.ok(!set.intset, "conversion is one-way, as in Redis");
    assert.equal(set.size, 3);
    for (let i = 0; i < 20; i++) assert.ok(set.has(set.random()));
  });
});
