/**
 * Helpers shared by the data-type modules (lists, hashes, sets, sorted sets): Redis's
 * argument parsers with their exact error texts, the SCAN option parser and binary-string
 * conversions.
 *
 * @module
 */

import { CommandError } from "../server/command.ts";
import { parseBigRange, parseRange } from "../resp/bytes.ts";
import type { Command } from "../server/command.ts";
import { type Database, keyOf, type KeyValue, WRONGTYPE } from "./keyspace/keyspace.ts";

/** `-ERR syntax error`. */
export const SYNTAX_ERROR = "ERR syntax error";
/** `-ERR value is not an integer or out of range`. */
export const NOT_INTEGER = "ERR value is not an integer or out of range";
/** `-ERR value is not a valid float`. */
export const NOT_FLOAT = "ERR value is not a valid float";
/** `-ERR value is out of range, must be positive` (getPositiveLongFromObjectOrReply). */
export const NOT_POSITIVE = "ERR value is out of range, must be positive";

/** The largest int64 (LONG_MAX), as a number (approximate). */
export const LONG_MAX = 9223372036854775807;

/**
 * Throws a Redis error reply; `message` must start with its code word ("ERR ...").
 *
 * @example
 * ```ts
 * import { fail } from "./args.ts";
 *
 * try {
 *   fail("ERR syntax error");
 * } catch (error) {
 *   console.log((error as Error).message); // "ERR syntax error"
 * }
 * ```
 */
export function fail(message: string): never {
  throw new CommandError(message);
}

/**
 * Throws WRONGTYPE unless `value` is missing or of the given type; returns it typed.
 *
 * @example
 * ```ts
 * import { checkType } from "./args.ts";
 *
 * checkType(undefined, "list"); // undefined
 * ```
 */
export function checkType<T>(value: KeyValue | undefined, type: string): T | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array || value.type !== type) throw new CommandError(WRONGTYPE);
  return value as T;
}

/**
 * Looks up `key` in `db` and checks its type (WRONGTYPE otherwise).
 *
 * @example
 * ```ts
 * import { Keyspace } from "./keyspace/keyspace.ts";
 * import { lookup } from "./args.ts";
 *
 * const keyspace = new Keyspace();
 * lookup(keyspace.db(0), "missing", "hash"); // undefined
 * keyspace.close();
 * ```
 */
export function lookup<T>(db: Database, key: string, type: string): T | undefined {
  return checkType<T>(db.get(key), type);
}

/** A collection that SREM, ZREM and HDEL delete members (binary strings) from. */
export interface MemberCollection {
  /** Deletes a member; true if it was there. */
  delete(member: string): boolean;
  /** Members left. */
  readonly size: number;
}

/**
 * The body of SREM, ZREM and HDEL: deletes the members named by the command's arguments
 * (from index 1) from the set, sorted set or hash at `key` and returns how many were
 * removed. An emptied collection's key is deleted; a changed one is touched (WATCH).
 *
 * @example
 * ```ts
 * import type { Command } from "../server/command.ts";
 * import type { Database } from "./keyspace/keyspace.ts";
 * import { deleteMembers } from "./args.ts";
 *
 * // SREM key member...: the members are the command's arguments from index 1.
 * function srem(db: Database, key: string, set: Set<string>, command: Command): number {
 *   return deleteMembers(db, key, set, command);
 * }
 * ```
 */
export function deleteMembers(
  db: Database,
  key: string,
  collection: MemberCollection | undefined,
  command: Command,
): number {
  if (collection === undefined) return 0;
  let removed = 0;
  for (let i = 1; i < command.length; i++) {
    if (collection.delete(keyOf(command.arg(i)!))) {
      removed++;
      if (collection.size === 0) break;
    }
  }
  if (removed > 0) {
    if (collection.size === 0) db.delete(key);
    else db.touch(key);
  }
  return removed;
}

/**
 * Parses a strict int64 like Redis's `getLongLongFromObject` (string2ll). The result is a
 * number (approximate beyond 2^53, enough for index arithmetic); undefined when invalid.
 *
 * @example
 * ```ts
 * import { parseLong } from "./args.ts";
 *
 * parseLong(new TextEncoder().encode("-3")); // -3
 * parseLong(new TextEncoder().encode("03")); // undefined
 * ```
 */
export function parseLong(bytes: Uint8Array): number | undefined {
  return parseRange(bytes, 0, bytes.length);
}

/**
 * Like {@link parseLong} but exact, as a bigint.
 *
 * @example
 * ```ts
 * import { parseLongBig } from "./args.ts";
 *
 * parseLongBig(new TextEncoder().encode("9223372036854775807")); // 9223372036854775807n
 * ```
 */
