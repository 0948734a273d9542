/**
 * Running a script as Redis 7.0 does (script.c, script_lua.c's luaCallFunction): the run
 * context (read-only, dirty after a write, the RESP version chosen with `redis.setresp`),
 * `redis.call` through the server's own command table on the script's fake client (so WATCH,
 * expiry and blocked clients see script writes as any client's), and the error reply with
 * Redis's ` script: <name>, on @user_script:<line>.` suffix.
 *
 * @module
 */

import { bytesToLatin1, bytesToString } from "../../resp/bytes.ts";
import { Writer } from "../../resp/writer.ts";
import { Command } from "../../server/command.ts";
import type { CommandEntry } from "../../server/router.ts";
import { Connection } from "../../server/connection.ts";
import { commandName, runHandler } from "../../server/dispatch.ts";
import { Reply } from "../../server/reply.ts";
import type { Server } from "../../server/server.ts";
import type { Transport } from "../../server/transport.ts";
import { LuaError, type LuaRun, LuaTable } from "../../lua/mod.ts";
import { numberToString } from "../../lua/lib/string_format.ts";
import { redisRandom, type ScriptEnvironment, type ScriptHost } from "./environment.ts";
import { simpleFrame, writeLuaReply } from "./lua_to_resp.ts";
import { formatGeneral } from "./numbers.ts";
import { stringBytes } from "./string_bytes.ts";
import { CallLog, ReplayDivergence } from "./replay.ts";
import { errorTable, isErrorReply, latin1, replyToLua } from "./resp_to_lua.ts";
import type { ScriptFlags } from "./shebang.ts";

/** A transport that goes nowhere: the script client never reads nor writes a socket. */
const NO_SOCKET: Transport = {
  write: () => true,
  pause: () => {},
  resume: () => {},
  close: () => {},
  remoteAddress: "",
  localAddress: "",
};

/** How long a script past busy-reply-threshold runs before it yields to the event loop (ms). */
const SLICE_MS = 20;
/**
 * `redis.call`s between two runs of the hook at most: a loop whose every iteration runs a
 * command takes long per Lua step, and the hook (every HOOK_STEPS steps) would come late.
 */
const CALLS_PER_HOOK = 16;
/** Thrown by the hook (not a LuaError: pcall cannot catch it) to restart a script suspendable. */
const RESTART = new Error("restart the script suspendable");
/** A restarted run's replay diverged before any write: it is run again, live. */
const RETRY = Symbol("retry");

/** How a plain run stopped: where its replay starts from. */
interface Restart {
  /** The script client's database when it stopped (SELECT). */
  readonly db: number;
  /** The random state at its start. */
  readonly random: readonly [number, number];
  /** Whether it wrote (or published): a divergence then ends the script with an error. */
  readonly wrote: boolean;
}

const NOSCRIPT = 1;
const WRITE = 2;
const MAY_REPLICATE = 4;
/** XREAD and XREADGROUP: BLOCK is refused to scripts before anything else runs. */
const STREAM_READ = 8;
const commandBits = new WeakMap<CommandEntry, number>();
const STREAM_READS = new Set(["xread", "xreadgroup"]);

/** Whether a BLOCK option (with a value after it) comes before STREAMS. */
function hasBlockOption(argv: readonly Uint8Array[]): boolean {
  for (let i = 1; i < argv.length - 1; i++) {
    const word = bytesToString(argv[i]).toLowerCase();
    if (word === "streams") return false;
    if (word === "block") return true;
  }
  return false;
}

/** Commands Redis 7.0 flags `may_replicate` (not shown by COMMAND INFO): writes for scripts. */
const MAY_REPLICATE_COMMANDS = new Set(["publish", "spublish", "pfcount"]);

