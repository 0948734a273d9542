/**
 * Bit operations on string values (Redis's bitops.c): population count, first set or clear
 * bit, and the bit fields of BITFIELD read and written at any bit offset. Bit 0 is the most
 * significant bit of the first byte. Whole bytes and 32-bit words at a time; bytes beyond
 * the end of a value read as zero.
 *
 * @module
 */

/** Set bits per byte value. */
const POPCOUNT8 = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT8[i] = (i & 1) + POPCOUNT8[i >> 1];

/**
 * Set bits per 16-bit value (64 KiB): two loads per 32-bit word beat the SWAR sum on V8 and
 * JavaScriptCore alike, dense or sparse.
 */
const POPCOUNT16 = new Uint8Array(65536);
for (let i = 1; i < 65536; i++) POPCOUNT16[i] = (i & 1) + POPCOUNT16[i >> 1];

/** Ranges shorter than this are counted byte by byte (no word view is made). */
const WORDS_FROM = 32;

/**
 * The number of set bits in `bytes[start, end)`.
 *
 * @example
 * ```ts
 * import { popcount } from "./bits.ts";
 *
 * popcount(new Uint8Array([0xff, 0x01]), 0, 2); // 9
 * ```
 */
export function popcount(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  let i = start;
  if (end - i >= WORDS_FROM) {
    // Head bytes up to a 4-byte aligned address, then whole words two at a time (a pair of
    // zero words, common in bitmaps, costs one test), then the tail.
    while (((bytes.byteOffset + i) & 3) !== 0) count += POPCOUNT8[bytes[i++]];
    const words = (end - i) >>> 2;
    const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    const pairs = words & ~1;
    const table = POPCOUNT16; // a local: V8 keeps it in a register
    let w = 0;
    for (; w < pairs; w += 2) {
      const x = view[w], y = view[w + 1];
      if ((x | y) !== 0) {
        count += table[x & 0xffff] + table[x >>> 16] + table[y & 0xffff] + table[y >>> 16];
      }
    }
    if (w < words) {
      const x = view[w];
      count += table[x & 0xffff] + table[x >>> 16];
    }
    i += words * 4;
  }
  while (i < end) count += POPCOUNT8[bytes[i++]];
  return count;
}

/**
 * The number of set bits in one byte.
 *
 * @example
 * ```ts
 * import { popcountByte } from "./bits.ts";
 *
 * popcountByte(0xf1); // 5
 * ```
 */
export function popcountByte(byte: number): number {
  return POPCOUNT8[byte & 0xff];
}

/**
 * Redis's `redisBitpos` over `bytes[start, start + count)`: the bit position (from `start`)
 * of the first bit equal to `bit`; when there is none, -1 looking for 1 and `count * 8`
 * looking for 0 (the string reads as padded with zeros on the right).
 *
 * @example
 * ```ts
 * import { bitpos } from "./bits.ts";
 *
 * bitpos(new Uint8Array([0x00, 0x10]), 0, 2, 1); // 11
 * bitpos(new Uint8Array([0xff]), 0, 1, 0); // 8
 * ```
 */
export function bitpos(bytes: Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  const end = start + count;
  let i = start;
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0 && bytes[i] === skip) i++;
  if (i < end && bytes[i] === skip) {
    const words = (end - i) >>> 2;
    const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    const skipWord = bit ? 0 : -1;
    let w = 0;
    while (w < words && view[w] === skipWord) w++;
    i += w * 4;
    while (i < end && bytes[i] === skip) i++;
  }
  if (i === end) return bit ? -1 : count * 8;
  const byte = bit ? bytes[i] : ~bytes[i] & 0xff;
  return (i - start) * 8 + Math.clz32(byte) - 24;
}

/**
 * The unsigned `bits`-wide field (1..64) at bit `offset` of `bytes`, zero-padded beyond the
 * end: a number up to 32 bits, a bigint above.
 *
 * @example
 * ```ts
 * import { getBits } from "./bits.ts";
 *
 * getBits(new Uint8Array([0x01, 0x70]), 7, 5); // 23
 * ```
 */
