/**
 * One database of the keyspace (Redis's db.c `redisDb`): its keys and entries (the value,
 * the expiry and the packed flags and LRU stamp of each key), lazy expiry on access, SCAN,
 * RANDOMKEY and the signals to clients blocked on its keys. {@link Keyspace} (keyspace.ts)
 * numbers the databases and owns what they share.
 *
 * @module
 */

import { ExpireIndex, type ExpireMs } from "./expire.ts";
import { compactBytes, copyBytes } from "./encoding.ts";
import {
  asText,
  asTextOver,
  Entry,
  FLAGS,
  type Held,
  holdsType,
  LRU_SHIFT,
  OWNED,
  PLAIN,
  RAW,
  TTL,
  valueOf,
} from "./entry.ts";
import type { Keyspace } from "./keyspace.ts";
import { idleSeconds, type LruClock, stampForIdle } from "./lru.ts";
import type { KeyValue, StringEncoding } from "./values.ts";
import { KeyWatches } from "./watch.ts";

/** The flag bits of a string stored with `encoding`. */
function encodingBits(encoding: StringEncoding | undefined): number {
  return encoding === undefined ? 0 : encoding === "raw" ? RAW : PLAIN;
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
  /**
   * How Redis encodes the string when that is not what its bytes give (Redis's
   * tryObjectEncoding: `int`, `embstr` up to 44 bytes, else `raw`); see {@link StringEncoding}.
   */
  encoding?: StringEncoding;
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
  /** The string's encoding beside its bytes ({@link SetOptions.encoding}), if any. */
  readonly encoding: StringEncoding | undefined;
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
const RANDOM_EXACT_MAX = 1024;

/**
 * One numbered database. Obtain it with {@link Keyspace.db}.
 *
 * @example
 * ```ts
 * import { Keyspace } from "./keyspace.ts";
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
  /** The keyspace it belongs to (for commands that span databases: SWAPDB, MOVE, COPY DB). */
  readonly keyspace: Keyspace;
  #data = new Map<string, Entry>();
  #expires = new ExpireIndex();
  #seq = 0;
  #scans = new Map<number, ScanState>();
  #randomIterator: Iterator<string> | undefined;
  #watched: KeyWatches;
  #lru: LruClock;
  #removeExpiredKey = (key: string): void => this.#removeExpired(key);

  /** Created by {@link Keyspace}; not meant to be constructed directly. */
  constructor(keyspace: Keyspace, index: number) {
    this.keyspace = keyspace;
    this.index = index;
    this.#lru = keyspace.lru;
    this.#watched = new KeyWatches(
      (key) => this.#data.has(key),
      (key) => this.#storedExpired(key),
    );
  }

  /**
   * The WATCH table of this database (see {@link Keyspace.watch}).
   *
   * @ignore
   */
  get watches(): KeyWatches {
    return this.#watched;
  }

  /** `key` is stored and its TTL has passed (not yet removed). */
  #storedExpired(key: string): boolean {
    const entry = this.#data.get(key);
    return entry !== undefined && (entry.bits & TTL) !== 0 && this.#expired(key);
  }

  /** The TTL of `key` (a key with one) has passed. */
  #expired(key: string): boolean {
    return this.#expires.at(key)! < this.keyspace.now();
  }

  /** The live entry at `key`, stamped as accessed now (Redis's lookupKey). */
  #live(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry === undefined) return undefined;
    if ((entry.bits & TTL) !== 0 && this.#expired(key)) {
      this.#removeExpired(key);
      return undefined;
    }
    entry.bits = (entry.bits & FLAGS) | (this.#lru.stamp() << LRU_SHIFT);
    return entry;
  }

  /** The live entry at `key`, its access time left alone (Redis's LOOKUP_NOTOUCH). */
  #found(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry === undefined) return undefined;
    if ((entry.bits & TTL) !== 0 && this.#expired(key)) {
      this.#removeExpired(key);
      return undefined;
    }
    return entry;
  }

  #removeExpired(key: string): void {
    this.#signalIfStream(key, this.#data.get(key)?.held);
    this.#data.delete(key);
    this.#expires.delete(key);
    this.keyspace.expiredKeys++;
    this.touch(key);
    const events = this.keyspace.events;
    if (events.flags !== 0) events.onExpired(this.index, key);
  }

  /**
   * The value at `key`, or undefined (deleting the key first if its TTL has passed). A string
   * value may later be updated in place by INCR and friends when the store made it itself
   * (see {@link SetOptions.owned}): copy it to keep it beyond the current command.
   */
  get(key: string): KeyValue | undefined {
    const entry = this.#live(key);
    return entry === undefined ? undefined : valueOf(entry.held);
  }

  /**
   * The value at `key` like {@link Database.get}, except that a short ASCII string value may
   * come as a JavaScript string (one char per byte, also its UTF-8 form): what GET replies,
   * without making bytes of it.
   */
  read(key: string): KeyValue | string | undefined {
    return this.#live(key)?.held;
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
   * The value at `key` like {@link Database.get}, without marking it accessed (Redis's
   * LOOKUP_NOTOUCH: TYPE, OBJECT, the TYPE filter of SCAN).
   */
  find(key: string): KeyValue | undefined {
    const entry = this.#found(key);
    return entry === undefined ? undefined : valueOf(entry.held);
  }

  /** Seconds since `key` was last accessed (OBJECT IDLETIME), or undefined when missing. */
  idleTime(key: string): number | undefined {
    const entry = this.#found(key);
    if (entry === undefined) return undefined;
    return idleSeconds(entry.bits >>> LRU_SHIFT, this.#lru.stamp());
  }

  /** RESTORE ... IDLETIME: makes `key` look last accessed `seconds` (≥ 0) ago. */
  setIdleTime(key: string, seconds: bigint): void {
    const entry = this.#found(key);
    if (entry === undefined) return;
    const stamp = stampForIdle(seconds, this.#lru.stamp());
    entry.bits = (entry.bits & FLAGS) | (stamp << LRU_SHIFT);
  }

  /**
   * The string encoding of `key` beside its bytes (see {@link SetOptions.encoding}): what
   * OBJECT ENCODING reads; undefined for a missing key or one encoded as its bytes say.
   */
  stringEncoding(key: string): StringEncoding | undefined {
    return this.#found(key)?.encoding;
  }

  /** The string at `key` was edited in place (SETBIT, BITFIELD): Redis now encodes it `raw`. */
  markRaw(key: string): void {
    const entry = this.#found(key);
    if (entry !== undefined) entry.bits = (entry.bits & ~PLAIN) | RAW;
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
    let held: Held = value;
    if (!owned && value instanceof Uint8Array) {
      const current = entry?.held;
      if (current instanceof Uint8Array && entry!.owned && current.length === value.length) {
        // Same length over a string the store made: rewritten in place, like INCR. No new
        // object that must survive the young generation, no old-to-young reference.
        if (current !== value) copyBytes(current, value);
        held = current;
        owned = true;
      } else {
        const text = typeof current === "string" ? asTextOver(current, value) : asText(value);
        if (text !== undefined) held = text;
        else {
          const compact = compactBytes(value);
          // A copy made here is the store's own (later updates may happen in place).
          owned = compact !== value;
          held = compact;
        }
      }
    }
    let bits = (owned ? OWNED : 0) | encodingBits(options?.encoding) |
      (this.#lru.stamp() << LRU_SHIFT);
    if (entry === undefined) {
      this.#data.set(key, new Entry(held, ++this.#seq, bits));
      if (this.keyspace.events.flags !== 0) this.keyspace.events.onAdded(this.index, key);
      // Redis's dbAdd: a new list, sorted set or stream may serve blocked clients.
      if (!(value instanceof Uint8Array) && value.type !== "hash" && value.type !== "set") {
        this.signalReady(key);
      }
    } else {
      if (entry.held !== held) this.#signalIfStream(key, entry.held);
      entry.held = held;
      if ((entry.bits & TTL) !== 0) {
        if (options?.keepTtl === true) bits |= TTL;
        else this.#expires.delete(key);
      }
      entry.bits = bits;
    }
    this.touch(key);
  }

  /** Deletes `key`; true if it existed (and was not expired). Marks WATCHers dirty. */
  delete(key: string): boolean {
    const entry = this.#live(key);
    if (entry === undefined) return false;
    this.#signalIfStream(key, entry.held);
    this.#data.delete(key);
    this.#expires.delete(key);
    if (this.keyspace.events.flags !== 0) this.keyspace.events.onDeleted(this.index, key);
    this.touch(key);
    return true;
  }

  /** True if `key` exists (lazy expiry applies). */
  has(key: string): boolean {
    return this.#found(key) !== undefined;
  }

  /**
   * The key's expiry time in ms since the epoch (the nearest double beyond 2^53), or
   * undefined when it has no TTL.
   */
  expireAt(key: string): number | undefined {
    const entry = this.#found(key);
    if (entry === undefined || (entry.bits & TTL) === 0) return undefined;
    return this.#expires.at(key);
  }

  /**
   * The key's exact expiry time in ms since the epoch (a bigint only beyond 2^53, see
   * {@link ExpireMs}), or undefined when it has no TTL.
   */
  expireTime(key: string): ExpireMs | undefined {
    const at = this.expireAt(key);
    return at !== undefined && at > Number.MAX_SAFE_INTEGER ? this.#expires.exact(key) ?? at : at;
  }

  /**
   * Sets (ms since the epoch) or clears (undefined) the TTL of an existing key; does nothing
   * when the key does not exist. Marks WATCHers dirty.
   */
  setExpireAt(key: string, ms: ExpireMs | undefined): void {
    const entry = this.#live(key);
    if (entry === undefined) return;
    const events = this.keyspace.events;
    if (ms === undefined) {
      if ((entry.bits & TTL) !== 0) {
        entry.bits &= ~TTL;
        this.#expires.delete(key);
        if (events.flags !== 0) events.onTtl(this.index, key, false);
      }
    } else {
      // Beyond 2^53 the entry holds the nearest double (for the clock comparisons) and the
      // index the exact bigint.
      const exact = typeof ms === "bigint" ? ms : undefined;
      entry.bits |= TTL;
      this.#expires.set(key, exact === undefined ? ms as number : Number(exact), exact);
      this.keyspace.armSweep();
      if (events.flags !== 0) events.onTtl(this.index, key, true);
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
    return this.#expires.averageTtl;
  }

  /** Live keys, in SCAN order (expired keys are skipped, not deleted). */
  *keys(): IterableIterator<string> {
    const now = this.keyspace.now();
    for (const [key, entry] of this.#data) {
      if ((entry.bits & TTL) === 0 || this.#expires.at(key)! >= now) yield key;
    }
  }

  /** The raw value at `key` ignoring expiry (no deletion), for inspection. */
  peek(key: string): KeyValue | undefined {
    const entry = this.#data.get(key);
    return entry === undefined ? undefined : valueOf(entry.held);
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
    const now = this.keyspace.now();
    let visited = 0;
    while (pending !== undefined) {
      const [key, entry] = pending;
      if (visited >= count) break;
      if (this.#data.get(key) === entry) {
        if ((entry.bits & TTL) !== 0 && this.#expires.at(key)! < now) this.#removeExpired(key);
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
      if (this.#found(key) !== undefined) return key;
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

  /**
   * Deletes every key (FLUSHDB); WATCHers of keys that existed are marked dirty, and keys
   * that held a stream are signalled (Redis's scanDatabaseForDeletedStreams), so that
   * clients blocked in XREADGROUP on them are answered.
   */
  clear(): void {
    if (this.#watched.size > 0) this.#watched.touchWhere((key) => this.#data.has(key));
    if (this.keyspace.blocking.blockedClients > 0) {
      for (const key of this.keyspace.blocking.keysWaitedOn(this.index)) {
        this.#signalIfStream(key, this.#data.get(key)?.held);
      }
    }
    this.#data = new Map();
    this.#expires = new ExpireIndex();
    this.#resetIterators();
  }

  #resetIterators(): void {
    this.#scans.clear();
    this.#randomIterator = undefined;
    this.#expires.reset();
  }

  /**
   * Redis's signalModifiedKey: marks WATCHers of `key` dirty. `set`, `delete` and
   * `setExpireAt` call it themselves; in-place changes to a value must call it.
   */
  touch(key: string): void {
    if (this.keyspace.events.flags !== 0) this.keyspace.events.onModified(this.index, key);
    if (this.#watched.size === 0) return;
    this.#watched.touch(key);
  }

  /**
   * Redis's notifyKeyspaceEvent for an event a command publishes beside the one its table
   * entry declares (XADD's `xtrim`, a consumer created by XREADGROUP / XCLAIM / XAUTOCLAIM).
   */
  notify(type: string, event: string, key: string): void {
    const events = this.keyspace.events;
    if (events.flags !== 0) events.notify(type, event, key, this.index);
  }

  /**
   * Redis's signalKeyAsReady: `key` may now serve clients blocked on it (a list or sorted set
   * that became non-empty); they are served after the current command.
   */
  signalReady(key: string): void {
    this.keyspace.blocking.signal(this.index, key);
  }

  /**
   * Redis's dbGenericDelete / dbSetValue: a stream deleted or replaced signals its key, so
   * that clients blocked in XREADGROUP on it are answered.
   */
  #signalIfStream(key: string, old: Held | undefined): void {
    if (holdsType(old, "stream")) this.signalReady(key);
  }

  /** SWAPDB: exchanges contents with `other`, marking the WATCHers of affected keys dirty. */
  swapContents(other: Database): void {
    this.#watched.touchWhere((key) => this.#data.has(key) || other.#data.has(key));
    other.#watched.touchWhere((key) => other.#data.has(key) || this.#data.has(key));
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

  /**
   * Redis's scanDatabaseForReadyKeys (after SWAPDB): signals the keys clients wait on that
   * now hold a list or sorted set.
   */
  signalAllReady(): void {
    for (const key of this.keyspace.blocking.keysWaitedOn(this.index)) {
      const held = this.#data.get(key)?.held;
      if (holdsType(held, "list") || holdsType(held, "zset") || holdsType(held, "stream")) {
        this.signalReady(key);
      }
    }
  }

  /** Removes every key of this database whose TTL has passed; returns how many. */
  expireAll(): number {
    return this.#expires.removeExpired(this.keyspace.now(), this.#removeExpiredKey);
  }

  /** One active-expiry step over this database (see {@link ExpireIndex.sweep}). */
  sweep(deadline: number): number {
    return this.#expires.sweep(this.keyspace.now(), deadline, this.#removeExpiredKey);
  }
}
