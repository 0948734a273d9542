/**
 * Redis lists for the key-value server: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN,
 * LRANGE, LINDEX, LSET, LREM, LTRIM, LINSERT, LPOS, LMOVE, RPOPLPUSH and the blocking BLPOP,
 * BRPOP, BLMOVE, BRPOPLPUSH. Values live in a ring-buffer {@link Deque}.
 *
 * Blocked clients wait per (database, key) in arrival order; a push (or any command that
 * calls `db.signalReady(key)`) serves them after the command that made the key ready, as
 * Redis's `handleClientsBlockedOnKeys` does.
 *
 * @module
 */

import { equalBytes } from "../../resp/bytes.ts";
import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import type { Reply } from "../../server/reply.ts";
import type { Router } from "../../server/router.ts";
import { Deque } from "../values/deque.ts";
import {
  compactBytes,
  type Database,
  keyBytes,
  keyOf,
  type Keyspace,
  type RedisObject,
  WRONGTYPE,
} from "../keyspace/keyspace.ts";
import {
  fail,
  isWord,
  longArg,
  lookup,
  NOT_INTEGER,
  parseLongBig,
  parseTimeoutSeconds,
  positiveLongArg,
  SYNTAX_ERROR,
} from "../args.ts";

/**
 * A Redis list value: a deque of byte strings.
 *
 * @example
 * ```ts
 * import { RedisList } from "./lists.ts";
 *
 * const list = new RedisList();
 * list.pushBack(new TextEncoder().encode("a"));
 * list.type; // "list"
 * ```
 */
export class RedisList extends Deque<Uint8Array> implements RedisObject {
  /** Always "list". */
  get type(): "list" {
    return "list";
  }

  /** A deep copy (COPY). */
  clone(): RedisList {
    const copy = new RedisList(this.length);
    for (const v of this) copy.pushBack(v.slice());
    return copy;
  }
}

type End = "left" | "right";

function parseEnd(arg: Uint8Array): End {
  if (isWord(arg, "left")) return "left";
  if (isWord(arg, "right")) return "right";
  return fail(SYNTAX_ERROR);
}

function pop(list: RedisList, end: End): Uint8Array {
  return (end === "left" ? list.popFront() : list.popBack())!;
}

