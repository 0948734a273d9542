/**
 * Access times of keys as Redis keeps them (its LRU clock, object.c and evict.c): a 24-bit
 * clock of whole seconds read from the keyspace's clock, stamped on a key at every lookup that
 * is not a "no touch" one, from which OBJECT IDLETIME estimates the seconds since the last
 * access (the clock wraps about every 194 days, as Redis's does).
 *
 * The clock is read once per run of synchronous work (a read's pipeline of commands), not at
 * every lookup: the stamp is cached until the next microtask checkpoint, or until a manual
 * clock moves. Redis likewise caches its LRU clock (refreshed by its cron).
 *
 * @module
 */

/** Redis's LRU_CLOCK_MAX: the clock is 24 bits of seconds. */
export const LRU_CLOCK_MAX: number = (1 << 24) - 1;

/**
 * The keyspace's LRU clock: {@link LruClock.stamp} is the current clock in seconds (mod 2^24),
 * read from `now` at most once per run of synchronous work.
 *
 * @example
 * ```ts
 * import { LruClock } from "./lru.ts";
 *
 * let time = 90_000;
 * const clock = new LruClock(() => time);
 * clock.stamp(); // 90
 * time += 60_000;
 * clock.invalidate(); // a manual clock moved (else: at the next microtask checkpoint)
 * clock.stamp(); // 150
 * ```
 */
export class LruClock {
  #now: () => number;
  #stamp = -1;
  #expire = (): void => {
    this.#stamp = -1;
  };

  /** A clock reading `now` (ms since the epoch). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** The current LRU clock: whole seconds since the epoch, modulo 2^24. */
  stamp(): number {
    const stamp = this.#stamp;
    return stamp >= 0 ? stamp : this.#read();
  }

  #read(): number {
    const stamp = this.#stamp = Math.floor(this.#now() / 1000) & LRU_CLOCK_MAX;
    queueMicrotask(this.#expire);
    return stamp;
  }

  /** Forgets the cached reading (the clock was moved by hand). */
  invalidate(): void {
    this.#stamp = -1;
  }
}

/**
 * Redis's estimateObjectIdleTime in seconds: the time from the access stamp `lru` to the
 * clock `now`, both 24-bit LRU clock values (a stamp above the clock means it wrapped).
 *
 * @example
 * ```ts
 * import { idleSeconds, LRU_CLOCK_MAX } from "./lru.ts";
 *
 * idleSeconds(100, 160); // 60
 * idleSeconds(LRU_CLOCK_MAX - 10, 5); // 15
 * ```
 */
export function idleSeconds(lru: number, now: number): number {
  return now >= lru ? now - lru : now + (LRU_CLOCK_MAX - lru);
}

/**
 * Redis's objectSetLRUOrLFU for RESTORE ... IDLETIME `idle` (seconds, ≥ 0): the access stamp
 * that makes the key `idle` seconds old at clock `now`, with C's arithmetic (the product by
 * 1000 wraps as a 64-bit integer, the stamp is truncated to the 24-bit field).
 *
 * @example
 * ```ts
 * import { stampForIdle } from "./lru.ts";
 *
 * stampForIdle(1000n, 5000); // 4000
 * ```
 */
export function stampForIdle(idle: bigint, now: number): number {
  let abs = BigInt(now) - BigInt.asIntN(64, idle * 1000n) / 1000n;
  if (abs < 0n) abs += BigInt(LRU_CLOCK_MAX);
  return Number(BigInt.asUintN(24, abs));
}
