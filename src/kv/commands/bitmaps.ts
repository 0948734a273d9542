/**
 * Bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP over string
 * values, with Redis 7.0's argument rules and error texts. BITFIELD is in `bitfield.ts`.
 *
 * @module
 */

import { parseLong, parseLongBig } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { fail, NOT_INTEGER, SYNTAX, WRONGTYPE } from "../../server/errors.ts";
import { keyAt, keyRange, type KvCommand } from "../command.ts";
import { keyOf } from "../keyspace/encoding.ts";
import type { Database, SetOptions } from "../keyspace/keyspace.ts";
import { bitop, type BitOperator, bitpos, popcount, popcountByte } from "../values/bits.ts";
import { KEEP_TTL_RAW, stringAt } from "./strings.ts";

const BAD_OFFSET = "ERR bit offset is not an integer or out of range";
const BAD_BIT = "ERR bit is not an integer or out of range";

/**
 * Redis's `getBitOffsetFromArgument`: argument `index` as a bit offset below
 * proto-max-bulk-len bytes; with `bits` > 0 a `#n` offset means `n * bits`.
 *
 * @example
 * ```ts
 * import type { Command } from "../../server/command.ts";
 * import type { Connection } from "../../server/connection.ts";
 * import { bitOffsetArg } from "./bitmaps.ts";
 *
 * function offset(command: Command, connection: Connection): number {
 *   return bitOffsetArg(command, 1, connection, 0);
 * }
 * ```
 */
export function bitOffsetArg(
  command: Command,
  index: number,
  connection: Connection,
  bits: number,
): number {
  const bytes = command.arg(index)!;
  const hash = bits > 0 && bytes[0] === 35; // '#'
  const limit = connection.server.options.limits.maxBulkLength;
  if (!hash) {
    // Fast path: a plain offset within the safe integers needs no bigint.
    const small = parseLong(bytes);
    if (small !== undefined && Number.isSafeInteger(small)) {
      if (small < 0 || Math.floor(small / 8) >= limit) fail(BAD_OFFSET);
      return small;
    }
  }
  let offset = parseLongBig(hash ? bytes.subarray(1) : bytes);
  if (offset === undefined) fail(BAD_OFFSET);
  if (hash) offset = BigInt.asIntN(64, offset * BigInt(bits));
  if (offset < 0n || (offset >> 3n) >= BigInt(limit)) fail(BAD_OFFSET);
  return Number(offset);
}

/** String values with spare capacity behind them (SETBIT grows them in place). */
const spare = new WeakSet<Uint8Array>();

/**
 * Redis's `lookupStringForBitCommand`: the string at `key`, created or zero-padded to hold
 * byte `lastByte`, that the caller may change in place (then `db.touch(key)`). `grown` is
 * true when the key was created or lengthened. Throws WRONGTYPE. Like Redis's, it leaves the
 * string `raw` (OBJECT ENCODING) whether it changes or not.
 *
 * @example
 * ```ts
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { writableString } from "./bitmaps.ts";
 *
 * const keyspace = new Keyspace();
 * writableString(keyspace.db(0), "bits", 3).value.length; // 4
 * keyspace.close();
 * ```
 */
export function writableString(
  db: Database,
  key: string,
  lastByte: number,
): { value: Uint8Array; grown: boolean } {
  const entry = db.entry(key);
  const length = lastByte + 1;
  if (entry === undefined) {
    const value = new Uint8Array(length);
    db.set(key, value, KEEP_TTL_RAW);
    return { value, grown: true };
  }
  const old = entry.value;
  if (!(old instanceof Uint8Array)) fail(WRONGTYPE);
  if (old.length >= length) {
    if (entry.owned) {
      db.markRaw(key);
      return { value: old, grown: false };
    }
    const copy = old.slice();
    db.set(key, copy, KEEP_TTL_RAW);
    return { value: copy, grown: false };
  }
  let value: Uint8Array;
  if (spare.has(old) && old.byteOffset + length <= old.buffer.byteLength && entry.owned) {
    // The bytes behind the view were zeroed when the buffer was made and never exposed.
    value = new Uint8Array(old.buffer, old.byteOffset, length);
    spare.delete(old);
  } else {
    const capacity = length < 1024 * 1024 ? length * 2 : length + 1024 * 1024;
    value = new Uint8Array(capacity).subarray(0, length);
    value.set(old);
  }
  spare.add(value);
  db.set(key, value, KEEP_TTL_RAW);
  return { value, grown: true };
}

