/**
 * The RDB serialisation of one value (Redis 7.0's rdbSaveObjectType / rdbSaveObject) and
 * DUMP payloads (the value, the 2-byte RDB version and the CRC-64 of both). Small hashes and
 * sorted sets are written as listpacks, integer sets as intsets, lists as quicklists of
 * listpack nodes, streams as listpack nodes with their groups, like Redis writes them; strings are never LZF-compressed (Redis reads both).
 *
 * @module
 */

import { formatDouble } from "../../resp/bytes.ts";
import { keyBytes } from "../keyspace/encoding.ts";
import type { KeyValue } from "../keyspace/values.ts";
import type { RedisHash } from "../values/hash.ts";
import type { RedisList } from "../values/list.ts";
import type { RedisSet } from "../values/set.ts";
import type { RedisStream } from "../values/stream.ts";
import type { RedisZSet } from "../values/zset.ts";
import { crc64 } from "./crc64.ts";
import { encodeIntset, encodeListpack } from "./listpack.ts";
import { writeStream } from "./rdb_stream.ts";
import { QuicklistContainer, RDB_VERSION, RdbType } from "./rdb_types.ts";
import { ByteWriter } from "./rdb_writer.ts";

/** Bytes of one quicklist node at list-max-listpack-size -2 (8 kB). */
const NODE_BYTES = 8192;

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
    node.push(keyBytes(item));
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
        zset.forEach((member, score) => entries.push(keyBytes(member), scoreBytes(score)));
        w.byte(RdbType.ZSET_LISTPACK);
        w.string(encodeListpack(entries));
        return;
      }
      // Redis writes a skiplist from its tail, so that loading inserts at the head.
      w.byte(RdbType.ZSET_2);
      w.length(zset.size);
      for (let node = zset.skiplist!.tail; node !== null; node = node.backward) {
        w.string(keyBytes(node.member));
        w.double(node.score);
      }
      return;
    }
    default:
      w.byte(RdbType.STREAM_LISTPACKS_2);
      writeStream(w, value as RedisStream);
  }
}

/**
 * The RDB object type byte and serialised value of `value` (what an RDB file holds after a
 * key).
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
