/**
 * The compact form of a small sorted set, Redis's listpack encoding: the elements in
 * (score, member) order packed into one string, each element its member's length prefix, the
 * member and eight chars of the score's IEEE 754 bits that compare as the scores do (one
 * object, no array per set). Lookups by member are linear scans, as in Redis's `zzlFind`;
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
/**
 * The last successful member search (ZADD asks a member's score, then updates it): its
 * packed string, member, index and offset. Equal strings hold the same elements, so a hit
 * is right for whichever set holds them.
 */
let lastPacked = "", lastMember = "", lastIndex = -1, lastOffset = 0;

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

/** The scratch double through which scores go to and from their eight chars. */
const SCORE = new Float64Array(1);
const SCORE_WORDS = new Uint32Array(SCORE.buffer);
/** Which of the two words holds the sign and exponent (1 on little-endian machines). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** Chars a score takes. */
const SCORE_CHARS = 8;

/**
 * The eight chars that store `score`: its IEEE 754 bits big-endian, the sign bit flipped
 * for positive numbers and every bit for negative ones, so that comparing the chars
 * compares the scores (no score is NaN; a listpack holds no -0).
 */
function scoreChars(score: number): string {
  SCORE[0] = score;
  let hi = SCORE_WORDS[HIGH], lo = SCORE_WORDS[1 - HIGH];
  if (hi >>> 31 === 1) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else hi = (hi | 0x80000000) >>> 0;
  return String.fromCharCode(
    hi >>> 24,
    (hi >>> 16) & 255,
    (hi >>> 8) & 255,
    hi & 255,
    lo >>> 24,
    (lo >>> 16) & 255,
    (lo >>> 8) & 255,
    lo & 255,
  );
}

/** The score stored (by {@link scoreChars}) at `at` of `packed`. */
function scoreAt(packed: string, at: number): number {
  let hi = ((packed.charCodeAt(at) << 24) | (packed.charCodeAt(at + 1) << 16) |
    (packed.charCodeAt(at + 2) << 8) | packed.charCodeAt(at + 3)) >>> 0;
  let lo = ((packed.charCodeAt(at + 4) << 24) | (packed.charCodeAt(at + 5) << 16) |
    (packed.charCodeAt(at + 6) << 8) | packed.charCodeAt(at + 7)) >>> 0;
  if (hi >>> 31 === 1) hi = hi & 0x7fffffff;
  else {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  }
  SCORE_WORDS[HIGH] = hi;
  SCORE_WORDS[1 - HIGH] = lo;
  return SCORE[0];
}

