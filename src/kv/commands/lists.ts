/**
 * List commands (Redis's t_list.c): LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE,
 * LINDEX, LSET, LREM, LTRIM, LINSERT, LPOS, LMOVE and RPOPLPUSH. The blocking forms are in
 * `lists_blocking.ts`. Values are {@link RedisList}s.
 *
 * @module
 */

import { longArg, parseLongBig, positiveLongArg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { fail, NOT_INTEGER, NOT_POSITIVE, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { isWord } from "../args.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import { RedisList } from "../values/list.ts";

/** Which end of a list: LEFT (head) or RIGHT (tail). */
export type End = "left" | "right";

/**
 * A LEFT / RIGHT argument, or a syntax error.
 *
 * @example
 * ```ts
 * import { parseEnd } from "./lists.ts";
 *
 * parseEnd(new TextEncoder().encode("LEFT")); // "left"
 * ```
 */
export function parseEnd(arg: Uint8Array): End {
  if (isWord(arg, "left")) return "left";
  if (isWord(arg, "right")) return "right";
  return fail(SYNTAX);
}

/**
 * Pops an element (a binary string) from `end` of a non-empty list.
 *
 * @example
 * ```ts
 * import { RedisList } from "../values/list.ts";
 * import { pop } from "./lists.ts";
 *
 * const list = new RedisList();
 * list.pushBack("a");
 * pop(list, "left"); // "a"
 * ```
 */
export function pop(list: RedisList, end: End): string {
  return (end === "left" ? list.popFront() : list.popBack())!;
}

function push(list: RedisList, end: End, value: string): void {
  if (end === "left") list.pushFront(value);
  else list.pushBack(value);
}

/**
 * After taking from the list at `key`: deletes it when empty, else signals the change.
 *
 * @example
 * ```ts
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { RedisList } from "../values/list.ts";
 * import { settle } from "./lists.ts";
 *
 * const keyspace = new Keyspace();
 * settle(keyspace.db(0), "k", new RedisList()); // deletes "k"
 * keyspace.close();
 * ```
 */
export function settle(db: Database, key: string, list: RedisList): void {
  if (list.length === 0) db.delete(key);
  else db.touch(key);
}

/**
 * Pushes `element` to `target` (creating the list and signalling it ready), as Redis's
 * `lmoveHandlePush`.
 *
 * @example
 * ```ts
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { moveTo } from "./lists.ts";
 *
 * const keyspace = new Keyspace();
 * moveTo(keyspace.db(0), "dst", undefined, "a", "left");
 * keyspace.close();
 * ```
 */
export function moveTo(
  db: Database,
  target: string,
  dest: RedisList | undefined,
  element: string,
  to: End,
): void {
  if (dest === undefined) {
    dest = new RedisList();
    push(dest, to, element);
    db.set(target, dest);
    db.signalReady(target);
  } else {
    push(dest, to, element);
    db.touch(target);
  }
}

/**
 * Serves the clients blocked on keys a write made ready, right after that write (Redis
 * serves after each command); inside MULTI they are served once EXEC is over.
 *
 * @example
 * ```ts
 * import type { Connection } from "../../server/connection.ts";
 * import type { Database } from "../keyspace/keyspace.ts";
 * import { serveBlocked } from "./lists.ts";
 *
 * function afterPush(db: Database, connection: Connection): void {
 *   serveBlocked(db, connection);
 * }
 * ```
 */
export function serveBlocked(db: Database, connection: Connection): void {
  if (!connection.inTransaction) db.keyspace.blocking.serve();
}

/**
 * LMOVE's body once the positions are parsed (Redis `lmoveGenericCommand`): a null reply
 * when the source is empty.
 *
 * @example
 * ```ts
 * import type { Reply } from "../../server/reply.ts";
 * import type { Database } from "../keyspace/keyspace.ts";
 * import { lmove } from "./lists.ts";
 *
 * function rpoplpush(db: Database, source: string, target: string, reply: Reply): void {
 *   lmove(db, source, target, "right", "left", reply);
 * }
 * ```
 */
export function lmove(
  db: Database,
  source: string,
  target: string,
  from: End,
  to: End,
  reply: Reply,
): void {
  const list = lookup<RedisList>(db, source, "list");
  if (list === undefined || list.length === 0) {
    reply.null();
    return;
  }
  const dest = lookup<RedisList>(db, target, "list");
  const element = pop(list, from);
  moveTo(db, target, dest, element, to);
  settle(db, source, list);
  reply.bulkLatin1(element);
}

/** Normalises LRANGE-style indexes; returns [start, end] or undefined when empty. */
function normaliseRange(start: number, end: number, length: number): [number, number] | undefined {
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (start > end || start >= length) return undefined;
  if (end >= length) end = length - 1;
  return [start, end];
}

function pushCommand(end: End, onlyIfExists: boolean): KvHandler {
  return (db, key, command, reply, connection) => {
    let list = lookup<RedisList>(db, key, "list");
    if (list === undefined) {
      if (onlyIfExists) return reply.integer(0);
      list = new RedisList();
      list.pushAll(command.argv, 2, end === "left");
      db.set(key, list);
    } else {
      list.pushAll(command.argv, 2, end === "left");
      db.touch(key);
    }
    db.signalReady(key);
    reply.integer(list.length);
    serveBlocked(db, connection);
  };
}

function popCommand(end: End): KvHandler {
  return (db, key, command, reply) => {
    if (command.length > 2) fail(`ERR wrong number of arguments for '${command.name}' command`);
    const hasCount = command.length === 2;
    const count = hasCount ? positiveLongArg(command, 1, NOT_POSITIVE) : 0;
    const list = lookup<RedisList>(db, key, "list");
    if (list === undefined) return hasCount ? reply.nullArray() : reply.null();
    if (hasCount && count === 0) return reply.arrayHeader(0);
    if (!hasCount) {
      reply.bulkLatin1(pop(list, end));
    } else {
      const n = Math.min(count, list.length);
      reply.arrayHeader(n);
      for (let i = 0; i < n; i++) reply.bulkLatin1(pop(list, end));
    }
    settle(db, key, list);
  };
}

const lrem: KvHandler = (db, key, command, reply) => {
  const count = longArg(command, 1);
  const list = lookup<RedisList>(db, key, "list");
  if (list === undefined) return reply.integer(0);
  const element = keyOf(command.arg(2)!);
  let removed = 0;
  if (count === 0) {
    removed = list.filter((v) => v !== element);
  } else if (count > 0) {
    removed = list.filter((v) => {
      if (removed < count && v === element) {
        removed++;
        return false;
      }
      return true;
    });
  } else {
    // From the tail: find the indexes to drop first.
    const drop = new Set<number>();
    for (let i = list.length - 1; i >= 0 && drop.size < -count; i--) {
      if (list.at(i) === element) drop.add(i);
    }
    removed = drop.size === 0 ? 0 : list.filter((_, i) => !drop.has(i));
  }
  if (removed > 0) settle(db, key, list);
  reply.integer(removed);
};

const ltrim: KvHandler = (db, key, command, reply) => {
  let start = longArg(command, 1);
  let end = longArg(command, 2);
  const list = lookup<RedisList>(db, key, "list");
  if (list === undefined) return reply.status("OK");
  const length = list.length;
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  let front: number, back: number;
  if (start > end || start >= length) {
    front = length;
    back = 0;
  } else {
    if (end >= length) end = length - 1;
    front = start;
    back = length - end - 1;
  }
  list.trim(front, back);
  settle(db, key, list);
  reply.status("OK");
};

const linsert: KvHandler = (db, key, command, reply) => {
  const where = command.arg(1)!;
  let after: boolean;
  if (isWord(where, "after")) after = true;
  else if (isWord(where, "before")) after = false;
  else fail(SYNTAX);
  const list = lookup<RedisList>(db, key, "list");
  if (list === undefined) return reply.integer(0);
  const pivot = keyOf(command.arg(2)!);
  const n = list.length;
  for (let i = 0; i < n; i++) {
    if (list.at(i) === pivot) {
      list.insert(after ? i + 1 : i, keyOf(command.arg(3)!));
      db.touch(key);
      return reply.integer(list.length);
    }
  }
  reply.integer(-1);
};

/** LPOS options: RANK, COUNT, MAXLEN (Redis `lposCommand`). */
function lposOptions(command: Command): { rank: number; count: number; maxlen: number } {
  let rank = 1, count = -1, maxlen = 0;
  let minRank = false;
  for (let j = 2; j < command.length; j++) {
    const more = command.length - 1 - j;
    if (command.is(j, "rank") && more > 0) {
      j++;
      const big = parseLongBig(command.arg(j)!);
      if (big === undefined) fail(NOT_INTEGER);
      if (big === 0n) {
        fail(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
      // LONG_MIN: Redis negates it into itself, which then matches the first hit.
      minRank = big === -9223372036854775808n;
      rank = Number(big);
    } else if (command.is(j, "count") && more > 0) {
      j++;
      count = positiveLongArg(command, j, "ERR COUNT can't be negative");
    } else if (command.is(j, "maxlen") && more > 0) {
      j++;
      maxlen = positiveLongArg(command, j, "ERR MAXLEN can't be negative");
    } else {
      fail(SYNTAX);
    }
  }
  if (minRank) rank = -1;
  return { rank, count, maxlen };
}

const lpos: KvHandler = (db, key, command, reply) => {
  const element = keyOf(command.arg(1)!);
  const options = lposOptions(command);
  const { count, maxlen } = options;
  let rank = options.rank;
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const list = lookup<RedisList>(db, key, "list");
  if (list === undefined) return count !== -1 ? reply.arrayHeader(0) : reply.null();
  const length = list.length;
  const found: number[] = [];
  let matches = 0;
  let matchIndex = -1;
  for (let index = 0; index < length && (maxlen === 0 || index < maxlen); index++) {
    const at = fromTail ? length - index - 1 : index;
    if (list.at(at) === element) {
      matches++;
      if (matches >= rank) {
        if (count !== -1) {
          found.push(at);
          if (count !== 0 && matches - rank + 1 >= count) break;
        } else {
          matchIndex = at;
          break;
        }
      }
    }
  }
  if (count !== -1) {
    reply.arrayHeader(found.length);
    for (const i of found) reply.integer(i);
  } else if (matchIndex !== -1) reply.integer(matchIndex);
  else reply.null();
};

/** The list commands that never block. */
export const listCommands: readonly KvCommand[] = [
  {
    name: "lpush",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "insert")],
    group: "list",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    summary: "Prepend one or multiple elements to a list",
    history: [["2.4.0", "Accepts multiple `element` arguments."]],
    handler: pushCommand("left", false),
  },
  {
    name: "rpush",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "insert")],
    group: "list",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    summary: "Append one or multiple elements to a list",
    history: [["2.4.0", "Accepts multiple `element` arguments."]],
    handler: pushCommand("right", false),
  },
  {
    name: "lpushx",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "insert")],
    group: "list",
    since: "2.2.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    summary: "Prepend an element to a list, only if the list exists",
    history: [["4.0.0", "Accepts multiple `element` arguments."]],
    handler: pushCommand("left", true),
  },
  {
    name: "rpushx",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "insert")],
    group: "list",
    since: "2.2.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    summary: "Append an element to a list, only if the list exists",
    history: [["4.0.0", "Accepts multiple `element` arguments."]],
    handler: pushCommand("right", true),
  },
  {
    name: "lpop",
    arity: -2,
    flags: ["write", "fast"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "access", "delete")],
    group: "list",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements returned",
    summary: "Remove and get the first elements in a list",
    history: [["6.2.0", "Added the `count` argument."]],
    handler: popCommand("left"),
  },
  {
    name: "rpop",
    arity: -2,
    flags: ["write", "fast"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "access", "delete")],
    group: "list",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements returned",
    summary: "Remove and get the last elements in a list",
    history: [["6.2.0", "Added the `count` argument."]],
    handler: popCommand("right"),
  },
  {
    name: "llen",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["list"],
    keys: [keyAt(1, "RO")],
    group: "list",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Get the length of a list",
    handler: (db, key, _command, reply) => {
      const list = lookup<RedisList>(db, key, "list");
      reply.integer(list === undefined ? 0 : list.length);
    },
  },
  {
    name: "lrange",
    arity: 4,
    flags: ["readonly"],
    acl: ["list"],
    keys: [keyAt(1, "RO", "access")],
    group: "list",
    since: "1.0.0",
    complexity:
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    summary: "Get a range of elements from a list",
    handler: (db, key, command, reply) => {
      const start = longArg(command, 1);
      const end = longArg(command, 2);
      const list = lookup<RedisList>(db, key, "list");
      const range = list === undefined ? undefined : normaliseRange(start, end, list.length);
      if (range === undefined) return reply.arrayHeader(0);
      reply.arrayHeader(range[1] - range[0] + 1);
      list!.forEachRange(range[0], range[1], (text, from, to) => reply.bulkLatin1(text, from, to));
    },
  },
  {
    name: "lindex",
    arity: 3,
    flags: ["readonly"],
    acl: ["list"],
    keys: [keyAt(1, "RO", "access")],
    group: "list",
    since: "1.0.0",
    complexity:
      "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    summary: "Get an element from a list by its index",
    handler: (db, key, command, reply) => {
      const list = lookup<RedisList>(db, key, "list");
      if (list === undefined) return reply.null();
      let index = longArg(command, 1);
      if (index < 0) index = list.length + index;
      const value = list.at(index);
      if (value === undefined) reply.null();
      else reply.bulkLatin1(value);
    },
  },
  {
    name: "lset",
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "update")],
    group: "list",
    since: "1.0.0",
    complexity:
      "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    summary: "Set the value of an element in a list by its index",
    handler: (db, key, command, reply) => {
      const list = lookup<RedisList>(db, key, "list");
      if (list === undefined) fail("ERR no such key");
      let index = longArg(command, 1);
      if (index < 0) index = list.length + index;
      if (index < 0 || index >= list.length) fail("ERR index out of range");
      list.set(index, keyOf(command.arg(2)!));
      db.touch(key);
      reply.status("OK");
    },
  },
  {
    name: "lrem",
    arity: 4,
    flags: ["write"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "delete")],
    group: "list",
    since: "1.0.0",
    complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
    summary: "Remove elements from a list",
    handler: lrem,
  },
  {
    name: "ltrim",
    arity: 4,
    flags: ["write"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "delete")],
    group: "list",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements to be removed by the operation.",
    summary: "Trim a list to the specified range",
    handler: ltrim,
  },
  {
    name: "linsert",
    arity: 5,
    flags: ["write", "denyoom"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "insert")],
    group: "list",
    since: "2.2.0",
    complexity:
      "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    summary: "Insert an element before or after another element in a list",
    handler: linsert,
  },
  {
    name: "lpos",
    arity: -3,
    flags: ["readonly"],
    acl: ["list"],
    keys: [keyAt(1, "RO", "access")],
    group: "list",
    since: "6.0.6",
    complexity:
      "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    summary: "Return the index of matching elements on a list",
    handler: lpos,
  },
  {
    name: "lmove",
    arity: 5,
    flags: ["write", "denyoom"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
    group: "list",
    since: "6.2.0",
    complexity: "O(1)",
    summary: "Pop an element from a list, push it to another list and return it",
    handler: (db, key, command, reply, connection) => {
      const from = parseEnd(command.arg(2)!);
      const to = parseEnd(command.arg(3)!);
      lmove(db, key, keyOf(command.arg(1)!), from, to, reply);
      serveBlocked(db, connection);
    },
  },
  {
    name: "rpoplpush",
    arity: 3,
    flags: ["write", "denyoom"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
    group: "list",
    since: "1.2.0",
    complexity: "O(1)",
    summary: "Remove the last element in a list, prepend it to another list and return it",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`LMOVE` with the `RIGHT` and `LEFT` arguments",
    handler: (db, key, command, reply, connection) => {
      lmove(db, key, keyOf(command.arg(1)!), "right", "left", reply);
      serveBlocked(db, connection);
    },
  },
];
