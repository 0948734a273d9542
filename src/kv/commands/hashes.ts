/**
 * Redis hashes for the key-value server: HSET, HSETNX, HGET, HMGET, HMSET, HGETALL, HDEL,
 * HEXISTS, HLEN, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HSTRLEN, HRANDFIELD, HSCAN.
 *
 * A hash is a `Map` from field (binary string, one char per byte — so `__proto__` is just
 * a field) to value bytes. Its insertion order is the order Redis 7.0 replies in while the
 * hash is small (listpack encoding: up to 128 fields of up to 64 bytes); the object tracks
 * that encoding because HSCAN answers a listpack hash in one page, as Redis does.
 *
 * @module
 */

import { parseBigInt, stringToBytes } from "../../resp/bytes.ts";
import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { globMatch } from "../../server/glob.ts";
import type { Reply } from "../../server/reply.ts";
import type { Router } from "../../server/router.ts";
import {
  compactBytes,
  type Database,
  keyBytes,
  keyOf,
  type Keyspace,
  type RedisObject,
} from "../keyspace/keyspace.ts";
import {
  addLongDouble,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
} from "../values/long_double.ts";
import {
  deleteMembers,
  fail,
  isWord,
  lookup,
  MapScanner,
  NOT_FLOAT,
  NOT_INTEGER,
  parseCursor,
  parseLongBig,
  parseScanOptions,
  randomIndex,
  rangeLongArg,
  SYNTAX_ERROR,
} from "../args.ts";

/** Redis's hash-max-listpack-entries. */
const LISTPACK_ENTRIES = 128;
/** Redis's hash-max-listpack-value. */
const LISTPACK_VALUE = 64;
/** Largest count HRANDFIELD serves (Redis would try to write without bound). */
const RANDOM_MAX = 100_000_000;

/**
 * A Redis hash value: field (binary string) → value bytes.
 *
 * @example
 * ```ts
 * import { RedisHash } from "./hashes.ts";
 *
 * const hash = new RedisHash();
 * hash.set("__proto__", new Uint8Array([49]));
 * hash.get("__proto__"); // Uint8Array [49]
 * hash.type; // "hash"
 * ```
 */
export class RedisHash extends Map<string, Uint8Array> implements RedisObject {
  /** Still in Redis's compact listpack encoding (small hash): HSCAN answers in one page. */
  listpack = true;
  /** Live iterators of HSCANs in progress. */
  scanner: MapScanner<string> | undefined;

  /** Always "hash". */
  get type(): "hash" {
    return "hash";
  }

  /** Sets a field, tracking Redis's encoding conversion. */
  override set(field: string, value: Uint8Array): this {
    super.set(field, value);
    if (
      this.listpack &&
      (this.size > LISTPACK_ENTRIES || field.length > LISTPACK_VALUE ||
        value.length > LISTPACK_VALUE)
    ) this.listpack = false;
    return this;
  }

  /** A deep copy (COPY). */
  clone(): RedisHash {
    const copy = new RedisHash();
    for (const [k, v] of this) copy.set(k, v.slice());
    copy.listpack = this.listpack;
    return copy;
  }
}

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

/**
 * Registers the hash commands on `router`, storing data in `keyspace`.
 *
 * @example
 * ```ts
 * import { Router } from "../../server/router.ts";
 * import { registerHashCommands } from "./hashes.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 *
 * const keyspace = new Keyspace();
 * const router = new Router();
 * registerHashCommands(router, keyspace);
 * keyspace.close();
 * ```
 */
