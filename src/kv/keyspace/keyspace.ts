/**
 * The key-value server's keyspace: numbered databases of binary-safe keys, each holding a
 * string (`Uint8Array`) or a data-type object (list, hash, set, sorted set), with expiry
 * (lazy on access plus an active sweep like Redis's `activeExpireCycle`), WATCH bookkeeping
 * and the "key ready" signal used by blocking list commands.
 *
 * Keys are "binary strings": every byte of the key becomes one char code 0–255 (latin1), see
 * {@link keyOf} and {@link keyBytes}.
 *
 * @module
 */

import { shortByteString } from "../../resp/bytes.ts";
import { Slab } from "../../resp/slab.ts";
import { FRESH_MAX } from "../../resp/input_buffer.ts";

/**
 * A value of a non-string type. The data-type modules define the concrete classes.
 *
 * `clone()` is optional: COPY uses it to duplicate the value; without it a generic deep copy
 * of the object's own fields (Maps, Sets, Arrays, typed arrays and plain objects) is made.
 *
 * @example
 * ```ts
 * import type { RedisObject } from "./keyspace.ts";
 *
 * class ListValue implements RedisObject {
 *   readonly type = "list" as const;
 *   items: Uint8Array[] = [];
 *   clone(): ListValue {
 *     const copy = new ListValue();
 *     copy.items = this.items.slice();
 *     return copy;
 *   }
 * }
 * ```
 */
export interface RedisObject {
  /** The Redis type name, as TYPE replies it. */
  readonly type: "list" | "hash" | "set" | "zset";
  /** Returns an independent deep copy (used by COPY). */
  clone?(): RedisObject;
}

/**
 * What a key holds: a `Uint8Array` is a string value, anything else a {@link RedisObject}.
 *
 * @example
 * ```ts
 * import { type KeyValue, typeOf } from "./keyspace.ts";
 *
 * const value: KeyValue = new Uint8Array([104, 105]);
 * typeOf(value); // "string"
 * ```
 */
export type KeyValue = Uint8Array | RedisObject;

/**
 * Redis's error for a command applied to a key of another type (thrown or replied as is).
 *
 * @example
 * ```ts
 * import { WRONGTYPE } from "./keyspace.ts";
 *
 * const error = new Error(WRONGTYPE); // what a handler throws: the client gets it as is
 * console.log(error.message.startsWith("WRONGTYPE ")); // true
 * ```
 */
export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

/**
 * Anything that can WATCH keys: the core's `Connection` fits (EXEC replies a null array when
 * `watchDirty` is true).
 *
 * @example
 * ```ts
 * import type { Watcher } from "./keyspace.ts";
 *
 * const watcher: Watcher = { watchDirty: false };
 * ```
 */
export interface Watcher {
  /** Set to true when a watched key changes. */
  watchDirty: boolean;
}

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
  /** The clock in ms since the epoch, default `Date.now`. */
  now?: () => number;
  /** Active-expiry period in ms (Redis's `hz` 10 → 100 ms). 0 turns the sweep off. */
  sweepInterval?: number;
}

const CHUNK = 8192;
const fromCharCode = String.fromCharCode;

/**
 * Turns key bytes into the keyspace's binary-string form (one char per byte).
 *
 * @example
 * ```ts
 * import { keyOf } from "./keyspace.ts";
 *
 * keyOf(new Uint8Array([0x6b, 0xff])); // "k\xff"
 * ```
 */
