/**
 * Clients blocked on keys (Redis's blocked.c), owned by the keyspace: BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, XREAD BLOCK and XREADGROUP BLOCK.
 *
 * A blocking command that finds nothing to serve hands a {@link BlockedClient} to
 * {@link Blocking.block}: the client joins one queue per (database, key), first blocked
 * first served. A command that may have made a key ready (a push, a key created by
 * RENAME/COPY/MOVE/SWAPDB...) calls `Database.signalReady(key)`; the ready keys are served
 * after that command ({@link Blocking.serve}, or a microtask when nobody calls it, which is
 * also how keys made ready inside MULTI are served once EXEC is over). Serving a key offers
 * it to its queue in order; each client decides whether it can be served from it (a list
 * needs an element, XREAD an entry past its ID) and replies itself.
 *
 * @module
 */

import { type Clock, realClock } from "./clock.ts";

/** What blocking needs of a connection: the core's `Connection` fits. */
export interface BlockingConnection {
  /** True once the connection is closed. */
  readonly closed: boolean;
  /** Runs `hook` when the connection closes. */
  onClose(hook: () => void): void;
}

/**
 * One client blocked on keys of one database, as a blocking command describes it.
 *
 * @example
 * ```ts
 * import type { BlockedClient, BlockingConnection } from "./blocking.ts";
 *
 * function waiter(connection: BlockingConnection, keys: string[]): BlockedClient {
 *   return {
 *     connection,
 *     db: 0,
 *     keys,
 *     tryServe: (key) => key === "ready",
 *     timedOut: () => {},
 *   };
 * }
 * ```
 */
export interface BlockedClient {
  /** The client's connection: closing it unblocks the client. */
  readonly connection: BlockingConnection;
  /** The database index of its keys. */
  readonly db: number;
  /** The keys it waits on (a repeated key counts once). */
  readonly keys: readonly string[];
  /**
   * `key` may be ready: serve the client from it (writing its reply) and return true, or
   * return false to keep waiting (nothing to take for this client).
   */
  tryServe(key: string): boolean;
  /** The timeout passed: write the timeout reply (a null array for BLPOP). */
  timedOut(): void;
  /** CLIENT UNBLOCK ERROR: write `message` as an error reply (default: as {@link timedOut}). */
  failed?(message: string): void;
}

/** The error CLIENT UNBLOCK ERROR answers. */
const UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/** A blocked client and its state in the queues. */
interface Waiter {
  readonly client: BlockedClient;
  readonly resolve: () => void;
  timer: unknown;
  done: boolean;
}

/** setTimeout's limit is 2^31-1 ms: longer timeouts re-arm. */
const MAX_TIMER = 2_000_000_000;

/**
 * The blocked clients of a keyspace and the keys signalled ready.
 *
 * @example
 * ```ts
 * import { Blocking } from "./blocking.ts";
 *
 * const blocking = new Blocking();
 * const connection = { closed: false, onClose: () => {} };
 * const served = blocking.block(
 *   { connection, db: 0, keys: ["q"], tryServe: () => true, timedOut: () => {} },
 *   0,
 * );
 * blocking.signal(0, "q");
 * blocking.serve();
 * await served;
 * ```
 */
export class Blocking {
  /** Database index -> key -> waiters in arrival order. */
  #waiting = new Map<number, Map<string, Waiter[]>>();
  #byConnection = new WeakMap<BlockingConnection, Set<Waiter>>();
  #ready: Array<[db: number, key: string]> = [];
  #readySet = new Set<string>();
  #scheduled = false;
  #serving = false;
  #count = 0;
  #clock: Clock;

  /** Blocked clients whose timeouts run on `clock` (default: the real clock). */
  constructor(clock: Clock = realClock) {
    this.#clock = clock;
  }

  /** Number of blocked clients (INFO `blocked_clients`). */
  get blockedClients(): number {
    return this.#count;
  }

