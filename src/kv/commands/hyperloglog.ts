/**
 * HyperLogLog commands (Redis's hyperloglog.c): PFADD, PFCOUNT (one key with its cached
 * cardinality written back, or the union of several), PFMERGE, PFDEBUG and PFSELFTEST. The
 * values are plain strings in Redis's own representation (`values/hll.ts`), so GET returns
 * Redis's bytes and a value SET from Redis counts the same.
 *
 * @module
 */

import type { Command } from "../../server/command.ts";
import { cText, fail, WRONGTYPE } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, keyRange, type KvCommand } from "../command.ts";
import { keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import type { KeyValue } from "../keyspace/values.ts";
import {
  cachedCardinality,
  createHll,
  denseGet,
  HLL_DENSE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  hllCount,
  invalidateCache,
  isHll,
  mergeRegisters,
  rawCount,
  setCachedCardinality,
  sparseToDense,
} from "../values/hll.ts";
import {
  HLL_SPARSE_MAX_BYTES,
  hllAdd,
  hllResult,
  hllSet,
  isWritableHll,
  writableHll,
} from "../values/hll_sparse.ts";
import { hllSelfTest } from "../values/hll_selftest.ts";
import { KEEP_TTL_RAW } from "./strings.ts";

const INVALID = "INVALIDOBJ Corrupted HLL object detected";
const NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

/** hll-sparse-max-bytes (Redis's default; not configurable yet). */
function sparseMaxBytes(): number {
  return HLL_SPARSE_MAX_BYTES;
}

/** The HLL string at `key`, undefined if missing; throws Redis's errors for other values. */
function hllAt(db: Database, key: string): Uint8Array | undefined {
  return checkedHll(db.get(key));
}

function checkedHll(value: KeyValue | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array)) fail(WRONGTYPE);
  if (!isHll(value)) fail(NOT_HLL);
  return value;
}

/**
 * The HLL at `key` (checked) as a string this module may change in place; Redis's
 * dbUnshareStringValue, which leaves it `raw` (OBJECT ENCODING).
 */
function writableAt(db: Database, key: string): Uint8Array | undefined {
  const entry = db.entry(key);
  const value = checkedHll(entry?.value);
  if (value === undefined) return undefined;
  db.markRaw(key);
  return isWritableHll(value) && entry!.owned ? value : writableHll(value);
}

/** Stores `bytes` at `key` unless it already is the stored value; then marks the key changed. */
function store(db: Database, key: string, bytes: Uint8Array): void {
  if (db.get(key) !== bytes) db.set(key, bytes, KEEP_TTL_RAW);
  else db.touch(key);
}

function pfadd(db: Database, key: string, command: Command): number {
  let bytes = writableAt(db, key);
  let updated = 0;
  if (bytes === undefined) {
    bytes = writableHll(createHll());
    updated++;
  }
  const max = sparseMaxBytes();
  for (let i = 1; i < command.length; i++) {
    const result = hllAdd(bytes, command.arg(i)!, max);
    bytes = hllResult;
    if (result === 1) updated++;
    else if (result === -1) {
      store(db, key, bytes);
      fail(INVALID);
    }
  }
  if (updated > 0) {
    invalidateCache(bytes);
    store(db, key, bytes);
  }
  return updated > 0 ? 1 : 0;
}

function pfcount(db: Database, key: string, command: Command, reply: Reply): void {
  if (command.length > 1) {
    const registers = new Uint8Array(HLL_REGISTERS);
    for (let i = 0; i < command.length; i++) {
      const value = hllAt(db, keyOf(command.arg(i)!));
      if (value !== undefined && !mergeRegisters(registers, value)) fail(INVALID);
    }
    return reply.integer(rawCount(registers));
  }
  const value = hllAt(db, key);
  if (value === undefined) return reply.integer(0);
  db.markRaw(key); // Redis unshares it even when the cached count answers
  const cached = cachedCardinality(value);
  if (cached !== undefined) return reply.integer(cached);
  const card = hllCount(value);
  if (card === undefined) fail(INVALID);
  const bytes = writableAt(db, key)!;
  setCachedCardinality(bytes, card);
  store(db, key, bytes);
  reply.integer(card);
}

function pfmerge(db: Database, key: string, command: Command): void {
  const registers = new Uint8Array(HLL_REGISTERS);
  let dense = false;
  for (let i = 0; i < command.length; i++) {
    const value = hllAt(db, keyOf(command.arg(i)!));
    if (value === undefined) continue;
    if (value[4] === HLL_DENSE) dense = true;
    if (!mergeRegisters(registers, value)) fail(INVALID);
  }
  let bytes = writableAt(db, key) ?? writableHll(createHll());
  if (dense) {
    const converted = sparseToDense(bytes);
    if (converted === undefined) fail(INVALID);
    bytes = converted;
  }
  const max = sparseMaxBytes();
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (registers[j] === 0) continue;
    hllSet(bytes, j, registers[j], max);
    bytes = hllResult;
  }
  invalidateCache(bytes);
  store(db, key, bytes);
}

