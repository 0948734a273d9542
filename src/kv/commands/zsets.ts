/**
 * Redis sorted sets for the key-value server: ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZCARD,
 * ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK, ZRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
 * ZREVRANGEBYLEX, ZREVRANGE, ZPOPMIN, ZPOPMAX, ZREMRANGEBYRANK, ZREMRANGEBYSCORE,
 * ZREMRANGEBYLEX, ZSCAN.
 *
 * A sorted set is Redis's pair of structures: a {@link SkipList} with span counts ordered by
 * (score, member) for O(log n) rank and range queries, and a Map member → score.
 *
 * @module
 */

import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { globMatch } from "../../server/glob.ts";
import type { Reply } from "../../server/reply.ts";
import type { Router } from "../../server/router.ts";
import { formatDouble } from "../../resp/bytes.ts";
import { type Database, keyBytes, keyOf, type Keyspace, type RedisObject } from "../keyspace/keyspace.ts";
import {
  type LexBound,
  lexGteMin,
  lexLteMax,
  type LexRange,
  scoreGteMin,
  scoreLteMax,
  type ScoreRange,
  SkipList,
  type SkipNode,
} from "../values/skiplist.ts";
import {
  deleteMembers,
  fail,
  longArg,
  lookup,
  MapScanner,
  NOT_FLOAT,
  parseCursor,
  parseDouble,
  parseRangeDouble,
  parseScanOptions,
  positiveLongArg,
  SYNTAX_ERROR,
} from "../args.ts";

/** Redis's zset-max-listpack-entries. */
const LISTPACK_ENTRIES = 128;
/** Redis's zset-max-listpack-value. */
const LISTPACK_VALUE = 64;

/**
 * A Redis sorted set value.
 *
 * @example
 * ```ts
 * import { RedisZSet } from "./zsets.ts";
 *
 * const zset = new RedisZSet();
 * zset.add(2, "b");
 * zset.add(1, "a");
 * zset.rank("b"); // 1 (0-based)
 * zset.type; // "zset"
 * ```
 */
export class RedisZSet implements RedisObject {
  /** member → score. */
  readonly dict: Map<string, number> = new Map();
  /** Elements ordered by (score, member). */
  readonly list: SkipList = new SkipList();
  /** Still in Redis's compact listpack encoding: ZSCAN answers in one page. */
  listpack: boolean;
  /** Live iterators of ZSCANs in progress. */
  scanner: MapScanner<string> | undefined;

  /** Creates an empty sorted set (`listpack` as Redis's `zsetTypeCreate` would pick). */
  constructor(listpack = true) {
    this.listpack = listpack;
  }

  /** Always "zset". */
  get type(): "zset" {
    return "zset";
  }

  /** Number of elements. */
  get size(): number {
    return this.dict.size;
  }

  /** The score of `member`, or undefined. */
  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** Adds a new member (must not be present). */
  add(score: number, member: string): void {
    if (
      this.listpack && (this.dict.size + 1 > LISTPACK_ENTRIES || member.length > LISTPACK_VALUE)
    ) this.listpack = false;
    // A listpack stores scores as text where -0 becomes "0" (Redis 7.0 d2string).
    if (this.listpack && score === 0) score = 0;
    this.dict.set(member, score);
    this.list.insert(score, member);
  }

  /** Changes the score of an existing member. */
  update(member: string, score: number): void {
    const current = this.dict.get(member)!;
    if (current === score) return;
    if (this.listpack && score === 0) score = 0;
    this.list.updateScore(current, member, score);
    this.dict.set(member, score);
  }

  /** Removes a member; true if it was there. */
  delete(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    this.list.delete(score, member);
    return true;
  }

  /** 0-based rank of `member` (ascending), or undefined. */
  rank(member: string): number | undefined {
    const score = this.dict.get(member);
    if (score === undefined) return undefined;
    return this.list.rank(score, member) - 1;
  }

  /** A deep copy (COPY). */
  clone(): RedisZSet {
    const copy = new RedisZSet(this.listpack);
    for (const node of this.list) copy.add(node.score, node.member);
    copy.listpack = this.listpack;
    return copy;
  }
}

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

/** Writes `nodes` as a ZRANGE reply (WITHSCORES: flat pairs in RESP2, nested in RESP3). */
function writeRange(reply: Reply, nodes: readonly SkipNode[], withScores: boolean): void {
  const nested = withScores && reply.protocol === 3;
  reply.arrayHeader(withScores && !nested ? nodes.length * 2 : nodes.length);
  for (const node of nodes) {
    if (nested) reply.arrayHeader(2);
    reply.bulk(keyBytes(node.member));
    if (withScores) reply.double(node.score);
  }
}

