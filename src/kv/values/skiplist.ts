/**
 * A skip list with span counts, as Redis's `zskiplist`: elements ordered by (score, member),
 * O(log n) insert, delete, rank lookup and range search by rank, score or member
 * (lexicographic). Members are binary strings (one char per byte), so comparing them with
 * `<` is comparing bytes, like Redis's `sdscmp`.
 *
 * @module
 */

const MAX_LEVEL = 32;
const P = 0.25;

/**
 * One element of a {@link SkipList}.
 *
 * @example
 * ```ts
 * import { SkipList } from "./skiplist.ts";
 *
 * const list = new SkipList();
 * const node = list.insert(1, "a");
 * node.score; // 1
 * ```
 */
export class SkipNode {
  /** The member (binary string). */
  readonly member: string;
  /** The score. */
  score: number;
  /** Previous node on level 0 (null for the first). */
  backward: SkipNode | null = null;
  /** Next node per level. */
  readonly next: (SkipNode | null)[];
  /** Number of level-0 steps each `next` link skips. */
  readonly span: number[];

  /** Creates a node with `level` levels. */
  constructor(level: number, score: number, member: string) {
    this.score = score;
    this.member = member;
    this.next = new Array(level).fill(null);
    this.span = new Array(level).fill(0);
  }
}

/**
 * A score range: `min`..`max`, each bound exclusive when its flag is set (`(` in Redis).
 *
 * @example
 * ```ts
 * import type { ScoreRange } from "./skiplist.ts";
 *
 * const range: ScoreRange = { min: 1, max: Infinity, minExclusive: true, maxExclusive: false };
 * ```
 */
export interface ScoreRange {
  /** Lower bound. */
  min: number;
  /** Upper bound. */
  max: number;
  /** `(min`. */
  minExclusive: boolean;
  /** `(max`. */
  maxExclusive: boolean;
}

/**
 * A lexicographic bound: `kind` -1 is `-` (below everything), 1 is `+` (above everything),
 * 0 a member value (exclusive with `(`, inclusive with `[`).
 *
 * @example
 * ```ts
 * import type { LexBound } from "./skiplist.ts";
 *
 * const min: LexBound = { kind: 0, value: "a", exclusive: false }; // "[a"
 * ```
 */
export interface LexBound {
  /** -1 for `-`, 1 for `+`, 0 for a value. */
  kind: -1 | 0 | 1;
  /** The bound (binary string) when `kind` is 0. */
  value: string;
  /** Exclusive (`(`) bound. */
  exclusive: boolean;
}

/**
 * A lexicographic range.
 *
 * @example
 * ```ts
 * import type { LexRange } from "./skiplist.ts";
 *
 * const all: LexRange = {
 *   min: { kind: -1, value: "", exclusive: true },
 *   max: { kind: 1, value: "", exclusive: true },
 * };
 * ```
 */
export interface LexRange {
  /** Lower bound. */
  min: LexBound;
  /** Upper bound. */
  max: LexBound;
}

