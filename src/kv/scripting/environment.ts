/**
 * The Lua environment of Redis 7.0 scripts (script_lua.c, eval.c): the libraries Redis loads
 * (base, table, string, math with Redis's `random`, cjson, struct, cmsgpack, bit), the
 * `redis` table, Redis's `pcall` (an error table becomes its `err` text), and the sandbox:
 * no `print`/`dofile`/`loadfile`/`debug`/`os`/`io`, and globals that cannot be read when
 * missing nor created.
 *
 * @module
 */

import { LuaError, type LuaNative, LuaState, LuaTable } from "../../lua/mod.ts";
import { mathLib } from "../../lua/lib/math.ts";
import { bitLib } from "./libs/bit.ts";
import { cjsonLib } from "./libs/cjson.ts";
import { cmsgpackLib } from "./libs/cmsgpack.ts";
import { structLib } from "./libs/struct.ts";
import { Rand48 } from "./rand48.ts";
import { errorTable } from "./resp_to_lua.ts";
import { sha1Hex } from "./sha1.ts";
import { toBytes } from "../../lua/mod.ts";

/** Lua steps between two runs of the host's hook. */
export const HOOK_STEPS = 10_000;

/** What the `redis` table asks of the server running the script. */
export interface ScriptHost {
  /** `redis.call` (raise = true) and `redis.pcall`: the command's reply as a Lua value. */
  call(args: unknown[], raise: boolean): unknown;
  /** `redis.setresp(n)` (2 or 3), inside a running script. */
  setResp(resp: 2 | 3): void;
  /** Whether a script is running (several `redis.*` functions need one). */
  running(): boolean;
  /** Runs every HOOK_STEPS Lua steps while a script runs, sooner if asked (time limits, SCRIPT KILL). */
  onHook(): void;
  /** `redis.acl_check_cmd`: whether the command exists (undefined: unknown command). */
  commandExists(args: unknown[]): boolean;
  /** The server's version ("7.0.15"). */
  readonly version: string;
}

/** Where the last error raised through `error`, `redis.call` or a `redis.*` check was raised. */
export interface RaiseSite {
  value: unknown;
  line: number;
}

/** The process-wide `redisLrand48` state (Redis keeps one for all scripts and functions). */
export const redisRandom: Rand48 = new Rand48();

/** The error table a failed `redis.*` check raises (`luaPushError` + `lua_error`). */
export function raiseTable(message: string): never {
  throw new LuaError(errorTable(message), 0);
}

/** One Lua state set up as Redis sets up its scripting state. */
export class ScriptEnvironment {
  /** The state. */
  readonly lua: LuaState;
  /** The `redis` table. */
  readonly redis: LuaTable;
  /** The base library's `setfenv` (not visible to scripts; libraries' code runs with it). */
  readonly setfenv: LuaNative;
  /** The KEYS table of EVAL scripts (the runner fills it again for each run). */
  readonly keys: LuaTable = new LuaTable();
  /** The ARGV table of EVAL scripts (the runner fills it again for each run). */
  readonly argv: LuaTable = new LuaTable();
  /** Where the last error was raised (to report the line as Redis's error handler does). */
  lastRaise: RaiseSite | undefined = undefined;
  readonly #host: ScriptHost;

  /** Builds the state; `chunk` is the chunk name scripts get ("@user_script"). */
  constructor(host: ScriptHost) {
    this.#host = host;
    const lua = new LuaState({
      libs: ["base", "string", "table", "coroutine"],
      // Every function gets its generator twin: a script past busy-reply-threshold is
      // suspended between slices (LuaState.start), wherever it is.
      coroutines: true,
    });
    this.lua = lua;
    const G = lua.globals;
    G.set("math", mathLib(redisRandom as unknown as Parameters<typeof mathLib>[0]));
    this.setfenv = G.get("setfenv") as LuaNative;
    // Redis 7.0.15 leaves none of these to scripts.
    for (const name of ["print", "dofile", "loadfile", "getfenv", "setfenv", "newproxy"]) {
      G.set(name, undefined);
    }
    G.set("cjson", cjsonLib());
    G.set("struct", structLib());
    G.set("cmsgpack", cmsgpackLib());
    G.set("bit", bitLib());
    this.#wrapErrorFunctions();
    this.redis = this.#redisTable();
    G.set("redis", this.redis);
    // Redis's error handler is a global function; scripts can see it.
    G.set("__redis__err__handler", (...a: unknown[]) => a[0]);
    this.#protectGlobals();
    // Every table reachable from the globals, and the strings' metatable, as Redis 7.0.
    lua.protect(G);
    lua.protect(lua.stringMetatable);
    this.resetHook();
  }

  /** Installs the host's hook (every HOOK_STEPS steps), replacing any other. */
  resetHook(): void {
    const host = this.#host;
    this.lua.setHook(HOOK_STEPS, () => host.onHook());
  }

  /** Line of the Lua code calling the running native (0 when unknown). */
  line(): number {
    return this.lua.where(1)?.line ?? 0;
  }

