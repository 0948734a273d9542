/**
 * Argument parsers with Redis's exact rules and error texts: integers as `string2ll`,
 * `getLongLongFromObject`, `getIntFromObject` and `getRangeLongFromObject` read them, and
 * floats as `strtod` / `strtold` do (`getDoubleFromObject`, `zslParseRange`, `string2ld`).
 * Used by the built-in commands and the key-value server alike.
 *
 * @module
 */

import { parseBigRange, parseRange } from "../resp/bytes.ts";
import type { Command } from "./command.ts";
import { fail, NOT_INT32, NOT_INTEGER, NOT_POSITIVE } from "./errors.ts";

/**
 * Parses a strict int64 like Redis's `string2ll`: no spaces, no `+`, no leading zeros. The
 * result is a number (approximate beyond 2^53, enough for index arithmetic); undefined when
 * invalid.
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
 * Argument `index` (0 = first after the name) as an int64 (Redis
 * `getLongLongFromObjectOrReply`), approximate beyond 2^53, or throws `message` (default
 * "value is not an integer or out of range").
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * import { longArg } from "./args.ts";
 *
 * function start(command: Command): number {
 *   return longArg(command, 1);
 * }
 * ```
 */
export function longArg(command: Command, index: number, message: string = NOT_INTEGER): number {
  const bytes = command.arg(index);
  const value = bytes === undefined ? undefined : parseRange(bytes, 0, bytes.length);
  if (value === undefined) fail(message);
  return value;
}

/**
 * Argument `index` as an exact int64 (Redis `getLongLongFromObjectOrReply`): a number when
 * it is a safe integer, else a bigint; throws "value is not an integer or out of range".
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * import { int64Arg } from "./args.ts";
 *
 * function amount(command: Command): number | bigint {
 *   return int64Arg(command, 1);
 * }
 * ```
 */
export function int64Arg(command: Command, index: number): number | bigint {
  const bytes = command.arg(index);
  if (bytes === undefined) fail(NOT_INTEGER);
  const small = parseRange(bytes, 0, bytes.length);
  if (small !== undefined && Number.isSafeInteger(small)) return small;
  const big = parseBigRange(bytes, 0, bytes.length);
  if (big === undefined) fail(NOT_INTEGER);
  return big;
}

/**
 * Argument `index` as a C `int` (Redis `getIntFromObjectOrReply`): throws `message`, or by
 * default "value is not an integer or out of range" / "value is out of range, value must
 * between -2147483648 and 2147483647".
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * import { intArg } from "./args.ts";
 *
 * function dbIndex(command: Command): number {
 *   return intArg(command, 1);
 * }
 * ```
 */
export function intArg(command: Command, index: number, message?: string): number {
  const bytes = command.arg(index);
  const value = bytes === undefined ? undefined : parseRange(bytes, 0, bytes.length);
  if (value === undefined) fail(message ?? NOT_INTEGER);
  if (value > 2147483647 || value < -2147483648) fail(message ?? NOT_INT32);
  return value;
}

/**
 * Argument `index` as a non-negative int64 (Redis `getPositiveLongFromObjectOrReply`): a
 * non-integer throws `message ?? "value is not an integer or out of range"`, a negative
 * value throws `message ?? "value is out of range, must be positive"`.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
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
 * import type { Command } from "./command.ts";
 * import { rangeLongArg } from "./args.ts";
 *
 * function count(command: Command): number {
 *   return rangeLongArg(command, 1);
 * }
 * ```
 */
export function rangeLongArg(command: Command, index: number): number {
  const bytes = command.arg(index);
  const big = bytes === undefined ? undefined : parseBigRange(bytes, 0, bytes.length);
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