/** PFDEBUG DECODE's text of a sparse HLL. */
function decodeSparse(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let p = HLL_HDR_SIZE; p < bytes.length;) {
    const b = bytes[p];
    if ((b & 0xc0) === 0) {
      parts.push(`z:${(b & 0x3f) + 1}`);
      p++;
    } else if ((b & 0xc0) === 0x40) {
      parts.push(`Z:${(((b & 0x3f) << 8) | (bytes[p + 1] ?? 0)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((b >> 2) & 0x1f) + 1},${(b & 3) + 1}`);
      p++;
    }
  }
  return parts.join(" ");
}

function pfdebug(db: Database, key: string, command: Command, reply: Reply): void {
  if (!db.has(key)) fail("ERR The specified key does not exist");
  let bytes = writableAt(db, key)!;
  const toDense = (): boolean => {
    if (bytes[4] === HLL_DENSE) return false;
    const dense = sparseToDense(bytes);
    if (dense === undefined) fail(INVALID);
    bytes = dense;
    store(db, key, bytes);
    return true;
  };
  if (command.is(0, "getreg")) {
    toDense();
    reply.arrayHeader(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) reply.integer(denseGet(bytes, j));
  } else if (command.is(0, "decode")) {
    if (bytes[4] === HLL_DENSE) fail("ERR HLL encoding is not sparse");
    reply.bulk(decodeSparse(bytes));
  } else if (command.is(0, "encoding")) {
    reply.status(bytes[4] === HLL_DENSE ? "dense" : "sparse");
  } else if (command.is(0, "todense")) {
    reply.integer(toDense() ? 1 : 0);
  } else fail(`ERR Unknown PFDEBUG subcommand '${cText(command.arg(0)!)}'`);
}

/** The HyperLogLog commands. */
export const hyperloglogCommands: readonly KvCommand[] = [
  {
    name: "pfadd",
    arity: -2,
    flags: ["write", "denyoom", "fast"],
    acl: ["hyperloglog"],
    keys: [keyAt(1, "RW", "insert")],
    group: "hyperloglog",
    since: "2.8.9",
    complexity: "O(1) to add every element.",
    summary: "Adds the specified elements to the specified HyperLogLog.",
    handler: (db, key, command, reply) => reply.integer(pfadd(db, key, command)),
  },
  {
    name: "pfcount",
    arity: -2,
    flags: ["readonly"],
    acl: ["hyperloglog"],
    keys: [{
      notes:
        "RW because it may change the internal representation of the key, and propagate to replicas",
      flags: ["RW", "access"],
      begin: { index: 1 },
      find: { lastKey: -1, step: 1, limit: 0 },
    }],
    group: "hyperloglog",
    since: "2.8.9",
    complexity:
      "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    summary:
      "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    handler: pfcount,
  },
  {
    name: "pfmerge",
    arity: -2,
    flags: ["write", "denyoom"],
    acl: ["hyperloglog"],
    keys: [keyAt(1, "RW", "access", "insert"), keyRange(2, -1, 1, "RO", "access")],
    group: "hyperloglog",
    since: "2.8.9",
    complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
    summary: "Merge N different HyperLogLogs into a single one.",
    handler: (db, key, command, reply) => {
      pfmerge(db, key, command);
      reply.status("OK");
    },
  },
  {
    name: "pfdebug",
    arity: 3,
    flags: ["write", "denyoom", "admin"],
    acl: ["hyperloglog"],
    keys: [keyAt(2, "RW", "access")],
    group: "hyperloglog",
    since: "2.8.9",
    complexity: "N/A",
    summary: "Internal commands for debugging HyperLogLog values",
    docFlags: ["syscmd"],
    handler: pfdebug,
  },
  {
    name: "pfselftest",
    arity: 1,
    flags: ["admin"],
    acl: ["hyperloglog"],
    group: "hyperloglog",
    since: "2.8.9",
    complexity: "N/A",
    summary: "An internal command for testing HyperLogLog values",
    docFlags: ["syscmd"],
    handler: (_db, _key, _command, reply) => {
      const failure = hllSelfTest(sparseMaxBytes());
      if (failure === undefined) reply.status("OK");
      else reply.error(failure);
    },
  },
];
