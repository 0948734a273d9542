/**
 * The count argument of HRANDFIELD, SRANDMEMBER and ZRANDMEMBER, parsed as Redis 7.0 does
 * (`getRangeLongFromObjectOrReply` over -LONG_MAX..LONG_MAX, and LONG_MAX / 2 when every
 * pick is a pair), and the bound of the picks with repetitions served.
 */
import type { Command } from "../../server/command.ts";
import { parseLongBig } from "../../server/args.ts";
import { fail } from "../../server/errors.ts";

/** LONG_MAX / 2 as a bigint: as a number it would round up to 2^62. */
const PAIRED_MAX = 4611686018427387903n;

/**
 * Largest number of picks with repetitions served. Redis writes such a reply without bound
 * (for -LONG_MAX it streams until it runs out of memory); beyond this we answer Redis's range
 * error instead of hanging.
 */
export const RANDOM_MAX = 100_000_000;

/** The range error of a count no reply can hold. */
export const OUT_OF_RANGE = "ERR value is out of range";

/**
 * Redis's bound of a count with WITHVALUES / WITHSCORES (after the count parsed with
 * `rangeLongArg` and the syntax check, as Redis orders them), compared exactly.
 */
export function checkPairedCount(command: Command, index: number): void {
  const big = parseLongBig(command.arg(index)!)!;
  if (big < -PAIRED_MAX || big > PAIRED_MAX) fail(OUT_OF_RANGE);
}

/** Fails for a number of picks with repetitions no reply can hold. */
export function checkRepeatedPicks(count: number): void {
  if (count > RANDOM_MAX) fail(OUT_OF_RANGE);
}
