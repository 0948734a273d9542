/**
 * The counters of the string type (Redis's t_string.c): INCR, DECR, INCRBY, DECRBY and
 * INCRBYFLOAT. INCRBYFLOAT computes like Redis on x86-64: in 80-bit `long double` (64-bit
 * significand), printed with `%.17Lf` and trailing zeros removed — emulated exactly by
 * `values/long_double.ts`.
 *
 * @module
 */

import { parseBigInt, parseInteger } from "../../resp/bytes.ts";
import { int64Arg } from "../../server/args.ts";
import {
  fail,
  LLONG_MAX,
  LLONG_MIN,
  NOT_FLOAT,
  NOT_INTEGER,
  OVERFLOW,
  WRONGTYPE,
} from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, type KvCommand } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database, SetOptions } from "../keyspace/keyspace.ts";
import {
  addLongDouble,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
} from "../values/long_double.ts";
import { KEEP_TTL_OWNED, stringAt } from "./strings.ts";

/** INCRBYFLOAT's result: Redis's createStringObject (embstr or raw by length, never int). */
const KEEP_TTL_PLAIN: SetOptions = { keepTtl: true, owned: true, encoding: "plain" };

/**
 * Redis's INCRBYFLOAT arithmetic: parses `value` and `increment` as x86 long doubles, adds
 * them and formats the sum like `%.17Lf` without trailing zeros. Returns an error text for
 * invalid input or an infinite result.
 *
 * @example
 * ```ts
 * import { incrByFloat } from "./counters.ts";
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
      // In place only over digits Redis holds as an integer (not INCRBYFLOAT's or
      // SETRANGE's string: INCR's result is a new integer object there).
      if (
        current !== undefined && entry!.owned && entry!.encoding === undefined &&
        current.length === length
      ) {
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
  db.set(key, keyBytes(sum.toString()), KEEP_TTL_OWNED);
  reply.integer(sum);
}

/** The counter commands. */
export const counterCommands: readonly KvCommand[] = [
  {
    name: "incr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Increment the integer value of a key by one",
    handler: (db, key, _command, reply) => incrDecr(db, key, 1, reply),
  },
  {
    name: "decr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Decrement the integer value of a key by one",
    handler: (db, key, _command, reply) => incrDecr(db, key, -1, reply),
  },
  {
    name: "incrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Increment the integer value of a key by the given amount",
    handler: (db, key, command, reply) => incrDecr(db, key, int64Arg(command, 1), reply),
  },
  {
    name: "decrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "string",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Decrement the integer value of a key by the given number",
    handler: (db, key, command, reply) => {
      const decrement = int64Arg(command, 1);
      if (decrement === LLONG_MIN) fail("ERR decrement would overflow");
      incrDecr(db, key, -decrement, reply);
    },
  },
  {
    name: "incrbyfloat",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["string"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "string",
    since: "2.6.0",
    complexity: "O(1)",
    summary: "Increment the float value of a key by the given amount",
    handler: (db, key, command, reply) => {
      const result = incrByFloat(stringAt(db, key), command.arg(1)!);
      if ("error" in result) return reply.error(result.error);
      const bytes = keyBytes(result.value);
      db.set(key, bytes, KEEP_TTL_PLAIN);
      reply.bulk(bytes);
    },
  },
];
