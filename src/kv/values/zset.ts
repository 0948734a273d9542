/**
 * The sorted-set value: Redis's pair of structures, a {@link SkipList} with span counts
 * ordered by (score, member) for O(log n) rank and range queries, and a Map member → score.
 *
 * @module
 */

import type { RedisObject } from "../keyspace/values.ts";
import { encodingLimits } from "./encoding_limits.ts";
import type { MapScanner } from "./map_scanner.ts";
import { SkipList } from "./skiplist.ts";

/**
 * Redis's zset-max-listpack-value: a longer member converts to a skiplist. Live: it follows
 * CONFIG SET through {@link syncZSetLimits}.
 */
export let LISTPACK_VALUE: number = encodingLimits.zsetMaxListpackValue;

/**
 * Re-reads {@link LISTPACK_VALUE} from `encodingLimits` (after a CONFIG SET).
 *
 * @example
 * ```ts
 * import { syncZSetLimits } from "./zset.ts";
 *
 * syncZSetLimits();
 * ```
 */
export function syncZSetLimits(): void {
  LISTPACK_VALUE = encodingLimits.zsetMaxListpackValue;
}

/**
 * A Redis sorted set value.
 *
 * @example
 * ```ts
 * import { RedisZSet } from "./zset.ts";
 *
 * const zset = new RedisZSet();
 * zset.add(2, "b");
 * zset.add(1, "a");
 * zset.rank("b"); // 1 (0-based)
 * zset.type; // "zset"
 * ```
 */
export class RedisZSet implements RedisObject {
  /** member → score. */
  readonly dict: Map<string, number> = new Map();
  /** Elements ordered by (score, member). */
  readonly list: SkipList = new SkipList();
  /** Still in Redis's compact listpack encoding: ZSCAN answers in one page. */
  listpack: boolean;
  /** Live iterators of ZSCANs in progress. */
  scanner: MapScanner<string> | undefined;

  /** Creates an empty sorted set (`listpack` as Redis's `zsetTypeCreate` would pick). */
  constructor(listpack = true) {
    this.listpack = listpack;
  }

  /** Always "zset". */
  get type(): "zset" {
    return "zset";
  }

  /** Number of elements. */
  get size(): number {
    return this.dict.size;
  }

  /** The score of `member`, or undefined. */
  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** Adds a new member (must not be present). */
  add(score: number, member: string): void {
    if (
      this.listpack &&
      (this.dict.size + 1 > encodingLimits.zsetMaxListpackEntries || member.length > LISTPACK_VALUE)
    ) this.listpack = false;
    // A listpack stores scores as text where -0 becomes "0" (Redis 7.0 d2string).
    if (this.listpack && score === 0) score = 0;
    this.dict.set(member, score);
    this.list.insert(score, member);
  }

  /** Changes the score of an existing member. */
  update(member: string, score: number): void {
    const current = this.dict.get(member)!;
    if (current === score) return;
    if (this.listpack && score === 0) score = 0;
    this.list.updateScore(current, member, score);
    this.dict.set(member, score);
  }

  /** Removes a member; true if it was there. */
  delete(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    this.list.delete(score, member);
    return true;
  }

  /** 0-based rank of `member` (ascending), or undefined. */
  rank(member: string): number | undefined {
    const score = this.dict.get(member);
    if (score === undefined) return undefined;
    return this.list.rank(score, member) - 1;
  }

  /** A deep copy (COPY). */
  clone(): RedisZSet {
    const copy = new RedisZSet(this.listpack);
    for (const node of this.list) copy.add(node.score, node.member);
    copy.listpack = this.listpack;
    return copy;
  }
}
