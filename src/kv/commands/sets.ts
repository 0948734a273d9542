/**
 * Redis sets for the key-value server: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD,
 * SPOP, SRANDMEMBER, SMOVE, SINTER, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE,
 * SINTERCARD, SSCAN.
 *
 * A set keeps its members (binary strings) in a dense array plus a member → index Map, so
 * that add, remove and random picks (SPOP, SRANDMEMBER) are O(1). Like Redis 7.0, a set of
 * at most 512 integers is an "intset": it replies in ascending numeric order, and SSCAN
 * answers it in one page.
 *
 * @module
 */

import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { globMatch } from "../../server/glob.ts";
import type { Reply } from "../../server/reply.ts";
import type { Router } from "../../server/router.ts";
import { type Database, keyBytes, keyOf, type Keyspace, type RedisObject } from "../keyspace/keyspace.ts";
import {
  checkType,
  deleteMembers,
  fail,
  isIntegerMember,
  lookup,
  parseCursor,
  parseScanOptions,
  positiveLongArg,
  randomIndex,
  rangeLongArg,
  SYNTAX_ERROR,
} from "../args.ts";

/** Redis's set-max-intset-entries. */
const INTSET_ENTRIES = 512;
/** Largest count SRANDMEMBER serves with repetitions (Redis would write without bound). */
const RANDOM_MAX = 100_000_000;

/**
 * A Redis set value.
 *
 * @example
 * ```ts
 * import { RedisSet } from "./sets.ts";
 *
 * const set = new RedisSet();
 * set.add("2");
 * set.add("10");
 * set.ordered(); // ["2", "10"] (an intset replies in numeric order)
 * set.type; // "set"
 * ```
 */
export class RedisSet implements RedisObject {
  /** Members, dense (order of SMEMBERS unless {@link RedisSet.intset}). */
  private members: string[] = [];
  private index = new Map<string, number>();
  private sorted: string[] | undefined;
  /** Still a Redis "intset" (only integers, at most 512): replies are in numeric order. */
  intset = true;

  /** Always "set". */
  get type(): "set" {
    return "set";
  }

  /** Number of members. */
  get size(): number {
    return this.members.length;
  }

  /** Whether `member` is in the set. */
  has(member: string): boolean {
    return this.index.has(member);
  }

  /** Adds a member; true if it was new. */
  add(member: string): boolean {
    if (this.index.has(member)) return false;
    this.index.set(member, this.members.length);
    this.members.push(member);
    this.sorted = undefined;
    if (this.intset && (this.members.length > INTSET_ENTRIES || !isIntegerMember(member))) {
      this.intset = false;
    }
    return true;
  }

  /** Removes a member; true if it was there. */
  delete(member: string): boolean {
    const i = this.index.get(member);
    if (i === undefined) return false;
    const last = this.members.pop()!;
    if (i < this.members.length) {
      this.members[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(member);
    this.sorted = undefined;
    return true;
  }

  /** A random member (the set must not be empty). */
  random(): string {
    return this.members[randomIndex(this.members.length)];
  }

  /** The member at dense position `i` (for sampling and SSCAN). */
  at(i: number): string {
    return this.members[i];
  }

  /** Members in Redis's reply order: numeric for an intset, else the internal order. */
  ordered(): readonly string[] {
    if (!this.intset) return this.members;
    if (this.sorted === undefined) {
      const sorted = this.members.slice();
      if (sorted.every((m) => m.length < 16)) sorted.sort((a, b) => Number(a) - Number(b));
      else sorted.sort((a, b) => compareBig(BigInt(a), BigInt(b)));
      this.sorted = sorted;
    }
    return this.sorted;
  }

  /** A deep copy (COPY). */
  clone(): RedisSet {
    const copy = new RedisSet();
    for (const m of this.members) copy.add(m);
    copy.intset = this.intset;
    return copy;
  }
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function writeMembers(reply: Reply, members: readonly string[], asSet: boolean): void {
  if (asSet) reply.setHeader(members.length);
  else reply.arrayHeader(members.length);
  for (const m of members) reply.bulk(keyBytes(m));
}

/**
 * Registers the set commands on `router`, storing data in `keyspace`.
 *
 * @example
 * ```ts
 * import { Router } from "../../server/router.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { registerSetCommands } from "./sets.ts";
 *
 * const keyspace = new Keyspace();
 * const router = new Router();
 * registerSetCommands(router, keyspace);
 * keyspace.close();
 * ```
 */
export function registerSetCommands(router: Router, keyspace: Keyspace): void {
  const dbOf = (connection: Connection): Database => keyspace.db(connection.db);
  const keyArg = (command: Command): string => keyOf(command.arg(0)!);
  const spec = (
    handler: (command: Command, reply: Reply, connection: Connection) => void,
    arity: number,
    flags: string[],
    summary: string,
    keys: [number, number, number] = [1, 1, 1],
  ) => ({ handler, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], summary });

  router.register(
    "sadd",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const key = keyArg(command);
        let set = lookup<RedisSet>(db, key, "set");
        const created = set === undefined;
        set ??= new RedisSet();
        let added = 0;
        for (let i = 1; i < command.length; i++) if (set.add(keyOf(command.arg(i)!))) added++;
        if (created) db.set(key, set);
        else if (added > 0) db.touch(key);
        reply.integer(added);
      },
      -3,
      ["write", "denyoom", "fast"],
      "Adds one or more members to a set. Creates the key if it doesn't exist.",
    ),
  );

