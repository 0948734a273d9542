/**
 * Number conversions as glibc's printf performs them on x86-64, for Lua 5.1's
 * `string.format` and `tostring` (`%.14g`).
 *
 * Decimal digits come from `toFixed`/`toExponential`/`toPrecision`, which are exact (they
 * round the exact binary value) but break ties upward, where glibc rounds ties to even. A
 * tie needs the exact value to end in a 5 just past the cut; {@link isTie} detects that
 * exactly and the last digit is then corrected.
 *
 * @module
 */

const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);
/** Index of the byte holding the sign bit in `scratchBytes` (platform endianness). */
const SIGN_BYTE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 7 : 0;

/** Whether the sign bit of `x` is set (true for -0 and for NaNs with the sign bit). */
export function signBit(x: number): boolean {
  if (x === x) return x < 0 || (x === 0 && 1 / x < 0);
  scratch[0] = x;
  return (scratchBytes[SIGN_BYTE] & 0x80) !== 0;
}

/**
 * Whether rounding `x` (finite, >= 0) at the decimal digit of weight 10^c is an exact tie,
 * that is x / 10^c = k + 1/2 for an integer k. With x = m * 2^e (m odd) this holds exactly
 * when e = c - 1 and, for c > 0, 5^c divides m.
 */
function isTie(x: number, c: number): boolean {
  if (c <= 0) return (x * 2 ** (1 - c)) % 2 === 1;
  if (c > 22) return false;
  const y = x / 2 ** (c - 1);
  return y % 2 === 1 && y % 5 ** c === 0;
}

/** `digits` with its last digit (odd, so no borrow) lowered by one. */
function lowerLast(digits: string): string {
  const last = digits.charCodeAt(digits.length - 1);
  return digits.slice(0, -1) + String.fromCharCode(last - 1);
}

