/**
 * Streams in RDB (Redis 7.0's RDB_TYPE_STREAM_LISTPACKS_2): the entries as listpack nodes
 * keyed by their master ID (t_stream.c's node layout: a master entry with the node's fields,
 * then per entry flags, ID deltas, fields or values and the lp-count), the stream's
 * counters, and the consumer groups with their pending entries and consumers.
 *
 * @module
 */

import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import { RedisStream } from "../values/stream.ts";
import { Consumer, ConsumerGroup, type Nack } from "../values/stream_group.ts";
import { formatId, type StreamId, type U64 } from "../values/stream_id.ts";
import type { StreamNode } from "../values/stream_node.ts";
import { decodeListpack, encodeListpack } from "./listpack.ts";
import { bad, type ByteReader } from "./rdb_reader.ts";
import type { ByteWriter } from "./rdb_writer.ts";

/** t_stream.c's entry flags. */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
/** SCG_INVALID_ENTRIES_READ, stored as an unsigned 64-bit length. */
const U64_MINUS_ONE = 18446744073709551615n;

const digits = (n: number | bigint): Uint8Array => keyBytes(String(n));

function rawId(w: ByteWriter, id: StreamId): void {
  w.length(16);
  w.bigEndian64(BigInt(id.ms));
  w.bigEndian64(BigInt(id.seq));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The listpack of a node's live entries, the first of them as master entry. */
function nodeListpack(node: StreamNode, live: number[]): Uint8Array {
  const first = live[0];
  const master = node.id(first);
  const fields: Uint8Array[] = [];
  for (let k = 0; k < node.fieldCount(first); k++) fields.push(node.field(first, k));
  const out: Uint8Array[] = [digits(live.length), digits(0), digits(fields.length), ...fields];
  out.push(digits(0));
  for (const i of live) {
    const id = node.id(i);
    const n = node.fieldCount(i);
    let same = n === fields.length;
    for (let k = 0; same && k < n; k++) same = sameBytes(node.field(i, k), fields[k]);
    out.push(digits(same ? FLAG_SAMEFIELDS : 0));
    out.push(digits(BigInt.asIntN(64, BigInt(id.ms) - BigInt(master.ms))));
    out.push(digits(BigInt.asIntN(64, BigInt(id.seq) - BigInt(master.seq))));
    if (!same) out.push(digits(n));
    for (let k = 0; k < n; k++) {
      if (!same) out.push(node.field(i, k));
      out.push(node.value(i, k));
    }
    out.push(digits(same ? n + 3 : 2 * n + 4));
  }
  return encodeListpack(out);
}

function writePel(w: ByteWriter, nacks: readonly Nack[], full: boolean): void {
  w.length(nacks.length);
  for (const nack of nacks) {
    w.bigEndian64(BigInt(nack.id.ms));
    w.bigEndian64(BigInt(nack.id.seq));
    if (!full) continue;
    w.millis(nack.deliveryTime);
    w.length(nack.deliveryCount);
  }
}

/**
 * Writes a stream's RDB_TYPE_STREAM_LISTPACKS_2 body (after the type byte).
 *
 * @example
 * ```ts
 * import { RedisStream } from "../values/stream.ts";
 * import { writeStream } from "./rdb_stream.ts";
 * import { ByteWriter } from "./rdb_writer.ts";
 *
 * const w = new ByteWriter();
 * writeStream(w, new RedisStream());
 * ```
 */
export function writeStream(w: ByteWriter, stream: RedisStream): void {
  const nodes: [StreamNode, number[]][] = [];
  for (const node of stream.nodes) {
    const live: number[] = [];
    for (let i = 0; i < node.count; i++) if (!node.deleted(i)) live.push(i);
    if (live.length > 0) nodes.push([node, live]);
  }
  w.length(nodes.length);
  for (const [node, live] of nodes) {
    rawId(w, node.id(live[0]));
    w.string(nodeListpack(node, live));
  }
  w.length(stream.length);
  for (const id of [stream.lastId, stream.firstId, stream.maxDeletedId]) {
    w.length(id.ms);
    w.length(id.seq);
  }
  w.length(stream.entriesAdded);
  w.length(stream.groups.size);
  for (const [name, group] of stream.groups) {
    w.string(keyBytes(name));
    w.length(group.lastId.ms);
    w.length(group.lastId.seq);
    w.length(group.entriesRead < 0 ? U64_MINUS_ONE : group.entriesRead);
    writePel(w, group.pending.values(), true);
    w.length(group.consumers.size);
    for (const consumer of group.consumers.values()) {
      w.string(keyBytes(consumer.name));
      w.millis(consumer.seenTime);
      writePel(w, consumer.pending.values(), false);
    }
  }
}

/** A decimal listpack entry as an integer (bad data otherwise). */
function int(bytes: Uint8Array | undefined): bigint {
  if (bytes === undefined) return bad();
  const text = keyOf(bytes);
  if (!/^-?\d+$/.test(text)) bad();
  return BigInt(text);
}

const u64 = (n: bigint): U64 => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);

