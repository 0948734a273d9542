/**
 * What Redis 7.0 with jemalloc would use for a key and its value (MEMORY USAGE, MEMORY
 * STATS): the key's sds, the dict entry, the object header and the value in the encoding
 * Redis would pick (int / embstr / raw strings, listpack or hashtable hashes, intset or
 * hashtable sets, listpack or skiplist sorted sets, quicklists of 8 KiB listpacks), each
 * allocation rounded up to jemalloc's size classes, and aggregate values sampled the same
 * way. Small values give Redis's exact numbers; large ones its order of magnitude. It is not
 * what the JavaScript heap holds (INFO memory reports that).
 *
 * @module
 */

import { formatDouble, parseBigInt } from "../../resp/bytes.ts";
import type { KeyValue } from "../keyspace/values.ts";
import { RedisHash } from "./hash.ts";
import { RedisList } from "./list.ts";
import { isIntegerMember, RedisSet } from "./set.ts";
import { RedisStream } from "./stream.ts";
import type { StreamId } from "./stream_id.ts";
import { raxNodes } from "./stream_rax.ts";
import { RedisZSet } from "./zset.ts";

// Sizes of Redis 7.0's structures on a 64-bit build.
const ROBJ = 16; // robj
const DICT_ENTRY = 24; // dictEntry
const DICT = 56; // dict
const QUICKLIST = 40; // quicklist
const QUICKLIST_NODE = 40; // quicklistNode
const ZSET = 16; // zset { dict*, zskiplist* }
const SKIPLIST = 32; // zskiplist
const SKIPLIST_HEADER = 640; // zskiplistNode with 32 levels (536 bytes) in jemalloc
const EMBSTR_MAX = 44; // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
const LISTPACK_NODE_LIMIT = 8192; // list-max-listpack-size -2
/** MEMORY USAGE's default SAMPLES (Redis `OBJ_COMPUTE_SIZE_DEF_SAMPLES`). */
export const DEFAULT_SAMPLES = 5;

/** jemalloc's size class for a request of `n` bytes (8, 16, 32, 48, ... 4 per doubling). */
function alloc(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const step = 2 ** (Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / step) * step;
}

/** Allocation of an sds of `length` bytes made by `sdsnewlen` (type 5 below 32 bytes). */
function sds(length: number): number {
  const header = length < 32 ? 1 : length < 256 ? 3 : length < 65536 ? 5 : 9;
  return alloc(header + length + 1);
}

/** An integer in int64 written canonically (what Redis stores as a number), or undefined. */
function integerOfString(text: string): bigint | undefined {
  return isIntegerMember(text) ? BigInt(text) : undefined;
}

/** Bytes a listpack entry takes: encoding, data and back-length. */
function listpackEntry(length: number, integer: bigint | undefined): number {
  let size: number;
  if (integer !== undefined) {
    const v = integer;
    if (v >= 0n && v <= 127n) size = 1;
    else if (v >= -4096n && v <= 4095n) size = 2;
    else if (v >= -32768n && v <= 32767n) size = 3;
    else if (v >= -8388608n && v <= 8388607n) size = 4;
    else if (v >= -2147483648n && v <= 2147483647n) size = 5;
    else size = 9;
  } else {
    size = length + (length < 64 ? 1 : length < 4096 ? 2 : 5);
  }
  const back = size < 128 ? 1 : size < 16384 ? 2 : size < 2097152 ? 3 : size < 268435456 ? 4 : 5;
  return size + back;
}

function entryOfBytes(value: Uint8Array): number {
  return listpackEntry(value.length, value.length <= 20 ? parseBigInt(value) : undefined);
}

function entryOfString(value: string): number {
  return listpackEntry(value.length, integerOfString(value));
}

/** Listpack header (total bytes, count) and end byte around `entries` bytes. */
function listpack(entries: number): number {
  return alloc(6 + entries + 1);
}

/** Hash-table slots Redis's dict has for `size` entries (powers of two, at least 4). */
function slots(size: number): number {
  let n = 4;
  while (n < size) n *= 2;
  return n;
}