type RangeType = "auto" | "rank" | "score" | "lex";
type Direction = "auto" | "forward" | "reverse";

const ZADD_NX = 1, ZADD_XX = 2, ZADD_GT = 4, ZADD_LT = 8, ZADD_INCR = 16;

/**
 * Registers the sorted-set commands on `router`, storing data in `keyspace`.
 *
 * @example
 * ```ts
 * import { Router } from "../../server/router.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { registerZSetCommands } from "./zsets.ts";
 *
 * const keyspace = new Keyspace();
 * const router = new Router();
 * registerZSetCommands(router, keyspace);
 * keyspace.close();
 * ```
 */
export function registerZSetCommands(router: Router, keyspace: Keyspace): void {
  const dbOf = (connection: Connection): Database => keyspace.db(connection.db);
  const keyArg = (command: Command): string => keyOf(command.arg(0)!);
  const spec = (
    handler: (command: Command, reply: Reply, connection: Connection) => void,
    arity: number,
    flags: string[],
    summary: string,
  ) => ({ handler, arity, flags, firstKey: 1, lastKey: 1, keyStep: 1, summary });

  /** Redis `zaddGenericCommand` (ZADD, and ZINCRBY with `base` = INCR). */
  const zadd = (command: Command, reply: Reply, connection: Connection, base: number): void => {
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
    if (rest % 2 !== 0 || rest === 0) fail(SYNTAX_ERROR);
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
    const db = dbOf(connection);
    const key = keyArg(command);
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

  router.register(
    "zadd",
    spec(
      (c, r, conn) => zadd(c, r, conn, 0),
      -4,
      ["write", "denyoom", "fast"],
      "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
    ),
  );
  router.register(
    "zincrby",
    spec(
      (c, r, conn) => zadd(c, r, conn, ZADD_INCR),
      4,
      ["write", "denyoom", "fast"],
      "Increments the score of a member in a sorted set.",
    ),
  );

  router.register(
    "zrem",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const key = keyArg(command);
        reply.integer(deleteMembers(db, key, lookup<RedisZSet>(db, key, "zset"), command));
      },
      -3,
      ["write", "fast"],
      "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.",
    ),
  );

  router.register(
    "zscore",
    spec(
      (command, reply, connection) => {
        const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
        const score = zset?.score(keyOf(command.arg(1)!));
        if (score === undefined) reply.null();
        else reply.double(score);
      },
      3,
      ["readonly", "fast"],
      "Returns the score of a member in a sorted set.",
    ),
  );

  router.register(
    "zmscore",
    spec(
      (command, reply, connection) => {
        const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
        reply.arrayHeader(command.length - 1);
        for (let i = 1; i < command.length; i++) {
          const score = zset?.score(keyOf(command.arg(i)!));
          if (score === undefined) reply.null();
          else reply.double(score);
        }
      },
      -3,
      ["readonly", "fast"],
      "Returns the score of one or more members in a sorted set.",
    ),
  );

  router.register(
    "zcard",
    spec(
      (command, reply, connection) => {
        const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
        reply.integer(zset === undefined ? 0 : zset.size);
      },
      2,
      ["readonly", "fast"],
      "Returns the number of members in a sorted set.",
    ),
  );

  router.register(
    "zcount",
    spec(
      (command, reply, connection) => {
        const range = parseScoreRange(command.arg(1)!, command.arg(2)!);
        const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
        reply.integer(zset === undefined ? 0 : zset.list.countInRange(range));
      },
      4,
      ["readonly", "fast"],
      "Returns the count of members in a sorted set that have scores within a range.",
    ),
  );

  router.register(
    "zlexcount",
    spec(
      (command, reply, connection) => {
        const range = parseLexRange(command.arg(1)!, command.arg(2)!);
        const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
        reply.integer(zset === undefined ? 0 : zset.list.countInLexRange(range));
      },
      4,
      ["readonly", "fast"],
      "Returns the number of members in a sorted set within a lexicographical range.",
    ),
  );

  const rank = (reverse: boolean) => (command: Command, reply: Reply, connection: Connection) => {
    const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
    if (zset === undefined) {
      reply.null();
      return;
    }
    const r = zset.rank(keyOf(command.arg(1)!));
    if (r === undefined) reply.null();
    else reply.integer(reverse ? zset.size - 1 - r : r);
  };
  router.register(
    "zrank",
    spec(
      rank(false),
      3,
      ["readonly", "fast"],
      "Returns the index of a member in a sorted set ordered by ascending scores.",
    ),
  );
  router.register(
    "zrevrank",
    spec(
      rank(true),
      3,
      ["readonly", "fast"],
      "Returns the index of a member in a sorted set ordered by descending scores.",
    ),
  );

  /** Redis `zrangeGenericCommand`. */
  const zrange = (
    command: Command,
    reply: Reply,
    connection: Connection,
    rangeType: RangeType,
    direction: Direction,
  ): void => {
    let withScores = false;
    let offset = 0, limit = -1;
    for (let j = 3; j < command.length; j++) {
      const left = command.length - j - 1;
      if (command.is(j, "withscores")) withScores = true;
      else if (command.is(j, "limit") && left >= 2) {
        offset = longArg(command, j + 1);
        limit = longArg(command, j + 2);
        j += 2;
      } else if (direction === "auto" && command.is(j, "rev")) direction = "reverse";
      else if (rangeType === "auto" && command.is(j, "bylex")) rangeType = "lex";
      else if (rangeType === "auto" && command.is(j, "byscore")) rangeType = "score";
      else fail(SYNTAX_ERROR);
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
    let minIdx = 1, maxIdx = 2;
    if (reverse && rangeType !== "rank") {
      minIdx = 2;
      maxIdx = 1;
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
    const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
    if (zset === undefined) {
      reply.arrayHeader(0);
      return;
    }
    const list = zset.list;
    const length = list.length;
    const nodes: SkipNode[] = [];
    if (rangeType === "rank") {
      if (start < 0) start = length + start;
      if (end < 0) end = length + end;
      if (start < 0) start = 0;
      if (!(start > end || start >= length)) {
        if (end >= length) end = length - 1;
        let node = reverse ? list.byRank(length - start) : list.byRank(start + 1);
        for (let n = end - start + 1; n > 0 && node !== null; n--) {
          nodes.push(node);
          node = reverse ? node.backward : node.next[0];
        }
      }
      writeRange(reply, nodes, withScores);
      return;
    }
    if ((offset > 0 && offset >= length) || offset < 0) {
      writeRange(reply, nodes, withScores);
      return;
    }
    let node: SkipNode | null;
    if (scoreRange !== undefined) {
      node = reverse ? list.lastInRange(scoreRange) : list.firstInRange(scoreRange);
    } else {
      node = reverse ? list.lastInLexRange(lexRange!) : list.firstInLexRange(lexRange!);
    }
    if (node !== null && offset > 0) {
      const r = list.rankOf(node) + (reverse ? -offset : offset);
      node = list.byRank(r);
    }
    while (node !== null && limit !== 0) {
      if (scoreRange !== undefined) {
        if (reverse ? !scoreGteMin(node.score, scoreRange) : !scoreLteMax(node.score, scoreRange)) {
          break;
        }
      } else if (
        reverse ? !lexGteMin(node.member, lexRange!.min) : !lexLteMax(node.member, lexRange!.max)
      ) {
        break;
      }
      nodes.push(node);
      if (limit > 0) limit--;
      node = reverse ? node.backward : node.next[0];
    }
    writeRange(reply, nodes, withScores);
  };

  const rangeSpec = (type: RangeType, direction: Direction, summary: string) =>
    spec((c, r, conn) => zrange(c, r, conn, type, direction), -4, ["readonly"], summary);

  router.register(
    "zrange",
    rangeSpec("auto", "auto", "Returns members in a sorted set within a range of indexes."),
  );
  router.register(
    "zrangebyscore",
    rangeSpec("score", "forward", "Returns members in a sorted set within a range of scores."),
  );
  router.register(
    "zrevrangebyscore",
    rangeSpec(
      "score",
      "reverse",
      "Returns members in a sorted set within a range of scores in reverse order.",
    ),
  );
  router.register(
    "zrangebylex",
    rangeSpec("lex", "forward", "Returns members in a sorted set within a lexicographical range."),
  );
  router.register(
    "zrevrangebylex",
    rangeSpec(
      "lex",
      "reverse",
      "Returns members in a sorted set within a lexicographical range in reverse order.",
    ),
  );
  router.register(
    "zrevrange",
    rangeSpec(
      "rank",
      "reverse",
      "Returns members in a sorted set within a range of indexes in reverse order.",
    ),
  );

  const pop = (max: boolean) => (command: Command, reply: Reply, connection: Connection) => {
    if (command.length > 2) fail(SYNTAX_ERROR);
    const hasCount = command.length === 2;
    const count = hasCount ? positiveLongArg(command, 1) : 1;
    const db = dbOf(connection);
    const key = keyArg(command);
    const zset = lookup<RedisZSet>(db, key, "zset");
    if (zset === undefined || count === 0) {
      reply.arrayHeader(0);
      return;
    }
    const nested = reply.protocol === 3 && hasCount;
    const n = Math.min(count, zset.size);
    reply.arrayHeader(nested ? n : n * 2);
    for (let i = 0; i < n; i++) {
      const node = max ? zset.list.tail! : zset.list.first!;
      zset.delete(node.member);
      if (nested) reply.arrayHeader(2);
      reply.bulk(keyBytes(node.member));
      reply.double(node.score);
    }
    if (zset.size === 0) db.delete(key);
    else db.touch(key);
  };
  router.register(
    "zpopmin",
    spec(
      pop(false),
      -2,
      ["write", "fast"],
      "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
    ),
  );
  router.register(
    "zpopmax",
    spec(
      pop(true),
      -2,
      ["write", "fast"],
      "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
    ),
  );

  const removeRange = (type: "rank" | "score" | "lex") =>
  (
    command: Command,
    reply: Reply,
    connection: Connection,
  ) => {
    let start = 0, end = 0;
    let scoreRange: ScoreRange | undefined;
    let lexRange: LexRange | undefined;
    if (type === "rank") {
      start = longArg(command, 1);
      end = longArg(command, 2);
    } else if (type === "score") scoreRange = parseScoreRange(command.arg(1)!, command.arg(2)!);
    else lexRange = parseLexRange(command.arg(1)!, command.arg(2)!);
    const db = dbOf(connection);
    const key = keyArg(command);
    const zset = lookup<RedisZSet>(db, key, "zset");
    if (zset === undefined) {
      reply.integer(0);
      return;
    }
    const removed = (node: SkipNode): void => {
      zset.dict.delete(node.member);
    };
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
      deleted = zset.list.deleteRangeByRank(start + 1, end + 1, removed);
    } else if (scoreRange !== undefined) {
      deleted = zset.list.deleteRangeByScore(scoreRange, removed);
    } else {
      deleted = zset.list.deleteRangeByLex(lexRange!, removed);
    }
    if (deleted > 0) {
      if (zset.size === 0) db.delete(key);
      else db.touch(key);
    }
    reply.integer(deleted);
  };
  router.register(
    "zremrangebyrank",
    spec(
      removeRange("rank"),
      4,
      ["write"],
      "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.",
    ),
  );
  router.register(
    "zremrangebyscore",
    spec(
      removeRange("score"),
      4,
      ["write"],
      "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.",
    ),
  );
  router.register(
    "zremrangebylex",
    spec(
      removeRange("lex"),
      4,
      ["write"],
      "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.",
    ),
  );

  router.register(
    "zscan",
    spec(
      (command, reply, connection) => {
        const cursor = parseCursor(command.arg(1)!);
        const zset = lookup<RedisZSet>(dbOf(connection), keyArg(command), "zset");
        if (zset === undefined) {
          reply.arrayHeader(2);
          reply.bulk("0");
          reply.arrayHeader(0);
          return;
        }
        const { count, pattern } = parseScanOptions(command, 2);
        let members: string[];
        let next = 0;
        if (zset.listpack) {
          members = [];
          for (const node of zset.list) members.push(node.member);
        } else {
          zset.scanner ??= new MapScanner<string>();
          const page = zset.scanner.scan(zset.dict, cursor, count);
          next = page.cursor;
          members = page.keys;
        }
        const out: Array<[Uint8Array, number]> = [];
        for (const m of members) {
          const score = zset.score(m);
          if (score === undefined) continue;
          const bytes = keyBytes(m);
          if (pattern !== undefined && !globMatch(pattern, bytes)) continue;
          out.push([bytes, score]);
        }
        reply.arrayHeader(2);
        reply.bulk(String(next));
        reply.arrayHeader(out.length * 2);
        for (const [member, score] of out) {
          reply.bulk(member);
          reply.bulk(formatDouble(score));
        }
      },
      -3,
      ["readonly"],
      "Iterates over members and scores of a sorted set.",
    ),
  );
}