  /**
   * Blocks `client` until a key it waits on serves it, its connection closes, or
   * `timeoutMs` passes (0 = forever). The promise settles when it has been answered.
   */
  block(client: BlockedClient, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { client, resolve, timer: undefined, done: false };
      let perDb = this.#waiting.get(client.db);
      if (perDb === undefined) {
        perDb = new Map();
        this.#waiting.set(client.db, perDb);
      }
      const seen = new Set<string>();
      for (const key of client.keys) {
        if (seen.has(key)) continue;
        seen.add(key);
        const queue = perDb.get(key);
        if (queue === undefined) perDb.set(key, [waiter]);
        else queue.push(waiter);
      }
      this.#count++;
      const connection = client.connection;
      let mine = this.#byConnection.get(connection);
      if (mine === undefined) {
        const set = new Set<Waiter>();
        mine = set;
        this.#byConnection.set(connection, set);
        connection.onClose(() => {
          for (const w of [...set]) {
            this.#unblock(w);
            w.resolve();
          }
        });
      }
      mine.add(waiter);
      if (timeoutMs > 0) this.#arm(waiter, this.#clock.now() + timeoutMs);
    });
  }

  /**
   * Redis's `signalKeyAsReady`: `key` of database `db` may now serve someone. Queued when a
   * client waits on it; served by {@link Blocking.serve} or else in a microtask.
   */
  signal(db: number, key: string): void {
    const queue = this.#waiting.get(db)?.get(key);
    if (queue === undefined || queue.length === 0) return;
    const id = db + ":" + key;
    if (this.#readySet.has(id)) return;
    this.#readySet.add(id);
    this.#ready.push([db, key]);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.serve());
    }
  }

  /**
   * CLIENT UNBLOCK: answers the command `connection` is blocked in as a timeout, or with the
   * UNBLOCKED error when `error`; false when it is not blocked here.
   */
  unblock(connection: BlockingConnection, error: boolean): boolean {
    const mine = this.#byConnection.get(connection);
    if (mine === undefined || mine.size === 0) return false;
    for (const waiter of [...mine]) {
      this.#unblock(waiter);
      const client = waiter.client;
      if (error && client.failed !== undefined) client.failed(UNBLOCKED);
      else client.timedOut();
      waiter.resolve();
    }
    return true;
  }

  /** The keys of database `db` some client waits on (Redis's `db->blocking_keys`). */
  keysWaitedOn(db: number): string[] {
    const perDb = this.#waiting.get(db);
    return perDb === undefined ? [] : [...perDb.keys()];
  }

  /** Redis's `handleClientsBlockedOnKeys`: serves the keys signalled ready, in order. */
  serve(): void {
    this.#scheduled = false;
    if (this.#serving) return;
    this.#serving = true;
    try {
      while (this.#ready.length > 0) {
        const [db, key] = this.#ready.shift()!;
        this.#readySet.delete(db + ":" + key);
        this.#serveKey(db, key);
      }
    } finally {
      this.#serving = false;
    }
  }

  #serveKey(db: number, key: string): void {
    const queue = this.#waiting.get(db)?.get(key);
    if (queue === undefined) return;
    // Served clients leave the queue (and every other one): the next is then at `i`.
    for (let i = 0; i < queue.length;) {
      const waiter = queue[i];
      if (waiter.client.connection.closed) {
        this.#unblock(waiter);
        continue;
      }
      if (!waiter.client.tryServe(key)) {
        i++;
        continue;
      }
      this.#unblock(waiter);
      waiter.resolve();
    }
  }

  #arm(waiter: Waiter, deadline: number): void {
    const clock = this.#clock;
    const left = deadline - clock.now();
    if (left > MAX_TIMER) {
      waiter.timer = clock.setTimer(() => this.#arm(waiter, deadline), MAX_TIMER);
      return;
    }
    waiter.timer = clock.setTimer(() => {
      waiter.timer = undefined;
      if (waiter.done) return;
      this.#unblock(waiter);
      waiter.client.timedOut();
      waiter.resolve();
    }, Math.max(0, left));
  }

  /** Removes a waiter from every queue and clears its timer. */
  #unblock(waiter: Waiter): void {
    if (waiter.done) return;
    waiter.done = true;
    this.#count--;
    if (waiter.timer !== undefined) this.#clock.clearTimer(waiter.timer);
    waiter.timer = undefined;
    const client = waiter.client;
    const perDb = this.#waiting.get(client.db);
    if (perDb !== undefined) {
      for (const key of client.keys) {
        const queue = perDb.get(key);
        if (queue === undefined) continue;
        const i = queue.indexOf(waiter);
        if (i !== -1) queue.splice(i, 1);
        if (queue.length === 0) perDb.delete(key);
      }
    }
    this.#byConnection.get(client.connection)?.delete(waiter);
  }
}
