/**
 * The thresholds of Redis's compact encodings (`hash-max-listpack-entries|value`,
 * `zset-max-listpack-entries|value`, `set-max-intset-entries`, `list-max-listpack-size`,
 * `list-compress-depth`), with Redis 7.0's defaults. CONFIG SET changes them; the value
 * classes read them when they decide a conversion. They are process-wide: every key-value
 * server of one process shares them.
 *
 * @module
 */

/**
 * The encoding thresholds, as CONFIG GET shows them.
 *
 * @example
 * ```ts
 * import { encodingLimits } from "./encoding_limits.ts";
 *
 * encodingLimits.hashMaxListpackEntries; // 512
 * ```
 */
export const encodingLimits = {
  /** hash-max-listpack-entries: more fields convert a hash to a hashtable. */
  hashMaxListpackEntries: 512,
  /** hash-max-listpack-value: a longer field or value converts a hash to a hashtable. */
  hashMaxListpackValue: 64,
  /** zset-max-listpack-entries: more members convert a sorted set to a skiplist. */
  zsetMaxListpackEntries: 128,
  /** zset-max-listpack-value: a longer member converts a sorted set to a skiplist. */
  zsetMaxListpackValue: 64,
  /** set-max-intset-entries: more members convert an intset to a hashtable. */
  setMaxIntsetEntries: 512,
  /** list-max-listpack-size: entries (positive) or bytes class (-1..-5) per quicklist node. */
  listMaxListpackSize: -2,
  /** list-compress-depth: quicklist nodes left uncompressed at each end (0: none). */
  listCompressDepth: 0,
};
