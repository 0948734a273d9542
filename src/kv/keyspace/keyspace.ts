/**
 * The keyspace (Redis's db.c): numbered databases of binary-safe keys, each holding a
 * string or a data-type object, with lazy expiry on access, SCAN and RANDOMKEY (one database:
 * `database.ts`). What the keyspace owns beside the data has its own file: active expiry
 * (`expire.ts`), WATCH bookkeeping (`watch.ts`), clients blocked on keys (`blocking.ts`); key
 * encoding and compact values (`encoding.ts`), value types (`values.ts`).
 *
 * @module
 */

import { ActiveExpiry } from "./expire.ts";
import { Blocking } from "./blocking.ts";
import { type Clock, realClock } from "./clock.ts";
import { Database } from "./database.ts";
import { LruClock } from "./lru.ts";
import { KeyspaceEvents } from "./notify.ts";
import { type Watcher, Watches } from "./watch.ts";

export { Database, type ScanPage, type SetOptions, type StoredEntry } from "./database.ts";

/**
 * Options of {@link Keyspace}.
 *
 * @example
 * ```ts
 * import { Keyspace, type KeyspaceOptions } from "./keyspace.ts";
 *
 * const options: KeyspaceOptions = { databases: 4 };
 * const keyspace = new Keyspace(options);
 * keyspace.close();
 * ```
 */
export interface KeyspaceOptions {
  /** Number of databases (SELECT range), default 16. */
  databases?: number;
  /**
   * The clock of expiry, blocking timeouts, TIME and stream IDs (default {@link realClock}).
   * A clock with `onAdvance` (a `TestClock`) gets every expired key removed after each move.
   */
  clock?: Clock;
  /** Only the time in ms since the epoch, default `clock.now`. */
  now?: () => number;
  /** Active-expiry period in ms (Redis's `hz` 10 → 100 ms). 0 turns the sweep off. */
  sweepInterval?: number;
}

/**
 * The whole keyspace: `databases` numbered {@link Database}s, the clock, the active-expiry
 * timer, the WATCHes and the clients blocked on keys.
 *
 * @example
 * ```ts
 * import { Keyspace } from "./keyspace.ts";
 *
 * const keyspace = new Keyspace({ databases: 16 });
 * const db = keyspace.db(0);
 * db.set("k", new Uint8Array([1]));
 * db.setExpireAt("k", keyspace.now() + 1000);
 * keyspace.close(); // stops the active-expiry timer
 * ```
 */
export class Keyspace {
  /** Number of databases. */
  readonly databases: number;
  /** Keys removed because their TTL passed (INFO stats `expired_keys`). */
  expiredKeys = 0;
  /**
   * Clients blocked on keys (BLPOP and friends): what blocking commands block on.
   *
   * @ignore
   */
  readonly blocking: Blocking;
  /** The clock given in the options (default {@link realClock}). */
  readonly clock: Clock;
  /** Keyspace notifications: the `notify-keyspace-events` flags and where events go. */
  readonly events: KeyspaceEvents = new KeyspaceEvents();
  /**
   * The LRU clock of key access times (OBJECT IDLETIME).
   *
   * @ignore
   */
  readonly lru: LruClock;
  #dbs: Database[];
  #now: () => number;
  #watches = new Watches();
  #expiry: ActiveExpiry;

  /** Creates `databases` empty databases; throws RangeError unless it is a positive integer. */
  constructor(options: KeyspaceOptions = {}) {
    const databases = options.databases ?? 16;
    if (!Number.isInteger(databases) || databases < 1) {
      throw new RangeError("databases must be a positive integer");
    }
    this.databases = databases;
    const clock = this.clock = options.clock ?? realClock;
    this.#now = options.now ?? clock.now;
    this.lru = new LruClock(this.#now);
    this.blocking = new Blocking(clock);
    clock.onAdvance?.(() => {
      this.lru.invalidate();
      this.expireAll();
    });
    this.#expiry = new ActiveExpiry(
      options.sweepInterval ?? 100,
      (deadline) => this.#sweep(deadline),
    );
    this.#dbs = [];
    for (let i = 0; i < databases; i++) this.#dbs.push(new Database(this, i));
  }

  /** The database `index` (0 ≤ index < databases); throws RangeError otherwise. */
  db(index: number): Database {
    const db = this.#dbs[index];
    if (db === undefined) throw new RangeError("DB index is out of range");
    return db;
  }

  /** The current time in ms since the epoch (the clock given to the constructor). */
  now(): number {
    return this.#now();
  }

  /** SWAPDB: exchanges the contents of two databases; WATCHers of affected keys get dirty. */
  swap(a: number, b: number): void {
    const da = this.db(a), dbb = this.db(b);
    if (da === dbb) return;
    da.swapContents(dbb);
    if (this.blocking.blockedClients > 0) {
      da.signalAllReady();
      dbb.signalAllReady();
    }
  }

  /** FLUSHALL: empties every database. */
  flushAll(): void {
    for (const db of this.#dbs) db.clear();
  }

  /** WATCH: `watcher` gets dirty when `key` in database `db` changes. */
  watch(watcher: Watcher, db: number, key: string): void {
    this.#watches.watch(watcher, this.db(db).watches, key);
  }

  /** UNWATCH / end of a transaction / connection closed: forgets all of `watcher`'s WATCHes. */
  unwatchAll(watcher: Watcher): void {
    this.#watches.unwatchAll(watcher);
  }

  /** Number of keys `watcher` WATCHes. */
  watchCount(watcher: Watcher): number {
    return this.#watches.count(watcher);
  }

  /**
   * Redis 7.0 `isWatchedKeyExpired`: true when a key `watcher` WATCHes has expired since the
   * WATCH (then EXEC must fail). Also marks the watcher dirty in that case.
   */
  checkWatchedExpired(watcher: Watcher): boolean {
    return this.#watches.checkExpired(watcher);
  }

  /** Makes sure the active-expiry timer runs (its databases call it when a TTL is set). */
  armSweep(): void {
    this.#expiry.arm();
  }

  /** One active-expiry cycle over every database; true while keys with a TTL remain. */
  #sweep(deadline: number): boolean {
    let pending = false;
    for (const db of this.#dbs) {
      if (db.expiresCount === 0) continue;
      db.sweep(deadline);
      if (db.expiresCount > 0) pending = true;
    }
    return pending;
  }

  /** Removes every key whose TTL has passed, in every database; returns how many. */
  expireAll(): number {
    let removed = 0;
    for (const db of this.#dbs) if (db.expiresCount > 0) removed += db.expireAll();
    return removed;
  }

  /** Runs one active-expiry pass now (tests, or a custom scheduler). */
  sweepNow(): void {
    this.#expiry.runNow();
  }

  /** Stops the active-expiry timer; keys still expire lazily on access. */
  close(): void {
    this.#expiry.close();
  }
}
