/**
 * Sorted-set algebra and sampling (Redis's t_zset.c `zunionInterDiffGenericCommand`,
 * `zrangestoreCommand`, `zrandmemberCommand`): ZUNION, ZINTER, ZDIFF and their STORE forms
 * (WEIGHTS, AGGREGATE SUM|MIN|MAX, WITHSCORES; plain sets count as score 1), ZINTERCARD,
 * ZRANGESTORE and ZRANDMEMBER.
 *
 * @module
 */

import { longArg, parseDouble, positiveLongArg, rangeLongArg } from "../../server/args.ts";
import { checkPairedCount, checkRepeatedPicks } from "./random_count.ts";
import type { Command } from "../../server/command.ts";
import { fail, SYNTAX, WRONGTYPE } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { isWord } from "../args.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import { randomIndex, RedisSet } from "../values/set.ts";
import { LISTPACK_VALUE, RedisZSet, type ZSetSlice } from "../values/zset.ts";
import { zrange } from "./zset_ranges.ts";

/** zset-max-listpack-entries. */
const LISTPACK_ENTRIES = 128;

/** One input: a sorted set, a set (scores 1), or nothing; and its weight. */
interface Source {
  readonly zset: RedisZSet | undefined;
  readonly set: RedisSet | undefined;
  weight: number;
}

function sourceSize(source: Source): number {
  return source.zset?.size ?? source.set?.size ?? 0;
}

/** The source's score of `member`, or undefined. */
function scoreIn(source: Source, member: string): number | undefined {
  if (source.zset !== undefined) return source.zset.score(member);
  return source.set?.has(member) ? 1 : undefined;
}

/** Visits the source's members with their scores. */
function forEachMember(source: Source, visit: (member: string, score: number) => void): void {
  if (source.zset !== undefined) {
    source.zset.forEach(visit);
  } else if (source.set !== undefined) {
    for (const member of source.set.ordered()) visit(member, 1);
  }
}

type Aggregate = "sum" | "min" | "max";

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === "sum") {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === "min") return value < target ? value : target;
  return value > target ? value : target;
}

type Op = "union" | "inter" | "diff";

/** What a ZUNION-family call computed: member -> score, unordered. */
interface AlgebraResult {
  readonly scores: Map<string, number>;
  readonly withScores: boolean;
  readonly limit: number;
}

/** Redis `zunionInterDiffGenericCommand`'s parsing and computation. */
function compute(
  db: Database,
  command: Command,
  numkeysAt: number,
  op: Op,
  mode: "reply" | "store" | "card",
): AlgebraResult {
  const setnum = longArg(command, numkeysAt);
  if (setnum < 1) {
    fail(`ERR at least 1 input key is needed for '${command.name}' command`);
  }
  if (setnum > command.length - (numkeysAt + 1)) fail(SYNTAX);
  const sources: Source[] = [];
  let j = numkeysAt + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const value = db.get(keyOf(command.arg(j)!));
    let zset: RedisZSet | undefined, set: RedisSet | undefined;
    if (value !== undefined) {
      if (value instanceof RedisZSet) zset = value;
      else if (value instanceof RedisSet) set = value;
      else fail(WRONGTYPE);
    }
    sources.push({ zset, set, weight: 1 });
  }
  let how: Aggregate = "sum", withScores = false, limit = 0;
  const plain = op !== "diff" && mode !== "card";
  while (j < command.length) {
    const remaining = command.length - j;
    if (plain && remaining >= setnum + 1 && command.is(j, "weights")) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const weight = parseDouble(command.arg(j)!);
        if (weight === undefined) fail("ERR weight value is not a float");
        sources[i].weight = weight;
      }
    } else if (plain && remaining >= 2 && command.is(j, "aggregate")) {
      const arg = command.arg(j + 1)!;
      if (isWord(arg, "sum")) how = "sum";
      else if (isWord(arg, "min")) how = "min";
      else if (isWord(arg, "max")) how = "max";
      else fail(SYNTAX);
      j += 2;
    } else if (remaining >= 1 && mode === "reply" && command.is(j, "withscores")) {
      withScores = true;
      j++;
    } else if (mode === "card" && remaining >= 2 && command.is(j, "limit")) {
      limit = positiveLongArg(command, j + 1, "ERR LIMIT can't be negative");
      j += 2;
    } else fail(SYNTAX);
  }
  const scores = new Map<string, number>();
  if (op === "inter") {
    const sorted = sources.slice().sort((a, b) => sourceSize(a) - sourceSize(b));
    const first = sorted[0];
    let found = 0;
    forEachMember(first, (member, value) => {
      if (mode === "card" && limit && found >= limit) return;
      let score = first.weight * value;
      if (Number.isNaN(score)) score = 0;
      for (let k = 1; k < sorted.length; k++) {
        const other = scoreIn(sorted[k], member);
        if (other === undefined) return;
        score = aggregate(score, other * sorted[k].weight, how);
      }
      found++;
      if (mode !== "card") scores.set(member, score);
    });
    if (mode === "card") scores.set("", found);
  } else if (op === "union") {
    const sorted = sources.slice().sort((a, b) => sourceSize(a) - sourceSize(b));
    for (const source of sorted) {
      forEachMember(source, (member, value) => {
        let score = source.weight * value;
        if (Number.isNaN(score)) score = 0;
        const known = scores.get(member);
        scores.set(member, known === undefined ? score : aggregate(known, score, how));
      });
    }
  } else {
    forEachMember(sources[0], (member, score) => {
      for (let k = 1; k < sources.length; k++) {
        if (scoreIn(sources[k], member) !== undefined) return;
      }
      scores.set(member, score);
    });
  }
  return { scores, withScores, limit };
}

