/**
 * The reading half of RDB's primitives (rdb.c): lengths, strings (plain, integer-encoded or
 * LZF-compressed), doubles; malformed data throws {@link BadFormat}.
 *
 * @module
 */

import { keyOf } from "../keyspace/encoding.ts";
import { lzfDecompress } from "./lzf.ts";

/**
 * Thrown when RDB data is malformed (the decoder turns it into "Bad data format").
 *
 * @example
 * ```ts
 * import { BadFormat } from "./rdb_reader.ts";
 *
 * new BadFormat("Bad data format").message; // "Bad data format"
 * ```
 */
export class BadFormat extends Error {}

/**
 * Throws {@link BadFormat}.
 *
 * @example
 * ```ts
 * import { bad } from "./rdb_reader.ts";
 *
 * const check = (ok: boolean): void => {
 *   if (!ok) bad();
 * };
 * ```
 */
export function bad(): never {
  throw new BadFormat("Bad data format");
}

const encoder = new TextEncoder();

/**
 * A cursor over RDB bytes.
 *
 * @example
 * ```ts
 * import { ByteReader } from "./rdb_reader.ts";
 *
 * new ByteReader(new Uint8Array([0x41, 0x2c])).length(); // 300
 * ```
 */
export class ByteReader {
  readonly #data: Uint8Array;
  readonly #view: DataView;
  /** Offset of the next byte. */
  at = 0;

  /** A reader at the start of `data`. */
  constructor(data: Uint8Array) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.length);
  }

  /** One byte. */
  byte(): number {
    if (this.at >= this.#data.length) bad();
    return this.#data[this.at++];
  }

  /** The next `n` bytes (a view). */
  take(n: number): Uint8Array {
    if (n < 0 || this.at + n > this.#data.length) bad();
    const out = this.#data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** rdbLoadLenByRef: a length, or `{ encoding }` for a special string encoding. */
  lengthOrEncoding(): number | { encoding: number } {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | this.byte();
    if (kind === 3) return { encoding: first & 0x3f };
    if (first === 0x80) {
      const v = this.#view.getUint32(this.take(4).byteOffset - this.#data.byteOffset);
      return v;
    }
    if (first === 0x81) {
      const at = this.take(8).byteOffset - this.#data.byteOffset;
      const v = this.#view.getBigUint64(at);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad();
      return Number(v);
    }
    return bad();
  }

  /** A length that may exceed 2^53 (stream IDs and counters): a bigint when it does. */
  length64(): number | bigint {
    const first = this.byte();
    if (first !== 0x81) {
      this.at--;
      return this.length();
    }
    const v = this.bigEndian64();
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** An unsigned 64-bit big-endian integer. */
  bigEndian64(): bigint {
    const at = this.take(8).byteOffset - this.#data.byteOffset;
    return this.#view.getBigUint64(at);
  }

  /** rdbLoadMillisecondTime: a signed 64-bit little-endian integer. */
  millis(): number {
    const at = this.take(8).byteOffset - this.#data.byteOffset;
    return Number(this.#view.getBigInt64(at, true));
  }

  /** A length (a special string encoding is an error here). */
  length(): number {
    const n = this.lengthOrEncoding();
    if (typeof n !== "number") bad();
    return n;
  }

  /** rdbGenericLoadStringObject: plain, int-encoded or LZF-compressed. */
  string(): Uint8Array {
    const n = this.lengthOrEncoding();
    if (typeof n === "number") return this.take(n).slice();
    switch (n.encoding) {
      case 0:
        return encoder.encode(String((this.byte() << 24) >> 24));
      case 1: {
        const b = this.take(2);
        return encoder.encode(String(((b[0] | (b[1] << 8)) << 16) >> 16));
      }
      case 2: {
        const b = this.take(4);
        return encoder.encode(String(b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)));
      }
      case 3: {
        const compressed = this.length();
        const length = this.length();
        const out = lzfDecompress(this.take(compressed), length);
        return out ?? bad();
      }
      default:
        return bad();
    }
  }

  /** A binary little-endian double (RDB_TYPE_ZSET_2). */
  binaryDouble(): number {
    const at = this.take(8).byteOffset - this.#data.byteOffset;
    return this.#view.getFloat64(at, true);
  }

  /** rdbLoadDoubleValue: a length byte (253 nan, 254 inf, 255 -inf) and ASCII digits. */
  textDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    return Number(keyOf(this.take(n)));
  }
}
