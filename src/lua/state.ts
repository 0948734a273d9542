/**
 * A Lua environment: globals, the opened libraries, compilation of chunks, calls from the
 * host, limits and the step hook.
 *
 * @module
 */

import { generate, instantiate } from "./compile.ts";
import { LuaError } from "./error.ts";
import { chunkId } from "./lexer.ts";
import { openBase } from "./lib/base.ts";
import { coroutineLib, resume } from "./lib/coroutine.ts";
import { GlibcRandom, mathLib } from "./lib/math.ts";
import { osLib } from "./lib/os.ts";
import { addGfind, stringLib } from "./lib/string.ts";
import { tableLib } from "./lib/table.ts";
import { helpers } from "./ops.ts";
import { parse } from "./parser.ts";
import {
  call,
  callFirst,
  chunkBase,
  E,
  levelSite,
  type LuaFunction,
  LuaThread,
  settle,
  siteInfo,
  type StateHooks,
} from "./runtime.ts";
import { LuaTable, tableLimits } from "./table.ts";

/** A library a state can open. `os` (clock, time, date) is not opened unless asked for. */
export type LuaLibName = "base" | "string" | "table" | "math" | "coroutine" | "os";

/** Options of {@link LuaState}. */
export interface LuaStateOptions {
  /** Libraries to open (default: base, string, table, math, coroutine). */
  libs?: readonly LuaLibName[];
  /** Receives what `print` writes, as a byte string (default: console.log per line). */
  stdout?: (bytes: string) => void;
  /** Longest string `..`, `string.rep`, `format`, `gsub` and `concat` may build. */
  maxStringSize?: number;
  /** Most entries one table part may hold. Beyond: the Lua error `not enough memory`. */
  maxTableEntries?: number;
  /**
   * Called each time a table grows by 1,024 entries while this state runs: a host can check
   * its memory budget there and throw `new LuaError("not enough memory", 0)`.
   */
  memoryCheck?: () => void;
  /** Deepest Lua call nesting before the error `stack overflow` (default 7000). */
  maxCallDepth?: number;
  /**
   * Whether compiled functions get coroutine versions: "auto" (the default) when the chunk's
   * source mentions `coroutine`, always, or never. Without them a function still runs
   * inside a coroutine but cannot yield.
   */
  coroutines?: "auto" | boolean;
}

const DEFAULT_LIBS: readonly LuaLibName[] = ["base", "string", "table", "math", "coroutine"];
const DEFAULT_DEPTH = 7000;
const TEXT = new TextEncoder();

/** A run started by {@link LuaState.start}. */
export interface LuaRun {
  /** Runs on: the function's results when it returned, undefined when it suspended. */
  resume(): unknown[] | undefined;
}

/** What a native function registered by the host looks like. */
export type LuaNative = (...args: unknown[]) => unknown;

/**
 * A Lua 5.1 environment.
 *
 * @example
 * ```ts
 * import { LuaState } from "./state.ts";
 * const lua = new LuaState();
 * const f = lua.load("local a, b = ... return a + b, 'sum'");
 * console.log(lua.call(f, 2, 3)); // [ 5, "sum" ]
 * ```
 */
export class LuaState {
  /** The globals table (`_G`). */
  readonly globals: LuaTable = new LuaTable();
  private readonly hooks: StateHooks;
  private readonly maxDepth: number;
  private readonly maxEntries: number;
  private readonly memoryCheck: (() => void) | undefined;
  private readonly coroutines: "auto" | boolean;

