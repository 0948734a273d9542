/**
 * MEMORY for the key-value server: USAGE (a per-key estimate in Redis 7.0's terms), STATS,
 * DOCTOR, MALLOC-STATS, PURGE and HELP.
 *
 * MEMORY USAGE answers what Redis 7.0 with jemalloc would use for the same key and value: the
 * key's sds, the dict entry, the object header and the value in the encoding Redis would pick
 * (int / embstr / raw strings, listpack or hashtable hashes, intset or hashtable sets,
 * listpack or skiplist sorted sets, quicklists of 8 KiB listpacks), each allocation rounded
 * up to jemalloc's size classes, and aggregate values sampled the same way (`SAMPLES`,
 * default 5, 0 = all). Small values give Redis's exact numbers; large ones its order of
 * magnitude. It is not what the JavaScript heap holds (INFO memory reports that).
 *
 * @module
 */

import { formatDouble, parseBigInt } from "../../resp/bytes.ts";
import type { Reply } from "../../server/reply.ts";
import type { Server } from "../../server/server.ts";
import { RedisHash } from "./hashes.ts";
import { keyOf, type Keyspace, type KeyValue } from "../keyspace/keyspace.ts";
import { RedisList } from "./lists.ts";
import { RedisSet } from "./sets.ts";
import { isIntegerMember, isWord } from "../args.ts";
import { RedisZSet } from "./zsets.ts";

const SYNTAX = "ERR syntax error";

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
const DEFAULT_SAMPLES = 5; // OBJ_COMPUTE_SIZE_DEF_SAMPLES

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
    lp += entryOfBytes(value);
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
  if (zset.listpack) {
    let entries = 0;
    for (const [member, score] of zset.dict) entries += entryOfString(member) + scoreEntry(score);
    return ROBJ + listpack(entries);
  }
  const n = zset.size;
  let size = ROBJ + ZSET + SKIPLIST + DICT + 8 * slots(n) + SKIPLIST_HEADER;
  let taken = 0;
  let bytes = 0;
  for (const node of zset.list) {
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
 * import { estimateMemoryUsage } from "./memory.ts";
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
  return base + ROBJ; // an application's own object type: the header only
}

const HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

const DOCTOR_EMPTY = "Hi Sam, this instance is empty or is using very little memory, my " +
  "issues detector can't be used in these conditions. Please, leave for your mission on " +
  "Earth and fill it with some data. The new Sam and I will be back to our programming as " +
  "soon as I finished rebooting.\n";
const DOCTOR_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only " +
  "account for what occurs on this base.\n";
const DOCTOR_PEAK = " * Peak memory: In the past this instance used more than 150% the " +
  "memory that is currently using. The allocator is normally not able to release memory " +
  "after a peak, so you can expect to see a big fragmentation ratio, however this is " +
  "actually harmless and is only due to the memory peak, and if the Redis instance Resident " +
  "Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you " +
  "fill the Redis instance with more data. If the memory peak was only occasional and you " +
  "want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only " +
  "other option is to shutdown and restart the instance.\n\n";
const DOCTOR_CLIENTS = " * Big client buffers: The clients output buffers in this instance " +
  "are greater than 200K per client (on average). This may result from different causes, " +
  "like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that " +
  "data piles on the Redis instance output buffer, or clients sending commands with large " +
  "replies or very large sequences of commands in the same pipeline. Please use the CLIENT " +
  "LIST command in order to investigate the issue if it causes problems in your instance, or " +
  "to understand better why certain clients are using a big amount of memory.\n\n";

/** Redis's getMemoryOverheadData, with what this server knows. */
function overhead(server: Server, keyspace: Keyspace) {
  const memory = server._memory();
  let clients = 0;
  for (const c of server.connections) clients += c.pendingOutputBytes + c.queryBufferBytes;
  let total = memory.startup + clients;
  let keys = 0;
  const dbs: Array<[number, number, number]> = [];
  for (let i = 0; i < keyspace.databases; i++) {
    const db = keyspace.db(i);
    const size = db.size;
    if (size === 0) continue;
    keys += size;
    // Key dict: entries, bucket array and one robj per value; expires dict: entries, buckets.
    const main = size * (DICT_ENTRY + ROBJ) + 8 * slots(size);
    const expiring = db.expiresCount;
    const expires = expiring === 0 ? 0 : expiring * DICT_ENTRY + 8 * slots(expiring);
    dbs.push([i, main, expires]);
    total += main + expires;
  }
  const net = memory.used > memory.startup ? memory.used - memory.startup : 1;
  const dataset = Math.max(0, memory.used - total);
  return { memory, clients, total, keys, dbs, net, dataset };
}

