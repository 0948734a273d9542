/**
 * Exact emulation of the x87 80-bit `long double` that Redis (on x86-64 Linux) uses for
 * HINCRBYFLOAT and INCRBYFLOAT: `strtold` parsing (64-bit significand, round half to even),
 * addition, and `ld2string(..., LD_STR_HUMAN)` formatting (`%.17Lf` with trailing zeros
 * removed). With plain doubles `10.5 + 0.1` would print `10.59999999999999964`; Redis prints
 * `10.6`.
 *
 * @module
 */

/** A finite x87 extended-precision value: `(negative ? -1 : 1) * mantissa * 2 ** exponent`. */
export interface LongDouble {
  /** Sign (also for zero). */
  readonly negative: boolean;
  /** The significand, below 2^64 (0 for zero). */
  readonly mantissa: bigint;
  /** The binary exponent of the significand's lowest bit. */
  readonly exponent: number;
}

const BITS = 64;
const MIN_LSB_EXPONENT = -16445; // smallest subnormal: 2^-16445
const MAX_EXPONENT = 16384; // values >= 2^16384 overflow

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds `num / den * 2^shift` (num, den > 0) to a long double, half to even. Returns
 * undefined on overflow; 0 mantissa on total underflow.
 */
function roundRational(
  negative: boolean,
  num: bigint,
  den: bigint,
  shift: number,
): LongDouble | undefined {
  if (num === 0n) return { negative, mantissa: 0n, exponent: 0 };
  // Choose s so that q = num * 2^s / den has BITS + 1 or BITS + 2 bits.
  let s = BITS + 1 - (bitLength(num) - bitLength(den));
  let lsb = shift - s + 1; // exponent of the mantissa's lowest bit after dropping one guard bit
  if (lsb < MIN_LSB_EXPONENT) {
    s -= MIN_LSB_EXPONENT - lsb;
    lsb = MIN_LSB_EXPONENT;
  }
  let q: bigint, r: bigint;
  if (s >= 0) {
    const n = num << BigInt(s);
    q = n / den;
    r = n % den;
  } else {
    const d = den << BigInt(-s);
    q = num / d;
    r = num % d;
  }
  // q holds the mantissa plus one guard bit (possibly plus one more high bit).
  let extra = bitLength(q) - (BITS + 1);
  let sticky = r !== 0n;
  if (extra > 0) {
    const mask = (1n << BigInt(extra)) - 1n;
    if ((q & mask) !== 0n) sticky = true;
    q >>= BigInt(extra);
    lsb += extra;
  } else extra = 0;
  const guard = q & 1n;
  let mantissa = q >> 1n;
  if (guard === 1n && (sticky || (mantissa & 1n) === 1n)) mantissa++;
  if (bitLength(mantissa) > BITS) {
    mantissa >>= 1n;
    lsb++;
  }
  if (mantissa !== 0n && lsb + bitLength(mantissa) > MAX_EXPONENT) return undefined;
  return { negative, mantissa, exponent: lsb };
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INFINITE = /^[+-]?(?:inf|infinity)$/i;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

/** What {@link parseLongDouble} returns: a finite value, or ±Infinity. */
export type ParsedLongDouble = LongDouble | number;

/**
 * Parses text as Redis's `string2ld` does (`strtold` over the whole string): no leading
 * space, no trailing garbage, no NaN, no overflow, no underflow to zero, shorter than 5120
 * bytes. Returns the exact long double, `Infinity`/`-Infinity` for "inf" spelled out, or
 * undefined when invalid.
 *
 * @example
 * ```ts
 * import { formatLongDouble, parseLongDouble } from "./long_double.ts";
 *
 * const value = parseLongDouble("10.5");
 * if (typeof value === "object") formatLongDouble(value); // "10.5"
 * ```
 */
export function parseLongDouble(text: string): ParsedLongDouble | undefined {
  const n = text.length;
  if (n === 0 || n >= 5120) return undefined;
  const c0 = text.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return undefined;
  const m = DECIMAL.exec(text);
  if (m !== null) {
    const int = m[2], frac = m[3] ?? "";
    if (int.length === 0 && frac.length === 0) return undefined;
    const negative = m[1] === "-";
    const digits = BigInt((int + frac).replace(/^0+(?=\d)/, "") || "0");
    if (digits === 0n) return { negative, mantissa: 0n, exponent: 0 };
    if (m[4] !== undefined && m[4].replace(/^[+-]?0*/, "").length > 7) {
      return undefined; // absurd exponent: overflow or underflow
    }
    const e10 = (m[4] === undefined ? 0 : Number(m[4])) - frac.length;
    // Quick range rejection before building huge powers of ten.
    const magnitude = e10 + digits.toString().length;
    if (magnitude > 4940) return undefined;
    if (magnitude < -4960) return undefined;
    let result: LongDouble | undefined;
    if (e10 >= 0) result = roundRational(negative, digits * 10n ** BigInt(e10), 1n, 0);
    else result = roundRational(negative, digits, 10n ** BigInt(-e10), 0);
    if (result === undefined || result.mantissa === 0n) return undefined;
    return result;
  }
  if (INFINITE.test(text)) return c0 === 45 ? -Infinity : Infinity;
  const h = HEX.exec(text);
  if (h !== null) {
    const int = h[2], frac = h[3] ?? "";
    if (int.length === 0 && frac.length === 0) return undefined;
    const negative = h[1] === "-";
    const digits = BigInt("0x" + (int + frac || "0"));
    if (digits === 0n) return { negative, mantissa: 0n, exponent: 0 };
    const p = h[4] === undefined ? 0 : Number(h[4]);
    if (!Number.isFinite(p) || Math.abs(p) > 100000) return undefined;
    const result = roundRational(negative, digits, 1n, p - 4 * frac.length);
    if (result === undefined || result.mantissa === 0n) return undefined;
    return result;
  }
  return undefined;
}

/**
 * `a + b` in long double arithmetic (round half to even). Undefined when the sum overflows
 * (Redis then answers "increment would produce NaN or Infinity").
 *
 * @example
 * ```ts
 * import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from "./long_double.ts";
 *
 * const a = parseLongDouble("10.5") as LongDouble;
 * const b = parseLongDouble("0.1") as LongDouble;
 * formatLongDouble(addLongDouble(a, b)!); // "10.6"
 * ```
 */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.mantissa === 0n) {
    return b.mantissa === 0n ? { ...b, negative: a.negative && b.negative } : b;
  }
  if (b.mantissa === 0n) return a;
  const e = Math.min(a.exponent, b.exponent);
  const av = a.mantissa << BigInt(a.exponent - e);
  const bv = b.mantissa << BigInt(b.exponent - e);
  let sum = (a.negative ? -av : av) + (b.negative ? -bv : bv);
  if (sum === 0n) return { negative: false, mantissa: 0n, exponent: 0 };
  const negative = sum < 0n;
  if (negative) sum = -sum;
  return roundRational(negative, sum, 1n, e);
}

/**
 * Formats like Redis's `ld2string(buf, len, value, LD_STR_HUMAN)`: `%.17Lf`, then trailing
 * zeros (and a trailing dot) removed, and "-0" turned into "0".
 *
 * @example
 * ```ts
 * import { formatLongDouble, parseLongDouble, type LongDouble } from "./long_double.ts";
 *
 * formatLongDouble(parseLongDouble("3.0e3") as LongDouble); // "3000"
 * ```
 */
export function formatLongDouble(value: LongDouble): string {
  const { mantissa, exponent } = value;
  let digits: string;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString() + "00000000000000000";
  } else {
    const den = 1n << BigInt(-exponent);
    const num = mantissa * 100000000000000000n;
    let q = num / den;
    const r = num % den;
    const twice = r * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
    digits = q.toString().padStart(18, "0");
  }
  const int = digits.slice(0, digits.length - 17);
  let frac = digits.slice(digits.length - 17);
  frac = frac.replace(/0+$/, "");
  let text = frac.length > 0 ? int + "." + frac : int;
  if (value.negative) text = "-" + text;
  return text === "-0" ? "0" : text;
}
