/**
 * BITFIELD and BITFIELD_RO (Redis's bitops.c `bitfieldGeneric`): GET, SET and INCRBY of
 * signed (`i1`..`i64`) and unsigned (`u1`..`u63`) integers at any bit offset (`#n` meaning
 * `n` times the width), OVERFLOW WRAP|SAT|FAIL. The overflow rules reproduce Redis's 64-bit
 * C arithmetic exactly, with bigints; fields of up to 32 bits are read and written as numbers.
 *
 * @module
 */

import { parseLong, parseLongBig } from "../../server/args.ts";
import { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { fail, NOT_INTEGER, SYNTAX, WRONGTYPE } from "../../server/errors.ts";
import type { KeyReference } from "../../server/command_spec.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, type KvCommand } from "../command.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { getBits, setBits } from "../values/bits.ts";
import { bitOffsetArg, writableString } from "./bitmaps.ts";

const BAD_TYPE =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

const GET = 0, SET = 1, INCRBY = 2;
const WRAP = 0, SAT = 1, FAIL = 2;

interface FieldOp {
  offset: number;
  value: bigint;
  opcode: number;
  overflow: number;
  bits: number;
  signed: boolean;
}

/** `i<n>` / `u<n>` (the digits read up to a NUL byte, as C's strlen). */
function fieldType(bytes: Uint8Array): { signed: boolean; bits: number } {
  const signed = bytes[0] === 105; // 'i'
  if (!signed && bytes[0] !== 117) fail(BAD_TYPE); // 'u'
  let end = bytes.indexOf(0, 1);
  if (end === -1) end = bytes.length;
  const bits = parseLong(bytes.subarray(1, end));
  if (bits === undefined || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
    fail(BAD_TYPE);
  }
  return { signed, bits };
}

function parseOps(
  command: Command,
  connection: Connection,
): { ops: FieldOp[]; readonly: boolean; highest: number } {
  const ops: FieldOp[] = [];
  let overflow = WRAP;
  let readonly = true;
  let highest = 0;
  const n = command.length;
  for (let j = 1; j < n; j++) {
    const remaining = n - j - 1;
    let opcode: number;
    if (command.is(j, "get") && remaining >= 2) opcode = GET;
    else if (command.is(j, "set") && remaining >= 3) opcode = SET;
    else if (command.is(j, "incrby") && remaining >= 3) opcode = INCRBY;
    else if (command.is(j, "overflow") && remaining >= 1) {
      j++;
      if (command.is(j, "wrap")) overflow = WRAP;
      else if (command.is(j, "sat")) overflow = SAT;
      else if (command.is(j, "fail")) overflow = FAIL;
      else fail("ERR Invalid OVERFLOW type specified");
      continue;
    } else fail(SYNTAX);
    const { signed, bits } = fieldType(command.arg(j + 1)!);
    const offset = bitOffsetArg(command, j + 2, connection, bits);
    let value = 0n;
    if (opcode !== GET) {
      readonly = false;
      if (highest < offset + bits - 1) highest = offset + bits - 1;
      const parsed = parseLongBig(command.arg(j + 3)!);
      if (parsed === undefined) fail(NOT_INTEGER);
      value = parsed;
    }
    ops.push({ offset, value, opcode, overflow, bits, signed });
    j += opcode === GET ? 2 : 3;
  }
  return { ops, readonly, highest };
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const I64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Redis's checkUnsignedBitfieldOverflow: [0 | 1 | -1, the value to store on overflow]. */
function unsignedOverflow(
  value: bigint,
  incr: bigint,
  bits: number,
  mode: number,
): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = I64(max - value);
  const minIncr = I64(-value);
  const wrapped = (): bigint => U64(value + incr) & max;
  if (value > max || (incr > 0n && incr > maxIncr)) {
    return [1, mode === WRAP ? wrapped() : max];
  }
  if (incr < 0n && incr < minIncr) return [-1, mode === WRAP ? wrapped() : 0n];
  return [0, 0n];
}

/** Redis's checkSignedBitfieldOverflow. */
function signedOverflow(value: bigint, incr: bigint, bits: number, mode: number): [number, bigint] {
  const max = bits === 64 ? (1n << 63n) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncr = I64(U64(max) - value);
  const minIncr = I64(min - value);
  const wrapped = (): bigint => BigInt.asIntN(bits, value + incr);
  if (
    value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)
  ) {
    return [1, mode === WRAP ? wrapped() : max];
  }
  if (
    value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)
  ) {
    return [-1, mode === WRAP ? wrapped() : min];
  }
  return [0, 0n];
}

