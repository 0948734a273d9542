/**
 * The set value: members (binary strings) packed in one string while the set is small, else
 * in a dense array plus a member → index Map, so that add, remove and random picks (SPOP,
 * SRANDMEMBER) are O(1). Like Redis 7.0, a set of
 * at most 512 integers is an "intset": it replies in ascending numeric order, and SSCAN
 * answers it in one page. Also the set algebra of SINTER, SUNION and SDIFF.
 *
 * @module
 */

import type { RedisObject } from "../keyspace/values.ts";
import { encodingLimits } from "./encoding_limits.ts";

/** Most members a packed set holds (each lookup scans them). */
const PACKED_MAX = 64;
/** Longest member a packed set holds (its length is one char). */
const PACKED_LENGTH_MAX = 255;

/** Offset of the entry after the one at `at` in a packed string. */
function nextEntry(text: string, at: number): number {
  return at + 1 + text.charCodeAt(at);
}

/** The member whose entry starts at `at` in a packed string. */
function memberAt(text: string, at: number): string {
  return text.slice(at + 1, nextEntry(text, at));
}

/** `text` without `[from, to)`, as one flat string. */
function without(text: string, from: number, to: number): string {
  const rest = text.slice(0, from) + text.slice(to);
  rest.charCodeAt(0); // flattened now: one copy, not the pieces
  return rest;
}

/**
 * A Redis set value. A small set (at most {@link PACKED_MAX} members of at most 255 bytes)
 * is held packed, in one one-byte string of length-prefixed members (on V8 an array slot and
 * a Map entry per member cost far more than a short member's bytes); a larger one in a dense
 * array plus a member → index Map. Either way the members keep a dense order in which a
 * removal moves the last member into the hole (SSCAN relies on it).
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
  /** The packed members while small, else undefined (then `members` and `index`). */
  private packed: string | undefined = "";
  /** Number of members while packed. */
  private count = 0;
  /** Members, dense (order of SMEMBERS unless {@link RedisSet.intset}), once unpacked. */
  private members: string[] | undefined;
  private index: Map<string, number> | undefined;
  private sorted: string[] | undefined;
  /** Still a Redis "intset" (only integers, at most 512): replies are in numeric order. */
  intset = true;

  /** Always "set". */
  get type(): "set" {
    return "set";
  }

  /** Number of members. */
  get size(): number {
    return this.packed !== undefined ? this.count : this.members!.length;
  }

  /** Offset of `member`'s entry in the packed string, or -1. */
  private find(text: string, member: string): number {
    const length = member.length;
    for (let at = 0; at < text.length; at = nextEntry(text, at)) {
      if (text.charCodeAt(at) === length && text.startsWith(member, at + 1)) return at;
    }
    return -1;
  }

  /** Offset of the `i`-th entry of the packed string. */
  private offsetOf(text: string, i: number): number {
    let at = 0;
    for (; i > 0; i--) at = nextEntry(text, at);
    return at;
  }

  /** Moves the packed members into the array and Map (for good). */
  private unpack(): void {
    const text = this.packed;
    if (text === undefined) return;
    const members: string[] = [];
    const index = new Map<string, number>();
    for (let at = 0; at < text.length; at = nextEntry(text, at)) {
      const member = memberAt(text, at);
      index.set(member, members.length);
      members.push(member);
    }
    this.members = members;
    this.index = index;
    this.packed = undefined;
    this.count = 0;
  }

  /** Whether `member` is in the set. */
  has(member: string): boolean {
    const text = this.packed;
    return text !== undefined ? this.find(text, member) >= 0 : this.index!.has(member);
  }

  /** Adds a member; true if it was new. */
  add(member: string): boolean {
    const text = this.packed;
    if (text !== undefined) {
      if (this.find(text, member) >= 0) return false;
      if (this.count < PACKED_MAX && member.length <= PACKED_LENGTH_MAX) {
        // Flattened by the next lookup: one level of pieces at most.
        this.packed = text + String.fromCharCode(member.length) + member;
        this.count++;
      } else {
        this.unpack();
        this.index!.set(member, this.members!.length);
        this.members!.push(member);
      }
    } else {
      if (this.index!.has(member)) return false;
      this.index!.set(member, this.members!.length);
      this.members!.push(member);
    }
    this.sorted = undefined;
    if (
      this.intset &&
      (this.size > encodingLimits.setMaxIntsetEntries || !isIntegerMember(member))
    ) {
      this.intset = false;
    }
    return true;
  }

  /** Removes a member (the last one takes its place); true if it was there. */
  delete(member: string): boolean {
    const text = this.packed;
    if (text !== undefined) {
      const at = this.find(text, member);
      if (at < 0) return false;
      const end = nextEntry(text, at);
      const last = this.offsetOf(text, this.count - 1);
      this.packed = at === last
        ? without(text, at, end)
        : without(text.slice(0, at) + text.slice(last) + text.slice(end, last), 0, 0);
      this.count--;
      this.sorted = undefined;
      return true;
    }
    const members = this.members!, index = this.index!;
    const i = index.get(member);
    if (i === undefined) return false;
    const lastMember = members.pop()!;
    if (i < members.length) {
      members[i] = lastMember;
      index.set(lastMember, i);
    }
    index.delete(member);
    this.sorted = undefined;
    return true;
  }

  /** A random member (the set must not be empty). */
  random(): string {
    return this.at(randomIndex(this.size));
  }

  /** The member at dense position `i` (for sampling and SSCAN). */
  at(i: number): string {
    const text = this.packed;
    return text !== undefined ? memberAt(text, this.offsetOf(text, i)) : this.members![i];
  }

  /** Members in dense order (a new array while packed). */
  private dense(): readonly string[] {
    const text = this.packed;
    if (text === undefined) return this.members!;
    const out: string[] = [];
    for (let at = 0; at < text.length; at = nextEntry(text, at)) out.push(memberAt(text, at));
    return out;
  }

  /** Members in Redis's reply order: numeric for an intset, else the internal order. */
  ordered(): readonly string[] {
    if (!this.intset) return this.dense();
    if (this.sorted !== undefined) return this.sorted;
    const sorted = this.dense().slice();
    if (sorted.every((m) => m.length < 16)) sorted.sort((a, b) => Number(a) - Number(b));
    else sorted.sort((a, b) => compareBig(BigInt(a), BigInt(b)));
    // A packed set sorts again on each call rather than keep a second copy.
    if (this.packed === undefined) this.sorted = sorted;
    return sorted;
  }

  /** A deep copy (COPY). */
  clone(): RedisSet {
    const copy = new RedisSet();
    if (this.packed !== undefined) {
      copy.packed = this.packed;
      copy.count = this.count;
    } else for (const m of this.members!) copy.add(m);
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