export function keyOf(bytes: Uint8Array): string {
  const n = bytes.length;
  // Short keys: one fixed-arity call (no array-like spread of a typed array, no rope).
  if (n <= 32) return n === 0 ? "" : shortByteString(bytes, 0, n);
  if (n <= CHUNK) return fromCharCode.apply(null, bytes as unknown as number[]);
  let out = "";
  for (let i = 0; i < n; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}

/**
 * `value` itself when it keeps little memory alive beyond its own bytes, else a compact copy
 * (up to 256 bytes, in a shared 16 KiB slab). On JavaScriptCore (Bun) an array of at most 32
 * bytes at offset 0 is kept as it is: that is what the decoder hands out there (fresh arrays
 * of their own), and asking such an array for its `buffer` costs more than the array.
 * Command arguments are views of the bytes of the socket read they came in (up to 64 KiB), so
 * the store copies a small value out of a large read before keeping it: a 16-byte value must
 * not pin a 64 KiB chunk. An argument that is most of its read is kept as it is, without a copy.
 *
 * @example
 * ```ts
 * import { compactBytes } from "./keyspace.ts";
 *
 * const read = new Uint8Array(65536);
 * compactBytes(read.subarray(0, 16)).length; // 16: a copy, in a slab
 * compactBytes(read).buffer.byteLength; // 65536: kept as it is
 * ```
 */
export function compactBytes(value: Uint8Array): Uint8Array {
  const length = value.length;
  // The decoder's short arguments on JavaScriptCore are fresh arrays of their own, and there
  // reading `.buffer` of such an array costs more than the array (it gets a separate buffer).
  if (length <= FRESH_MAX && value.byteOffset === 0) return value;
  // At most half its size (plus a little) of other bytes kept alive: no copy.
  if (value.buffer.byteLength - length <= (length >> 1) + 64) return value;
  return VALUE_SLAB.copy(value, 0, length);
}

/** Copies `source` over `target` (same length); short ones byte by byte (no call). */
function copyBytes(target: Uint8Array, source: Uint8Array): void {
  const length = source.length;
  if (length <= 32) { for (let i = 0; i < length; i++) target[i] = source[i]; }
  else target.set(source);
}

/** Small values are copied into shared 16 KiB slabs (one allocation for many values). */
const VALUE_SLAB = new Slab(16 * 1024, 256);

/**
 * Turns a binary-string key back into its bytes.
 *
 * @example
 * ```ts
 * import { keyBytes } from "./keyspace.ts";
 *
 * keyBytes("k\xff"); // Uint8Array [0x6b, 0xff]
 * ```
 */
export function keyBytes(key: string): Uint8Array {
  const n = key.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = key.charCodeAt(i);
  return out;
}

/**
 * The type name TYPE replies for a value.
 *
 * @example
 * ```ts
 * import { typeOf } from "./keyspace.ts";
 *
 * typeOf(new Uint8Array(0)); // "string"
 * ```
 */
export function typeOf(value: KeyValue): "string" | "list" | "hash" | "set" | "zset" {
  return value instanceof Uint8Array ? "string" : value.type;
}

/**
 * A deep copy of a value, for COPY: strings are copied, objects use their `clone()` or a
 * generic copy of their own fields.
 *
 * @example
 * ```ts
 * import { cloneValue } from "./keyspace.ts";
 *
 * const copy = cloneValue(new Uint8Array([1, 2]));
 * ```
 */
export function cloneValue(value: KeyValue): KeyValue {
  if (value instanceof Uint8Array) return value.slice();
  if (typeof value.clone === "function") return value.clone();
  return deepCopy(value, new Map()) as RedisObject;
}

function deepCopy(value: unknown, seen: Map<unknown, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (ArrayBuffer.isView(value)) {
    const copy = (value as unknown as { slice(): unknown }).slice();
    seen.set(value, copy);
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    seen.set(value, copy);
    for (const [k, v] of value) copy.set(deepCopy(k, seen), deepCopy(v, seen));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    seen.set(value, copy);
    for (const v of value) copy.add(deepCopy(v, seen));
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    seen.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = deepCopy(value[i], seen);
    return copy;
  }
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string | symbol, unknown>;
  seen.set(value, copy);
  for (const k of Reflect.ownKeys(value)) {
    copy[k] = deepCopy((value as Record<string | symbol, unknown>)[k], seen);
  }
  return copy;
}

/** "No TTL": never smaller than any clock value. */
const NO_EXPIRE = Infinity;

/** One stored key. `seq` orders keys for SCAN (the Map's insertion order). */
class Entry implements StoredEntry {
  value: KeyValue;
  seq: number;
  expireAt: number;
  owned: boolean;
  constructor(value: KeyValue, seq: number, owned: boolean) {
    this.value = value;
    this.seq = seq;
    this.expireAt = NO_EXPIRE;
    this.owned = owned;
  }
}

/**
 * Options of {@link Database.set}.
 *
 * @example
 * ```ts
 * import type { SetOptions } from "./keyspace.ts";
 *
 * const options: SetOptions = { keepTtl: true };
 * ```
 */
export interface SetOptions {
  /** Keep the key's TTL (default: an overwrite clears it). */
  keepTtl?: boolean;
  /**
   * The value is a string the store itself made and nobody else holds (INCR's digits):
   * commands may later update it in place (see {@link Database.entry}), and it is kept as
   * it is. Default false: values given by callers are never modified, and a string that
   * keeps much more memory alive than its own bytes is stored as a compact copy
   * ({@link compactBytes}).
   */
  owned?: boolean;
}

/**
 * A live key as {@link Database.entry} returns it (read-only: change values through the
 * database, or in place when `owned`).
 *
 * @example
 * ```ts
 * import type { StoredEntry } from "./keyspace.ts";
 *
 * function isOwnedString(entry: StoredEntry): boolean {
 *   return entry.owned && entry.value instanceof Uint8Array;
 * }
 * ```
 */
export interface StoredEntry {
  /** The value. */
  readonly value: KeyValue;
  /**
   * True when the value is a string the store made itself ({@link SetOptions.owned}, or its
   * compact copy of a value given to {@link Database.set}): its bytes may be overwritten in
   * place (same length), followed by {@link Database.touch}.
   */
  readonly owned: boolean;
}

/**
 * One WATCHed key of one watcher (internal bookkeeping of {@link Keyspace.watch}).
 *
 * @example
 * ```ts
 * import type { WatchedKey } from "./keyspace.ts";
 *
 * function describe(wk: WatchedKey): string {
 *   return `db${wk.db.index} ${wk.key}`;
 * }
 * ```
 */
export interface WatchedKey {
  /** Who watches. */
  readonly watcher: Watcher;
  /** The database of the key. */
  readonly db: Database;
  /** The key (binary string). */
  readonly key: string;
  /** The key was logically expired when WATCHed (Redis 7.0 `wk->expired`). */
  expired: boolean;
}

/** A SCAN in progress: a live Map iterator and the entry it read ahead. */
interface ScanState {
  iterator: Iterator<[string, Entry]>;
  next: [string, Entry];
}

/**
 * The result of {@link Database.scan}.
 *
 * @example
 * ```ts
 * import { Keyspace, type ScanPage } from "./keyspace.ts";
 *
 * const keyspace = new Keyspace();
 * const page: ScanPage = keyspace.db(0).scan(0, 10); // { cursor: 0, keys: [] }
 * ```
 */
export interface ScanPage {
  /** Cursor for the next call; 0 when the iteration is complete. */
  cursor: number;
  /** Live keys visited by this call (before any MATCH / TYPE filter). */
  keys: string[];
}

const SCAN_STATES_MAX = 256;
const SWEEP_BATCH = 20;
const SWEEP_BATCHES_MAX = 16;
const SWEEP_TIME_BUDGET = 10; // ms per tick, all databases
const RANDOM_EXACT_MAX = 1024;

/**
 * One numbered database. Obtain it with {@link Keyspace.db}.
 *
 * @example
 * ```ts
 * import { Keyspace, keyOf } from "./keyspace.ts";
 *
 * const keyspace = new Keyspace();
 * const db = keyspace.db(0);
 * db.set("greeting", new TextEncoder().encode("hello"));
 * db.get("greeting"); // Uint8Array "hello"
 * keyspace.close();
 * ```
 */
export class Database {
  /** The database number (SELECT index). */
  readonly index: number;
  #keyspace: Keyspace;
  #data = new Map<string, Entry>();
  #expires = new Map<string, Entry>();
  #seq = 0;
  #scans = new Map<number, ScanState>();
  #sweepIterator: Iterator<[string, Entry]> | undefined;
  #randomIterator: Iterator<string> | undefined;
  #avgTtl = 0;
  #watched = new Map<string, Set<WatchedKey>>();

  /** Created by {@link Keyspace}; not meant to be constructed directly. */
  constructor(keyspace: Keyspace, index: number) {
    this.#keyspace = keyspace;
    this.index = index;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry === undefined) return undefined;
    if (entry.expireAt !== NO_EXPIRE && entry.expireAt < this.#keyspace.now()) {
      this.#removeExpired(key);
      return undefined;
    }
    return entry;
  }

  #removeExpired(key: string): void {
    this.#data.delete(key);
    this.#expires.delete(key);
    this.#keyspace.expiredKeys++;
    this.touch(key);
  }

  /**
   * The value at `key`, or undefined (deleting the key first if its TTL has passed). A string
   * value may later be updated in place by INCR and friends when the store made it itself
   * (see {@link SetOptions.owned}): copy it to keep it beyond the current command.
   */
  get(key: string): KeyValue | undefined {
    return this.#live(key)?.value;
  }

  /**
   * The live entry at `key` (lazy expiry applies), or undefined: one lookup for
   * read-modify-write commands. An owned string may be overwritten in place (same length);
   * the caller must then call {@link Database.touch}. Anything else goes through `set`.
   */
  entry(key: string): StoredEntry | undefined {
    return this.#live(key);
  }

  /**
   * Stores `value` at `key` (creating or overwriting; an overwrite keeps the key's SCAN
   * position). Clears the TTL unless `keepTtl`. Marks WATCHers of the key dirty. A string
   * that is a small view of a large buffer (a command argument, say) is copied first, and one
   * as long as a string the store made at `key` is copied over it in place.
   */
  set(key: string, value: KeyValue, options?: SetOptions): void {
    const entry = this.#live(key);
    let owned = options !== undefined && options.owned === true;
    if (!owned && value instanceof Uint8Array) {
      const current = entry?.value;
      if (current instanceof Uint8Array && entry!.owned && current.length === value.length) {
        // Same length over a string the store made: rewritten in place, like INCR. No new
        // object that must survive the young generation, no old-to-young reference.
        if (current !== value) copyBytes(current, value);
        value = current;
        owned = true;
      } else {
        const compact = compactBytes(value);
        // A copy made here is the store's own (later updates may happen in place).
        owned = compact !== value;
        value = compact;
      }
    }
    if (entry === undefined) {
      this.#data.set(key, new Entry(value, ++this.#seq, owned));
    } else {
      entry.value = value;
      entry.owned = owned;
      if (entry.expireAt !== NO_EXPIRE && options?.keepTtl !== true) {
        entry.expireAt = NO_EXPIRE;
        this.#expires.delete(key);
      }
    }
    this.touch(key);
  }

  /** Deletes `key`; true if it existed (and was not expired). Marks WATCHers dirty. */
  delete(key: string): boolean {
    if (this.#live(key) === undefined) return false;
    this.#data.delete(key);
    this.#expires.delete(key);
    this.touch(key);
    return true;
  }

  /** True if `key` exists (lazy expiry applies). */
  has(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  /** The key's expiry time in ms since the epoch, or undefined when it has no TTL. */
  expireAt(key: string): number | undefined {
    const entry = this.#live(key);
    if (entry === undefined || entry.expireAt === NO_EXPIRE) return undefined;
    return entry.expireAt;
  }

  /**
   * Sets (ms since the epoch) or clears (undefined) the TTL of an existing key; does nothing
   * when the key does not exist. Marks WATCHers dirty.
   */
  setExpireAt(key: string, ms: number | undefined): void {
    const entry = this.#live(key);
    if (entry === undefined) return;
    if (ms === undefined) {
      if (entry.expireAt !== NO_EXPIRE) {
        entry.expireAt = NO_EXPIRE;
        this.#expires.delete(key);
      }
    } else {
      entry.expireAt = ms;
      this.#expires.set(key, entry);
      this.#keyspace.armSweep();
    }
    this.touch(key);
  }

  /** Number of keys stored, counting expired keys not yet removed (like Redis's DBSIZE). */
  get size(): number {
    return this.#data.size;
  }

  /** Number of keys with a TTL (INFO keyspace `expires`). */
  get expiresCount(): number {
    return this.#expires.size;
  }

  /** Running estimate of the average remaining TTL in ms (INFO keyspace `avg_ttl`). */
  get averageTtl(): number {
    return this.#expires.size === 0 ? 0 : Math.round(this.#avgTtl);
  }

  /** Live keys, in SCAN order (expired keys are skipped, not deleted). */
  *keys(): IterableIterator<string> {
    const now = this.#keyspace.now();
    for (const [key, entry] of this.#data) {
      if (entry.expireAt === NO_EXPIRE || entry.expireAt >= now) yield key;
    }
  }

  /** The raw value at `key` ignoring expiry (no deletion), for inspection. */
  peek(key: string): KeyValue | undefined {
    return this.#data.get(key)?.value;
  }

  /**
   * One SCAN step: visits up to `count` live keys from `cursor` (0 = start). Every key that
   * exists during the whole scan is returned at least once, whatever is inserted or deleted
   * in between; keys are never returned twice unless deleted and re-created.
   */
  scan(cursor: number, count: number): ScanPage {
    let state: ScanState | undefined;
    if (cursor !== 0) {
      state = this.#scans.get(cursor);
      if (state !== undefined) this.#scans.delete(cursor);
    }
    let iterator: Iterator<[string, Entry]>;
    let pending: [string, Entry] | undefined;
    if (state !== undefined) {
      iterator = state.iterator;
      pending = state.next;
    } else {
      iterator = this.#data.entries();
      // Unknown cursor (evicted, or from before a restart): skip what was already visited.
      for (let r = iterator.next(); !r.done; r = iterator.next()) {
        if (r.value[1].seq >= cursor) {
          pending = r.value;
          break;
        }
      }
    }
    const keys: string[] = [];
    const now = this.#keyspace.now();
    let visited = 0;
    while (pending !== undefined) {
      const [key, entry] = pending;
      if (visited >= count) break;
      if (this.#data.get(key) === entry) {
        if (entry.expireAt !== NO_EXPIRE && entry.expireAt < now) this.#removeExpired(key);
        else keys.push(key);
        visited++;
      }
      const r = iterator.next();
      pending = r.done ? undefined : r.value;
    }
    if (pending === undefined) return { cursor: 0, keys };
    const next = pending[1].seq;
    if (this.#scans.size >= SCAN_STATES_MAX) {
      this.#scans.delete(this.#scans.keys().next().value as number);
    }
    this.#scans.set(next, { iterator, next: pending });
    return { cursor: next, keys };
  }

  /** A random live key, or undefined when the database is empty (RANDOMKEY). */
  randomKey(): string | undefined {
    for (let attempt = 0; attempt < 100 && this.#data.size > 0; attempt++) {
      const key = this.#pickRandom();
      if (this.#live(key) !== undefined) return key;
    }
    return undefined;
  }

  #pickRandom(): string {
    const size = this.#data.size;
    if (size <= RANDOM_EXACT_MAX) {
      let skip = Math.floor(Math.random() * size);
      for (const key of this.#data.keys()) if (skip-- === 0) return key;
    }
    // Large databases: a random hop along a persistent live iterator (O(1) amortised).
    let skip = Math.floor(Math.random() * 64);
    for (;;) {
      this.#randomIterator ??= this.#data.keys();
      const r = this.#randomIterator.next();
      if (r.done) {
        this.#randomIterator = undefined;
        continue;
      }
      if (skip-- === 0) return r.value;
    }
  }

  /** Deletes every key (FLUSHDB); WATCHers of keys that existed are marked dirty. */
  clear(): void {
    if (this.#watched.size > 0) {
      for (const [key, set] of this.#watched) {
        if (this.#data.has(key)) { for (const wk of set) this.#keyspace.markDirty(wk.watcher); }
      }
    }
    this.#data = new Map();
    this.#expires = new Map();
    this.#resetIterators();
  }

  #resetIterators(): void {
    this.#scans.clear();
    this.#sweepIterator = undefined;
    this.#randomIterator = undefined;
    this.#avgTtl = 0;
  }

  /**
   * Redis's signalModifiedKey: marks WATCHers of `key` dirty. `set`, `delete` and
   * `setExpireAt` call it themselves; in-place changes to a list/hash/set/zset must call it.
   */
  touch(key: string): void {
    if (this.#watched.size === 0) return;
    const set = this.#watched.get(key);
    if (set === undefined) return;
    for (const wk of set) {
      if (wk.expired && !this.#data.has(key)) {
        // Was already expired when WATCHed and is now gone: logically no change.
        wk.expired = false;
        continue;
      }
      this.#keyspace.markDirty(wk.watcher);
    }
  }

  /** Called after `key` may have become a non-empty list/zset (serves blocked clients). */
  signalReady(key: string): void {
    this.#keyspace.emitReady(this, key);
  }

  /** Internal: exchanges contents with another database (SWAPDB). WATCHes stay put. */
  swapContents(other: Database): void {
    this.touchAllWatched(other);
    other.touchAllWatched(this);
    const data = this.#data, expires = this.#expires, seq = this.#seq;
    this.#data = other.#data;
    this.#expires = other.#expires;
    this.#seq = other.#seq;
    other.#data = data;
    other.#expires = expires;
    other.#seq = seq;
    this.#resetIterators();
    other.#resetIterators();
  }

  /** Internal: marks dirty the WATCHers of keys that exist here or in `other`. */
  touchAllWatched(other: Database | undefined): void {
    for (const [key, set] of this.#watched) {
      if (this.#data.has(key) || (other !== undefined && other.#data.has(key))) {
        for (const wk of set) this.#keyspace.markDirty(wk.watcher);
      }
    }
  }

  /** Internal: signals every list/zset key as ready (after SWAPDB). */
  signalAllReady(): void {
    for (const [key, entry] of this.#data) {
      const v = entry.value;
      if (!(v instanceof Uint8Array) && (v.type === "list" || v.type === "zset")) {
        this.signalReady(key);
      }
    }
  }

  /**
   * Internal: registers a WATCH.
   *
   * @ignore
   */
  addWatch(watcher: Watcher, key: string): WatchedKey | undefined {
    let set = this.#watched.get(key);
    if (set === undefined) {
      set = new Set();
      this.#watched.set(key, set);
    } else {
      for (const wk of set) if (wk.watcher === watcher) return undefined;
    }
    const entry = this.#data.get(key);
    const expired = entry !== undefined && entry.expireAt !== NO_EXPIRE &&
      entry.expireAt < this.#keyspace.now();
    const wk: WatchedKey = { watcher, db: this, key, expired };
    set.add(wk);
    return wk;
  }

  /**
   * Internal: removes a WATCH.
   *
   * @ignore
   */
  removeWatch(wk: WatchedKey): void {
    const set = this.#watched.get(wk.key);
    if (set === undefined) return;
    set.delete(wk);
    if (set.size === 0) this.#watched.delete(wk.key);
  }

  /**
   * Internal: true if the WATCHed key has become logically expired since WATCH.
   *
   * @ignore
   */
  watchedKeyExpired(wk: WatchedKey): boolean {
    if (wk.expired) return false;
    const entry = this.#data.get(wk.key);
    return entry !== undefined && entry.expireAt !== NO_EXPIRE &&
      entry.expireAt < this.#keyspace.now();
  }

  /**
   * Internal: one active-expiry step. Samples keys with a TTL in batches of 20 (round robin
   * over a live iterator), deleting the expired ones; goes on while a batch finds more than
   * 25% expired, within `deadline` (a `Date.now()` value). Returns the number deleted.
   */
  sweep(deadline: number): number {
    let deleted = 0;
    const now = this.#keyspace.now();
    for (let batch = 0; batch < SWEEP_BATCHES_MAX && this.#expires.size > 0; batch++) {
      let sampled = 0, expired = 0, ttlSum = 0, ttlSamples = 0;
      const limit = Math.min(SWEEP_BATCH, this.#expires.size);
      while (sampled < limit && this.#expires.size > 0) {
        this.#sweepIterator ??= this.#expires.entries();
        const r = this.#sweepIterator.next();
        if (r.done) {
          this.#sweepIterator = undefined;
          continue;
        }
        const [key, entry] = r.value;
        sampled++;
        if (entry.expireAt < now) {
          this.#removeExpired(key);
          expired++;
        } else {
          ttlSum += entry.expireAt - now;
          ttlSamples++;
        }
      }
      deleted += expired;
      if (ttlSamples > 0) {
        const avg = ttlSum / ttlSamples;
        this.#avgTtl = this.#avgTtl === 0 ? avg : (this.#avgTtl / 50) * 49 + avg / 50;
      }
      if (expired * 4 <= sampled || Date.now() > deadline) break;
    }
    return deleted;
  }
}

/**
 * The whole keyspace: `databases` numbered {@link Database}s, the clock, the active-expiry
 * timer, WATCH bookkeeping and the "key ready" listeners.
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
  #dbs: Database[];
  #now: () => number;
  #sweepInterval: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #readyListeners: Array<(db: Database, key: string) => void> = [];
  #watches = new Map<Watcher, WatchedKey[]>();

  /** Creates `databases` empty databases; throws RangeError unless it is a positive integer. */
  constructor(options: KeyspaceOptions = {}) {
    const databases = options.databases ?? 16;
    if (!Number.isInteger(databases) || databases < 1) {
      throw new RangeError("databases must be a positive integer");
    }
    this.databases = databases;
    this.#now = options.now ?? Date.now;
    this.#sweepInterval = options.sweepInterval ?? 100;
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
    if (this.#readyListeners.length > 0) {
      da.signalAllReady();
      dbb.signalAllReady();
    }
  }

  /** FLUSHALL: empties every database. */
  flushAll(): void {
    for (const db of this.#dbs) db.clear();
  }

  /** Adds a listener for {@link Database.signalReady} (the list module serves BLPOP here). */
  onReady(listener: (db: Database, key: string) => void): void {
    this.#readyListeners.push(listener);
  }

  /** Internal: calls the ready listeners. */
  emitReady(db: Database, key: string): void {
    for (const listener of this.#readyListeners) listener(db, key);
  }

  /** WATCH: `watcher` gets dirty when `key` in database `db` changes. */
  watch(watcher: Watcher, db: number, key: string): void {
    const wk = this.db(db).addWatch(watcher, key);
    if (wk === undefined) return;
    const list = this.#watches.get(watcher);
    if (list === undefined) this.#watches.set(watcher, [wk]);
    else list.push(wk);
  }

  /** UNWATCH / end of a transaction / connection closed: forgets all of `watcher`'s WATCHes. */
  unwatchAll(watcher: Watcher): void {
    const list = this.#watches.get(watcher);
    if (list === undefined) return;
    this.#watches.delete(watcher);
    for (const wk of list) wk.db.removeWatch(wk);
  }

  /** Number of keys `watcher` WATCHes. */
  watchCount(watcher: Watcher): number {
    return this.#watches.get(watcher)?.length ?? 0;
  }

  /**
   * Redis 7.0 `isWatchedKeyExpired`: true when a key `watcher` WATCHes has expired since the
   * WATCH (then EXEC must fail). Also marks the watcher dirty in that case.
   */
  checkWatchedExpired(watcher: Watcher): boolean {
    const list = this.#watches.get(watcher);
    if (list === undefined) return false;
    for (const wk of list) {
      if (wk.db.watchedKeyExpired(wk)) {
        watcher.watchDirty = true;
        return true;
      }
    }
    return false;
  }

  /** Internal: marks a watcher dirty. */
  markDirty(watcher: Watcher): void {
    watcher.watchDirty = true;
  }

  /** Internal: makes sure the active-expiry timer runs (called when a TTL is set). */
  armSweep(): void {
    if (this.#timer !== undefined || this.#closed || this.#sweepInterval <= 0) return;
    const timer = setTimeout(() => this.#tick(), this.#sweepInterval);
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const deadline = Date.now() + SWEEP_TIME_BUDGET;
    let pending = false;
    for (const db of this.#dbs) {
      if (db.expiresCount === 0) continue;
      db.sweep(deadline);
      if (db.expiresCount > 0) pending = true;
    }
    if (pending) this.armSweep();
  }

  /** Runs one active-expiry pass now (tests, or a custom scheduler). */
  sweepNow(): void {
    const deadline = Date.now() + SWEEP_TIME_BUDGET;
    for (const db of this.#dbs) if (db.expiresCount > 0) db.sweep(deadline);
  }

  /** Stops the active-expiry timer; keys still expire lazily on access. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
