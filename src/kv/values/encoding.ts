/**
 * The internal encoding Redis 7.0 would report for a value (OBJECT ENCODING), from the
 * encoding state the value classes track: strings by their bytes (Redis re-encodes on every
 * SET), lists always `quicklist` (7.0 has no listpack lists), sets `intset` until the first
 * non-integer or the 513th member, hashes and sorted sets `listpack` until an entry or size
 * limit is passed (one-way conversions, tracked by the values).
 *
 * @module
 */

import type { KeyValue, StringEncoding } from "../keyspace/values.ts";
import type { RedisHash } from "./hash.ts";
import type { RedisSet } from "./set.ts";
import type { RedisZSet } from "./zset.ts";

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings are `raw`. */
const EMBSTR_LIMIT = 44;

/** Smallest and largest C long (64-bit), as text lengths and values for the int check. */
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/**
 * The C long a string holds exactly as Redis's `string2l` reads it (no sign but `-`, no
 * leading zero, no space), or undefined.
 *
 * @example
 * ```ts
 * import { stringAsLong } from "./encoding.ts";
 *
 * stringAsLong(new TextEncoder().encode("-42")); // -42n
 * stringAsLong(new TextEncoder().encode("042")); // undefined
 * ```
 */
export function stringAsLong(bytes: Uint8Array): bigint | undefined {
  const n = bytes.length;
  if (n === 0 || n > 20) return undefined;
  let i = bytes[0] === 45 ? 1 : 0;
  if (i === n) return undefined;
  if (bytes[i] === 48) return n === 1 ? 0n : undefined;
  for (; i < n; i++) if (bytes[i] < 48 || bytes[i] > 57) return undefined;
  const value = BigInt(String.fromCharCode(...bytes));
  return value > LONG_MAX || value < LONG_MIN ? undefined : value;
}

/**
 * The encoding name OBJECT ENCODING replies for `value`; a string's `encoding` is what the
 * keyspace keeps beside its bytes ({@link StringEncoding}).
 *
 * @example
 * ```ts
 * import { encodingOf } from "./encoding.ts";
 *
 * encodingOf(new TextEncoder().encode("12")); // "int"
 * encodingOf(new TextEncoder().encode("12"), "plain"); // "embstr"
 * encodingOf(new TextEncoder().encode("hello"), "raw"); // "raw"
 * ```
 */
export function encodingOf(value: KeyValue, encoding?: StringEncoding): string {
  if (value instanceof Uint8Array) {
    if (encoding === "raw") return "raw";
    if (encoding === undefined && stringAsLong(value) !== undefined) return "int";
    return value.length <= EMBSTR_LIMIT ? "embstr" : "raw";
  }
  switch (value.type) {
    case "list":
      return "quicklist";
    case "set":
      return (value as RedisSet).intset ? "intset" : "hashtable";
    case "hash":
      return (value as RedisHash).listpack ? "listpack" : "hashtable";
    case "zset":
      return (value as RedisZSet).listpack ? "listpack" : "skiplist";
    default:
      return "stream";
  }
}

/** Redis's OBJ_SHARED_REFCOUNT: the refcount of the shared small integers. */
const SHARED_REFCOUNT = 2147483647;
/** Redis's OBJ_SHARED_INTEGERS: 0..9999 are shared objects. */
const SHARED_INTEGERS = 10000n;

/**
 * The refcount OBJECT REFCOUNT replies: Redis shares the string objects of the integers
 * 0..9999 (refcount INT_MAX), every other value has one reference.
 *
 * @example
 * ```ts
 * import { refcountOf } from "./encoding.ts";
 *
 * refcountOf(new TextEncoder().encode("7")); // 2147483647
 * ```
 */
export function refcountOf(value: KeyValue): number {
  if (!(value instanceof Uint8Array)) return 1;
  const n = stringAsLong(value);
  return n !== undefined && n >= 0n && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}
