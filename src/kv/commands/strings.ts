/**
 * String commands of the key-value server: GET, SET (EX/PX/EXAT/PXAT/NX/XX/KEEPTTL/GET),
 * SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, INCR, DECR, INCRBY,
 * DECRBY, INCRBYFLOAT, APPEND, STRLEN, GETRANGE, SUBSTR and SETRANGE, with Redis 7.0's
 * replies and error texts. Values are binary-safe `Uint8Array`s.
 *
 * INCRBYFLOAT computes like Redis on x86-64: in 80-bit `long double` (64-bit significand),
 * printed with `%.17Lf` and trailing zeros removed — emulated exactly by `long_double.ts`.
 *
 * @module
 */

import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import type { Reply } from "../../server/reply.ts";
import type { CommandSpec, Router } from "../../server/router.ts";
import { parseBigInt, parseInteger } from "../../resp/bytes.ts";
import {
  type Database,
  keyOf,
  type Keyspace,
  type KeyValue,
  type SetOptions,
  WRONGTYPE,
} from "../keyspace/keyspace.ts";
import { expireTime, int64Arg } from "./keys.ts";
import {
  addLongDouble,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
} from "../values/long_double.ts";
import { fail, NOT_FLOAT, NOT_INTEGER, SYNTAX_ERROR } from "../args.ts";

/** proto-max-bulk-len: the largest string value (512 MiB). */
const MAX_STRING = 512 * 1024 * 1024;
const TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
const OVERFLOW = "ERR increment or decrement would overflow";
const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/**
 * Redis's INCRBYFLOAT arithmetic: parses `value` and `increment` as x86 long doubles, adds
 * them and formats the sum like `%.17Lf` without trailing zeros. Returns an error text for
 * invalid input or an infinite result.
 *
 * @example
 * ```ts
 * import { incrByFloat } from "./strings.ts";
 *
 * const enc = (s: string) => new TextEncoder().encode(s);
 * incrByFloat(enc("0.2"), enc("0.1")); // { value: "0.3" }
 * incrByFloat(enc("3.0e3"), enc("5.0e3")); // { value: "8000" }
 * ```
 */
export function incrByFloat(
  value: Uint8Array | undefined,
  increment: Uint8Array,
): { value: string } | { error: string } {
  const a = value === undefined ? ZERO : parseLongDouble(keyOf(value));
  if (a === undefined) return { error: NOT_FLOAT };
  const b = parseLongDouble(keyOf(increment));
  if (b === undefined) return { error: NOT_FLOAT };
  const sum = typeof a === "number" || typeof b === "number" ? undefined : addLongDouble(a, b);
  if (sum === undefined) return { error: "ERR increment would produce NaN or Infinity" };
  return { value: formatLongDouble(sum) };
}

const ZERO: LongDouble = { negative: false, mantissa: 0n, exponent: 0 };

// ---------------------------------------------------------------------------------------
// helpers

/** The string at `key`, undefined if missing; throws WRONGTYPE for other types. */
function stringAt(db: Database, key: string): Uint8Array | undefined {
  const value = db.get(key);
  if (value === undefined || value instanceof Uint8Array) return value;
  fail(WRONGTYPE);
}

function textBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
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
    } else fail(SYNTAX_ERROR);
  }
  return { flags, expire };
}

/** Redis's `getExpireMillisecondsOrReply`: the absolute expiry in ms, or throws. */
function expireMs(
  keyspace: Keyspace,
  command: Command,
  index: number,
  flags: number,
  name: string,
): number {
  const value = int64Arg(command, index);
  const invalid = `ERR invalid expire time in '${name}' command`;
  const seconds = (flags & (EX | EXAT)) !== 0;
  if (value <= 0) fail(invalid);
  const when = expireTime(value, seconds ? 1000 : 1, flags & (EX | PX) ? keyspace.now() : 0);
  if (when === undefined) fail(invalid);
  return when;
}

/** SET's core (setGenericCommand). `okReply`/`abortReply` are SETNX's 1/0. */
function setGeneric(
  keyspace: Keyspace,
  command: Command,
  reply: Reply,
  connection: Connection,
  flags: number,
  value: Uint8Array,
  expireIndex: number,
  name: string,
  integers: boolean,
): void {
  const when = expireIndex >= 0 ? expireMs(keyspace, command, expireIndex, flags, name) : -1;
  const db = keyspace.db(connection.db);
  const key = keyOf(command.arg(0)!);
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
    else reply.ok();
  }
}

const KEEP_TTL: SetOptions = { keepTtl: true };
/** A value the store made itself (INCR's digits, APPEND's and SETRANGE's results): TTL kept,
 * no compacting copy, and later INCRs may rewrite the digits in place. */