function readRawId(r: ByteReader): StreamId {
  return { ms: u64(r.bigEndian64()), seq: u64(r.bigEndian64()) };
}

/** Appends the live entries of one node's listpack to `stream`. */
function readNode(stream: RedisStream, master: StreamId, lp: Uint8Array[]): void {
  let at = 0;
  const next = (): Uint8Array => lp[at++] ?? bad();
  const count = Number(int(next()));
  const deleted = Number(int(next()));
  const fieldCount = Number(int(next()));
  const fields: Uint8Array[] = [];
  for (let k = 0; k < fieldCount; k++) fields.push(next());
  if (int(next()) !== 0n) bad();
  for (let e = 0; e < count + deleted; e++) {
    const flags = Number(int(next()));
    const ms = BigInt.asUintN(64, BigInt(master.ms) + int(next()));
    const seq = BigInt.asUintN(64, BigInt(master.seq) + int(next()));
    const pairs: Uint8Array[] = [];
    if ((flags & FLAG_SAMEFIELDS) !== 0) {
      for (const field of fields) pairs.push(field, next());
    } else {
      const n = Number(int(next()));
      for (let k = 0; k < n; k++) pairs.push(next(), next());
    }
    next(); // lp-count
    if ((flags & FLAG_DELETED) === 0) stream.append({ ms: u64(ms), seq: u64(seq) }, pairs);
  }
  if (at !== lp.length) bad();
}

function readId(r: ByteReader): StreamId {
  const ms = r.length64();
  return { ms, seq: r.length64() };
}

/**
 * Reads a stream's body (RDB_TYPE_STREAM_LISTPACKS_2, or the 6.x RDB_TYPE_STREAM_LISTPACKS
 * when `v1`); consumers' and NACKs' times are kept as stored. Throws BadFormat.
 *
 * @example
 * ```ts
 * import { RedisStream } from "../values/stream.ts";
 * import { readStream, writeStream } from "./rdb_stream.ts";
 * import { ByteReader } from "./rdb_reader.ts";
 * import { ByteWriter } from "./rdb_writer.ts";
 *
 * const w = new ByteWriter();
 * writeStream(w, new RedisStream());
 * readStream(new ByteReader(w.result()), false).length; // 0
 * ```
 */
export function readStream(r: ByteReader, v1: boolean): RedisStream {
  const stream = new RedisStream();
  const nodes = r.length();
  for (let i = 0; i < nodes; i++) {
    const key = r.string();
    if (key.length !== 16) bad();
    const view = new DataView(key.buffer, key.byteOffset, 16);
    const master = { ms: u64(view.getBigUint64(0)), seq: u64(view.getBigUint64(8)) };
    const lp = decodeListpack(r.string()) ?? bad();
    if (lp.length === 0) bad();
    readNode(stream, master, lp);
  }
  if (r.length64() !== stream.length) bad();
  stream.lastId = readId(r);
  if (!v1) {
    stream.firstId = readId(r);
    stream.maxDeletedId = readId(r);
    const added = r.length64();
    stream.entriesAdded = Number(added);
  }
  const groups = r.length();
  for (let g = 0; g < groups; g++) {
    const name = keyOf(r.string());
    const lastId = readId(r);
    let entriesRead = -1;
    if (!v1) {
      const n = r.length64();
      entriesRead = typeof n === "bigint" && n === U64_MINUS_ONE ? -1 : Number(n);
    }
    const group = new ConsumerGroup(lastId, entriesRead);
    const unowned = new Map<string, { id: StreamId; time: number; count: number }>();
    const pel = r.length();
    for (let p = 0; p < pel; p++) {
      const id = readRawId(r);
      const time = r.millis();
      unowned.set(formatId(id), { id, time, count: r.length() });
    }
    const consumers = r.length();
    for (let c = 0; c < consumers; c++) {
      const consumer = new Consumer(keyOf(r.string()), 0);
      consumer.seenTime = r.millis();
      group.consumers.set(consumer.name, consumer);
      const owned = r.length();
      for (let p = 0; p < owned; p++) {
        const key = formatId(readRawId(r));
        const entry = unowned.get(key) ?? bad();
        unowned.delete(key);
        const nack: Nack = {
          id: entry.id,
          consumer,
          deliveryTime: entry.time,
          deliveryCount: entry.count,
        };
        group.pending.add(nack);
        consumer.pending.add(nack);
      }
    }
    // Every NACK must belong to a consumer (Redis: "NACK missing a consumer").
    if (unowned.size > 0 || stream.groups.has(name)) bad();
    stream.groups.set(name, group);
  }
  return stream;
}
