/**
 * Popping from several sorted sets (Redis's t_zset.c `genericZpopCommand`,
 * `blockingGenericZpopCommand`, `zmpopGenericCommand`): ZMPOP, and the blocking BZPOPMIN,
 * BZPOPMAX and BZMPOP on the keyspace's {@link Blocking} (first blocked, first served; inside
 * MULTI they answer at once).
 *
 * @module
 */

import { parseTimeoutSeconds } from "../../server/args.ts";
import { fail, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { isWord } from "../args.ts";
import { keyRange, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import type { RedisZSet, ZSetSlice } from "../values/zset.ts";
import { mpopKeys, parseMpop } from "./lists_mpop.ts";

/** MIN or MAX. */
function parseMinMax(arg: Uint8Array): boolean {
  if (isWord(arg, "min")) return false;
  if (isWord(arg, "max")) return true;
  return fail(SYNTAX);
}

/**
 * Pops up to `count` members of the sorted set at `key` and replies with the key: nested
 * ([key, [[member, score], ...]], the MPOP form) or flat ([key, member, score], BZPOPMIN).
 */
function popReply(
  db: Database,
  key: string,
  zset: RedisZSet,
  max: boolean,
  count: number,
  nested: boolean,
  reply: Reply,
): void {
  const n = Math.min(count, zset.size);
  if (nested) {
    reply.arrayHeader(2);
    reply.bulk(keyBytes(key));
    reply.arrayHeader(n);
  } else {
    reply.arrayHeader(n * 2 + 1);
    reply.bulk(keyBytes(key));
  }
  const popped: ZSetSlice = { members: [], scores: [] };
  zset.read(max ? zset.size - 1 : 0, n, max, popped);
  if (max) zset.deleteRanks(zset.size - n, zset.size - 1);
  else zset.deleteRanks(0, n - 1);
  for (let i = 0; i < n; i++) {
    if (nested) reply.arrayHeader(2);
    reply.bulk(keyBytes(popped.members[i]));
    reply.double(popped.scores[i]);
  }
  if (zset.size === 0) db.delete(key);
  else db.touch(key);
}

/** How a pop command pops: direction, count and reply form. */
interface PopPlan {
  readonly keys: readonly string[];
  readonly max: boolean;
  readonly count: number;
  readonly nested: boolean;
}

/** Pops from the first non-empty sorted set of the plan's keys; false when none. */
function popFirst(db: Database, plan: PopPlan, reply: Reply): boolean {
  for (const key of plan.keys) {
    const zset = lookup<RedisZSet>(db, key, "zset");
    if (zset === undefined || zset.size === 0) continue;
    popReply(db, key, zset, plan.max, plan.count, plan.nested, reply);
    return true;
  }
  return false;
}

/** Blocks until one of the plan's sorted sets has members, or `timeout` ms pass. */
function blockOn(
  db: Database,
  plan: PopPlan,
  timeout: number,
  reply: Reply,
  connection: Parameters<KvHandler>[4],
): Promise<void> | undefined {
  if (popFirst(db, plan, reply)) return undefined;
  if (connection.inTransaction) {
    reply.nullArray();
    return undefined;
  }
  return db.keyspace.blocking.block({
    connection,
    db: db.index,
    keys: plan.keys,
    tryServe: (key) => {
      const zset = db.get(key);
      if (zset === undefined || zset instanceof Uint8Array || zset.type !== "zset") return false;
      if ((zset as RedisZSet).size === 0) return false;
      popReply(db, key, zset as RedisZSet, plan.max, plan.count, plan.nested, reply);
      return true;
    },
    timedOut: () => reply.nullArray(),
    failed: (message) => reply.error(message),
  }, timeout);
}

function bzpop(max: boolean): KvHandler {
  return (db, _key, command, reply, connection) => {
    const timeout = parseTimeoutSeconds(command.arg(command.length - 1)!);
    const keys = command.argv.slice(1, -1).map(keyOf);
    return blockOn(db, { keys, max, count: 1, nested: false }, timeout, reply, connection);
  };
}

const zmpop: KvHandler = (db, _key, command, reply) => {
  const args = parseMpop(command, 0, parseMinMax);
  const plan = { keys: args.keys, max: args.where, count: args.count, nested: true };
  if (!popFirst(db, plan, reply)) reply.nullArray();
};

const bzmpop: KvHandler = (db, _key, command, reply, connection) => {
  const args = parseMpop(command, 1, parseMinMax);
  const timeout = parseTimeoutSeconds(command.arg(0)!);
  const plan = { keys: args.keys, max: args.where, count: args.count, nested: true };
  return blockOn(db, plan, timeout, reply, connection);
};

const ZMPOP_COMPLEXITY =
  "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.";

/** ZMPOP, BZMPOP, BZPOPMIN and BZPOPMAX. */
export const zsetBlockingCommands: readonly KvCommand[] = [
  {
    name: "zmpop",
    arity: -4,
    flags: ["write"],
    acl: ["sortedset"],
    keys: mpopKeys(1),
    group: "sorted-set",
    since: "7.0.0",
    complexity: ZMPOP_COMPLEXITY,
    summary: "Remove and return members with scores in a sorted set",
    handler: zmpop,
  },
  {
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking"],
    acl: ["sortedset"],
    keys: mpopKeys(2),
    group: "sorted-set",
    since: "7.0.0",
    complexity: ZMPOP_COMPLEXITY,
    summary:
      "Remove and return members with scores in a sorted set or block until one is available",
    handler: bzmpop,
  },
  {
    name: "bzpopmin",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    acl: ["sortedset"],
    keys: [keyRange(1, -2, 1, "RW", "access", "delete")],
    group: "sorted-set",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    summary:
      "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    handler: bzpop(false),
  },
  {
    name: "bzpopmax",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    acl: ["sortedset"],
    keys: [keyRange(1, -2, 1, "RW", "access", "delete")],
    group: "sorted-set",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    summary:
      "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    handler: bzpop(true),
  },
];
