/**
 * How Redis prints geo numbers: coordinates with `ld2string(LD_STR_HUMAN)` (`%.17Lf`, trailing
 * zeros removed), distances with `fixedpoint_d2string(.., 4)` (the value times 10^4 rounded
 * half to even by `llrint`), and coordinates in error texts with `%f`.
 *
 * @module
 */

import { formatLongDouble } from "./long_double.ts";

const view = new DataView(new ArrayBuffer(8));

/** A finite double as sign, integer significand and binary exponent. */
function parts(x: number): { negative: boolean; mantissa: bigint; exponent: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { negative, mantissa: frac, exponent: -1074 };
  return { negative, mantissa: frac | (1n << 52n), exponent: biased - 1075 };
}

/**
 * A coordinate as Redis prints it (`%.17Lf` of the double, trailing zeros and dot removed).
 *
 * @example
 * ```ts
 * import { formatCoordinate } from "./geo_format.ts";
 *
 * formatCoordinate(13.361389338970184); // "13.36138933897018433"
 * ```
 */
export function formatCoordinate(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return formatLongDouble(parts(x));
}

/**
 * `%.<digits>f` of a double, exact (glibc rounds the exact binary value half to even).
 *
 * @example
 * ```ts
 * import { formatFixed } from "./geo_format.ts";
 *
 * formatFixed(200, 6); // "200.000000"
 * ```
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const { negative, mantissa, exponent } = parts(x);
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (exponent >= 0) q = (mantissa << BigInt(exponent)) * scale;
  else {
    const den = 1n << BigInt(-exponent);
    const num = mantissa * scale;
    q = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
  }
  const text = q.toString().padStart(digits + 1, "0");
  const int = text.slice(0, text.length - digits), frac = text.slice(text.length - digits);
  return (negative ? "-" : "") + int + (digits > 0 ? "." + frac : "");
}

/**
 * A distance as Redis's `addReplyDoubleDistance` prints it: four decimals of the value
 * times 10^4 rounded half to even.
 *
 * @example
 * ```ts
 * import { formatDistance } from "./geo_format.ts";
 *
 * formatDistance(166274.15156960033); // "166274.1516"
 * ```
 */
export function formatDistance(d: number): string {
  if (d === 0) return "0.0000";
  const scaled = d * 10000;
  let n = Math.round(scaled);
  if (n - scaled === 0.5 && n % 2 !== 0) n--; // llrint: ties to even
  const negative = n < 0;
  const digits = String(Math.abs(n)).padStart(5, "0");
  return (negative ? "-" : "") + digits.slice(0, -4) + "." + digits.slice(-4);
}