const KEEP_TTL_OWNED: SetOptions = { keepTtl: true, owned: true };

/** Number of bytes of the decimal form of a safe integer (with its "-"). */
function digitCount(n: number): number {
  let count = 1;
  if (n < 0) {
    count = 2;
    n = -n;
  }
  while (n >= 10) {
    n = Math.floor(n / 10);
    count++;
  }
  return count;
}

/** Writes the decimal form of the safe integer `n` over `out` (exactly its length). */
function writeDigits(out: Uint8Array, n: number): void {
  let i = out.length - 1;
  const negative = n < 0;
  if (negative) n = -n;
  do {
    const q = Math.floor(n / 10);
    out[i--] = 48 + (n - q * 10);
    n = q;
  } while (n > 0);
  if (negative) out[0] = 45;
}

/**
 * INCR/DECR/INCRBY/DECRBY core (incrDecrCommand). One lookup; the digits are rewritten in
 * place when the store owns them and the length does not change (Redis likewise reuses the
 * integer object), otherwise a new owned value is stored (TTL kept). WATCHers get dirty.
 */
function incrDecr(db: Database, key: string, increment: number | bigint, reply: Reply): void {
  const entry = db.entry(key);
  let old: number | bigint = 0;
  let current: Uint8Array | undefined;
  if (entry !== undefined) {
    const value = entry.value;
    if (!(value instanceof Uint8Array)) fail(WRONGTYPE);
    current = value;
    const small = parseInteger(value);
    if (small !== undefined) old = small;
    else {
      const big = parseBigInt(value);
      if (big === undefined) fail(NOT_INTEGER);
      old = big;
    }
  }
  if (typeof old === "number" && typeof increment === "number") {
    const sum = old + increment;
    if (Number.isSafeInteger(sum)) {
      const length = digitCount(sum);
      if (current !== undefined && entry!.owned && current.length === length) {
        writeDigits(current, sum);
        db.touch(key);
      } else {
        const bytes = new Uint8Array(length);
        writeDigits(bytes, sum);
        db.set(key, bytes, KEEP_TTL_OWNED);
      }
      return reply.integer(sum);
    }
  }
  const a = BigInt(old), b = BigInt(increment);
  if ((b < 0n && a < 0n && b < LLONG_MIN - a) || (b > 0n && a > 0n && b > LLONG_MAX - a)) {
    fail(OVERFLOW);
  }
  const sum = a + b;
  db.set(key, textBytes(sum.toString()), KEEP_TTL_OWNED);
  reply.integer(sum);
}

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

type Spec = Omit<CommandSpec, "handler">;
type StringHandler = (
  keyspace: Keyspace,
  command: Command,
  reply: Reply,
  connection: Connection,
) => void;

const ONE_KEY = { firstKey: 1, lastKey: 1, keyStep: 1 };