/** A range argument as an exact int64 (Redis getLongLongFromObjectOrReply). */
function bigArg(command: Command, index: number): bigint {
  const value = parseLongBig(command.arg(index)!);
  if (value === undefined) fail(NOT_INTEGER);
  return value;
}

/** Clamps an int64 to the safe integers (lengths are far smaller). */
function clamp(v: bigint): number {
  return v > 1n << 53n ? 2 ** 53 : v < -(1n << 53n) ? -(2 ** 53) : Number(v);
}

/** A range argument clamped to the safe integers (a bigint parsed only beyond them). */
function clampedArg(command: Command, index: number): number {
  const value = parseLong(command.arg(index)!);
  return value !== undefined && Number.isSafeInteger(value) ? value : clamp(bigArg(command, index));
}

/** BYTE or BIT at argument `index`: true for BIT; anything else is a syntax error. */
function unitIsBit(command: Command, index: number): boolean {
  if (command.is(index, "bit")) return true;
  if (command.is(index, "byte")) return false;
  fail(SYNTAX);
}

/** A resolved BITCOUNT/BITPOS range: bytes [start, end] and the masks of partial bytes. */
interface BitRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

/** Redis's range normalisation shared by BITCOUNT and BITPOS. */
function normalizeRange(
  length: number,
  startArg: number,
  endArg: number,
  isBit: boolean,
): BitRange {
  const total = isBit ? length * 8 : length;
  let start = startArg, end = endArg;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0, lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
    lastMask = (1 << (7 - (end & 7))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

/**
 * BITCOUNT's start and end (arguments 1 and 2), clamped to the safe integers, or undefined
 * when both are negative and start > end (an empty range, compared exactly). Plain numbers
 * when both are safe integers; bigints only beyond.
 */
function countRange(command: Command): [number, number] | undefined {
  const start = parseLong(command.arg(1)!), end = parseLong(command.arg(2)!);
  if (
    start !== undefined && end !== undefined && Number.isSafeInteger(start) &&
    Number.isSafeInteger(end)
  ) {
    return start < 0 && end < 0 && start > end ? undefined : [start, end];
  }
  const bigStart = bigArg(command, 1), bigEnd = bigArg(command, 2);
  if (bigStart < 0n && bigEnd < 0n && bigStart > bigEnd) return undefined;
  return [clamp(bigStart), clamp(bigEnd)];
}

function bitcount(db: Database, key: string, command: Command): number {
  const value = stringAt(db, key);
  if (value === undefined) return 0;
  let range: BitRange;
  if (command.length === 3 || command.length === 4) {
    const args = countRange(command);
    if (args === undefined) return 0;
    const isBit = command.length === 4 && unitIsBit(command, 3);
    range = normalizeRange(value.length, args[0], args[1], isBit);
  } else if (command.length === 1) {
    range = { start: 0, end: value.length - 1, firstMask: 0, lastMask: 0 };
  } else fail(SYNTAX);
  const { start, end, firstMask, lastMask } = range;
  if (start > end) return 0;
  let count = popcount(value, start, end + 1);
  if (firstMask !== 0) count -= popcountByte(value[start] & firstMask);
  if (lastMask !== 0) count -= popcountByte(value[end] & lastMask);
  return count;
}

function bitposCommand(db: Database, key: string, command: Command): number {
  const bitValue = parseLongBig(command.arg(1)!);
  if (bitValue === undefined) fail(NOT_INTEGER);
  if (bitValue !== 0n && bitValue !== 1n) fail("ERR The bit argument must be 1 or 0.");
  const bit = Number(bitValue);
  const value = stringAt(db, key);
  if (value === undefined) return bit ? -1 : 0;
  let endGiven = false;
  let range: BitRange;
  const n = command.length;
  if (n >= 3 && n <= 5) {
    const start = clampedArg(command, 2);
    const isBit = n === 5 && unitIsBit(command, 4);
    let end: number;
    if (n >= 4) {
      end = clampedArg(command, 3);
      endGiven = true;
    } else end = isBit ? value.length * 8 + 7 : value.length - 1;
    range = normalizeRange(value.length, start, end, isBit);
  } else if (n === 2) {
    range = { start: 0, end: value.length - 1, firstMask: 0, lastMask: 0 };
  } else fail(SYNTAX);
  let { start } = range;
  const { end, firstMask, lastMask } = range;
  if (start > end) return -1;
  let bytes = end - start + 1;
  let pos: number;
  found: {
    if (firstMask) {
      let byte = bit ? value[start] & ~firstMask : value[start] | firstMask;
      if (lastMask && bytes === 1) byte = bit ? byte & ~lastMask : byte | lastMask;
      pos = bitpos(new Uint8Array([byte & 0xff]), 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      bytes--;
    }
    const whole = bytes - (lastMask ? 1 : 0);
    if (whole > 0) {
      pos = bitpos(value, start, whole, bit);
      if (bytes === whole || (pos !== -1 && pos !== whole * 8)) break found;
      start += whole;
      bytes -= whole;
    }
    const byte = bit ? value[end] & ~lastMask : value[end] | lastMask;
    pos = bitpos(new Uint8Array([byte & 0xff]), 0, 1, bit);
  }
  if (endGiven && bit === 0 && pos === bytes * 8) return -1;
  return pos === -1 ? -1 : pos + start * 8;
}

const OPERATORS: readonly BitOperator[] = ["and", "or", "xor", "not"];

function bitopCommand(db: Database, command: Command): number {
  const op = OPERATORS.find((name) => command.is(0, name));
  if (op === undefined) fail(SYNTAX);
  if (op === "not" && command.length !== 3) {
    fail("ERR BITOP NOT must be called with a single source key.");
  }
  const sources: Uint8Array[] = [];
  for (let i = 2; i < command.length; i++) {
    sources.push(stringAt(db, keyOf(command.arg(i)!)) ?? EMPTY);
  }
  const result = bitop(op, sources);
  const target = keyOf(command.arg(1)!);
  if (result.length > 0) db.set(target, result, OWNED_RAW);
  else db.delete(target);
  return result.length;
}

const EMPTY = new Uint8Array(0);
/** BITOP's result: Redis makes it with createObject, so it is `raw` whatever its bytes. */
const OWNED_RAW: SetOptions = { owned: true, encoding: "raw" };

/** The bitmap commands other than BITFIELD. */
export const bitmapCommands: readonly KvCommand[] = [
  {
    name: "setbit",
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["bitmap"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "bitmap",
    since: "2.2.0",
    complexity: "O(1)",
    summary: "Sets or clears the bit at offset in the string value stored at key",
    handler: (db, key, command, reply, connection) => {
      const offset = bitOffsetArg(command, 1, connection, 0);
      const on = parseLong(command.arg(2)!);
      if (on !== 0 && on !== 1) fail(BAD_BIT);
      const byte = Math.floor(offset / 8);
      const { value, grown } = writableString(db, key, byte);
      const mask = 1 << (7 - (offset & 7));
      const old = value[byte] & mask;
      if (grown || (old !== 0) !== (on === 1)) {
        value[byte] = on === 1 ? value[byte] | mask : value[byte] & ~mask;
        db.touch(key);
      }
      reply.integer(old ? 1 : 0);
    },
  },
  {
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["bitmap"],
    keys: [keyAt(1, "RO", "access")],
    group: "bitmap",
    since: "2.2.0",
    complexity: "O(1)",
    summary: "Returns the bit value at offset in the string value stored at key",
    handler: (db, key, command, reply, connection) => {
      const offset = bitOffsetArg(command, 1, connection, 0);
      const value = stringAt(db, key);
      const byte = Math.floor(offset / 8);
      if (value === undefined || byte >= value.length) return reply.integer(0);
      reply.integer((value[byte] >> (7 - (offset & 7))) & 1);
    },
  },
  {
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    acl: ["bitmap"],
    keys: [keyAt(1, "RO", "access")],
    group: "bitmap",
    since: "2.6.0",
    complexity: "O(N)",
    summary: "Count set bits in a string",
    history: [["7.0.0", "Added the `BYTE|BIT` option."]],
    handler: (db, key, command, reply) => reply.integer(bitcount(db, key, command)),
  },
  {
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    acl: ["bitmap"],
    keys: [keyAt(1, "RO", "access")],
    group: "bitmap",
    since: "2.8.7",
    complexity: "O(N)",
    summary: "Find first bit set or clear in a string",
    history: [["7.0.0", "Added the `BYTE|BIT` option."]],
    handler: (db, key, command, reply) => reply.integer(bitposCommand(db, key, command)),
  },
  {
    name: "bitop",
    arity: -4,
    flags: ["write", "denyoom"],
    acl: ["bitmap"],
    keys: [keyAt(2, "OW", "update"), keyRange(3, -1, 1, "RO", "access")],
    group: "bitmap",
    since: "2.6.0",
    complexity: "O(N)",
    summary: "Perform bitwise operations between strings",
    handler: (db, _key, command, reply) => reply.integer(bitopCommand(db, command)),
  },
];