function stringSize(value: Uint8Array): number {
  const n = value.length;
  if (n <= 20 && parseBigInt(value) !== undefined) return ROBJ; // OBJ_ENCODING_INT
  if (n <= EMBSTR_MAX) return alloc(ROBJ + 3 + n + 1); // embstr: object and sdshdr8 together
  return ROBJ + sds(n); // raw
}

/** Whether quicklist (Redis 7.0 `_quicklistNodeAllowInsert`) adds `length` bytes to a node. */
function fitsNode(nodeBytes: number, length: number): boolean {
  const overhead = (length < 254 ? 1 : 5) + (length < 64 ? 1 : length < 16384 ? 2 : 5);
  return nodeBytes + length + overhead <= LISTPACK_NODE_LIMIT;
}

function listSize(list: RedisList, samples: number): number {
  // Packs the elements into listpack nodes as quicklist does, for the first `samples` nodes,
  // then extrapolates to the whole list as Redis does.
  let nodes = 0;
  let nodeBytes = 0;
  let sampled = 0;
  let lp = 0;
  let count = 0;
  for (const value of list) {
    if (count > 0 && !fitsNode(lp, value.length)) {
      nodes++;
      nodeBytes += QUICKLIST_NODE + alloc(lp);
      sampled += count;
      count = 0;
      if (nodes >= samples) break;
    }
    if (count === 0) lp = 7; // an empty listpack
    lp += entryOfString(value);
    count++;
  }
  if (count > 0) {
    nodes++;
    nodeBytes += QUICKLIST_NODE + alloc(lp);
    sampled += count;
  }
  if (nodes === 0) return ROBJ + QUICKLIST;
  const total = sampled >= list.length ? nodes : Math.ceil(nodes * list.length / sampled);
  return ROBJ + QUICKLIST + Math.floor(nodeBytes / nodes * total);
}

function hashSize(hash: RedisHash, samples: number): number {
  if (hash.listpack) {
    let entries = 0;
    for (const [field, value] of hash) entries += entryOfString(field) + entryOfBytes(value);
    return ROBJ + listpack(entries);
  }
  let size = ROBJ + DICT + 8 * slots(hash.size);
  let taken = 0;
  let bytes = 0;
  for (const [field, value] of hash) {
    if (taken >= samples) break;
    bytes += DICT_ENTRY + sds(field.length) + sds(value.length);
    taken++;
  }
  if (taken > 0) size += Math.floor(bytes / taken * hash.size);
  return size;
}

function setSize(set: RedisSet, samples: number): number {
  const n = set.size;
  if (set.intset) {
    let width = 2;
    for (let i = 0; i < n; i++) {
      const v = BigInt(set.at(i));
      if (v < -2147483648n || v > 2147483647n) width = 8;
      else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
    }
    return ROBJ + alloc(8 + n * width);
  }
  let size = ROBJ + DICT + 8 * slots(n);
  const taken = Math.min(n, samples);
  let bytes = 0;
  for (let i = 0; i < taken; i++) bytes += DICT_ENTRY + sds(set.at(i).length);
  if (taken > 0) size += Math.floor(bytes / taken * n);
  return size;
}

/** A score as Redis 7.0's d2string writes it into a listpack. */
function scoreEntry(score: number): number {
  if (Number.isInteger(score) && Math.abs(score) < 4503599627370496) {
    return listpackEntry(0, BigInt(score));
  }
  const text = Number.isFinite(score) ? formatDouble(score) : score > 0 ? "inf" : "-inf";
  return listpackEntry(text.length, undefined);
}

function zsetSize(zset: RedisZSet, samples: number): number {
  const list = zset.skiplist;
  if (list === undefined) {
    let entries = 0;
    zset.forEach((member, score) => {
      entries += entryOfString(member) + scoreEntry(score);
    });
    return ROBJ + listpack(entries);
  }
  const n = zset.size;
  let size = ROBJ + ZSET + SKIPLIST + DICT + 8 * slots(n) + SKIPLIST_HEADER;
  let taken = 0;
  let bytes = 0;
  for (let node = list.first; node !== null; node = node.next[0]) {
    if (taken >= samples) break;
    bytes += sds(node.member.length) + DICT_ENTRY + alloc(24 + 16 * node.next.length);
    taken++;
  }
  if (taken > 0) size += Math.floor(bytes / taken * n);
  return size;
}

