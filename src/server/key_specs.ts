/**
 * Redis 7 key specs: shorthands for the common ones, the key search Redis runs over them
 * (`getKeysUsingKeySpecs` in db.c: COMMAND GETKEYS, and later cluster slots and script key
 * checks), and the legacy first/last/step range of COMMAND INFO derived from them
 * (`populateCommandLegacyRangeSpec` in server.c).
 *
 * @module
 */

import type { KeyReference, KeySpec } from "./command_spec.ts";

/**
 * A key spec starting at argv index `index` (0 = the command name) and covering a range:
 * `lastKey` 0 = just that key, -1 = up to the last argument, n = n more arguments.
 *
 * @example
 * ```ts
 * import { rangeKeys } from "./key_specs.ts";
 *
 * // MSET key value [key value ...]
 * const mset = rangeKeys(["OW", "update"], 1, -1, 2);
 * ```
 */
export function rangeKeys(
  flags: readonly string[],
  index: number,
  lastKey = 0,
  step = 1,
  limit = 0,
): KeySpec {
  return { flags, begin: { index }, find: { lastKey, step, limit } };
}

/**
 * A key spec whose keys follow a count argument: the count at `index`, the first key right
 * after it (ZUNIONSTORE dest numkeys key...: the second spec is `keyNumKeys(flags, 2)`).
 *
 * @example
 * ```ts
 * import { keyNumKeys } from "./key_specs.ts";
 *
 * // ZINTERCARD numkeys key [key ...]
 * const zintercard = keyNumKeys(["RO", "access"], 1);
 * ```
 */
export function keyNumKeys(flags: readonly string[], index: number, step = 1): KeySpec {
  return { flags, begin: { index }, find: { keyNumIndex: 0, firstKey: 1, step } };
}

/** The key at argument 1, read (GET, LRANGE, ...). */
export const RO_ACCESS_KEY1: KeySpec = rangeKeys(["RO", "access"], 1);
/** The key at argument 1, read for metadata only (TYPE, TTL, EXISTS...). */
export const RO_KEY1: KeySpec = rangeKeys(["RO"], 1);
/** The key at argument 1, read and updated (INCR, APPEND...). */
export const RW_ACCESS_UPDATE_KEY1: KeySpec = rangeKeys(["RW", "access", "update"], 1);
/** The key at argument 1, updated without reading (EXPIRE, HSET...). */
export const RW_UPDATE_KEY1: KeySpec = rangeKeys(["RW", "update"], 1);
/** The key at argument 1, values inserted (LPUSH, SADD...). */
export const RW_INSERT_KEY1: KeySpec = rangeKeys(["RW", "insert"], 1);
/** The key at argument 1, values deleted (SREM, HDEL...). */
export const RW_DELETE_KEY1: KeySpec = rangeKeys(["RW", "delete"], 1);
/** The key at argument 1, values read and deleted (LPOP, SPOP...). */
export const RW_ACCESS_DELETE_KEY1: KeySpec = rangeKeys(["RW", "access", "delete"], 1);
/** The key at argument 1, overwritten (SET, MSET's first...). */
export const OW_UPDATE_KEY1: KeySpec = rangeKeys(["OW", "update"], 1);

/** True when `argv[i]` is `word`, ignoring ASCII case (`word` in upper case). */
function isKeyword(arg: Uint8Array, word: string): boolean {
  if (arg.length !== word.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i];
    if (c >= 97 && c <= 122) c -= 32;
    let w = word.charCodeAt(i);
    if (w >= 97 && w <= 122) w -= 32;
    if (c !== w) return false;
  }
  return true;
}

/** A strict decimal integer (string2ll) as a number, or undefined. */
function integerOf(bytes: Uint8Array): number | undefined {
  const text = String.fromCharCode.apply(null, bytes as unknown as number[]);
  if (!/^(?:0|-?[1-9][0-9]{0,18})$/.test(text)) return undefined;
  return Number(text);
}

/**
 * The keys of a command line found by its key specs, as Redis's `getKeysUsingKeySpecs`
 * finds them: specs flagged "not_key" are skipped, a keyword search that finds nothing
 * contributes nothing. Returns undefined where Redis's search fails (an unknown spec, a
 * range outside the arguments, a bad key count, an "incomplete" spec).
 *
 * @example
 * ```ts
 * import { findKeys, rangeKeys } from "./key_specs.ts";
 *
 * const argv = ["MSET", "a", "1", "b", "2"].map((s) => new TextEncoder().encode(s));
 * findKeys([rangeKeys(["OW", "update"], 1, -1, 2)], -3, argv)?.map((k) => k.index); // [1, 3]
 * ```
 */
