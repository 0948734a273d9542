/**
 * Typed access to keys for command handlers: a value of the expected type or WRONGTYPE, and
 * the member deletion SREM, ZREM and HDEL share.
 *
 * @module
 */

import type { Command } from "../server/command.ts";
import { fail, WRONGTYPE } from "../server/errors.ts";
import { keyOf } from "./keyspace/encoding.ts";
import type { Database } from "./keyspace/keyspace.ts";
import type { KeyValue } from "./keyspace/values.ts";

/**
 * Throws WRONGTYPE unless `value` is missing or of the given type; returns it typed.
 *
 * @example
 * ```ts
 * import { checkType } from "./lookup.ts";
 *
 * checkType(undefined, "list"); // undefined
 * ```
 */
export function checkType<T>(value: KeyValue | undefined, type: string): T | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array || value.type !== type) fail(WRONGTYPE);
  return value as T;
}

/**
 * Looks up `key` in `db` and checks its type (WRONGTYPE otherwise).
 *
 * @example
 * ```ts
 * import { Keyspace } from "./keyspace/keyspace.ts";
 * import { lookup } from "./lookup.ts";
 *
 * const keyspace = new Keyspace();
 * lookup(keyspace.db(0), "missing", "hash"); // undefined
 * keyspace.close();
 * ```
 */
export function lookup<T>(db: Database, key: string, type: string): T | undefined {
  return checkType<T>(db.get(key), type);
}

/** A collection that SREM, ZREM and HDEL delete members (binary strings) from. */
export interface MemberCollection {
  /** Deletes a member; true if it was there. */
  delete(member: string): boolean;
  /** Members left. */
  readonly size: number;
}

/**
 * The body of SREM, ZREM and HDEL: deletes the members named by the command's arguments
 * (from index 1) from the set, sorted set or hash at `key` and returns how many were
 * removed. An emptied collection's key is deleted; a changed one is touched (WATCH).
 *
 * @example
 * ```ts
 * import type { Command } from "../server/command.ts";
 * import type { Database } from "./keyspace/keyspace.ts";
 * import { deleteMembers } from "./lookup.ts";
 *
 * // SREM key member...: the members are the command's arguments from index 1.
 * function srem(db: Database, key: string, set: Set<string>, command: Command): number {
 *   return deleteMembers(db, key, set, command);
 * }
 * ```
 */
export function deleteMembers(
  db: Database,
  key: string,
  collection: MemberCollection | undefined,
  command: Command,
): number {
  if (collection === undefined) return 0;
  let removed = 0;
  for (let i = 1; i < command.length; i++) {
    if (collection.delete(keyOf(command.arg(i)!))) {
      removed++;
      if (collection.size === 0) break;
    }
  }
  if (removed > 0) {
    if (collection.size === 0) db.delete(key);
    else db.touch(key);
  }
  return removed;
}
