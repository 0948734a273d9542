/**
 * Stream entry IDs (Redis's `streamID`): two unsigned 64-bit halves, `ms` and `seq`. Each
 * half is a {@link U64}: a number up to 2^53-1 and a bigint above, never both for one value,
 * so `===` compares halves and `<`/`>` order them across the two forms. The common case
 * (millisecond clocks, small sequences) stays on numbers.
 *
 * @module
 */

import { fail } from "../../server/errors.ts";

/** An unsigned 64-bit integer: a number when at most 2^53-1, else a bigint. */
export type U64 = number | bigint;

/** A stream entry ID. */
export interface StreamId {
  /** Milliseconds part. */
  readonly ms: U64;
  /** Sequence part. */
  readonly seq: U64;
}

/** 2^64-1, the largest half. */
export const U64_MAX: U64 = 18446744073709551615n;

/** The ID 0-0. */
export const ZERO_ID: StreamId = { ms: 0, seq: 0 };

/** The largest ID (`+`). */
export const MAX_ID: StreamId = { ms: U64_MAX, seq: U64_MAX };

/** Redis's error for an unparsable ID. */
export const INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The canonical {@link U64} of a bigint in [0, 2^64).
 *
 * @example
 * ```ts
 * import { u64 } from "./stream_id.ts";
 *
 * u64(5n); // 5
 * ```
 */
export function u64(value: bigint): U64 {
  return value <= SAFE ? Number(value) : value;
}

/** `value + 1` (the caller checks it is below {@link U64_MAX}). */
function inc(value: U64): U64 {
  if (typeof value === "number") return value < Number.MAX_SAFE_INTEGER ? value + 1 : SAFE + 1n;
  return value + 1n;
}

/** `value - 1` (the caller checks it is above 0). */
function dec(value: U64): U64 {
  if (typeof value === "number") return value - 1;
  return u64(value - 1n);
}

/**
 * Orders two IDs: negative, zero or positive.
 *
 * @example
 * ```ts
 * import { compareIds } from "./stream_id.ts";
 *
 * compareIds({ ms: 1, seq: 0 }, { ms: 0, seq: 9 }); // 1
 * ```
 */
export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/**
 * The next ID (Redis `streamIncrID`), or undefined past the largest one.
 *
 * @example
 * ```ts
 * import { nextId } from "./stream_id.ts";
 *
 * nextId({ ms: 1, seq: 1 }); // { ms: 1, seq: 2 }
 * ```
 */
export function nextId(id: StreamId): StreamId | undefined {
  if (id.seq !== U64_MAX) return { ms: id.ms, seq: inc(id.seq) };
  if (id.ms !== U64_MAX) return { ms: inc(id.ms), seq: 0 };
  return undefined;
}

/**
 * The previous ID (Redis `streamDecrID`), or undefined before 0-0.
 *
 * @example
 * ```ts
 * import { previousId } from "./stream_id.ts";
 *
 * previousId({ ms: 2, seq: 0 }); // { ms: 1, seq: 18446744073709551615n }
 * ```
 */
export function previousId(id: StreamId): StreamId | undefined {
  if (id.seq !== 0) return { ms: id.ms, seq: dec(id.seq) };
  if (id.ms !== 0) return { ms: dec(id.ms), seq: U64_MAX };
  return undefined;
}

/**
 * `<ms>-<seq>`, as Redis writes IDs.
 *
 * @example
 * ```ts
 * import { formatId } from "./stream_id.ts";
 *
 * formatId({ ms: 5, seq: 1 }); // "5-1"
 * ```
 */
export function formatId(id: StreamId): string {
  const ms = id.ms;
  // Consecutive IDs mostly share their milliseconds: the conversion of a 13-digit number to
  // text (not a small integer, so not in the engines' number-string caches) is done once.
  if (ms !== lastMs) {
    lastMs = ms;
    lastMsPrefix = ms + "-";
  }
  return lastMsPrefix + id.seq;
}

/** {@link formatId}'s one-entry cache: the last milliseconds seen and their `<ms>-` text. */
let lastMs: U64 = 0;
let lastMsPrefix = "0-";