/**
 * What MEMORY USAGE answers for `key` (binary string) holding `value`: Redis 7.0's estimate
 * in bytes (key, dict entry, object and value), sampling up to `samples` elements of
 * aggregate values (default 5; `Infinity` = all).
 *
 * @example
 * ```ts
 * import { estimateMemoryUsage } from "./memory_usage.ts";
 *
 * estimateMemoryUsage("a", new TextEncoder().encode("1")); // 48, as Redis 7.0
 * estimateMemoryUsage("s10", new TextEncoder().encode("0123456789")); // 64
 * ```
 */
export function estimateMemoryUsage(
  key: string,
  value: KeyValue,
  samples: number = DEFAULT_SAMPLES,
): number {
  const base = sds(key.length) + DICT_ENTRY;
  if (value instanceof Uint8Array) return base + stringSize(value);
  if (value instanceof RedisList) return base + listSize(value, samples);
  if (value instanceof RedisHash) return base + hashSize(value, samples);
  if (value instanceof RedisSet) return base + setSize(value, samples);
  if (value instanceof RedisZSet) return base + zsetSize(value, samples);
  if (value instanceof RedisStream) return base + streamSize(value, samples);
  return base + ROBJ; // an application's own object type: the header only
}

/** A radix tree of stream IDs (Redis `streamRadixTreeMemoryUsage`). */
function radixTree(ids: readonly StreamId[]): number {
  return ids.length * 16 + raxNodes(ids) * (4 + 8 * 30);
}

/**
 * Redis's estimate for a stream: its struct and radix tree, the listpacks (the first
 * `samples` measured, the others as their average, the last one measured; a full node is
 * shrunk to fit, the last keeps its 4 KiB preallocation), and each group's PEL and
 * consumers.
 */
function streamSize(stream: RedisStream, samples: number): number {
  let size = ROBJ + 80 + radixTree(stream.nodes.map((node) => node.master));
  const nodes = stream.nodes;
  const last = nodes.length - 1;
  const lpSize = (i: number) =>
    alloc(i === last ? Math.max(4096, nodes[i].lpBytes) : nodes[i].lpBytes);
  const sampled = Math.min(nodes.length, samples === 0 ? Infinity : samples);
  let sum = 0;
  for (let i = 0; i < sampled; i++) sum += lpSize(i);
  if (nodes.length <= sampled) size += sum;
  else size += Math.floor(sum / sampled) * (nodes.length - 1) + lpSize(last);
  for (const group of stream.groups.values()) {
    size += 40 + radixTree(group.pending.values().map((nack) => nack.id)) +
      24 * group.pending.size;
    for (const consumer of group.consumers.values()) {
      size += 24 + consumer.name.length +
        radixTree(consumer.pending.values().map((nack) => nack.id));
    }
  }
  return size;
}

/**
 * The overhead of a database's dicts in Redis 7.0 (MEMORY STATS `overhead.hashtable.main`
 * and `.expires`) for `keys` keys of which `expiring` have a TTL.
 *
 * @example
 * ```ts
 * import { dictOverhead } from "./memory_usage.ts";
 *
 * dictOverhead(0, 0); // { main: 0, expires: 0 }
 * ```
 */
export function dictOverhead(keys: number, expiring: number): { main: number; expires: number } {
  // Key dict: entries, bucket array and one robj per value; expires dict: entries, buckets.
  const main = keys === 0 ? 0 : keys * (DICT_ENTRY + ROBJ) + 8 * slots(keys);
  const expires = expiring === 0 ? 0 : expiring * DICT_ENTRY + 8 * slots(expiring);
  return { main, expires };
}
