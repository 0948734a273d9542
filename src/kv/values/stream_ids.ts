/**
 * The ID column of a stream node: each entry's ID as a pair of 32-bit numbers (milliseconds
 * after the node's master ID, sequence) while every ID of the node fits that form — the
 * common case, 8 bytes an entry and no bigint on the read path — else as two unsigned 64-bit
 * halves.
 *
 * @module
 */

import { compareIds, type StreamId, type U64, u64 } from "./stream_id.ts";

const U32 = 2 ** 32;
/** The largest master `ms` for which `ms + (2^32 - 1)` is still a safe integer. */
const NARROW_BASE_MAX = Number.MAX_SAFE_INTEGER - U32;

/**
 * The IDs of up to `limit` entries, in append order.
 *
 * @example
 * ```ts
 * import { IdColumn } from "./stream_ids.ts";
 *
 * const ids = new IdColumn({ ms: 1000, seq: 0 }, 100);
 * ids.set(0, { ms: 1000, seq: 0 });
 * ids.get(0); // { ms: 1000, seq: 0 }
 * ```
 */
export class IdColumn {
  readonly #limit: number;
  #base: number;
  #narrow: Uint32Array | undefined;
  #wide: BigUint64Array | undefined;

  /**
   * A column for a node whose master ID is `master`, holding at most `limit` entries, with
   * room for `capacity` at first.
   */
  constructor(master: StreamId, limit: number, capacity = 4) {
    this.#limit = limit;
    const ms = master.ms;
    const size = Math.max(2, capacity) * 2;
    if (typeof ms === "number" && ms <= NARROW_BASE_MAX) {
      this.#base = ms;
      this.#narrow = new Uint32Array(size);
    } else {
      this.#base = 0;
      this.#wide = new BigUint64Array(size);
    }
  }

  /** Room for entry `i` (capacity doubles, up to the limit). */
  #reserve(i: number): void {
    const array = (this.#narrow ?? this.#wide)!;
    if (i * 2 + 2 <= array.length) return;
    const size = Math.max(i * 2 + 2, Math.min(array.length * 2, this.#limit * 2));
    if (this.#narrow !== undefined) {
      const next = new Uint32Array(size);
      next.set(this.#narrow);
      this.#narrow = next;
    } else {
      const next = new BigUint64Array(size);
      next.set(this.#wide!);
      this.#wide = next;
    }
  }

  /** Switches to 64-bit halves, keeping entries [0, count). */
  #widen(count: number): void {
    const narrow = this.#narrow!;
    const wide = new BigUint64Array(Math.max(narrow.length, 8));
    for (let i = 0; i < count; i++) {
      wide[i * 2] = BigInt(this.#base + narrow[i * 2]);
      wide[i * 2 + 1] = BigInt(narrow[i * 2 + 1]);
    }
    this.#narrow = undefined;
    this.#wide = wide;
  }

  /** Stores the ID of entry `i` (entries before it are set). */
  set(i: number, id: StreamId): void {
    this.#reserve(i);
    const narrow = this.#narrow;
    if (narrow !== undefined) {
      const { ms, seq } = id;
      if (typeof ms === "number" && typeof seq === "number" && seq < U32) {
        const delta = ms - this.#base;
        if (delta >= 0 && delta < U32) {
          narrow[i * 2] = delta;
          narrow[i * 2 + 1] = seq;
          return;
        }
      }
      this.#widen(i);
    }
    const wide = this.#wide!;
    wide[i * 2] = BigInt(id.ms);
    wide[i * 2 + 1] = BigInt(id.seq);
  }

  /** The ID of entry `i`. */
  get(i: number): StreamId {
    const narrow = this.#narrow;
    if (narrow !== undefined) return { ms: this.#base + narrow[i * 2], seq: narrow[i * 2 + 1] };
    const wide = this.#wide!;
    return { ms: u64(wide[i * 2]), seq: u64(wide[i * 2 + 1]) };
  }

  /** Orders the ID of entry `i` against `id` (negative, zero, positive) without allocating. */
  compareAt(i: number, id: StreamId): number {
    const narrow = this.#narrow;
    if (narrow === undefined) return compareIds(this.get(i), id);
    const ms = this.#base + narrow[i * 2];
    if (ms !== id.ms) return ms < id.ms ? -1 : 1;
    const seq = narrow[i * 2 + 1];
    if (seq !== id.seq) return seq < id.seq ? -1 : 1;
    return 0;
  }

  /** The first index in [0, count) whose ID is >= `id` (count when none). */
  lowerBound(count: number, id: StreamId): number {
    let lo = 0, hi = count;
    const narrow = this.#narrow;
    if (narrow !== undefined) {
      const base = this.#base;
      const ms: U64 = id.ms, seq: U64 = id.seq;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const m = base + narrow[mid * 2];
        if (m < ms || (m === ms && narrow[mid * 2 + 1] < seq)) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    const wide = this.#wide!;
    const ms = BigInt(id.ms), seq = BigInt(id.seq);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = wide[mid * 2];
      if (m < ms || (m === ms && wide[mid * 2 + 1] < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bytes {@link sealInto} needs for `count` entries (a multiple of 8). */
  sealedSize(count: number): number {
    return this.#narrow !== undefined ? count * 8 : count * 16;
  }

  /**
   * Moves entries [0, count) into `buffer` at `offset` (8-byte aligned), dropping the spare
   * capacity: a sealed node keeps all its arrays in one buffer.
   */
  sealInto(count: number, buffer: ArrayBuffer, offset: number): void {
    if (this.#narrow !== undefined) {
      const view = new Uint32Array(buffer, offset, count * 2);
      view.set(this.#narrow.subarray(0, count * 2));
      this.#narrow = view;
    } else {
      const view = new BigUint64Array(buffer, offset, count * 2);
      view.set(this.#wide!.subarray(0, count * 2));
      this.#wide = view;
    }
  }

  /** Bytes held. */
  get byteLength(): number {
    return (this.#narrow ?? this.#wide)!.byteLength;
  }

  /** An independent copy. */
  clone(master: StreamId): IdColumn {
    const copy = new IdColumn(master, this.#limit);
    copy.#base = this.#base;
    copy.#narrow = this.#narrow?.slice();
    copy.#wide = this.#wide?.slice();
    return copy;
  }
}