export function parseLongBig(bytes: Uint8Array): bigint | undefined {
  return parseBigRange(bytes, 0, bytes.length);
}

/**
 * Argument `index` of `command` as an int64, or throws `message` (default "value is not an
 * integer or out of range").
 *
 * @example
 * ```ts
 * import type { Command } from "../server/command.ts";
 * import { longArg } from "./args.ts";
 *
 * function start(command: Command): number {
 *   return longArg(command, 1);
 * }
 * ```
 */
export function longArg(command: Command, index: number, message: string = NOT_INTEGER): number {
  const bytes = command.arg(index);
  const value = bytes === undefined ? undefined : parseLong(bytes);
  if (value === undefined) fail(message);
  return value;
}

/**
 * Argument `index` as a non-negative int64 (Redis `getPositiveLongFromObjectOrReply`): a
 * non-integer throws `message ?? "value is not an integer or out of range"`, a negative
 * value throws `message ?? "value is out of range, must be positive"`.
 *
 * @example
 * ```ts
 * import type { Command } from "../server/command.ts";
 * import { positiveLongArg } from "./args.ts";
 *
 * function count(command: Command): number {
 *   return positiveLongArg(command, 1);
 * }
 * ```
 */
export function positiveLongArg(command: Command, index: number, message?: string): number {
  const value = longArg(command, index, message ?? NOT_INTEGER);
  if (value < 0) fail(message ?? NOT_POSITIVE);
  return value;
}

/**
 * Argument `index` in [-LONG_MAX, LONG_MAX] (Redis `getRangeLongFromObjectOrReply` with
 * those bounds, as SRANDMEMBER/HRANDFIELD count).
 *
 * @example
 * ```ts
 * import type { Command } from "../server/command.ts";
 * import { rangeLongArg } from "./args.ts";
 *
 * function count(command: Command): number {
 *   return rangeLongArg(command, 1);
 * }
 * ```
 */
export function rangeLongArg(command: Command, index: number): number {
  const bytes = command.arg(index)!;
  const big = parseLongBig(bytes);
  if (big === undefined) fail(NOT_INTEGER);
  if (big === -9223372036854775808n) {
    fail(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
  }
  return Number(big);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITE = /^[+-]?(?:inf|infinity)$/i;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function latin1(bytes: Uint8Array): string {
  if (bytes.length > 400) return "";
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** Parses a hex float ("0x1p3") like strtod; undefined if `text` is not one. */
function parseHexFloat(text: string): number | undefined {
  const m = HEX.exec(text);
  if (m === null) return undefined;
  const int = m[2], frac = m[3] ?? "";
  if (int.length === 0 && frac.length === 0) return undefined;
  let value = 0;
  for (const c of int) value = value * 16 + parseInt(c, 16);
  let scale = 1 / 16;
  for (const c of frac) {
    value += parseInt(c, 16) * scale;
    scale /= 16;
  }
  if (m[4] !== undefined) value *= Math.pow(2, Number(m[4]));
  return m[1] === "-" ? -value : value;
}

/** True if a decimal literal has a non-zero digit (underflow to 0 detection). */
function hasNonZeroDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) return false; // e/E: exponent starts
    if (c >= 49 && c <= 57) return true;
  }
  return false;
}

/**
 * C's `strtod` over the whole text as Redis's `getDoubleFromObject` uses it: no leading
 * space, no trailing garbage, no NaN, no overflow to ±inf and no underflow to 0 (`inf` and
 * `infinity` spelled out are accepted). Undefined when invalid.
 *
 * @example
 * ```ts
 * import { parseDouble } from "./args.ts";
 *
 * parseDouble(new TextEncoder().encode("1.5e3")); // 1500
 * parseDouble(new TextEncoder().encode("1e400")); // undefined (overflow)
 * ```
 */
export function parseDouble(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || isSpace(bytes[0])) return undefined;
  const text = latin1(bytes);
  if (text.length === 0) return undefined;
  if (DECIMAL.test(text)) {
    const value = Number(text);
    if (!Number.isFinite(value)) return undefined;
    if (value === 0 && hasNonZeroDigit(text)) return undefined;
    return value;
  }
  if (INFINITE.test(text)) return text.charCodeAt(0) === 45 ? -Infinity : Infinity;
  const hex = parseHexFloat(text);
  if (hex === undefined || !Number.isFinite(hex)) return undefined;
  return hex;
}

