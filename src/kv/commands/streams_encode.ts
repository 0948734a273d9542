/**
 * Stream entries encoded straight into RESP: `[id, [field, value, ...]]` written into one
 * reusable buffer from the node's packed bytes (no view per field or value), then handed to
 * the reply in one piece. Entries are arrays of bulk strings, the same in RESP2 and RESP3.
 *
 * @module
 */

import type { Reply } from "../../server/reply.ts";
import { formatId, type StreamId, type U64 } from "../values/stream_id.ts";
import type { StreamNode } from "../values/stream_node.ts";

/** The scratch buffer and its fill level (one command encodes at a time). */
let out = new Uint8Array(16384);
let pos = 0;

function reserve(n: number): void {
  if (pos + n <= out.length) return;
  const next = new Uint8Array(Math.max(out.length * 2, pos + n));
  next.set(out.subarray(0, pos));
  out = next;
}

/** The number of decimal digits of a non-negative safe integer. */
function digitCount(n: number): number {
  let count = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) count++;
  return count;
}

/** Writes the decimal digits of a non-negative safe integer. */
function digits(n: number): void {
  if (n < 10) {
    out[pos++] = 48 + n;
    return;
  }
  const end = pos + digitCount(n);
  let at = end;
  for (let x = n; at > pos; x = Math.floor(x / 10)) out[--at] = 48 + (x % 10);
  pos = end;
}

function text(value: string): void {
  for (let i = 0; i < value.length; i++) out[pos++] = value.charCodeAt(i);
}

/** `<type><n>\r\n`. */
function header(type: number, n: number): void {
  out[pos++] = type;
  digits(n);
  out[pos++] = 13;
  out[pos++] = 10;
}

/** A bulk string of `bytes[start, end)`. */
function bulk(bytes: Uint8Array, start: number, end: number): void {
  reserve(end - start + 24);
  header(36, end - start);
  if (end - start < 16) { for (let i = start; i < end; i++) out[pos++] = bytes[i]; }
  else {
    out.set(bytes.subarray(start, end), pos);
    pos += end - start;
  }
  out[pos++] = 13;
  out[pos++] = 10;
}

/** The number of decimal digits of a half. */
function width(value: U64): number {
  return typeof value === "number" ? digitCount(value) : String(value).length;
}

function half(value: U64): void {
  if (typeof value === "number") digits(value);
  else text(String(value));
}

/** Appends entry `i` of `node`. */
function entry(node: StreamNode, i: number): void {
  const id = node.id(i);
  const n = node.fieldCount(i);
  reserve(80);
  out[pos++] = 42; // *2
  out[pos++] = 50;
  out[pos++] = 13;
  out[pos++] = 10;
  header(36, width(id.ms) + 1 + width(id.seq));
  half(id.ms);
  out[pos++] = 45;
  half(id.seq);
  out[pos++] = 13;
  out[pos++] = 10;
  header(42, n * 2);
  const data = node.data;
  let p = node.firstPart(i);
  if (node.hasMasterFields(i)) {
    for (let k = 0; k < n; k++, p++) {
      const field = node.fields[k];
      bulk(field, 0, field.length);
      bulk(data, node.partStart(p), node.partEnd(p));
    }
  } else {
    for (let k = 0; k < n * 2; k++, p++) bulk(data, node.partStart(p), node.partEnd(p));
  }
}

/**
 * Writes entries given as parallel lists of nodes and indexes, as an array (`asArray`) or
 * as a single entry.
 */
export function encodeEntries(
  reply: Reply,
  nodes: readonly StreamNode[],
  indexes: readonly number[],
  asArray: boolean,
): void {
  pos = 0;
  if (asArray) {
    reserve(24);
    header(42, nodes.length);
  }
  for (let j = 0; j < nodes.length; j++) entry(nodes[j], indexes[j]);
  reply.raw(out.subarray(0, pos));
  if (out.length > 1 << 20) out = new Uint8Array(16384);
}

/** Reusable buffers of ID replies, by byte length: {@link Reply.raw} copies what it gets. */
const idReplies: Uint8Array[] = [];
/** The digits of the milliseconds {@link writeId} wrote last (consecutive IDs share them). */
const msDigits = new Uint8Array(16);
let msWidth = 1;
let lastMs = 0;
msDigits[0] = 48;

/** Writes the `count` decimal digits of a non-negative safe integer at `to[at...]`. */
function putDigits(to: Uint8Array, at: number, count: number, n: number): void {
  for (let i = at + count - 1; i > at; i--) {
    const q = Math.floor(n / 10);
    to[i] = 48 + (n - q * 10);
    n = q;
  }
  to[at] = 48 + n;
}

/**
 * Writes `id` as a bulk string (`$<len>\r\n<ms>-<seq>\r\n`, XADD's reply) with no string
 * built: the digits go into a reused buffer of the reply's size, which the reply copies.
 *
 * @example
 * ```ts
 * import { Writer } from "../../resp/writer.ts";
 * import { Reply } from "../../server/reply.ts";
 * import { writeId } from "./streams_encode.ts";
 *
 * const writer = new Writer();
 * writeId(new Reply(writer), { ms: 1700000000000, seq: 3 });
 * new TextDecoder().decode(writer.take()); // "$15\r\n1700000000000-3\r\n"
 * ```
 */
export function writeId(reply: Reply, id: StreamId): void {
  const ms = id.ms, seq = id.seq;
  if (typeof ms !== "number" || typeof seq !== "number") return reply.bulk(formatId(id));
  if (ms !== lastMs) {
    lastMs = ms;
    msWidth = digitCount(ms);
    putDigits(msDigits, 0, msWidth, ms);
  }
  const seqWidth = seq < 10 ? 1 : seq < 100 ? 2 : seq < 1000 ? 3 : digitCount(seq);
  const length = msWidth + 1 + seqWidth;
  // `$`, the length's one or two digits (33 at most), CR LF.
  const header = length < 10 ? 4 : 5;
  const size = header + length + 2;
  const bytes = idReplies[size] ??= new Uint8Array(size);
  bytes[0] = 36;
  if (length < 10) bytes[1] = 48 + length;
  else {
    const tens = length < 20 ? 1 : length < 30 ? 2 : 3;
    bytes[1] = 48 + tens;
    bytes[2] = 48 + length - tens * 10;
  }
  bytes[header - 2] = 13;
  bytes[header - 1] = 10;
  let at = header;
  for (let i = 0; i < msWidth; i++) bytes[at++] = msDigits[i];
  bytes[at++] = 45;
  putDigits(bytes, at, seqWidth, seq);
  bytes[size - 2] = 13;
  bytes[size - 1] = 10;
  reply.raw(bytes);
}