/** ASCII digits `bytes[start, end)` as a U64 (no sign, no blanks), or undefined. */
function digits(bytes: Uint8Array, start: number, end: number): U64 | undefined {
  if (start >= end) return undefined;
  let n = 0;
  if (end - start <= 15) {
    for (let i = start; i < end; i++) {
      const c = bytes[i] - 48;
      if (c < 0 || c > 9) return undefined;
      n = n * 10 + c;
    }
    return n;
  }
  let big = 0n;
  for (let i = start; i < end; i++) {
    const c = bytes[i] - 48;
    if (c < 0 || c > 9) return undefined;
    big = big * 10n + BigInt(c);
  }
  return big > (U64_MAX as bigint) ? undefined : u64(big);
}

/**
 * Redis's `string2ull` over `bytes[start, end)`: a strict int64 that is not negative, or
 * else what `strtoull` takes (leading blanks, a sign, leading zeros; `-n` wraps to 2^64-n).
 */
function parseU64(bytes: Uint8Array, start: number, end: number): U64 | undefined {
  const first = bytes[start];
  if (first >= 49 && first <= 57) {
    const value = digits(bytes, start, end);
    if (value !== undefined) return value;
  } else if (first === 48 && end - start === 1) return 0;
  let i = start;
  while (i < end && (bytes[i] === 32 || (bytes[i] >= 9 && bytes[i] <= 13))) i++;
  let negative = false;
  if (bytes[i] === 43 || bytes[i] === 45) {
    negative = bytes[i] === 45;
    i++;
  }
  const value = digits(bytes, i, end);
  if (value === undefined) return undefined;
  // string2ll accepted a plain negative number first: Redis refuses it.
  if (negative && isStrictNegative(bytes, start, end)) return undefined;
  if (!negative || value === 0) return value;
  return u64((U64_MAX as bigint) + 1n - BigInt(value));
}

/** `-[1-9][0-9]*` within int64: what string2ll parses as a negative number. */
function isStrictNegative(bytes: Uint8Array, start: number, end: number): boolean {
  if (bytes[start] !== 45 || end - start < 2 || end - start > 20) return false;
  if (bytes[start + 1] < 49 || bytes[start + 1] > 57) return false;
  for (let i = start + 2; i < end; i++) if (bytes[i] < 48 || bytes[i] > 57) return false;
  let big = 0n;
  for (let i = start + 1; i < end; i++) big = big * 10n + BigInt(bytes[i] - 48);
  return big <= 9223372036854775808n;
}

/** A parsed ID; `seqGiven` is false for XADD's `<ms>-*`. */
export interface ParsedId extends StreamId {
  /** False when the sequence was `*` (only accepted with `allowSeqStar`). */
  readonly seqGiven: boolean;
}

/**
 * Redis's `streamGenericParseIDOrReply`: `-`, `+` (refused when `strict`), `<ms>` (the
 * sequence is `missingSeq`), `<ms>-<seq>`, and `<ms>-*` when `allowSeqStar`. Throws the
 * invalid-ID error.
 *
 * @example
 * ```ts
 * import { parseId } from "./stream_id.ts";
 *
 * parseId(new TextEncoder().encode("5"), 0, false); // { ms: 5, seq: 0, seqGiven: true }
 * ```
 */
export function parseId(
  bytes: Uint8Array,
  missingSeq: U64,
  strict: boolean,
  allowSeqStar = false,
): ParsedId {
  const length = bytes.length;
  if (length > 127) fail(INVALID_ID);
  if (length === 1 && (bytes[0] === 45 || bytes[0] === 43)) {
    if (strict) fail(INVALID_ID);
    return bytes[0] === 45
      ? { ms: 0, seq: 0, seqGiven: true }
      : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
  }
  // C strings end at a NUL byte.
  let end = bytes.indexOf(0);
  if (end === -1) end = length;
  const dash = bytes.subarray(0, end).indexOf(45);
  const msEnd = dash === -1 ? end : dash;
  const ms = parseU64(bytes, 0, msEnd);
  if (ms === undefined) fail(INVALID_ID);
  if (dash === -1) return { ms, seq: missingSeq, seqGiven: true };
  if (allowSeqStar && end - dash === 2 && bytes[dash + 1] === 42) {
    return { ms, seq: 0, seqGiven: false };
  }
  const seq = parseU64(bytes, dash + 1, end);
  if (seq === undefined) fail(INVALID_ID);
  return { ms, seq, seqGiven: true };
}
