/**
 * The point search of GEOSEARCH and GEORADIUS (Redis's `membersOfAllNeighbors`): the 3x3
 * cells around the shape's centre, each a score range of the sorted set, every member in
 * range decoded and kept when inside the shape, in Redis's order (cell by cell, then by
 * score), stopping early at `limit` (COUNT ... ANY).
 *
 * @module
 */

import {
  areasByShape,
  cellScores,
  decodeScoreInto,
  type GeoShape,
  withinShape,
} from "./geohash.ts";
import type { RedisZSet } from "./zset.ts";

const XY = new Float64Array(2);

/** A member found by a search. */
export interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  /** Distance from the centre in metres. */
  dist: number;
}

/**
 * The members of `zset` inside `shape`, at most `limit` of them when `limit` > 0.
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
  const found: GeoPoint[] = [];
  const { cells } = areasByShape(shape);
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.step === 0 && cell.lat === 0 && cell.lon === 0) continue;
    const previous = cells[last];
    if (
      last !== 0 && cell.lat === previous.lat && cell.lon === previous.lon &&
      cell.step === previous.step
    ) continue;
    if (found.length > 0 && limit > 0 && found.length >= limit) break;
    const [min, max] = cellScores(cell);
    let node = zset.list.firstInRange({ min, max, minExclusive: false, maxExclusive: true });
    while (node !== null && node.score < max) {
      decodeScoreInto(node.score, XY);
      const lon = XY[0], lat = XY[1];
      const dist = withinShape(shape, lon, lat);
      if (dist !== undefined) {
        found.push({ member: node.member, score: node.score, lon, lat, dist });
      }
      if (found.length > 0 && limit > 0 && found.length >= limit) break;
      node = node.next[0];
    }
    last = i;
  }
  return found;
}
