/**
 * Cheap conversions between bytes, strings and numbers, once for the whole code base: UTF-8
 * ({@link bytesToString}, {@link stringToBytes}), Latin-1, one char per byte
 * ({@link bytesToLatin1}, {@link latin1ToBytes}), and Redis's integer and double formats.
 *
 * @module
 */

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const fromCharCode = String.fromCharCode;

/** Longest ASCII run decoded with `String.fromCharCode` instead of `TextDecoder`. */
const SHORT = 64;

/**
 * Up to 32 bytes from `b[s]` as a string of one char per byte (latin1: for ASCII the same as
 * UTF-8), with one `String.fromCharCode` call of fixed arity and no array: faster than
 * `fromCharCode.apply` on a typed array on V8 and JavaScriptCore (`bench/README.md`, "Codec
 * engine notes"), and no rope. `n` is at least 1.
 */
// deno-fmt-ignore
function shortByteString(b: Uint8Array, s: number, n: number): string {
  switch (n) {
    case 1: return fromCharCode(b[s]);
    case 2: return fromCharCode(b[s], b[s + 1]);
    case 3: return fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    case 9: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8]);
    case 10: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9]);
    case 11: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10]);
    case 12: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11]);
    case 13: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12]);
    case 14: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13]);
    case 15: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14]);
    case 16: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15]);
    case 17: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16]);
    case 18: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17]);
    case 19: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18]);
    case 20: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19]);
    case 21: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20]);
    case 22: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21]);
    case 23: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22]);
    case 24: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23]);
    case 25: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24]);
    case 26: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25]);
    case 27: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26]);
    case 28: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26], b[s + 27]);
    case 29: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26], b[s + 27], b[s + 28]);
    case 30: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26], b[s + 27], b[s + 28], b[s + 29]);
    case 31: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26], b[s + 27], b[s + 28], b[s + 29], b[s + 30]);
    case 32: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26], b[s + 27], b[s + 28], b[s + 29], b[s + 30], b[s + 31]);
    default: return fromCharCode.apply(null, b.subarray(s, s + n) as unknown as number[]);
  }
}

/** Longest run passed to one `String.fromCharCode.apply` call (engines cap arguments). */
const APPLY_MAX = 8192;

/**
 * Bytes as a string of one char (0–255) per byte, Latin-1: the exact, binary-safe form the
 * key-value store uses for keys, members and fields. {@link latin1ToBytes} turns it back.
 *
 * @example
 * ```ts
 * import { bytesToLatin1 } from "./bytes.ts";
 *
 * console.log(bytesToLatin1(new Uint8Array([0x6b, 0xff])) === "k\xff"); // true
 * ```
 */
export function bytesToLatin1(bytes: Uint8Array): string {
  const n = bytes.length;
  // Short runs: one fixed-arity call (no array-like spread of a typed array, no rope).
  if (n <= 32) return n === 0 ? "" : shortByteString(bytes, 0, n);
  if (n <= APPLY_MAX) return fromCharCode.apply(null, bytes as unknown as number[]);
  let out = "";
  for (let i = 0; i < n; i += APPLY_MAX) {
    out += fromCharCode.apply(null, bytes.subarray(i, i + APPLY_MAX) as unknown as number[]);
  }
  return out;
}

/**
 * `bytes[start:end]` as a string of one char per byte, like {@link bytesToLatin1} of that
 * part but without a view of it when it is short (at most 32 bytes).
 *
 * @example
 * ```ts
 * import { bytesToLatin1Range } from "./bytes.ts";
 *
 * console.log(bytesToLatin1Range(new Uint8Array([0x6b, 0xff, 0x21]), 1, 3) === "\xff!"); // true
 * ```
 */
export function bytesToLatin1Range(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 32) return n <= 0 ? "" : shortByteString(bytes, start, n);
  return bytesToLatin1(bytes.subarray(start, end));
}

/**
 * A Latin-1 string (one char per byte, as made by {@link bytesToLatin1}) back to its bytes.
 * A char above 255 keeps only its low byte.
 *
 * @example
 * ```ts
 * import { latin1ToBytes } from "./bytes.ts";
 *
 * console.log(latin1ToBytes("k\xff")); // Uint8Array(2) [ 107, 255 ]
 * ```
 */