/** The result as a sorted set (listpack when small, as zsetConvertToListpackIfNeeded). */
function toZSet(scores: Map<string, number>): RedisZSet {
  let longest = 0;
  for (const member of scores.keys()) longest = Math.max(longest, member.length);
  const zset = new RedisZSet(scores.size <= LISTPACK_ENTRIES && longest <= LISTPACK_VALUE);
  for (const [member, score] of scores) zset.add(score, member);
  return zset;
}

/** Stores `zset` at `dst` (or deletes `dst` when empty) and replies its size. */
function store(db: Database, dst: string, zset: RedisZSet, reply: Reply): void {
  if (zset.size > 0) {
    db.set(dst, zset);
    reply.integer(zset.size);
  } else {
    db.delete(dst);
    reply.integer(0);
  }
}

/** Writes members in order, WITHSCORES flat in RESP2 and as pairs in RESP3. */
function writeMembers(reply: Reply, zset: RedisZSet, withScores: boolean): void {
  const nested = withScores && reply.protocol === 3;
  const n = zset.size;
  reply.arrayHeader(withScores && !nested ? n * 2 : n);
  zset.forEach((member, score) => {
    if (nested) reply.arrayHeader(2);
    reply.bulk(keyBytes(member));
    if (withScores) reply.double(score);
  });
}

function algebra(op: Op, storeResult: boolean): KvHandler {
  return (db, key, command, reply) => {
    const result = compute(db, command, storeResult ? 1 : 0, op, storeResult ? "store" : "reply");
    // Replies come from Redis's skip list (no listpack rewriting of -0).
    const zset = storeResult ? toZSet(result.scores) : new RedisZSet(false);
    if (storeResult) return store(db, key, zset, reply);
    for (const [member, score] of result.scores) zset.add(score, member);
    writeMembers(reply, zset, result.withScores);
  };
}

const zintercard: KvHandler = (db, _key, command, reply) => {
  reply.integer(compute(db, command, 0, "inter", "card").scores.get("")!);
};

/** ZRANGESTORE's output: a listpack unless a rank range is known to be too long for one. */
function storeRange(
  db: Database,
  dst: string,
  range: ZSetSlice,
  sizeKnown: boolean,
  reply: Reply,
): void {
  const { members, scores } = range;
  const zset = new RedisZSet(!sizeKnown || members.length <= LISTPACK_ENTRIES);
  for (let i = 0; i < members.length; i++) zset.add(scores[i], members[i]);
  store(db, dst, zset, reply);
}

