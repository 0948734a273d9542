/**
 * The one clock of a server: everything it does by time — idle timeouts (`idleTimeout`,
 * CONFIG SET timeout), CLIENT LIST `age=`/`idle=`, INFO uptime, and in the key-value server
 * key expiry, blocking timeouts, TIME and stream IDs — reads {@link Clock.now} and schedules
 * with {@link Clock.setTimer}. The default, {@link realClock}, is `Date.now` and `setTimeout`
 * themselves, so the request path pays nothing for it; `TestClock` (`rediserver/kv`,
 * `rediserver/testing`) lets a test move time.
 *
 * Budgets of real work stay on the wall clock whatever the server's clock: a script's busy
 * time (busy-reply-threshold, SCRIPT KILL), the async command timeout, the expiry cycle's
 * time slice and the command statistics measure CPU and latency, not the time the data sees.
 *
 * @module
 */

/**
 * A source of time and timers, in ms since the epoch.
 *
 * @example
 * ```ts
 * import { type Clock, realClock } from "rediserver/server";
 *
 * const clock: Clock = realClock;
 * const timer = clock.setTimer(() => console.log("due"), 10);
 * clock.clearTimer(timer);
 * console.log(clock.now() > 0); // true
 * ```
 */
export interface Clock {
  /** The time in ms since the epoch. A plain function: callers may keep it unbound. */
  readonly now: () => number;
  /** Runs `callback` once the clock reached now + `ms`; returns a handle for clearTimer. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer set with {@link Clock.setTimer} (unknown or fired handles are ignored). */
  clearTimer(handle: unknown): void;
  /**
   * Clocks moved by hand call `hook` after each move (after the timers that became due),
   * so that the keyspace removes every key whose TTL passed. Real clocks leave it out.
   */
  onAdvance?(hook: () => void): void;
}

/**
 * The real clock: `Date.now` and the runtime's `setTimeout`.
 *
 * @example
 * ```ts
 * import { realClock } from "rediserver/server";
 *
 * console.log(Math.abs(realClock.now() - Date.now()) < 1000); // true
 * ```
 */
export const realClock: Clock = {
  now: Date.now,
  setTimer(callback: () => void, ms: number): unknown {
    return setTimeout(callback, ms);
  },
  clearTimer(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