/**
 * `strtod` as Redis's `zslParseRange` uses it: leading white space is skipped, overflow gives
 * ±inf, the empty string is 0; only trailing garbage and NaN are errors.
 *
 * @example
 * ```ts
 * import { parseRangeDouble } from "./args.ts";
 *
 * parseRangeDouble(new TextEncoder().encode(" 2")); // 2
 * ```
 */
export function parseRangeDouble(bytes: Uint8Array, start = 0): number | undefined {
  // C strings end at the first NUL: strtod never sees what follows it.
  let end = bytes.indexOf(0, start);
  if (end === -1) end = bytes.length;
  if (start === end) return 0; // nothing converted, eptr[0] is the NUL: accepted as 0
  let i = start;
  while (i < end && isSpace(bytes[i])) i++;
  if (i === end) return undefined;
  const text = latin1(bytes.subarray(i, end));
  if (text.length === 0) return undefined;
  if (DECIMAL.test(text)) return Number(text);
  if (INFINITE.test(text)) return text.charCodeAt(0) === 45 ? -Infinity : Infinity;
  return parseHexFloat(text);
}

/**
 * Parses a BLPOP-style timeout in seconds (Redis `getTimeoutFromObjectOrReply` with
 * UNIT_SECONDS): returns milliseconds (0 = forever) or throws Redis's errors.
 *
 * @example
 * ```ts
 * import { parseTimeoutSeconds } from "./args.ts";
 *
 * parseTimeoutSeconds(new TextEncoder().encode("0.5")); // 500
 * ```
 */
export function parseTimeoutSeconds(bytes: Uint8Array): number {
  const seconds = parseLongDoubleNumber(bytes);
  if (seconds === undefined) fail("ERR timeout is not a float or out of range");
  const ms = Math.ceil(seconds * 1000);
  // (long long) of a value beyond LLONG_MAX is LLONG_MIN on x86: "negative".
  if (ms < 0 || !(ms < 9223372036854775807)) fail("ERR timeout is negative");
  return ms === 0 ? 0 : ms;
}

/**
 * `strtold` as Redis's `string2ld` uses it, returned as the nearest double: undefined for
 * empty input, leading space, trailing garbage, NaN, or overflow/underflow of the x87 long
 * double range.
 *
 * @example
 * ```ts
 * import { parseLongDoubleNumber } from "./args.ts";
 *
 * parseLongDoubleNumber(new TextEncoder().encode("1e400")); // Infinity (fits a long double)
 * ```
 */
export function parseLongDoubleNumber(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || bytes.length >= 5120 || isSpace(bytes[0])) return undefined;
  const text = String.fromCharCode.apply(null, bytes as unknown as number[]);
  if (DECIMAL.test(text)) {
    const exp = decimalExponent(text);
    if (exp === undefined) return 0; // all zeros
    if (exp > 4932 || exp < -4951) return undefined;
    return Number(text);
  }
  if (INFINITE.test(text)) return text.charCodeAt(0) === 45 ? -Infinity : Infinity;
  return parseHexFloat(text);
}