function bitsOf(entry: CommandEntry): number {
  let bits = commandBits.get(entry);
  if (bits === undefined) {
    const flags = entry.spec.flags ?? [];
    bits = (flags.includes("noscript") ? NOSCRIPT : 0) | (flags.includes("write") ? WRITE : 0) |
      (MAY_REPLICATE_COMMANDS.has(entry.fullName) ? MAY_REPLICATE : 0) |
      (STREAM_READS.has(entry.fullName) ? STREAM_READ : 0);
    commandBits.set(entry, bits);
  }
  return bits;
}

/** One script invocation in progress. */
export interface RunContext {
  /** The client that sent EVAL/FCALL. */
  readonly caller: Connection;
  /** Function name or script SHA (for error texts and logs). */
  readonly name: string;
  /** EVAL (true) or FCALL (false). */
  readonly evalMode: boolean;
  /** Write commands refused (`_ro` commands, `no-writes`). */
  readonly readOnly: boolean;
  /** A write command ran: SCRIPT KILL can no longer stop it. */
  dirty: boolean;
  /** A write or may-replicate command ran: the script cannot be run again from its start. */
  effects: boolean;
  /** `redis.setresp`. */
  resp: 2 | 3;
  /** SCRIPT KILL / FUNCTION KILL asked to stop it. */
  killed: boolean;
  /**
   * It ran past busy-reply-threshold: it now runs in slices of SLICE_MS, and other clients
   * get BUSY between them.
   */
  timedOut: boolean;
  /** It runs as a suspendable run (LuaState.start), not as a plain call. */
  sliced: boolean;
  /** When the current slice started (ms; once timed out). */
  sliceStartedAt: number;
  /** When it started (ms since the epoch). */
  readonly startedAt: number;
  /** The EVAL/FCALL request (FUNCTION STATS shows it). */
  readonly argv: readonly Uint8Array[];
}

/** What a run needs to know about the script. */
export interface RunRequest {
  readonly environment: ScriptEnvironment;
  /** The compiled function. */
  readonly fn: unknown;
  readonly name: string;
  readonly flags: ScriptFlags;
  readonly evalMode: boolean;
  /** Called as EVAL_RO, EVALSHA_RO or FCALL_RO. */
  readonly ro: boolean;
  /** How many of the request's arguments after numkeys are keys (KEYS); ARGV is the rest. */
  readonly numkeys: number;
  /** Chunk name shown in error suffixes ("@user_script", "@user_function"). */
  readonly source: string;
  /** The EVAL/FCALL request: name, script or function, numkeys, keys, arguments. */
  readonly argv: readonly Uint8Array[];
}

/**
 * Runs scripts for one server: the fake client their `redis.call`s use, the context of the
 * running script, and the host side of the `redis` table.
 */
export class ScriptRunner implements ScriptHost {
  /** The script running now, if any. */
  current: RunContext | undefined = undefined;
  /** `busy-reply-threshold` (ms): past it a script makes other clients get BUSY. */
  busyThreshold = 5000;
  readonly #server: Server;
  readonly #client: Connection;
  readonly #writer = new Writer();
  readonly #reply: Reply;
  readonly #command = new Command();
  #environment: ScriptEnvironment | undefined = undefined;
  /** Scripts that once ran past busy-reply-threshold: they run suspendable from their start. */
  readonly #long = new WeakSet<object>();
  /** The calls of the running plain run (recorded), or of a restarted one's start (replayed). */
  readonly #log = new CallLog();
  /** `redis.call`s left before the hook is asked to run (CALLS_PER_HOOK). */
  #callsToHook = CALLS_PER_HOOK;

  /** A runner for `server`'s scripts. */
  constructor(server: Server) {
    this.#server = server;
    this.#client = new Connection(server, NO_SOCKET, 0);
    // Like a transaction's commands, a script's run atomically for someone else and must not
    // block: clients blocked on keys it pushes to are served after the script (lists.ts).
    this.#client.executingTransaction = true;
    this.#reply = new Reply(this.#writer);
  }

  /** The server version (for `redis.REDIS_VERSION`). */
  get version(): string {
    return this.#server.options.version;
  }

  /** Whether a script is running. */
  running(): boolean {
    return this.current !== undefined;
  }