function memoryStats(server: Server, keyspace: Keyspace, reply: Reply): void {
  const o = overhead(server, keyspace);
  const m = o.memory;
  reply.mapHeader(20 + o.dbs.length);
  const integer = (name: string, value: number) => {
    reply.bulk(name);
    reply.integer(value);
  };
  const double = (name: string, value: number) => {
    reply.bulk(name);
    reply.double(value);
  };
  integer("peak.allocated", m.peak);
  integer("total.allocated", m.used);
  integer("startup.allocated", m.startup);
  integer("replication.backlog", 0);
  integer("clients.slaves", 0);
  integer("clients.normal", o.clients);
  integer("cluster.links", 0);
  integer("aof.buffer", 0);
  integer("lua.caches", 0);
  integer("functions.caches", 0);
  for (const [index, main, expires] of o.dbs) {
    reply.bulk(`db.${index}`);
    reply.mapHeader(3);
    integer("overhead.hashtable.main", main);
    integer("overhead.hashtable.expires", expires);
    integer("overhead.hashtable.slot-to-keys", 0);
  }
  integer("overhead.total", o.total);
  integer("keys.count", o.keys);
  integer("keys.bytes-per-key", o.keys > 0 ? Math.floor(o.net / o.keys) : 0);
  integer("dataset.bytes", o.dataset);
  double("dataset.percentage", o.dataset * 100 / o.net);
  double("peak.percentage", m.peak > 0 ? m.used * 100 / m.peak : 0);
  integer("allocator.allocated", m.used);
  integer("allocator.resident", m.rss);
  double("fragmentation", m.used > 0 ? m.rss / m.used : 0);
  integer("fragmentation.bytes", m.rss - m.used);
}

function memoryDoctor(server: Server, keyspace: Keyspace): string {
  const o = overhead(server, keyspace);
  const m = o.memory;
  if (m.used < 5 * 1024 * 1024) return DOCTOR_EMPTY;
  // The RSS and fragmentation checks are left out: a JavaScript runtime's RSS holds its
  // engine and compiled code, so Redis's thresholds would always fire.
  let report = "";
  if (m.peak / m.used > 1.5) report += DOCTOR_PEAK;
  const clients = server.connections.size;
  if (clients > 0 && o.clients / clients > 200 * 1024) report += DOCTOR_CLIENTS;
  if (report === "") return DOCTOR_FINE;
  return "Sam, I detected a few issues in this Redis instance memory implants:\n\n" + report +
    "I'm here to keep you safe, Sam. I want to help you.\n";
}

/**
 * Registers MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP) on `server`, sizing the
 * keys of `keyspace`.
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { registerMemoryCommands } from "./memory.ts";
 *
 * const keyspace = new Keyspace();
 * registerMemoryCommands(new Server(), keyspace);
 * keyspace.close();
 * ```
 */
export function registerMemoryCommands(server: Server, keyspace: Keyspace): void {
  const info = { group: "server", since: "4.0.0" };
  server.router.register("memory", {
    arity: -2,
    summary: "A container for memory diagnostics commands",
    ...info,
    // Unknown subcommands are answered by the core ("Try MEMORY HELP.").
    handler: (_command, reply) => reply.error(SYNTAX),
    subcommands: {
      doctor: {
        arity: 2,
        summary: "Outputs memory problems report",
        ...info,
        handler: (_command, reply) => reply.verbatim(memoryDoctor(server, keyspace)),
      },
      "malloc-stats": {
        arity: 2,
        summary: "Show allocator internal stats",
        ...info,
        // What Redis built without jemalloc answers.
        handler: (_command, reply) =>
          reply.verbatim("Stats not supported for the current allocator\n"),
      },
      purge: {
        arity: 2,
        summary: "Ask the allocator to release memory",
        ...info,
        handler: (_command, reply) => reply.ok(),
      },
      stats: {
        arity: 2,
        summary: "Show memory usage details",
        ...info,
        handler: (_command, reply) => memoryStats(server, keyspace, reply),
      },
      usage: {
        arity: -3,
        flags: ["readonly"],
        firstKey: 2,
        lastKey: 2,
        keyStep: 1,
        summary: "Estimate the memory usage of a key",
        ...info,
        handler: (command, reply, connection) => {
          const argv = command.argv;
          let samples = DEFAULT_SAMPLES;
          for (let j = 3; j < argv.length; j++) {
            if (isWord(argv[j], "samples") && j + 1 < argv.length) {
              const n = parseBigInt(argv[j + 1]);
              if (n === undefined) {
                return reply.error("ERR value is not an integer or out of range");
              }
              if (n < 0n) return reply.error(SYNTAX);
              samples = n === 0n ? Infinity : Number(n);
              j++;
            } else return reply.error(SYNTAX);
          }
          const key = keyOf(argv[2]);
          const value = keyspace.db(connection.db).get(key);
          if (value === undefined) return reply.null();
          reply.integer(estimateMemoryUsage(key, value, samples));
        },
      },
      help: {
        arity: 2,
        flags: ["loading", "stale"],
        summary: "Show helpful text about the different subcommands",
        ...info,
        handler: (_command, reply) => {
          reply.arrayHeader(HELP.length);
          for (const line of HELP) reply.simple(line);
        },
      },
    },
  });
}
