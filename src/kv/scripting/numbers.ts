/**
 * C's `%.{p}g` for the number conversions scripting does (redis.call arguments use `%.17g`,
 * cjson `%.14g` by default).
 *
 * @module
 */

import { generalDigits, nonFiniteDigits, signBit } from "../../lua/lib/string_format_number.ts";

/**
 * `printf("%.{precision}g", n)` as glibc prints it.
 *
 * @example
 * ```ts
 * import { formatGeneral } from "./numbers.ts";
 *
 * formatGeneral(0.1, 17); // "0.10000000000000001"
 * ```
 */
export function formatGeneral(n: number, precision: number): string {
  const sign = signBit(n) ? "-" : "";
  if (!Number.isFinite(n)) return sign + nonFiniteDigits(n, false);
  return sign + generalDigits(Math.abs(n), precision, false, false);
}
