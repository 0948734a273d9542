/**
 * One node of a stream (Redis's listpack under a radix-tree key): up to 100 entries packed
 * in typed arrays — IDs as 64-bit halves, entry flags, and every field and value as byte
 * ranges of one growing buffer. Entries with the node's master fields (those of its first
 * entry) store only their values, as Redis's `SAMEFIELDS` flag does. The node also keeps the
 * size Redis's listpack would have, so that nodes fill exactly as Redis's do and `~` trimming
 * removes the same entries.
 *
 * @module
 */

import type { StreamId, U64 } from "./stream_id.ts";
import { IdColumn } from "./stream_ids.ts";

/** Entry flag: deleted (XDEL, exact trimming). */
const DELETED = 1;
/** Entry flag: same fields as the master entry (values only are stored). */
const SAME_FIELDS = 2;

/**
 * How big a stream node grows before XADD starts a new one: `stream-node-max-entries` (0: no
 * limit) and `stream-node-max-bytes` (0: Redis's 1 GB cap), Redis 7.0's defaults. CONFIG SET
 * changes them (process-wide); nodes already cut keep their boundaries, as in Redis.
 *
 * @example
 * ```ts
 * import { streamNodeLimits } from "./stream_node.ts";
 *
 * streamNodeLimits.maxEntries; // 100
 * ```
 */
export const streamNodeLimits = {
  /** stream-node-max-entries: entries (deleted ones included) per node; 0 for no limit. */
  maxEntries: 100,
  /** stream-node-max-bytes: bytes of a node's listpack; 0 for Redis's cap. */
  maxBytes: 4096,
};

/** Redis's STREAM_LISTPACK_MAX_SIZE: the byte cap of a node whatever the setting. */
const LISTPACK_MAX_SIZE = 2 ** 30;

/** The entry limit as a capacity bound (no limit: unbounded). */
function entryLimit(): number {
  return streamNodeLimits.maxEntries > 0 ? streamNodeLimits.maxEntries : Infinity;
}

/** Bytes of a listpack integer element (encoding and back-length). */
function lpIntegerSize(value: number | bigint): number {
  if (value >= 0 && value <= 127) return 2;
  if (value >= -4096 && value <= 4095) return 3;
  if (value >= -32768 && value <= 32767) return 4;
  if (value >= -8388608 && value <= 8388607) return 5;
  if (value >= -2147483648 && value <= 2147483647) return 6;
  return 10;
}

/** Bytes of the back-length of an element of `n` bytes. */
function backlenSize(n: number): number {
  return n <= 127 ? 1 : n < 16383 ? 2 : n < 2097151 ? 3 : n < 268435455 ? 4 : 5;
}

/** The value of `bytes` when listpack stores it as an integer (lpStringToInt64), else undefined. */
function lpInteger(bytes: Uint8Array): number | bigint | undefined {
  const n = bytes.length;
  if (n === 0 || n > 20) return undefined;
  if (n === 1 && bytes[0] === 48) return 0;
  let i = 0;
  if (bytes[0] === 45) {
    i = 1;
    if (n === 1) return undefined;
  }
  if (bytes[i] < 49 || bytes[i] > 57) return undefined;
  let value = 0;
  for (let j = i; j < n; j++) {
    const c = bytes[j] - 48;
    if (c < 0 || c > 9) return undefined;
    value = value * 10 + c;
  }
  if (n - i <= 15) return i === 1 ? -value : value;
  let text = "";
  for (let j = 0; j < n; j++) text += String.fromCharCode(bytes[j]);
  const big = BigInt(text);
  if (big > 9223372036854775807n || big < -9223372036854775808n) return undefined;
  return big;
}

/** Bytes of a listpack element holding `bytes`. */
function lpStringSize(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n <= 20) {
    const value = lpInteger(bytes);
    if (value !== undefined) return lpIntegerSize(value);
  }
  const encoded = n <= 63 ? 1 + n : n <= 4095 ? 2 + n : 5 + n;
  return encoded + backlenSize(encoded);
}

