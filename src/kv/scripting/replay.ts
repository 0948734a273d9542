/**
 * The commands a script ran through `redis.call` / `redis.pcall` and their replies, recorded
 * while it runs as a plain call, so that the run can be restarted as a suspendable run (past
 * busy-reply-threshold, or once the log is full) without running its commands twice (its
 * writes must not run again): the restarted run is given the recorded replies for its first calls, each checked to
 * be the same command with the same arguments, and runs live from there on (runner.ts).
 * Recording costs a push of two references per call; the log holds at most about FULL_CALLS
 * calls or FULL_BYTES bytes, since a full log makes the runner restart the run.
 *
 * A script is a function of its inputs, its commands' replies and `math.random` (whose state
 * the runner restores), so its restarted run makes the same calls. What can still make it
 * diverge: state a FUNCTION library keeps in upvalues between calls, table and function
 * addresses (`tostring({})`), or a Lua stack that overflows on one path and not the other.
 * A divergence ends a script that wrote with {@link ReplayDivergence}, its writes kept as
 * after any script error; one that did not write is run again live (runner.ts).
 *
 * @module
 */

/** Calls after which the log is full: the runner restarts the run at its next hook. */
const FULL_CALLS = 1 << 16;
/** Bytes of arguments and replies after which the log is full. */
const FULL_BYTES = 16 * 1024 * 1024;
/** Entries the log keeps allocated between runs (their stale references are small). */
const KEEP_ENTRIES = 4096;

const OFF = 0;
const RECORDING = 1;
const REPLAYING = 2;

/**
 * A restarted script did not make the calls its first run made: it is stopped (not a
 * LuaError, so `pcall` cannot catch it) and its caller gets {@link ReplayDivergence.reply}.
 */
export class ReplayDivergence extends Error {
  /** The error reply (without the leading `-`). */
  readonly reply: string;

  /** `name`: the script's (SHA or function name); `what`: how it diverged. */
  constructor(name: string, what: string) {
    super(`script ${name} diverged from its first run: ${what}`);
    this.reply =
      `ERR Error running script ${name}: restarted past busy-reply-threshold, ${what} (the writes of its first run stay)`;
  }
}

/** The call log of the script runner (one script runs at a time). */
export class CallLog {
  #mode = OFF;
  /**
   * The calls of the run: arguments (Lua values), then the reply bytes (null: refused). Only
   * the first `#length` are the run's; the array is reused from run to run.
   */
  readonly #entries: unknown[] = [];
  #length = 0;
  #bytes = 0;
  /** Next entry to replay. */
  #next = 0;

  /** Whether calls are being recorded: the log holds every call of the run so far. */
  get recording(): boolean {
    return this.#mode === RECORDING;
  }

  /** Whether the log reached its limits (the runner then restarts the run). */
  get full(): boolean {
    return this.#bytes >= FULL_BYTES || this.#length >= 2 * FULL_CALLS;
  }

  /** Whether recorded calls are left to replay. */
  get replaying(): boolean {
    return this.#mode === REPLAYING;
  }

  /** Starts recording a run (forgetting any earlier one). */
  record(): void {
    this.#length = 0;
    this.#bytes = 0;
    this.#mode = RECORDING;
  }

  /** Stops recording or replaying and forgets the calls. */
  clear(): void {
    this.#mode = OFF;
    if (this.#length > KEEP_ENTRIES) this.#entries.length = 0;
    this.#length = 0;
    this.#bytes = 0;
  }

  /**
   * Records one call: `args` as the script passed them (Lua strings and numbers, immutable)
   * and `reply`, the reply's bytes (never written again), or null when it was refused after
   * running.
   */
  add(args: unknown[], reply: Uint8Array | null): void {
    let bytes = this.#bytes + (reply === null ? 0 : reply.length);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      bytes += typeof arg === "string" ? arg.length : 8;
    }
    this.#bytes = bytes;
    const entries = this.#entries;
    const at = this.#length;
    entries[at] = args;
    entries[at + 1] = reply;
    this.#length = at + 2;
  }

  /** Starts replaying the recorded calls from the first (after {@link CallLog.add}s). */
  replay(): void {
    this.#next = 0;
    this.#mode = this.#length === 0 ? OFF : REPLAYING;
  }

  /**
   * The recorded reply of the next call, which must be `args`; replaying ends after the last
   * one. Throws ReplayDivergence when the call is not the one recorded.
   */
  next(args: unknown[], name: string): Uint8Array | null {
    const entries = this.#entries;
    const at = this.#next;
    const recorded = entries[at] as unknown[];
    if (!sameArgs(recorded, args)) {
      this.clear();
      throw new ReplayDivergence(
        name,
        `its call ${at / 2 + 1} (${commandOf(args)}) is not its first run's (${
          commandOf(recorded)
        })`,
      );
    }
    const reply = entries[at + 1] as Uint8Array | null;
    this.#next = at + 2;
    if (this.#next === this.#length) this.clear();
    return reply;
  }

  /**
   * The run ended (returned or raised): a divergence when recorded calls were left, which
   * is then cleared.
   */
  ended(name: string): ReplayDivergence | undefined {
    if (this.#mode !== REPLAYING) return undefined;
    const at = this.#next;
    const recorded = this.#entries[at] as unknown[];
    this.clear();
    return new ReplayDivergence(
      name,
      `it ended before its call ${at / 2 + 1} (${commandOf(recorded)})`,
    );
  }
}

function sameArgs(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(x !== x && y !== y)) return false;
  }
  return true;
}

/** The command a call names, for the divergence message (printable, at most 40 chars). */
function commandOf(args: unknown[]): string {
  const first = args[0];
  const name = typeof first === "string" ? first : String(first);
  return name.slice(0, 40).replace(/[^\x20-\x7e]/g, "?");
}
