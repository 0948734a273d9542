/**
 * A growable ring-buffer double-ended queue: O(1) push/pop at both ends and O(1) indexed
 * access, which lists need for LPUSH/RPUSH/LPOP/RPOP and fast LRANGE/LINDEX.
 *
 * @module
 */

const MIN_CAPACITY = 8;

/**
 * A double-ended queue over a power-of-two ring buffer.
 *
 * @example
 * ```ts
 * import { Deque } from "./deque.ts";
 *
 * const d = new Deque<number>();
 * d.pushBack(2);
 * d.pushFront(1);
 * d.toArray(); // [1, 2]
 * d.popBack(); // 2
 * ```
 */
export class Deque<T> {
  private buffer: (T | undefined)[];
  private head = 0;
  private size = 0;
  private mask: number;

  /** Creates an empty deque. */
  constructor(capacity: number = MIN_CAPACITY) {
    let c = MIN_CAPACITY;
    while (c < capacity) c *= 2;
    this.buffer = new Array(c);
    this.mask = c - 1;
  }

  /** Number of items. */
  get length(): number {
    return this.size;
  }

  private grow(): void {
    const old = this.buffer;
    const oldCap = old.length;
    const next: (T | undefined)[] = new Array(oldCap * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.buffer = next;
    this.head = 0;
    this.mask = oldCap * 2 - 1;
  }

  private shrinkIfSparse(): void {
    const cap = this.buffer.length;
    if (cap > 64 && this.size * 4 < cap) {
      const nextCap = cap / 2;
      const next: (T | undefined)[] = new Array(nextCap);
      for (let i = 0; i < this.size; i++) next[i] = this.buffer[(this.head + i) & this.mask];
      this.buffer = next;
      this.head = 0;
      this.mask = nextCap - 1;
    }
  }

  /** Appends at the tail. */
  pushBack(value: T): void {
    if (this.size === this.buffer.length) this.grow();
    this.buffer[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  /** Prepends at the head. */
  pushFront(value: T): void {
    if (this.size === this.buffer.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buffer[this.head] = value;
    this.size++;
  }

  /** Removes and returns the head item (undefined when empty). */
  popFront(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.buffer[this.head];
    this.buffer[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    this.shrinkIfSparse();
    return value;
  }

  /** Removes and returns the tail item (undefined when empty). */
  popBack(): T | undefined {
    if (this.size === 0) return undefined;
    const at = (this.head + this.size - 1) & this.mask;
    const value = this.buffer[at];
    this.buffer[at] = undefined;
    this.size--;
    this.shrinkIfSparse();
    return value;
  }

  /** The item at `index` (0 = head); undefined out of range. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.size) return undefined;
    return this.buffer[(this.head + index) & this.mask];
  }

  /** Replaces the item at `index` (0 ≤ index < length). */
  set(index: number, value: T): void {
    if (index < 0 || index >= this.size) throw new RangeError("Deque index out of range");
    this.buffer[(this.head + index) & this.mask] = value;
  }

  /** Inserts `value` before position `index` (0 ≤ index ≤ length), moving the shorter side. */
  insert(index: number, value: T): void {
    if (index < 0 || index > this.size) throw new RangeError("Deque index out of range");
    if (index === 0) return this.pushFront(value);
    if (index === this.size) return this.pushBack(value);
    if (this.size === this.buffer.length) this.grow();
    const buf = this.buffer, mask = this.mask;
    if (index < this.size / 2) {
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < index; i++) {
        buf[(this.head + i) & mask] = buf[(this.head + i + 1) & mask];
      }
    } else {
      for (let i = this.size; i > index; i--) {
        buf[(this.head + i) & mask] = buf[(this.head + i - 1) & mask];
      }
    }
    buf[(this.head + index) & mask] = value;
    this.size++;
  }

  /** Removes and returns the item at `index`, moving the shorter side. */
  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.size) return undefined;
    const buf = this.buffer, mask = this.mask;
    const value = buf[(this.head + index) & mask];
    if (index < this.size / 2) {
      for (let i = index; i > 0; i--) buf[(this.head + i) & mask] = buf[(this.head + i - 1) & mask];
      buf[this.head] = undefined;
      this.head = (this.head + 1) & mask;
    } else {
      for (let i = index; i < this.size - 1; i++) {
        buf[(this.head + i) & mask] = buf[(this.head + i + 1) & mask];
      }
      buf[(this.head + this.size - 1) & mask] = undefined;
    }
    this.size--;
    this.shrinkIfSparse();
    return value;
  }

  /** Drops `front` items from the head and `back` items from the tail. */
  trim(front: number, back: number): void {
    if (front + back >= this.size) {
      this.clear();
      return;
    }
    for (let i = 0; i < front; i++) this.buffer[(this.head + i) & this.mask] = undefined;
    for (let i = 0; i < back; i++) {
      this.buffer[(this.head + this.size - 1 - i) & this.mask] = undefined;
    }
    this.head = (this.head + front) & this.mask;
    this.size -= front + back;
    this.shrinkIfSparse();
  }

  /** Keeps only the items for which `keep` returns true (in order); returns how many went. */
  filter(keep: (value: T, index: number) => boolean): number {
    const buf = this.buffer, mask = this.mask;
    let write = 0;
    const n = this.size;
    for (let read = 0; read < n; read++) {
      const v = buf[(this.head + read) & mask] as T;
      if (keep(v, read)) {
        if (write !== read) buf[(this.head + write) & mask] = v;
        write++;
      }
    }
    for (let i = write; i < n; i++) buf[(this.head + i) & mask] = undefined;
    this.size = write;
    this.shrinkIfSparse();
    return n - write;
  }

  /** Items `start`..`end` inclusive (clamped), head to tail. */
  slice(start: number, end: number): T[] {
    if (start < 0) start = 0;
    if (end >= this.size) end = this.size - 1;
    if (start > end) return [];
    const out: T[] = new Array(end - start + 1);
    const buf = this.buffer, mask = this.mask, head = this.head;
    for (let i = start; i <= end; i++) out[i - start] = buf[(head + i) & mask] as T;
    return out;
  }

  /** Calls `fn` for items `start`..`end` inclusive (already clamped by the caller). */
  forEachRange(start: number, end: number, fn: (value: T) => void): void {
    const buf = this.buffer, mask = this.mask, head = this.head;
    for (let i = start; i <= end; i++) fn(buf[(head + i) & mask] as T);
  }

  /** All items, head to tail. */
  toArray(): T[] {
    return this.slice(0, this.size - 1);
  }

  /** Removes every item. */
  clear(): void {
    this.buffer = new Array(MIN_CAPACITY);
    this.head = 0;
    this.size = 0;
    this.mask = MIN_CAPACITY - 1;
  }

  /** Iterates head to tail. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) yield this.buffer[(this.head + i) & this.mask] as T;
  }
}