/** `a - b` of two halves as Redis stores the delta (int64 wrap-around). */
function delta(a: U64, b: U64): number | bigint {
  if (typeof a === "number" && typeof b === "number") return a - b;
  let d = BigInt(a) - BigInt(b);
  if (d > 9223372036854775807n) d -= 18446744073709551616n;
  if (d < -9223372036854775808n) d += 18446744073709551616n;
  return d;
}

/** Parts up to this many bytes are copied by a loop, longer ones with `set`. */
const SHORT_PART = 16;

/** Offsets: 16-bit once a sealed node's values all fit, else 32-bit. */
type Offsets = Uint16Array | Uint32Array;

/** A growable offsets array (32-bit while it grows). */
function grow32(array: Offsets, need: number): Offsets {
  if (need <= array.length) return array;
  const next = new Uint32Array(Math.max(need, array.length * 2));
  next.set(array);
  return next;
}

/** Rounds `n` up to a multiple of `m`. */
function align(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Bytes per offset of a sealed array holding values up to `max`. */
function offsetWidth(max: number): number {
  return max > 0xffff ? 4 : 2;
}

/**
 * `array[0, length)` moved to `buffer` at `offset`, in the narrowest form that holds values
 * up to `max`; returns the view and the offset after it.
 */
function moveOffsets(
  array: Offsets,
  length: number,
  max: number,
  buffer: ArrayBuffer,
  offset: number,
): [Offsets, number] {
  const width = offsetWidth(max);
  const at = align(offset, width);
  const view = width === 4
    ? new Uint32Array(buffer, at, length)
    : new Uint16Array(buffer, at, length);
  view.set(array.subarray(0, length));
  return [view, at + view.byteLength];
}

/** A stream node. */
export class StreamNode {
  /** The master entry's fields (those of the node's first entry). */
  readonly fields: readonly Uint8Array[];
  /** Entries stored, deleted ones included. */
  count = 0;
  /** Entries not deleted. */
  live = 0;
  /** Size of Redis's listpack for this node, but for the live and deleted counters. */
  #lpFixed: number;
  #master: StreamId;
  #ids: IdColumn;
  #flags: Uint8Array;
  /** Part index where entry i starts (count + 1 used). */
  #starts: Offsets;
  /** End offset in #bytes of each part (field or value). */
  #ends: Offsets;
  #parts = 0;
  #bytes: Uint8Array;
  #used = 0;

  /**
   * A node whose first entry will have `fields` (kept as given: the caller's own copies,
   * which consecutive nodes with the same fields share) and ID `master`; `like` is the
   * previous node, whose sizes this one's arrays start with.
   */
  constructor(master: StreamId, fields: readonly Uint8Array[], like?: StreamNode) {
    this.#master = master;
    this.fields = fields;
    // Sized like the previous node when there is one (a long stream fills nodes alike), so
    // that appends do not regrow the arrays; a new stream starts small.
    const entries = like === undefined ? 4 : like.count;
    this.#ids = new IdColumn(master, entryLimit(), entries);
    this.#flags = new Uint8Array(entries);
    this.#starts = new Uint32Array(entries + 1);
    this.#ends = new Uint32Array(like === undefined ? 16 : like.#parts);
    this.#bytes = new Uint8Array(like === undefined ? 64 : like.#used + 64);
    // Header and terminator, then (count, deleted,) num-fields, fields, and the 0 terminator.
    let size = 7 + lpIntegerSize(fields.length) + 2;
    for (const field of fields) size += lpStringSize(field);
    this.#lpFixed = size;
  }

  /**
   * Size of Redis's listpack for this node: the master entry's live and deleted counters are
   * listpack integers whose size grows with them.
   */
  get lpBytes(): number {
    return this.#lpFixed + lpIntegerSize(this.live) + lpIntegerSize(this.count - this.live);
  }

  /** The master ID (the node's first entry's ID, deleted or not). */
  get master(): StreamId {
    return this.#master;
  }

  /**
   * Whether an entry with `parts[from...]` ([field, value, ...]) fits under the limits
   * ({@link streamNodeLimits}), as Redis's streamAppendItem decides.
   */
  fits(parts: readonly Uint8Array[], from = 0): boolean {
    let maxBytes = streamNodeLimits.maxBytes;
    if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
    let total = 0;
    for (let k = from; k < parts.length; k++) total += parts[k].length;
    if (this.lpBytes + total >= maxBytes) return false;
    const maxEntries = streamNodeLimits.maxEntries;
    return maxEntries === 0 || this.count < maxEntries;
  }

  /** Whether `parts[from...]` ([field, value, ...]) has exactly the master fields. */
  sameFields(parts: readonly Uint8Array[], from = 0): boolean {
    const fields = this.fields;
    if (parts.length - from !== fields.length * 2) return false;
    for (let i = 0; i < fields.length; i++) {
      const a = fields[i], b = parts[from + i * 2];
      if (a.length !== b.length) return false;
      for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
    }
    return true;
  }

  /** Room for `parts` more parts of `bytes` more bytes. */
  #reserve(parts: number, bytes: number): void {
    const need = this.#used + bytes;
    if (need > this.#bytes.length) {
      const next = new Uint8Array(Math.max(need, this.#bytes.length * 2));
      next.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = next;
    }
    this.#ends = grow32(this.#ends, this.#parts + parts);
  }

  /**
   * Appends an entry with `parts[from...]` ([field, value, ...]) as its fields and values
   * (ID greater than every stored one; the caller checked {@link fits}). The bytes are
   * copied straight from `parts` into the node: the caller keeps its arrays.
   */
  append(id: StreamId, parts: readonly Uint8Array[], from = 0): void {
    const i = this.count;
    if (i >= this.#flags.length) {
      const flags = new Uint8Array(Math.max(i + 1, Math.min(i * 2, entryLimit())));
      flags.set(this.#flags);
      this.#flags = flags;
    }
    this.#starts = grow32(this.#starts, i + 2);
    this.#ids.set(i, id);
    const same = i === 0 || this.sameFields(parts, from);
    this.#flags[i] = same ? SAME_FIELDS : 0;
    const fields = (parts.length - from) / 2;
    // With the master fields only the values are stored: every other part from the first value.
    const first = same ? from + 1 : from, step = same ? 2 : 1;
    let bytes = 0;
    for (let k = first; k < parts.length; k += step) bytes += parts[k].length;
    this.#reserve(same ? fields : fields * 2, bytes);
    const data = this.#bytes, ends = this.#ends;
    let used = this.#used, p = this.#parts;
    let size = 2 + lpIntegerSize(delta(id.ms, this.#master.ms)) +
      lpIntegerSize(delta(id.seq, this.#master.seq));
    for (let k = first; k < parts.length; k += step) {
      const part = parts[k], n = part.length;
      // A byte loop beats TypedArray.prototype.set's call overhead for short parts.
      if (n <= SHORT_PART) { for (let j = 0; j < n; j++) data[used + j] = part[j]; }
      else data.set(part, used);
      used += n;
      ends[p++] = used;
      size += lpStringSize(part);
    }
    this.#used = used;
    this.#parts = p;
    if (!same) size += lpIntegerSize(fields);
    size += lpIntegerSize(same ? fields + 3 : fields * 2 + 4);
    this.#lpFixed += size;
    this.#starts[i + 1] = p;
    this.count++;
    this.live++;
  }

  /** Trims the spare capacity of a full node. */
  seal(): void {
    const count = this.count, parts = this.#parts, used = this.#used;
    // One buffer: IDs, part ends, entry starts, flags, then the bytes, each view aligned
    // (the IDs' size is a multiple of 8, so only the entry starts may need padding).
    const startsWidth = offsetWidth(parts);
    const size = this.#ids.sealedSize(count) + align(parts * offsetWidth(used), startsWidth) +
      (count + 1) * startsWidth + count + used;
    const buffer = new Uint8Array(size).buffer;
    this.#ids.sealInto(count, buffer, 0);
    let at = this.#ids.sealedSize(count);
    [this.#ends, at] = moveOffsets(this.#ends, parts, used, buffer, at);
    [this.#starts, at] = moveOffsets(this.#starts, count + 1, parts, buffer, at);
    const flags = new Uint8Array(buffer, at, count);
    flags.set(this.#flags.subarray(0, count));
    this.#flags = flags;
    const bytes = new Uint8Array(buffer, at + count, used);
    bytes.set(this.#bytes.subarray(0, used));
    this.#bytes = bytes;
  }

  /** The ID of entry `i`. */
  id(i: number): StreamId {
    return this.#ids.get(i);
  }

  /** Orders entry `i`'s ID against `id` (negative, zero, positive). */
  compareAt(i: number, id: StreamId): number {
    return this.#ids.compareAt(i, id);
  }

  /** The bytes of every stored field and value (parts are ranges of it). */
  get data(): Uint8Array {
    return this.#bytes;
  }

  /** The first part of entry `i`: its values only when it has the master fields. */
  firstPart(i: number): number {
    return this.#starts[i];
  }

  /** Whether entry `i` stores values only (its fields are {@link StreamNode.fields}). */
  hasMasterFields(i: number): boolean {
    return (this.#flags[i] & SAME_FIELDS) !== 0;
  }

  /** Start offset of part `p` in {@link StreamNode.data}. */
  partStart(p: number): number {
    return p === 0 ? 0 : this.#ends[p - 1];
  }

  /** End offset of part `p` in {@link StreamNode.data}. */
  partEnd(p: number): number {
    return this.#ends[p];
  }

  /** Whether entry `i` is deleted. */
  deleted(i: number): boolean {
    return (this.#flags[i] & DELETED) !== 0;
  }

  /** Marks entry `i` deleted; false if it already was. */
  delete(i: number): boolean {
    if ((this.#flags[i] & DELETED) !== 0) return false;
    this.#flags[i] |= DELETED;
    this.live--;
    return true;
  }

  /** The first index whose ID is >= `id` (count when none). */
  lowerBound(id: StreamId): number {
    return this.#ids.lowerBound(this.count, id);
  }

  /** Number of fields of entry `i`. */
  fieldCount(i: number): number {
    const parts = this.#starts[i + 1] - this.#starts[i];
    return (this.#flags[i] & SAME_FIELDS) !== 0 ? parts : parts / 2;
  }

  /** Bytes of part `p`. */
  #part(p: number): Uint8Array {
    return this.#bytes.subarray(p === 0 ? 0 : this.#ends[p - 1], this.#ends[p]);
  }

  /** Field `k` of entry `i` (a view, valid until the next append). */
  field(i: number, k: number): Uint8Array {
    if ((this.#flags[i] & SAME_FIELDS) !== 0) return this.fields[k];
    return this.#part(this.#starts[i] + k * 2);
  }

  /** Value `k` of entry `i` (a view, valid until the next append). */
  value(i: number, k: number): Uint8Array {
    if ((this.#flags[i] & SAME_FIELDS) !== 0) return this.#part(this.#starts[i] + k);
    return this.#part(this.#starts[i] + k * 2 + 1);
  }

  /** Bytes held by the node's arrays (MEMORY USAGE). */
  get memory(): number {
    return this.#ids.byteLength + this.#flags.byteLength + this.#starts.byteLength +
      this.#ends.byteLength + this.#bytes.byteLength + 200;
  }

  /** An independent copy (COPY). */
  clone(): StreamNode {
    const copy = new StreamNode(this.#master, this.fields);
    copy.count = this.count;
    copy.live = this.live;
    copy.#lpFixed = this.#lpFixed;
    copy.#ids = this.#ids.clone(this.#master);
    copy.#flags = this.#flags.slice();
    copy.#starts = this.#starts.slice();
    copy.#ends = this.#ends.slice();
    copy.#parts = this.#parts;
    copy.#bytes = this.#bytes.slice();
    copy.#used = this.#used;
    return copy;
  }
}
