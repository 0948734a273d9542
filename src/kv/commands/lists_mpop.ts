/**
 * LMPOP and BLMPOP (Redis's t_list.c `lmpopGenericCommand`): pop up to COUNT elements from
 * the first non-empty list of several, replying [key, [elements]]; BLMPOP blocks on the
 * keyspace's {@link Blocking} when every list is empty. The `numkeys`/direction/COUNT parsing
 * is shared with ZMPOP and BZMPOP ({@link parseMpop}).
 *
 * @module
 */

import { parseTimeoutSeconds } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import { fail, SYNTAX } from "../../server/errors.ts";
import type { KeySpec } from "../../server/command_spec.ts";
import type { Reply } from "../../server/reply.ts";
import { parseNumkeys } from "../args.ts";
import type { KvCommand, KvHandler } from "../command.ts";
import { keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import type { RedisList } from "../values/list.ts";
import { type End, parseEnd, pop, settle } from "./lists.ts";

/** Parsed `numkeys key... <where> [COUNT n]`. */
export interface MpopArgs<W> {
  /** The keys (binary strings). */
  readonly keys: string[];
  /** The key arguments as given. */
  readonly keyArgs: Uint8Array[];
  /** Where to pop from. */
  readonly where: W;
  /** Most elements to pop (1 when COUNT is absent). */
  readonly count: number;
}

/** A COUNT of LMPOP/ZMPOP: an integer from 1, else "count should be greater than 0". */
function parseCount(arg: Uint8Array): number {
  const text = keyOf(arg);
  if (!/^(?:0|-?[1-9]\d{0,18})$/.test(text)) fail("ERR count should be greater than 0");
  const big = BigInt(text);
  if (big < 1n || big > 9223372036854775807n) fail("ERR count should be greater than 0");
  return Number(big);
}

/**
 * Redis's `lmpopGenericCommand` / `zmpopGenericCommand` argument parsing from `numkeysAt`
 * (argument index): numkeys, the keys, the direction (`parseWhere`), then `COUNT n` once.
 */
export function parseMpop<W>(
  command: Command,
  numkeysAt: number,
  parseWhere: (arg: Uint8Array) => W,
): MpopArgs<W> {
  const numkeys = parseNumkeys(command.arg(numkeysAt)!);
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= command.length) fail(SYNTAX);
  const where = parseWhere(command.arg(whereAt)!);
  let count = -1;
  for (let j = whereAt + 1; j < command.length; j++) {
    if (count === -1 && command.is(j, "count") && command.length - 1 - j > 0) {
      count = parseCount(command.arg(++j)!);
    } else fail(SYNTAX);
  }
  const keyArgs = command.argv.slice(numkeysAt + 2, whereAt + 1);
  return { keys: keyArgs.map(keyOf), keyArgs, where, count: count === -1 ? 1 : count };
}

/** Pops up to `count` from the list at `key` and replies [key, [elements]]. */
function popReply(
  db: Database,
  key: string,
  list: RedisList,
  end: End,
  count: number,
  reply: Reply,
): void {
  const n = Math.min(count, list.length);
  reply.arrayHeader(2);
  reply.bulkLatin1(key);
  reply.arrayHeader(n);
  for (let i = 0; i < n; i++) reply.bulkLatin1(pop(list, end));
  settle(db, key, list);
}

/** Pops from the first non-empty list of `keys`; false when all are empty or missing. */
function popFirst(db: Database, args: MpopArgs<End>, reply: Reply): boolean {
  for (const key of args.keys) {
    const list = lookup<RedisList>(db, key, "list");
    if (list === undefined || list.length === 0) continue;
    popReply(db, key, list, args.where, args.count, reply);
    return true;
  }
  return false;
}

const lmpop: KvHandler = (db, _key, command, reply) => {
  const args = parseMpop(command, 0, parseEnd);
  if (!popFirst(db, args, reply)) reply.nullArray();
};

const blmpop: KvHandler = (db, _key, command, reply, connection) => {
  const args = parseMpop(command, 1, parseEnd);
  const timeout = parseTimeoutSeconds(command.arg(0)!);
  if (popFirst(db, args, reply)) return undefined;
  if (connection.inTransaction) return reply.nullArray();
  return db.keyspace.blocking.block({
    connection,
    db: db.index,
    keys: args.keys,
    tryServe: (key) => {
      const list = db.get(key);
      if (list === undefined || list instanceof Uint8Array || list.type !== "list") return false;
      if ((list as RedisList).length === 0) return false;
      popReply(db, key, list as RedisList, args.where, args.count, reply);
      return true;
    },
    timedOut: () => reply.nullArray(),
    failed: (message) => reply.error(message),
  }, timeout);
};

/** The key spec of LMPOP/ZMPOP (`index` 1) and BLMPOP/BZMPOP (2): numkeys, then the keys. */
export function mpopKeys(index: number): KeySpec[] {
  return [{
    flags: ["RW", "access", "delete"],
    begin: { index },
    find: { keyNumIndex: 0, firstKey: 1, step: 1 },
  }];
}

/** LMPOP and BLMPOP. */
export const listMpopCommands: readonly KvCommand[] = [
  {
    name: "lmpop",
    arity: -4,
    flags: ["write"],
    acl: ["list"],
    keys: mpopKeys(1),
    group: "list",
    since: "7.0.0",
    complexity:
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    summary: "Pop elements from a list",
    handler: lmpop,
  },
  {
    name: "blmpop",
    arity: -5,
    flags: ["write", "blocking"],
    acl: ["list"],
    keys: mpopKeys(2),
    group: "list",
    since: "7.0.0",
    complexity:
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    summary: "Pop elements from a list, or block until one is available",
    handler: blmpop,
  },
];
