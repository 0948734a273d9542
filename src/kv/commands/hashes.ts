/**
 * Hash commands (Redis's t_hash.c): HSET, HSETNX, HGET, HMGET, HMSET, HGETALL, HDEL,
 * HEXISTS, HLEN, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HSTRLEN, HRANDFIELD and HSCAN. Values
 * are {@link RedisHash}es.
 *
 * @module
 */

import { parseBigInt, stringToBytes } from "../../resp/bytes.ts";
import { parseLongBig, rangeLongArg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import { fail, NOT_FLOAT, NOT_INTEGER, OVERFLOW, SYNTAX } from "../../server/errors.ts";
import { globMatch } from "../../server/glob.ts";
import type { Reply } from "../../server/reply.ts";
import { isWord } from "../args.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { deleteMembers, lookup } from "../lookup.ts";
import { parseCursor, parseScanOptions, scanReply } from "../scan.ts";
import { LISTPACK_VALUE, RedisHash } from "../values/hash.ts";
import {
  addLongDouble,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
} from "../values/long_double.ts";
import { MapScanner } from "../values/map_scanner.ts";
import { checkPairedCount, checkRepeatedPicks } from "./random_count.ts";
import { randomIndex } from "../values/set.ts";

/** Redis `hashTypeTryConversion`: long arguments convert before anything is set. */
function tryConversion(hash: RedisHash, command: Command, from: number, to: number): void {
  if (!hash.listpack) return;
  for (let i = from; i <= to; i++) {
    if (command.arg(i)!.length > LISTPACK_VALUE) {
      hash.listpack = false;
      return;
    }
  }
}

function getOrCreate(db: Database, key: string): { hash: RedisHash; created: boolean } {
  const hash = lookup<RedisHash>(db, key, "hash");
  if (hash !== undefined) return { hash, created: false };
  return { hash: new RedisHash(), created: true };
}

/** Stores a possibly new hash and signals the change. */
function commit(db: Database, key: string, hash: RedisHash, created: boolean): void {
  if (created) db.set(key, hash);
  else db.touch(key);
}

function hset(multi: boolean): KvHandler {
  return (db, key, command, reply) => {
    if (command.length % 2 === 0) {
      fail(`ERR wrong number of arguments for '${command.name}' command`);
    }
    const { hash, created } = getOrCreate(db, key);
    tryConversion(hash, command, 1, command.length - 1);
    let added = 0;
    for (let i = 1; i < command.length; i += 2) {
      if (hash.put(keyOf(command.arg(i)!), command.arg(i + 1)!)) added++;
    }
    commit(db, key, hash, created);
    if (multi) reply.status("OK");
    else reply.integer(added);
  };
}

function getAll(fields: boolean, values: boolean): KvHandler {
  return (db, key, _command, reply) => {
    const hash = lookup<RedisHash>(db, key, "hash");
    const size = hash === undefined ? 0 : hash.size;
    if (fields && values) reply.mapHeader(size);
    else reply.arrayHeader(size);
    if (hash === undefined) return;
    for (const [field, value] of hash) {
      if (fields) reply.bulk(keyBytes(field));
      if (values) reply.bulk(value);
    }
  };
}

const hincrby: KvHandler = (db, key, command, reply) => {
  const increment = parseLongBig(command.arg(2)!);
  if (increment === undefined) fail(NOT_INTEGER);
  const { hash, created } = getOrCreate(db, key);
  const field = keyOf(command.arg(1)!);
  const current = hash.get(field);
  let value = 0n;
  if (current !== undefined) {
    const parsed = parseBigInt(current);
    if (parsed === undefined) fail("ERR hash value is not an integer");
    value = parsed;
  }
  const result = value + increment;
  if (result > 9223372036854775807n || result < -9223372036854775808n) fail(OVERFLOW);
  hash.set(field, stringToBytes(result.toString()));
  commit(db, key, hash, created);
  reply.integer(result);
};

const hincrbyfloat: KvHandler = (db, key, command, reply) => {
  const increment = parseLongDouble(keyOf(command.arg(2)!));
  if (increment === undefined) fail(NOT_FLOAT);
  if (typeof increment === "number") fail("ERR value is NaN or Infinity");
  const { hash, created } = getOrCreate(db, key);
  const field = keyOf(command.arg(1)!);
  const current = hash.get(field);
  let value: LongDouble = { negative: false, mantissa: 0n, exponent: 0 };
  if (current !== undefined) {
    const parsed = parseLongDouble(keyOf(current));
    if (parsed === undefined) fail("ERR hash value is not a float");
    if (typeof parsed === "number") fail("ERR increment would produce NaN or Infinity");
    value = parsed;
  }
  const result = addLongDouble(value, increment);
  if (result === undefined) fail("ERR increment would produce NaN or Infinity");
  const text = stringToBytes(formatLongDouble(result));
  hash.set(field, text);
  commit(db, key, hash, created);
  reply.bulk(text);
};

const hrandfield: KvHandler = (db, key, command, reply) => {
  if (command.length >= 2) {
    const l = rangeLongArg(command, 1);
    let withValues = false;
    if (command.length > 3 || (command.length === 3 && !isWord(command.arg(2)!, "withvalues"))) {
      fail(SYNTAX);
    } else if (command.length === 3) {
      withValues = true;
      checkPairedCount(command, 1);
    }
    return randomFields(lookup<RedisHash>(db, key, "hash"), reply, l, withValues);
  }
  const hash = lookup<RedisHash>(db, key, "hash");
  if (hash === undefined) return reply.null();
  const entries = [...hash.keys()];
  reply.bulk(keyBytes(entries[randomIndex(entries.length)]));
};

/** HRANDFIELD with a count: distinct fields when `l` >= 0, else `-l` picks with repetitions. */
function randomFields(
  hash: RedisHash | undefined,
  reply: Reply,
  l: number,
  withValues: boolean,
): void {
  if (hash === undefined) return reply.arrayHeader(0);
  const unique = l >= 0;
  const count = unique ? l : -l;
  if (count === 0) return reply.arrayHeader(0);
  const nested = withValues && reply.protocol === 3;
  const emit = (field: string, value: Uint8Array): void => {
    if (nested) reply.arrayHeader(2);
    reply.bulk(keyBytes(field));
    if (withValues) reply.bulk(value);
  };
  const entries = [...hash];
  const size = entries.length;
  if (!unique || count === 1) {
    checkRepeatedPicks(count);
    reply.arrayHeader(withValues && !nested ? count * 2 : count);
    for (let i = 0; i < count; i++) {
      const [field, value] = entries[randomIndex(size)];
      emit(field, value);
    }
    return;
  }
  const n = Math.min(count, size);
  reply.arrayHeader(withValues && !nested ? n * 2 : n);
  if (count >= size) {
    for (const [field, value] of entries) emit(field, value);
    return;
  }
  // Partial Fisher-Yates: `count` distinct random entries.
  for (let i = 0; i < count; i++) {
    const j = i + randomIndex(size - i);
    const t = entries[i];
    entries[i] = entries[j];
    entries[j] = t;
    emit(entries[i][0], entries[i][1]);
  }
}

const hscan: KvHandler = (db, key, command, reply) => {
  const cursor = parseCursor(command.arg(1)!);
  const hash = lookup<RedisHash>(db, key, "hash");
  if (hash === undefined) return scanReply(reply, 0, []);
  const { count, pattern } = parseScanOptions(command, 2, false);
  let next = 0;
  let fields: string[];
  if (hash.listpack) fields = [...hash.keys()];
  else {
    hash.scanner ??= new MapScanner<string>();
    const page = hash.scanner.scan(hash, cursor, count);
    next = page.cursor;
    fields = page.keys;
  }
  const items: Uint8Array[] = [];
  for (const field of fields) {
    const value = hash.get(field);
    if (value === undefined) continue;
    const bytes = keyBytes(field);
    if (pattern !== undefined && !globMatch(pattern, bytes)) continue;
    items.push(bytes, value);
  }
  scanReply(reply, next, items);
};

/** The hash commands. */
export const hashCommands: readonly KvCommand[] = [
  {
    name: "hset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RW", "update")],
    group: "hash",
    since: "2.0.0",
    complexity:
      "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    summary: "Set the string value of a hash field",
    history: [["4.0.0", "Accepts multiple `field` and `value` arguments."]],
    handler: hset(false),
  },
  {
    name: "hmset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RW", "update")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields being set.",
    summary: "Set multiple hash fields to multiple values",
    docFlags: ["deprecated"],
    deprecatedSince: "4.0.0",
    replacedBy: "`HSET` with multiple field-value pairs",
    handler: hset(true),
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RW", "insert")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(1)",
    summary: "Set the value of a hash field, only if the field does not exist",
    handler: (db, key, command, reply) => {
      const { hash, created } = getOrCreate(db, key);
      tryConversion(hash, command, 1, 2);
      const field = keyOf(command.arg(1)!);
      if (hash.has(field)) return reply.integer(0);
      hash.set(field, command.arg(2)!);
      commit(db, key, hash, created);
      reply.integer(1);
    },
  },
  {
    name: "hget",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RO", "access")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(1)",
    summary: "Get the value of a hash field",
    handler: (db, key, command, reply) => {
      const value = lookup<RedisHash>(db, key, "hash")?.get(keyOf(command.arg(1)!));
      if (value === undefined) reply.null();
      else reply.bulk(value);
    },
  },
  {
    name: "hmget",
    arity: -3,
    flags: ["readonly", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RO", "access")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields being requested.",
    summary: "Get the values of all the given hash fields",
    handler: (db, key, command, reply) => {
      const hash = lookup<RedisHash>(db, key, "hash");
      reply.arrayHeader(command.length - 1);
      for (let i = 1; i < command.length; i++) {
        const value = hash?.get(keyOf(command.arg(i)!));
        if (value === undefined) reply.null();
        else reply.bulk(value);
      }
    },
  },
  {
    name: "hgetall",
    arity: 2,
    flags: ["readonly"],
    acl: ["hash"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    group: "hash",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    summary: "Get all the fields and values in a hash",
    handler: getAll(true, true),
  },
  {
    name: "hkeys",
    arity: 2,
    flags: ["readonly"],
    acl: ["hash"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    group: "hash",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    summary: "Get all the fields in a hash",
    handler: getAll(true, false),
  },
  {
    name: "hvals",
    arity: 2,
    flags: ["readonly"],
    acl: ["hash"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    group: "hash",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    summary: "Get all the values in a hash",
    handler: getAll(false, true),
  },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RW", "delete")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields to be removed.",
    summary: "Delete one or more hash fields",
    history: [["2.4.0", "Accepts multiple `field` arguments."]],
    handler: (db, key, command, reply) =>
      reply.integer(deleteMembers(db, key, lookup<RedisHash>(db, key, "hash"), command)),
  },
  {
    name: "hlen",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RO")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(1)",
    summary: "Get the number of fields in a hash",
    handler: (db, key, _command, reply) => {
      const hash = lookup<RedisHash>(db, key, "hash");
      reply.integer(hash === undefined ? 0 : hash.size);
    },
  },
  {
    name: "hstrlen",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RO")],
    group: "hash",
    since: "3.2.0",
    complexity: "O(1)",
    summary: "Get the length of the value of a hash field",
    handler: (db, key, command, reply) => {
      const hash = lookup<RedisHash>(db, key, "hash");
      reply.integer(hash?.get(keyOf(command.arg(1)!))?.length ?? 0);
    },
  },
  {
    name: "hexists",
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RO")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(1)",
    summary: "Determine if a hash field exists",
    handler: (db, key, command, reply) => {
      const hash = lookup<RedisHash>(db, key, "hash");
      reply.integer(hash !== undefined && hash.has(keyOf(command.arg(1)!)) ? 1 : 0);
    },
  },
  {
    name: "hincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "hash",
    since: "2.0.0",
    complexity: "O(1)",
    summary: "Increment the integer value of a hash field by the given number",
    handler: hincrby,
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["hash"],
    keys: [keyAt(1, "RW", "access", "update")],
    group: "hash",
    since: "2.6.0",
    complexity: "O(1)",
    summary: "Increment the float value of a hash field by the given amount",
    handler: hincrbyfloat,
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    acl: ["hash"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output"],
    group: "hash",
    since: "6.2.0",
    complexity: "O(N) where N is the number of fields returned",
    summary: "Get one or multiple random fields from a hash",
    handler: hrandfield,
  },
  {
    name: "hscan",
    arity: -3,
    flags: ["readonly"],
    acl: ["hash"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output"],
    group: "hash",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    summary: "Incrementally iterate hash fields and associated values",
    handler: hscan,
  },
];