  router.register(
    "srem",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const key = keyArg(command);
        reply.integer(deleteMembers(db, key, lookup<RedisSet>(db, key, "set"), command));
      },
      -3,
      ["write", "fast"],
      "Removes one or more members from a set. Deletes the set if the last member was removed.",
    ),
  );

  router.register(
    "smembers",
    spec(
      (command, reply, connection) => {
        const set = lookup<RedisSet>(dbOf(connection), keyArg(command), "set");
        writeMembers(reply, set === undefined ? [] : set.ordered(), true);
      },
      2,
      ["readonly"],
      "Returns all members of a set.",
    ),
  );

  router.register(
    "sismember",
    spec(
      (command, reply, connection) => {
        const set = lookup<RedisSet>(dbOf(connection), keyArg(command), "set");
        reply.integer(set !== undefined && set.has(keyOf(command.arg(1)!)) ? 1 : 0);
      },
      3,
      ["readonly", "fast"],
      "Determines whether a member belongs to a set.",
    ),
  );

  router.register(
    "smismember",
    spec(
      (command, reply, connection) => {
        const set = lookup<RedisSet>(dbOf(connection), keyArg(command), "set");
        reply.arrayHeader(command.length - 1);
        for (let i = 1; i < command.length; i++) {
          reply.integer(set !== undefined && set.has(keyOf(command.arg(i)!)) ? 1 : 0);
        }
      },
      -3,
      ["readonly", "fast"],
      "Determines whether multiple members belong to a set.",
    ),
  );

  router.register(
    "scard",
    spec(
      (command, reply, connection) => {
        const set = lookup<RedisSet>(dbOf(connection), keyArg(command), "set");
        reply.integer(set === undefined ? 0 : set.size);
      },
      2,
      ["readonly", "fast"],
      "Returns the number of members in a set.",
    ),
  );

  router.register(
    "spop",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const key = keyArg(command);
        if (command.length === 2) {
          const count = positiveLongArg(command, 1);
          const set = lookup<RedisSet>(db, key, "set");
          if (set === undefined || count === 0) {
            reply.setHeader(0);
            return;
          }
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
        if (command.length > 2) fail(SYNTAX_ERROR);
        const set = lookup<RedisSet>(db, key, "set");
        if (set === undefined) {
          reply.null();
          return;
        }
        const member = set.random();
        set.delete(member);
        if (set.size === 0) db.delete(key);
        else db.touch(key);
        reply.bulk(keyBytes(member));
      },
      -2,
      ["write", "fast"],
      "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.",
    ),
  );

  router.register(
    "srandmember",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const key = keyArg(command);
        if (command.length === 2) {
          const l = rangeLongArg(command, 1);
          const unique = l >= 0;
          const count = unique ? l : -l;
          const set = lookup<RedisSet>(db, key, "set");
          if (set === undefined || count === 0) {
            reply.arrayHeader(0);
            return;
          }
          if (!unique || count === 1) {
            if (count > RANDOM_MAX) fail("ERR value is out of range");
            reply.arrayHeader(count);
            for (let i = 0; i < count; i++) reply.bulk(keyBytes(set.random()));
            return;
          }
          if (count >= set.size) {
            writeMembers(reply, set.ordered(), false);
            return;
          }
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
          return;
        }
        if (command.length > 2) fail(SYNTAX_ERROR);
        const set = lookup<RedisSet>(db, key, "set");
        if (set === undefined) {
          reply.null();
          return;
        }
        reply.bulk(keyBytes(set.random()));
      },
      -2,
      ["readonly"],
      "Get one or multiple random members from a set",
    ),
  );

  router.register(
    "smove",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const source = keyArg(command);
        const target = keyOf(command.arg(1)!);
        const member = keyOf(command.arg(2)!);
        const src = db.get(source);
        const dst = db.get(target);
        if (src === undefined) {
          reply.integer(0);
          return;
        }
        const from = checkType<RedisSet>(src, "set")!;
        let to = checkType<RedisSet>(dst, "set");
        if (from === to) {
          reply.integer(from.has(member) ? 1 : 0);
          return;
        }
        if (!from.delete(member)) {
          reply.integer(0);
          return;
        }
        if (from.size === 0) db.delete(source);
        else db.touch(source);
        if (to === undefined) {
          to = new RedisSet();
          to.add(member);
          db.set(target, to);
        } else if (to.add(member)) db.touch(target);
        reply.integer(1);
      },
      4,
      ["write", "fast"],
      "Moves a member from one set to another.",
      [1, 2, 1],
    ),
  );

  /** The sets at `keys` (undefined for missing ones); WRONGTYPE if any is not a set. */
  const setsAt = (db: Database, command: Command, from: number, to: number) => {
    const sets: Array<RedisSet | undefined> = [];
    for (let i = from; i < to; i++) sets.push(lookup<RedisSet>(db, keyOf(command.arg(i)!), "set"));
    return sets;
  };

  /** Stores a result set at `key` (or deletes the key when it is empty); replies its size. */
  const store = (db: Database, key: string, result: RedisSet, reply: Reply): void => {
    if (result.size > 0) {
      db.set(key, result);
      reply.integer(result.size);
    } else {
      db.delete(key);
      reply.integer(0);
    }
  };

  /** SINTER / SINTERSTORE (Redis `sinterGenericCommand`): a missing key empties the result. */
  const intersect = (sets: Array<RedisSet | undefined>): RedisSet => {
    const result = new RedisSet();
    if (sets.some((s) => s === undefined)) return result;
    const sorted = (sets as RedisSet[]).slice().sort((a, b) => a.size - b.size);
    for (const member of sorted[0].ordered()) {
      let all = true;
      for (let j = 1; j < sorted.length; j++) {
        if (sorted[j] !== sorted[0] && !sorted[j].has(member)) {
          all = false;
          break;
        }
      }
      if (all) result.add(member);
    }
    return result;
  };

  router.register(
    "sinter",
    spec(
      (command, reply, connection) => {
        const sets = setsAt(dbOf(connection), command, 0, command.length);
        writeMembers(reply, intersect(sets).ordered(), true);
      },
      -2,
      ["readonly"],
      "Returns the intersect of multiple sets.",
      [1, -1, 1],
    ),
  );

  router.register(
    "sinterstore",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const sets = setsAt(db, command, 1, command.length);
        store(db, keyArg(command), intersect(sets), reply);
      },
      -3,
      ["write", "denyoom"],
      "Stores the intersect of multiple sets in a key.",
      [1, -1, 1],
    ),
  );

  router.register(
    "sintercard",
    spec(
      (command, reply, connection) => {
        const bytes = command.arg(0)!;
        const numkeys = parseNumkeys(bytes);
        if (numkeys > command.length - 1) {
          fail("ERR Number of keys can't be greater than number of args");
        }
        let limit = 0;
        for (let j = 1 + numkeys; j < command.length; j++) {
          const more = command.length - 1 - j;
          if (command.is(j, "limit") && more > 0) {
            j++;
            limit = positiveLongArg(command, j, "ERR LIMIT can't be negative");
          } else fail(SYNTAX_ERROR);
        }
        const sets = setsAt(dbOf(connection), command, 1, 1 + numkeys);
        if (sets.some((s) => s === undefined)) {
          reply.integer(0);
          return;
        }
        reply.integer(intersectCount(sets as RedisSet[], limit));
      },
      -3,
      ["readonly"],
      "Returns the number of members of the intersect of multiple sets.",
      [0, 0, 0],
    ),
  );

  router.register(
    "sunion",
    spec(
      (command, reply, connection) => {
        const sets = setsAt(dbOf(connection), command, 0, command.length);
        writeMembers(reply, unionOf(sets).ordered(), true);
      },
      -2,
      ["readonly"],
      "Returns the union of multiple sets.",
      [1, -1, 1],
    ),
  );

  router.register(
    "sunionstore",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const sets = setsAt(db, command, 1, command.length);
        store(db, keyArg(command), unionOf(sets), reply);
      },
      -3,
      ["write", "denyoom"],
      "Stores the union of multiple sets in a key.",
      [1, -1, 1],
    ),
  );

  router.register(
    "sdiff",
    spec(
      (command, reply, connection) => {
        const sets = setsAt(dbOf(connection), command, 0, command.length);
        writeMembers(reply, diffOf(sets).ordered(), true);
      },
      -2,
      ["readonly"],
      "Returns the difference of multiple sets.",
      [1, -1, 1],
    ),
  );

  router.register(
    "sdiffstore",
    spec(
      (command, reply, connection) => {
        const db = dbOf(connection);
        const sets = setsAt(db, command, 1, command.length);
        store(db, keyArg(command), diffOf(sets), reply);
      },
      -3,
      ["write", "denyoom"],
      "Stores the difference of multiple sets in a key.",
      [1, -1, 1],
    ),
  );

  router.register(
    "sscan",
    spec(
      (command, reply, connection) => {
        const cursor = parseCursor(command.arg(1)!);
        const set = lookup<RedisSet>(dbOf(connection), keyArg(command), "set");
        if (set === undefined) {
          reply.arrayHeader(2);
          reply.bulk("0");
          reply.arrayHeader(0);
          return;
        }
        const { count, pattern } = parseScanOptions(command, 2);
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
        const out: Uint8Array[] = [];
        for (const m of members) {
          const bytes = keyBytes(m);
          if (pattern === undefined || globMatch(pattern, bytes)) out.push(bytes);
        }
        reply.arrayHeader(2);
        reply.bulk(String(next));
        reply.arrayHeader(out.length);
        for (const b of out) reply.bulk(b);
      },
      -3,
      ["readonly"],
      "Iterates over members of a set.",
    ),
  );
}