function push(list: RedisList, end: End, value: Uint8Array): void {
  value = compactBytes(value);
  if (end === "left") list.pushFront(value);
  else list.pushBack(value);
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

/** One client blocked in BLPOP/BRPOP/BLMOVE/BRPOPLPUSH. */
interface Waiter {
  connection: Connection;
  reply: Reply;
  db: number;
  keys: string[];
  from: End;
  /** BLMOVE target, or undefined for BLPOP/BRPOP. */
  target: string | undefined;
  to: End;
  resolve: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
}

const MAX_TIMER = 2_000_000_000; // setTimeout's limit is 2^31-1 ms

/** Blocked clients and the ready keys to serve, for one keyspace. */
class Blocking {
  readonly keyspace: Keyspace;
  /** db index -> key -> waiters in arrival order. */
  private readonly waiting = new Map<number, Map<string, Waiter[]>>();
  private readonly byConnection = new WeakMap<Connection, Set<Waiter>>();
  private readonly ready: Array<[Database, string]> = [];
  private readonly readySet = new Set<string>();
  private scheduled = false;
  private serving = false;

  constructor(keyspace: Keyspace) {
    this.keyspace = keyspace;
    keyspace.onReady((db, key) => this.signal(db, key));
  }

  /** A key may have become a non-empty list: queue it if someone waits on it. */
  signal(db: Database, key: string): void {
    const waiters = this.waiting.get(db.index)?.get(key);
    if (waiters === undefined || waiters.length === 0) return;
    const id = db.index + ":" + key;
    if (this.readySet.has(id)) return;
    this.readySet.add(id);
    this.ready.push([db, key]);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.serve());
    }
  }

  /** Serves the queued ready keys (Redis `handleClientsBlockedOnKeys`). */
  serve(): void {
    this.scheduled = false;
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.length > 0) {
        const [db, key] = this.ready.shift()!;
        this.readySet.delete(db.index + ":" + key);
        this.serveKey(db, key);
      }
    } finally {
      this.serving = false;
    }
  }

  private serveKey(db: Database, key: string): void {
    const waiters = this.waiting.get(db.index)?.get(key);
    if (waiters === undefined) return;
    while (waiters.length > 0) {
      const value = db.get(key);
      if (!(value instanceof RedisList) || value.length === 0) return;
      const waiter = waiters[0];
      this.unblock(waiter);
      if (waiter.connection.closed) continue;
      if (waiter.target === undefined) {
        const element = pop(value, waiter.from);
        const reply = waiter.reply;
        reply.arrayHeader(2);
        reply.bulk(keyBytes(key));
        reply.bulk(element);
        if (value.length === 0) db.delete(key);
        else db.touch(key);
      } else {
        const dest = db.get(waiter.target);
        if (dest !== undefined && !(dest instanceof RedisList)) {
          waiter.reply.error(WRONGTYPE);
        } else {
          const element = pop(value, waiter.from);
          moveTo(db, waiter.target, dest, element, waiter.to, this);
          waiter.reply.bulk(element);
          if (value.length === 0) db.delete(key);
          else db.touch(key);
        }
      }
      waiter.resolve();
    }
  }

  /** Blocks `connection` on `keys`; the returned promise settles when it is answered. */
  block(
    connection: Connection,
    reply: Reply,
    keys: string[],
    timeoutMs: number,
    from: End,
    target: string | undefined,
    to: End,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        connection,
        reply,
        db: connection.db,
        keys,
        from,
        target,
        to,
        resolve,
        timer: undefined,
        done: false,
      };
      let perDb = this.waiting.get(waiter.db);
      if (perDb === undefined) {
        perDb = new Map();
        this.waiting.set(waiter.db, perDb);
      }
      const seen = new Set<string>();
      for (const key of keys) {
        if (seen.has(key)) continue;
        seen.add(key);
        let list = perDb.get(key);
        if (list === undefined) {
          list = [];
          perDb.set(key, list);
        }
        list.push(waiter);
      }
      let mine = this.byConnection.get(connection);
      if (mine === undefined) {
        mine = new Set();
        this.byConnection.set(connection, mine);
        const set = mine;
        connection.onClose(() => {
          for (const w of [...set]) {
            this.unblock(w);
            w.resolve();
          }
        });
      }
      mine.add(waiter);
      if (timeoutMs > 0) this.arm(waiter, Date.now() + timeoutMs);
    });
  }

  private arm(waiter: Waiter, deadline: number): void {
    const left = deadline - Date.now();
    if (left > MAX_TIMER) {
      waiter.timer = setTimeout(() => this.arm(waiter, deadline), MAX_TIMER);
      return;
    }
    waiter.timer = setTimeout(() => {
      waiter.timer = undefined;
      if (waiter.done) return;
      this.unblock(waiter);
      waiter.reply.nullArray();
      waiter.resolve();
    }, Math.max(0, left));
  }

  /** Removes a waiter from every queue and clears its timer. */
  private unblock(waiter: Waiter): void {
    if (waiter.done) return;
    waiter.done = true;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    waiter.timer = undefined;
    const perDb = this.waiting.get(waiter.db);
    if (perDb !== undefined) {
      for (const key of waiter.keys) {
        const list = perDb.get(key);
        if (list === undefined) continue;
        const i = list.indexOf(waiter);
        if (i !== -1) list.splice(i, 1);
        if (list.length === 0) perDb.delete(key);
      }
    }
    this.byConnection.get(waiter.connection)?.delete(waiter);
  }

  /** Number of clients blocked (for tests and INFO). */
  get blockedClients(): number {
    const all = new Set<Waiter>();
    for (const perDb of this.waiting.values()) {
      for (const list of perDb.values()) for (const w of list) all.add(w);
    }
    return all.size;
  }
}

/**
 * Whether a command runs inside MULTI/EXEC, where Redis never blocks (CLIENT_DENY_BLOCKING).
 */
function inTransaction(connection: Connection): boolean {
  return connection.inTransaction;
}

const blockingByKeyspace = new WeakMap<Keyspace, Blocking>();

function blockingFor(keyspace: Keyspace): Blocking {
  let b = blockingByKeyspace.get(keyspace);
  if (b === undefined) {
    b = new Blocking(keyspace);
    blockingByKeyspace.set(keyspace, b);
  }
  return b;
}

/**
 * Number of clients currently blocked in BLPOP/BRPOP/BLMOVE/BRPOPLPUSH on `keyspace`
 * (INFO `blocked_clients`).
 *
 * @example
 * ```ts
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { blockedListClients } from "./lists.ts";
 *
 * const keyspace = new Keyspace();
 * blockedListClients(keyspace); // 0
 * keyspace.close();
 * ```
 */
