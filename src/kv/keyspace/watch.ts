/**
 * WATCH bookkeeping (the watch part of Redis's multi.c): who watches which key of which
 * database, and marking watchers dirty when a watched key changes (`signalModifiedKey`) or
 * has expired since the WATCH (Redis 7.0 `isWatchedKeyExpired`). EXEC, in the core, fails
 * for a dirty watcher.
 *
 * @module
 */

/**
 * Anything that can WATCH keys: the core's `Connection` fits (EXEC replies a null array when
 * `watchDirty` is true).
 *
 * @example
 * ```ts
 * import type { Watcher } from "./watch.ts";
 *
 * const watcher: Watcher = { watchDirty: false };
 * ```
 */
export interface Watcher {
  /** Set to true when a watched key changes. */
  watchDirty: boolean;
}

/**
 * One WATCHed key of one watcher.
 *
 * @example
 * ```ts
 * import type { WatchedKey } from "./watch.ts";
 *
 * function describe(wk: WatchedKey): string {
 *   return `${wk.key}${wk.expired ? " (expired at WATCH)" : ""}`;
 * }
 * ```
 */
export interface WatchedKey {
  /** Who watches. */
  readonly watcher: Watcher;
  /** The watch table of the key's database. */
  readonly table: KeyWatches;
  /** The key (binary string). */
  readonly key: string;
  /** The key was logically expired when WATCHed (Redis 7.0 `wk->expired`). */
  expired: boolean;
}

/**
 * The watched keys of one database. The database tells it what it stores: whether a key is
 * stored at all (expired or not) and whether a stored key's TTL has passed.
 *
 * @example
 * ```ts
 * import { KeyWatches, Watches } from "./watch.ts";
 *
 * const stored = new Set(["k"]);
 * const table = new KeyWatches((key) => stored.has(key), () => false);
 * const watcher = { watchDirty: false };
 * new Watches().watch(watcher, table, "k");
 * table.touch("k");
 * watcher.watchDirty; // true
 * ```
 */
export class KeyWatches {
  #byKey = new Map<string, Set<WatchedKey>>();
  #stored: (key: string) => boolean;
  #storedExpired: (key: string) => boolean;

  /**
   * `stored(key)`: the key is stored, expired or not; `storedExpired(key)`: it is stored and
   * its TTL has passed.
   */
  constructor(stored: (key: string) => boolean, storedExpired: (key: string) => boolean) {
    this.#stored = stored;
    this.#storedExpired = storedExpired;
  }

  /** Number of distinct watched keys (0: nothing to do on a change). */
  get size(): number {
    return this.#byKey.size;
  }

  /** Redis's `signalModifiedKey`: marks the watchers of `key` dirty. */
  touch(key: string): void {
    const set = this.#byKey.get(key);
    if (set === undefined) return;
    for (const wk of set) {
      if (wk.expired && !this.#stored(key)) {
        // Was already expired when WATCHed and is now gone: logically no change.
        wk.expired = false;
        continue;
      }
      wk.watcher.watchDirty = true;
    }
  }

  /** FLUSHDB, SWAPDB: marks dirty the watchers of every watched key `exists` reports. */
  touchWhere(exists: (key: string) => boolean): void {
    for (const [key, set] of this.#byKey) {
      if (exists(key)) { for (const wk of set) wk.watcher.watchDirty = true; }
    }
  }

  /** Adds a WATCH; undefined when `watcher` already watches `key` here. */
  add(watcher: Watcher, key: string): WatchedKey | undefined {
    let set = this.#byKey.get(key);
    if (set === undefined) {
      set = new Set();
      this.#byKey.set(key, set);
    } else {
      for (const wk of set) if (wk.watcher === watcher) return undefined;
    }
    const wk: WatchedKey = { watcher, table: this, key, expired: this.#storedExpired(key) };
    set.add(wk);
    return wk;
  }

  /** Removes a WATCH. */
  remove(wk: WatchedKey): void {
    const set = this.#byKey.get(wk.key);
    if (set === undefined) return;
    set.delete(wk);
    if (set.size === 0) this.#byKey.delete(wk.key);
  }

  /** True if the watched key has become logically expired since the WATCH. */
  expiredSinceWatch(wk: WatchedKey): boolean {
    return !wk.expired && this.#storedExpired(wk.key);
  }
}

/**
 * Every watcher's WATCHes across the databases of a keyspace.
 *
 * @example
 * ```ts
 * import { KeyWatches, Watches } from "./watch.ts";
 *
 * const watches = new Watches();
 * const watcher = { watchDirty: false };
 * watches.watch(watcher, new KeyWatches(() => false, () => false), "k");
 * watches.count(watcher); // 1
 * watches.unwatchAll(watcher);
 * ```
 */
export class Watches {
  #byWatcher = new Map<Watcher, WatchedKey[]>();

  /** WATCH: `watcher` gets dirty when `key` of the database of `table` changes. */
  watch(watcher: Watcher, table: KeyWatches, key: string): void {
    const wk = table.add(watcher, key);
    if (wk === undefined) return;
    const list = this.#byWatcher.get(watcher);
    if (list === undefined) this.#byWatcher.set(watcher, [wk]);
    else list.push(wk);
  }

  /** UNWATCH, end of a transaction, connection closed: forgets all of `watcher`'s WATCHes. */
  unwatchAll(watcher: Watcher): void {
    const list = this.#byWatcher.get(watcher);
    if (list === undefined) return;
    this.#byWatcher.delete(watcher);
    for (const wk of list) wk.table.remove(wk);
  }

  /** Number of keys `watcher` watches. */
  count(watcher: Watcher): number {
    return this.#byWatcher.get(watcher)?.length ?? 0;
  }

  /**
   * Redis 7.0 `isWatchedKeyExpired`: true when a key `watcher` watches has expired since the
   * WATCH (then EXEC must fail); marks the watcher dirty in that case.
   */
  checkExpired(watcher: Watcher): boolean {
    const list = this.#byWatcher.get(watcher);
    if (list === undefined) return false;
    for (const wk of list) {
      if (wk.table.expiredSinceWatch(wk)) {
        watcher.watchDirty = true;
        return true;
      }
    }
    return false;
  }
}