  /** `redis.setresp`. */
  setResp(resp: 2 | 3): void {
    if (this.current !== undefined) this.current.resp = resp;
  }

  /** Whether `args` name an existing command (`redis.acl_check_cmd`). */
  commandExists(args: unknown[]): boolean {
    const argv = toArgv(args);
    return argv !== undefined && this.#lookup(argv) !== undefined;
  }

  #lookup(argv: Uint8Array[]): CommandEntry | undefined {
    let entry = this.#server.router.lookupBytes(argv[0]);
    if (entry?.subcommands !== undefined && argv.length >= 2) {
      entry = entry.subcommands.get(bytesToString(argv[1]).toLowerCase());
    }
    return entry;
  }

  /** `redis.call` / `redis.pcall`. */
  call(args: unknown[], raise: boolean): unknown {
    const ctx = this.current!;
    const env = this.#environment!;
    if (--this.#callsToHook < 0) {
      this.#callsToHook = CALLS_PER_HOOK;
      env.lua.hookSoon();
    }
    if (args.length === 0) {
      return this.#refuse(
        env,
        "Please specify at least one argument for this redis lib call",
        raise,
      );
    }
    const argv = toArgv(args);
    if (argv === undefined) {
      return this.#refuse(
        env,
        "Lua redis lib command arguments must be strings or integers",
        raise,
      );
    }
    const entry = this.#lookup(argv);
    if (entry === undefined) {
      return this.#fail(env, "Unknown Redis command called from script", raise);
    }
    const arity = entry.arity;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
      return this.#fail(env, "Wrong number of args calling Redis command from script", raise);
    }
    const bits = bitsOf(entry);
    if ((bits & NOSCRIPT) !== 0) {
      return this.#fail(env, "This Redis command is not allowed from script", raise);
    }
    if (ctx.readOnly && (bits & (WRITE | MAY_REPLICATE)) !== 0) {
      return this.#fail(env, "Write commands are not allowed from read-only scripts.", raise);
    }
    if ((bits & STREAM_READ) !== 0 && hasBlockOption(argv)) {
      // Redis answers this for script clients while it parses the options (t_stream.c).
      return this.#fail(
        env,
        `-ERR ${
          latin1(argv[0], 0, argv[0].length)
        } command is not allowed with BLOCK option from scripts`,
        raise,
      );
    }
    if ((bits & WRITE) !== 0) ctx.dirty = true;
    if ((bits & (WRITE | MAY_REPLICATE)) !== 0) ctx.effects = true;
    const log = this.#log;
    let bytes: Uint8Array | null;
    if (log.replaying) bytes = log.next(args, ctx.name);
    else {
      bytes = this.#execute(entry, argv, ctx.resp);
      if (log.recording) log.add(args, bytes);
    }
    if (bytes === null) {
      // Only blocking commands answer later, and scripts may not run them.
      return this.#fail(env, "This Redis command is not allowed from script", raise);
    }
    const value = replyToLua(bytes);
    if (isErrorReply(bytes)) {
      (value as LuaTable).set("ignore_error_stats_update", true);
      if (raise) {
        env.lastRaise = { value, line: env.line() };
        throw new LuaError(value, 0);
      }
    }
    return value;
  }

  /** Runs a command on the script client: its reply's bytes, null when it would block. */
  #execute(entry: CommandEntry, argv: Uint8Array[], resp: 2 | 3): Uint8Array | null {
    const client = this.#client;
    const writer = this.#writer;
    writer.protocol = resp;
    client.protocol = resp;
    const command = this.#command;
    command.load(commandName(entry, argv), argv);
    const pending = runHandler(entry, command, this.#reply, client);
    const bytes = writer.take();
    return pending === undefined ? bytes : null;
  }

  /** Bad arguments (luaArgsToRedisArgv): raised by redis.call, returned by redis.pcall. */
  #refuse(env: ScriptEnvironment, message: string, raise: boolean): unknown {
    if (raise) env.raise(message);
    return errorTable(message);
  }

  /** A refused command: raised by redis.call, returned by redis.pcall. */
  #fail(env: ScriptEnvironment, message: string, raise: boolean): unknown {
    const table = errorTable(message);
    table.set("ignore_error_stats_update", true);
    if (!raise) return table;
    env.lastRaise = { value: table, line: env.line() };
    throw new LuaError(table, 0);
  }

  /**
   * Runs a script for `caller` and writes its reply (or error) with `reply`.
   *
   * A script runs as a plain call (the engine's fast path, which cannot be suspended), its
   * `redis.call`s recorded (replay.ts). One still running past busy-reply-threshold is
   * stopped and restarted from its start, random state restored, as a suspendable run
   * (LuaState.start) continued in SLICE_MS slices on later macrotasks: other clients get
   * BUSY meanwhile, and SCRIPT/FUNCTION KILL stop it, or answer UNKILLABLE once it wrote.
   * The restarted run is given the recorded replies of its calls until it is where the plain
   * run stopped (each checked to be the same command with the same arguments), then runs
   * live: its commands run once. If it makes other calls (replay.ts says when it can):
   * - one that had not written (nor published) is run again, live from its start: nothing
   *   it did is left, since the globals are read-only and KEYS/ARGV are rebuilt;
   * - one that had written ends with a ReplayDivergence error; its writes stay.
   * So that the log stays small, a plain run whose log fills up (FULL_CALLS calls) is
   * restarted at once in the same way; it is not timed out before the threshold, so this
   * changes only its speed.
   * A restarted script is remembered, and its later runs are suspendable from their start.
   * Scripts inside MULTI/EXEC are treated alike (EXEC waits for a suspended one). The reply
   * of a suspended run comes later: the returned promise settles once it is written.
   */
  run(request: RunRequest, caller: Connection, reply: Reply): void | Promise<void> {
    const { flags, ro } = request;
    if (!flags.compat && !flags.noWrites && ro) {
      reply.error("ERR Can not execute a script with write flag using *_ro command.");
      return;
    }
    const env = request.environment;
    const now = Date.now();
    const ctx: RunContext = {
      caller,
      name: request.name,
      evalMode: request.evalMode,
      readOnly: ro || (!flags.compat && flags.noWrites),
      dirty: false,
      effects: false,
      resp: 2,
      killed: false,
      timedOut: false,
      sliced: this.#long.has(request.fn as object),
      sliceStartedAt: now,
      startedAt: now,
      argv: request.argv,
    };
    this.#environment = env;
    this.current = ctx;
    if (ctx.sliced) return this.#runSliced(request, ctx, reply);
    const random = redisRandom.snapshot();
    const log = this.#log;
    log.record();
    try {
      writeLuaReply(reply, env.lua.callFirst(request.fn, this.#prepare(request, ctx)), ctx.resp);
    } catch (error) {
      if (error === RESTART) {
        redisRandom.restore(random);
        ctx.sliced = true;
        this.#long.add(request.fn as object);
        log.replay();
        // The live part goes on in the database the plain run was in (SELECT): replayed
        // calls do not run.
        const restart = { db: this.#client.db, random, wrote: ctx.effects };
        return this.#runSliced(request, ctx, reply, restart);
      }
      this.#answerError(request, reply, error);
    }
    this.#end(ctx, env);
  }

  /**
   * Runs the script as a suspendable run, in slices until it ends. `restart`: it replays the
   * log of a plain run (see {@link ScriptRunner.run}).
   */
  #runSliced(
    request: RunRequest,
    ctx: RunContext,
    reply: Reply,
    restart?: Restart,
  ): void | Promise<void> {
    let task = this.#start(request, ctx, reply, restart?.db);
    if (task === undefined) return;
    const slice = (): boolean => {
      const done = this.#slice(request, ctx, task!, reply, restart);
      if (done !== RETRY) return done;
      // A replay that diverged before any write: run it again, live from its start.
      redisRandom.restore(restart!.random);
      ctx.dirty = false;
      ctx.effects = false;
      restart = undefined;
      task = this.#start(request, ctx, reply);
      return task === undefined;
    };
    if (slice()) return;
    return new Promise<void>((resolve) => {
      const next = () => {
        if (slice()) resolve();
        else setTimeout(next, 0);
      };
      setTimeout(next, 0);
    });
  }

  /** Starts the suspendable run; undefined when it failed (its error is answered). */
  #start(request: RunRequest, ctx: RunContext, reply: Reply, db?: number): LuaRun | undefined {
    try {
      const task = request.environment.lua.start(request.fn, ...this.#prepare(request, ctx));
      if (db !== undefined) this.#client.db = db;
      return task;
    } catch (error) {
      this.#answerError(request, reply, error);
      this.#end(ctx, request.environment);
      return undefined;
    }
  }

  /**
   * Runs the script until it ends (true: its reply is written) or suspends (false); RETRY
   * when a replay that had no write to keep diverged.
   */
  #slice(
    request: RunRequest,
    ctx: RunContext,
    task: LuaRun,
    reply: Reply,
    restart: Restart | undefined,
  ): boolean | typeof RETRY {
    if (ctx.timedOut) ctx.sliceStartedAt = Date.now();
    let failure: unknown;
    try {
      const values = task.resume();
      if (values === undefined) return false;
      failure = this.#log.ended(ctx.name);
      if (failure === undefined) writeLuaReply(reply, values[0], ctx.resp);
    } catch (error) {
      // Raised before the replay's end: the run diverged, unless it was killed (a script
      // that only published can be).
      failure = ctx.killed ? error : this.#log.ended(ctx.name) ?? error;
    }
    if (failure !== undefined) {
      if (failure instanceof ReplayDivergence && restart?.wrote === false && !ctx.killed) {
        return RETRY;
      }
      this.#answerError(request, reply, failure);
    }
    this.#end(ctx, request.environment);
    return true;
  }

  /** The run is over: no current script, no calls kept; a killed one's every-step hook goes. */
  #end(ctx: RunContext, env: ScriptEnvironment): void {
    this.current = undefined;
    this.#log.clear();
    if (ctx.killed) env.resetHook();
  }

  /** The script's inputs: KEYS and ARGV (globals for EVAL, arguments for FCALL). */
  #prepare(request: RunRequest, ctx: RunContext): readonly unknown[] {
    this.#client.db = ctx.caller.db;
    ctx.resp = 2;
    request.environment.lastRaise = undefined;
    const argv = request.argv;
    const split = FIRST_KEY + request.numkeys;
    if (!request.evalMode) {
      // A function may keep its arguments (in its library's upvalues): fresh tables.
      return [
        fillArray(new LuaTable(), argv, FIRST_KEY, split),
        fillArray(new LuaTable(), argv, split, argv.length),
      ];
    }
    // An EVAL script cannot keep KEYS or ARGV past its run (the globals and every table
    // reachable from them are read-only, and its chunk's locals end with it): the
    // environment's two tables are emptied and filled again for each run.
    const env = request.environment;
    fillArray(env.keys, argv, FIRST_KEY, split);
    fillArray(env.argv, argv, split, argv.length);
    const globals = env.lua.globals;
    if (globals.getStr("KEYS") !== env.keys) {
      globals.set("KEYS", env.keys);
      globals.set("ARGV", env.argv);
    }
    return NO_ARGUMENTS;
  }

  /** Answers a failed run with Redis's error text. */
  #answerError(request: RunRequest, reply: Reply, error: unknown): void {
    reply.rollback();
    reply.raw(simpleFrame("-", this.#errorText(error, request)));
  }

  /**
   * The Lua hook of every scripting state (every HOOK_STEPS steps): stops a killed script;
   * restarts a plain run past busy-reply-threshold or with a full log (see
   * {@link ScriptRunner.run}); past the threshold, suspends a suspendable run at the end of
   * each SLICE_MS slice (from then on other clients get BUSY until it ends).
   */
  onHook(): void {
    const ctx = this.current;
    const env = this.#environment;
    if (ctx === undefined || env === undefined) return;
    if (ctx.killed) {
      // Raised at every step from now on, so that pcall cannot keep the script alive.
      env.lua.setHook(1, () => env.raise("Script killed by user with SCRIPT KILL..."));
      env.raise("Script killed by user with SCRIPT KILL...");
    }
    // A plain run that made many calls is restarted now, before the threshold, so that its
    // log stays bounded.
    if (this.#log.recording && this.#log.full) throw RESTART;
    const now = Date.now();
    if (!ctx.timedOut) {
      const limit = this.busyThreshold;
      if (limit <= 0 || now - ctx.startedAt < limit) return;
      ctx.timedOut = ctx.sliced;
      if (!ctx.sliced) throw RESTART;
    } else if (now - ctx.sliceStartedAt < SLICE_MS) return;
    env.lua.suspend();
  }

  /** The error reply text of a failed run (luaCallFunction + the error handler). */
  #errorText(error: unknown, request: RunRequest): string {
    if (error instanceof ReplayDivergence) return error.reply;
    if (!(error instanceof LuaError)) {
      const message = error instanceof Error ? error.message : String(error);
      return `ERR Error running script ${request.name}, ${message.slice(0, 100)}`;
    }
    const env = request.environment;
    const value = error.value;
    let message: string;
    if (value instanceof LuaTable) {
      const err = value.get("err");
      message = typeof err === "string" ? err : "ERR unknown error";
    } else message = "ERR " + luaToString(value);
    const line = raisedLine(env.lastRaise, value, request.source) ??
      env.lua.raisedAt(error)?.line ?? env.lastRaise?.line ?? 0;
    return `${message} script: ${request.name}, on ${request.source}:${line}.`;
  }
}

