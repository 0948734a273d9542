/**
 * Expiry commands (Redis's expire.c): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT,
 * LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST.
 *
 * @module
 */

import { int64Arg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import { cText, fail, LLONG_MAX, LLONG_MIN } from "../../server/errors.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { type ExpireMs, expireMs } from "../keyspace/expire.ts";

/** Below this, `when * 1000 + now` is exact in a double. */
const SAFE_WHEN = 2 ** 42;

/**
 * Computes an absolute expiry in ms from a relative or absolute time argument, with Redis's
 * overflow checks. `unit` is 1000 for seconds, 1 for ms; `base` the time to add (now for
 * EXPIRE/PEXPIRE, 0 for EXPIREAT/PEXPIREAT). Returns undefined on overflow; a bigint only
 * beyond 2^53 ms (see {@link ExpireMs}).
 *
 * @example
 * ```ts
 * import { expireTime } from "./expire.ts";
 *
 * expireTime(10, 1000, 1_000); // 11_000
 * ```
 */
export function expireTime(
  when: number | bigint,
  unit: 1 | 1000,
  base: number,
): ExpireMs | undefined {
  if (typeof when === "number" && when < SAFE_WHEN && when > -SAFE_WHEN) {
    return when * unit + base;
  }
  let w = BigInt(when);
  if (unit === 1000) {
    if (w > LLONG_MAX / 1000n || w < LLONG_MIN / 1000n) return undefined;
    w *= 1000n;
  }
  if (w > LLONG_MAX - BigInt(base)) return undefined;
  return expireMs(w + BigInt(base));
}

/** Redis's `parseExtendedExpireArgumentsOrReply` flags. */
const NX = 1, XX = 2, GT = 4, LT = 8;

function expireFlags(command: Command, from: number): number {
  let flags = 0;
  for (let i = from; i < command.length; i++) {
    if (command.is(i, "nx")) flags |= NX;
    else if (command.is(i, "xx")) flags |= XX;
    else if (command.is(i, "gt")) flags |= GT;
    else if (command.is(i, "lt")) flags |= LT;
    else fail(`ERR Unsupported option ${cText(command.arg(i))}`);
  }
  if ((flags & NX) && (flags & (XX | GT | LT))) {
    fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & GT) && (flags & LT)) {
    fail("ERR GT and LT options at the same time are not compatible");
  }
  return flags;
}

/** EXPIRE and friends (Redis `expireGenericCommand`); `unit` 1000 for seconds, 1 for ms. */
function expireHandler(unit: 1 | 1000, relative: boolean): KvHandler {
  return (db, key, command, reply) => {
    const flags = command.length > 2 ? expireFlags(command, 2) : 0;
    const now = db.keyspace.now();
    const when = expireTime(int64Arg(command, 1), unit, relative ? now : 0);
    if (when === undefined) {
      return reply.error(`ERR invalid expire time in '${command.name}' command`);
    }
    if (!db.has(key)) return reply.integer(0);
    if (flags !== 0) {
      const current = db.expireTime(key);
      if ((flags & NX) && current !== undefined) return reply.integer(0);
      if ((flags & XX) && current === undefined) return reply.integer(0);
      if ((flags & GT) && (current === undefined || when <= current)) return reply.integer(0);
      if ((flags & LT) && current !== undefined && when >= current) return reply.integer(0);
    }
    if (when <= db.keyspace.now()) db.delete(key);
    else db.setExpireAt(key, when);
    reply.integer(1);
  };
}

/** TTL and friends: remaining (or absolute) time in seconds or ms; -2 missing, -1 none. */
function ttlHandler(ms: boolean, absolute: boolean): KvHandler {
  return (db, key, _command, reply) => {
    if (!db.has(key)) return reply.integer(-2);
    const expire = db.expireTime(key);
    if (expire === undefined) return reply.integer(-1);
    if (typeof expire === "bigint") {
      // Beyond 2^53 ms: exact integer arithmetic, as Redis 7.0.15 answers (its `ttl + 500`
      // near int64 max does not wrap in practice; C division truncates, as bigint's does).
      const ttl = absolute ? expire : expire - BigInt(db.keyspace.now());
      return reply.integer(expireMs(ms ? ttl : (ttl + 500n) / 1000n));
    }
    let ttl = absolute ? expire : expire - db.keyspace.now();
    if (ttl < 0) ttl = 0;
    reply.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
  };
}

/** The expiry commands. */
export const expireCommands: readonly KvCommand[] = [
  {
    name: "expire",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "update")],
    group: "generic",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Set a key's time to live in seconds",
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    handler: expireHandler(1000, true),
  },
  {
    name: "pexpire",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "update")],
    group: "generic",
    since: "2.6.0",
    complexity: "O(1)",
    summary: "Set a key's time to live in milliseconds",
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    handler: expireHandler(1, true),
  },
  {
    name: "expireat",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "update")],
    group: "generic",
    since: "1.2.0",
    complexity: "O(1)",
    summary: "Set the expiration for a key as a UNIX timestamp",
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    handler: expireHandler(1000, false),
  },
  {
    name: "pexpireat",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "update")],
    group: "generic",
    since: "2.6.0",
    complexity: "O(1)",
    summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    handler: expireHandler(1, false),
  },
  {
    name: "ttl",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output"],
    group: "generic",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Get the time to live for a key in seconds",
    history: [["2.8.0", "Added the -2 reply."]],
    handler: ttlHandler(false, false),
  },
  {
    name: "pttl",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RO", "access")],
    tips: ["nondeterministic_output"],
    group: "generic",
    since: "2.6.0",
    complexity: "O(1)",
    summary: "Get the time to live for a key in milliseconds",
    history: [["2.8.0", "Added the -2 reply."]],
    handler: ttlHandler(true, false),
  },
  {
    name: "expiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RO", "access")],
    group: "generic",
    since: "7.0.0",
    complexity: "O(1)",
    summary: "Get the expiration Unix timestamp for a key",
    handler: ttlHandler(false, true),
  },
  {
    name: "pexpiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RO", "access")],
    group: "generic",
    since: "7.0.0",
    complexity: "O(1)",
    summary: "Get the expiration Unix timestamp for a key in milliseconds",
    handler: ttlHandler(true, true),
  },
  {
    name: "persist",
    arity: 2,
    flags: ["write", "fast"],
    acl: ["keyspace"],
    keys: [keyAt(1, "RW", "update")],
    group: "generic",
    since: "2.2.0",
    complexity: "O(1)",
    summary: "Remove the expiration from a key",
    handler: (db, key, _command, reply) => {
      // lookupKeyWrite first: a key without a TTL is still accessed.
      if (db.get(key) === undefined || db.expireTime(key) === undefined) return reply.integer(0);
      db.setExpireAt(key, undefined);
      reply.integer(1);
    },
  },
];
