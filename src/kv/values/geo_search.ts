/**
 * The point search of GEOSEARCH and GEORADIUS (Redis's `membersOfAllNeighbors`): the 3x3
 * cells around the shape's centre, each a score range of the sorted set, every member in
 * range decoded and kept when inside the shape, in Redis's order (cell by cell, then by
 * score), stopping early at `limit` (COUNT ... ANY).
 *
 * @module
 */

import { areasByShape, cellScores, type GeoShape, ShapeFilter } from "./geohash.ts";
import type { RedisZSet, ZSetSlice } from "./zset.ts";

/** A member found by a search. */
export interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  /** Distance from the centre in metres. */
  dist: number;
}

/** The array {@link searchPoints} fills, and the point objects it reuses (the first ones). */
const found: GeoPoint[] = [];
const pool: GeoPoint[] = [];
/** Points kept for reuse at most (more are made afresh, and left to the collector). */
const POOL_MAX = 1024;
/** Elements of a cell's score range read at a time. */
const CHUNK = 128;
/** The elements of a cell's score range being filtered, reused from chunk to chunk. */
const cellElements: ZSetSlice = { members: [], scores: [] };

/**
 * The members of `zset` inside `shape`, at most `limit` of them when `limit` > 0. The array
 * and its points are reused by the next call: use them before searching again.
 *
 * @example
 * ```ts
 * import { RedisZSet } from "./zset.ts";
 * import { scoreOf } from "./geohash.ts";
 * import { searchPoints } from "./geo_search.ts";
 *
 * const zset = new RedisZSet();
 * zset.add(scoreOf(13.361389, 38.115556), "Palermo");
 * searchPoints(zset, { lon: 15, lat: 37, radius: 200, conversion: 1000 }, 0).length; // 1
 * ```
 */
export function searchPoints(zset: RedisZSet, shape: GeoShape, limit: number): GeoPoint[] {
  found.length = 0;
  const filter = new ShapeFilter(shape);
  const { cells } = areasByShape(shape);
  const list = zset.skiplist;
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.step === 0 && cell.lat === 0 && cell.lon === 0) continue;
    const previous = cells[last];
    if (
      last !== 0 && cell.lat === previous.lat && cell.lon === previous.lon &&
      cell.step === previous.step
    ) continue;
    if (full(limit)) break;
    const [min, max] = cellScores(cell);
    const range = { min, max, minExclusive: false, maxExclusive: true };
    if (list !== undefined) {
      // A skiplist: walk the cell's nodes in place.
      for (let node = list.firstInRange(range); node !== null; node = node.next[0]) {
        if (!(node.score < max)) break;
        if (keep(filter, node.member, node.score, limit)) break;
      }
    } else {
      // A listpack: the cell's elements in chunks (COUNT ... ANY may stop early).
      let at = zset.firstInScore(range);
      while (at >= 0 && !full(limit)) {
        const { members, scores } = cellElements;
        members.length = 0;
        scores.length = 0;
        zset.readScores(at, false, CHUNK, range, cellElements);
        for (let k = 0; k < members.length; k++) {
          if (keep(filter, members[k], scores[k], limit)) break;
        }
        at = members.length < CHUNK ? -1 : at + CHUNK;
      }
    }
    last = i;
  }
  cellElements.members.length = 0;
  return found;
}

/** Whether {@link found} holds `limit` points (0: no limit). */
function full(limit: number): boolean {
  return limit > 0 && found.length >= limit;
}

/** Adds the element to {@link found} when inside the shape; true when that made it full. */
function keep(filter: ShapeFilter, member: string, score: number, limit: number): boolean {
  const dist = filter.scoreDistance(score);
  if (dist < 0) return false;
  const n = found.length;
  let point = n < POOL_MAX ? pool[n] : undefined;
  if (point === undefined) {
    point = { member, score, lon: filter.lon, lat: filter.lat, dist };
    if (n < POOL_MAX) pool[n] = point;
  } else {
    point.member = member;
    point.score = score;
    point.lon = filter.lon;
    point.lat = filter.lat;
    point.dist = dist;
  }
  found.push(point);
  return full(limit);
}

/**
 * Orders points by distance as Redis does: the whole array with a stable sort (glibc's
 * qsort is a merge sort), or, when only the first `returned` are sent (COUNT), with Redis's
 * partial quicksort `pqsort`, whose order among equal distances this reproduces.
 *
 * @example
 * ```ts
 * import { sortPoints } from "./geo_search.ts";
 *
 * sortPoints([], 1, 0);
 * ```
 */
export function sortPoints(points: GeoPoint[], direction: 1 | -1, returned: number): void {
  if (returned === points.length) {
    points.sort((a, b) => compare(a, b, direction));
  } else pqsort(points, direction, 0, returned - 1, 0, points.length);
}

/** The order of two points by distance, ascending (1) or descending (-1). */
function compare(a: GeoPoint, b: GeoPoint, direction: 1 | -1): number {
  return direction * (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
}

function swap(arr: GeoPoint[], i: number, j: number): void {
  const t = arr[i];
  arr[i] = arr[j];
  arr[j] = t;
}

/** The index of the median of three (pqsort.c's `med3`). */
function med3(arr: GeoPoint[], dir: 1 | -1, a: number, b: number, c: number): number {
  return compare(arr[a], arr[b], dir) < 0
    ? (compare(arr[b], arr[c], dir) < 0 ? b : (compare(arr[a], arr[c], dir) < 0 ? c : a))
    : (compare(arr[b], arr[c], dir) > 0 ? b : (compare(arr[a], arr[c], dir) < 0 ? a : c));
}

/**
 * Redis's pqsort.c over `arr[a, a + n)` (a BSD quicksort that skips partitions outside
 * [lo, hi]).
 */
function pqsort(
  arr: GeoPoint[],
  dir: 1 | -1,
  lo: number,
  hi: number,
  a: number,
  n: number,
): void {
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++) {
        for (let pl = pm; pl > a && compare(arr[pl - 1], arr[pl], dir) > 0; pl--) {
          swap(arr, pl, pl - 1);
        }
      }
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a, pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(arr, dir, pl, pl + d, pl + 2 * d);
        pm = med3(arr, dir, pm - d, pm, pm + d);
        pn = med3(arr, dir, pn - 2 * d, pn - d, pn);
      }
      pm = med3(arr, dir, pl, pm, pn);
    }
    swap(arr, a, pm);
    let pa = a + 1, pb = a + 1, pc = a + n - 1, pd = a + n - 1;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = compare(arr[pb], arr[a], dir)) <= 0) {
        if (c === 0) swap(arr, pa++, pb);
        pb++;
      }
      while (pb <= pc && (c = compare(arr[pc], arr[a], dir)) >= 0) {
        if (c === 0) swap(arr, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(arr, pb++, pc--);
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    for (let k = 0; k < r; k++) swap(arr, a + k, pb - r + k);
    r = Math.min(pd - pc, pn - pd - 1);
    for (let k = 0; k < r; k++) swap(arr, pb + k, pn - r + k);
    if ((r = pb - pa) > 1 && !outside(lo, hi, a, r)) pqsort(arr, dir, lo, hi, a, r);
    if ((r = pd - pc) > 1) {
      a = pn - r;
      n = r;
      if (!outside(lo, hi, a, n)) continue;
    }
    return;
  }
}

/** Whether [lo, hi] lies wholly before or after the partition `[s, s + m)`. */
function outside(lo: number, hi: number, s: number, m: number): boolean {
  return (lo < s && hi < s) || (lo >= s + m && hi >= s + m);
}