  /** Creates a state and opens its libraries. */
  constructor(options: LuaStateOptions = {}) {
    const stringMeta = new LuaTable();
    this.hooks = {
      stringMeta,
      maxStringSize: options.maxStringSize ?? Infinity,
      hook: undefined,
      hookEvery: 0,
      suspend: false,
    };
    this.maxDepth = options.maxCallDepth ?? DEFAULT_DEPTH;
    this.maxEntries = options.maxTableEntries ?? Infinity;
    this.memoryCheck = options.memoryCheck;
    this.coroutines = options.coroutines ?? "auto";
    const write = options.stdout ?? ((s: string) => console.log(s.replace(/\n$/, "")));
    const G = this.globals;
    for (const lib of options.libs ?? DEFAULT_LIBS) {
      switch (lib) {
        case "base":
          openBase({ globals: G, write, compile: (src, name) => this.compile(src, name) });
          break;
        case "string": {
          const s = stringLib();
          addGfind(s);
          G.set("string", s);
          stringMeta.set("__index", s);
          break;
        }
        case "table":
          G.set("table", tableLib());
          break;
        case "math":
          G.set("math", mathLib(new GlibcRandom()));
          break;
        case "coroutine":
          G.set("coroutine", coroutineLib());
          break;
        case "os":
          G.set("os", osLib());
          break;
      }
    }
  }

  /**
   * Compiles a chunk. A `Uint8Array` is the chunk's bytes; a string is text, encoded as
   * UTF-8. `chunkName` follows lua_load: `=name` or `@file` name the chunk in messages,
   * anything else is shown as `[string "..."]`. Throws LuaError with Lua's syntax message.
   */
  load(source: string | Uint8Array, chunkName?: string): LuaFunction {
    const bytes = typeof source === "string" ? fromBytes(TEXT.encode(source)) : fromBytes(source);
    return this.compile(bytes, chunkName ?? bytes);
  }

  /** Compiles a chunk given as a byte string. */
  private compile(src: string, chunkName: string): LuaFunction {
    const name = chunkId(chunkName);
    const main = parse(src, name);
    const co = this.coroutines === "auto" ? /coroutine/.test(src) : this.coroutines;
    const js = generate(main, chunkBase(name), co);
    return instantiate(js, E, helpers, this.globals);
  }

  /**
   * Calls a Lua value (function, or anything with `__call`) and returns all its results.
   * A Lua error comes out as a LuaError carrying the Lua value (with its position).
   */
  call(fn: unknown, ...args: unknown[]): unknown[] {
    return this.enter(fn, args, false) as unknown[];
  }

  /**
   * Calls `fn` with `args` as {@link LuaState.call} does and returns its first result only
   * (undefined when it returned none): no array of results is made.
   *
   * @example
   * ```ts
   * import { LuaState } from "./state.ts";
   * const lua = new LuaState();
   * lua.callFirst(lua.load("return ... + 1, 'ignored'"), [41]); // 42
   * ```
   */
  callFirst(fn: unknown, args: readonly unknown[]): unknown {
    return this.enter(fn, args, true);
  }

  /** Runs a call from the host in this state's settings, restoring the engine's afterwards. */
  private enter(fn: unknown, args: readonly unknown[], firstOnly: boolean): unknown {
    const state = E.state;
    const maxDepth = E.maxDepth;
    const steps = E.steps;
    const maxEntries = tableLimits.maxEntries;
    const check = tableLimits.check;
    const d = E.d;
    const c = E.c;
    const at = E.at;
    E.state = this.hooks;
    E.maxDepth = d + this.maxDepth;
    E.steps = this.hooks.hook === undefined ? 0x3fffffff : this.hooks.hookEvery - 1;
    tableLimits.maxEntries = this.maxEntries;
    tableLimits.check = this.memoryCheck;
    try {
      return firstOnly ? callFirst(fn, args) : call(fn, args).slice();
    } catch (e) {
      throw settle(e);
    } finally {
      E.d = d;
      E.c = c;
      E.at = at;
      E.state = state;
      E.maxDepth = maxDepth;
      E.steps = steps;
      tableLimits.maxEntries = maxEntries;
      tableLimits.check = check;
    }
  }

  /**
   * Starts `fn(...args)` as a run the host can suspend: `resume()` runs it until it returns
   * (its results) or until the hook calls {@link LuaState.suspend} (undefined: call `resume()`
   * again later, typically on a later macrotask). Lua errors are thrown as by `call`. Only
   * functions compiled with generator twins (`coroutines` option) can be suspended, and only
   * outside coroutines of their own; others run to their end in the first `resume()`.
   */
  start(fn: unknown, ...args: unknown[]): LuaRun {
    const thread = new LuaThread(fn as LuaFunction);
    thread.host = true;
    let pending: unknown[] = args;
    return {
      resume: (): unknown[] | undefined => {
        // A request the previous run or slice could not honour is void.
        this.hooks.suspend = false;
        const r = this.call(resume, thread, pending);
        pending = [];
        return thread.status === "dead" ? r.slice(1) : undefined;
      },
    };
  }

