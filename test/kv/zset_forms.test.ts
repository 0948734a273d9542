/**
 * The two encodings of a sorted set (`RedisZSet` as a listpack and as a skiplist) give the
 * same answers to every operation on the same elements: a seeded random sequence of adds,
 * updates, deletes and range deletes applied to both, every query compared after each step;
 * and the listpack's conversion rules (size and member length limits, one way).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodingLimits } from "../../src/kv/values/encoding_limits.ts";
import type { LexBound, LexRange, ScoreRange } from "../../src/kv/values/skiplist.ts";
import { RedisZSet, syncZSetLimits, type ZSetSlice } from "../../src/kv/values/zset.ts";

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const slice = (): ZSetSlice => ({ members: [], scores: [] });

function all(zset: RedisZSet): [string, number][] {
  const out: [string, number][] = [];
  zset.forEach((member, score) => out.push([member, score]));
  return out;
}

/** Every query of both forms, compared; lex queries only when `sameScore`. */
function compare(a: RedisZSet, b: RedisZSet, next: () => number, sameScore: boolean): void {
  assert.equal(a.size, b.size);
  const elements = all(a);
  assert.deepEqual(elements, all(b));
  for (let i = 0; i < elements.length; i++) {
    assert.equal(a.rank(elements[i][0]), i);
    assert.equal(b.rank(elements[i][0]), i);
    assert.equal(a.score(elements[i][0]), b.score(elements[i][0]));
    assert.equal(a.memberAt(i), elements[i][0]);
    assert.equal(b.memberAt(i), elements[i][0]);
  }
  const n = a.size;
  const start = Math.floor(next() * (n + 1)), count = Math.floor(next() * (n - start + 1));
  for (const reverse of [false, true]) {
    if (n === 0) break;
    const from = reverse ? n - 1 - start : start;
    if (from < 0 || from >= n) continue;
    const x = slice(), y = slice();
    a.read(from, Math.min(count, reverse ? from + 1 : n - from), reverse, x);
    b.read(from, Math.min(count, reverse ? from + 1 : n - from), reverse, y);
    assert.deepEqual(x, y);
  }
  const scoreRange = randomScoreRange(next);
  assert.equal(a.firstInScore(scoreRange), b.firstInScore(scoreRange));
  assert.equal(a.lastInScore(scoreRange), b.lastInScore(scoreRange));
  assert.equal(a.countScore(scoreRange), b.countScore(scoreRange));
  for (const reverse of [false, true]) {
    const first = reverse ? a.lastInScore(scoreRange) : a.firstInScore(scoreRange);
    if (first < 0) continue;
    const limit = next() < 0.5 ? -1 : Math.floor(next() * 4);
    const x = slice(), y = slice();
    a.readScores(first, reverse, limit, scoreRange, x);
    b.readScores(first, reverse, limit, scoreRange, y);
    assert.deepEqual(x, y);
  }
  if (!sameScore) return;
  const lexRange = randomLexRange(next);
  assert.equal(a.firstInLex(lexRange), b.firstInLex(lexRange));
  assert.equal(a.lastInLex(lexRange), b.lastInLex(lexRange));
  assert.equal(a.countLex(lexRange), b.countLex(lexRange));
  for (const reverse of [false, true]) {
    const first = reverse ? a.lastInLex(lexRange) : a.firstInLex(lexRange);
    if (first < 0) continue;
    const x = slice(), y = slice();
    a.readLex(first, reverse, -1, lexRange, x);
    b.readLex(first, reverse, -1, lexRange, y);
    assert.deepEqual(x, y);
  }
}

const SCORES = [0, 1, 1, 2, -1.5, Infinity, -Infinity, 3.25, 1000, 7];

function randomScoreRange(next: () => number): ScoreRange {
  const pick = () => SCORES[Math.floor(next() * SCORES.length)];
  return { min: pick(), max: pick(), minExclusive: next() < 0.3, maxExclusive: next() < 0.3 };
}

