/**
 * Small byte strings copied into shared append-only slabs, like Node's Buffer pool: one
 * allocation per slab instead of one per copy. In Deno every new typed array gets a backing
 * store of its own, which costs many times a view of an existing buffer (figures:
 * `bench/README.md`, "Codec engine notes"); a view is cheap on every engine.
 *
 * @module
 */

/**
 * Copies into an append-only slab: bytes handed out are never written again, so each copy is
 * the caller's to keep; a kept copy keeps its slab (`size` bytes) alive.
 *
 * @example
 * ```ts
 * import { Slab } from "./slab.ts";
 *
 * const slab = new Slab(16 * 1024, 256);
 * const source = new Uint8Array([1, 2, 3, 4]);
 * const copy = slab.copy(source, 1, 3); // Uint8Array [2, 3], a view of the slab
 * ```
 */
export class Slab {
  #size: number;
  #max: number;
  #buffer: ArrayBuffer = new ArrayBuffer(0);
  #bytes: Uint8Array = new Uint8Array(this.#buffer);
  #used = 0;

  /**
   * Slabs of `size` bytes; copies longer than `max` bytes (at most `size`) get a buffer of
   * their own.
   */
  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max < size ? max : size;
  }

  /** `source[start:end]` as a copy the caller owns. */
  copy(source: Uint8Array, start: number, end: number): Uint8Array {
    const length = end - start;
    if (length > this.#max) return source.slice(start, end);
    let at = this.#used;
    if (this.#bytes.length - at < length) {
      this.#buffer = new ArrayBuffer(this.#size);
      this.#bytes = new Uint8Array(this.#buffer);
      at = 0;
    }
    const bytes = this.#bytes;
    if (length <= 32) {
      for (let i = 0; i < length; i++) bytes[at + i] = source[start + i];
    } else {
      bytes.set(source.subarray(start, end), at);
    }
    this.#used = at + length;
    return new Uint8Array(this.#buffer, at, length);
  }
}
