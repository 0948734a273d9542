/**
 * Generic key commands of the key-value server: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, SCAN,
 * RENAME, RENAMENX, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, the EXPIRE family, TTL/PTTL,
 * EXPIRETIME/PEXPIRETIME, PERSIST, COPY and MOVE — with Redis 7.0's replies and error texts.
 *
 * @module
 */

import { parseInteger } from "../../resp/bytes.ts";
import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { globMatch } from "../../server/glob.ts";
import type { Reply } from "../../server/reply.ts";
import type { CommandSpec, Handler, Router } from "../../server/router.ts";
import {
  cloneValue,
  type Database,
  keyBytes,
  keyOf,
  type Keyspace,
  type KeyValue,
  typeOf,
} from "../keyspace/keyspace.ts";
import { fail, isWord, NOT_INTEGER, parseCursor, parseLongBig, SYNTAX_ERROR } from "../args.ts";

/** `-ERR source and destination objects are the same`. */
const SAME_OBJECT = "ERR source and destination objects are the same";
/** `-ERR DB index is out of range`. */
const DB_RANGE = "ERR DB index is out of range";

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
/** Below this, `when * 1000 + now` is exact in a double. */
const SAFE_WHEN = 2 ** 42;

/**
 * Argument `index` as a C `int` (Redis `getIntFromObjectOrReply`): throws `message`, or by
 * default "value is not an integer or out of range" / "value is out of range, value must
 * between -2147483648 and 2147483647".
 *
 * @example
 * ```ts
 * import type { Command } from "../../server/command.ts";
 * import { intArg } from "./keys.ts";
 *
 * function dbIndex(command: Command): number {
 *   return intArg(command, 1);
 * }
 * ```
 */