/** The decimal exponent of the first significant digit, or undefined when the value is 0. */
function decimalExponent(text: string): number | undefined {
  const m = /^[+-]?(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const int = m[1], frac = m[2];
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  const firstInt = int.search(/[1-9]/);
  if (firstInt !== -1) return exp + (int.length - firstInt - 1);
  const firstFrac = frac.search(/[1-9]/);
  if (firstFrac === -1) return undefined;
  return exp - firstFrac - 1;
}

/** Options of a SCAN-family command (SSCAN/HSCAN/ZSCAN). */
export interface ScanOptions {
  /** COUNT (default 10). */
  count: number;
  /** MATCH pattern, or undefined for none ("*" counts as none). */
  pattern: Uint8Array | undefined;
}

/**
 * Parses a SCAN cursor like Redis's `parseScanCursorOrReply` (strtoul): "invalid cursor"
 * for leading space, trailing garbage or overflow. Returns the cursor as a number.
 *
 * @example
 * ```ts
 * import { parseCursor } from "./args.ts";
 *
 * parseCursor(new TextEncoder().encode("17")); // 17
 * ```
 */
export function parseCursor(bytes: Uint8Array): number {
  const invalid = (): never => fail("ERR invalid cursor");
  let i = 0;
  const n = bytes.length;
  if (n > 0 && isSpace(bytes[0])) invalid();
  let negative = false;
  if (i < n && (bytes[i] === 43 || bytes[i] === 45)) {
    negative = bytes[i] === 45;
    i++;
  }
  let value = 0n;
  let digits = 0;
  for (; i < n; i++) {
    const c = bytes[i];
    if (c < 48 || c > 57) invalid();
    value = value * 10n + BigInt(c - 48);
    digits++;
    if (value > 18446744073709551615n) invalid();
  }
  if (digits === 0 && n > 0) invalid();
  if (negative && value !== 0n) value = 18446744073709551616n - value;
  return value > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(value);
}

/**
 * Parses `[MATCH pattern] [COUNT count]` from argument `from` on (SSCAN/HSCAN/ZSCAN).
 *
 * @example
 * ```ts
 * import type { Command } from "../server/command.ts";
 * import { parseScanOptions } from "./args.ts";
 *
 * function options(command: Command) {
 *   return parseScanOptions(command, 2);
 * }
 * ```
 */
export function parseScanOptions(command: Command, from: number): ScanOptions {
  let count = 10;
  let pattern: Uint8Array | undefined;
  const n = command.length;
  for (let i = from; i < n; i += 2) {
    const more = n - i;
    if (command.is(i, "count") && more >= 2) {
      count = longArg(command, i + 1);
      if (count < 1) fail(SYNTAX_ERROR);
    } else if (command.is(i, "match") && more >= 2) {
      const p = command.arg(i + 1)!;
      pattern = p.length === 1 && p[0] === 42 ? undefined : p;
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  return { count, pattern };
}

/**
 * Whether `arg` equals the lower-case ASCII `word`, ignoring case.
 *
 * @example
 * ```ts
 * import { isWord } from "./args.ts";
 *
 * isWord(new TextEncoder().encode("LEFT"), "left"); // true
 * ```
 */
export function isWord(arg: Uint8Array, word: string): boolean {
  if (arg.length !== word.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Whether the bytes are an integer Redis would store in an intset
 * (`isSdsRepresentableAsLongLong`: strict string2ll within int64).
 *
 * @example
 * ```ts
 * import { isIntegerMember } from "./args.ts";
 *
 * isIntegerMember("42"); // true
 * isIntegerMember("042"); // false
 * ```
 */
export function isIntegerMember(member: string): boolean {
  const n = member.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (member.charCodeAt(0) === 48) return n === 1;
  if (member.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return false;
  }
  const first = member.charCodeAt(i);
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const c = member.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  if (n - i < 19) return true;
  const big = BigInt(member);
  return big <= 9223372036854775807n && big >= -9223372036854775808n;
}

/**
 * A uniformly random integer in [0, n).
 *
 * @example
 * ```ts
 * import { randomIndex } from "./args.ts";
 *
 * randomIndex(10); // 0..9
 * ```
 */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/** A SCAN in progress over a Map: its live iterator and how many items it has passed. */
interface MapScanState<K> {
  iterator: Iterator<K>;
  position: number;
}

const SCAN_STATES_MAX = 16;

/**
 * Cursor-based iteration over a Map's keys with Redis's SCAN guarantee (every key present
 * for the whole iteration is returned; live Map iterators see deletions and insertions).
 * The cursor is the number of keys passed; each object keeps a few live iterators keyed by
 * cursor, and an unknown cursor restarts by skipping that many keys.
 *
 * @example
 * ```ts
 * import { MapScanner } from "./args.ts";
 *
 * const map = new Map([["a", 1], ["b", 2], ["c", 3]]);
 * const scanner = new MapScanner<string>();
 * const page = scanner.scan(map, 0, 2); // { cursor: 2, keys: ["a", "b"] }
 * scanner.scan(map, page.cursor, 2); // { cursor: 0, keys: ["c"] }
 * ```
 */
export class MapScanner<K> {
  private states = new Map<number, MapScanState<K>>();

  /** One step: up to `count` keys from `cursor`; cursor 0 in the result means done. */
  scan(map: Map<K, unknown>, cursor: number, count: number): { cursor: number; keys: K[] } {
    let state = cursor === 0 ? undefined : this.states.get(cursor);
    if (state !== undefined) this.states.delete(cursor);
    else {
      state = { iterator: map.keys(), position: 0 };
      for (let i = 0; i < cursor; i++) {
        if (state.iterator.next().done) return { cursor: 0, keys: [] };
        state.position++;
      }
    }
    const keys: K[] = [];
    while (keys.length < count) {
      const r = state.iterator.next();
      if (r.done) return { cursor: 0, keys };
      keys.push(r.value);
      state.position++;
    }
    if (this.states.size >= SCAN_STATES_MAX) {
      this.states.delete(this.states.keys().next().value as number);
    }
    // A distinct position can collide with another scanner's: the later one wins.
    this.states.set(state.position, state);
    return { cursor: state.position, keys };
  }
}