  #record(value: unknown): void {
    this.lastRaise = { value, line: this.line() };
  }

  /** `error` records where it was called; `pcall` returns an error table's text. */
  #wrapErrorFunctions(): void {
    const G = this.lua.globals;
    const baseError = G.get("error") as LuaNative;
    G.set("error", (...a: unknown[]) => {
      this.#record(a[0]);
      return baseError(...a);
    });
    const basePcall = G.get("pcall") as LuaNative & { $g?: LuaNative };
    const fix = (r: unknown): unknown => {
      if (Array.isArray(r) && r[0] === false && r[1] instanceof LuaTable) {
        const err = r[1].get("err");
        if (typeof err === "string") return [false, err];
      }
      return r;
    };
    const pcall = (...a: unknown[]) => fix(basePcall(...a));
    const baseGen = basePcall.$g;
    if (baseGen !== undefined) {
      (pcall as unknown as { $g: unknown }).$g = function* (...a: unknown[]) {
        return fix(yield* baseGen(...a) as unknown as Generator<unknown, unknown, unknown>);
      };
    }
    G.set("pcall", pcall);
  }

  #redisTable(): LuaTable {
    const host = this.#host;
    const t = new LuaTable();
    const needsRun = (what: string) => {
      if (!host.running()) raiseTable(`${what} can only be called inside a script invocation`);
    };
    const call = (raise: boolean) => (...args: unknown[]) => {
      if (!host.running()) {
        const e = errorTable("redis.call/pcall can only be called inside a script invocation");
        this.#record(e);
        throw new LuaError(e, 0);
      }
      const r = host.call(args, raise);
      return r;
    };
    t.set("call", call(true));
    t.set("pcall", call(false));
    t.set("log", (...a: unknown[]) => {
      if (a.length < 2) this.raise("redis.log() requires two arguments or more.");
      const level = a[0];
      const n = typeof level === "number" ? level : typeof level === "string" ? Number(level) : NaN;
      if (Number.isNaN(n) || (typeof level === "string" && level.trim() === "")) {
        this.raise("First argument must be a number (log level).");
      }
      if (Math.trunc(n) < 0 || Math.trunc(n) > 3) this.raise("Invalid debug level.");
      return [];
    });
    t.set("LOG_DEBUG", 0);
    t.set("LOG_VERBOSE", 1);
    t.set("LOG_NOTICE", 2);
    t.set("LOG_WARNING", 3);
    const [major, minor, patch] = host.version.split(".").map((x) => Number(x) || 0);
    t.set("REDIS_VERSION_NUM", (major << 16) | (minor << 8) | patch);
    t.set("REDIS_VERSION", host.version);
    t.set("setresp", (...a: unknown[]) => {
      needsRun("redis.setresp");
      if (a.length !== 1) this.raise("redis.setresp() requires one argument.");
      const n = toNumberLike(a[0]);
      if (n !== 2 && n !== 3) this.raise("RESP version must be 2 or 3.");
      host.setResp(n as 2 | 3);
      return [];
    });
    t.set("sha1hex", (...a: unknown[]) => {
      if (a.length !== 1) this.raise("wrong number of arguments");
      const v = a[0];
      const s = typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
      return sha1Hex(toBytes(s));
    });
    t.set("error_reply", (...a: unknown[]) => {
      if (a.length !== 1 || typeof a[0] !== "string") {
        return errorTable("wrong number or type of arguments");
      }
      const s = a[0];
      return errorTable(s.charCodeAt(0) === 45 ? s : "-" + s);
    });
    t.set("status_reply", (...a: unknown[]) => {
      if (a.length !== 1 || typeof a[0] !== "string") {
        return errorTable("wrong number or type of arguments");
      }
      const r = new LuaTable();
      r.set("ok", a[0]);
      return r;
    });
    t.set("set_repl", (...a: unknown[]) => {
      needsRun("redis.set_repl");
      if (a.length !== 1) this.raise("redis.set_repl() requires two arguments.");
      const flags = Math.trunc(toNumberLike(a[0]) ?? 0);
      if ((flags & ~3) !== 0) {
        this.raise("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
      }
      return [];
    });
    t.set("REPL_NONE", 0);
    t.set("REPL_AOF", 1);
    t.set("REPL_SLAVE", 2);
    t.set("REPL_REPLICA", 2);
    t.set("REPL_ALL", 3);
    t.set("acl_check_cmd", (...a: unknown[]) => {
      needsRun("redis.acl_check_cmd");
      if (a.length === 0) {
        this.raise("Please specify at least one argument for this redis lib call");
      }
      if (!host.commandExists(a)) this.raise("Invalid command passed to redis.acl_check_cmd()");
      return true;
    });
    // Outside the debugger (LDB), breakpoint answers false and debug does nothing.
    t.set("breakpoint", () => false);
    t.set("debug", () => []);
    t.set("replicate_commands", () => true);
    return t;
  }

  /** Raises an error table from a `redis.*` function, recording the caller's line. */
  raise(message: string): never {
    const e = errorTable(message);
    this.#record(e);
    throw new LuaError(e, 0);
  }

  /**
   * Locks the globals as Redis 7.0 does: reading a missing global raises "Script attempted to
   * access nonexistent global variable". The globals are read-only (`protect`), so
   * `__newindex` serves only the tables that borrow this metatable's handlers (functions.ts).
   */
  #protectGlobals(): void {
    const mt = new LuaTable();
    mt.set("__index", (_t: unknown, k: unknown) => {
      throw new LuaError(
        `Script attempted to access nonexistent global variable '${
          typeof k === "string" || typeof k === "number" ? String(k) : "?"
        }'`,
      );
    });
    mt.set("__newindex", () => {
      throw new LuaError("Attempt to modify a readonly table");
    });
    this.lua.globals.mt = mt;
  }
}

function toNumberLike(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}