export function intArg(command: Command, index: number, message?: string): number {
  const bytes = command.arg(index);
  const big = bytes === undefined ? undefined : parseLongBig(bytes);
  if (big === undefined) fail(message ?? NOT_INTEGER);
  if (big > 2147483647n || big < -2147483648n) {
    fail(message ?? "ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  return Number(big);
}

/**
 * Argument `index` as an exact int64 (Redis `getLongLongFromObjectOrReply`): a number when
 * it is a safe integer, else a bigint; throws "value is not an integer or out of range".
 *
 * @example
 * ```ts
 * import type { Command } from "../../server/command.ts";
 * import { int64Arg } from "./keys.ts";
 *
 * function amount(command: Command): number | bigint {
 *   return int64Arg(command, 1);
 * }
 * ```
 */
export function int64Arg(command: Command, index: number): number | bigint {
  const bytes = command.arg(index)!;
  const small = parseInteger(bytes);
  if (small !== undefined) return small;
  const big = parseLongBig(bytes);
  if (big === undefined) fail(NOT_INTEGER);
  return big;
}

/**
 * Computes an absolute expiry in ms from a relative or absolute time argument, with Redis's
 * overflow checks. `unit` is 1000 for seconds, 1 for ms; `base` the time to add (now for
 * EXPIRE/PEXPIRE, 0 for EXPIREAT/PEXPIREAT). Returns undefined on overflow.
 *
 * @example
 * ```ts
 * import { expireTime } from "./keys.ts";
 *
 * expireTime(10, 1000, 1_000); // 11_000
 * ```
 */
export function expireTime(
  when: number | bigint,
  unit: 1 | 1000,
  base: number,
): number | undefined {
  if (typeof when === "number" && when < SAFE_WHEN && when > -SAFE_WHEN) {
    return when * unit + base;
  }
  let w = BigInt(when);
  if (unit === 1000) {
    if (w > LLONG_MAX / 1000n || w < LLONG_MIN / 1000n) return undefined;
    w *= 1000n;
  }
  if (w > LLONG_MAX - BigInt(base)) return undefined;
  return Number(w + BigInt(base));
}

/** The database a connection has SELECTed. */
function dbOf(ks: Keyspace, connection: Connection): Database {
  return ks.db(connection.db);
}

/** Redis's dbAdd signals list/zset keys as ready for blocked clients. */
function signalIfBlockable(db: Database, key: string, value: KeyValue): void {
  if (!(value instanceof Uint8Array) && (value.type === "list" || value.type === "zset")) {
    db.signalReady(key);
  }
}

function countKeys(
  command: Command,
  db: Database,
  each: (db: Database, key: string) => boolean,
): number {
  let n = 0;
  const argv = command.argv;
  for (let i = 1; i < argv.length; i++) if (each(db, keyOf(argv[i]))) n++;
  return n;
}

const deleteKey = (db: Database, key: string): boolean => db.delete(key);
const hasKey = (db: Database, key: string): boolean => db.has(key);

/** Redis's `parseExtendedExpireArgumentsOrReply` flags. */
const NX = 1, XX = 2, GT = 4, LT = 8;

function expireFlags(command: Command, from: number): number {
  let flags = 0;
  for (let i = from; i < command.length; i++) {
    if (command.is(i, "nx")) flags |= NX;
    else if (command.is(i, "xx")) flags |= XX;
    else if (command.is(i, "gt")) flags |= GT;
    else if (command.is(i, "lt")) flags |= LT;
    else fail(`ERR Unsupported option ${command.string(i)}`);
  }
  if ((flags & NX) && (flags & (XX | GT | LT))) {
    fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & GT) && (flags & LT)) {
    fail("ERR GT and LT options at the same time are not compatible");
  }
  return flags;
}

function expireHandler(unit: 1 | 1000, relative: boolean) {
  return (ks: Keyspace, command: Command, reply: Reply, connection: Connection): void => {
    const flags = command.length > 2 ? expireFlags(command, 2) : 0;
    const when = expireTime(int64Arg(command, 1), unit, relative ? ks.now() : 0);
    if (when === undefined) {
      return reply.error(`ERR invalid expire time in '${command.name}' command`);
    }
    const db = ks.db(connection.db);
    const key = keyOf(command.arg(0)!);
    if (!db.has(key)) return reply.integer(0);
    if (flags !== 0) {
      const current = db.expireAt(key);
      if ((flags & NX) && current !== undefined) return reply.integer(0);
      if ((flags & XX) && current === undefined) return reply.integer(0);
      if ((flags & GT) && (current === undefined || when <= current)) return reply.integer(0);
      if ((flags & LT) && current !== undefined && when >= current) return reply.integer(0);
    }
    if (when <= ks.now()) db.delete(key);
    else db.setExpireAt(key, when);
    reply.integer(1);
  };
}

function ttlHandler(ms: boolean, absolute: boolean) {
  return (ks: Keyspace, command: Command, reply: Reply, connection: Connection): void => {
    const db = ks.db(connection.db);
    const key = keyOf(command.arg(0)!);
    if (!db.has(key)) return reply.integer(-2);
    const expire = db.expireAt(key);
    if (expire === undefined) return reply.integer(-1);
    let ttl = absolute ? expire : expire - ks.now();
    if (ttl < 0) ttl = 0;
    reply.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
  };
}

function renameHandler(nx: boolean) {
  return (ks: Keyspace, command: Command, reply: Reply, connection: Connection): void => {
    const db = dbOf(ks, connection);
    const src = keyOf(command.arg(0)!);
    const dst = keyOf(command.arg(1)!);
    const value = db.get(src);
    if (value === undefined) return reply.error("ERR no such key");
    if (src === dst) return nx ? reply.integer(0) : reply.ok();
    const expire = db.expireAt(src);
    if (db.has(dst)) {
      if (nx) return reply.integer(0);
      db.delete(dst);
    }
    db.set(dst, value);
    if (expire !== undefined) db.setExpireAt(dst, expire);
    db.delete(src);
    signalIfBlockable(db, dst, value);
    return nx ? reply.integer(1) : reply.ok();
  };
}

function flushHandler(all: boolean) {
  return (ks: Keyspace, command: Command, reply: Reply, connection: Connection): void => {
    if (
      command.length > 1 || (command.length === 1 && !command.is(0, "sync") &&
        !command.is(0, "async"))
    ) {
      return reply.error(SYNTAX_ERROR);
    }
    if (all) ks.flushAll();
    else ks.db(connection.db).clear();
    reply.ok();
  };
}

function scanHandler(
  ks: Keyspace,
  command: Command,
  reply: Reply,
  connection: Connection,
): void {
  const cursor = parseCursor(command.arg(0)!);
  let count = 10;
  let pattern: Uint8Array | undefined;
  let type: Uint8Array | undefined;
  const n = command.length;
  for (let i = 1; i < n;) {
    const more = n - i;
    if (command.is(i, "count") && more >= 2) {
      const big = parseLongBig(command.arg(i + 1)!);
      if (big === undefined) fail(NOT_INTEGER);
      if (big < 1n) fail(SYNTAX_ERROR);
      count = big > 1_000_000_000n ? 1_000_000_000 : Number(big);
      i += 2;
    } else if (command.is(i, "match") && more >= 2) {
      const p = command.arg(i + 1)!;
      pattern = p.length === 1 && p[0] === 42 ? undefined : p;
      i += 2;
    } else if (command.is(i, "type") && more >= 2) {
      type = command.arg(i + 1)!;
      i += 2;
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  const db = dbOf(ks, connection);
  const page = db.scan(cursor, count);
  let keys = page.keys;
  if (pattern !== undefined || type !== undefined) {
    keys = keys.filter((key) => {
      if (pattern !== undefined && !globMatch(pattern, keyBytes(key))) return false;
      if (type !== undefined) {
        const value = db.get(key);
        if (value === undefined || !isWord(type, typeOf(value))) return false;
      }
      return true;
    });
  }
  reply.arrayHeader(2);
  reply.bulk(String(page.cursor));
  reply.arrayHeader(keys.length);
  for (const key of keys) reply.bulk(keyBytes(key));
}

function keysHandler(
  ks: Keyspace,
  command: Command,
  reply: Reply,
  connection: Connection,
): void {
  const db = dbOf(ks, connection);
  const pattern = command.arg(0)!;
  const all = pattern.length === 1 && pattern[0] === 42;
  const out: Uint8Array[] = [];
  for (const key of db.keys()) {
    const bytes = keyBytes(key);
    if (all || globMatch(pattern, bytes)) out.push(bytes);
  }
  reply.arrayHeader(out.length);
  for (const bytes of out) reply.bulk(bytes);
}

function copyHandler(
  ks: Keyspace,
  command: Command,
  reply: Reply,
  connection: Connection,
): void {
  const src = ks.db(connection.db);
  let dst = src;
  let replace = false;
  for (let i = 2; i < command.length; i++) {
    if (command.is(i, "replace")) replace = true;
    else if (command.is(i, "db") && i + 1 < command.length) {
      const index = intArg(command, i + 1);
      if (index < 0 || index >= ks.databases) return reply.error(DB_RANGE);
      dst = ks.db(index);
      i++;
    } else return reply.error(SYNTAX_ERROR);
  }
  const key = keyOf(command.arg(0)!);
  const newKey = keyOf(command.arg(1)!);
  if (src === dst && key === newKey) return reply.error(SAME_OBJECT);
  const value = src.get(key);
  if (value === undefined) return reply.integer(0);
  const expire = src.expireAt(key);
  if (dst.has(newKey)) {
    if (!replace) return reply.integer(0);
    dst.delete(newKey);
  }
  const copy = cloneValue(value);
  dst.set(newKey, copy);
  if (expire !== undefined) dst.setExpireAt(newKey, expire);
  signalIfBlockable(dst, newKey, copy);
  reply.integer(1);
}

function moveHandler(
  ks: Keyspace,
  command: Command,
  reply: Reply,
  connection: Connection,
): void {
  const index = intArg(command, 1);
  if (index < 0 || index >= ks.databases) return reply.error(DB_RANGE);
  const src = ks.db(connection.db);
  const dst = ks.db(index);
  if (src === dst) return reply.error(SAME_OBJECT);
  const key = keyOf(command.arg(0)!);
  const value = src.get(key);
  if (value === undefined) return reply.integer(0);
  const expire = src.expireAt(key);
  if (dst.has(key)) return reply.integer(0);
  dst.set(key, value);
  if (expire !== undefined) dst.setExpireAt(key, expire);
  src.delete(key);
  signalIfBlockable(dst, key, value);
  reply.integer(1);
}

type Spec = Omit<CommandSpec, "handler">;
type KeyspaceHandler = (
  ks: Keyspace,
  command: Command,
  reply: Reply,
  connection: Connection,
) => void;

function keyspaceSpec(spec: Spec): Spec {
  return { group: "generic", ...spec };
}

const ONE_KEY = { firstKey: 1, lastKey: 1, keyStep: 1 };
const ALL_KEYS = { firstKey: 1, lastKey: -1, keyStep: 1 };
const TWO_KEYS = { firstKey: 1, lastKey: 2, keyStep: 1 };
const NO_KEYS = { firstKey: 0, lastKey: 0, keyStep: 0 };

/**
 * Registers the generic key commands on `router`, operating on `keyspace` (each connection
 * uses the database it has SELECTed).
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { registerKeyCommands } from "./keys.ts";
 *
 * const server = new Server();
 * registerKeyCommands(server.router, new Keyspace());
 * ```
 */
export function registerKeyCommands(router: Router, keyspace: Keyspace): void {
  const bind = (handler: KeyspaceHandler): Handler => (command, reply, connection) =>
    handler(keyspace, command, reply, connection);
  const specs: Record<string, CommandSpec> = {
    del: {
      ...keyspaceSpec({ arity: -2, flags: ["write"], ...ALL_KEYS, summary: "Delete a key" }),
      handler: (command, reply, connection) =>
        reply.integer(countKeys(command, keyspace.db(connection.db), deleteKey)),
    },
    unlink: {
      ...keyspaceSpec({
        arity: -2,
        flags: ["write", "fast"],
        ...ALL_KEYS,
        summary: "Delete a key asynchronously in another thread",
      }),
      handler: (command, reply, connection) =>
        reply.integer(countKeys(command, keyspace.db(connection.db), deleteKey)),
    },
    exists: {
      ...keyspaceSpec({
        arity: -2,
        flags: ["readonly", "fast"],
        ...ALL_KEYS,
        summary: "Determine if a key exists",
      }),
      handler: (command, reply, connection) =>
        reply.integer(countKeys(command, keyspace.db(connection.db), hasKey)),
    },
    touch: {
      ...keyspaceSpec({
        arity: -2,
        flags: ["readonly", "fast"],
        ...ALL_KEYS,
        summary: "Alters the last access time of a key(s). Returns the number of existing keys",
      }),
      handler: (command, reply, connection) =>
        reply.integer(countKeys(command, keyspace.db(connection.db), hasKey)),
    },
    type: {
      ...keyspaceSpec({
        arity: 2,
        flags: ["readonly", "fast"],
        ...ONE_KEY,
        summary: "Determine the type stored at key",
      }),
      handler: (command, reply, connection) => {
        const value = keyspace.db(connection.db).get(keyOf(command.arg(0)!));
        reply.simple(value === undefined ? "none" : typeOf(value));
      },
    },
    keys: {
      ...keyspaceSpec({
        arity: 2,
        flags: ["readonly"],
        ...NO_KEYS,
        summary: "Find all keys matching the given pattern",
      }),
      handler: bind(keysHandler),
    },
    scan: {
      ...keyspaceSpec({
        arity: -2,
        flags: ["readonly"],
        ...NO_KEYS,
        summary: "Incrementally iterate the keys space",
      }),
      handler: bind(scanHandler),
    },
    rename: {
      ...keyspaceSpec({ arity: 3, flags: ["write"], ...TWO_KEYS, summary: "Rename a key" }),
      handler: bind(renameHandler(false)),
    },
    renamenx: {
      ...keyspaceSpec({
        arity: 3,
        flags: ["write", "fast"],
        ...TWO_KEYS,
        summary: "Rename a key, only if the new key does not exist",
      }),
      handler: bind(renameHandler(true)),
    },
    randomkey: {
      ...keyspaceSpec({
        arity: 1,
        flags: ["readonly"],
        ...NO_KEYS,
        summary: "Return a random key from the keyspace",
      }),
      handler: (_command, reply, connection) => {
        const db = keyspace.db(connection.db);
        const key = db.randomKey();
        if (key === undefined) reply.null();
        else reply.bulk(keyBytes(key));
      },
    },
    dbsize: {
      ...keyspaceSpec({
        arity: 1,
        flags: ["readonly", "fast"],
        ...NO_KEYS,
        summary: "Return the number of keys in the selected database",
        group: "server",
      }),
      handler: (_command, reply, connection) => reply.integer(keyspace.db(connection.db).size),
    },
    flushdb: {
      ...keyspaceSpec({
        arity: -1,
        flags: ["write"],
        ...NO_KEYS,
        summary: "Remove all keys from the current database",
        group: "server",
      }),
      handler: bind(flushHandler(false)),
    },
    flushall: {
      ...keyspaceSpec({
        arity: -1,
        flags: ["write"],
        ...NO_KEYS,
        summary: "Remove all keys from all databases",
        group: "server",
      }),
      handler: bind(flushHandler(true)),
    },
    expire: {
      ...keyspaceSpec({
        arity: -3,
        flags: ["write", "fast"],
        ...ONE_KEY,
        summary: "Set a key's time to live in seconds",
      }),
      handler: bind(expireHandler(1000, true)),
    },
    pexpire: {
      ...keyspaceSpec({
        arity: -3,
        flags: ["write", "fast"],
        ...ONE_KEY,
        summary: "Set a key's time to live in milliseconds",
      }),
      handler: bind(expireHandler(1, true)),
    },
    expireat: {
      ...keyspaceSpec({
        arity: -3,
        flags: ["write", "fast"],
        ...ONE_KEY,
        summary: "Set the expiration for a key as a UNIX timestamp",
      }),
      handler: bind(expireHandler(1000, false)),
    },
    pexpireat: {
      ...keyspaceSpec({
        arity: -3,
        flags: ["write", "fast"],
        ...ONE_KEY,
        summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
      }),
      handler: bind(expireHandler(1, false)),
    },
    ttl: {
      ...keyspaceSpec({
        arity: 2,
        flags: ["readonly", "fast"],
        ...ONE_KEY,
        summary: "Get the time to live for a key in seconds",
      }),
      handler: bind(ttlHandler(false, false)),
    },
    pttl: {
      ...keyspaceSpec({
        arity: 2,
        flags: ["readonly", "fast"],
        ...ONE_KEY,
        summary: "Get the time to live for a key in milliseconds",
      }),
      handler: bind(ttlHandler(true, false)),
    },
    expiretime: {
      ...keyspaceSpec({
        arity: 2,
        flags: ["readonly", "fast"],
        ...ONE_KEY,
        summary: "Get the expiration Unix timestamp for a key",
      }),
      handler: bind(ttlHandler(false, true)),
    },
    pexpiretime: {
      ...keyspaceSpec({
        arity: 2,
        flags: ["readonly", "fast"],
        ...ONE_KEY,
        summary: "Get the expiration Unix timestamp for a key in milliseconds",
      }),
      handler: bind(ttlHandler(true, true)),
    },
    persist: {
      ...keyspaceSpec({
        arity: 2,
        flags: ["write", "fast"],
        ...ONE_KEY,
        summary: "Remove the expiration from a key",
      }),
      handler: (command, reply, connection) => {
        const db = keyspace.db(connection.db);
        const key = keyOf(command.arg(0)!);
        if (db.expireAt(key) === undefined) return reply.integer(0);
        db.setExpireAt(key, undefined);
        reply.integer(1);
      },
    },
    copy: {
      ...keyspaceSpec({
        arity: -3,
        flags: ["write", "denyoom"],
        ...TWO_KEYS,
        summary: "Copy a key",
      }),
      handler: bind(copyHandler),
    },
    move: {
      ...keyspaceSpec({
        arity: 3,
        flags: ["write", "fast"],
        ...ONE_KEY,
        summary: "Move a key to another database",
      }),
      handler: bind(moveHandler),
    },
  };
  for (const [name, spec] of Object.entries(specs)) router.register(name, spec);
}