export function findKeys(
  specs: readonly KeySpec[],
  arity: number,
  argv: readonly Uint8Array[],
): KeyReference[] | undefined {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const spec of specs) {
    if (spec.flags.includes("not_key")) continue;
    let first = 0;
    const begin = spec.begin;
    if (begin === "unknown") return undefined;
    if ("index" in begin) {
      first = begin.index;
    } else {
      const from = begin.startFrom;
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (isKeyword(argv[i], begin.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword not found
    }
    const find = spec.find;
    if (find === "unknown") return undefined;
    let last: number;
    let step: number;
    if ("lastKey" in find) {
      step = find.step;
      if (find.lastKey >= 0) last = first + find.lastKey;
      else if (find.limit === 0) last = argc + find.lastKey;
      else last = first + (Math.trunc((argc - first) / find.limit) + find.lastKey);
    } else {
      step = find.step;
      const at = first + find.keyNumIndex;
      if (find.keyNumIndex >= argc || at >= argc) return undefined;
      const count = integerOf(argv[at]);
      if (count === undefined || count < 0) return undefined;
      first += find.firstKey;
      last = first + count - 1;
    }
    if (last >= argc || last < first || first >= argc) return undefined;
    for (let i = first; i <= last; i += step) {
      // Only reachable for commands of variable arity: no keys, the command reports the error.
      if (i >= argc || i < first) {
        if (arity < 0) continue;
        return undefined;
      }
      keys.push({ index: i, flags: spec.flags });
    }
    if (spec.flags.includes("incomplete")) return undefined;
  }
  return keys;
}

/** Whether a spec is a plain "index" + "range" spec (the only kind the legacy range knows). */
function isIndexRange(
  spec: KeySpec,
): spec is KeySpec & {
  begin: { index: number };
  find: { lastKey: number; step: number; limit: number };
} {
  return spec.begin !== "unknown" && "index" in spec.begin && spec.find !== "unknown" &&
    "lastKey" in spec.find;
}

/** The legacy key range of COMMAND INFO, and whether the command has movable keys. */
export interface LegacyRange {
  /** First key's argv index (0: none). */
  readonly firstKey: number;
  /** Last key's argv index (negative: counted from the end). */
  readonly lastKey: number;
  /** Step between keys. */
  readonly step: number;
  /** COMMAND INFO's derived "movablekeys" flag. */
  readonly movable: boolean;
}

const NO_RANGE: LegacyRange = { firstKey: 0, lastKey: 0, step: 0, movable: false };

/**
 * First/last/step and "movablekeys" derived from key specs as Redis's
 * `populateCommandLegacyRangeSpec` does: one index+range spec is taken as is; several are
 * glued when they are plain (step 1) and consecutive; anything else makes the keys movable.
 *
 * @example
 * ```ts
 * import { legacyRange, RO_ACCESS_KEY1 } from "./key_specs.ts";
 *
 * legacyRange([RO_ACCESS_KEY1]); // { firstKey: 1, lastKey: 1, step: 1, movable: false }
 * ```
 */
export function legacyRange(specs: readonly KeySpec[]): LegacyRange {
  if (specs.length === 0) return NO_RANGE;
  if (specs.length === 1 && isIndexRange(specs[0])) {
    const { begin, find, flags } = specs[0];
    return {
      firstKey: begin.index,
      lastKey: find.lastKey >= 0 ? begin.index + find.lastKey : find.lastKey,
      step: find.step,
      movable: flags.includes("incomplete"),
    };
  }
  let movable = false;
  let first = Infinity;
  let last = 0;
  let previousLast = 0;
  for (const spec of specs) {
    if (!isIndexRange(spec)) {
      movable = true;
      continue;
    }
    if (spec.find.step !== 1 || (previousLast !== 0 && previousLast !== spec.begin.index - 1)) {
      movable = true;
      continue;
    }
    if (spec.flags.includes("incomplete")) movable = true;
    first = Math.min(first, spec.begin.index);
    let absolute = spec.find.lastKey;
    if (absolute >= 0) absolute += spec.begin.index;
    // Redis compares as unsigned: a negative (counted from the end) index wins.
    last = (last >>> 0) >= (absolute >>> 0) ? last : absolute;
    previousLast = last;
  }
  if (first === Infinity) return { firstKey: 0, lastKey: 0, step: 0, movable: true };
  return { firstKey: first, lastKey: last, step: 1, movable };
}
