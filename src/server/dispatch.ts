/**
 * The checks a request passes before it runs, in Redis's order (`processCommand`): the
 * command and subcommand exist, the arity, authentication, the RESP2 subscribed context; and
 * running a handler to a complete reply (a returned value encoded, a throw turned into an
 * error reply, a Promise awaited).
 *
 * @module
 */

import { bytesToString } from "../resp/bytes.ts";
import type { Command } from "./command.ts";
import type { Connection } from "./connection.ts";
import { errorMessage, errorText } from "./errors.ts";
import { endTransaction } from "./multi.ts";
import type { Reply } from "./reply.ts";
import type { CommandEntry } from "./router.ts";

/**
 * The client's bytes as C's `%.<max>s` prints them: one char per byte, cut at the first NUL
 * and after `max` bytes.
 */
function cString(bytes: Uint8Array, max: number): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  if (end > max) end = max;
  let out = "";
  for (let i = 0; i < end; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/**
 * Redis 7.0's text for an unknown command, as a byte string: the name and the arguments as
 * sent (`'%.128s'`, then `'%.*s' ` per argument while under 128 bytes).
 */
function unknownCommand(argv: readonly Uint8Array[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cString(argv[i], 128 - args.length)}' `;
  }
  return `ERR unknown command '${cString(argv[0], 128)}', with args beginning with: ${args}`;
}

/**
 * The entry a request runs, after Redis's checks; undefined when the request was answered
 * with an error instead (through `connection.reject`) or closed the connection (HTTP sent to
 * a Redis port). `lastCommand` is set and the command counted for an admitted request.
 *
 * @example
 * ```ts
 * import { admit } from "./dispatch.ts";
 *
 * typeof admit; // "function": Connection calls it for every request
 * ```
 */
