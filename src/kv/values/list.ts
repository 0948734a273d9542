/**
 * The list value. Elements are binary strings, one char per byte, as keys are: on every
 * engine a short one-byte string costs far less than a `Uint8Array` (an object with a
 * backing store), and making one from a command argument is cheaper than copying the argument.
 * A small list is held packed, the way Redis packs a quicklist node's listpack: one one-byte
 * string of length-prefixed elements; a larger one in a ring-buffer {@link Deque} of strings.
 * Redis 7.0 reports `quicklist` for both; the replies are the same.
 *
 * @module
 */

import { bytesToLatin1, bytesToLatin1Range } from "../../resp/bytes.ts";
import type { RedisObject } from "../keyspace/values.ts";
import { Deque } from "./deque.ts";

/** Most elements a packed list holds (reads scan them, a push copies them all). */
const PACKED_MAX = 64;
/** Most chars of a packed list's string (lengths included). */
const PACKED_CHARS_MAX = 1024;
/** Longest element a packed list holds (its length is one char). */
const PACKED_LENGTH_MAX = 255;

/** Where {@link RedisList.pushAll} lays out the entries it adds to a packed list. */
const scratch = new Uint8Array(PACKED_CHARS_MAX);

/** Offset of the entry after the one at `at` in a packed string. */
function nextEntry(text: string, at: number): number {
  return at + 1 + text.charCodeAt(at);
}

/** Offset of the `i`-th entry of a packed string (its length, if `i` is the count). */
function offsetOf(text: string, i: number): number {
  let at = 0;
  for (; i > 0; i--) at = nextEntry(text, at);
  return at;
}

/** One packed entry: the length char and the element. */
function entry(value: string): string {
  return String.fromCharCode(value.length) + value;
}

/** `text` as one flat string: reading a char flattens a concatenation (V8, JavaScriptCore),
 * so the list holds one copy, not the pieces. */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/**
 * A Redis list value: binary-string elements (one char per byte), head to tail, with O(1)
 * pushes and pops at both ends and indexed access. Small lists are packed in one string
 * (see the module notes); the form changes once, to a deque, and never back (as Redis 7.0's
 * quicklist).
 *
 * @example
 * ```ts
 * import { RedisList } from "./list.ts";
 *
 * const list = new RedisList();
 * list.pushBack("b");
 * list.pushFront("a");
 * list.toArray(); // ["a", "b"]
 * list.type; // "list"
 * ```
 */
export class RedisList implements RedisObject {
  /** The packed elements while small, else undefined (then {@link RedisList.#deque}). */
  #packed: string | undefined = "";
  /** Number of elements while packed. */
  #count = 0;
  #deque: Deque<string> | undefined;

  /** Always "list". */
  get type(): "list" {
    return "list";
  }

  /** Number of elements. */
  get length(): number {
    return this.#packed !== undefined ? this.#count : this.#deque!.length;
  }

