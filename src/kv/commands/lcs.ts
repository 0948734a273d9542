/**
 * LCS (Redis 7.0's lcsCommand in t_string.c): the longest common subsequence of two string
 * values by the classic dynamic-programming table, its length (LEN) or the matching ranges
 * (IDX, MINMATCHLEN, WITHMATCHLEN) walked back from the table's corner as Redis walks it.
 *
 * @module
 */

import { int64Arg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import { fail, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyRange, type KvCommand } from "../command.ts";
import { keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";

const EMPTY = new Uint8Array(0);

/** The string at `key` ("" when missing), or Redis's LCS type error. */
function lcsOperand(db: Database, key: string): Uint8Array {
  const value = db.get(key);
  if (value === undefined) return EMPTY;
  if (!(value instanceof Uint8Array)) {
    fail("ERR The specified keys must contain string values");
  }
  return value;
}

/** One matching range: [aStart, aEnd] of the first string, [bStart, bEnd] of the second. */
interface LcsMatch {
  readonly a: readonly [number, number];
  readonly b: readonly [number, number];
  readonly length: number;
}

/** The result of {@link longestCommonSubsequence}. */
export interface LcsResult {
  /** Length of the LCS. */
  readonly length: number;
  /** The LCS bytes. */
  readonly bytes: Uint8Array;
  /** The matching ranges, last first, at least `minLength` long. */
  readonly matches: readonly LcsMatch[];
}

/**
 * The longest common subsequence of `a` and `b` with Redis's tie-breaking (the walk back
 * moves up in `a` only when that keeps a strictly longer LCS) and its contiguous matching
 * ranges from the end, those shorter than `minLength` left out.
 *
 * @example
 * ```ts
 * import { longestCommonSubsequence } from "./lcs.ts";
 *
 * const enc = (s: string) => new TextEncoder().encode(s);
 * longestCommonSubsequence(enc("ohmytext"), enc("mynewtext"), 0).length; // 6 ("mytext")
 * ```
 */
export function longestCommonSubsequence(
  a: Uint8Array,
  b: Uint8Array,
  minLength: number,
): LcsResult {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) table[i * width + j] = table[(i - 1) * width + j - 1] + 1;
      else {
        const up = table[(i - 1) * width + j];
        const left = table[i * width + j - 1];
        table[i * width + j] = up > left ? up : left;
      }
    }
  }
  const length = table[a.length * width + b.length];
  const bytes = new Uint8Array(length);
  const matches: LcsMatch[] = [];
  let idx = length;
  let i = a.length;
  let j = b.length;
  let aStart = -1, aEnd = 0, bStart = 0, bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      bytes[--idx] = a[i - 1];
      if (aStart === -1) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== -1) emit = true;
    }
    if (emit) {
      const matchLength = aEnd - aStart + 1;
      if (minLength === 0 || matchLength >= minLength) {
        matches.push({ a: [aStart, aEnd], b: [bStart, bEnd], length: matchLength });
      }
      aStart = -1;
    }
  }
  return { length, bytes, matches };
}

/** The options of one LCS call. */
interface LcsOptions {
  idx: boolean;
  len: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function parseLcsOptions(command: Command): LcsOptions {
  const o: LcsOptions = { idx: false, len: false, withMatchLen: false, minMatchLen: 0 };
  const argv = command.argv;
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (command.is(j - 1, "idx")) o.idx = true;
    else if (command.is(j - 1, "len")) o.len = true;
    else if (command.is(j - 1, "withmatchlen")) o.withMatchLen = true;
    else if (command.is(j - 1, "minmatchlen") && more > 0) {
      const n = int64Arg(command, j++);
      o.minMatchLen = n < 0 ? 0 : Number(n);
    } else fail(SYNTAX);
  }
  if (o.idx && o.len) fail("ERR If you want both the length and indexes, please just use IDX.");
  return o;
}

function writeMatches(reply: Reply, result: LcsResult, withMatchLen: boolean): void {
  reply.mapHeader(2);
  reply.bulk("matches");
  reply.arrayHeader(result.matches.length);
  for (const m of result.matches) {
    reply.arrayHeader(withMatchLen ? 3 : 2);
    reply.arrayHeader(2);
    reply.integer(m.a[0]);
    reply.integer(m.a[1]);
    reply.arrayHeader(2);
    reply.integer(m.b[0]);
    reply.integer(m.b[1]);
    if (withMatchLen) reply.integer(m.length);
  }
  reply.bulk("len");
  reply.integer(result.length);
}

/** LCS. */
export const lcsCommands: readonly KvCommand[] = [
  {
    name: "lcs",
    arity: -3,
    flags: ["readonly"],
    acl: ["string", "slow"],
    keys: [keyRange(1, 1, 1, "RO", "access")],
    group: "string",
    since: "7.0.0",
    complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    summary: "Find longest common substring",
    handler: (db, key, command, reply, connection) => {
      const a = lcsOperand(db, key);
      const b = lcsOperand(db, keyOf(command.argv[2]));
      const o = parseLcsOptions(command);
      // The table's transient memory is capped by proto-max-bulk-len, as in Redis.
      if ((a.length + 1) * (b.length + 1) * 4 > connection.server.options.limits.maxBulkLength) {
        fail("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
      }
      if (o.len && !o.idx) {
        reply.integer(longestCommonSubsequence(a, b, 0).length);
        return;
      }
      const result = longestCommonSubsequence(a, b, o.minMatchLen);
      if (o.idx) writeMatches(reply, result, o.withMatchLen);
      else reply.bulk(result.bytes);
    },
  },
];