function lastIsOdd(digits: string): boolean {
  return (digits.charCodeAt(digits.length - 1) & 1) === 1;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * `%.{p}f` for small `x` and `p` through one multiplication: `x * 10^p` below 2^31 is off
 * from the exact product by less than 2^-22, so when its fraction is not within 1e-6 of
 * one half the rounding direction is certain. Undefined when unsure.
 */
function fixedByScaling(x: number, p: number): string | undefined {
  const y = x * POW10[p];
  if (!(y < 2147483648)) return undefined;
  const floor = Math.floor(y);
  const fraction = y - floor;
  if (fraction > 0.499999 && fraction < 0.500001) return undefined;
  const digits = "" + (fraction > 0.5 ? floor + 1 : floor);
  if (p === 0) return digits;
  const intLength = digits.length - p;
  if (intLength > 0) return digits.slice(0, intLength) + "." + digits.slice(intLength);
  return "0." + "0".repeat(-intLength) + digits;
}

/** `%.{p}f` of finite `x >= 0` (no sign). */
export function fixedDigits(x: number, p: number): string {
  if (p < 10) {
    const fast = fixedByScaling(x, p);
    if (fast !== undefined) return fast;
  }
  if (x >= 1e21) return BigInt(x).toString() + (p > 0 ? "." + "0".repeat(p) : "");
  const s = x.toFixed(p);
  return lastIsOdd(s) && isTie(x, -p) ? lowerLast(s) : s;
}

/** `%.{p}e` of finite `x >= 0` split into mantissa digits and decimal exponent. */
function expParts(x: number, p: number): [string, number] {
  const s = x.toExponential(p);
  const at = s.indexOf("e");
  let mantissa = s.slice(0, at);
  const exp = +s.slice(at + 1);
  if (lastIsOdd(mantissa) && isTie(x, exp - p)) mantissa = lowerLast(mantissa);
  return [mantissa, exp];
}

function expSuffix(exp: number, upper: boolean): string {
  const e = upper ? "E" : "e";
  const abs = exp < 0 ? -exp : exp;
  return (exp < 0 ? e + "-" : e + "+") + (abs < 10 ? "0" + abs : String(abs));
}

/** `%.{p}e` of finite `x >= 0` (no sign); `alt` is the `#` flag. */
export function expDigits(x: number, p: number, upper: boolean, alt: boolean): string {
  const [mantissa, exp] = expParts(x, p);
  return (alt && p === 0 ? mantissa + "." : mantissa) + expSuffix(exp, upper);
}

/** Removes trailing zeros after a decimal point, and the point if nothing follows it. */
function stripZeros(s: string): string {
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** Adds a decimal point to `digits` when it has none (the `#` flag). */
function withPoint(digits: string): string {
  return digits.indexOf(".") < 0 ? digits + "." : digits;
}

/** The decimal exponent of the first significant digit of a fixed-notation `s` (not 0). */
function fixedExponent(s: string): number {
  if (s.charCodeAt(0) !== 48) {
    const dot = s.indexOf(".");
    return (dot < 0 ? s.length : dot) - 1;
  }
  let k = 2;
  while (s.charCodeAt(k) === 48) k++;
  return 1 - k;
}

/**
 * `%.{p}g` of finite `x >= 0` (no sign); `alt` is the `#` flag. `toPrecision` picks fixed
 * notation for exponents in [-6, P), C in [-4, P): only [-6, -4) needs redoing.
 */
export function generalDigits(x: number, p: number, upper: boolean, alt: boolean): string {
  const P = p === 0 ? 1 : p;
  if (x === 0) {
    const zero = fixedDigits(0, P - 1);
    return alt ? withPoint(zero) : stripZeros(zero);
  }
  const s = x.toPrecision(P);
  const at = s.indexOf("e");
  let mantissa: string;
  let exp: number;
  if (at < 0) {
    exp = fixedExponent(s);
    if (exp >= -4) {
      const fixed = lastIsOdd(s) && isTie(x, exp - P + 1) ? lowerLast(s) : s;
      return alt ? withPoint(fixed) : stripZeros(fixed);
    }
    [mantissa, exp] = expParts(x, P - 1);
  } else {
    exp = +s.slice(at + 1);
    mantissa = s.slice(0, at);
    if (lastIsOdd(mantissa) && isTie(x, exp - P + 1)) mantissa = lowerLast(mantissa);
  }
  return (alt ? withPoint(mantissa) : stripZeros(mantissa)) + expSuffix(exp, upper);
}

/** `inf`/`nan` as glibc prints them (no sign). */
export function nonFiniteDigits(x: number, upper: boolean): string {
  if (x === x) return upper ? "INF" : "inf";
  return upper ? "NAN" : "nan";
}

/** `%.14g` for a non-integer or large number (the slow half of numberToString). */
function general14(n: number): string {
  if (n !== n) return signBit(n) ? "-nan" : "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  return n < 0 ? "-" + generalDigits(-n, 14, false, false) : generalDigits(n, 14, false, false);
}

/**
 * Lua 5.1's number-to-string conversion (`lua_number2str`, C's `"%.14g"`), used by
 * `tostring`, `print` and `..`: `numberToString(1e100)` is `"1e+100"`, `numberToString(-0)`
 * is `"-0"`, `numberToString(1 / 3)` is `"0.33333333333333"`.
 */
export function numberToString(n: number): string {
  // Integers of at most 14 digits print as themselves.
  if (Number.isInteger(n) && n < 1e14 && n > -1e14) {
    return n === 0 && 1 / n < 0 ? "-0" : "" + n;
  }
  return general14(n);
}

const TWO_63 = 9223372036854775808;
const TWO_64 = 18446744073709551616;
const INT64_MIN = -(2n ** 63n);

/** C's `(long)x` on x86-64 (cvttsd2si): truncation; NaN and out-of-range give -2^63. */
export function toInt64(x: number): number | bigint {
  const t = Math.trunc(x);
  if (t > -9007199254740992 && t < 9007199254740992) return t;
  return t >= -TWO_63 && t < TWO_63 ? BigInt(t) : INT64_MIN;
}

/**
 * C's `(unsigned long)x` as gcc compiles it on x86-64: below 2^63 through the signed
 * conversion (so negatives wrap and NaN gives 2^63), from 2^63 by subtracting 2^63 first
 * (so 2^64 and beyond give 0).
 */
export function toUint64(x: number): number | bigint {
  if (x >= 0 && x < 9007199254740992) return Math.trunc(x);
  if (x >= TWO_63) return x < TWO_64 ? BigInt(x) : 0;
  const t = toInt64(x);
  if (typeof t === "number") return t >= 0 ? t : BigInt(t) + 2n ** 64n;
  return t >= 0n ? t : t + 2n ** 64n;
}

/** C's `(int)x` reduced to the byte `%c` prints. */
export function toCharCode(x: number): number {
  const t = Math.trunc(x);
  return t >= -2147483648 && t <= 2147483647 ? t & 255 : 0;
}
