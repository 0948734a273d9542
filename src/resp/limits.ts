/**
 * Decoder limits (Redis defaults).
 *
 * @module
 */

/**
 * Limits applied by the decoders. Exceeding one throws a {@link ProtocolError} with
 * Redis's text.
 *
 * @example
 * ```ts
 * import { RequestDecoder, type DecoderLimits } from "./mod.ts";
 * const limits: Partial<DecoderLimits> = { maxBulkLength: 1024 * 1024 };
 * const decoder = new RequestDecoder({ limits });
 * ```
 */
export interface DecoderLimits {
  /** Longest inline request (and request header line) without a newline:
   * `Protocol error: too big inline request`. Redis: 64 KiB. */
  maxInlineLength: number;
  /** Largest bulk length: `Protocol error: invalid bulk length`. Redis: 512 MiB. */
  maxBulkLength: number;
  /** Largest multibulk count: `Protocol error: invalid multibulk length`. Redis: 2^31-1. */
  maxMultibulkLength: number;
  /** Deepest nesting of aggregates in a reply. */
  maxDepth: number;
}

/**
 * Redis's defaults.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "./mod.ts";
 * console.log(DEFAULT_LIMITS.maxInlineLength); // 65536
 * ```
 */
export const DEFAULT_LIMITS: Readonly<DecoderLimits> = Object.freeze({
  maxInlineLength: 64 * 1024,
  maxBulkLength: 512 * 1024 * 1024,
  maxMultibulkLength: 2 ** 31 - 1,
  maxDepth: 128,
});

/**
 * Fills in the defaults for missing limits. Complete frozen limits (like {@link DEFAULT_LIMITS}
 * or a server's) are returned as they are, so that decoders created with them share one object
 * instead of holding a copy each.
 */
export function resolveLimits(
  limits: Partial<DecoderLimits> | undefined,
): Readonly<DecoderLimits> {
  if (limits === undefined) return DEFAULT_LIMITS;
  if (
    Object.isFrozen(limits) && limits.maxInlineLength !== undefined &&
    limits.maxBulkLength !== undefined && limits.maxMultibulkLength !== undefined &&
    limits.maxDepth !== undefined
  ) {
    return limits as Readonly<DecoderLimits>;
  }
  return Object.freeze({
    maxInlineLength: limits.maxInlineLength ?? DEFAULT_LIMITS.maxInlineLength,
    maxBulkLength: limits.maxBulkLength ?? DEFAULT_LIMITS.maxBulkLength,
    maxMultibulkLength: limits.maxMultibulkLength ?? DEFAULT_LIMITS.maxMultibulkLength,
    maxDepth: limits.maxDepth ?? DEFAULT_LIMITS.maxDepth,
  });
}