export function admit(connection: Connection, argv: Uint8Array[]): CommandEntry | undefined {
  const server = connection.server;
  let entry = server.router.lookupBytes(argv[0]);
  if (entry === undefined) {
    const name = bytesToString(argv[0]).toLowerCase();
    if (name === "post" || name === "host:") {
      // Redis's cross-protocol guard: HTTP sent to a Redis port. Close without reply.
      connection.close();
      return undefined;
    }
    entry = server.fallback;
    if (entry === undefined) {
      refuse(connection, undefined, unknownCommand(argv), true);
      return undefined;
    }
  }
  if (entry.subcommands !== undefined && argv.length >= 2) {
    const sub = entry.subcommands.get(bytesToString(argv[1]).toLowerCase());
    if (sub === undefined) {
      refuse(
        connection,
        undefined,
        `ERR unknown subcommand '${cString(argv[1], 128)}'. Try ${entry.name.toUpperCase()} HELP.`,
        true,
      );
      return undefined;
    }
    entry = sub;
  }
  const arity = entry.arity;
  if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
    refuse(
      connection,
      entry,
      `ERR wrong number of arguments for '${fullName(entry, argv)}' command`,
    );
    return undefined;
  }
  if (!connection.authenticated && !entry.noauth) {
    refuse(connection, entry, "NOAUTH Authentication required.");
    return undefined;
  }
  if (connection.protocol === 2 && !entry.subscribed && connection.subscriptions > 0) {
    refuse(
      connection,
      entry,
      `ERR Can't execute '${
        fullName(entry, argv)
      }': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
    return undefined;
  }
  const gates = server.commandGates;
  for (let i = 0; i !== gates.length; i++) {
    const refusal = gates[i](connection, entry);
    if (refusal !== undefined) {
      refuse(connection, entry, refusal);
      return undefined;
    }
  }
  connection.lastCommand = fullName(entry, argv);
  server.stats.commands++;
  return entry;
}

/**
 * Answers a request refused before it ran, counting it: the command's `rejected_calls`
 * (when it is known) and the error reply (INFO errorstats).
 */
function refuse(
  connection: Connection,
  entry: CommandEntry | undefined,
  message: string,
  binary = false,
): void {
  if (entry !== undefined) entry.stats.rejected++;
  if (entry !== undefined && entry.fullName === "exec") {
    // Redis's execCommandAbort: a refused EXEC discards the transaction, in or out of MULTI.
    message = `EXECABORT Transaction discarded because of: ${
      errorText(message).replace(/^ERR /, "")
    }`;
    connection.server.errorStats.count(message);
    connection.reject(message);
    if (connection.queuedCommands !== null) endTransaction(connection);
    return;
  }
  connection.server.errorStats.count(message.indexOf(" ") > 0 ? message : errorText(message));
  connection.reject(message, binary);
}

/** The name a handler sees: the entry's (its parent's for a subcommand), or as sent. */
export function commandName(entry: CommandEntry, argv: readonly Uint8Array[]): string {
  return entry.commandName || bytesToString(argv[0]).toLowerCase();
}

function fullName(entry: CommandEntry, argv: readonly Uint8Array[]): string {
  return entry.fullName || bytesToString(argv[0]).toLowerCase();
}

/** Answers a failed command: what it wrote so far is discarded, the error replaces it. */
function fail(reply: Reply, error: unknown): void {
  reply.rollback();
  reply.error(errorMessage(error));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** Completes a reply with a handler's returned value (null for undefined). */
function finish(reply: Reply, value: unknown): void {
  if (reply.wrote) return;
  if (value === undefined) {
    reply.null();
    return;
  }
  try {
    reply.encode(value);
  } catch (error) {
    // A value that cannot be encoded (a function deep in an array): drop the partial reply.
    fail(reply, error);
  }
}

/**
 * Command timing (INFO commandstats, latencystats). A clock reading is not free: on some
 * virtual machines (this project's benchmark VM among them) `performance.now()` is a system
 * call of 300 to 700 ns, more than a SET costs. So the connection's read loop times the
 * commands of a read back to back (a command starts when the previous one ended, its parsing
 * and checks included), and a run of commands shares one reading, taken when the run ends
 * and split equally among them:
 * - a run of commands Redis flags `fast` (O(1) or O(log N): GET, INCR, LPUSH, XADD, PING),
 *   whatever their mix;
 * - or a run of calls of one other command (a pipeline of SETs or MSETs), which cost about
 *   the same each time.
 * A command of another kind ends the run first (one reading), so a slow command is never
 * averaged with cheap ones of another kind: `usec` per command stays exact, and a run of
 * equal commands keeps its total and mean (latencystats then sees the run's mean for each).
 * Calls and failures are counted at once; only the microseconds wait for the reading, which
 * the read loop takes before it returns (`stopClock`). Sampling was not chosen: it would
 * leave `usec` empty for rare commands and estimate the rest. Commands outside the read loop
 * (EXEC's, scripts', async replies) are timed on their own with two readings.
 */
let clock = 0;
/**
 * The commands run since `clock` whose time is not recorded yet, with their latency flag:
 * the first `untimedCount` slots (reused: truncating an array is a runtime call in V8).
 */
const untimed: CommandEntry[] = [];
const untimedLatency: boolean[] = [];
let untimedCount = 0;
/** The kind of the run in `untimed`: undefined for fast commands, else its one command. */
let runOf: CommandEntry | undefined;

/** Records the run of untimed commands as ending at `now`, which becomes the last reading. */
function settle(now: number): void {
  const count = untimedCount;
  if (count !== 0) {
    const usec = Math.floor(now * 1000) - Math.floor(clock * 1000);
    const share = Math.floor(usec / count);
    const extra = usec - share * count; // the whole microseconds left: one more to the first
    for (let i = 0; i < count; i++) {
      untimed[i].stats.time(i < extra ? share + 1 : share, untimedLatency[i]);
    }
    untimedCount = 0;
  }
  clock = now;
}

/**
 * Reads the clock before the commands of a read run back to back (`runHandler(..., true)`).
 *
 * @example
 * ```ts
 * import { startClock, stopClock } from "./dispatch.ts";
 *
 * startClock(); // the connection's read loop, before it runs a read's commands
 * stopClock(); // and after them
 * ```
 */
export function startClock(): void {
  settle(performance.now());
}

/**
 * Records the commands whose time was not recorded yet (the read loop calls it when it
 * stops), so that every completed command is timed before anything else runs.
 *
 * @example
 * ```ts
 * import { stopClock } from "./dispatch.ts";
 *
 * stopClock();
 * ```
 */
export function stopClock(): void {
  if (untimedCount !== 0) settle(performance.now());
}

/**
 * Runs a handler and completes its reply. Returns undefined when the reply is complete, or a
 * promise that settles once an async handler's reply is written. `chained`: the command
 * runs right after the previous one (or {@link startClock}), whose end is its start.
 *
 * @example
 * ```ts
 * import { runHandler } from "./dispatch.ts";
 *
 * typeof runHandler; // "function": the connection and EXEC run every command through it
 * ```
 */
export function runHandler(
  entry: CommandEntry,
  command: Command,
  reply: Reply,
  connection: Connection,
  chained = false,
): Promise<void> | undefined {
  reply.wrote = false;
  reply.start = reply.writer.length;
  reply.lastError = undefined;
  let started = 0;
  if (!chained) started = performance.now();
  else if (untimedCount !== 0 && (entry.fast ? runOf !== undefined : runOf !== entry)) {
    settle(performance.now()); // a command of another kind: the run ends here
  }
  let result: unknown;
  try {
    result = entry.handler(command, reply, connection);
    if (result === undefined) {
      if (!reply.wrote) reply.null();
      account(entry, reply, connection, started, chained);
      return undefined;
    }
    if (isThenable(result)) {
      if (chained) {
        // Timed on its own from here (its synchronous part goes to the run before it).
        settle(performance.now());
        started = clock;
      }
      return Promise.resolve(result).then(
        (value) => {
          finish(reply, value);
          account(entry, reply, connection, started, false);
        },
        (error) => {
          fail(reply, error);
          account(entry, reply, connection, started, false);
        },
      );
    }
  } catch (error) {
    fail(reply, error);
    account(entry, reply, connection, started, chained);
    return undefined;
  }
  finish(reply, result);
  account(entry, reply, connection, started, chained);
  return undefined;
}

/**
 * Redis's call() accounting of a completed command: calls, microseconds (whole, as Redis
 * measures them), latency, and a failure when it answered an error. `chained`: it completed
 * in the read loop, and its time waits for its run's reading (see `settle`).
 */
function account(
  entry: CommandEntry,
  reply: Reply,
  connection: Connection,
  started: number,
  chained: boolean,
): void {
  const server = connection.server;
  const stats = entry.stats;
  stats.calls++;
  if (chained) {
    untimed[untimedCount] = entry;
    untimedLatency[untimedCount++] = server.latencyTracking;
    runOf = entry.fast ? undefined : entry;
  } else {
    stats.time(
      Math.floor(performance.now() * 1000) - Math.floor(started * 1000),
      server.latencyTracking,
    );
  }
  const error = reply.lastError;
  if (error !== undefined) {
    stats.failed++;
    server.errorStats.count(error);
    reply.lastError = undefined;
  }
}

/**
 * Answers a command that failed after its reply went async (the promise `runHandler`
 * returned rejected because answering failed too).
 *
 * @example
 * ```ts
 * import { answerFailure } from "./dispatch.ts";
 *
 * typeof answerFailure; // "function"
 * ```
 */
export function answerFailure(reply: Reply, error: unknown): void {
  fail(reply, error);
}