export function registerHashCommands(router: Router, keyspace: Keyspace): void {
  const dbOf = (connection: Connection): Database => keyspace.db(connection.db);
  const keyArg = (command: Command): string => keyOf(command.arg(0)!);

  const hset = (multi: boolean) => (command: Command, reply: Reply, connection: Connection) => {
    if (command.length % 2 === 0) {
      fail(`ERR wrong number of arguments for '${command.name}' command`);
    }
    const db = dbOf(connection);
    const key = keyArg(command);
    const { hash, created } = getOrCreate(db, key);
    tryConversion(hash, command, 1, command.length - 1);
    let added = 0;
    for (let i = 1; i < command.length; i += 2) {
      const field = keyOf(command.arg(i)!);
      if (!hash.has(field)) added++;
      hash.set(field, compactBytes(command.arg(i + 1)!));
    }
    commit(db, key, hash, created);
    if (multi) reply.ok();
    else reply.integer(added);
  };

  router.register("hset", {
    handler: hset(false),
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Creates or modifies the value of a field in a hash.",
  });
  router.register("hmset", {
    handler: hset(true),
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Sets the values of multiple fields.",
  });

  router.register("hsetnx", {
    handler(command, reply, connection) {
      const db = dbOf(connection);
      const key = keyArg(command);
      const { hash, created } = getOrCreate(db, key);
      tryConversion(hash, command, 1, 2);
      const field = keyOf(command.arg(1)!);
      if (hash.has(field)) {
        reply.integer(0);
        return;
      }
      hash.set(field, compactBytes(command.arg(2)!));
      commit(db, key, hash, created);
      reply.integer(1);
    },
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Sets the value of a field in a hash only when the field doesn't exist.",
  });

  router.register("hget", {
    handler(command, reply, connection) {
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      const value = hash?.get(keyOf(command.arg(1)!));
      if (value === undefined) reply.null();
      else reply.bulk(value);
    },
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns the value of a field in a hash.",
  });

  router.register("hmget", {
    handler(command, reply, connection) {
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      reply.arrayHeader(command.length - 1);
      for (let i = 1; i < command.length; i++) {
        const value = hash?.get(keyOf(command.arg(i)!));
        if (value === undefined) reply.null();
        else reply.bulk(value);
      }
    },
    arity: -3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns the values of all fields in a hash.",
  });

  const getAll =
    (fields: boolean, values: boolean) =>
    (command: Command, reply: Reply, connection: Connection) => {
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      const size = hash === undefined ? 0 : hash.size;
      if (fields && values) reply.mapHeader(size);
      else reply.arrayHeader(size);
      if (hash === undefined) return;
      for (const [field, value] of hash) {
        if (fields) reply.bulk(keyBytes(field));
        if (values) reply.bulk(value);
      }
    };

  router.register("hgetall", {
    handler: getAll(true, true),
    arity: 2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns all fields and values in a hash.",
  });
  router.register("hkeys", {
    handler: getAll(true, false),
    arity: 2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns all fields in a hash.",
  });
  router.register("hvals", {
    handler: getAll(false, true),
    arity: 2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns all values in a hash.",
  });

  router.register("hdel", {
    handler(command, reply, connection) {
      const db = dbOf(connection);
      const key = keyArg(command);
      reply.integer(deleteMembers(db, key, lookup<RedisHash>(db, key, "hash"), command));
    },
    arity: -3,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary:
      "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.",
  });

  router.register("hlen", {
    handler(command, reply, connection) {
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      reply.integer(hash === undefined ? 0 : hash.size);
    },
    arity: 2,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns the number of fields in a hash.",
  });

  router.register("hstrlen", {
    handler(command, reply, connection) {
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      reply.integer(hash?.get(keyOf(command.arg(1)!))?.length ?? 0);
    },
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns the length of the value of a field.",
  });

  router.register("hexists", {
    handler(command, reply, connection) {
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      reply.integer(hash !== undefined && hash.has(keyOf(command.arg(1)!)) ? 1 : 0);
    },
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Determines whether a field exists in a hash.",
  });

  router.register("hincrby", {
    handler(command, reply, connection) {
      const increment = parseLongBig(command.arg(2)!);
      if (increment === undefined) fail(NOT_INTEGER);
      const db = dbOf(connection);
      const key = keyArg(command);
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
      if (result > 9223372036854775807n || result < -9223372036854775808n) {
        fail("ERR increment or decrement would overflow");
      }
      hash.set(field, stringToBytes(result.toString()));
      commit(db, key, hash, created);
      reply.integer(result);
    },
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary:
      "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
  });

  router.register("hincrbyfloat", {
    handler(command, reply, connection) {
      const increment = parseLongDouble(latin1(command.arg(2)!));
      if (increment === undefined) fail(NOT_FLOAT);
      if (typeof increment === "number") fail("ERR value is NaN or Infinity");
      const db = dbOf(connection);
      const key = keyArg(command);
      const { hash, created } = getOrCreate(db, key);
      const field = keyOf(command.arg(1)!);
      const current = hash.get(field);
      let value: LongDouble = { negative: false, mantissa: 0n, exponent: 0 };
      if (current !== undefined) {
        const parsed = parseLongDouble(latin1(current));
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
    },
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary:
      "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.",
  });

  router.register("hrandfield", {
    handler(command, reply, connection) {
      if (command.length >= 2) {
        const l = rangeLongArg(command, 1);
        let withValues = false;
        if (
          command.length > 3 || (command.length === 3 && !isWord(command.arg(2)!, "withvalues"))
        ) {
          fail(SYNTAX_ERROR);
        } else if (command.length === 3) {
          withValues = true;
          if (l < -LONG_HALF || l > LONG_HALF) fail("ERR value is out of range");
        }
        randomFieldsWithCount(command, reply, connection, l, withValues);
        return;
      }
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      if (hash === undefined) {
        reply.null();
        return;
      }
      const entries = [...hash.keys()];
      reply.bulk(keyBytes(entries[randomIndex(entries.length)]));
    },
    arity: -2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns one or more random fields from a hash.",
  });

  const randomFieldsWithCount = (
    command: Command,
    reply: Reply,
    connection: Connection,
    l: number,
    withValues: boolean,
  ): void => {
    const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
    if (hash === undefined) {
      reply.arrayHeader(0);
      return;
    }
    const unique = l >= 0;
    const count = unique ? l : -l;
    if (count === 0) {
      reply.arrayHeader(0);
      return;
    }
    if (count > RANDOM_MAX) fail("ERR value is out of range");
    const nested = withValues && reply.protocol === 3;
    const emit = (field: string, value: Uint8Array): void => {
      if (nested) reply.arrayHeader(2);
      reply.bulk(keyBytes(field));
      if (withValues) reply.bulk(value);
    };
    const entries = [...hash];
    const size = entries.length;
    if (!unique || count === 1) {
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
  };

  router.register("hscan", {
    handler(command, reply, connection) {
      const cursor = parseCursor(command.arg(1)!);
      const hash = lookup<RedisHash>(dbOf(connection), keyArg(command), "hash");
      if (hash === undefined) {
        reply.arrayHeader(2);
        reply.bulk("0");
        reply.arrayHeader(0);
        return;
      }
      const { count, pattern } = parseScanOptions(command, 2);
      let next = 0;
      let fields: string[];
      if (hash.listpack) fields = [...hash.keys()];
      else {
        hash.scanner ??= new MapScanner<string>();
        const page = hash.scanner.scan(hash, cursor, count);
        next = page.cursor;
        fields = page.keys;
      }
      const out: Array<[Uint8Array, Uint8Array]> = [];
      for (const field of fields) {
        const value = hash.get(field);
        if (value === undefined) continue;
        const bytes = keyBytes(field);
        if (pattern !== undefined && !globMatch(pattern, bytes)) continue;
        out.push([bytes, value]);
      }
      reply.arrayHeader(2);
      reply.bulk(String(next));
      reply.arrayHeader(out.length * 2);
      for (const [field, value] of out) {
        reply.bulk(field);
        reply.bulk(value);
      }
    },
    arity: -3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Iterates over fields and values of a hash.",
  });
}

const LONG_HALF = 4611686018427387903; // LONG_MAX / 2

function latin1(bytes: Uint8Array): string {
  return keyOf(bytes);
}
