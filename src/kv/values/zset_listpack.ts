/**
 * The compact form of a small sorted set, Redis's listpack encoding: the elements in
 * (score, member) order, members packed into one string (each prefixed by its length) and
 * scores in a parallel array. Lookups by member are linear scans, as in Redis's `zzlFind`;
 * ranges by score and lex follow `zzlFirstInRange`, `zzlFirstInLexRange` and their `Last`
 * twins, lex ranges by a linear scan from the head or the tail.
 *
 * @module
 */

import {
  lexGteMin,
  lexLteMax,
  type LexRange,
  lexRangeEmpty,
  scoreGteMin,
  scoreLteMax,
  type ScoreRange,
  scoreRangeEmpty,
} from "./skiplist.ts";

/** Where {@link ZSetListpack}'s last successful member search found its length prefix. */
let foundOffset = 0;

/** A length prefix of 255 is followed by three chars holding the length (base 256). */
const LONG = 255;

/**
 * The longest member the packed form stores: a longer one makes the set a skiplist
 * whatever zset-max-listpack-value says.
 */
export const PACKED_MEMBER_MAX: number = 0xffffff;

/** The length prefix of a member of `length` chars. */
function prefix(length: number): string {
  if (length < LONG) return String.fromCharCode(length);
  return String.fromCharCode(LONG, length >>> 16, (length >>> 8) & 255, length & 255);
}

/**
 * Joins parts into one flat string: a `+` would keep a rope (cons string) of the parts
 * alive, bigger and slower to read than the flat copy `join` makes.
 */
function flat(a: string, b: string, c: string, d: string): string {
  return [a, b, c, d].join("");
}

/**
 * Elements read from a sorted set, in the order read: members and their scores.
 *
 * @example
 * ```ts
 * import type { ZSetSlice } from "./zset_listpack.ts";
 *
 * const slice: ZSetSlice = { members: ["a"], scores: [1] };
 * ```
 */
export interface ZSetSlice {
  /** The members (binary strings). */
  members: string[];
  /** Their scores. */
  scores: number[];
}

/**
 * A sorted set in Redis's listpack form (see the module doc). Ranks are 0-based; a rank
 * answer of -1 means "none".
 *
 * @example
 * ```ts
 * import { ZSetListpack } from "./zset_listpack.ts";
 *
 * const form = new ZSetListpack();
 * form.insert(2, "b");
 * form.insert(1, "a");
 * form.rank("b"); // 1
 * form.score("a"); // 1
 * ```
 */
export class ZSetListpack {
  /** Members in order, each prefixed by its length (one char, or 255 and three chars). */
  #packed = "";
  /** Scores, parallel to the members. */
  #scores: number[] = [];

  /** Number of elements. */
  get size(): number {
    return this.#scores.length;
  }

