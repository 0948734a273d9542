/**
 * Set commands (Redis's t_set.c): SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP,
 * SRANDMEMBER, SMOVE, SINTER, SUNION, SDIFF and their STORE forms, SINTERCARD and SSCAN.
 * Values are {@link RedisSet}s.
 *
 * @module
 */

import { positiveLongArg, rangeLongArg } from "../../server/args.ts";
import { checkRepeatedPicks } from "./random_count.ts";
import type { Command } from "../../server/command.ts";
import { fail, NOT_POSITIVE, SYNTAX } from "../../server/errors.ts";
import { globMatch } from "../../server/glob.ts";
import type { Reply } from "../../server/reply.ts";
import { parseNumkeys } from "../args.ts";
import { keyAt, keyRange, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { checkType, deleteMembers, lookup } from "../lookup.ts";
import { parseCursor, parseScanOptions, scanReply } from "../scan.ts";
import {
  differenceOf,
  intersectionOf,
  intersectionSize,
  randomIndex,
  RedisSet,
  unionOf,
} from "../values/set.ts";

function writeMembers(reply: Reply, members: readonly string[], asSet: boolean): void {
  if (asSet) reply.setHeader(members.length);
  else reply.arrayHeader(members.length);
  for (const m of members) reply.bulk(keyBytes(m));
}

/** The sets at arguments `from` to `to` - 1 (undefined for missing ones); WRONGTYPE else. */
function setsAt(
  db: Database,
  command: Command,
  from: number,
  to: number,
): (RedisSet | undefined)[] {
  const sets: (RedisSet | undefined)[] = [];
  for (let i = from; i < to; i++) sets.push(lookup<RedisSet>(db, keyOf(command.arg(i)!), "set"));
  return sets;
}

type SetOperation = (sets: readonly (RedisSet | undefined)[]) => RedisSet;

/**
 * SINTER/SUNION/SDIFF (`store` false: the sets are the keys, the result is replied) and their
 * STORE forms (the first key is the destination: the result is stored there, or the key
 * deleted when it is empty, and its size replied).
 */
function setOperation(operation: SetOperation, store: boolean): KvHandler {
  if (!store) {
    return (db, _key, command, reply) =>
      writeMembers(reply, operation(setsAt(db, command, 0, command.length)).ordered(), true);
  }
  return (db, destination, command, reply) => {
    const result = operation(setsAt(db, command, 1, command.length));
    if (result.size > 0) db.set(destination, result);
    else db.delete(destination);
    reply.integer(result.size);
  };
}

const spop: KvHandler = (db, key, command, reply) => {
  if (command.length === 2) {
    const count = positiveLongArg(command, 1, NOT_POSITIVE);
    const set = lookup<RedisSet>(db, key, "set");
    if (set === undefined || count === 0) return reply.setHeader(0);
    if (count >= set.size) {
      writeMembers(reply, unionOf([set]).ordered(), true);
      db.delete(key);
      return;
    }
    reply.setHeader(count);
    for (let i = 0; i < count; i++) {
      const member = set.random();
      set.delete(member);
      reply.bulk(keyBytes(member));
    }
    db.touch(key);
    return;
  }
  if (command.length > 2) fail(SYNTAX);
  const set = lookup<RedisSet>(db, key, "set");
  if (set === undefined) return reply.null();
  const member = set.random();
  set.delete(member);
  if (set.size === 0) db.delete(key);
  else db.touch(key);
  reply.bulk(keyBytes(member));
};

const srandmember: KvHandler = (db, key, command, reply) => {
  if (command.length > 2) fail(SYNTAX);
  if (command.length < 2) {
    const set = lookup<RedisSet>(db, key, "set");
    if (set === undefined) return reply.null();
    return reply.bulk(keyBytes(set.random()));
  }
  const l = rangeLongArg(command, 1);
  const unique = l >= 0;
  const count = unique ? l : -l;
  const set = lookup<RedisSet>(db, key, "set");
  if (set === undefined || count === 0) return reply.arrayHeader(0);
  if (!unique || count === 1) {
    checkRepeatedPicks(count);
    reply.arrayHeader(count);
    for (let i = 0; i < count; i++) reply.bulk(keyBytes(set.random()));
    return;
  }
  if (count >= set.size) return writeMembers(reply, set.ordered(), false);
  // Partial Fisher-Yates over positions: `count` distinct members.
  const size = set.size;
  const picks = new Map<number, number>();
  reply.arrayHeader(count);
  for (let i = 0; i < count; i++) {
    const j = i + randomIndex(size - i);
    const atJ = picks.get(j) ?? j;
    picks.set(j, picks.get(i) ?? i);
    reply.bulk(keyBytes(set.at(atJ)));
  }
};

const smove: KvHandler = (db, source, command, reply) => {
  const target = keyOf(command.arg(1)!);
  const member = keyOf(command.arg(2)!);
  const src = db.get(source);
  const dst = db.get(target);
  if (src === undefined) return reply.integer(0);
  const from = checkType<RedisSet>(src, "set")!;
  let to = checkType<RedisSet>(dst, "set");
  if (from === to) return reply.integer(from.has(member) ? 1 : 0);
  if (!from.delete(member)) return reply.integer(0);
  if (from.size === 0) db.delete(source);
  else db.touch(source);
  if (to === undefined) {
    to = new RedisSet();
    to.add(member);
    db.set(target, to);
  } else if (to.add(member)) db.touch(target);
  reply.integer(1);
};

const sintercard: KvHandler = (db, _key, command, reply) => {
  const numkeys = parseNumkeys(command.arg(0)!);
  if (numkeys > command.length - 1) {
    fail("ERR Number of keys can't be greater than number of args");
  }
  let limit = 0;
  for (let j = 1 + numkeys; j < command.length; j++) {
    const more = command.length - 1 - j;
    if (command.is(j, "limit") && more > 0) {
      j++;
      limit = positiveLongArg(command, j, "ERR LIMIT can't be negative");
    } else fail(SYNTAX);
  }
  const sets = setsAt(db, command, 1, 1 + numkeys);
  if (sets.some((s) => s === undefined)) return reply.integer(0);
  reply.integer(intersectionSize(sets as RedisSet[], limit));
};

const sscan: KvHandler = (db, key, command, reply) => {
  const cursor = parseCursor(command.arg(1)!);
  const set = lookup<RedisSet>(db, key, "set");
  if (set === undefined) return scanReply(reply, 0, []);
  const { count, pattern } = parseScanOptions(command, 2, false);
  let members: readonly string[];
  let next = 0;
  if (set.intset) members = set.ordered();
  else {
    // Walks the dense array from the top down: a removal moves the last member (already
    // visited) into the hole, so members present throughout are never missed.
    let top = cursor === 0 || cursor > set.size ? set.size : cursor;
    const page: string[] = [];
    while (top > 0 && page.length < count) page.push(set.at(--top));
    members = page;
    next = top;
  }
  const items: Uint8Array[] = [];
  for (const m of members) {
    const bytes = keyBytes(m);
    if (pattern === undefined || globMatch(pattern, bytes)) items.push(bytes);
  }
  scanReply(reply, next, items);
};

/** The set commands. */
export const setCommands: readonly KvCommand[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["set"],
    keys: [keyAt(1, "RW", "insert")],
    group: "set",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    summary: "Add one or more members to a set",
    history: [["2.4.0", "Accepts multiple `member` arguments."]],
    handler: (db, key, command, reply) => {
      let set = lookup<RedisSet>(db, key, "set");
      const created = set === undefined;
      set ??= new RedisSet();
      let added = 0;
      for (let i = 1; i < command.length; i++) if (set.add(keyOf(command.arg(i)!))) added++;
      if (created) db.set(key, set);
      else if (added > 0) db.touch(key);
      reply.integer(added);
    },
  },
  {
    name: "srem",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["set"],
    keys: [keyAt(1, "RW", "delete")],
    group: "set",
    since: "1.0.0",
    complexity: "O(N) where N is the number of members to be removed.",
    summary: "Remove one or more members from a set",
    history: [["2.4.0", "Accepts multiple `member` arguments."]],
    handler: (db, key, command, reply) =>
      reply.integer(deleteMembers(db, key, lookup<RedisSet>(db, key, "set"), command)),
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    acl: ["set"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    complexity: "O(N) where N is the set cardinality.",
    summary: "Get all the members in a set",
    handler: (db, key, _command, reply) => {
      const set = lookup<RedisSet>(db, key, "set");
      writeMembers(reply, set === undefined ? [] : set.ordered(), true);
    },
  },
  {
    name: "sismember",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["set"],
    keys: [keyAt(1, "RO")],
    group: "set",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Determine if a given value is a member of a set",
    handler: (db, key, command, reply) => {
      const set = lookup<RedisSet>(db, key, "set");
      reply.integer(set !== undefined && set.has(keyOf(command.arg(1)!)) ? 1 : 0);
    },
  },
  {
    name: "smismember",
    arity: -3,
    flags: ["readonly", "fast"],
    acl: ["set"],
    keys: [keyAt(1, "RO", "access")],
    group: "set",
    since: "6.2.0",
    complexity: "O(N) where N is the number of elements being checked for membership",
    summary: "Returns the membership associated with the given elements for a set",
    handler: (db, key, command, reply) => {
      const set = lookup<RedisSet>(db, key, "set");
      reply.arrayHeader(command.length - 1);
      for (let i = 1; i < command.length; i++) {
        reply.integer(set !== undefined && set.has(keyOf(command.arg(i)!)) ? 1 : 0);
      }
    },
  },
  {
    name: "scard",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["set"],
    keys: [keyAt(1, "RO")],
    group: "set",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Get the number of members in a set",
    handler: (db, key, _command, reply) => {
      const set = lookup<RedisSet>(db, key, "set");
      reply.integer(set === undefined ? 0 : set.size);
    },
  },
  {
    name: "spop",
    arity: -2,
    flags: ["write", "fast"],
    acl: ["set"],
    keys: [keyAt(1, "RW", "access", "delete")],
    tips: ["nondeterministic_output"],
    group: "set",
    since: "1.0.0",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    summary: "Remove and return one or multiple random members from a set",
    history: [["3.2.0", "Added the `count` argument."]],
    handler: spop,
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    acl: ["set"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output"],
    group: "set",
    since: "1.0.0",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    summary: "Get one or multiple random members from a set",
    history: [["2.6.0", "Added the optional `count` argument."]],
    handler: srandmember,
  },
  {
    name: "smove",
    arity: 4,
    flags: ["write", "fast"],
    acl: ["set"],
    keys: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
    group: "set",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Move a member from one set to another",
    handler: smove,
  },
  {
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    acl: ["set"],
    keys: [keyRange(1, -1, 1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    summary: "Intersect multiple sets",
    handler: setOperation(intersectionOf, false),
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["set"],
    keys: [keyAt(1, "RW", "update"), keyRange(2, -1, 1, "RO", "access")],
    group: "set",
    since: "1.0.0",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    summary: "Intersect multiple sets and store the resulting set in a key",
    handler: setOperation(intersectionOf, true),
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly"],
    acl: ["set"],
    keys: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { keyNumIndex: 0, firstKey: 1, step: 1 },
    }],
    group: "set",
    since: "7.0.0",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    summary: "Intersect multiple sets and return the cardinality of the result",
    handler: sintercard,
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    acl: ["set"],
    keys: [keyRange(1, -1, 1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    summary: "Add multiple sets",
    handler: setOperation(unionOf, false),
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["set"],
    keys: [keyAt(1, "OW", "update"), keyRange(2, -1, 1, "RO", "access")],
    group: "set",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    summary: "Add multiple sets and store the resulting set in a key",
    handler: setOperation(unionOf, true),
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    acl: ["set"],
    keys: [keyRange(1, -1, 1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    summary: "Subtract multiple sets",
    handler: setOperation(differenceOf, false),
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["set"],
    keys: [keyAt(1, "OW", "update"), keyRange(2, -1, 1, "RO", "access")],
    group: "set",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    summary: "Subtract multiple sets and store the resulting set in a key",
    handler: setOperation(differenceOf, true),
  },
  {
    name: "sscan",
    arity: -3,
    flags: ["readonly"],
    acl: ["set"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output"],
    group: "set",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    summary: "Incrementally iterate Set elements",
    handler: sscan,
  },
];