/** Compares the score stored at `at` of `packed` with the one `chars` stores. */
function compareScoreAt(packed: string, at: number, chars: string): number {
  for (let k = 0; k < SCORE_CHARS; k++) {
    const d = packed.charCodeAt(at + k) - chars.charCodeAt(k);
    if (d !== 0) return d;
  }
  return 0;
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
  /** The elements in order: length prefix (one char, or 255 and three), member, score. */
  #packed = "";
  /** Number of elements. */
  #size = 0;

  /** Number of elements. */
  get size(): number {
    return this.#size;
  }

  /** The index of `member` in the set, or -1; {@link foundOffset} is its prefix's offset. */
  #find(member: string): number {
    const packed = this.#packed;
    if (lastIndex >= 0 && member === lastMember && packed === lastPacked) {
      foundOffset = lastOffset;
      return lastIndex;
    }
    const length = member.length;
    const n = this.#size;
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
        foundOffset = lastOffset = off;
        lastPacked = packed;
        lastMember = member;
        return lastIndex = i;
      }
      off = start + len + SCORE_CHARS;
    }
    return -1;
  }

  /** Offsets of the elements `0..count-1`, plus the offset after the last of them. */
  #offsets(count: number): number[] {
    const packed = this.#packed;
    const out: number[] = new Array(count + 1);
    let off = 0;
    for (let i = 0; i < count; i++) {
      out[i] = off;
      off = this.#end(packed, off);
    }
    out[count] = off;
    return out;
  }

  /** The offset after the element at `off` (its score is the eight chars before it). */
  #end(packed: string, off: number): number {
    const len = packed.charCodeAt(off);
    if (len !== LONG) return off + 1 + len + SCORE_CHARS;
    return off + 4 + SCORE_CHARS +
      ((packed.charCodeAt(off + 1) << 16) | (packed.charCodeAt(off + 2) << 8) |
        packed.charCodeAt(off + 3));
  }

  /** The member of the element at `off`. */
  #memberAt(packed: string, off: number): string {
    const len = packed.charCodeAt(off);
    if (len !== LONG) return packed.slice(off + 1, off + 1 + len);
    return packed.slice(off + 4, this.#end(packed, off) - SCORE_CHARS);
  }

  /** Compares the member of the element at `off` with `member`, byte by byte. */
  #compareMember(packed: string, off: number, member: string): number {
    let len = packed.charCodeAt(off);
    let start = off + 1;
    if (len === LONG) {
      len = (packed.charCodeAt(off + 1) << 16) | (packed.charCodeAt(off + 2) << 8) |
        packed.charCodeAt(off + 3);
      start = off + 4;
    }
    const n = len < member.length ? len : member.length;
    for (let k = 0; k < n; k++) {
      const d = packed.charCodeAt(start + k) - member.charCodeAt(k);
      if (d !== 0) return d;
    }
    return len - member.length;
  }

  /** The score of the element at `off`. */
  #scoreAt(packed: string, off: number): number {
    return scoreAt(packed, this.#end(packed, off) - SCORE_CHARS);
  }

  /** The score of `member`, or undefined. */
  score(member: string): number | undefined {
    if (this.#find(member) < 0) return undefined;
    return this.#scoreAt(this.#packed, foundOffset);
  }

  /** 0-based rank of `member`, or -1. */
  rank(member: string): number {
    return this.#find(member);
  }

  /** Inserts a member known to be absent, in (score, member) order (Redis `zzlInsert`). */
  insert(score: number, member: string): void {
    const packed = this.#packed;
    const chars = scoreChars(score);
    const at = this.#insertionPoint(packed, chars, member, -1, -1);
    // One flat string (see flat()).
    this.#packed = [
      packed.slice(0, at),
      prefix(member.length),
      member,
      chars,
      packed.slice(at),
    ].join("");
    this.#size++;
  }

  /**
   * The offset where (score, member) goes: past every element with a lower score, and equal
   * scores with smaller members; the element at `skip..skipEnd` (-1: none) is passed over.
   */
  #insertionPoint(
    packed: string,
    chars: string,
    member: string,
    skip: number,
    skipEnd: number,
  ): number {
    let off = 0;
    for (let i = 0; i < this.#size; i++) {
      const end = this.#end(packed, off);
      if (off !== skip) {
        const c = compareScoreAt(packed, end - SCORE_CHARS, chars);
        if (c > 0 || (c === 0 && this.#compareMember(packed, off, member) > 0)) break;
      }
      off = end;
    }
    return off === skipEnd ? skip : off;
  }

  /** Deletes `member`; true if it was there. */
  delete(member: string): boolean {
    if (this.#find(member) < 0) return false;
    this.#remove(1, foundOffset, this.#end(this.#packed, foundOffset));
    return true;
  }

  /** Removes `count` elements spanning chars `from..to` of the packed string. */
  #remove(count: number, from: number, to: number): void {
    const packed = this.#packed;
    this.#packed = to - from === packed.length
      ? ""
      : flat(packed.slice(0, from), packed.slice(to), "", "");
    this.#size -= count;
  }

  /**
   * Changes the score of an existing member: in place when its neighbours' scores keep it
   * where it is, else as Redis does, deleted and inserted again.
   */
  update(member: string, score: number): void {
    const i = this.#find(member);
    const packed = this.#packed;
    const off = foundOffset;
    const end = this.#end(packed, off);
    // The previous element's score is the eight chars just before this element.
    if (
      (i === 0 || scoreAt(packed, off - SCORE_CHARS) < score) &&
      (i === this.#size - 1 || scoreAt(packed, this.#end(packed, end) - SCORE_CHARS) > score)
    ) {
      this.#packed = flat(
        packed.slice(0, end - SCORE_CHARS),
        scoreChars(score),
        packed.slice(end),
        "",
      );
      return;
    }
    // Moved: one new string, the element cut out at off..end and put in at its new place.
    const chars = scoreChars(score);
    const entry = prefix(member.length) + member + chars;
    const at = this.#insertionPoint(packed, chars, member, off, end);
    this.#packed = at <= off
      ? flat(packed.slice(0, at), entry, packed.slice(at, off), packed.slice(end))
      : flat(packed.slice(0, off), packed.slice(end, at), entry, packed.slice(at));
  }

  /** Pushes elements of ranks `start..start+count-1` (or down from `start` when `reverse`). */
  read(start: number, count: number, reverse: boolean, out: ZSetSlice): void {
    if (count <= 0) return;
    const first = reverse ? start - count + 1 : start;
    const packed = this.#packed;
    let off = 0;
    for (let i = 0; i < first; i++) off = this.#end(packed, off);
    const members = out.members, scores = out.scores;
    const base = members.length;
    for (let i = first; i < first + count; i++) {
      const end = this.#end(packed, off);
      members.push(this.#memberAt(packed, off));
      scores.push(scoreAt(packed, end - SCORE_CHARS));
      off = end;
    }
    if (reverse) {
      for (let a = base, b = members.length - 1; a < b; a++, b--) {
        const m = members[a];
        members[a] = members[b];
        members[b] = m;
        const s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
      }
    }
  }

  /** Calls `visit` for every element in order. */
  forEach(visit: (member: string, score: number) => void): void {
    const packed = this.#packed;
    let off = 0;
    for (let i = 0; i < this.#size; i++) {
      const end = this.#end(packed, off);
      visit(this.#memberAt(packed, off), scoreAt(packed, end - SCORE_CHARS));
      off = end;
    }
  }

  /** Rank of the first element in the score range, or -1 (Redis `zzlFirstInRange`). */
  firstInScore(range: ScoreRange): number {
    if (this.#size === 0 || scoreRangeEmpty(range)) return -1;
    const packed = this.#packed;
    let off = 0;
    for (let i = 0; i < this.#size; i++) {
      const end = this.#end(packed, off);
      const s = scoreAt(packed, end - SCORE_CHARS);
      if (scoreGteMin(s, range)) return scoreLteMax(s, range) ? i : -1;
      off = end;
    }
    return -1;
  }

  /** Rank of the last element in the score range, or -1 (Redis `zzlLastInRange`). */
  lastInScore(range: ScoreRange): number {
    if (this.#size === 0 || scoreRangeEmpty(range)) return -1;
    const packed = this.#packed;
    let off = 0;
    let last = -1, lastScore = 0;
    // Scores ascend: the last element below the maximum, if it is above the minimum.
    for (let i = 0; i < this.#size; i++) {
      const end = this.#end(packed, off);
      const s = scoreAt(packed, end - SCORE_CHARS);
      if (!scoreLteMax(s, range)) break;
      last = i;
      lastScore = s;
      off = end;
    }
    return last >= 0 && scoreGteMin(lastScore, range) ? last : -1;
  }

  /** Whether the lex range can hold any element (Redis `zzlIsInLexRange`). */
  #inLexRange(range: LexRange, offsets: number[]): boolean {
    const n = this.#size;
    if (n === 0 || lexRangeEmpty(range)) return false;
    const packed = this.#packed;
    return lexGteMin(this.#memberAt(packed, offsets[n - 1]), range.min) &&
      lexLteMax(this.#memberAt(packed, 0), range.max);
  }

  /** Rank of the first element in the lex range, or -1 (a scan from the head). */
  firstInLex(range: LexRange): number {
    const offsets = this.#offsets(this.#size);
    if (!this.#inLexRange(range, offsets)) return -1;
    const packed = this.#packed;
    for (let i = 0; i < this.#size; i++) {
      const member = this.#memberAt(packed, offsets[i]);
      if (lexGteMin(member, range.min)) return lexLteMax(member, range.max) ? i : -1;
    }
    return -1;
  }

  /** Rank of the last element in the lex range, or -1 (a scan from the tail). */
  lastInLex(range: LexRange): number {
    const offsets = this.#offsets(this.#size);
    if (!this.#inLexRange(range, offsets)) return -1;
    const packed = this.#packed;
    for (let i = this.#size - 1; i >= 0; i--) {
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
    const n = this.#size;
    if (start < 0 || start >= n) return;
    const packed = this.#packed;
    const offsets = this.#offsets(reverse ? start + 1 : n);
    for (let i = start; i >= 0 && i < n && limit !== 0; i += reverse ? -1 : 1) {
      const s = scoreAt(packed, offsets[i + 1] - SCORE_CHARS);
      if (reverse ? !scoreGteMin(s, range) : !scoreLteMax(s, range)) break;
      out.members.push(this.#memberAt(packed, offsets[i]));
      out.scores.push(s);
      if (limit > 0) limit--;
    }
  }

  /** As {@link ZSetListpack.readScores}, for a lex range. */
  readLex(start: number, reverse: boolean, limit: number, range: LexRange, out: ZSetSlice): void {
    const n = this.#size;
    if (start < 0 || start >= n) return;
    const packed = this.#packed;
    const offsets = this.#offsets(n);
    for (let i = start; i >= 0 && i < n && limit !== 0; i += reverse ? -1 : 1) {
      const member = this.#memberAt(packed, offsets[i]);
      if (reverse ? !lexGteMin(member, range.min) : !lexLteMax(member, range.max)) break;
      out.members.push(member);
      out.scores.push(scoreAt(packed, offsets[i + 1] - SCORE_CHARS));
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
    const n = this.#size;
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
    this.#remove(end - start + 1, offsets[start], offsets[end + 1]);
    return end - start + 1;
  }

  /** Deletes the elements in the score range (Redis `zzlDeleteRangeByScore`). */
  deleteScores(range: ScoreRange): number {
    const first = this.firstInScore(range);
    if (first < 0) return 0;
    const packed = this.#packed;
    const offsets = this.#offsets(this.#size);
    let end = first;
    while (
      end < this.#size && scoreLteMax(scoreAt(packed, offsets[end + 1] - SCORE_CHARS), range)
    ) end++;
    return this.deleteRanks(first, end - 1);
  }

  /** Deletes the elements in the lex range (Redis `zzlDeleteRangeByLex`). */
  deleteLex(range: LexRange): number {
    const first = this.firstInLex(range);
    if (first < 0) return 0;
    return this.deleteRanks(first, first + this.#whileLteMax(first, range) - 1);
  }
}
