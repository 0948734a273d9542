/**
 * FUNCTION DUMP / RESTORE payloads in Redis 7.0's format: per library the RDB opcode
 * FUNCTION2 (245) and its code as an RDB string, then the RDB version (10, little endian) and
 * a CRC-64 (Jones, reflected) of everything before it. Strings are written plain; LZF
 * compressed strings (what Redis writes for longer code) are read too.
 *
 * @module
 */

import { crc64 } from "../persistence/crc64.ts";

const RDB_VERSION = 10;
const OPCODE_FUNCTION2 = 245;

function rdbLength(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/**
 * The DUMP payload of library codes.
 *
 * @example
 * ```ts
 * import { dumpPayload, readPayload } from "./dump.ts";
 *
 * const code = new TextEncoder().encode("#!lua name=x\n");
 * readPayload(dumpPayload([code])); // [code]
 * ```
 */
export function dumpPayload(codes: readonly Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  for (const code of codes) {
    parts.push(OPCODE_FUNCTION2, ...rdbLength(code.length));
    for (const b of code) parts.push(b);
  }
  parts.push(RDB_VERSION & 0xff, RDB_VERSION >> 8);
  const body = new Uint8Array(parts);
  const out = new Uint8Array(body.length + 8);
  out.set(body);
  new DataView(out.buffer).setBigUint64(body.length, crc64(body), true);
  return out;
}

/** LZF decompression (lzf_d.c). */
function lzfDecompress(input: Uint8Array, outLength: number): Uint8Array | undefined {
  const out = new Uint8Array(outLength);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLength || ip + ctrl > input.length) return undefined;
      out.set(input.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) len += input[ip++];
      ref -= input[ip++];
      len += 2;
      if (ref < 0 || op + len > outLength) return undefined;
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  return op === outLength ? out : undefined;
}

/** Reads payloads; the library codes, or an error text (Redis's words). */
export function readPayload(payload: Uint8Array): Uint8Array[] | string {
  const n = payload.length;
  if (n < 10) return "ERR DUMP payload version or checksum are wrong";
  const version = payload[n - 10] | (payload[n - 9] << 8);
  const view = new DataView(payload.buffer, payload.byteOffset, n);
  if (
    version > RDB_VERSION || view.getBigUint64(n - 8, true) !== crc64(payload.subarray(0, n - 8))
  ) {
    return "ERR DUMP payload version or checksum are wrong";
  }
  const codes: Uint8Array[] = [];
  let at = 0;
  const end = n - 10;
  const length = (): number | undefined => {
    const first = payload[at++];
    const kind = first >> 6;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | payload[at++];
    if (first === 0x80) {
      const v = view.getUint32(at);
      at += 4;
      return v;
    }
    return undefined;
  };
  while (at < end) {
    const type = payload[at++];
    if (type !== OPCODE_FUNCTION2) return "ERR given type is not a function";
    const first = payload[at];
    if (first === 0xc3) {
      at++;
      const clen = length();
      const len = length();
      if (clen === undefined || len === undefined) {
        return "ERR failed loading the given functions payload";
      }
      const code = lzfDecompress(payload.subarray(at, at + clen), len);
      if (code === undefined) return "ERR failed loading the given functions payload";
      at += clen;
      codes.push(code);
      continue;
    }
    const len = length();
    if (len === undefined || at + len > end) {
      return "ERR failed loading the given functions payload";
    }
    codes.push(payload.slice(at, at + len));
    at += len;
  }
  return codes;
}
