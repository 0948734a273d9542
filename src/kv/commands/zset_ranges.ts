/**
 * Sorted-set range commands (Redis's t_zset.c): ZRANGE (BYSCORE, BYLEX, REV, LIMIT),
 * ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE, ZCOUNT, ZLEXCOUNT
 * and ZREMRANGEBYRANK/SCORE/LEX, over the ranks of a {@link RedisZSet} (either encoding).
 *
 * @module
 */

import { longArg, parseRangeDouble } from "../../server/args.ts";
import { fail, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import type { LexBound, LexRange, ScoreRange } from "../values/skiplist.ts";
import type { RedisZSet, ZSetSlice } from "../values/zset.ts";

/** Parses a ZRANGEBYSCORE bound pair (Redis `zslParseRange`). */
function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange {
  const one = (bytes: Uint8Array): [number, boolean] => {
    const exclusive = bytes.length > 0 && bytes[0] === 40; // (
    const value = parseRangeDouble(bytes, exclusive ? 1 : 0);
    if (value === undefined || Number.isNaN(value)) fail("ERR min or max is not a float");
    return [value, exclusive];
  };
  const [lo, loEx] = one(min);
  const [hi, hiEx] = one(max);
  return { min: lo, max: hi, minExclusive: loEx, maxExclusive: hiEx };
}

/** Parses a ZRANGEBYLEX bound pair (Redis `zslParseLexRange`). */
function parseLexRange(min: Uint8Array, max: Uint8Array): LexRange {
  const one = (bytes: Uint8Array): LexBound => {
    const c = bytes.length > 0 ? bytes[0] : 0;
    if (c === 43 && bytes.length === 1) return { kind: 1, value: "", exclusive: true }; // +
    if (c === 45 && bytes.length === 1) return { kind: -1, value: "", exclusive: true }; // -
    if (c === 40) return { kind: 0, value: keyOf(bytes.subarray(1)), exclusive: true }; // (
    if (c === 91) return { kind: 0, value: keyOf(bytes.subarray(1)), exclusive: false }; // [
    return fail("ERR min or max not valid string range item");
  };
  return { min: one(min), max: one(max) };
}

/** Writes `range` as a ZRANGE reply (WITHSCORES: flat pairs in RESP2, nested in RESP3). */
function writeRange(reply: Reply, range: ZSetSlice, withScores: boolean): void {
  const nested = withScores && reply.protocol === 3;
  const { members, scores } = range;
  const n = members.length;
  reply.arrayHeader(withScores && !nested ? n * 2 : n);
  for (let i = 0; i < n; i++) {
    if (nested) reply.arrayHeader(2);
    reply.bulk(keyBytes(members[i]));
    if (withScores) reply.double(scores[i]);
  }
}

/** A range type: by rank, score or lex, or "auto" (BYSCORE/BYLEX options decide). */
export type RangeType = "auto" | "rank" | "score" | "lex";
/** A range direction, or "auto" (the REV option decides). */
export type Direction = "auto" | "forward" | "reverse";

/**
 * ZRANGESTORE's output: stores `range` at `dst` and replies; `sizeKnown` is true for a rank
 * range (Redis then sizes the destination's encoding from the count).
 */
export type RangeStore = (
  db: Database,
  dst: string,
  range: ZSetSlice,
  sizeKnown: boolean,
  reply: Reply,
) => void;

/**
 * Redis `zrangeGenericCommand`: ZRANGE and its older forms, or ZRANGESTORE when `store` is
 * given (arguments then start one later: destination, source, min, max...).
 */
export function zrange(
  initialType: RangeType,
  initialDirection: Direction,
  store?: RangeStore,
): KvHandler {
  const base = store === undefined ? 0 : 1;
  return (db, key, command, reply) => {
    // Options may refine the type and direction of this call only.
    let rangeType = initialType;
    let direction = initialDirection;
    let withScores = false;
    let offset = 0, limit = -1;
    for (let j = 3 + base; j < command.length; j++) {
      const left = command.length - j - 1;
      if (store === undefined && command.is(j, "withscores")) withScores = true;
      else if (command.is(j, "limit") && left >= 2) {
        offset = longArg(command, j + 1);
        limit = longArg(command, j + 2);
        j += 2;
      } else if (direction === "auto" && command.is(j, "rev")) direction = "reverse";
      else if (rangeType === "auto" && command.is(j, "bylex")) rangeType = "lex";
      else if (rangeType === "auto" && command.is(j, "byscore")) rangeType = "score";
      else fail(SYNTAX);
    }
    if (direction === "auto") direction = "forward";
    if (rangeType === "auto") rangeType = "rank";
    if (limit !== -1 && rangeType === "rank") {
      fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }
    if (withScores && rangeType === "lex") {
      fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    const reverse = direction === "reverse";
    let minIdx = 1 + base, maxIdx = 2 + base;
    if (reverse && rangeType !== "rank") {
      minIdx = 2 + base;
      maxIdx = 1 + base;
    }
    let start = 0, end = 0;
    let scoreRange: ScoreRange | undefined;
    let lexRange: LexRange | undefined;
    if (rangeType === "rank") {
      start = longArg(command, minIdx);
      end = longArg(command, maxIdx);
    } else if (rangeType === "score") {
      scoreRange = parseScoreRange(command.arg(minIdx)!, command.arg(maxIdx)!);
    } else {
      lexRange = parseLexRange(command.arg(minIdx)!, command.arg(maxIdx)!);
    }
    const out: ZSetSlice = { members: [], scores: [] };
    const emit = (): void => {
      if (store === undefined) writeRange(reply, out, withScores);
      else store(db, key, out, rangeType === "rank", reply);
    };
    const zset = lookup<RedisZSet>(db, store === undefined ? key : keyOf(command.arg(1)!), "zset");
    if (zset === undefined) {
      if (store === undefined) reply.arrayHeader(0);
      else store(db, key, out, false, reply);
      return;
    }
    const length = zset.size;
    if (rangeType === "rank") {
      if (start < 0) start = length + start;
      if (end < 0) end = length + end;
      if (start < 0) start = 0;
      if (!(start > end || start >= length)) {
        if (end >= length) end = length - 1;
        zset.read(reverse ? length - 1 - start : start, end - start + 1, reverse, out);
      }
      return emit();
    }
    if ((offset > 0 && offset >= length) || offset < 0) return emit();
    let first: number;
    if (scoreRange !== undefined) {
      first = reverse ? zset.lastInScore(scoreRange) : zset.firstInScore(scoreRange);
    } else first = reverse ? zset.lastInLex(lexRange!) : zset.firstInLex(lexRange!);
    if (first >= 0) {
      first += reverse ? -offset : offset;
      if (scoreRange !== undefined) zset.readScores(first, reverse, limit, scoreRange, out);
      else zset.readLex(first, reverse, limit, lexRange!, out);
    }
    emit();
  };
}

/** ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX (Redis `zremrangeGenericCommand`). */
function removeRange(type: "rank" | "score" | "lex"): KvHandler {
  return (db, key, command, reply) => {
    let start = 0, end = 0;
    let scoreRange: ScoreRange | undefined;
    let lexRange: LexRange | undefined;
    if (type === "rank") {
      start = longArg(command, 1);
      end = longArg(command, 2);
    } else if (type === "score") scoreRange = parseScoreRange(command.arg(1)!, command.arg(2)!);
    else lexRange = parseLexRange(command.arg(1)!, command.arg(2)!);
    const zset = lookup<RedisZSet>(db, key, "zset");
    if (zset === undefined) {
      reply.integer(0);
      return;
    }
    let deleted: number;
    if (type === "rank") {
      const length = zset.size;
      if (start < 0) start = length + start;
      if (end < 0) end = length + end;
      if (start < 0) start = 0;
      if (start > end || start >= length) {
        reply.integer(0);
        return;
      }
      if (end >= length) end = length - 1;
      deleted = zset.deleteRanks(start, end);
    } else if (scoreRange !== undefined) deleted = zset.deleteScores(scoreRange);
    else deleted = zset.deleteLex(lexRange!);
    if (deleted > 0) {
      if (zset.size === 0) db.delete(key);
      else db.touch(key);
    }
    reply.integer(deleted);
  };
}

/** The sorted-set range commands. */
export const zsetRangeCommands: readonly KvCommand[] = [
  {
    name: "zcount",
    arity: 4,
    flags: ["readonly", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "2.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    summary: "Count the members in a sorted set with scores within the given values",
    handler: (db, key, command, reply) => {
      const range = parseScoreRange(command.arg(1)!, command.arg(2)!);
      const zset = lookup<RedisZSet>(db, key, "zset");
      reply.integer(zset === undefined ? 0 : zset.countScore(range));
    },
  },
  {
    name: "zlexcount",
    arity: 4,
    flags: ["readonly", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "2.8.9",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    summary: "Count the number of members in a sorted set between a given lexicographical range",
    handler: (db, key, command, reply) => {
      const range = parseLexRange(command.arg(1)!, command.arg(2)!);
      const zset = lookup<RedisZSet>(db, key, "zset");
      reply.integer(zset === undefined ? 0 : zset.countLex(range));
    },
  },
  {
    name: "zrange",
    arity: -4,
    flags: ["readonly"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    summary: "Return a range of members in a sorted set",
    history: [["6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."]],
    handler: zrange("auto", "auto"),
  },
  {
    name: "zrangebyscore",
    arity: -4,
    flags: ["readonly"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "1.0.5",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    summary: "Return a range of members in a sorted set, by score",
    history: [["2.0.0", "Added the `WITHSCORES` modifier."]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `BYSCORE` argument",
    handler: zrange("score", "forward"),
  },
  {
    name: "zrevrangebyscore",
    arity: -4,
    flags: ["readonly"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "2.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    summary:
      "Return a range of members in a sorted set, by score, with scores ordered from high to low",
    history: [["2.1.6", "`min` and `max` can be exclusive."]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` and `BYSCORE` arguments",
    handler: zrange("score", "reverse"),
  },
  {
    name: "zrangebylex",
    arity: -4,
    flags: ["readonly"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    summary: "Return a range of members in a sorted set, by lexicographical range",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `BYLEX` argument",
    handler: zrange("lex", "forward"),
  },
  {
    name: "zrevrangebylex",
    arity: -4,
    flags: ["readonly"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    summary:
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` and `BYLEX` arguments",
    handler: zrange("lex", "reverse"),
  },
  {
    name: "zrevrange",
    arity: -4,
    flags: ["readonly"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    summary:
      "Return a range of members in a sorted set, by index, with scores ordered from high to low",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` argument",
    handler: zrange("rank", "reverse"),
  },
  {
    name: "zremrangebyrank",
    arity: 4,
    flags: ["write"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "delete")],
    group: "sorted-set",
    since: "2.0.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    summary: "Remove all members in a sorted set within the given indexes",
    handler: removeRange("rank"),
  },
  {
    name: "zremrangebyscore",
    arity: 4,
    flags: ["write"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "delete")],
    group: "sorted-set",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    summary: "Remove all members in a sorted set within the given scores",
    handler: removeRange("score"),
  },
  {
    name: "zremrangebylex",
    arity: 4,
    flags: ["write"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "delete")],
    group: "sorted-set",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    summary: "Remove all members in a sorted set between the given lexicographical range",
    handler: removeRange("lex"),
  },
];
