/**
 * Reading RDB-serialised values (Redis 7.0's rdbLoadObjectType / rdbLoadObject) and
 * verifying DUMP payloads: every type a Redis 7.0 DUMP writes for strings, lists, sets,
 * hashes, sorted sets and streams (listpacks, intsets, quicklists, LZF-compressed strings). The
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
import { BAD_PAYLOAD, QuicklistContainer, RDB_VERSION, RdbType } from "./rdb_types.ts";
import { bad, BadFormat, ByteReader } from "./rdb_reader.ts";
import { readStream } from "./rdb_stream.ts";

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
      list.pushBack(keyOf(r.string()));
      continue;
    }
    const container = r.length();
    if (container === QuicklistContainer.PLAIN) list.pushBack(keyOf(r.string()));
    else if (container === QuicklistContainer.PACKED) {
      for (const item of readListpack(r)) list.pushBack(keyOf(item));
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
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
      return readStream(r, type === RdbType.STREAM_LISTPACKS);
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
