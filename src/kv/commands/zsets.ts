/**
 * Sorted-set commands (Redis's t_zset.c): ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZCARD,
 * ZRANK, ZREVRANK, ZPOPMIN, ZPOPMAX and ZSCAN. The range commands are in `zset_ranges.ts`.
 * Values are {@link RedisZSet}s.
 *
 * @module
 */

import { formatDouble } from "../../resp/bytes.ts";
import { parseDouble, positiveLongArg } from "../../server/args.ts";
import { fail, NOT_FLOAT, NOT_POSITIVE, SYNTAX } from "../../server/errors.ts";
import { globMatch } from "../../server/glob.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import { deleteMembers, lookup } from "../lookup.ts";
import { parseCursor, parseScanOptions, scanReply } from "../scan.ts";
import { MapScanner } from "../values/map_scanner.ts";
import { LISTPACK_VALUE, RedisZSet, type ZSetSlice } from "../values/zset.ts";

const ZADD_NX = 1, ZADD_XX = 2, ZADD_GT = 4, ZADD_LT = 8, ZADD_INCR = 16;

/** Redis `zaddGenericCommand` (ZADD, and ZINCRBY with `base` = INCR). */
function zadd(base: number): KvHandler {
  return (db, key, command, reply) => {
    let flags = base;
    let ch = false;
    let scoreIdx = 1;
    while (scoreIdx < command.length) {
      if (command.is(scoreIdx, "nx")) flags |= ZADD_NX;
      else if (command.is(scoreIdx, "xx")) flags |= ZADD_XX;
      else if (command.is(scoreIdx, "ch")) ch = true;
      else if (command.is(scoreIdx, "incr")) flags |= ZADD_INCR;
      else if (command.is(scoreIdx, "gt")) flags |= ZADD_GT;
      else if (command.is(scoreIdx, "lt")) flags |= ZADD_LT;
      else break;
      scoreIdx++;
    }
    const incr = (flags & ZADD_INCR) !== 0;
    const nx = (flags & ZADD_NX) !== 0;
    const xx = (flags & ZADD_XX) !== 0;
    const gt = (flags & ZADD_GT) !== 0;
    const lt = (flags & ZADD_LT) !== 0;
    const rest = command.length - scoreIdx;
    if (rest % 2 !== 0 || rest === 0) fail(SYNTAX);
    const elements = rest / 2;
    if (nx && xx) fail("ERR XX and NX options at the same time are not compatible");
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
      fail("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if (incr && elements > 1) fail("ERR INCR option supports a single increment-element pair");
    const scores: number[] = new Array(elements);
    for (let j = 0; j < elements; j++) {
      const score = parseDouble(command.arg(scoreIdx + j * 2)!);
      if (score === undefined) fail(NOT_FLOAT);
      scores[j] = score;
    }
    let zset = lookup<RedisZSet>(db, key, "zset");
    let added = 0, updated = 0, processed = 0;
    let score = 0;
    if (zset === undefined) {
      if (xx) {
        if (incr) reply.null();
        else reply.integer(0);
        return;
      }
      // Redis 7.0 starts a listpack unless the first member is too long for one.
      zset = new RedisZSet(command.arg(scoreIdx + 1)!.length <= LISTPACK_VALUE);
      db.set(key, zset);
    }
    try {
      for (let j = 0; j < elements; j++) {
        score = scores[j];
        const member = keyOf(command.arg(scoreIdx + 1 + j * 2)!);
        const current = zset.score(member);
        if (current !== undefined) {
          if (nx) continue;
          if (incr) {
            score += current;
            if (Number.isNaN(score)) fail("ERR resulting score is not a number (NaN)");
          }
          if ((lt && score >= current) || (gt && score <= current)) continue;
          processed++;
          if (score !== current) {
            zset.update(member, score);
            updated++;
          }
        } else if (!xx) {
          zset.add(score, member);
          added++;
          processed++;
        }
      }
    } finally {
      if (added > 0 || updated > 0) db.touch(key);
    }
    if (incr) {
      if (processed > 0) reply.double(score);
      else reply.null();
    } else reply.integer(ch ? added + updated : added);
  };
}

function rank(reverse: boolean): KvHandler {
  return (db, key, command, reply) => {
    const zset = lookup<RedisZSet>(db, key, "zset");
    if (zset === undefined) return reply.null();
    const r = zset.rank(keyOf(command.arg(1)!));
    if (r === undefined) reply.null();
    else reply.integer(reverse ? zset.size - 1 - r : r);
  };
}

/** ZPOPMIN / ZPOPMAX: [member, score] pairs, flat (RESP2, or no COUNT) or nested. */
function pop(max: boolean): KvHandler {
  return (db, key, command, reply) => {
    if (command.length > 2) fail(SYNTAX);
    const hasCount = command.length === 2;
    const count = hasCount ? positiveLongArg(command, 1, NOT_POSITIVE) : 1;
    const zset = lookup<RedisZSet>(db, key, "zset");
    if (zset === undefined || count === 0) return reply.arrayHeader(0);
    const nested = reply.protocol === 3 && hasCount;
    const n = Math.min(count, zset.size);
    const popped: ZSetSlice = { members: [], scores: [] };
    zset.read(max ? zset.size - 1 : 0, n, max, popped);
    if (max) zset.deleteRanks(zset.size - n, zset.size - 1);
    else zset.deleteRanks(0, n - 1);
    reply.arrayHeader(nested ? n : n * 2);
    for (let i = 0; i < n; i++) {
      if (nested) reply.arrayHeader(2);
      reply.bulk(keyBytes(popped.members[i]));
      reply.double(popped.scores[i]);
    }
    if (zset.size === 0) db.delete(key);
    else db.touch(key);
  };
}

const zscan: KvHandler = (db, key, command, reply) => {
  const cursor = parseCursor(command.arg(1)!);
  const zset = lookup<RedisZSet>(db, key, "zset");
  if (zset === undefined) return scanReply(reply, 0, []);
  const { count, pattern } = parseScanOptions(command, 2, false);
  let members: string[];
  let next = 0;
  const scanner = zset.scanner(() => new MapScanner<string>());
  if (scanner === undefined) {
    members = [];
    zset.forEach((member) => members.push(member));
  } else {
    const page = scanner.scan(zset.dict!, cursor, count);
    next = page.cursor;
    members = page.keys;
  }
  const items: (Uint8Array | string)[] = [];
  for (const m of members) {
    const score = zset.score(m);
    if (score === undefined) continue;
    const bytes = keyBytes(m);
    if (pattern !== undefined && !globMatch(pattern, bytes)) continue;
    items.push(bytes, formatDouble(score));
  }
  scanReply(reply, next, items);
};

/** The sorted-set commands other than ranges. */
export const zsetCommands: readonly KvCommand[] = [
  {
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "update")],
    group: "sorted-set",
    since: "1.2.0",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    summary: "Add one or more members to a sorted set, or update its score if it already exists",
    history: [["2.4.0", "Accepts multiple elements."], [
      "3.0.2",
      "Added the `XX`, `NX`, `CH` and `INCR` options.",
    ], ["6.2.0", "Added the `GT` and `LT` options."]],
    handler: zadd(0),
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "sorted-set",
    since: "1.2.0",
    complexity: "O(log(N)) where N is the number of elements in the sorted set.",
    summary: "Increment the score of a member in a sorted set",
    handler: zadd(ZADD_INCR),
  },
  {
    name: "zrem",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "delete")],
    group: "sorted-set",
    since: "1.2.0",
    complexity:
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    summary: "Remove one or more members from a sorted set",
    history: [["2.4.0", "Accepts multiple elements."]],
    handler: (db, key, command, reply) =>
      reply.integer(deleteMembers(db, key, lookup<RedisZSet>(db, key, "zset"), command)),
  },
  {
    name: "zscore",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "1.2.0",
    complexity: "O(1)",
    summary: "Get the score associated with the given member in a sorted set",
    handler: (db, key, command, reply) => {
      const score = lookup<RedisZSet>(db, key, "zset")?.score(keyOf(command.arg(1)!));
      if (score === undefined) reply.null();
      else reply.double(score);
    },
  },
  {
    name: "zmscore",
    arity: -3,
    flags: ["readonly", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "6.2.0",
    complexity: "O(N) where N is the number of members being requested.",
    summary: "Get the score associated with the given members in a sorted set",
    handler: (db, key, command, reply) => {
      const zset = lookup<RedisZSet>(db, key, "zset");
      reply.arrayHeader(command.length - 1);
      for (let i = 1; i < command.length; i++) {
        const score = zset?.score(keyOf(command.arg(i)!));
        if (score === undefined) reply.null();
        else reply.double(score);
      }
    },
  },
  {
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO")],
    group: "sorted-set",
    since: "1.2.0",
    complexity: "O(1)",
    summary: "Get the number of members in a sorted set",
    handler: (db, key, _command, reply) => {
      const zset = lookup<RedisZSet>(db, key, "zset");
      reply.integer(zset === undefined ? 0 : zset.size);
    },
  },
  {
    name: "zrank",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "2.0.0",
    complexity: "O(log(N))",
    summary: "Determine the index of a member in a sorted set",
    handler: rank(false),
  },
  {
    name: "zrevrank",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    group: "sorted-set",
    since: "2.0.0",
    complexity: "O(log(N))",
    summary:
      "Determine the index of a member in a sorted set, with scores ordered from high to low",
    handler: rank(true),
  },
  {
    name: "zpopmin",
    arity: -2,
    flags: ["write", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "access", "delete")],
    group: "sorted-set",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    summary: "Remove and return members with the lowest scores in a sorted set",
    handler: pop(false),
  },
  {
    name: "zpopmax",
    arity: -2,
    flags: ["write", "fast"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RW", "access", "delete")],
    group: "sorted-set",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    summary: "Remove and return members with the highest scores in a sorted set",
    handler: pop(true),
  },
  {
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    acl: ["sortedset"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output"],
    group: "sorted-set",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    summary: "Incrementally iterate sorted sets elements and associated scores",
    handler: zscan,
  },
];
