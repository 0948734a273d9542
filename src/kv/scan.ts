/**
 * The SCAN family (SCAN, HSCAN, SSCAN, ZSCAN): the cursor and options as Redis parses them,
 * and the two-element reply.
 *
 * @module
 */

import type { Command } from "../server/command.ts";
import { fail, NOT_INTEGER, SYNTAX } from "../server/errors.ts";
import { parseLongBig } from "../server/args.ts";
import type { Reply } from "../server/reply.ts";

/** Options of a SCAN-family command. */
export interface ScanOptions {
  /** COUNT (default 10, at most 1e9). */
  count: number;
  /** MATCH pattern, or undefined for none ("*" counts as none). */
  pattern: Uint8Array | undefined;
  /** TYPE (SCAN only), or undefined. */
  type: Uint8Array | undefined;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parses a SCAN cursor like Redis's `parseScanCursorOrReply` (strtoul): "invalid cursor"
 * for leading space, trailing garbage or overflow. Returns the cursor as a number.
 *
 * @example
 * ```ts
 * import { parseCursor } from "./scan.ts";
 *
 * parseCursor(new TextEncoder().encode("17")); // 17
 * ```
 */
export function parseCursor(bytes: Uint8Array): number {
  const invalid = (): never => fail("ERR invalid cursor");
  let i = 0;
  const n = bytes.length;
  if (n > 0 && isSpace(bytes[0])) invalid();
  let negative = false;
  if (i < n && (bytes[i] === 43 || bytes[i] === 45)) {
    negative = bytes[i] === 45;
    i++;
  }
  let value = 0n;
  let digits = 0;
  for (; i < n; i++) {
    const c = bytes[i];
    if (c < 48 || c > 57) invalid();
    value = value * 10n + BigInt(c - 48);
    digits++;
    if (value > 18446744073709551615n) invalid();
  }
  if (digits === 0 && n > 0) invalid();
  if (negative && value !== 0n) value = 18446744073709551616n - value;
  return value > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(value);
}

/**
 * Parses `[MATCH pattern] [COUNT count]` and, when `withType` (SCAN), `[TYPE type]` from
 * argument `from` on (Redis `scanGenericCommand`).
 *
 * @example
 * ```ts
 * import type { Command } from "../server/command.ts";
 * import { parseScanOptions } from "./scan.ts";
 *
 * function options(command: Command) {
 *   return parseScanOptions(command, 2, false);
 * }
 * ```
 */
export function parseScanOptions(command: Command, from: number, withType: boolean): ScanOptions {
  let count = 10;
  let pattern: Uint8Array | undefined;
  let type: Uint8Array | undefined;
  const n = command.length;
  for (let i = from; i < n; i += 2) {
    const more = n - i;
    if (command.is(i, "count") && more >= 2) {
      const big = parseLongBig(command.arg(i + 1)!);
      if (big === undefined) fail(NOT_INTEGER);
      if (big < 1n) fail(SYNTAX);
      count = big > 1_000_000_000n ? 1_000_000_000 : Number(big);
    } else if (command.is(i, "match") && more >= 2) {
      const p = command.arg(i + 1)!;
      pattern = p.length === 1 && p[0] === 42 ? undefined : p;
    } else if (withType && command.is(i, "type") && more >= 2) {
      type = command.arg(i + 1)!;
    } else {
      fail(SYNTAX);
    }
  }
  return { count, pattern, type };
}

/**
 * Writes a SCAN-family reply: the next cursor (0 when done) and the items found.
 *
 * @example
 * ```ts
 * import type { Reply } from "../server/reply.ts";
 * import { scanReply } from "./scan.ts";
 *
 * function empty(reply: Reply): void {
 *   scanReply(reply, 0, []);
 * }
 * ```
 */
export function scanReply(
  reply: Reply,
  cursor: number,
  items: readonly (Uint8Array | string)[],
): void {
  reply.arrayHeader(2);
  reply.bulk(String(cursor));
  reply.arrayHeader(items.length);
  for (const item of items) reply.bulk(item);
}