const handlers: Record<string, [Spec, StringHandler]> = {
  get: [
    { arity: 2, flags: ["readonly", "fast"], ...ONE_KEY, summary: "Get the value of a key" },
    (ks, command, reply, connection) => {
      const value: KeyValue | undefined = ks.db(connection.db).get(keyOf(command.arg(0)!));
      if (value === undefined) reply.null();
      else if (value instanceof Uint8Array) reply.bulk(value);
      else reply.error(WRONGTYPE);
    },
  ],
  set: [
    {
      arity: -3,
      flags: ["write", "denyoom"],
      ...ONE_KEY,
      summary: "Set the string value of a key",
    },
    (ks, command, reply, connection) => {
      const value = command.arg(1)!;
      if (command.length === 2) {
        ks.db(connection.db).set(keyOf(command.arg(0)!), value);
        return reply.ok();
      }
      const options = parseStringOptions(command, 2, true);
      setGeneric(
        ks,
        command,
        reply,
        connection,
        options.flags,
        value,
        options.expire,
        "set",
        false,
      );
    },
  ],
  setnx: [
    {
      arity: 3,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Set the value of a key, only if the key does not exist",
    },
    (ks, command, reply, connection) =>
      setGeneric(ks, command, reply, connection, NX, command.arg(1)!, -1, "setnx", true),
  ],
  setex: [
    {
      arity: 4,
      flags: ["write", "denyoom"],
      ...ONE_KEY,
      summary: "Set the value and expiration of a key",
    },
    (ks, command, reply, connection) =>
      setGeneric(ks, command, reply, connection, EX, command.arg(2)!, 1, "setex", false),
  ],
  psetex: [
    {
      arity: 4,
      flags: ["write", "denyoom"],
      ...ONE_KEY,
      summary: "Set the value and expiration in milliseconds of a key",
    },
    (ks, command, reply, connection) =>
      setGeneric(ks, command, reply, connection, PX, command.arg(2)!, 1, "psetex", false),
  ],
  getset: [
    {
      arity: 3,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Set the string value of a key and return its old value",
    },
    (ks, command, reply, connection) => {
      const db = ks.db(connection.db);
      const key = keyOf(command.arg(0)!);
      const old = stringAt(db, key);
      if (old === undefined) reply.null();
      else reply.bulk(old);
      db.set(key, command.arg(1)!);
    },
  ],
  getdel: [
    {
      arity: 2,
      flags: ["write", "fast"],
      ...ONE_KEY,
      summary: "Get the value of a key and delete the key",
    },
    (ks, command, reply, connection) => {
      const db = ks.db(connection.db);
      const key = keyOf(command.arg(0)!);
      const old = stringAt(db, key);
      if (old === undefined) return reply.null();
      reply.bulk(old);
      db.delete(key);
    },
  ],
  getex: [
    {
      arity: -2,
      flags: ["write", "fast"],
      ...ONE_KEY,
      summary: "Get the value of a key and optionally set its expiration",
    },
    (ks, command, reply, connection) => {
      const { flags, expire } = parseStringOptions(command, 1, false);
      const db = ks.db(connection.db);
      const key = keyOf(command.arg(0)!);
      const value = stringAt(db, key);
      if (value === undefined) return reply.null();
      const when = expire >= 0 ? expireMs(ks, command, expire, flags, "getex") : -1;
      reply.bulk(value);
      if ((flags & (EXAT | PXAT)) && when <= ks.now()) db.delete(key);
      else if (when >= 0) db.setExpireAt(key, when);
      else if ((flags & PERSIST) && db.expireAt(key) !== undefined) db.setExpireAt(key, undefined);
    },
  ],
  mget: [
    {
      arity: -2,
      flags: ["readonly", "fast"],
      firstKey: 1,
      lastKey: -1,
      keyStep: 1,
      summary: "Get the values of all the given keys",
    },
    (ks, command, reply, connection) => {
      const db = ks.db(connection.db);
      const argv = command.argv;
      reply.arrayHeader(argv.length - 1);
      for (let i = 1; i < argv.length; i++) {
        const value = db.get(keyOf(argv[i]));
        if (value instanceof Uint8Array) reply.bulk(value);
        else reply.null();
      }
    },
  ],
  mset: [
    {
      arity: -3,
      flags: ["write", "denyoom"],
      firstKey: 1,
      lastKey: -1,
      keyStep: 2,
      summary: "Set multiple keys to multiple values",
    },
    (ks, command, reply, connection) => {
      const argv = command.argv;
      if (argv.length % 2 === 0) fail("ERR wrong number of arguments for 'mset' command");
      const db = ks.db(connection.db);
      for (let i = 1; i < argv.length; i += 2) db.set(keyOf(argv[i]), argv[i + 1]);
      reply.ok();
    },
  ],
  msetnx: [
    {
      arity: -3,
      flags: ["write", "denyoom"],
      firstKey: 1,
      lastKey: -1,
      keyStep: 2,
      summary: "Set multiple keys to multiple values, only if none of the keys exist",
    },
    (ks, command, reply, connection) => {
      const argv = command.argv;
      if (argv.length % 2 === 0) fail("ERR wrong number of arguments for 'msetnx' command");
      const db = ks.db(connection.db);
      for (let i = 1; i < argv.length; i += 2) if (db.has(keyOf(argv[i]))) return reply.integer(0);
      for (let i = 1; i < argv.length; i += 2) db.set(keyOf(argv[i]), argv[i + 1]);
      reply.integer(1);
    },
  ],
  incr: [
    {
      arity: 2,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Increment the integer value of a key by one",
    },
    (ks, command, reply, connection) =>
      incrDecr(ks.db(connection.db), keyOf(command.arg(0)!), 1, reply),
  ],
  decr: [
    {
      arity: 2,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Decrement the integer value of a key by one",
    },
    (ks, command, reply, connection) =>
      incrDecr(ks.db(connection.db), keyOf(command.arg(0)!), -1, reply),
  ],
  incrby: [
    {
      arity: 3,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Increment the integer value of a key by the given amount",
    },
    (ks, command, reply, connection) => {
      const increment = int64Arg(command, 1);
      incrDecr(ks.db(connection.db), keyOf(command.arg(0)!), increment, reply);
    },
  ],
  decrby: [
    {
      arity: 3,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Decrement the integer value of a key by the given number",
    },
    (ks, command, reply, connection) => {
      const decrement = int64Arg(command, 1);
      if (decrement === LLONG_MIN) fail("ERR decrement would overflow");
      const increment = -decrement;
      incrDecr(ks.db(connection.db), keyOf(command.arg(0)!), increment, reply);
    },
  ],
  incrbyfloat: [
    {
      arity: 3,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Increment the float value of a key by the given amount",
    },
    (ks, command, reply, connection) => {
      const db = ks.db(connection.db);
      const key = keyOf(command.arg(0)!);
      const result = incrByFloat(stringAt(db, key), command.arg(1)!);
      if ("error" in result) return reply.error(result.error);
      const bytes = textBytes(result.value);
      db.set(key, bytes, KEEP_TTL_OWNED);
      reply.bulk(bytes);
    },
  ],
  append: [
    {
      arity: 3,
      flags: ["write", "denyoom", "fast"],
      ...ONE_KEY,
      summary: "Append a value to a key",
    },
    (ks, command, reply, connection) => {
      const db = ks.db(connection.db);
      const key = keyOf(command.arg(0)!);
      const extra = command.arg(1)!;
      const old = stringAt(db, key);
      if (old === undefined) {
        db.set(key, extra);
        return reply.integer(extra.length);
      }
      if (old.length + extra.length > MAX_STRING) fail(TOO_BIG);
      const value = extra.length === 0 ? old : appendBytes(old, extra);
      db.set(key, value, extra.length === 0 ? KEEP_TTL : KEEP_TTL_OWNED);
      reply.integer(value.length);
    },
  ],
  strlen: [
    {
      arity: 2,
      flags: ["readonly", "fast"],
      ...ONE_KEY,
      summary: "Get the length of the value stored in a key",
    },
    (ks, command, reply, connection) => {
      const value = stringAt(ks.db(connection.db), keyOf(command.arg(0)!));
      reply.integer(value === undefined ? 0 : value.length);
    },
  ],
  getrange: [
    {
      arity: 4,
      flags: ["readonly"],
      ...ONE_KEY,
      summary: "Get a substring of the string stored at a key",
    },
    (ks, command, reply, connection) => getrange(ks, command, reply, connection),
  ],
  substr: [
    {
      arity: 4,
      flags: ["readonly"],
      ...ONE_KEY,
      summary: "Get a substring of the string stored at a key",
    },
    (ks, command, reply, connection) => getrange(ks, command, reply, connection),
  ],
  setrange: [
    {
      arity: 4,
      flags: ["write", "denyoom"],
      ...ONE_KEY,
      summary: "Overwrite part of a string at key starting at the specified offset",
    },
    (ks, command, reply, connection) => {
      const offsetArg = bigArg(command, 1);
      if (offsetArg < 0n) fail("ERR offset is out of range");
      const db = ks.db(connection.db);
      const key = keyOf(command.arg(0)!);
      const patch = command.arg(2)!;
      const old = stringAt(db, key);
      if (old === undefined && patch.length === 0) return reply.integer(0);
      if (old !== undefined && patch.length === 0) return reply.integer(old.length);
      if (offsetArg + BigInt(patch.length) > BigInt(MAX_STRING)) fail(TOO_BIG);
      const offset = Number(offsetArg);
      const oldLength = old === undefined ? 0 : old.length;
      const value = new Uint8Array(Math.max(oldLength, offset + patch.length));
      if (old !== undefined) value.set(old);
      value.set(patch, offset);
      db.set(key, value, KEEP_TTL_OWNED);
      reply.integer(value.length);
    },
  ],
};

function getrange(ks: Keyspace, command: Command, reply: Reply, connection: Connection): void {
  const start = bigArg(command, 1);
  const end = bigArg(command, 2);
  const value = stringAt(ks.db(connection.db), keyOf(command.arg(0)!));
  const range = value === undefined ? undefined : getRange(value, start, end);
  reply.bulk(range ?? EMPTY);
}

const EMPTY = new Uint8Array(0);

/**
 * Registers the string commands on `router`, operating on `keyspace` (each connection uses
 * the database it has SELECTed).
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { registerStringCommands } from "./strings.ts";
 *
 * const server = new Server();
 * registerStringCommands(server.router, new Keyspace());
 * ```
 */
export function registerStringCommands(router: Router, keyspace: Keyspace): void {
  for (const [name, [spec, handler]] of Object.entries(handlers)) {
    router.register(name, {
      group: "string",
      ...spec,
      handler: (command, reply, connection) => handler(keyspace, command, reply, connection),
    });
  }
}
