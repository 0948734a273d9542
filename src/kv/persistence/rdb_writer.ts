/**
 * The writing half of RDB's primitives (rdb.c): lengths, strings with their integer
 * encodings, binary doubles, raw bytes.
 *
 * @module
 */

/**
 * A growable byte buffer with RDB's primitive encodings (lengths, strings, doubles).
 *
 * @example
 * ```ts
 * import { ByteWriter } from "./rdb_writer.ts";
 *
 * const w = new ByteWriter();
 * w.length(300);
 * w.result(); // [0x41, 0x2c]
 * ```
 */
export class ByteWriter {
  #buffer = new Uint8Array(256);
  #length = 0;

  #reserve(n: number): void {
    if (this.#length + n <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
  }

  /** One byte. */
  byte(b: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = b;
  }

  /** Raw bytes. */
  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buffer.set(data, this.#length);
    this.#length += data.length;
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian lengths (64-bit as a bigint too). */
  length(n: number | bigint): void {
    if (typeof n === "number" && n < 64) this.byte(n);
    else if (typeof n === "number" && n < 16384) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.byte(0x80);
      const v = Number(n);
      for (let k = 3; k >= 0; k--) this.byte(Math.floor(v / 2 ** (8 * k)) & 0xff);
    } else {
      this.byte(0x81);
      this.bigEndian64(BigInt(n));
    }
  }

  /** An unsigned 64-bit integer, big endian (stream IDs in their raw 128-bit form). */
  bigEndian64(n: bigint): void {
    for (let k = 7n; k >= 0n; k--) this.byte(Number((n >> (8n * k)) & 0xffn));
  }

  /** rdbSaveMillisecondTime: a signed 64-bit integer, little endian. */
  millis(ms: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(Math.trunc(ms)), true);
    this.bytes(b);
  }

  /** rdbSaveRawString: a short decimal integer in its int encoding, else length + bytes. */
  string(data: Uint8Array): void {
    if (data.length <= 11) {
      const n = smallInteger(data);
      if (n !== undefined) return this.integer(n);
    }
    this.length(data.length);
    this.bytes(data);
  }

  /** rdbEncodeInteger: 0xC0 int8, 0xC1 int16, 0xC2 int32, little endian. */
  integer(n: number): void {
    if (n >= -128 && n <= 127) {
      this.byte(0xc0);
      this.byte(n & 0xff);
    } else if (n >= -32768 && n <= 32767) {
      this.byte(0xc1);
      this.byte(n & 0xff);
      this.byte((n >> 8) & 0xff);
    } else {
      this.byte(0xc2);
      for (let k = 0; k < 4; k++) this.byte((n >> (8 * k)) & 0xff);
    }
  }

  /** A binary double, little endian (RDB_TYPE_ZSET_2 scores). */
  double(x: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    this.bytes(b);
  }

  /** The bytes written. */
  result(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

/** A strict decimal integer within int32 (rdbTryIntegerEncoding), or undefined. */
function smallInteger(data: Uint8Array): number | undefined {
  const n = data.length;
  if (n === 0) return undefined;
  let i = data[0] === 45 ? 1 : 0;
  if (i === n) return undefined;
  if (data[i] === 48) return n === 1 ? 0 : undefined;
  for (; i < n; i++) if (data[i] < 48 || data[i] > 57) return undefined;
  const v = Number(String.fromCharCode(...data));
  return v >= -2147483648 && v <= 2147483647 ? v : undefined;
}