export function getBits(bytes: Uint8Array, offset: number, bits: number): number | bigint {
  const first = Math.floor(offset / 8);
  const skip = offset - first * 8;
  const span = (skip + bits + 7) >>> 3;
  const n = bytes.length;
  if (bits <= 32) {
    let window = 0;
    for (let k = 0; k < span; k++) {
      const j = first + k;
      window = window * 256 + (j < n ? bytes[j] : 0);
    }
    const low = span * 8 - skip - bits;
    return Math.floor(window / 2 ** low) % 2 ** bits;
  }
  let window = 0n;
  for (let k = 0; k < span; k++) {
    const j = first + k;
    window = (window << 8n) | BigInt(j < n ? bytes[j] : 0);
  }
  return (window >> BigInt(span * 8 - skip - bits)) & ((1n << BigInt(bits)) - 1n);
}

/**
 * Writes the low `bits` bits of `value` (1..64 bits) at bit `offset`; `bytes` must cover
 * the field.
 *
 * @example
 * ```ts
 * import { setBits } from "./bits.ts";
 *
 * const bytes = new Uint8Array(2);
 * setBits(bytes, 7, 5, 23); // bytes: 0x01 0x70
 * ```
 */
export function setBits(
  bytes: Uint8Array,
  offset: number,
  bits: number,
  value: number | bigint,
): void {
  const first = Math.floor(offset / 8);
  const skip = offset - first * 8;
  const span = (skip + bits + 7) >>> 3;
  const low = span * 8 - skip - bits;
  if (bits <= 32) {
    const field = typeof value === "bigint"
      ? Number(BigInt.asUintN(bits, value))
      : value % 2 ** bits;
    let window = 0;
    for (let k = 0; k < span; k++) window = window * 256 + bytes[first + k];
    const scale = 2 ** low;
    const old = Math.floor(window / scale) % 2 ** bits;
    window += (field - old) * scale;
    for (let k = span - 1; k >= 0; k--) {
      bytes[first + k] = window % 256;
      window = Math.floor(window / 256);
    }
    return;
  }
  const field = BigInt.asUintN(bits, BigInt(value));
  let window = 0n;
  for (let k = 0; k < span; k++) window = (window << 8n) | BigInt(bytes[first + k]);
  const mask = ((1n << BigInt(bits)) - 1n) << BigInt(low);
  window = (window & ~mask) | (field << BigInt(low));
  for (let k = span - 1; k >= 0; k--) {
    bytes[first + k] = Number(window & 0xffn);
    window >>= 8n;
  }
}

/** BITOP's operators. */
export type BitOperator = "and" | "or" | "xor" | "not";

/**
 * BITOP: `op` over `sources` (a missing key is an empty string), each read as padded with
 * zero bytes to the longest; the result is as long as the longest source.
 *
 * @example
 * ```ts
 * import { bitop } from "./bits.ts";
 *
 * bitop("or", [new Uint8Array([1]), new Uint8Array([2, 4])]); // [3, 4]
 * ```
 */
export function bitop(op: BitOperator, sources: readonly Uint8Array[]): Uint8Array {
  let max = 0;
  for (const s of sources) if (s.length > max) max = s.length;
  const out = new Uint8Array(max);
  const first = sources[0];
  if (op === "not") {
    out.set(first);
    const words = max >>> 2;
    const view = new Int32Array(out.buffer, 0, words);
    for (let w = 0; w < words; w++) view[w] = ~view[w];
    for (let i = words * 4; i < max; i++) out[i] = ~out[i] & 0xff;
    return out;
  }
  out.set(first);
  for (let s = 1; s < sources.length; s++) combine(op, out, sources[s]);
  return out;
}

/** `out[i] = out[i] op src[i]` over `src` (32-bit words when `src` is aligned), AND clears the rest. */
function combine(op: BitOperator, out: Uint8Array, src: Uint8Array): void {
  const n = src.length;
  let i = 0;
  if ((src.byteOffset & 3) === 0 && n >= 16) {
    const words = n >>> 2;
    const a = new Int32Array(out.buffer, 0, words);
    const b = new Int32Array(src.buffer, src.byteOffset, words);
    if (op === "and") { for (let w = 0; w < words; w++) a[w] &= b[w]; }
    else if (op === "or") { for (let w = 0; w < words; w++) a[w] |= b[w]; }
    else for (let w = 0; w < words; w++) a[w] ^= b[w];
    i = words * 4;
  }
  if (op === "and") {
    for (; i < n; i++) out[i] &= src[i];
    out.fill(0, n);
  } else if (op === "or") { for (; i < n; i++) out[i] |= src[i]; }
  else for (; i < n; i++) out[i] ^= src[i];
}
