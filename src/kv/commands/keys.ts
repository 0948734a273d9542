/**
 * Generic key commands (Redis's db.c): DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, SCAN,
 * RENAME, RENAMENX, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, COPY and MOVE, with Redis 7.0's
 * replies and error texts. The expiry commands are in `expire.ts`.
 *
 * @module
 */

import { intArg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import { DB_INDEX_RANGE, SYNTAX } from "../../server/errors.ts";
import { globMatch } from "../../server/glob.ts";
import { isWord } from "../args.ts";
import { keyAt, keyRange, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import type { ExpireMs } from "../keyspace/expire.ts";
import { cloneValue, type KeyValue, type StringEncoding, typeOf } from "../keyspace/values.ts";
import { parseCursor, parseScanOptions, scanReply } from "../scan.ts";

/** `-ERR source and destination objects are the same`. */
const SAME_OBJECT = "ERR source and destination objects are the same";

/** Redis's dbAdd signals list/zset/stream keys as ready for blocked clients. */
function signalIfBlockable(db: Database, key: string, value: KeyValue): void {
  if (!(value instanceof Uint8Array) && value.type !== "hash" && value.type !== "set") {
    db.signalReady(key);
  }
}

/** How many of the command's keys `each` counts (DEL, UNLINK, EXISTS, TOUCH). */
function countKeys(each: (db: Database, key: string) => boolean): KvHandler {
  return (db, _key, command, reply) => {
    let n = 0;
    const argv = command.argv;
    for (let i = 1; i < argv.length; i++) if (each(db, keyOf(argv[i]))) n++;
    reply.integer(n);
  };
}

const deleteKey = (db: Database, key: string): boolean => db.delete(key);
const hasKey = (db: Database, key: string): boolean => db.has(key);
/** TOUCH: a lookup that marks the key accessed (EXISTS's does not). */
const touchKey = (db: Database, key: string): boolean => db.get(key) !== undefined;

/**
 * Moves (MOVE, RENAME) or copies (COPY) `value` with its TTL to `newKey` of `dst`. The string
 * encoding goes with it: RENAME and MOVE move Redis's object, COPY's dupStringObject keeps
 * `raw`, `embstr` and `int`. The access time is now (the source was just looked up).
 */
function place(
  dst: Database,
  newKey: string,
  value: KeyValue,
  expire: ExpireMs | undefined,
  encoding: StringEncoding | undefined,
): void {
  dst.set(newKey, value, encoding === undefined ? undefined : { encoding });
  if (expire !== undefined) dst.setExpireAt(newKey, expire);
  signalIfBlockable(dst, newKey, value);
}

function renameHandler(nx: boolean): KvHandler {
  return (db, src, command, reply) => {
    const dst = keyOf(command.arg(1)!);
    const value = db.get(src);
    if (value === undefined) return reply.error("ERR no such key");
    if (src === dst) return nx ? reply.integer(0) : reply.status("OK");
    const expire = db.expireTime(src);
    // Redis's lookupKeyWrite of the destination: an access of the key there.
    if (db.get(dst) !== undefined) {
      if (nx) return reply.integer(0);
      db.delete(dst);
    }
    place(db, dst, value, expire, db.stringEncoding(src));
    db.delete(src);
    return nx ? reply.integer(1) : reply.status("OK");
  };
}

function flushHandler(all: boolean): KvHandler {
  return (db, _key, command, reply) => {
    if (
      command.length > 1 || (command.length === 1 && !command.is(0, "sync") &&
        !command.is(0, "async"))
    ) {
      return reply.error(SYNTAX);
    }
    if (all) db.keyspace.flushAll();
    else db.clear();
    reply.status("OK");
  };
}

const scan: KvHandler = (db, _key, command, reply) => {
  const cursor = parseCursor(command.arg(0)!);
  const { count, pattern, type } = parseScanOptions(command, 1, true);
  const page = db.scan(cursor, count);
  const keys: Uint8Array[] = [];
  for (const key of page.keys) {
    const bytes = keyBytes(key);
    if (pattern !== undefined && !globMatch(pattern, bytes)) continue;
    if (type !== undefined) {
      const value = db.find(key);
      if (value === undefined || !isWord(type, typeOf(value))) continue;
    }
    keys.push(bytes);
  }
  scanReply(reply, page.cursor, keys);
};

const keys: KvHandler = (db, _key, command, reply) => {
  const pattern = command.arg(0)!;
  const all = pattern.length === 1 && pattern[0] === 42;
  const out: Uint8Array[] = [];
  for (const key of db.keys()) {
    const bytes = keyBytes(key);
    if (all || globMatch(pattern, bytes)) out.push(bytes);
  }
  reply.arrayHeader(out.length);
  for (const bytes of out) reply.bulk(bytes);
};

/** The database `index` (an int argument) of `db`'s keyspace, or undefined when out of range. */
function otherDb(db: Database, command: Command, index: number): Database | undefined {
  const n = intArg(command, index);
  return n < 0 || n >= db.keyspace.databases ? undefined : db.keyspace.db(n);
}

const copy: KvHandler = (src, key, command, reply) => {
  let dst = src;
  let replace = false;
  for (let i = 2; i < command.length; i++) {
    if (command.is(i, "replace")) replace = true;
    else if (command.is(i, "db") && i + 1 < command.length) {
      const other = otherDb(src, command, i + 1);
      if (other === undefined) return reply.error(DB_INDEX_RANGE);
      dst = other;
      i++;
    } else return reply.error(SYNTAX);
  }
  const newKey = keyOf(command.arg(1)!);
  if (src === dst && key === newKey) return reply.error(SAME_OBJECT);
  const value = src.get(key);
  if (value === undefined) return reply.integer(0);
  const expire = src.expireTime(key);
  if (dst.get(newKey) !== undefined) {
    if (!replace) return reply.integer(0);
    dst.delete(newKey);
  }
  place(dst, newKey, cloneValue(value), expire, src.stringEncoding(key));
  reply.integer(1);
};

const move: KvHandler = (src, key, command, reply) => {
  const dst = otherDb(src, command, 1);
  if (dst === undefined) return reply.error(DB_INDEX_RANGE);
  if (src === dst) return reply.error(SAME_OBJECT);
  const value = src.get(key);
  if (value === undefined) return reply.integer(0);
  const expire = src.expireTime(key);
  if (dst.get(key) !== undefined) return reply.integer(0);
  place(dst, key, value, expire, src.stringEncoding(key));
  src.delete(key);
  reply.integer(1);
};

/** The generic key commands. */
export const keyCommands: readonly KvCommand[] = [
  {
    name: "del",
    arity: -2,
    flags: ["write"],
    acl: ["keyspace"],
    keys: [keyRange(1, -1, 1, "RM", "delete")],
    tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
    group: "generic",
    since: "1.0.0",
    complexity:
      "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
    summary: "Delete a key",
    handler: countKeys(deleteKey),
  },
  {
    name: "unlink",
    arity: -2,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyRange(1, -1, 1, "RM", "delete")],
    tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
    group: "generic",
    since: "4.0.0",
    complexity:
      "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
    summary:
      "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
    handler: countKeys(deleteKey),
  },
  {
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    keys: [keyRange(1, -1, 1, "RO")],
    tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
    group: "generic",
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys to check.",
    summary: "Determine if a key exists",
    history: [["3.0.3", "Accepts multiple `key` arguments."]],
    handler: countKeys(hasKey),
  },
  {
    name: "touch",
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    keys: [keyRange(1, -1, 1, "RO")],
    tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
    group: "generic",
    since: "3.2.1",
    complexity: "O(N) where N is the number of keys that will be touched.",
    summary:
      "Alters the last access time of a key(s). Returns the number of existing keys specified.",
    handler: countKeys(touchKey),
  },
  {
    name: "type",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RO")],
    group: "generic",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Determine the type stored at key",
    handler: (db, key, _command, reply) => {
      const value = db.find(key);
      reply.status(value === undefined ? "none" : typeOf(value));
    },
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    acl: ["keyspace", "dangerous"],
    tips: ["request_policy:all_shards", "nondeterministic_output_order"],
    group: "generic",
    since: "1.0.0",
    complexity:
      "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
    summary: "Find all keys matching the given pattern",
    handler: keys,
  },
  {
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    acl: ["keyspace"],
    tips: ["nondeterministic_output", "request_policy:special"],
    group: "generic",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    summary: "Incrementally iterate the keys space",
    history: [["6.0.0", "Added the `TYPE` subcommand."]],
    handler: scan,
  },
  {
    name: "rename",
    arity: 3,
    flags: ["write"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "access", "delete"), keyAt(2, "OW", "update")],
    group: "generic",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Rename a key",
    handler: renameHandler(false),
  },
  {
    name: "renamenx",
    arity: 3,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "access", "delete"), keyAt(2, "OW", "insert")],
    group: "generic",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Rename a key, only if the new key does not exist",
    history: [[
      "3.2.0",
      "The command no longer returns an error when source and destination names are the same.",
    ]],
    handler: renameHandler(true),
  },
  {
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    acl: ["keyspace"],
    tips: ["request_policy:all_shards", "nondeterministic_output"],
    group: "generic",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Return a random key from the keyspace",
    handler: (db, _key, _command, reply) => {
      const key = db.randomKey();
      if (key === undefined) reply.null();
      else reply.bulk(keyBytes(key));
    },
  },
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    group: "server",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Return the number of keys in the selected database",
    handler: (db, _key, _command, reply) => reply.integer(db.size),
  },
  {
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    acl: ["keyspace", "dangerous"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    group: "server",
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys in the selected database",
    summary: "Remove all keys from the current database",
    history: [["4.0.0", "Added the `ASYNC` flushing mode modifier."], [
      "6.2.0",
      "Added the `SYNC` flushing mode modifier.",
    ]],
    handler: flushHandler(false),
  },
  {
    name: "flushall",
    arity: -1,
    flags: ["write"],
    acl: ["keyspace", "dangerous"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    group: "server",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of keys in all databases",
    summary: "Remove all keys from all databases",
    history: [["4.0.0", "Added the `ASYNC` flushing mode modifier."], [
      "6.2.0",
      "Added the `SYNC` flushing mode modifier.",
    ]],
    handler: flushHandler(true),
  },
  {
    name: "copy",
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RO", "access"), keyAt(2, "OW", "update")],
    group: "generic",
    since: "6.2.0",
    complexity:
      "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
    summary: "Copy a key",
    handler: copy,
  },
  {
    name: "move",
    arity: 3,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "generic",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Move a key to another database",
    handler: move,
  },
];