function randomMember(next: () => number): string {
  const long = next() < 0.05;
  const length = long ? 250 + Math.floor(next() * 20) : Math.floor(next() * 4);
  let member = "";
  for (let i = 0; i < length; i++) {
    const c = long ? 120 : 97 + Math.floor(next() * 4);
    member += String.fromCharCode(next() < 0.1 ? c + 150 : c);
  }
  return member;
}

function randomLexRange(next: () => number): LexRange {
  const bound = (): LexBound => {
    const r = next();
    if (r < 0.1) return { kind: -1, value: "", exclusive: true };
    if (r < 0.2) return { kind: 1, value: "", exclusive: true };
    return { kind: 0, value: randomMember(next), exclusive: next() < 0.5 };
  };
  return { min: bound(), max: bound() };
}

function withLimits(entries: number, value: number, body: () => void): void {
  const saved = [encodingLimits.zsetMaxListpackEntries, encodingLimits.zsetMaxListpackValue];
  encodingLimits.zsetMaxListpackEntries = entries;
  encodingLimits.zsetMaxListpackValue = value;
  syncZSetLimits();
  try {
    body();
  } finally {
    [encodingLimits.zsetMaxListpackEntries, encodingLimits.zsetMaxListpackValue] = saved;
    syncZSetLimits();
  }
}

describe("RedisZSet: listpack and skiplist forms agree", () => {
  for (const sameScore of [false, true]) {
    it(sameScore ? "one score (lex queries too)" : "mixed scores", () => {
      withLimits(1000, 1000, () => {
        const next = random(sameScore ? 11 : 5);
        const a = new RedisZSet(true), b = new RedisZSet(false);
        for (let step = 0; step < 1500; step++) {
          const member = randomMember(next);
          const score = sameScore ? 1 : SCORES[Math.floor(next() * SCORES.length)];
          const r = next();
          if (r < 0.5) {
            if (a.score(member) === undefined) {
              a.add(score, member);
              b.add(score, member);
            } else {
              a.update(member, score);
              b.update(member, score);
            }
          } else if (r < 0.8) assert.equal(a.delete(member), b.delete(member));
          else if (r < 0.85 && a.size > 0) {
            const start = Math.floor(next() * a.size);
            const end = Math.min(a.size - 1, start + Math.floor(next() * 3));
            assert.equal(a.deleteRanks(start, end), b.deleteRanks(start, end));
          } else if (r < 0.9) {
            const range = randomScoreRange(next);
            assert.equal(a.deleteScores(range), b.deleteScores(range));
          } else if (r < 0.95 && sameScore) {
            const range = randomLexRange(next);
            assert.equal(a.deleteLex(range), b.deleteLex(range));
          }
          assert.equal(a.listpack, true);
          assert.equal(b.listpack, false);
          compare(a, b, next, sameScore);
        }
        compare(a.clone(), b.clone(), next, sameScore);
      });
    });
  }

  it("converts one way at the size and member length limits", () => {
    withLimits(4, 8, () => {
      const zset = new RedisZSet();
      for (const m of ["a", "b", "c", "d"]) zset.add(1, m);
      assert.equal(zset.listpack, true);
      zset.add(0, "e");
      assert.equal(zset.listpack, false);
      zset.deleteRanks(0, 3);
      assert.equal(zset.listpack, false);
      const long = new RedisZSet();
      long.add(1, "12345678");
      assert.equal(long.listpack, true);
      long.add(1, "123456789");
      assert.equal(long.listpack, false);
      assert.deepEqual(all(long), [["12345678", 1], ["123456789", 1]]);
    });
  });

  it("stores -0 as 0 in a listpack only", () => {
    const small = new RedisZSet(true), big = new RedisZSet(false);
    small.add(-0, "x");
    big.add(-0, "x");
    assert.ok(Object.is(small.score("x"), 0));
    assert.ok(Object.is(big.score("x"), -0));
    small.add(1, "y");
    small.update("y", -0);
    assert.ok(Object.is(small.score("y"), 0));
    assert.deepEqual(all(small), [["x", 0], ["y", 0]]);
  });
});