  /** Whether `value` may join the packed string `text` (one more element). */
  #fits(text: string, value: string): boolean {
    return this.#count < PACKED_MAX && value.length <= PACKED_LENGTH_MAX &&
      text.length + 1 + value.length <= PACKED_CHARS_MAX;
  }

  /**
   * Pushes `values[from..]` (bytes) one after the other at the head (`front`: the last ends up
   * first, as LPUSH leaves them) or at the tail. A packed list takes them all in one copy of
   * its string: the entries are laid out as bytes and become one string, with no string per
   * element and no intermediate packed strings.
   */
  pushAll(values: readonly Uint8Array[], from: number, front: boolean): void {
    const text = this.#packed;
    if (text !== undefined && this.#count + values.length - from <= PACKED_MAX) {
      let size = text.length;
      for (let i = from; i < values.length && size <= PACKED_CHARS_MAX; i++) {
        const length = values[i].length;
        size = length > PACKED_LENGTH_MAX ? Infinity : size + 1 + length;
      }
      if (size <= PACKED_CHARS_MAX) {
        let at = 0;
        const last = values.length - 1;
        for (let k = from; k <= last; k++) {
          const value = values[front ? last - (k - from) : k];
          const length = value.length;
          scratch[at++] = length;
          for (let j = 0; j < length; j++) scratch[at++] = value[j];
        }
        const entries = bytesToLatin1Range(scratch, 0, at);
        this.#packed = text === "" ? entries : flat(front ? entries + text : text + entries);
        this.#count += values.length - from;
        return;
      }
    }
    for (let i = from; i < values.length; i++) {
      if (front) this.pushFront(bytesToLatin1(values[i]));
      else this.pushBack(bytesToLatin1(values[i]));
    }
  }

  /** Moves the packed elements into a deque (for good) and returns it. */
  #unpack(): Deque<string> {
    const text = this.#packed;
    if (text === undefined) return this.#deque!;
    const deque = new Deque<string>(this.#count + 1);
    for (let at = 0; at < text.length;) {
      const end = nextEntry(text, at);
      deque.pushBack(text.slice(at + 1, end));
      at = end;
    }
    this.#deque = deque;
    this.#packed = undefined;
    this.#count = 0;
    return deque;
  }

  /** Appends at the tail. */
  pushBack(value: string): void {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.pushBack(value);
    if (!this.#fits(text, value)) return this.#unpack().pushBack(value);
    this.#packed = flat(text + entry(value));
    this.#count++;
  }

  /** Prepends at the head. */
  pushFront(value: string): void {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.pushFront(value);
    if (!this.#fits(text, value)) return this.#unpack().pushFront(value);
    this.#packed = flat(entry(value) + text);
    this.#count++;
  }

  /** Removes and returns the head element (undefined when empty). */
  popFront(): string | undefined {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.popFront();
    if (this.#count === 0) return undefined;
    const end = nextEntry(text, 0);
    this.#packed = text.slice(end);
    this.#count--;
    return text.slice(1, end);
  }

  /** Removes and returns the tail element (undefined when empty). */
  popBack(): string | undefined {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.popBack();
    if (this.#count === 0) return undefined;
    const last = offsetOf(text, this.#count - 1);
    this.#packed = text.slice(0, last);
    this.#count--;
    return text.slice(last + 1);
  }

  /** The element at `index` (0 = head); undefined out of range. */
  at(index: number): string | undefined {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.at(index);
    if (index < 0 || index >= this.#count) return undefined;
    const at = offsetOf(text, index);
    return text.slice(at + 1, nextEntry(text, at));
  }

  /** Replaces the element at `index` (0 ≤ index < length). */
  set(index: number, value: string): void {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.set(index, value);
    if (index < 0 || index >= this.#count) throw new RangeError("List index out of range");
    const at = offsetOf(text, index);
    const end = nextEntry(text, at);
    if (
      value.length > PACKED_LENGTH_MAX ||
      text.length - (end - at) + 1 + value.length > PACKED_CHARS_MAX
    ) {
      return this.#unpack().set(index, value);
    }
    this.#packed = flat(text.slice(0, at) + entry(value) + text.slice(end));
  }

  /** Inserts `value` before position `index` (0 ≤ index ≤ length). */
  insert(index: number, value: string): void {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.insert(index, value);
    if (index < 0 || index > this.#count) throw new RangeError("List index out of range");
    if (!this.#fits(text, value)) return this.#unpack().insert(index, value);
    const at = offsetOf(text, index);
    this.#packed = flat(text.slice(0, at) + entry(value) + text.slice(at));
    this.#count++;
  }

  /** Drops `front` elements from the head and `back` elements from the tail. */
  trim(front: number, back: number): void {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.trim(front, back);
    if (front + back >= this.#count) {
      this.#packed = "";
      this.#count = 0;
      return;
    }
    const from = offsetOf(text, front);
    let to = from;
    const kept = this.#count - front - back;
    for (let i = 0; i < kept; i++) to = nextEntry(text, to);
    this.#packed = text.slice(from, to);
    this.#count = kept;
  }

  /** Keeps only the elements for which `keep` returns true (in order); returns how many went. */
  filter(keep: (value: string, index: number) => boolean): number {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.filter(keep);
    let out = "";
    let kept = 0;
    let index = 0;
    for (let at = 0; at < text.length; index++) {
      const end = nextEntry(text, at);
      if (keep(text.slice(at + 1, end), index)) {
        out += text.slice(at, end);
        kept++;
      }
      at = end;
    }
    const removed = this.#count - kept;
    if (removed > 0) {
      this.#packed = flat(out);
      this.#count = kept;
    }
    return removed;
  }

  /**
   * Calls `fn(text, from, to)` for elements `start`..`end` inclusive (already clamped by the
   * caller): the element is chars `from`..`to` (exclusive) of `text`, so a reply can be
   * written from a packed list without cutting each element out first.
   */
  forEachRange(
    start: number,
    end: number,
    fn: (text: string, from: number, to: number) => void,
  ): void {
    const text = this.#packed;
    if (text === undefined) {
      const deque = this.#deque!;
      for (let i = start; i <= end; i++) {
        const value = deque.at(i)!;
        fn(value, 0, value.length);
      }
      return;
    }
    let at = offsetOf(text, start);
    for (let i = start; i <= end; i++) {
      const next = nextEntry(text, at);
      fn(text, at + 1, next);
      at = next;
    }
  }

  /** All elements, head to tail. */
  toArray(): string[] {
    const text = this.#packed;
    if (text === undefined) return this.#deque!.toArray();
    const out: string[] = new Array(this.#count);
    let at = 0;
    for (let i = 0; i < this.#count; i++) {
      const end = nextEntry(text, at);
      out[i] = text.slice(at + 1, end);
      at = end;
    }
    return out;
  }

  /** Iterates head to tail. */
  *[Symbol.iterator](): IterableIterator<string> {
    const text = this.#packed;
    if (text === undefined) {
      yield* this.#deque!;
      return;
    }
    for (let at = 0; at < text.length;) {
      const end = nextEntry(text, at);
      yield text.slice(at + 1, end);
      at = end;
    }
  }

  /** A copy (COPY): the elements are immutable strings, shared. */
  clone(): RedisList {
    const copy = new RedisList();
    if (this.#packed !== undefined) {
      copy.#packed = this.#packed;
      copy.#count = this.#count;
    } else {
      const deque = new Deque<string>(this.#deque!.length);
      for (const value of this.#deque!) deque.pushBack(value);
      copy.#packed = undefined;
      copy.#deque = deque;
    }
    return copy;
  }
}