  /** The index of `member` in the set, or -1; {@link foundOffset} is its prefix's offset. */
  #find(member: string): number {
    const packed = this.#packed;
    const length = member.length;
    const n = this.#scores.length;
    const last = length === 0 ? 0 : member.charCodeAt(length - 1);
    let off = 0;
    for (let i = 0; i < n; i++) {
      let len = packed.charCodeAt(off);
      let start = off + 1;
      if (len === LONG) {
        len = (packed.charCodeAt(off + 1) << 16) | (packed.charCodeAt(off + 2) << 8) |
          packed.charCodeAt(off + 3);
        start = off + 4;
      }
      if (
        len === length && (length === 0 || packed.charCodeAt(start + length - 1) === last) &&
        packed.startsWith(member, start)
      ) {
        foundOffset = off;
        return i;
      }
      off = start + len;
    }
    return -1;
  }

  /** Offsets of the length prefixes of elements `0..count-1`, plus the end offset. */
  #offsets(count: number): number[] {
    const packed = this.#packed;
    const out: number[] = new Array(count + 1);
    let off = 0;
    for (let i = 0; i < count; i++) {
      out[i] = off;
      off = this.#dataEnd(packed, off);
    }
    out[count] = off;
    return out;
  }

  /** The offset after the element whose prefix is at `off`. */
  #dataEnd(packed: string, off: number): number {
    const len = packed.charCodeAt(off);
    if (len !== LONG) return off + 1 + len;
    return off + 4 +
      ((packed.charCodeAt(off + 1) << 16) | (packed.charCodeAt(off + 2) << 8) |
        packed.charCodeAt(off + 3));
  }

  /** The member whose prefix is at `off`. */
  #memberAt(packed: string, off: number): string {
    const len = packed.charCodeAt(off);
    if (len !== LONG) return packed.slice(off + 1, off + 1 + len);
    const end = this.#dataEnd(packed, off);
    return packed.slice(off + 4, end);
  }

  /** The score of `member`, or undefined. */
  score(member: string): number | undefined {
    const i = this.#find(member);
    return i < 0 ? undefined : this.#scores[i];
  }

  /** 0-based rank of `member`, or -1. */
  rank(member: string): number {
    return this.#find(member);
  }

  /** Inserts a member known to be absent, in (score, member) order (Redis `zzlInsert`). */
  insert(score: number, member: string): void {
    const packed = this.#packed;
    const scores = this.#scores;
    const n = scores.length;
    let i = 0;
    let off = 0;
    // Past every element with a lower score, then past equal scores with smaller members.
    while (i < n && scores[i] < score) {
      off = this.#dataEnd(packed, off);
      i++;
    }
    while (i < n && scores[i] === score && this.#memberAt(packed, off) < member) {
      off = this.#dataEnd(packed, off);
      i++;
    }
    const head = prefix(member.length);
    if (i === n) this.#packed = flat(packed, head, member, "");
    else this.#packed = flat(packed.slice(0, off), head, member, packed.slice(off));
    // A fresh array of exactly n + 1 scores: push and splice leave spare capacity behind.
    this.#scores = scores.toSpliced(i, 0, score);
  }

  /** Deletes `member`; true if it was there. */
  delete(member: string): boolean {
    const i = this.#find(member);
    if (i < 0) return false;
    this.#remove(i, i, foundOffset, this.#dataEnd(this.#packed, foundOffset));
    return true;
  }

  /** Removes elements `first..last` spanning chars `from..to` of the packed string. */
  #remove(first: number, last: number, from: number, to: number): void {
    const packed = this.#packed;
    this.#packed = to - from === packed.length
      ? ""
      : flat(packed.slice(0, from), packed.slice(to), "", "");
    if (first === 0 && last === this.#scores.length - 1) this.#scores = [];
    else this.#scores = this.#scores.toSpliced(first, last - first + 1);
  }

  /**
   * Changes the score of an existing member: in place when its neighbours' scores keep it
   * where it is, else as Redis does, deleted and inserted again.
   */
  update(member: string, score: number): void {
    const i = this.#find(member);
    const scores = this.#scores;
    if ((i === 0 || scores[i - 1] < score) && (i === scores.length - 1 || scores[i + 1] > score)) {
      scores[i] = score;
      return;
    }
    this.#remove(i, i, foundOffset, this.#dataEnd(this.#packed, foundOffset));
    this.insert(score, member);
  }

  /** Pushes elements of ranks `start..start+count-1` (or down from `start` when `reverse`). */
  read(start: number, count: number, reverse: boolean, out: ZSetSlice): void {
    if (count <= 0) return;
    const first = reverse ? start - count + 1 : start;
    const packed = this.#packed;
    const scores = this.#scores;
    let off = 0;
    for (let i = 0; i < first; i++) off = this.#dataEnd(packed, off);
    const members = out.members, outScores = out.scores;
    const base = members.length;
    for (let i = first; i < first + count; i++) {
      members.push(this.#memberAt(packed, off));
      outScores.push(scores[i]);
      off = this.#dataEnd(packed, off);
    }
    if (reverse) {
      for (let a = base, b = members.length - 1; a < b; a++, b--) {
        const m = members[a];
        members[a] = members[b];
        members[b] = m;
        const s = outScores[a];
        outScores[a] = outScores[b];
        outScores[b] = s;
      }
    }
  }

  /** Calls `visit` for every element in order. */
  forEach(visit: (member: string, score: number) => void): void {
    const packed = this.#packed;
    const scores = this.#scores;
    let off = 0;
    for (let i = 0; i < scores.length; i++) {
      visit(this.#memberAt(packed, off), scores[i]);
      off = this.#dataEnd(packed, off);
    }
  }

  /** Rank of the first element in the score range, or -1 (Redis `zzlFirstInRange`). */
  firstInScore(range: ScoreRange): number {
    const scores = this.#scores;
    const n = scores.length;
    if (n === 0 || scoreRangeEmpty(range)) return -1;
    if (!scoreGteMin(scores[n - 1], range) || !scoreLteMax(scores[0], range)) return -1;
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scoreGteMin(scores[mid], range)) hi = mid;
      else lo = mid + 1;
    }
    return lo < n && scoreLteMax(scores[lo], range) ? lo : -1;
  }

  /** Rank of the last element in the score range, or -1 (Redis `zzlLastInRange`). */
  lastInScore(range: ScoreRange): number {
    const scores = this.#scores;
    const n = scores.length;
    if (n === 0 || scoreRangeEmpty(range)) return -1;
    if (!scoreGteMin(scores[n - 1], range) || !scoreLteMax(scores[0], range)) return -1;
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scoreLteMax(scores[mid], range)) lo = mid + 1;
      else hi = mid;
    }
    const last = lo - 1;
    return last >= 0 && scoreGteMin(scores[last], range) ? last : -1;
  }

  /** Whether the lex range can hold any element (Redis `zzlIsInLexRange`). */
  #inLexRange(range: LexRange): boolean {
    const n = this.#scores.length;
    if (n === 0 || lexRangeEmpty(range)) return false;
    const packed = this.#packed;
    const offsets = n === 1 ? [0] : this.#offsets(n - 1);
    return lexGteMin(this.#memberAt(packed, offsets[n - 1]), range.min) &&
      lexLteMax(this.#memberAt(packed, 0), range.max);
  }

  /** Rank of the first element in the lex range, or -1 (a scan from the head). */
  firstInLex(range: LexRange): number {
    if (!this.#inLexRange(range)) return -1;
    const packed = this.#packed;
    let off = 0;
    for (let i = 0; i < this.#scores.length; i++) {
      const member = this.#memberAt(packed, off);
      if (lexGteMin(member, range.min)) return lexLteMax(member, range.max) ? i : -1;
      off = this.#dataEnd(packed, off);
    }
    return -1;
  }

  /** Rank of the last element in the lex range, or -1 (a scan from the tail). */
  lastInLex(range: LexRange): number {
    if (!this.#inLexRange(range)) return -1;
    const packed = this.#packed;
    const offsets = this.#offsets(this.#scores.length);
    for (let i = this.#scores.length - 1; i >= 0; i--) {
      const member = this.#memberAt(packed, offsets[i]);
      if (lexLteMax(member, range.max)) return lexGteMin(member, range.min) ? i : -1;
    }
    return -1;
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
    const scores = this.#scores;
    let end = start;
    const step = reverse ? -1 : 1;
    while (
      end >= 0 && end < scores.length && limit !== 0 &&
      (reverse ? scoreGteMin(scores[end], range) : scoreLteMax(scores[end], range))
    ) {
      end += step;
      if (limit > 0) limit--;
    }
    this.read(start, reverse ? start - end : end - start, reverse, out);
  }

  /** As {@link ZSetListpack.readScores}, for a lex range. */
  readLex(start: number, reverse: boolean, limit: number, range: LexRange, out: ZSetSlice): void {
    const n = this.#scores.length;
    if (start < 0 || start >= n) return;
    const scores = this.#scores;
    const packed = this.#packed;
    const offsets = this.#offsets(n);
    for (let i = start; i >= 0 && i < n && limit !== 0; i += reverse ? -1 : 1) {
      const member = this.#memberAt(packed, offsets[i]);
      if (reverse ? !lexGteMin(member, range.min) : !lexLteMax(member, range.max)) break;
      out.members.push(member);
      out.scores.push(scores[i]);
      if (limit > 0) limit--;
    }
  }

  /** Number of elements in the score range. */
  countScore(range: ScoreRange): number {
    const first = this.firstInScore(range);
    return first < 0 ? 0 : this.lastInScore(range) - first + 1;
  }

  /** Number of elements in the lex range: from the first, while below the maximum. */
  countLex(range: LexRange): number {
    const first = this.firstInLex(range);
    if (first < 0) return 0;
    return this.#whileLteMax(first, range);
  }

  /** How many elements from rank `first` on are below the lex range's maximum. */
  #whileLteMax(first: number, range: LexRange): number {
    const packed = this.#packed;
    const n = this.#scores.length;
    const offsets = this.#offsets(n);
    let count = 0;
    for (let i = first; i < n && lexLteMax(this.#memberAt(packed, offsets[i]), range.max); i++) {
      count++;
    }
    return count;
  }

  /** Deletes ranks `start..end` (inclusive, valid); returns how many. */
  deleteRanks(start: number, end: number): number {
    const offsets = this.#offsets(end + 1);
    this.#remove(start, end, offsets[start], offsets[end + 1]);
    return end - start + 1;
  }

  /** Deletes the elements in the score range (Redis `zzlDeleteRangeByScore`). */
  deleteScores(range: ScoreRange): number {
    const first = this.firstInScore(range);
    if (first < 0) return 0;
    let end = first;
    while (end < this.#scores.length && scoreLteMax(this.#scores[end], range)) end++;
    return this.deleteRanks(first, end - 1);
  }

  /** Deletes the elements in the lex range (Redis `zzlDeleteRangeByLex`). */
  deleteLex(range: LexRange): number {
    const first = this.firstInLex(range);
    if (first < 0) return 0;
    return this.deleteRanks(first, first + this.#whileLteMax(first, range) - 1);
  }
}
