/**
 * Redis's listpack (listpack.c) and intset (intset.c) blobs, as RDB payloads carry small
 * hashes, sorted sets, list nodes and integer sets: encoding from byte strings (integers
 * stored as integers, as `lpAppend` does) and decoding back to byte strings.
 *
 * @module
 */

import { stringAsLong } from "../values/encoding.ts";

const encoder = new TextEncoder();

/** Bytes of the back-length field for an entry of `length` bytes. */
function backlenSize(length: number): number {
  if (length <= 127) return 1;
  if (length < 16383) return 2;
  if (length < 2097151) return 3;
  if (length < 268435455) return 4;
  return 5;
}

function writeBacklen(out: number[], length: number): void {
  const size = backlenSize(length);
  // Most significant 7-bit group first; every byte but the first has its top bit set.
  for (let k = size - 1; k >= 0; k--) {
    const group = Math.floor(length / 2 ** (7 * k)) & 127;
    out.push(k === size - 1 ? group : group | 128);
  }
}

/** Appends one entry (encoding, data, back length) to `out`. */
function writeEntry(out: number[], bytes: Uint8Array): void {
  const start = out.length;
  const int = stringAsLong(bytes); // lpStringToInt64: strict decimal within int64
  if (int !== undefined) {
    const v = Number(int);
    if (int >= 0n && int <= 127n) out.push(v);
    else if (int >= -4096n && int <= 4095n) {
      const u = v < 0 ? v + 8192 : v;
      out.push(0xc0 | (u >> 8), u & 0xff);
    } else if (int >= -32768n && int <= 32767n) out.push(0xf1, v & 0xff, (v >> 8) & 0xff);
    else if (int >= -8388608n && int <= 8388607n) {
      out.push(0xf2, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff);
    } else if (int >= -2147483648n && int <= 2147483647n) {
      out.push(0xf3, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    } else {
      let u = BigInt.asUintN(64, int);
      out.push(0xf4);
      for (let k = 0; k < 8; k++, u >>= 8n) out.push(Number(u & 0xffn));
    }
  } else {
    const n = bytes.length;
    if (n < 64) out.push(0x80 | n);
    else if (n < 4096) out.push(0xe0 | (n >> 8), n & 0xff);
    else out.push(0xf0, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
    for (let k = 0; k < n; k++) out.push(bytes[k]);
  }
  writeBacklen(out, out.length - start);
}

/**
 * A listpack holding `entries` in order.
 *
 * @example
 * ```ts
 * import { decodeListpack, encodeListpack } from "./listpack.ts";
 *
 * const lp = encodeListpack([new TextEncoder().encode("a"), new TextEncoder().encode("12")]);
 * decodeListpack(lp)?.length; // 2
 * ```
 */
export function encodeListpack(entries: readonly Uint8Array[]): Uint8Array {
  const out: number[] = [0, 0, 0, 0, 0, 0];
  for (const entry of entries) writeEntry(out, entry);
  out.push(0xff);
  const lp = new Uint8Array(out);
  const view = new DataView(lp.buffer);
  view.setUint32(0, lp.length, true);
  view.setUint16(4, entries.length < 65535 ? entries.length : 65535, true);
  return lp;
}

/**
 * The entries of a listpack as byte strings (integers in decimal), or undefined when the
 * blob is malformed.
 *
 * @example
 * ```ts
 * import { decodeListpack } from "./listpack.ts";
 *
 * decodeListpack(new Uint8Array([9, 0, 0, 0, 1, 0, 5, 1, 255])); // [Uint8Array "5"]
 * ```
 */
export function decodeListpack(lp: Uint8Array): Uint8Array[] | undefined {
  if (lp.length < 7) return undefined;
  const view = new DataView(lp.buffer, lp.byteOffset, lp.length);
  if (view.getUint32(0, true) !== lp.length || lp[lp.length - 1] !== 0xff) return undefined;
  const out: Uint8Array[] = [];
  let at = 6;
  const end = lp.length - 1;
  while (at < end) {
    const start = at;
    const b = lp[at];
    let value: Uint8Array | undefined;
    let int: number | bigint | undefined;
    if (b < 0x80) {
      int = b;
      at += 1;
    } else if ((b & 0xc0) === 0x80) {
      const n = b & 0x3f;
      value = lp.subarray(at + 1, at + 1 + n);
      at += 1 + n;
    } else if ((b & 0xe0) === 0xc0) {
      const u = ((b & 0x1f) << 8) | lp[at + 1];
      int = u >= 4096 ? u - 8192 : u;
      at += 2;
    } else if ((b & 0xf0) === 0xe0) {
      const n = ((b & 0x0f) << 8) | lp[at + 1];
      value = lp.subarray(at + 2, at + 2 + n);
      at += 2 + n;
    } else if (b === 0xf0) {
      if (at + 5 > end) return undefined;
      const n = view.getUint32(at + 1, true);
      value = lp.subarray(at + 5, at + 5 + n);
      at += 5 + n;
    } else if (b === 0xf1) {
      if (at + 3 > end) return undefined;
      int = view.getInt16(at + 1, true);
      at += 3;
    } else if (b === 0xf2) {
      if (at + 4 > end) return undefined;
      const u = lp[at + 1] | (lp[at + 2] << 8) | (lp[at + 3] << 16);
      int = u >= 0x800000 ? u - 0x1000000 : u;
      at += 4;
    } else if (b === 0xf3) {
      if (at + 5 > end) return undefined;
      int = view.getInt32(at + 1, true);
      at += 5;
    } else if (b === 0xf4) {
      if (at + 9 > end) return undefined;
      int = view.getBigInt64(at + 1, true);
      at += 9;
    } else return undefined;
    if (at > end) return undefined;
    at += backlenSize(at - start);
    if (at > end) return undefined;
    out.push(value !== undefined ? value.slice() : encoder.encode(String(int)));
  }
  return at === end ? out : undefined;
}

/**
 * An intset blob (intset.c: encoding width, length, sorted little-endian integers) of
 * `values`, sorted here.
 *
 * @example
 * ```ts
 * import { decodeIntset, encodeIntset } from "./listpack.ts";
 *
 * decodeIntset(encodeIntset([3n, -1n])); // [-1n, 3n]
 * ```
 */
export function encodeIntset(values: readonly bigint[]): Uint8Array {
  const sorted = values.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of sorted) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const out = new Uint8Array(8 + width * sorted.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, width, true);
  view.setUint32(4, sorted.length, true);
  sorted.forEach((v, i) => {
    const at = 8 + i * width;
    if (width === 2) view.setInt16(at, Number(v), true);
    else if (width === 4) view.setInt32(at, Number(v), true);
    else view.setBigInt64(at, v, true);
  });
  return out;
}

/**
 * The integers of an intset blob, or undefined when it is malformed.
 *
 * @example
 * ```ts
 * import { decodeIntset, encodeIntset } from "./listpack.ts";
 *
 * decodeIntset(encodeIntset([7n])); // [7n]
 * ```
 */
export function decodeIntset(blob: Uint8Array): bigint[] | undefined {
  if (blob.length < 8) return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.length);
  const width = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  if ((width !== 2 && width !== 4 && width !== 8) || blob.length !== 8 + width * count) {
    return undefined;
  }
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * width;
    if (width === 2) out.push(BigInt(view.getInt16(at, true)));
    else if (width === 4) out.push(BigInt(view.getInt32(at, true)));
    else out.push(view.getBigInt64(at, true));
  }
  return out;
}
