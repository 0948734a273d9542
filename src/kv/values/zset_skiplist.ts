/**
 * The skiplist form of a sorted set, Redis's pair of structures: a {@link SkipList} with
 * span counts ordered by (score, member) for O(log n) rank and range queries, and a Map
 * member → score. Same operations as the listpack form (`zset_listpack.ts`), 0-based ranks.
 *
 * @module
 */

import type { MapScanner } from "./map_scanner.ts";
import {
  lexGteMin,
  lexLteMax,
  type LexRange,
  scoreGteMin,
  scoreLteMax,
  type ScoreRange,
  SkipList,
  type SkipNode,
} from "./skiplist.ts";
import type { ZSetSlice } from "./zset_listpack.ts";

/**
 * A sorted set in Redis's skiplist encoding. Ranks are 0-based; -1 means "none".
 *
 * @example
 * ```ts
 * import { ZSetSkiplist } from "./zset_skiplist.ts";
 *
 * const form = new ZSetSkiplist();
 * form.insert(2, "b");
 * form.insert(1, "a");
 * form.rank("b"); // 1
 * ```
 */
export class ZSetSkiplist {
  /** member → score. */
  readonly dict: Map<string, number> = new Map();
  /** Elements ordered by (score, member). */
  readonly list: SkipList = new SkipList();
  /** Live iterators of ZSCANs in progress. */
  scanner: MapScanner<string> | undefined;

  /** Number of elements. */
  get size(): number {
    return this.dict.size;
  }

  /** The score of `member`, or undefined. */
  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** 0-based rank of `member`, or -1. */
  rank(member: string): number {
    const score = this.dict.get(member);
    return score === undefined ? -1 : this.list.rank(score, member) - 1;
  }

  /** Inserts a member known to be absent. */
  insert(score: number, member: string): void {
    this.dict.set(member, score);
    this.list.insert(score, member);
  }

  /** Deletes `member`; true if it was there. */
  delete(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    this.list.delete(score, member);
    return true;
  }

  /** Changes the score of an existing member. */
  update(member: string, score: number): void {
    this.list.updateScore(this.dict.get(member)!, member, score);
    this.dict.set(member, score);
  }

  /** Pushes elements of ranks `start..start+count-1` (or down from `start` when `reverse`). */
  read(start: number, count: number, reverse: boolean, out: ZSetSlice): void {
    let node = count > 0 ? this.list.byRank(start + 1) : null;
    for (let n = count; n > 0 && node !== null; n--) {
      out.members.push(node.member);
      out.scores.push(node.score);
      node = reverse ? node.backward : node.next[0];
    }
  }

  /** Calls `visit` for every element in order. */
  forEach(visit: (member: string, score: number) => void): void {
    for (let x = this.list.first; x !== null; x = x.next[0]) visit(x.member, x.score);
  }

  /** The 0-based rank of a node, or -1 for none. */
  #rankOf(node: SkipNode | null): number {
    return node === null ? -1 : this.list.rankOf(node) - 1;
  }

  /** Rank of the first element in the score range, or -1. */
  firstInScore(range: ScoreRange): number {
    return this.#rankOf(this.list.firstInRange(range));
  }

  /** Rank of the last element in the score range, or -1. */
  lastInScore(range: ScoreRange): number {
    return this.#rankOf(this.list.lastInRange(range));
  }

  /** Rank of the first element in the lex range, or -1. */
  firstInLex(range: LexRange): number {
    return this.#rankOf(this.list.firstInLexRange(range));
  }

  /** Rank of the last element in the lex range, or -1. */
  lastInLex(range: LexRange): number {
    return this.#rankOf(this.list.lastInLexRange(range));
  }

  /**
   * Pushes elements from rank `start` on (down when `reverse`) while they are in the score
   * range, at most `limit` of them (-1: no limit).
   */
  readScores(
    start: number,
    reverse: boolean,
    limit: number,
    range: ScoreRange,
    out: ZSetSlice,
  ): void {
    let node = this.list.byRank(start + 1);
    while (node !== null && limit !== 0) {
      if (reverse ? !scoreGteMin(node.score, range) : !scoreLteMax(node.score, range)) break;
      out.members.push(node.member);
      out.scores.push(node.score);
      if (limit > 0) limit--;
      node = reverse ? node.backward : node.next[0];
    }
  }

  /** As {@link ZSetSkiplist.readScores}, for a lex range. */
  readLex(start: number, reverse: boolean, limit: number, range: LexRange, out: ZSetSlice): void {
    let node = this.list.byRank(start + 1);
    while (node !== null && limit !== 0) {
      if (reverse ? !lexGteMin(node.member, range.min) : !lexLteMax(node.member, range.max)) {
        break;
      }
      out.members.push(node.member);
      out.scores.push(node.score);
      if (limit > 0) limit--;
      node = reverse ? node.backward : node.next[0];
    }
  }

  /** Number of elements in the score range. */
  countScore(range: ScoreRange): number {
    return this.list.countInRange(range);
  }

  /** Number of elements in the lex range. */
  countLex(range: LexRange): number {
    return this.list.countInLexRange(range);
  }

  /** Deletes ranks `start..end` (inclusive, valid); returns how many. */
  deleteRanks(start: number, end: number): number {
    return this.list.deleteRangeByRank(start + 1, end + 1, this.#forget);
  }

  /** Deletes the elements in the score range. */
  deleteScores(range: ScoreRange): number {
    return this.list.deleteRangeByScore(range, this.#forget);
  }

  /** Deletes the elements in the lex range. */
  deleteLex(range: LexRange): number {
    return this.list.deleteRangeByLex(range, this.#forget);
  }

  /** Drops a node unlinked from the list from the dict. */
  readonly #forget = (node: SkipNode): void => {
    this.dict.delete(node.member);
  };
}
