/**
 * What INFO `commandstats`, `errorstats` and `latencystats` report (Redis's `call()`
 * accounting): per command its calls, microseconds, rejected and failed calls and a latency
 * histogram; per error code the replies sent. The hot path is a few increments (the clock
 * readings are shared by runs of commands: `dispatch.ts`); the histogram is kept as counts
 * per whole microsecond, the way Redis measures, and read through HdrHistogram's buckets
 * only when INFO asks.
 *
 * @module
 */

/** Distinct error codes Redis keeps in `errorstats` at most. */
const ERROR_CODES_MAX = 128;
/** Latencies up to this many microseconds are counted in an array, longer ones in a map. */
const DENSE_USEC = 1024;

/**
 * One command's counters (an entry of INFO `commandstats` and `latencystats`).
 *
 * @example
 * ```ts
 * import { CommandStats } from "./command_stats.ts";
 *
 * const stats = new CommandStats();
 * stats.record(3);
 * stats.calls; // 1
 * ```
 */
export class CommandStats {
  /** Completed calls. */
  calls = 0;
  /** Microseconds spent in them. */
  usec = 0;
  /** Calls refused before they ran (arity, authentication, context). */
  rejected = 0;
  /** Calls that ran and answered an error. */
  failed = 0;
  #dense: Uint32Array | undefined;
  #sparse: Map<number, number> | undefined;

  /** Counts a completed call of `usec` microseconds (latency kept when `latency`). */
  record(usec: number, latency = true): void {
    this.calls++;
    this.time(usec, latency);
  }

  /**
   * Adds the `usec` microseconds of a call already counted in `calls` (the server counts a
   * call when it completes and times it when its run of commands ends: see `dispatch.ts`).
   */
  time(usec: number, latency = true): void {
    this.usec += usec;
    if (!latency) return;
    if (usec < DENSE_USEC) {
      (this.#dense ??= new Uint32Array(DENSE_USEC))[usec]++;
      return;
    }
    const sparse = this.#sparse ??= new Map();
    sparse.set(usec, (sparse.get(usec) ?? 0) + 1);
  }

  /** True when latencies were recorded. */
  get hasLatencies(): boolean {
    return this.#dense !== undefined || this.#sparse !== undefined;
  }

  /**
   * The latencies at the given percentiles in microseconds, as Redis's HdrHistogram
   * (nanoseconds, 2 significant digits, 1 ns at least) reports them: the highest value
   * equivalent to the recorded one at that rank.
   */
  percentiles(percentiles: readonly number[]): number[] {
    const values: Array<[number, number]> = [];
    if (this.#dense !== undefined) {
      for (let us = 0; us < DENSE_USEC; us++) {
        if (this.#dense[us] > 0) values.push([us, this.#dense[us]]);
      }
    }
    if (this.#sparse !== undefined) {
      values.push(...[...this.#sparse].sort((a, b) => a[0] - b[0]));
    }
    let total = 0;
    for (const [, n] of values) total += n;
    return percentiles.map((p) => {
      const rank = Math.max(1, Math.round(Math.min(p, 100) / 100 * total));
      let seen = 0;
      for (const [us, n] of values) {
        seen += n;
        if (seen >= rank) return highestEquivalent(Math.max(1, us * 1000)) / 1000;
      }
      return 0;
    });
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    this.calls =
      this.usec =
      this.rejected =
      this.failed =
        0;
    this.#dense = undefined;
    this.#sparse = undefined;
  }
}

/** HdrHistogram (lowest 1, 2 significant digits: 256 sub-buckets): a bucket's top value. */
function highestEquivalent(value: number): number {
  const magnitude = Math.floor(Math.log2(value | 255)) + 1; // 64 - clz64(value | mask)
  const bucket = Math.max(0, magnitude - 8);
  const size = 2 ** bucket;
  const lowest = Math.floor(value / size) * size;
  return lowest + size - 1;
}

/**
 * The server's error replies: the total and the count per error code (the first word),
 * at most 128 codes as Redis keeps.
 *
 * @example
 * ```ts
 * import { ErrorStats } from "./command_stats.ts";
 *
 * const errors = new ErrorStats();
 * errors.count("WRONGTYPE Operation against a key holding the wrong kind of value");
 * errors.codes.get("WRONGTYPE"); // 1
 * ```
 */
export class ErrorStats {
  /** Error replies sent (INFO stats `total_error_replies`). */
  total = 0;
  /** Replies per error code, in the order the codes first appeared. */
  readonly codes: Map<string, number> = new Map();

  /** Counts one error reply with `message` (a full error text, code first). */
  count(message: string): void {
    this.total++;
    let end = message.indexOf(" ");
    if (end < 0) end = message.length;
    const code = message.slice(0, end);
    const seen = this.codes.get(code);
    if (seen !== undefined) this.codes.set(code, seen + 1);
    else if (this.codes.size < ERROR_CODES_MAX) this.codes.set(code, 1);
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    this.total = 0;
    this.codes.clear();
  }
}

/**
 * A percentile as Redis names it in `latencystats` (`p50`, `p99.9`: `%f` without trailing
 * zeros).
 *
 * @example
 * ```ts
 * import { percentileName } from "./command_stats.ts";
 *
 * percentileName(99.9); // "p99.9"
 * ```
 */
export function percentileName(p: number): string {
  return `p${String(Number(p.toFixed(6)))}`;
}
