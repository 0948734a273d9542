/**
 * Redis's CRC-64 (crc64.c: the Jones polynomial, reflected in and out, initial value 0), the
 * checksum of DUMP payloads, FUNCTION DUMP payloads and RDB files. Computed a byte at a time
 * over two 32-bit halves (no bigint arithmetic in the loop).
 *
 * @module
 */

/** The reflected Jones polynomial 0xad93d23594c935a9, bit-reversed: 0x95ac9329ac4bc9b5. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

let tableHi: Uint32Array | undefined;
let tableLo: Uint32Array | undefined;

function buildTables(): void {
  tableHi = new Uint32Array(256);
  tableLo = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry !== 0) {
        hi = (hi ^ POLY_HI) >>> 0;
        lo = (lo ^ POLY_LO) >>> 0;
      }
    }
    tableHi[i] = hi;
    tableLo[i] = lo;
  }
}

/**
 * Redis's crc64 of `bytes`, continuing from `crc` (0 to start).
 *
 * @example
 * ```ts
 * import { crc64 } from "./crc64.ts";
 *
 * crc64(new TextEncoder().encode("123456789")); // 0xe9c6d914c4b8d9can (Redis's test vector)
 * ```
 */
export function crc64(bytes: Uint8Array, crc = 0n): bigint {
  if (tableHi === undefined) buildTables();
  const th = tableHi!;
  const tl = tableLo!;
  let hi = Number((crc >> 32n) & 0xffffffffn);
  let lo = Number(crc & 0xffffffffn);
  for (let i = 0; i < bytes.length; i++) {
    const index = (lo ^ bytes[i]) & 0xff;
    lo = (tl[index] ^ ((lo >>> 8) | (hi << 24))) >>> 0;
    hi = (th[index] ^ (hi >>> 8)) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}