/** Redis's `sdscmplex`: compares a member with a bound, or two bounds. */
function compareLex(a: LexBound, b: LexBound): number {
  if (a.kind === b.kind && a.kind !== 0) return 0;
  if (a.kind === -1 || b.kind === 1) return -1;
  if (a.kind === 1 || b.kind === -1) return 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

function compareMemberBound(member: string, bound: LexBound): number {
  if (bound.kind === -1) return 1;
  if (bound.kind === 1) return -1;
  return member < bound.value ? -1 : member > bound.value ? 1 : 0;
}

/**
 * Whether `value` is above the range's lower bound (Redis `zslValueGteMin`).
 *
 * @example
 * ```ts
 * import { scoreGteMin } from "./skiplist.ts";
 *
 * scoreGteMin(2, { min: 2, max: 3, minExclusive: true, maxExclusive: false }); // false
 * ```
 */
export function scoreGteMin(value: number, range: ScoreRange): boolean {
  return range.minExclusive ? value > range.min : value >= range.min;
}

/**
 * Whether `value` is below the range's upper bound (Redis `zslValueLteMax`).
 *
 * @example
 * ```ts
 * import { scoreLteMax } from "./skiplist.ts";
 *
 * scoreLteMax(3, { min: 2, max: 3, minExclusive: false, maxExclusive: false }); // true
 * ```
 */
export function scoreLteMax(value: number, range: ScoreRange): boolean {
  return range.maxExclusive ? value < range.max : value <= range.max;
}

/**
 * Whether `member` is above the lower bound (Redis `zslLexValueGteMin`).
 *
 * @example
 * ```ts
 * import { lexGteMin } from "./skiplist.ts";
 *
 * lexGteMin("b", { kind: 0, value: "a", exclusive: true }); // true
 * ```
 */
export function lexGteMin(member: string, min: LexBound): boolean {
  const c = compareMemberBound(member, min);
  return min.exclusive ? c > 0 : c >= 0;
}

/**
 * Whether `member` is below the upper bound (Redis `zslLexValueLteMax`).
 *
 * @example
 * ```ts
 * import { lexLteMax } from "./skiplist.ts";
 *
 * lexLteMax("b", { kind: 1, value: "", exclusive: true }); // true
 * ```
 */
export function lexLteMax(member: string, max: LexBound): boolean {
  const c = compareMemberBound(member, max);
  return max.exclusive ? c < 0 : c <= 0;
}

/**
 * Whether a score range can contain anything at all.
 *
 * @example
 * ```ts
 * import { scoreRangeEmpty } from "./skiplist.ts";
 *
 * scoreRangeEmpty({ min: 2, max: 2, minExclusive: true, maxExclusive: false }); // true
 * ```
 */
export function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max ||
    (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

/**
 * Whether a lex range can contain anything at all.
 *
 * @example
 * ```ts
 * import { lexRangeEmpty } from "./skiplist.ts";
 *
 * lexRangeEmpty({
 *   min: { kind: 0, value: "b", exclusive: false },
 *   max: { kind: 0, value: "a", exclusive: false },
 * }); // true
 * ```
 */
export function lexRangeEmpty(range: LexRange): boolean {
  const c = compareLex(range.min, range.max);
  return c > 0 || (c === 0 && (range.min.exclusive || range.max.exclusive));
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

/** (score, member) order as Redis: by score, then by member bytes. */
function before(score: number, member: string, node: SkipNode): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

/**
 * Redis's zskiplist. Ranks are 1-based as in Redis's `zslGetRank`; {@link SkipList.byRank}
 * too.
 *
 * @example
 * ```ts
 * import { SkipList } from "./skiplist.ts";
 *
 * const list = new SkipList();
 * list.insert(2, "b");
 * list.insert(1, "a");
 * list.rank(2, "b"); // 2
 * list.byRank(1)?.member; // "a"
 * ```
 */
export class SkipList {
  /** The sentinel head (not an element). */
  readonly header: SkipNode = new SkipNode(MAX_LEVEL, 0, "");
  /** The last element, or null. */
  tail: SkipNode | null = null;
  /** Number of elements. */
  length = 0;
  /** Current highest level in use. */
  level = 1;

  /** The first element, or null. */
  get first(): SkipNode | null {
    return this.header.next[0];
  }

  /** Inserts a new element (the caller guarantees the member is not present). */
  insert(score: number, member: string): SkipNode {
    const update: SkipNode[] = new Array(MAX_LEVEL);
    const rank: number[] = new Array(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let next = x.next[i];
      while (next !== null && before(score, member, next)) {
        rank[i] += x.span[i];
        x = next;
        next = x.next[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        update[i].span[i] = this.length;
      }
      this.level = level;
    }
    const node = new SkipNode(level, score, member);
    for (let i = 0; i < level; i++) {
      node.next[i] = update[i].next[i];
      update[i].next[i] = node;
      node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.header ? null : update[0];
    if (node.next[0] !== null) node.next[0].backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  private unlink(x: SkipNode, update: SkipNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (update[i].next[i] === x) {
        update[i].span[i] += x.span[i] - 1;
        update[i].next[i] = x.next[i];
      } else {
        update[i].span[i] -= 1;
      }
    }
    if (x.next[0] !== null) x.next[0].backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.next[this.level - 1] === null) this.level--;
    this.length--;
  }

  /** Deletes the element (score, member); true if it was found. */
  delete(score: number, member: string): boolean {
    const update: SkipNode[] = new Array(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && before(score, member, next)) {
        x = next;
        next = x.next[i];
      }
      update[i] = x;
    }
    const target = x.next[0];
    if (target !== null && target.score === score && target.member === member) {
      this.unlink(target, update);
      return true;
    }
    return false;
  }

  /** Changes the score of an existing element (Redis `zslUpdateScore`). */
  updateScore(current: number, member: string, score: number): SkipNode {
    const update: SkipNode[] = new Array(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && before(current, member, next)) {
        x = next;
        next = x.next[i];
      }
      update[i] = x;
    }
    const node = x.next[0]!;
    // Still in place? Then only the score changes.
    if (
      (node.backward === null || node.backward.score < score ||
        (node.backward.score === score && node.backward.member < member)) &&
      (node.next[0] === null || node.next[0].score > score ||
        (node.next[0].score === score && node.next[0].member > member))
    ) {
      node.score = score;
      return node;
    }
    this.unlink(node, update);
    return this.insert(score, member);
  }

  /** 1-based rank of (score, member), or 0 when absent. */
  rank(score: number, member: string): number {
    let rank = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (
        next !== null &&
        (next.score < score || (next.score === score && next.member <= member))
      ) {
        rank += x.span[i];
        x = next;
        next = x.next[i];
      }
      if (x !== this.header && x.member === member && x.score === score) return rank;
    }
    return 0;
  }

  /** The element at 1-based `rank`, or null. */
  byRank(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = next;
        next = x.next[i];
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  /** Whether any element can be in the score range (Redis `zslIsInRange`). */
  private inRange(range: ScoreRange): boolean {
    if (scoreRangeEmpty(range)) return false;
    if (this.tail === null || !scoreGteMin(this.tail.score, range)) return false;
    const first = this.header.next[0];
    return first !== null && scoreLteMax(first.score, range);
  }

  /** The first element in the score range, or null. */
  firstInRange(range: ScoreRange): SkipNode | null {
    if (!this.inRange(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && !scoreGteMin(next.score, range)) {
        x = next;
        next = x.next[i];
      }
    }
    const node = x.next[0];
    return node !== null && scoreLteMax(node.score, range) ? node : null;
  }

  /** The last element in the score range, or null. */
  lastInRange(range: ScoreRange): SkipNode | null {
    if (!this.inRange(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && scoreLteMax(next.score, range)) {
        x = next;
        next = x.next[i];
      }
    }
    return x !== this.header && scoreGteMin(x.score, range) ? x : null;
  }

  private inLexRange(range: LexRange): boolean {
    if (lexRangeEmpty(range)) return false;
    if (this.tail === null || !lexGteMin(this.tail.member, range.min)) return false;
    const first = this.header.next[0];
    return first !== null && lexLteMax(first.member, range.max);
  }

  /** The first element in the lex range, or null (meaningful when all scores are equal). */
  firstInLexRange(range: LexRange): SkipNode | null {
    if (!this.inLexRange(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && !lexGteMin(next.member, range.min)) {
        x = next;
        next = x.next[i];
      }
    }
    const node = x.next[0];
    return node !== null && lexLteMax(node.member, range.max) ? node : null;
  }

  /** The last element in the lex range, or null. */
  lastInLexRange(range: LexRange): SkipNode | null {
    if (!this.inLexRange(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && lexLteMax(next.member, range.max)) {
        x = next;
        next = x.next[i];
      }
    }
    return x !== this.header && lexGteMin(x.member, range.min) ? x : null;
  }

  /** 1-based rank of a node known to be in the list. */
  rankOf(node: SkipNode): number {
    return this.rank(node.score, node.member);
  }

  /** Number of elements in the score range (via ranks, O(log n)). */
  countInRange(range: ScoreRange): number {
    const first = this.firstInRange(range);
    if (first === null) return 0;
    const last = this.lastInRange(range)!;
    return this.rankOf(last) - this.rankOf(first) + 1;
  }

  /** Number of elements in the lex range (via ranks, O(log n)). */
  countInLexRange(range: LexRange): number {
    const first = this.firstInLexRange(range);
    if (first === null) return 0;
    const last = this.lastInLexRange(range);
    if (last === null) return 0;
    const n = this.rankOf(last) - this.rankOf(first) + 1;
    return n < 0 ? 0 : n;
  }

  /**
   * Deletes the elements of 1-based ranks `start`..`end` (inclusive); calls `removed` for
   * each. Returns the number deleted.
   */
  deleteRangeByRank(start: number, end: number, removed: (node: SkipNode) => void): number {
    const update: SkipNode[] = new Array(MAX_LEVEL);
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && traversed + x.span[i] < start) {
        traversed += x.span[i];
        x = next;
        next = x.next[i];
      }
      update[i] = x;
    }
    traversed++;
    let node = x.next[0];
    let deleted = 0;
    while (node !== null && traversed <= end) {
      const following = node.next[0];
      this.unlink(node, update);
      removed(node);
      deleted++;
      traversed++;
      node = following;
    }
    return deleted;
  }

  /** Deletes the elements in the score range; calls `removed` for each. */
  deleteRangeByScore(range: ScoreRange, removed: (node: SkipNode) => void): number {
    const update: SkipNode[] = new Array(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && !scoreGteMin(next.score, range)) {
        x = next;
        next = x.next[i];
      }
      update[i] = x;
    }
    let node = x.next[0];
    let deleted = 0;
    while (node !== null && scoreLteMax(node.score, range)) {
      const following = node.next[0];
      this.unlink(node, update);
      removed(node);
      deleted++;
      node = following;
    }
    return deleted;
  }

  /** Deletes the elements in the lex range; calls `removed` for each. */
  deleteRangeByLex(range: LexRange, removed: (node: SkipNode) => void): number {
    const update: SkipNode[] = new Array(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.next[i];
      while (next !== null && !lexGteMin(next.member, range.min)) {
        x = next;
        next = x.next[i];
      }
      update[i] = x;
    }
    let node = x.next[0];
    let deleted = 0;
    while (node !== null && lexLteMax(node.member, range.max)) {
      const following = node.next[0];
      this.unlink(node, update);
      removed(node);
      deleted++;
      node = following;
    }
    return deleted;
  }

  /** Iterates from the first element to the last. */
  *[Symbol.iterator](): IterableIterator<SkipNode> {
    for (let x = this.header.next[0]; x !== null; x = x.next[0]) yield x;
  }
}