  /**
   * From the hook: asks the run started by {@link LuaState.start} to suspend at its next
   * step check.
   */
  suspend(): void {
    this.hooks.suspend = true;
  }

  /**
   * From a native function this state's Lua code called: runs the hook at the next step check
   * (loop iteration or function entry) instead of when the step budget runs out. For hosts
   * whose natives do much work per step, so that the hook keeps its pace in time.
   */
  hookSoon(): void {
    if (E.state === this.hooks && this.hooks.hook !== undefined) E.steps = 0;
  }

  /**
   * Makes `table`, every table reachable from it through values, and their metatables
   * read-only for Lua code (Redis 7.0's luaSetTableProtectionRecursively): writes raise
   * "Attempt to modify a readonly table". The host's own `LuaTable.set` still writes.
   */
  protect(table: LuaTable): void {
    const pending: LuaTable[] = [table];
    for (let t = pending.pop(); t !== undefined; t = pending.pop()) {
      if (t.readonly) continue;
      t.readonly = true;
      for (const v of t.arr) if (v instanceof LuaTable) pending.push(v);
      if (t.hash !== undefined) {
        for (const v of t.hash.values()) if (v instanceof LuaTable) pending.push(v);
      }
      if (t.mt !== undefined) pending.push(t.mt);
    }
  }

  /** The metatable strings share (its `__index` is the string library). */
  get stringMetatable(): LuaTable {
    return this.hooks.stringMeta!;
  }

  /** Loads and runs a chunk; returns its results. */
  run(source: string | Uint8Array, chunkName?: string): unknown[] {
    return this.call(this.load(source, chunkName));
  }

  /**
   * Sets global `name` to a native function. It receives Lua values and returns one value,
   * or an array of values for several (an empty array for none). Throwing
   * `new LuaError(value)` raises a Lua error; a string value gets the caller's position.
   */
  register(name: string, fn: LuaNative): void {
    this.globals.set(name, fn);
  }

  /**
   * Runs `callback` every `everySteps` steps (loop iterations and function calls) while Lua
   * code of this state runs; it may throw to stop the script. A LuaError it throws can be
   * caught by `pcall`; any other exception cannot, and ends the call. `undefined` removes it.
   */
  setHook(everySteps: number, callback: (() => void) | undefined): void {
    this.hooks.hook = callback;
    this.hooks.hookEvery = Math.max(1, Math.floor(everySteps));
    if (E.state === this.hooks) {
      E.steps = callback === undefined ? 0x3fffffff : this.hooks.hookEvery - 1;
    }
  }

  /**
   * Where the running Lua code is, seen from a native function it called: level 1 is the
   * calling Lua function (its chunk name and current line), 2 its caller. Undefined when
   * that level is native code or absent.
   */
  where(level = 1): { chunk: string; line: number } | undefined {
    return siteInfo(levelSite(level));
  }

  /**
   * The chunk and line of the Lua code that raised `error` (also for an error without a
   * position in its message), once the error has been caught by the engine.
   */
  raisedAt(error: LuaError): { chunk: string; line: number } | undefined {
    return siteInfo(error.site);
  }
}

/** A Lua string (a byte string) from bytes. */
export function fromBytes(bytes: Uint8Array): string {
  let s = "";
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(i + CHUNK, bytes.length)) as unknown as number[],
    );
  }
  return s;
}

/** The bytes of a Lua string (a byte string: char codes 0..255). */
export function toBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A Lua string holding the UTF-8 encoding of JavaScript text. */
export function fromText(text: string): string {
  return fromBytes(TEXT.encode(text));
}

/** JavaScript text from a Lua string holding UTF-8. */
export function toText(s: string): string {
  return new TextDecoder().decode(toBytes(s));
}

export { LuaError };
