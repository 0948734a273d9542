/**
 * Running a script as Redis 7.0 does (script.c, script_lua.c's luaCallFunction): the run
 * context (read-only, dirty after a write, the RESP version chosen with `redis.setresp`),
 * `redis.call` through the server's own command table on the script's fake client (so WATCH,
 * expiry and blocked clients see script writes as any client's), and the error reply with
 * Redis's ` script: <name>, on @user_script:<line>.` suffix.
 *
 * @module
 */

import { bytesToString } from "../../resp/bytes.ts";
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
/** Thrown by the hook (not a LuaError: pcall cannot catch it) to restart a script suspendable. */
const RESTART = new Error("restart the script suspendable");

const NOSCRIPT = 1;
const WRITE = 2;
const MAY_REPLICATE = 4;
const commandBits = new WeakMap<CommandEntry, number>();
/** XREAD and XREADGROUP: BLOCK is refused to scripts before anything else runs. */
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
      (MAY_REPLICATE_COMMANDS.has(entry.fullName) ? MAY_REPLICATE : 0);
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
  /** It may be suspended (not inside EXEC, which must finish in one go). */
  readonly suspendable: boolean;
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
  readonly keys: readonly Uint8Array[];
  readonly args: readonly Uint8Array[];
  /** Chunk name shown in error suffixes ("@user_script", "@user_function"). */
  readonly source: string;
  /** The EVAL/FCALL request. */
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
  /** The running script's compiled function. */
  #fn: object | undefined = undefined;
  /** Scripts that once ran past busy-reply-threshold: they run suspendable from their start. */
  readonly #long = new WeakSet<object>();

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
    if (STREAM_READS.has(entry.fullName) && hasBlockOption(argv)) {
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
    const client = this.#client;
    const writer = this.#writer;
    writer.protocol = ctx.resp;
    client.protocol = ctx.resp;
    const command = this.#command;
    command.load(commandName(entry, argv), argv);
    const pending = runHandler(entry, command, this.#reply, client);
    if (pending !== undefined) {
      // Only blocking commands answer later, and scripts may not run them.
      writer.take();
      return this.#fail(env, "This Redis command is not allowed from script", raise);
    }
    const bytes = writer.take();
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
   * A script runs as a plain call (the engine's fast path, which cannot be suspended). One
   * still running past busy-reply-threshold:
   * - that has not written (nor published) is restarted from its start, random state
   *   restored, as a suspendable run (LuaState.start) continued in SLICE_MS slices on later
   *   macrotasks: other clients get BUSY meanwhile, SCRIPT/FUNCTION KILL reach it;
   * - that has written cannot be restarted: it finishes in this call (other clients wait
   *   instead of getting BUSY).
   * Either way the script is remembered, and its later runs are suspendable from their
   * start, so that they also answer BUSY and UNKILLABLE as Redis does once they wrote. The
   * reply of a suspended run comes later: the returned promise settles once it is written.
   */
  run(request: RunRequest, caller: Connection, reply: Reply): void | Promise<void> {
    const { flags, ro } = request;
    if (!flags.compat && !flags.noWrites && ro) {
      reply.error("ERR Can not execute a script with write flag using *_ro command.");
      return;
    }
    const env = request.environment;
    const now = Date.now();
    const suspendable = !caller.executingTransaction;
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
      suspendable,
      sliced: suspendable && this.#long.has(request.fn as object),
      sliceStartedAt: now,
      startedAt: now,
      argv: request.argv,
    };
    this.#environment = env;
    this.#fn = request.fn as object;
    this.current = ctx;
    if (ctx.sliced) return this.#runSliced(request, ctx, reply);
    const random = redisRandom.snapshot();
    try {
      const results = env.lua.call(request.fn, ...this.#prepare(request, ctx));
      writeLuaReply(reply, results[0], ctx.resp);
    } catch (error) {
      if (error === RESTART) {
        redisRandom.restore(random);
        ctx.sliced = true;
        return this.#runSliced(request, ctx, reply);
      }
      this.#answerError(request, reply, error);
    }
    this.#end(ctx, env);
  }

  /** Runs the script as a suspendable run, in slices until it ends. */
  #runSliced(request: RunRequest, ctx: RunContext, reply: Reply): void | Promise<void> {
    let task: LuaRun;
    try {
      task = request.environment.lua.start(request.fn, ...this.#prepare(request, ctx));
    } catch (error) {
      this.#answerError(request, reply, error);
      this.#end(ctx, request.environment);
      return;
    }
    if (this.#slice(request, ctx, task, reply)) return;
    return new Promise<void>((resolve) => {
      const next = () => {
        if (this.#slice(request, ctx, task, reply)) resolve();
        else setTimeout(next, 0);
      };
      setTimeout(next, 0);
    });
  }

  /** Runs the script until it ends (true: its reply is written) or suspends (false). */
  #slice(request: RunRequest, ctx: RunContext, task: LuaRun, reply: Reply): boolean {
    if (ctx.timedOut) ctx.sliceStartedAt = Date.now();
    try {
      const values = task.resume();
      if (values === undefined) return false;
      writeLuaReply(reply, values[0], ctx.resp);
    } catch (error) {
      this.#answerError(request, reply, error);
    }
    this.#end(ctx, request.environment);
    return true;
  }

  /** The run is over: no current script; a killed one's every-step hook goes. */
  #end(ctx: RunContext, env: ScriptEnvironment): void {
    this.current = undefined;
    if (ctx.killed) env.resetHook();
  }

  /** The script's inputs: KEYS and ARGV (globals for EVAL, arguments for FCALL). */
  #prepare(request: RunRequest, ctx: RunContext): unknown[] {
    this.#client.db = ctx.caller.db;
    ctx.resp = 2;
    request.environment.lastRaise = undefined;
    const keys = luaArray(request.keys);
    const args = luaArray(request.args);
    if (!request.evalMode) return [keys, args];
    const globals = request.environment.lua.globals;
    globals.set("KEYS", keys);
    globals.set("ARGV", args);
    return [];
  }

  /** Answers a failed run with Redis's error text. */
  #answerError(request: RunRequest, reply: Reply, error: unknown): void {
    reply.rollback();
    reply.raw(simpleFrame("-", this.#errorText(error, request)));
  }

  /**
   * The Lua hook of every scripting state (every HOOK_STEPS steps): stops a killed script;
   * past busy-reply-threshold, restarts a plain run that can be restarted (see
   * {@link ScriptRunner.run}) and suspends a suspendable run at the end of each SLICE_MS
   * slice (from then on other clients get BUSY until it ends).
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
    if (!ctx.suspendable) return;
    const now = Date.now();
    if (!ctx.timedOut) {
      const limit = this.busyThreshold;
      if (limit <= 0 || now - ctx.startedAt < limit) return;
      ctx.timedOut = ctx.sliced;
      if (!ctx.sliced) {
        this.#long.add(this.#fn!);
        if (!ctx.effects) throw RESTART;
        return;
      }
    } else if (now - ctx.sliceStartedAt < SLICE_MS) return;
    env.lua.suspend();
  }

  /** The error reply text of a failed run (luaCallFunction + the error handler). */
  #errorText(error: unknown, request: RunRequest): string {
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

function luaArray(items: readonly Uint8Array[]): LuaTable {
  const t = new LuaTable();
  for (let i = 0; i < items.length; i++) t.set(i + 1, latin1Of(items[i]));
  return t;
}

function latin1Of(bytes: Uint8Array): string {
  return latin1(bytes, 0, bytes.length);
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