export function blockedListClients(keyspace: Keyspace): number {
  return blockingByKeyspace.get(keyspace)?.blockedClients ?? 0;
}

/** Pushes `element` to `target` (creating the list), as Redis's `lmoveHandlePush`. */
function moveTo(
  db: Database,
  target: string,
  dest: RedisList | undefined,
  element: Uint8Array,
  to: End,
  blocking: Blocking,
): void {
  if (dest === undefined) {
    dest = new RedisList();
    push(dest, to, element);
    db.set(target, dest);
    blocking.signal(db, target);
  } else {
    push(dest, to, element);
    db.touch(target);
  }
}

/**
 * Registers the list commands on `router`, storing data in `keyspace`.
 *
 * @example
 * ```ts
 * import { Router } from "../../server/router.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { registerListCommands } from "./lists.ts";
 *
 * const keyspace = new Keyspace();
 * const router = new Router();
 * registerListCommands(router, keyspace);
 * keyspace.close();
 * ```
 */
export function registerListCommands(router: Router, keyspace: Keyspace): void {
  const blocking = blockingFor(keyspace);
  const dbOf = (connection: Connection): Database => keyspace.db(connection.db);

  /** Serves blocked clients right after a write outside MULTI (Redis serves after each command). */
  const afterWrite = (connection: Connection): void => {
    if (!inTransaction(connection)) blocking.serve();
  };

  const pushCommand =
    (end: End, onlyIfExists: boolean) =>
    (command: Command, reply: Reply, connection: Connection): void => {
      const db = dbOf(connection);
      const key = keyOf(command.arg(0)!);
      let list = lookup<RedisList>(db, key, "list");
      if (list === undefined) {
        if (onlyIfExists) {
          reply.integer(0);
          return;
        }
        list = new RedisList();
        for (let i = 1; i < command.length; i++) push(list, end, command.arg(i)!);
        db.set(key, list);
        db.signalReady(key);
      } else {
        for (let i = 1; i < command.length; i++) push(list, end, command.arg(i)!);
        db.touch(key);
        db.signalReady(key);
      }
      reply.integer(list.length);
      afterWrite(connection);
    };

  const popCommand =
    (end: End) => (command: Command, reply: Reply, connection: Connection): void => {
      if (command.length > 2) fail(`ERR wrong number of arguments for '${command.name}' command`);
      const hasCount = command.length === 2;
      const count = hasCount ? positiveLongArg(command, 1) : 0;
      const db = dbOf(connection);
      const key = keyOf(command.arg(0)!);
      const list = lookup<RedisList>(db, key, "list");
      if (list === undefined) {
        if (hasCount) reply.nullArray();
        else reply.null();
        return;
      }
      if (hasCount && count === 0) {
        reply.arrayHeader(0);
        return;
      }
      if (!hasCount) {
        reply.bulk(pop(list, end));
      } else {
        const n = Math.min(count, list.length);
        reply.arrayHeader(n);
        for (let i = 0; i < n; i++) reply.bulk(pop(list, end));
      }
      if (list.length === 0) db.delete(key);
      else db.touch(key);
    };

  router.register("lpush", {
    handler: pushCommand("left", false),
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
  });
  router.register("rpush", {
    handler: pushCommand("right", false),
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.",
  });
  router.register("lpushx", {
    handler: pushCommand("left", true),
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Prepends one or more elements to a list only when the list exists.",
  });
  router.register("rpushx", {
    handler: pushCommand("right", true),
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Appends an element to a list only when the list exists.",
  });
  router.register("lpop", {
    handler: popCommand("left"),
    arity: -2,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary:
      "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.",
  });
  router.register("rpop", {
    handler: popCommand("right"),
    arity: -2,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary:
      "Returns and removes the last elements of a list. Deletes the list if the last element was popped.",
  });

  router.register("llen", {
    handler(command, reply, connection) {
      const list = lookup<RedisList>(dbOf(connection), keyOf(command.arg(0)!), "list");
      reply.integer(list === undefined ? 0 : list.length);
    },
    arity: 2,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns the length of a list.",
  });

  router.register("lrange", {
    handler(command, reply, connection) {
      const start = longArg(command, 1);
      const end = longArg(command, 2);
      const list = lookup<RedisList>(dbOf(connection), keyOf(command.arg(0)!), "list");
      if (list === undefined) {
        reply.arrayHeader(0);
        return;
      }
      const range = normaliseRange(start, end, list.length);
      if (range === undefined) {
        reply.arrayHeader(0);
        return;
      }
      reply.arrayHeader(range[1] - range[0] + 1);
      list.forEachRange(range[0], range[1], (v) => reply.bulk(v));
    },
    arity: 4,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns a range of elements from a list.",
  });

  router.register("lindex", {
    handler(command, reply, connection) {
      const list = lookup<RedisList>(dbOf(connection), keyOf(command.arg(0)!), "list");
      if (list === undefined) {
        reply.null();
        return;
      }
      let index = longArg(command, 1);
      if (index < 0) index = list.length + index;
      const value = list.at(index);
      if (value === undefined) reply.null();
      else reply.bulk(value);
    },
    arity: 3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns an element from a list by its index.",
  });

  router.register("lset", {
    handler(command, reply, connection) {
      const db = dbOf(connection);
      const key = keyOf(command.arg(0)!);
      const list = lookup<RedisList>(db, key, "list");
      if (list === undefined) fail("ERR no such key");
      let index = longArg(command, 1);
      if (index < 0) index = list.length + index;
      if (index < 0 || index >= list.length) fail("ERR index out of range");
      list.set(index, compactBytes(command.arg(2)!));
      db.touch(key);
      reply.ok();
    },
    arity: 4,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Sets the value of an element in a list by its index.",
  });

  router.register("lrem", {
    handler(command, reply, connection) {
      const count = longArg(command, 1);
      const db = dbOf(connection);
      const key = keyOf(command.arg(0)!);
      const list = lookup<RedisList>(db, key, "list");
      if (list === undefined) {
        reply.integer(0);
        return;
      }
      const element = command.arg(2)!;
      let removed = 0;
      if (count === 0) {
        removed = list.filter((v) => !equalBytes(v, element));
      } else if (count > 0) {
        removed = list.filter((v) => {
          if (removed < count && equalBytes(v, element)) {
            removed++;
            return false;
          }
          return true;
        });
      } else {
        // From the tail: find the indexes to drop first.
        const drop = new Set<number>();
        for (let i = list.length - 1; i >= 0 && drop.size < -count; i--) {
          if (equalBytes(list.at(i)!, element)) drop.add(i);
        }
        removed = drop.size === 0 ? 0 : list.filter((_, i) => !drop.has(i));
      }
      if (removed > 0) {
        if (list.length === 0) db.delete(key);
        else db.touch(key);
      }
      reply.integer(removed);
    },
    arity: 4,
    flags: ["write"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Removes elements from a list. Deletes the list if the last element was removed.",
  });

  router.register("ltrim", {
    handler(command, reply, connection) {
      let start = longArg(command, 1);
      let end = longArg(command, 2);
      const db = dbOf(connection);
      const key = keyOf(command.arg(0)!);
      const list = lookup<RedisList>(db, key, "list");
      if (list === undefined) {
        reply.ok();
        return;
      }
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
      if (list.length === 0) db.delete(key);
      else db.touch(key);
      reply.ok();
    },
    arity: 4,
    flags: ["write"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary:
      "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
  });

  router.register("linsert", {
    handler(command, reply, connection) {
      const where = command.arg(1)!;
      let after: boolean;
      if (isWord(where, "after")) after = true;
      else if (isWord(where, "before")) after = false;
      else fail(SYNTAX_ERROR);
      const db = dbOf(connection);
      const key = keyOf(command.arg(0)!);
      const list = lookup<RedisList>(db, key, "list");
      if (list === undefined) {
        reply.integer(0);
        return;
      }
      const pivot = command.arg(2)!;
      const n = list.length;
      for (let i = 0; i < n; i++) {
        if (equalBytes(list.at(i)!, pivot)) {
          list.insert(after ? i + 1 : i, compactBytes(command.arg(3)!));
          db.touch(key);
          reply.integer(list.length);
          return;
        }
      }
      reply.integer(-1);
    },
    arity: 5,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Inserts an element before or after another element in a list.",
  });

  router.register("lpos", {
    handler(command, reply, connection) {
      const element = command.arg(1)!;
      let rank = 1, count = -1, maxlen = 0;
      let fromTail = false;
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
          fail(SYNTAX_ERROR);
        }
      }
      if (rank < 0) {
        rank = minRank ? 1 : -rank;
        fromTail = true;
      }
      const list = lookup<RedisList>(dbOf(connection), keyOf(command.arg(0)!), "list");
      if (list === undefined) {
        if (count !== -1) reply.arrayHeader(0);
        else reply.null();
        return;
      }
      const length = list.length;
      const found: number[] = [];
      let matches = 0;
      let matchIndex = -1;
      for (let index = 0; index < length && (maxlen === 0 || index < maxlen); index++) {
        const at = fromTail ? length - index - 1 : index;
        if (equalBytes(list.at(at)!, element)) {
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
    },
    arity: -3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    keyStep: 1,
    summary: "Returns the index of matching elements in a list.",
  });

  /** LMOVE's body once the positions are parsed (Redis `lmoveGenericCommand`). */
  const lmove = (
    db: Database,
    source: string,
    target: string,
    from: End,
    to: End,
    reply: Reply,
  ): void => {
    const list = lookup<RedisList>(db, source, "list");
    if (list === undefined || list.length === 0) {
      reply.null();
      return;
    }
    const dest = lookup<RedisList>(db, target, "list");
    const element = pop(list, from);
    moveTo(db, target, dest, element, to, blocking);
    if (list.length === 0) db.delete(source);
    else db.touch(source);
    reply.bulk(element);
  };

  router.register("lmove", {
    handler(command, reply, connection) {
      const from = parseEnd(command.arg(2)!);
      const to = parseEnd(command.arg(3)!);
      lmove(dbOf(connection), keyOf(command.arg(0)!), keyOf(command.arg(1)!), from, to, reply);
      afterWrite(connection);
    },
    arity: 5,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 2,
    keyStep: 1,
    summary:
      "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.",
  });

  router.register("rpoplpush", {
    handler(command, reply, connection) {
      lmove(
        dbOf(connection),
        keyOf(command.arg(0)!),
        keyOf(command.arg(1)!),
        "right",
        "left",
        reply,
      );
      afterWrite(connection);
    },
    arity: 3,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 2,
    keyStep: 1,
    summary:
      "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.",
  });

  const blockingPop =
    (end: End) =>
    (command: Command, reply: Reply, connection: Connection): Promise<void> | undefined => {
      const timeout = parseTimeoutSeconds(command.arg(command.length - 1)!);
      const db = dbOf(connection);
      const keys: string[] = [];
      for (let i = 0; i < command.length - 1; i++) {
        const key = keyOf(command.arg(i)!);
        const list = lookup<RedisList>(db, key, "list");
        if (list !== undefined && list.length > 0) {
          const element = pop(list, end);
          reply.arrayHeader(2);
          reply.bulk(command.arg(i)!);
          reply.bulk(element);
          if (list.length === 0) db.delete(key);
          else db.touch(key);
          return undefined;
        }
        keys.push(key);
      }
      if (inTransaction(connection)) {
        reply.nullArray();
        return undefined;
      }
      return blocking.block(connection, reply, keys, timeout, end, undefined, "left");
    };

  router.register("blpop", {
    handler: blockingPop("left"),
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    firstKey: 1,
    lastKey: -2,
    keyStep: 1,
    summary:
      "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
  });
  router.register("brpop", {
    handler: blockingPop("right"),
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    firstKey: 1,
    lastKey: -2,
    keyStep: 1,
    summary:
      "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
  });

  const blockingMove = (
    command: Command,
    reply: Reply,
    connection: Connection,
    from: End,
    to: End,
    timeout: number,
  ): Promise<void> | undefined => {
    const db = dbOf(connection);
    const source = keyOf(command.arg(0)!);
    const target = keyOf(command.arg(1)!);
    const list = lookup<RedisList>(db, source, "list");
    if (list === undefined) {
      if (inTransaction(connection)) {
        reply.null();
        return undefined;
      }
      return blocking.block(connection, reply, [source], timeout, from, target, to);
    }
    lmove(db, source, target, from, to, reply);
    afterWrite(connection);
    return undefined;
  };

  router.register("blmove", {
    handler(command, reply, connection) {
      const from = parseEnd(command.arg(2)!);
      const to = parseEnd(command.arg(3)!);
      const timeout = parseTimeoutSeconds(command.arg(4)!);
      return blockingMove(command, reply, connection, from, to, timeout);
    },
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    firstKey: 1,
    lastKey: 2,
    keyStep: 1,
    summary:
      "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.",
  });
  router.register("brpoplpush", {
    handler(command, reply, connection) {
      const timeout = parseTimeoutSeconds(command.arg(2)!);
      return blockingMove(command, reply, connection, "right", "left", timeout);
    },
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    firstKey: 1,
    lastKey: 2,
    keyStep: 1,
    summary:
      "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.",
  });
}
