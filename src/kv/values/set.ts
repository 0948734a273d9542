/**
 * The set value: members (binary strings) in a dense array plus a member → index Map, so
 * that add, remove and random picks (SPOP, SRANDMEMBER) are O(1). Like Redis 7.0, a set of
 * at most 512 integers is an "intset": it replies in ascending numeric order, and SSCAN
 * answers it in one page. Also the set algebra of SINTER, SUNION and SDIFF.
 *
 * @module
 */

import type { RedisObject } from "../keyspace/values.ts";
import { encodingLimits } from "./encoding_limits.ts";

/**
 * A Redis set value.
 *
 * @example
 * ```ts
 * import { RedisSet } from "./set.ts";
 *
 * const set = new RedisSet();
 * set.add("2");
 * set.add("10");
 * set.ordered(); // ["2", "10"] (an intset replies in numeric order)
 * set.type; // "set"
 * ```
 */
export class RedisSet implements RedisObject {
  /** Members, dense (order of SMEMBERS unless {@link RedisSet.intset}). */
  private members: string[] = [];
  private index = new Map<string, number>();
  private sorted: string[] | undefined;
  /** Still a Redis "intset" (only integers, at most 512): replies are in numeric order. */
  intset = true;

  /** Always "set". */
  get type(): "set" {
    return "set";
  }

  /** Number of members. */
  get size(): number {
    return this.members.length;
  }

  /** Whether `member` is in the set. */
  has(member: string): boolean {
    return this.index.has(member);
  }

  /** Adds a member; true if it was new. */
  add(member: string): boolean {
    if (this.index.has(member)) return false;
    this.index.set(member, this.members.length);
    this.members.push(member);
    this.sorted = undefined;
    if (
      this.intset &&
      (this.members.length > encodingLimits.setMaxIntsetEntries || !isIntegerMember(member))
    ) {
      this.intset = false;
    }
    return true;
  }

  /** Removes a member; true if it was there. */
  delete(member: string): boolean {
    const i = this.index.get(member);
    if (i === undefined) return false;
    const last = this.members.pop()!;
    if (i < this.members.length) {
      this.members[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(member);
    this.sorted = undefined;
    return true;
  }

  /** A random member (the set must not be empty). */
  random(): string {
    return this.members[randomIndex(this.members.length)];
  }

  /** The member at dense position `i` (for sampling and SSCAN). */
  at(i: number): string {
    return this.members[i];
  }

  /** Members in Redis's reply order: numeric for an intset, else the internal order. */
  ordered(): readonly string[] {
    if (!this.intset) return this.members;
    if (this.sorted === undefined) {
      const sorted = this.members.slice();
      if (sorted.every((m) => m.length < 16)) sorted.sort((a, b) => Number(a) - Number(b));
      else sorted.sort((a, b) => compareBig(BigInt(a), BigInt(b)));
      this.sorted = sorted;
    }
    return this.sorted;
  }

  /** A deep copy (COPY). */
  clone(): RedisSet {
    const copy = new RedisSet();
    for (const m of this.members) copy.add(m);
    copy.intset = this.intset;
    return copy;
  }
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether the bytes are an integer Redis would store in an intset
 * (`isSdsRepresentableAsLongLong`: strict string2ll within int64).
 *
 * @example
 * ```ts
 * import { isIntegerMember } from "./set.ts";
 *
 * isIntegerMember("42"); // true
 * isIntegerMember("042"); // false
 * ```
 */
export function isIntegerMember(member: string): boolean {
  const n = member.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (member.charCodeAt(0) === 48) return n === 1;
  if (member.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return false;
  }
  const first = member.charCodeAt(i);
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const c = member.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  if (n - i < 19) return true;
  const big = BigInt(member);
  return big <= 9223372036854775807n && big >= -9223372036854775808n;
}

/**
 * A uniformly random integer in [0, n).
 *
 * @example
 * ```ts
 * import { randomIndex } from "./set.ts";
 *
 * randomIndex(10); // 0..9
 * ```
 */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * The intersection of `sets` (SINTER, SINTERSTORE: Redis `sinterGenericCommand`): empty when
 * one is missing; built by walking the smallest set.
 *
 * @example
 * ```ts
 * import { intersectionOf, RedisSet } from "./set.ts";
 *
 * const a = new RedisSet(), b = new RedisSet();
 * a.add("x");
 * b.add("x");
 * intersectionOf([a, b]).ordered(); // ["x"]
 * ```
 */
export function intersectionOf(sets: readonly (RedisSet | undefined)[]): RedisSet {
  const result = new RedisSet();
  if (sets.some((s) => s === undefined)) return result;
  const sorted = (sets as RedisSet[]).slice().sort((a, b) => a.size - b.size);
  for (const member of sorted[0].ordered()) {
    if (inAll(member, sorted)) result.add(member);
  }
  return result;
}

/** `member` (of `sorted[0]`) is in every other set. */
function inAll(member: string, sorted: readonly RedisSet[]): boolean {
  for (let j = 1; j < sorted.length; j++) {
    if (sorted[j] !== sorted[0] && !sorted[j].has(member)) return false;
  }
  return true;
}

/**
 * The size of the intersection of `sets` (SINTERCARD), counting up to `limit` (0 = all).
 *
 * @example
 * ```ts
 * import { intersectionSize, RedisSet } from "./set.ts";
 *
 * const a = new RedisSet();
 * a.add("x");
 * intersectionSize([a, a], 0); // 1
 * ```
 */
export function intersectionSize(sets: readonly RedisSet[], limit: number): number {
  const sorted = sets.slice().sort((a, b) => a.size - b.size);
  let cardinality = 0;
  for (const member of sorted[0].ordered()) {
    if (!inAll(member, sorted)) continue;
    cardinality++;
    if (limit > 0 && cardinality >= limit) break;
  }
  return cardinality;
}

/**
 * The union of `sets` (SUNION, SUNIONSTORE), built like Redis: a fresh intset that converts
 * when needed.
 *
 * @example
 * ```ts
 * import { RedisSet, unionOf } from "./set.ts";
 *
 * const a = new RedisSet();
 * a.add("x");
 * unionOf([a, undefined]).size; // 1
 * ```
 */
export function unionOf(sets: readonly (RedisSet | undefined)[]): RedisSet {
  const result = new RedisSet();
  for (const set of sets) {
    if (set === undefined) continue;
    for (const m of set.ordered()) result.add(m);
  }
  return result;
}

/**
 * The difference (SDIFF, SDIFFSTORE): members of the first set in none of the others.
 *
 * @example
 * ```ts
 * import { differenceOf, RedisSet } from "./set.ts";
 *
 * const a = new RedisSet();
 * a.add("x");
 * differenceOf([a, a]).size; // 0
 * ```
 */
export function differenceOf(sets: readonly (RedisSet | undefined)[]): RedisSet {
  const result = new RedisSet();
  const first = sets[0];
  if (first === undefined) return result;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return result;
  for (const m of first.ordered()) {
    let keep = true;
    for (let j = 1; j < sets.length; j++) {
      const other = sets[j];
      if (other !== undefined && other.has(m)) {
        keep = false;
        break;
      }
    }
    if (keep) result.add(m);
  }
  return result;
}