const zrandmember: KvHandler = (db, key, command, reply) => {
  if (command.length < 2) {
    const zset = lookup<RedisZSet>(db, key, "zset");
    if (zset === undefined) return reply.null();
    return reply.bulk(keyBytes(zset.memberAt(randomIndex(zset.size))));
  }
  const l = rangeLongArg(command, 1);
  let withScores = false;
  if (command.length > 3 || (command.length === 3 && !isWord(command.arg(2)!, "withscores"))) {
    fail(SYNTAX);
  } else if (command.length === 3) {
    withScores = true;
    checkPairedCount(command, 1);
  }
  const zset = lookup<RedisZSet>(db, key, "zset");
  if (zset === undefined) return reply.arrayHeader(0);
  const unique = l >= 0;
  const count = unique ? l : -l;
  if (count === 0) return reply.arrayHeader(0);
  if (!unique || count === 1) checkRepeatedPicks(count);
  const entries: [string, number][] = [];
  zset.forEach((member, score) => entries.push([member, score]));
  const size = entries.length;
  const nested = withScores && reply.protocol === 3;
  const emit = ([member, score]: [string, number]): void => {
    if (nested) reply.arrayHeader(2);
    reply.bulk(keyBytes(member));
    if (withScores) reply.double(score);
  };
  const n = !unique || count === 1 ? count : Math.min(count, size);
  reply.arrayHeader(withScores && !nested ? n * 2 : n);
  if (!unique || count === 1) {
    for (let i = 0; i < count; i++) emit(entries[randomIndex(size)]);
    return;
  }
  if (count >= size) return entries.forEach(emit);
  for (let i = 0; i < count; i++) {
    const k = i + randomIndex(size - i);
    const t = entries[i];
    entries[i] = entries[k];
    entries[k] = t;
    emit(entries[i]);
  }
};

const READ_KEYS = [{
  flags: ["RO", "access"],
  begin: { index: 1 },
  find: { keyNumIndex: 0, firstKey: 1, step: 1 },
}];
const STORE_KEYS = [keyAt(1, "OW", "update"), {
  flags: ["RO", "access"],
  begin: { index: 2 },
  find: { keyNumIndex: 0, firstKey: 1, step: 1 },
}];
const ZSET = { acl: ["sortedset"], group: "sorted-set" } as const;
const UNION_COMPLEXITY =
  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.";
const INTER_COMPLEXITY =
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.";
const DIFF_COMPLEXITY =
  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.";

/** ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD, ZRANGESTORE, ZRANDMEMBER. */
export const zsetAlgebraCommands: readonly KvCommand[] = [
  {
    name: "zunion",
    arity: -3,
    flags: ["readonly"],
    ...ZSET,
    keys: READ_KEYS,
    since: "6.2.0",
    complexity: UNION_COMPLEXITY,
    summary: "Add multiple sorted sets",
    handler: algebra("union", false),
  },
  {
    name: "zinter",
    arity: -3,
    flags: ["readonly"],
    ...ZSET,
    keys: READ_KEYS,
    since: "6.2.0",
    complexity: INTER_COMPLEXITY,
    summary: "Intersect multiple sorted sets",
    handler: algebra("inter", false),
  },
  {
    name: "zdiff",
    arity: -3,
    flags: ["readonly"],
    ...ZSET,
    keys: READ_KEYS,
    since: "6.2.0",
    complexity: DIFF_COMPLEXITY,
    summary: "Subtract multiple sorted sets",
    handler: algebra("diff", false),
  },
  {
    name: "zunionstore",
    arity: -4,
    flags: ["write", "denyoom"],
    ...ZSET,
    keys: STORE_KEYS,
    since: "2.0.0",
    complexity:
      "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
    handler: algebra("union", true),
  },
  {
    name: "zinterstore",
    arity: -4,
    flags: ["write", "denyoom"],
    ...ZSET,
    keys: STORE_KEYS,
    since: "2.0.0",
    complexity: INTER_COMPLEXITY,
    summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
    handler: algebra("inter", true),
  },
  {
    name: "zdiffstore",
    arity: -4,
    flags: ["write", "denyoom"],
    ...ZSET,
    keys: STORE_KEYS,
    since: "6.2.0",
    complexity: DIFF_COMPLEXITY,
    summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    handler: algebra("diff", true),
  },
  {
    name: "zintercard",
    arity: -3,
    flags: ["readonly"],
    ...ZSET,
    keys: READ_KEYS,
    since: "7.0.0",
    complexity:
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    summary: "Intersect multiple sorted sets and return the cardinality of the result",
    handler: zintercard,
  },
  {
    name: "zrangestore",
    arity: -5,
    flags: ["write", "denyoom"],
    ...ZSET,
    keys: [keyAt(1, "OW", "update"), keyAt(2, "RO", "access")],
    since: "6.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    summary: "Store a range of members from sorted set into another key",
    handler: zrange("auto", "auto", storeRange),
  },
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    ...ZSET,
    keys: [keyAt(1, "RO", "access")],
    since: "6.2.0",
    complexity: "O(N) where N is the number of elements returned",
    summary: "Get one or multiple random elements from a sorted set",
    tips: ["nondeterministic_output"],
    handler: zrandmember,
  },
];
