/**
 * The RDB serialisation of one value (Redis 7.0's rdbSaveObjectType / rdbSaveObject) and
 * DUMP payloads (the value, the 2-byte RDB version and the CRC-64 of both). Small hashes and
 * sorted sets are written as listpacks, integer sets as intsets, lists as quicklists of
 * listpack nodes, like Redis writes them; strings are never LZF-compressed (Redis reads both).
 *
 * @module
 */

import { formatDouble } from "../../resp/bytes.ts";
import { keyBytes } from "../keyspace/encoding.ts";
import type { KeyValue } from "../keyspace/values.ts";
import type { RedisHash } from "../values/hash.ts";
import type { RedisList } from "../values/list.ts";
import type { RedisSet } from "../values/set.ts";
import type { RedisZSet } from "../values/zset.ts";
import { crc64 } from "./crc64.ts";
import { encodeIntset, encodeListpack } from "./listpack.ts";
import { QuicklistContainer, RDB_VERSION, RdbType } from "./rdb_types.ts";

/** Bytes of one quicklist node at list-max-listpack-size -2 (8 kB). */
const NODE_BYTES = 8192;

/** A growable byte buffer. */
class ByteWriter {
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

  byte(b: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = b;
  }

  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buffer.set(data, this.#length);
    this.#length += data.length;
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian lengths. */
  length(n: number): void {
    if (n < 64) this.byte(n);
    else if (n < 16384) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.byte(0x80);
      for (let k = 3; k >= 0; k--) this.byte(Math.floor(n / 2 ** (8 * k)) & 0xff);
    } else {
      this.byte(0x81);
      for (let k = 7; k >= 0; k--) this.byte(Math.floor(n / 2 ** (8 * k)) & 0xff);
    }
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

/** A score as a listpack stores it (d2string: integers in decimal, else `%.17g`). */
function scoreBytes(score: number): Uint8Array {
  return keyBytes(formatDouble(score === 0 ? 0 : score));
}

function writeList(w: ByteWriter, list: RedisList): void {
  const nodes: Uint8Array[][] = [];
  let node: Uint8Array[] = [];
  let bytes = 0;
  for (const item of list) {
    const size = item.length + 11;
    if (node.length > 0 && bytes + size > NODE_BYTES) {
      nodes.push(node);
      node = [];
      bytes = 0;
    }
    node.push(item);
    bytes += size;
  }
  if (node.length > 0) nodes.push(node);
  w.length(nodes.length);
  for (const entries of nodes) {
    w.length(QuicklistContainer.PACKED);
    w.string(encodeListpack(entries));
  }
}

function writeValue(w: ByteWriter, value: KeyValue): void {
  if (value instanceof Uint8Array) {
    w.byte(RdbType.STRING);
    w.string(value);
    return;
  }
  switch (value.type) {
    case "list":
      w.byte(RdbType.LIST_QUICKLIST_2);
      writeList(w, value as RedisList);
      return;
    case "set": {
      const set = value as RedisSet;
      if (set.intset) {
        w.byte(RdbType.SET_INTSET);
        w.string(encodeIntset(set.ordered().map((m) => BigInt(m))));
        return;
      }
      w.byte(RdbType.SET);
      w.length(set.size);
      for (const member of set.ordered()) w.string(keyBytes(member));
      return;
    }
    case "hash": {
      const hash = value as RedisHash;
      if (hash.listpack) {
        const entries: Uint8Array[] = [];
        for (const [field, v] of hash) entries.push(keyBytes(field), v);
        w.byte(RdbType.HASH_LISTPACK);
        w.string(encodeListpack(entries));
        return;
      }
      w.byte(RdbType.HASH);
      w.length(hash.size);
      for (const [field, v] of hash) {
        w.string(keyBytes(field));
        w.string(v);
      }
      return;
    }
    case "zset": {
      const zset = value as RedisZSet;
      if (zset.listpack) {
        const entries: Uint8Array[] = [];
        for (const node of zset.list) entries.push(keyBytes(node.member), scoreBytes(node.score));
        w.byte(RdbType.ZSET_LISTPACK);
        w.string(encodeListpack(entries));
        return;
      }
      // Redis writes a skiplist from its tail, so that loading inserts at the head.
      const nodes = [...zset.list];
      w.byte(RdbType.ZSET_2);
      w.length(nodes.length);
      for (let i = nodes.length - 1; i >= 0; i--) {
        w.string(keyBytes(nodes[i].member));
        w.double(nodes[i].score);
      }
      return;
    }
    default:
      throw new RangeError(`no RDB encoding for a ${value.type} here yet`);
  }
}

/**
 * The RDB object type byte and serialised value of `value` (what an RDB file holds after a
 * key). Throws a RangeError for a type this encoder does not write (streams).
 *
 * @example
 * ```ts
 * import { encodeValue } from "./rdb_encode.ts";
 *
 * encodeValue(new TextEncoder().encode("12")); // [0, 0xc0, 12]: a string, int8-encoded
 * ```
 */
export function encodeValue(value: KeyValue): Uint8Array {
  const w = new ByteWriter();
  writeValue(w, value);
  return w.result();
}

/**
 * A DUMP payload: the serialised value, RDB version 10 (2 bytes, little endian) and the
 * CRC-64 of both (8 bytes, little endian).
 *
 * @example
 * ```ts
 * import { dumpValue } from "./rdb_encode.ts";
 *
 * dumpValue(new TextEncoder().encode("hello")).length; // 1 + 6 + 10
 * ```
 */
export function dumpValue(value: KeyValue): Uint8Array {
  const body = encodeValue(value);
  const out = new Uint8Array(body.length + 10);
  out.set(body);
  out[body.length] = RDB_VERSION & 0xff;
  out[body.length + 1] = RDB_VERSION >> 8;
  const view = new DataView(out.buffer);
  view.setBigUint64(body.length + 2, crc64(out.subarray(0, body.length + 2)), true);
  return out;
}
