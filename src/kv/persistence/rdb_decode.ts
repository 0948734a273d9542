/**
 * Reading RDB-serialised values (Redis 7.0's rdbLoadObjectType / rdbLoadObject) and
 * verifying DUMP payloads: every type a Redis 7.0 DUMP writes for strings, lists, sets,
 * hashes and sorted sets (listpacks, intsets, quicklists, LZF-compressed strings). The
 * values built follow this server's encoding rules, as Redis converts loaded values by its
 * thresholds.
 *
 * @module
 */

import { keyOf } from "../keyspace/encoding.ts";
import type { KeyValue } from "../keyspace/values.ts";
import { RedisHash } from "../values/hash.ts";
import { RedisList } from "../values/list.ts";
import { RedisSet } from "../values/set.ts";
import { RedisZSet } from "../values/zset.ts";
import { crc64 } from "./crc64.ts";
import { decodeIntset, decodeListpack } from "./listpack.ts";
import { lzfDecompress } from "./lzf.ts";
import { BAD_PAYLOAD, QuicklistContainer, RDB_VERSION, RdbType } from "./rdb_types.ts";

/** Thrown (and caught by {@link decodeValue}) when the data is malformed. */
class BadFormat extends Error {}

function bad(): never {
  throw new BadFormat("Bad data format");
}

const encoder = new TextEncoder();

/** A cursor over RDB bytes. */
class ByteReader {
  readonly #data: Uint8Array;
  readonly #view: DataView;
  at = 0;

  constructor(data: Uint8Array) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.length);
  }

  byte(): number {
    if (this.at >= this.#data.length) bad();
    return this.#data[this.at++];
  }

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

/** A score read from a listpack entry (strtod of its text). */
function parseScore(bytes: Uint8Array): number {
  const text = keyOf(bytes).toLowerCase();
  if (text === "inf" || text === "+inf") return Infinity;
  if (text === "-inf") return -Infinity;
  const v = Number(text);
  if (text.trim() === "" || Number.isNaN(v)) bad();
  return v;
}

function readListpack(r: ByteReader): Uint8Array[] {
  return decodeListpack(r.string()) ?? bad();
}

function readList(r: ByteReader, type: number): RedisList {
  const list = new RedisList();
  const count = r.length();
  for (let i = 0; i < count; i++) {
    if (type === RdbType.LIST) {
      list.pushBack(r.string());
      continue;
    }
    const container = r.length();
    if (container === QuicklistContainer.PLAIN) list.pushBack(r.string());
    else if (container === QuicklistContainer.PACKED) {
      for (const item of readListpack(r)) list.pushBack(item);
    } else bad();
  }
  return list;
}

function readSet(r: ByteReader, type: number): RedisSet {
  const set = new RedisSet();
  if (type === RdbType.SET_INTSET) {
    for (const v of decodeIntset(r.string()) ?? bad()) set.add(v.toString());
    return set;
  }
  const count = r.length();
  for (let i = 0; i < count; i++) if (!set.add(keyOf(r.string()))) bad();
  return set;
}

function readHash(r: ByteReader, type: number): RedisHash {
  const hash = new RedisHash();
  const add = (field: Uint8Array, value: Uint8Array) => {
    const name = keyOf(field);
    if (hash.has(name)) bad();
    hash.set(name, value);
  };
  if (type === RdbType.HASH_LISTPACK) {
    const entries = readListpack(r);
    if (entries.length % 2 !== 0) bad();
    for (let i = 0; i < entries.length; i += 2) add(entries[i], entries[i + 1]);
    return hash;
  }
  const count = r.length();
  for (let i = 0; i < count; i++) add(r.string(), r.string());
  return hash;
}

function readZSet(r: ByteReader, type: number): RedisZSet {
  const zset = new RedisZSet();
  const add = (member: Uint8Array, score: number) => {
    const name = keyOf(member);
    if (Number.isNaN(score) || zset.score(name) !== undefined) bad();
    zset.add(score, name);
  };
  if (type === RdbType.ZSET_LISTPACK) {
    const entries = readListpack(r);
    if (entries.length % 2 !== 0) bad();
    for (let i = 0; i < entries.length; i += 2) add(entries[i], parseScore(entries[i + 1]));
    return zset;
  }
  const count = r.length();
  for (let i = 0; i < count; i++) {
    const member = r.string();
    add(member, type === RdbType.ZSET_2 ? r.binaryDouble() : r.textDouble());
  }
  return zset;
}

function readValue(r: ByteReader): KeyValue {
  const type = r.byte();
  let value: RedisList | RedisSet | RedisHash | RedisZSet;
  switch (type) {
    case RdbType.STRING:
      return r.string();
    case RdbType.LIST:
    case RdbType.LIST_QUICKLIST_2:
      value = readList(r, type);
      break;
    case RdbType.SET:
    case RdbType.SET_INTSET:
      value = readSet(r, type);
      break;
    case RdbType.HASH:
    case RdbType.HASH_LISTPACK:
      value = readHash(r, type);
      break;
    case RdbType.ZSET:
    case RdbType.ZSET_2:
    case RdbType.ZSET_LISTPACK:
      value = readZSet(r, type);
      break;
    default:
      return bad();
  }
  // Redis refuses empty collections (RDB_LOAD_ERR_EMPTY_KEY).
  const size = value instanceof RedisList ? value.length : value.size;
  if (size === 0) bad();
  return value;
}

/**
 * Reads one serialised value (type byte and value) from the start of `data`; undefined when it
 * is malformed, of a type this decoder does not read, or an empty collection.
 *
 * @example
 * ```ts
 * import { decodeValue } from "./rdb_decode.ts";
 *
 * decodeValue(new Uint8Array([0, 0xc0, 12])); // Uint8Array "12"
 * ```
 */
export function decodeValue(data: Uint8Array): KeyValue | undefined {
  try {
    const r = new ByteReader(data);
    const value = readValue(r);
    return value;
  } catch (error) {
    if (error instanceof BadFormat) return undefined;
    throw error;
  }
}

/**
 * Checks a DUMP payload's footer (RDB version at most 10, CRC-64) as Redis's
 * verifyDumpPayload does; returns the serialised value before the footer, or Redis's error.
 *
 * @example
 * ```ts
 * import { verifyPayload } from "./rdb_decode.ts";
 *
 * verifyPayload(new Uint8Array(3)); // "ERR DUMP payload version or checksum are wrong"
 * ```
 */
export function verifyPayload(payload: Uint8Array): Uint8Array | string {
  const n = payload.length;
  if (n < 10) return BAD_PAYLOAD;
  const version = payload[n - 10] | (payload[n - 9] << 8);
  if (version > RDB_VERSION) return BAD_PAYLOAD;
  const view = new DataView(payload.buffer, payload.byteOffset, n);
  if (view.getBigUint64(n - 8, true) !== crc64(payload.subarray(0, n - 8))) return BAD_PAYLOAD;
  return payload.subarray(0, n - 10);
}
