/**
 * Key expiry (Redis's expire.c). Lazy expiry is the database's: a key whose TTL has passed
 * is removed when a command touches it. Active expiry is here: each database keeps an
 * {@link ExpireIndex} of its keys with a TTL, and an {@link ActiveExpiry} timer samples them
 * the way `activeExpireCycle` does, so that keys nobody reads again still go away.
 *
 * @module
 */

/** Keys sampled per batch (Redis `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`). */
const SWEEP_BATCH = 20;
/** Batches per database and tick at most. */
const SWEEP_BATCHES_MAX = 16;
/** Time budget of one tick over all databases, in ms. */
const SWEEP_TIME_BUDGET = 10;

/**
 * An absolute expiry time in ms since the epoch, as Redis's 64-bit `long long`: a number
 * while it is a safe integer (every real expiry), a bigint only beyond 2^53 (PEXPIREAT near
 * int64 max), so that PEXPIRETIME gives back the exact value set.
 */
export type ExpireMs = number | bigint;

/**
 * An expiry computed as a bigint, as an {@link ExpireMs}: a number when it is a safe
 * integer.
 */
export function expireMs(ms: bigint): ExpireMs {
  return ms <= MAX_SAFE && ms >= -MAX_SAFE ? Number(ms) : ms;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The keys of one database that have a TTL and their expiry times (Redis's `expires` dict:
 * keys without a TTL hold nothing here, nor in their entries), with a running estimate of
 * their average remaining TTL (INFO keyspace `avg_ttl`) and the round-robin sampling of
 * active expiry.
 *
 * @example
 * ```ts
 * import { ExpireIndex } from "./expire.ts";
 *
 * const index = new ExpireIndex();
 * index.set("k", 5);
 * index.sweep(10, Date.now() + 10, (key) => index.delete(key)); // 1: "k" expired at 5
 * ```
 */
export class ExpireIndex {
  #keys = new Map<string, number>();
  /** The exact times of the few keys whose expiry is beyond 2^53 ms. */
  #exact = new Map<string, bigint>();
  #iterator: Iterator<[string, number]> | undefined;
  #avgTtl = 0;

  /** Number of keys with a TTL (INFO keyspace `expires`). */
  get size(): number {
    return this.#keys.size;
  }

  /** Running estimate of the average remaining TTL in ms (INFO keyspace `avg_ttl`). */
  get averageTtl(): number {
    return this.#keys.size === 0 ? 0 : Math.round(this.#avgTtl);
  }

  /**
   * Records that `key` expires at `at` (ms since the epoch); `exact` is its time when beyond
   * 2^53 ms (`at` then holds the nearest double).
   */
  set(key: string, at: number, exact?: bigint): void {
    this.#keys.set(key, at);
    if (exact !== undefined) this.#exact.set(key, exact);
    else if (this.#exact.size !== 0) this.#exact.delete(key);
  }

  /** Forgets `key` (deleted, or its TTL cleared). */
  delete(key: string): void {
    this.#keys.delete(key);
    if (this.#exact.size !== 0) this.#exact.delete(key);
  }

  /** The expiry time of `key` (the nearest double beyond 2^53), or undefined: no TTL. */
  at(key: string): number | undefined {
    return this.#keys.get(key);
  }

  /** The exact expiry of `key` when it was set beyond 2^53 ms, else undefined. */
  exact(key: string): bigint | undefined {
    return this.#exact.size === 0 ? undefined : this.#exact.get(key);
  }

  /**
   * One active-expiry step: samples keys in batches of 20 (round robin over a live
   * iterator), calling `remove` for the expired ones (which must delete them here too); goes
   * on while a batch finds more than 25% expired, within `deadline` (a `Date.now()` value:
   * the budget is wall time spent working, whatever clock `now` comes from).
   * Returns the number removed.
   */
  sweep(now: number, deadline: number, remove: (key: string) => void): number {
    let deleted = 0;
    const keys = this.#keys;
    for (let batch = 0; batch < SWEEP_BATCHES_MAX && keys.size > 0; batch++) {
      let sampled = 0, expired = 0, ttlSum = 0, ttlSamples = 0;
      const limit = Math.min(SWEEP_BATCH, keys.size);
      while (sampled < limit && keys.size > 0) {
        this.#iterator ??= keys.entries();
        const r = this.#iterator.next();
        if (r.done) {
          this.#iterator = undefined;
          continue;
        }
        const [key, at] = r.value;
        sampled++;
        if (at < now) {
          remove(key);
          expired++;
        } else {
          ttlSum += at - now;
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

  /**
   * Removes every key whose TTL passed at `now` (a full pass, for clocks moved by hand:
   * after a jump the sampling of {@link ExpireIndex.sweep} could leave some). Returns the
   * number removed.
   */
  removeExpired(now: number, remove: (key: string) => void): number {
    const expired: string[] = [];
    for (const [key, at] of this.#keys) if (at < now) expired.push(key);
    for (const key of expired) remove(key);
    if (expired.length > 0) this.#iterator = undefined;
    return expired.length;
  }

  /** Restarts sampling and the TTL estimate (after SWAPDB moved the keys under it). */
  reset(): void {
    this.#iterator = undefined;
    this.#avgTtl = 0;
  }
}

/**
 * The active-expiry timer of a keyspace: armed when a TTL is set, it runs `cycle` every
 * `interval` ms while `cycle` reports keys with a TTL left (Redis's `hz` 10 is 100 ms).
 *
 * @example
 * ```ts
 * import { ActiveExpiry } from "./expire.ts";
 *
 * const expiry = new ActiveExpiry(100, (_deadline) => false);
 * expiry.arm();
 * expiry.close();
 * ```
 */
export class ActiveExpiry {
  #interval: number;
  #cycle: (deadline: number) => boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * `cycle(deadline)` sweeps every database until `deadline` (a `Date.now()` value) and
   * returns true while keys with a TTL remain. An `interval` of 0 or less never arms.
   */
  constructor(interval: number, cycle: (deadline: number) => boolean) {
    this.#interval = interval;
    this.#cycle = cycle;
  }

  /** Makes sure the timer runs (called when a TTL is set). */
  arm(): void {
    if (this.#timer !== undefined || this.#closed || this.#interval <= 0) return;
    const timer = setTimeout(() => this.#tick(), this.#interval);
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    if (this.#cycle(Date.now() + SWEEP_TIME_BUDGET)) this.arm();
  }

  /** Runs one cycle now, whatever the timer (tests, or a custom scheduler). */
  runNow(): void {
    this.#cycle(Date.now() + SWEEP_TIME_BUDGET);
  }

  /** Stops the timer for good; keys still expire lazily on access. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