function readField(bytes: Uint8Array, op: FieldOp): bigint {
  const raw = getBits(bytes, op.offset, op.bits);
  const unsigned = typeof raw === "bigint" ? raw : BigInt(raw);
  return op.signed ? BigInt.asIntN(op.bits, unsigned) : unsigned;
}

/** One SET or INCRBY: replies and writes; undefined when OVERFLOW FAIL refused it. */
function writeField(bytes: Uint8Array, op: FieldOp, reply: Reply): boolean | undefined {
  const old = readField(bytes, op);
  let next: bigint, answer: bigint, overflow: number, limit: bigint;
  if (op.opcode === INCRBY) {
    const sum = op.signed ? I64(old + op.value) : U64(old + op.value);
    [overflow, limit] = op.signed
      ? signedOverflow(old, op.value, op.bits, op.overflow)
      : unsignedOverflow(old, op.value, op.bits, op.overflow);
    next = overflow ? limit : sum;
    answer = next;
  } else {
    next = op.signed ? op.value : U64(op.value);
    [overflow, limit] = op.signed
      ? signedOverflow(next, 0n, op.bits, op.overflow)
      : unsignedOverflow(next, 0n, op.bits, op.overflow);
    if (overflow) next = limit;
    answer = old;
  }
  if (overflow && op.overflow === FAIL) {
    reply.null();
    return undefined;
  }
  reply.integer(I64(answer));
  setBits(bytes, op.offset, op.bits, op.bits <= 32 ? Number(BigInt.asUintN(op.bits, next)) : next);
  return old !== next;
}

function bitfield(readonlyCommand: boolean) {
  return (db: Database, key: string, command: Command, reply: Reply, connection: Connection) => {
    const { ops, readonly, highest } = parseOps(command, connection);
    let bytes: Uint8Array | undefined;
    let grown = false;
    if (readonly) {
      const value = db.get(key);
      if (value !== undefined && !(value instanceof Uint8Array)) fail(WRONGTYPE);
      bytes = value;
    } else {
      if (readonlyCommand) fail("ERR BITFIELD_RO only supports the GET subcommand");
      ({ value: bytes, grown } = writableString(db, key, Math.floor(highest / 8)));
    }
    reply.arrayHeader(ops.length);
    let changes = 0;
    for (const op of ops) {
      if (op.opcode === GET) {
        reply.integer(bytes === undefined ? 0 : readField(bytes, op));
      } else {
        const changed = writeField(bytes!, op, reply);
        if (changed === true || (changed === false && grown)) changes++;
      }
    }
    if (changes > 0) db.touch(key);
  };
}

/** Redis's `bitfieldGetKeys`: the key is read-only unless a SET or INCRBY (or bad syntax) comes. */
function bitfieldKeys(argv: readonly Uint8Array[]): KeyReference[] {
  let readonly = true;
  const command = new Command();
  command.load("bitfield", argv as Uint8Array[]);
  const is = (i: number, word: string) => command.is(i - 1, word);
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    if (is(i, "get") && remaining >= 2) i += 2;
    else if (is(i, "overflow") && remaining >= 1) i += 1;
    else {
      readonly = false;
      break;
    }
  }
  return [{ index: 1, flags: readonly ? ["RO", "access"] : ["RW", "access", "update"] }];
}

/** BITFIELD and BITFIELD_RO. */
export const bitfieldCommands: readonly KvCommand[] = [
  {
    name: "bitfield",
    arity: -2,
    flags: ["write", "denyoom"],
    acl: ["bitmap"],
    keys: [{
      notes: "This command allows both access and modification of the key",
      flags: ["RW", "access", "update", "variable_flags"],
      begin: { index: 1 },
      find: { lastKey: 0, step: 1, limit: 0 },
    }],
    group: "bitmap",
    since: "3.2.0",
    complexity: "O(1) for each subcommand specified",
    summary: "Perform arbitrary bitfield integer operations on strings",
    getKeys: bitfieldKeys,
    handler: bitfield(false),
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["bitmap"],
    keys: [keyAt(1, "RO", "access")],
    group: "bitmap",
    since: "6.0.0",
    complexity: "O(1) for each subcommand specified",
    summary:
      "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    handler: bitfield(true),
  },
];
