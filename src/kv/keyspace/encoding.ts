/**
 * How the keyspace holds bytes: keys as binary strings (one char code 0–255 per byte, so any
 * byte sequence is a key and `__proto__` is just a key), and small stored values as compact
 * copies that do not pin the socket read they arrived in.
 *
 * @module
 */

import { bytesToLatin1, latin1ToBytes } from "../../resp/bytes.ts";
import { Slab } from "../../resp/slab.ts";
import { FRESH_MAX } from "../../resp/input_buffer.ts";
import { cText } from "../../server/errors.ts";

/**
 * Turns key bytes into the keyspace's binary-string form (one char per byte): the codec's
 * Latin-1 conversion.
 *
 * @example
 * ```ts
 * import { keyOf } from "./encoding.ts";
 *
 * keyOf(new Uint8Array([0x6b, 0xff])); // "k\xff"
 * ```
 */
export const keyOf: (bytes: Uint8Array) => string = bytesToLatin1;

/**
 * `value` itself when it keeps little memory alive beyond its own bytes, else a compact copy
 * (up to 256 bytes, in a shared 16 KiB slab). On JavaScriptCore (Bun) an array of at most 32
 * bytes at offset 0 is kept as it is: that is what the decoder hands out there (fresh arrays
 * of their own), and asking such an array for its `buffer` costs more than the array.
 * Command arguments are views of the bytes of the socket read they came in (up to 64 KiB), so
 * the store copies a small value out of a large read before keeping it: a 16-byte value must
 * not pin a 64 KiB chunk. An argument that is most of its read is kept as it is, without a copy.
 *
 * @example
 * ```ts
 * import { compactBytes } from "./encoding.ts";
 *
 * const read = new Uint8Array(65536);
 * compactBytes(read.subarray(0, 16)).length; // 16: a copy, in a slab
 * compactBytes(read).buffer.byteLength; // 65536: kept as it is
 * ```
 */
export function compactBytes(value: Uint8Array): Uint8Array {
  const length = value.length;
  // The decoder's short arguments on JavaScriptCore are fresh arrays of their own, and there
  // reading `.buffer` of such an array costs more than the array (it gets a separate buffer).
  if (length <= FRESH_MAX && value.byteOffset === 0) return value;
  // At most half its size (plus a little) of other bytes kept alive: no copy.
  if (value.buffer.byteLength - length <= (length >> 1) + 64) return value;
  return VALUE_SLAB.copy(value, 0, length);
}

/** Copies `source` over `target` (same length); short ones byte by byte (no call). */
export function copyBytes(target: Uint8Array, source: Uint8Array): void {
  const length = source.length;
  if (length <= 32) { for (let i = 0; i < length; i++) target[i] = source[i]; }
  else target.set(source);
}

/** Small values are copied into shared 16 KiB slabs (one allocation for many values). */
const VALUE_SLAB = new Slab(16 * 1024, 256);

/**
 * Turns a binary-string key back into its bytes: the codec's Latin-1 conversion.
 *
 * @example
 * ```ts
 * import { keyBytes } from "./encoding.ts";
 *
 * keyBytes("k\xff"); // Uint8Array [0x6b, 0xff]
 * ```
 */
export const keyBytes: (key: string) => Uint8Array = latin1ToBytes;

/** A key (or group, consumer name) as C's `%s` prints it into an error text: up to a NUL. */
export function keyText(key: string): string {
  return cText(keyBytes(key));
}