function parseNumkeys(bytes: Uint8Array): number {
  const text = keyOf(bytes);
  const ok = /^(?:0|-?[1-9]\d{0,18})$/.test(text);
  if (!ok) fail("ERR numkeys should be greater than 0");
  const big = BigInt(text);
  if (big < 1n || big > 9223372036854775807n) fail("ERR numkeys should be greater than 0");
  return Number(big);
}

function intersectCount(sets: RedisSet[], limit: number): number {
  const sorted = sets.slice().sort((a, b) => a.size - b.size);
  let cardinality = 0;
  for (const member of sorted[0].ordered()) {
    let all = true;
    for (let j = 1; j < sorted.length; j++) {
      if (sorted[j] !== sorted[0] && !sorted[j].has(member)) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    cardinality++;
    if (limit > 0 && cardinality >= limit) break;
  }
  return cardinality;
}

/** Union of `sets` built like Redis (a fresh intset that converts when needed). */
function unionOf(sets: Array<RedisSet | undefined>): RedisSet {
  const result = new RedisSet();
  for (const set of sets) {
    if (set === undefined) continue;
    for (const m of set.ordered()) result.add(m);
  }
  return result;
}

/** Difference: members of the first set in none of the others. */
function diffOf(sets: Array<RedisSet | undefined>): RedisSet {
  const result = new RedisSet();
  const first = sets[0];
  if (first === undefined) return result;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return result;
  for (const m of first.ordered()) {
    let keep = true;
    for (let j = 1; j < sets.length; j++) {
      const other = sets[j];
      if (other !== undefined && other.has(m)) {
        keep = false;
        break;
      }
    }
    if (keep) result.add(m);
  }
  return result;
}
