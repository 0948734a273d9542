/**
 * The sorted-set value, in one of Redis's two encodings: the compact listpack form
 * ({@link ZSetListpack}) while the set is small, and the skiplist form ({@link ZSetSkiplist})
 * once it passes zset-max-listpack-entries or holds a member longer than
 * zset-max-listpack-value (Redis `zsetTypeMaybeConvert`/`zsetConvert`: one way, except where
 * Redis rebuilds a set). Commands see one API with 0-based ranks whatever the form.
 *
 * @module
 */

import type { RedisObject } from "../keyspace/values.ts";
import { encodingLimits } from "./encoding_limits.ts";
import type { MapScanner } from "./map_scanner.ts";
import type { LexRange, ScoreRange, SkipList } from "./skiplist.ts";
import { PACKED_MEMBER_MAX, ZSetListpack, type ZSetSlice } from "./zset_listpack.ts";
import { ZSetSkiplist } from "./zset_skiplist.ts";

export type { ZSetSlice } from "./zset_listpack.ts";

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
 * A Redis sorted set value. Ranks are 0-based; a rank answer of -1 means "none".
 *
 * @example
 * ```ts
 * import { RedisZSet } from "./zset.ts";
 *
 * const zset = new RedisZSet();
 * zset.add(2, "b");
 * zset.add(1, "a");
 * zset.rank("b"); // 1 (0-based)
 * zset.listpack; // true
 * zset.type; // "zset"
 * ```
 */
export class RedisZSet implements RedisObject {
  #form: ZSetListpack | ZSetSkiplist;

  /** Creates an empty sorted set (`listpack` as Redis's `zsetTypeCreate` would pick). */
  constructor(listpack = true) {
    this.#form = listpack ? new ZSetListpack() : new ZSetSkiplist();
  }

  /** Always "zset". */
  get type(): "zset" {
    return "zset";
  }

  /** In Redis's compact listpack encoding (OBJECT ENCODING; ZSCAN answers in one page). */
  get listpack(): boolean {
    return this.#form instanceof ZSetListpack;
  }

  /** Number of elements. */
  get size(): number {
    return this.#form.size;
  }

  /** The skiplist form's list (for memory estimates and dumps), or undefined in a listpack. */
  get skiplist(): SkipList | undefined {
    const form = this.#form;
    return form instanceof ZSetSkiplist ? form.list : undefined;
  }

  /** The skiplist form's member → score map (ZSCAN pages), or undefined in a listpack. */
  get dict(): Map<string, number> | undefined {
    const form = this.#form;
    return form instanceof ZSetSkiplist ? form.dict : undefined;
  }

  /** The skiplist form's ZSCAN iterators (created on first use), or undefined in a listpack. */
  scanner(create: () => MapScanner<string>): MapScanner<string> | undefined {
    const form = this.#form;
    if (!(form instanceof ZSetSkiplist)) return undefined;
    return form.scanner ??= create();
  }

  /** Converts a listpack to the skiplist form (Redis `zsetConvert`); no-op otherwise. */
  convertToSkiplist(): void {
    const form = this.#form;
    if (!(form instanceof ZSetListpack)) return;
    const skiplist = new ZSetSkiplist();
    form.forEach((member, score) => skiplist.insert(score, member));
    this.#form = skiplist;
  }

  /** The score of `member`, or undefined. */
  score(member: string): number | undefined {
    return this.#form.score(member);
  }

  /** Adds a new member (must not be present). */
  add(score: number, member: string): void {
    let form = this.#form;
    if (form instanceof ZSetListpack) {
      if (
        form.size + 1 > encodingLimits.zsetMaxListpackEntries || member.length > LISTPACK_VALUE ||
        member.length > PACKED_MEMBER_MAX
      ) {
        this.convertToSkiplist();
        form = this.#form;
      } else if (score === 0) {
        // A listpack stores scores as text where -0 becomes "0" (Redis 7.0 d2string).
        score = 0;
      }
    }
    form.insert(score, member);
  }

  /** Changes the score of an existing member. */
  update(member: string, score: number): void {
    const form = this.#form;
    if (form instanceof ZSetListpack) form.update(member, score === 0 ? 0 : score);
    else if (form.score(member) !== score) form.update(member, score);
  }

  /** Removes a member; true if it was there. */
  delete(member: string): boolean {
    return this.#form.delete(member);
  }

  /** 0-based rank of `member` (ascending), or undefined. */
  rank(member: string): number | undefined {
    const rank = this.#form.rank(member);
    return rank < 0 ? undefined : rank;
  }

  /** The member of 0-based rank `rank` (which must exist). */
  memberAt(rank: number): string {
    const out: ZSetSlice = { members: [], scores: [] };
    this.#form.read(rank, 1, false, out);
    return out.members[0];
  }

  /**
   * Pushes onto `out` the elements of ranks `start..start+count-1`, or when `reverse` of
   * ranks `start` down to `start-count+1` (ranks must exist).
   */
  read(start: number, count: number, reverse: boolean, out: ZSetSlice): void {
    this.#form.read(start, count, reverse, out);
  }

  /** Calls `visit` for every element in (score, member) order. */
  forEach(visit: (member: string, score: number) => void): void {
    this.#form.forEach(visit);
  }

  /** Rank of the first element in the score range, or -1. */
  firstInScore(range: ScoreRange): number {
    return this.#form.firstInScore(range);
  }

  /** Rank of the last element in the score range, or -1. */
  lastInScore(range: ScoreRange): number {
    return this.#form.lastInScore(range);
  }

  /**
   * Rank of the first element in the lex range, or -1 (meaningful when all scores are
   * equal; a listpack answers with Redis's scan from the head).
   */
  firstInLex(range: LexRange): number {
    return this.#form.firstInLex(range);
  }

  /** Rank of the last element in the lex range, or -1. */
  lastInLex(range: LexRange): number {
    return this.#form.lastInLex(range);
  }

  /**
   * Pushes onto `out` elements from rank `start` on (down when `reverse`) while they are in
   * the score range, at most `limit` (-1: all).
   */
  readScores(
    start: number,
    reverse: boolean,
    limit: number,
    range: ScoreRange,
    out: ZSetSlice,
  ): void {
    this.#form.readScores(start, reverse, limit, range, out);
  }

  /** As {@link RedisZSet.readScores}, for a lex range. */
  readLex(start: number, reverse: boolean, limit: number, range: LexRange, out: ZSetSlice): void {
    this.#form.readLex(start, reverse, limit, range, out);
  }

  /** Number of elements in the score range. */
  countScore(range: ScoreRange): number {
    return this.#form.countScore(range);
  }

  /** Number of elements in the lex range. */
  countLex(range: LexRange): number {
    return this.#form.countLex(range);
  }

  /** Deletes 0-based ranks `start..end` (inclusive, existing); returns how many. */
  deleteRanks(start: number, end: number): number {
    return this.#form.deleteRanks(start, end);
  }

  /** Deletes the elements in the score range; returns how many. */
  deleteScores(range: ScoreRange): number {
    return this.#form.deleteScores(range);
  }

  /** Deletes the elements in the lex range; returns how many. */
  deleteLex(range: LexRange): number {
    return this.#form.deleteLex(range);
  }

  /** A deep copy (COPY), in the same encoding. */
  clone(): RedisZSet {
    const copy = new RedisZSet(this.listpack);
    this.#form.forEach((member, score) => copy.#form.insert(score, member));
    return copy;
  }
}