export function latin1ToBytes(text: string): Uint8Array {
  const n = text.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * Decodes `bytes[start:end]` as UTF-8, with a fast path for short ASCII.
 * @internal
 */
export function decodeRange(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= SHORT) {
    let i = start;
    while (i < end && bytes[i] < 0x80) i++;
    if (i === end) {
      if (length <= 32) return length === 0 ? "" : shortByteString(bytes, start, length);
      let out = shortByteString(bytes, start, 32);
      for (i = start + 32; i + 32 <= end; i += 32) out += shortByteString(bytes, i, 32);
      return i < end ? out + shortByteString(bytes, i, end - i) : out;
    }
  }
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * Decodes UTF-8 bytes to a string (invalid sequences become U+FFFD). Short ASCII input is
 * converted without `TextDecoder`.
 *
 * @example
 * ```ts
 * import { bytesToString } from "./mod.ts";
 * console.log(bytesToString(new Uint8Array([79, 75]))); // "OK"
 * ```
 */
export function bytesToString(bytes: Uint8Array): string {
  return decodeRange(bytes, 0, bytes.length);
}

/**
 * Encodes a string as UTF-8.
 *
 * @example
 * ```ts
 * import { stringToBytes } from "./mod.ts";
 * console.log(stringToBytes("é").length); // 2
 * ```
 */
export function stringToBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Parses `bytes[start:end]` strictly like Redis's `string2ll`: an optional `-`, no `+`, no
 * spaces, no leading zeros, `-0` invalid, at most 20 characters, within int64. Returns the
 * value as a number (exact below 2^53; larger magnitudes are approximate, which is enough to
 * compare against limits), or `undefined` when invalid.
 * @internal
 */
export function parseRange(bytes: Uint8Array, start: number, end: number): number | undefined {
  const length = end - start;
  if (length === 0 || length >= 21) return undefined;
  let i = start;
  let negative = false;
  if (bytes[i] === 48) return length === 1 ? 0 : undefined;
  if (bytes[i] === 45) {
    negative = true;
    i++;
    if (i === end) return undefined;
  }
  let c = bytes[i];
  if (c < 49 || c > 57) return undefined;
  let value = c - 48;
  for (i++; i < end; i++) {
    c = bytes[i];
    if (c < 48 || c > 57) return undefined;
    value = value * 10 + (c - 48);
  }
  if (length - (negative ? 1 : 0) >= 16) {
    // Exact int64 range check for long numbers.
    const big = parseBigRange(bytes, start, end);
    if (big === undefined) return undefined;
  }
  return negative ? -value : value;
}

/**
 * Parses `bytes[start:end]` like {@link parseRange} but as an exact bigint.
 * @internal
 */
export function parseBigRange(bytes: Uint8Array, start: number, end: number): bigint | undefined {
  const length = end - start;
  if (length === 0 || length >= 21) return undefined;
  let i = start;
  if (bytes[i] === 48) return length === 1 ? 0n : undefined;
  if (bytes[i] === 45) {
    i++;
    if (i === end) return undefined;
  }
  if (bytes[i] < 49 || bytes[i] > 57) return undefined;
  for (let j = i + 1; j < end; j++) if (bytes[j] < 48 || bytes[j] > 57) return undefined;
  const value = BigInt(decodeRange(bytes, start, end));
  if (value > 9223372036854775807n || value < -9223372036854775808n) return undefined;
  return value;
}

/**
 * Parses an integer strictly like Redis's `string2ll` (no spaces, no `+`, no leading zeros,
 * `-0` invalid). Returns `undefined` if the text is not an integer in the safe range (use
 * {@link parseBigInt} for the full int64 range).
 *
 * @example
 * ```ts
 * import { parseInteger } from "./mod.ts";
 * console.log(parseInteger(new TextEncoder().encode("-42"))); // -42
 * console.log(parseInteger(new TextEncoder().encode("042"))); // undefined
 * ```
 */
export function parseInteger(bytes: Uint8Array): number | undefined {
  const value = parseRange(bytes, 0, bytes.length);
  if (value === undefined || !Number.isSafeInteger(value)) return undefined;
  return value;
}

/**
 * Parses an integer strictly like Redis's `string2ll` over the full int64 range.
 *
 * @example
 * ```ts
 * import { parseBigInt } from "./mod.ts";
 * console.log(parseBigInt(new TextEncoder().encode("9223372036854775807"))); // 9223372036854775807n
 * ```
 */
export function parseBigInt(bytes: Uint8Array): bigint | undefined {
  return parseBigRange(bytes, 0, bytes.length);
}

/**
 * Formats a double exactly like C's `printf("%.17g")`, as Redis 7.0's `addReplyDouble`
 * does; infinities are `inf` and `-inf`, NaN is `nan`.
 *
 * @example
 * ```ts
 * import { formatDouble } from "./mod.ts";
 * console.log(formatDouble(1.1)); // "1.1000000000000001"
 * console.log(formatDouble(1e21)); // "1e+21"
 * console.log(formatDouble(3)); // "3"
 * ```
 */
export function formatDouble(value: number): string {
  if (value !== value) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const negative = value < 0;
  const abs = negative ? -value : value;
  // toExponential(16) gives 17 significant digits, but rounds exact ties away from zero
  // where printf rounds them to even: detect ties with the exact expansion.
  const text = abs.toExponential(16);
  const e = text.indexOf("e");
  let digits = text[0] + text.slice(2, e);
  let exponent = Number(text.slice(e + 1));
  const last = digits.charCodeAt(16) - 48;
  if (last % 2 === 1) {
    const exact = abs.toExponential(99);
    // A tie: the exact 18th digit is 5 and every digit after it is 0, and digit 17 is even.
    const e2 = exact.indexOf("e");
    const exactDigits = exact[0] + exact.slice(2, e2);
    if (
      exactDigits.charCodeAt(17) === 53 && /^0*$/.test(exactDigits.slice(18)) &&
      (exactDigits.charCodeAt(16) - 48) % 2 === 0
    ) {
      digits = exactDigits.slice(0, 17);
      exponent = Number(exact.slice(e2 + 1));
    }
  }
  // Strip trailing zeros (%g without '#').
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  let out: string;
  if (exponent < -4 || exponent >= 17) {
    const mantissa = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const sign = exponent < 0 ? "-" : "+";
    const magnitude = exponent < 0 ? -exponent : exponent;
    out = mantissa + "e" + sign + (magnitude < 10 ? "0" : "") + magnitude;
  } else if (exponent < 0) {
    out = "0." + "0".repeat(-exponent - 1) + digits;
  } else if (digits.length > exponent + 1) {
    out = digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1);
  } else {
    out = digits + "0".repeat(exponent + 1 - digits.length);
  }
  return negative ? "-" + out : out;
}

/**
 * Compares two byte arrays for equality.
 *
 * @example
 * ```ts
 * import { equalBytes } from "./mod.ts";
 * console.log(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))); // true
 * ```
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
