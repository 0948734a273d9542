/**
 * Blocking list commands (Redis's t_list.c with blocked.c): BLPOP, BRPOP, BLMOVE and
 * BRPOPLPUSH. A command that finds nothing to take blocks on the keyspace's
 * {@link Blocking} (inside MULTI it answers null at once, as Redis does); a push to one of its
 * keys serves it, first blocked first served.
 *
 * @module
 */

import { parseTimeoutSeconds } from "../../server/args.ts";
import type { Connection } from "../../server/connection.ts";
import { WRONGTYPE } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, keyRange, type KvCommand, type KvHandler } from "../command.ts";
import type { Blocking } from "../keyspace/blocking.ts";
import { keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import { RedisList } from "../values/list.ts";
import { type End, lmove, moveTo, parseEnd, pop, serveBlocked, settle } from "./lists.ts";

/**
 * Serves a client blocked on `key` when it holds a non-empty list: pops from `from` and
 * replies [key, element] (BLPOP), or moves the element to `target` and replies it (BLMOVE).
 */
function serveFromList(
  db: Database,
  key: string,
  reply: Reply,
  from: End,
  target: string | undefined,
  to: End,
): boolean {
  const list = db.get(key);
  if (!(list instanceof RedisList) || list.length === 0) return false;
  if (target === undefined) {
    const element = pop(list, from);
    reply.arrayHeader(2);
    reply.bulkLatin1(key);
    reply.bulkLatin1(element);
    settle(db, key, list);
    return true;
  }
  const dest = db.get(target);
  if (dest !== undefined && !(dest instanceof RedisList)) {
    reply.error(WRONGTYPE);
    return true;
  }
  const element = pop(list, from);
  moveTo(db, target, dest, element, to);
  reply.bulkLatin1(element);
  settle(db, key, list);
  return true;
}

/** Blocks the client on `keys` of `db` until a list there serves it, or `timeout` ms pass. */
function block(
  db: Database,
  connection: Connection,
  reply: Reply,
  keys: string[],
  timeout: number,
  from: End,
  target: string | undefined,
  to: End,
): Promise<void> {
  const blocking: Blocking = db.keyspace.blocking;
  return blocking.block({
    connection,
    db: db.index,
    keys,
    tryServe: (key) => serveFromList(db, key, reply, from, target, to),
    timedOut: () => reply.nullArray(),
    failed: (message) => reply.error(message),
  }, timeout);
}

function blockingPop(end: End): KvHandler {
  return (db, _key, command, reply, connection) => {
    const timeout = parseTimeoutSeconds(command.arg(command.length - 1)!);
    const keys: string[] = [];
    for (let i = 0; i < command.length - 1; i++) {
      const key = keyOf(command.arg(i)!);
      const list = lookup<RedisList>(db, key, "list");
      if (list !== undefined && list.length > 0) {
        const element = pop(list, end);
        reply.arrayHeader(2);
        reply.bulk(command.arg(i)!);
        reply.bulkLatin1(element);
        settle(db, key, list);
        return undefined;
      }
      keys.push(key);
    }
    if (connection.inTransaction) return reply.nullArray();
    return block(db, connection, reply, keys, timeout, end, undefined, "left");
  };
}

function blockingMove(
  db: Database,
  source: string,
  target: string,
  reply: Reply,
  connection: Connection,
  from: End,
  to: End,
  timeout: number,
): Promise<void> | undefined {
  const list = lookup<RedisList>(db, source, "list");
  if (list === undefined) {
    if (connection.inTransaction) {
      reply.null();
      return undefined;
    }
    return block(db, connection, reply, [source], timeout, from, target, to);
  }
  lmove(db, source, target, from, to, reply);
  serveBlocked(db, connection);
  return undefined;
}

/** The blocking list commands. */
export const blockingListCommands: readonly KvCommand[] = [
  {
    name: "blpop",
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    acl: ["list"],
    keys: [keyRange(1, -2, 1, "RW", "access", "delete")],
    group: "list",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    summary: "Remove and get the first element in a list, or block until one is available",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    handler: blockingPop("left"),
  },
  {
    name: "brpop",
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    acl: ["list"],
    keys: [keyRange(1, -2, 1, "RW", "access", "delete")],
    group: "list",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    summary: "Remove and get the last element in a list, or block until one is available",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    handler: blockingPop("right"),
  },
  {
    name: "blmove",
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
    group: "list",
    since: "6.2.0",
    complexity: "O(1)",
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    handler: (db, key, command, reply, connection) => {
      const from = parseEnd(command.arg(2)!);
      const to = parseEnd(command.arg(3)!);
      const timeout = parseTimeoutSeconds(command.arg(4)!);
      const target = keyOf(command.arg(1)!);
      return blockingMove(db, key, target, reply, connection, from, to, timeout);
    },
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    acl: ["list"],
    keys: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
    group: "list",
    since: "2.2.0",
    complexity: "O(1)",
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
    handler: (db, key, command, reply, connection) => {
      const timeout = parseTimeoutSeconds(command.arg(2)!);
      const target = keyOf(command.arg(1)!);
      return blockingMove(db, key, target, reply, connection, "right", "left", timeout);
    },
  },
];