/**
 * The line Redis's error handler reports for an error value, when the value tells it: the
 * site recorded where it was raised, or the position at the start of its message.
 */
function raisedLine(
  last: { value: unknown; line: number } | undefined,
  value: unknown,
  source: string,
): number | undefined {
  if (last !== undefined) {
    if (last.value === value) return last.line;
    if (typeof value === "string" && typeof last.value === "string" && value.endsWith(last.value)) {
      return last.line;
    }
  }
  if (typeof value === "string") {
    const prefix = source.slice(1) + ":";
    if (value.startsWith(prefix)) {
      const m = /^(\d+):/.exec(value.slice(prefix.length));
      if (m !== null) return Number(m[1]);
    }
  }
  return undefined;
}

function luaToString(v: unknown): string {
  if (v === undefined) return "nil";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return numberToString(v);
  if (typeof v === "string") return v;
  return "?";
}

/** The arguments of an EVAL script's main function (shared: calls never write into them). */
const NO_ARGUMENTS: readonly unknown[] = [];

/** Where the keys start in EVAL/FCALL's argv (after the name, the script and numkeys). */
const FIRST_KEY = 3;

/** KEYS or ARGV: `t` emptied, then `items[start, end)` as byte strings in its array part. */
function fillArray(
  t: LuaTable,
  items: readonly Uint8Array[],
  start: number,
  end: number,
): LuaTable {
  t.reset();
  const arr = t.arr;
  for (let i = start; i < end; i++) arr.push(bytesToLatin1(items[i]));
  return t;
}

/** Lua arguments of redis.call as a command's argv; undefined when one is not a string/number. */
function toArgv(args: unknown[]): Uint8Array[] | undefined {
  const argv: Uint8Array[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === "string") argv[i] = stringBytes(a);
    else if (typeof a === "number") {
      // %.17g; integers below 1e17 print as themselves.
      const text = Number.isInteger(a) && a < 1e17 && a > -1e17 && !Object.is(a, -0)
        ? String(a)
        : formatGeneral(a, 17);
      argv[i] = stringBytes(text);
    } else return undefined;
  }
  return argv;
}
