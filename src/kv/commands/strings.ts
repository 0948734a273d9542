/**
 * String commands (Redis's t_string.c): GET, SET (EX/PX/EXAT/PXAT/NX/XX/KEEPTTL/GET),
 * SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, APPEND, STRLEN,
 * GETRANGE, SUBSTR and SETRANGE, with Redis 7.0's replies and error texts. Values are
 * binary-safe `Uint8Array`s. The counters (INCR and friends) are in `counters.ts`.
 *
 * @module
 */

import { parseBigInt } from "../../resp/bytes.ts";
import { int64Arg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { fail, NOT_INTEGER, SYNTAX, WRONGTYPE } from "../../server/errors.ts";
import type { KeyReference } from "../../server/command_spec.ts";
import type { Reply } from "../../server/reply.ts";
import { isWord } from "../args.ts";
import { keyAt, keyRange, type KvCommand } from "../command.ts";
import { keyOf } from "../keyspace/encoding.ts";
import type { ExpireMs } from "../keyspace/expire.ts";
import type { Database, SetOptions } from "../keyspace/keyspace.ts";
import { expireTime } from "./expire.ts";

/** proto-max-bulk-len: the largest string value (512 MiB). */
const TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/** Redis's `checkStringLength` bound: CONFIG proto-max-bulk-len. */
function maxString(connection: Connection): number {
  return connection.server.options.limits.maxBulkLength;
}
const EMPTY = new Uint8Array(0);

/**
 * The string at `key`, undefined if missing; throws WRONGTYPE for other types.
 *
 * @example
 * ```ts
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { stringAt } from "./strings.ts";
 *
 * const keyspace = new Keyspace();
 * stringAt(keyspace.db(0), "missing"); // undefined
 * keyspace.close();
 * ```
 */
export function stringAt(db: Database, key: string): Uint8Array | undefined {
  const value = db.get(key);
  if (value === undefined || value instanceof Uint8Array) return value;
  fail(WRONGTYPE);
}

/** Values grown by APPEND with spare capacity behind them (only the newest view). */
const growable = new WeakSet<Uint8Array>();

/** Appends like sds: in place when capacity allows, else reallocating with room to grow. */
function appendBytes(old: Uint8Array, extra: Uint8Array): Uint8Array {
  const length = old.length + extra.length;
  if (growable.has(old) && old.byteOffset + length <= old.buffer.byteLength) {
    const next = new Uint8Array(old.buffer, old.byteOffset, length);
    next.set(extra, old.length);
    growable.delete(old);
    growable.add(next);
    return next;
  }
  const capacity = length < 1024 * 1024 ? length * 2 : length + 1024 * 1024;
  const buffer = new Uint8Array(capacity);
  buffer.set(old);
  buffer.set(extra, old.length);
  const next = buffer.subarray(0, length);
  growable.add(next);
  return next;
}

/** Flags of Redis's `parseExtendedStringArgumentsOrReply`. */
const NX = 1, XX = 2, GET = 4, KEEPTTL = 8, PERSIST = 16, EX = 32, PX = 64, EXAT = 128, PXAT = 256;
const EXPIRES = EX | PX | EXAT | PXAT;

interface StringOptions {
  flags: number;
  /** Argument index of the expire value, or -1. */
  expire: number;
}

function parseStringOptions(command: Command, from: number, set: boolean): StringOptions {
  let flags = 0;
  let expire = -1;
  const n = command.length;
  for (let j = from; j < n; j++) {
    const next = j < n - 1;
    if (set && !(flags & XX) && command.is(j, "nx")) flags |= NX;
    else if (set && !(flags & NX) && command.is(j, "xx")) flags |= XX;
    else if (set && command.is(j, "get")) flags |= GET;
    else if (set && !(flags & (PERSIST | EXPIRES)) && command.is(j, "keepttl")) flags |= KEEPTTL;
    else if (!set && !(flags & (EXPIRES | KEEPTTL)) && command.is(j, "persist")) flags |= PERSIST;
    else if (next && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && command.is(j, "ex")) {
      flags |= EX;
      expire = ++j;
    } else if (
      next && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && command.is(j, "px")
    ) {
      flags |= PX;
      expire = ++j;
    } else if (
      next && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && command.is(j, "exat")
    ) {
      flags |= EXAT;
      expire = ++j;
    } else if (
      next && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && command.is(j, "pxat")
    ) {
      flags |= PXAT;
      expire = ++j;
    } else fail(SYNTAX);
  }
  return { flags, expire };
}

/** Redis's `getExpireMillisecondsOrReply`: the absolute expiry in ms, or throws. */
function expireMs(
  db: Database,
  command: Command,
  index: number,
  flags: number,
  name: string,
): ExpireMs {
  const value = int64Arg(command, index);
  const invalid = `ERR invalid expire time in '${name}' command`;
  const seconds = (flags & (EX | EXAT)) !== 0;
  if (value <= 0) fail(invalid);
  const when = expireTime(value, seconds ? 1000 : 1, flags & (EX | PX) ? db.keyspace.now() : 0);
  if (when === undefined) fail(invalid);
  return when;
}

/** SET's core (setGenericCommand); `integers`: SETNX's 1/0 replies instead of OK/null. */
function setGeneric(
  db: Database,
  key: string,
  command: Command,
  reply: Reply,
  flags: number,
  value: Uint8Array,
  expireIndex: number,
  name: string,
  integers: boolean,
): void {
  const when = expireIndex >= 0 ? expireMs(db, command, expireIndex, flags, name) : -1;
  if (flags & GET) {
    const old = stringAt(db, key);
    if (old === undefined) reply.null();
    else reply.bulk(old);
  }
  if (flags & (NX | XX)) {
    const found = db.has(key);
    if (((flags & NX) && found) || ((flags & XX) && !found)) {
      if (!(flags & GET)) {
        if (integers) reply.integer(0);
        else reply.null();
      }
      return;
    }
  }
  db.set(key, value, (flags & KEEPTTL) ? KEEP_TTL : undefined);
  if (when >= 0) db.setExpireAt(key, when);
  if (!(flags & GET)) {
    if (integers) reply.integer(1);
    else reply.status("OK");
  }
}

const KEEP_TTL: SetOptions = { keepTtl: true };
/**
 * A value the store made itself (INCR's digits, APPEND's and SETRANGE's results): TTL kept,
 * no compacting copy, and later INCRs may rewrite the digits in place.
 */
export const KEEP_TTL_OWNED: SetOptions = { keepTtl: true, owned: true };
/**
 * A string the store edited or made from bytes (APPEND, SETRANGE, SETBIT, BITFIELD): TTL kept,
 * and Redis encodes it `raw` whatever its bytes (its dbUnshareStringValue).
 */
export const KEEP_TTL_RAW: SetOptions = { keepTtl: true, owned: true, encoding: "raw" };
/** APPEND of nothing: the value as it is, now `raw` (Redis unshares it all the same). */
const KEEP_TTL_AS_RAW: SetOptions = { keepTtl: true, encoding: "raw" };

/** GETRANGE's bounds, from exact int64 arguments. */
function getRange(value: Uint8Array, startArg: bigint, endArg: bigint): Uint8Array | undefined {
  if (startArg < 0n && endArg < 0n && startArg > endArg) return undefined;
  const len = value.length;
  const clamp = (v: bigint) => v > 1n << 53n ? 2 ** 53 : v < -(1n << 53n) ? -(2 ** 53) : Number(v);
  let start = clamp(startArg), end = clamp(endArg);
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return undefined;
  return value.subarray(start, end + 1);
}

function bigArg(command: Command, index: number): bigint {
  const value = parseBigInt(command.arg(index)!);
  if (value === undefined) fail(NOT_INTEGER);
  return value;
}

function getrange(db: Database, key: string, command: Command, reply: Reply): void {
  const start = bigArg(command, 1);
  const end = bigArg(command, 2);
  const value = stringAt(db, key);
  const range = value === undefined ? undefined : getRange(value, start, end);
  reply.bulk(range ?? EMPTY);
}

/** Redis MSET/MSETNX: an even number of arguments after the name, or the arity error. */
function checkPairs(command: Command): void {
  if (command.argv.length % 2 === 0) {
    fail(`ERR wrong number of arguments for '${command.name}' command`);
  }
}

/**
 * SET's keys with their real flags (Redis `setGetKeys`): the key is only overwritten (OW
 * update) unless GET reads it first (RW access update).
 */
function setGetKeys(argv: readonly Uint8Array[]): readonly KeyReference[] {
  for (let i = 3; i < argv.length; i++) {
    if (isWord(argv[i], "get")) return [{ index: 1, flags: ["RW", "access", "update"] }];
  }
  return [{ index: 1, flags: ["OW", "update"] }];
}

/** The string commands. */
export const stringCommands: readonly KvCommand[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RO", "access")],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Get the value of a key",
    handler: (db, key, _command, reply) => {
      const value = db.read(key);
      if (value === undefined) reply.null();
      else if (typeof value === "string" || value instanceof Uint8Array) reply.bulk(value);
      else reply.error(WRONGTYPE);
    },
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["string"],
    keys: [{
      flags: ["RW", "access", "update", "variable_flags"],
      begin: { index: 1 },
      find: { lastKey: 0, step: 1, limit: 0 },
      notes: "RW and ACCESS due to the optional `GET` argument",
    }],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Set the string value of a key",
    history: [
      ["2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."],
      ["6.0.0", "Added the `KEEPTTL` option."],
      ["6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."],
      ["7.0.0", "Allowed the `NX` and `GET` options to be used together."],
    ],
    getKeys: setGetKeys,
    handler: (db, key, command, reply) => {
      const value = command.arg(1)!;
      if (command.length === 2) {
        db.set(key, value);
        return reply.status("OK");
      }
      const options = parseStringOptions(command, 2, true);
      setGeneric(db, key, command, reply, options.flags, value, options.expire, "set", false);
    },
  },
  {
    name: "setnx",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "OW", "insert")],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Set the value of a key, only if the key does not exist",
    handler: (db, key, command, reply) =>
      setGeneric(db, key, command, reply, NX, command.arg(1)!, -1, "setnx", true),
  },
  {
    name: "setex",
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["string"],
    keys: [keyAt(1, "OW", "update")],
    group: "string",
    since: "2.0.0",
    complexity: "O(1)",
    summary: "Set the value and expiration of a key",
    handler: (db, key, command, reply) =>
      setGeneric(db, key, command, reply, EX, command.arg(2)!, 1, "setex", false),
  },
  {
    name: "psetex",
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["string"],
    keys: [keyAt(1, "OW", "update")],
    group: "string",
    since: "2.6.0",
    complexity: "O(1)",
    summary: "Set the value and expiration in milliseconds of a key",
    handler: (db, key, command, reply) =>
      setGeneric(db, key, command, reply, PX, command.arg(2)!, 1, "psetex", false),
  },
  {
    name: "getset",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Set the string value of a key and return its old value",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`SET` with the `!GET` argument",
    handler: (db, key, command, reply) => {
      const old = stringAt(db, key);
      if (old === undefined) reply.null();
      else reply.bulk(old);
      db.set(key, command.arg(1)!);
    },
  },
  {
    name: "getdel",
    arity: 2,
    flags: ["write", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "access", "delete")],
    group: "string",
    since: "6.2.0",
    complexity: "O(1)",
    summary: "Get the value of a key and delete the key",
    handler: (db, key, _command, reply) => {
      const old = stringAt(db, key);
      if (old === undefined) return reply.null();
      reply.bulk(old);
      db.delete(key);
    },
  },
  {
    name: "getex",
    arity: -2,
    flags: ["write", "fast"],
    acl: ["string"],
    keys: [{
      flags: ["RW", "access", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, step: 1, limit: 0 },
      notes: "RW and UPDATE because it changes the TTL",
    }],
    group: "string",
    since: "6.2.0",
    complexity: "O(1)",
    summary: "Get the value of a key and optionally set its expiration",
    handler: (db, key, command, reply) => {
      const { flags, expire } = parseStringOptions(command, 1, false);
      const value = stringAt(db, key);
      if (value === undefined) return reply.null();
      const when = expire >= 0 ? expireMs(db, command, expire, flags, "getex") : -1;
      reply.bulk(value);
      if ((flags & (EXAT | PXAT)) && when <= db.keyspace.now()) db.delete(key);
      else if (when >= 0) db.setExpireAt(key, when);
      else if ((flags & PERSIST) && db.expireTime(key) !== undefined) {
        db.setExpireAt(key, undefined);
      }
    },
  },
  {
    name: "mget",
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["string"],
    keys: [keyRange(1, -1, 1, "RO", "access")],
    tips: ["request_policy:multi_shard"],
    group: "string",
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys to retrieve.",
    summary: "Get the values of all the given keys",
    handler: (db, _key, command, reply) => {
      const argv = command.argv;
      reply.arrayHeader(argv.length - 1);
      for (let i = 1; i < argv.length; i++) {
        const value = db.read(keyOf(argv[i]));
        if (typeof value === "string" || value instanceof Uint8Array) reply.bulk(value);
        else reply.null();
      }
    },
  },
  {
    name: "mset",
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["string"],
    keys: [keyRange(1, -1, 2, "OW", "update")],
    tips: ["request_policy:multi_shard", "response_policy:all_succeeded"],
    group: "string",
    since: "1.0.1",
    complexity: "O(N) where N is the number of keys to set.",
    summary: "Set multiple keys to multiple values",
    handler: (db, _key, command, reply) => {
      checkPairs(command);
      const argv = command.argv;
      for (let i = 1; i < argv.length; i += 2) db.set(keyOf(argv[i]), argv[i + 1]);
      reply.status("OK");
    },
  },
  {
    name: "msetnx",
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["string"],
    keys: [keyRange(1, -1, 2, "OW", "insert")],
    tips: ["request_policy:multi_shard", "response_policy:agg_min"],
    group: "string",
    since: "1.0.1",
    complexity: "O(N) where N is the number of keys to set.",
    summary: "Set multiple keys to multiple values, only if none of the keys exist",
    handler: (db, _key, command, reply) => {
      checkPairs(command);
      const argv = command.argv;
      for (let i = 1; i < argv.length; i += 2) if (db.has(keyOf(argv[i]))) return reply.integer(0);
      for (let i = 1; i < argv.length; i += 2) db.set(keyOf(argv[i]), argv[i + 1]);
      reply.integer(1);
    },
  },
  {
    name: "append",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "insert")],
    group: "string",
    since: "2.0.0",
    complexity:
      "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
    summary: "Append a value to a key",
    handler: (db, key, command, reply, connection) => {
      const extra = command.arg(1)!;
      const old = stringAt(db, key);
      if (old === undefined) {
        db.set(key, extra);
        return reply.integer(extra.length);
      }
      if (old.length + extra.length > maxString(connection)) fail(TOO_BIG);
      const value = extra.length === 0 ? old : appendBytes(old, extra);
      db.set(key, value, extra.length === 0 ? KEEP_TTL_AS_RAW : KEEP_TTL_RAW);
      reply.integer(value.length);
    },
  },
  {
    name: "strlen",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RO")],
    group: "string",
    since: "2.2.0",
    complexity: "O(1)",
    summary: "Get the length of the value stored in a key",
    handler: (db, key, _command, reply) => {
      const value = stringAt(db, key);
      reply.integer(value === undefined ? 0 : value.length);
    },
  },
  {
    name: "getrange",
    arity: 4,
    flags: ["readonly"],
    acl: ["string"],
    keys: [keyAt(1, "RO", "access")],
    group: "string",
    since: "2.4.0",
    complexity:
      "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
    summary: "Get a substring of the string stored at a key",
    handler: getrange,
  },
  {
    name: "substr",
    arity: 4,
    flags: ["readonly"],
    acl: ["string"],
    keys: [keyAt(1, "RO", "access")],
    group: "string",
    since: "1.0.0",
    complexity:
      "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
    summary: "Get a substring of the string stored at a key",
    docFlags: ["deprecated"],
    deprecatedSince: "2.0.0",
    replacedBy: "`GETRANGE`",
    handler: getrange,
  },
  {
    name: "setrange",
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "update")],
    group: "string",
    since: "2.2.0",
    complexity:
      "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
    summary: "Overwrite part of a string at key starting at the specified offset",
    handler: (db, key, command, reply, connection) => {
      const offsetArg = bigArg(command, 1);
      if (offsetArg < 0n) fail("ERR offset is out of range");
      const patch = command.arg(2)!;
      const old = stringAt(db, key);
      if (old === undefined && patch.length === 0) return reply.integer(0);
      if (old !== undefined && patch.length === 0) return reply.integer(old.length);
      if (offsetArg + BigInt(patch.length) > BigInt(maxString(connection))) fail(TOO_BIG);
      const offset = Number(offsetArg);
      const oldLength = old === undefined ? 0 : old.length;
      const value = new Uint8Array(Math.max(oldLength, offset + patch.length));
      if (old !== undefined) value.set(old);
      value.set(patch, offset);
      db.set(key, value, KEEP_TTL_RAW);
      reply.integer(value.length);
    },
  },
];
