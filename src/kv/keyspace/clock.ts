/**
 * The one clock of a server and its keyspace: everything the key-value server does by time —
 * key expiry (lazy and active), the timeouts of blocking commands, TIME, stream IDs and
 * consumer idle times, idle client timeouts, CLIENT LIST ages, INFO uptime — reads
 * {@link Clock.now} and schedules with {@link Clock.setTimer}. The default,
 * {@link realClock}, is `Date.now` and `setTimeout` themselves; a {@link TestClock} lets a
 * test move time forward (`advance`) or jump (`set`), running what became due before it
 * returns. A script's busy time stays on the wall clock: it is a CPU budget.
 *
 * @module
 */

import type { Clock } from "../../server/clock.ts";

// The interface and the real clock live with the server (which keeps idle times and uptime
// by the same clock); `rediserver/kv` re-exports them as before.
export { type Clock, realClock } from "../../server/clock.ts";

/** setTimeout's limit is 2^31-1 ms: a later wake-up re-arms. */
const MAX_DELAY = 2_000_000_000;

/** One pending timer of a {@link TestClock}. */
interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock a test controls. `"manual"` stands still until {@link TestClock.advance} or
 * {@link TestClock.set} moves it; `"real"` follows the wall clock plus an offset that
 * `advance` and `set` change. Either way, `advance(ms)` runs the timers that became due (in
 * due order, each at its own time) and the advance hooks (the keyspace's expiry of every
 * key whose TTL passed) before it returns.
 *
 * @example
 * ```ts
 * import { TestClock } from "rediserver/kv";
 *
 * const clock = new TestClock("manual", Date.UTC(2030, 0, 1));
 * let fired = false;
 * clock.setTimer(() => fired = true, 30_000);
 * clock.advance(30_000);
 * console.log(fired, new Date(clock.now()).toISOString()); // true 2030-01-01T00:00:30.000Z
 * ```
 */
export class TestClock implements Clock {
  /** "manual": time moves only by hand; "real": the wall clock plus an offset. */
  readonly mode: "manual" | "real";
  #time: number;
  #offset = 0;
  #seq = 0;
  #pending = new Map<number, Pending>();
  #hooks: Array<() => void> = [];
  #wakeup: ReturnType<typeof setTimeout> | undefined;
  #wakeupAt = Infinity;
  #running = false;

  /** A clock in `mode` starting at `start` ms since the epoch (default: the wall clock). */
  constructor(mode: "manual" | "real" = "manual", start: number = Date.now()) {
    this.mode = mode;
    this.#time = start;
    if (mode === "real") this.#offset = start - Date.now();
  }

  /** The clock's time in ms since the epoch. */
  readonly now = (): number => this.mode === "manual" ? this.#time : Date.now() + this.#offset;

  /** Number of timers not yet run. */
  get pendingTimers(): number {
    return this.#pending.size;
  }

  /** Runs `callback` once the clock reached now + `ms`. */
  setTimer(callback: () => void, ms: number): unknown {
    const seq = ++this.#seq;
    this.#pending.set(seq, { due: this.now() + Math.max(0, ms), seq, callback });
    this.#schedule();
    return seq;
  }

  /** Cancels a timer. */
  clearTimer(handle: unknown): void {
    if (typeof handle === "number" && this.#pending.delete(handle)) this.#schedule();
  }

  /** Registers a hook run after every advance (see {@link Clock.onAdvance}). */
  onAdvance(hook: () => void): void {
    this.#hooks.push(hook);
  }

  /** Moves the clock `ms` forward, running what became due; returns the new time. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError("advance() takes a number of ms ≥ 0");
    return this.#moveTo(this.now() + ms);
  }

  /**
   * Sets the clock to `time` (ms since the epoch, or a Date). Forward runs what became due,
   * as {@link TestClock.advance}; backward leaves pending timers waiting for their time.
   */
  set(time: number | Date): number {
    const target = typeof time === "number" ? time : time.getTime();
    if (!Number.isFinite(target)) throw new RangeError("set() takes a finite time");
    return this.#moveTo(target);
  }

  /** Back to the wall clock's time; pending timers are kept. */
  reset(): void {
    this.#moveTo(Date.now());
  }

  /** Drops every pending timer and the wake-up timer (the server is gone). */
  dispose(): void {
    this.#pending.clear();
    this.#schedule();
  }

  #setTime(time: number): void {
    if (this.mode === "manual") this.#time = time;
    else this.#offset = time - Date.now();
  }

  #moveTo(target: number): number {
    if (target >= this.now()) {
      for (let next = this.#earliest(); next !== undefined && next.due <= target;) {
        if (next.due > this.now()) this.#setTime(next.due);
        this.#pending.delete(next.seq);
        next.callback();
        next = this.#earliest();
      }
    }
    this.#setTime(target);
    for (const hook of this.#hooks) hook();
    this.#schedule();
    return target;
  }

  #earliest(): Pending | undefined {
    let first: Pending | undefined;
    for (const timer of this.#pending.values()) {
      if (first === undefined || timer.due < first.due) first = timer;
    }
    return first;
  }

  /** "real" mode: one wall-clock timeout for the earliest pending timer. */
  #schedule(): void {
    if (this.mode === "manual" || this.#running) return;
    const due = this.#earliest()?.due ?? Infinity;
    if (due === this.#wakeupAt) return;
    if (this.#wakeup !== undefined) clearTimeout(this.#wakeup);
    this.#wakeup = undefined;
    this.#wakeupAt = due;
    if (due === Infinity) return;
    const delay = Math.min(MAX_DELAY, Math.max(0, due - this.now()));
    this.#wakeup = setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#wakeup = undefined;
    this.#wakeupAt = Infinity;
    this.#running = true;
    try {
      for (let next = this.#earliest(); next !== undefined && next.due <= this.now();) {
        this.#pending.delete(next.seq);
        next.callback();
        next = this.#earliest();
      }
    } finally {
      this.#running = false;
    }
    this.#schedule();
  }
}
