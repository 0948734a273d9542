/**
 * The engine's shared state and the slow paths of compiled code: metamethods, coercions,
 * runtime errors with 5.1's texts, positions (`chunk:line:`), the call-depth stack and the
 * step budget.
 *
 * Compiled code keeps fast paths inline (numbers, plain tables) and calls these helpers for
 * everything else. A call site records its position in `E.at` before calling, as a site
 * number (chunk-name id * 2^20 + line); a Lua function pushes its caller's site on entry.
 *
 * @module
 */

import { LuaError } from "./error.ts";
import { str2number } from "./lexer.ts";
import { numberToString } from "./lib/string_format.ts";
import { addressOf, LuaTable, LuaUserdata, READONLY_TABLE } from "./table.ts";

/** A function value: a compiled Lua function or a native one (same calling convention). */
// deno-lint-ignore no-explicit-any
export type LuaFunction = (...args: any[]) => unknown;

/** A coroutine (`thread`). */
export class LuaThread {
  /** "suspended", "running", "normal" or "dead". */
  status = "suspended";
  /** The running generator, once started. */
  gen: Generator<unknown[], unknown, unknown[]> | undefined = undefined;
  /** A host run (LuaState.start), not a Lua coroutine: it suspends only at the host's request. */
  host = false;
  /** Call-stack sites of the suspended coroutine's frames. */
  frames: number[] = [];

  /** A coroutine that will run `fn`. */
  constructor(readonly fn: LuaFunction) {}
}

/** The sentinel at index 0 of a pending tail call `[TAIL, fn, args, site]`. */
export const TAIL: unique symbol = Symbol("tail call");
/** The result of a function returning nothing (shared: results are never mutated). */
export const EMPTY: unknown[] = [];

const BIG = 0x3fffffff;

/** Per-state settings the engine reads while a state runs. */
export interface StateHooks {
  stringMeta: LuaTable | undefined;
  maxStringSize: number;
  hook: (() => void) | undefined;
  hookEvery: number;
  /** Set by LuaState.suspend: the host run yields at its next step check. */
  suspend: boolean;
}

/**
 * The engine registers: `at` the site of the current call, `d` the Lua call depth, `stk[d]`
 * the site that called the frame at depth d, `c` the nesting of native-to-Lua calls,
 * `cobase` the depth where the running coroutine's frames start, `co` that coroutine,
 * `steps` the budget left before the hook runs.
 */
export const E: {
  at: number;
  d: number;
  stk: number[];
  c: number;
  cobase: number;
  co: LuaThread | undefined;
  steps: number;
  maxDepth: number;
  state: StateHooks;
} = {
  at: 0,
  d: 0,
  stk: [0],
  c: 0,
  cobase: 0,
  co: undefined,
  steps: BIG,
  maxDepth: 7000,
  state: {
    stringMeta: undefined,
    maxStringSize: Infinity,
    hook: undefined,
    hookEvery: 0,
    suspend: false,
  },
};

/** The depth at which tail calls start returning trampolines instead of calling. */
export const TAIL_DEPTH = 100;
const MAX_C_CALLS = 200;

// ---- positions -------------------------------------------------------------------------

const chunkNames: string[] = [""];
const chunkIds = new Map<string, number>();
const LINE_BITS = 0x100000;
/** Flag of a site whose call is a method call (`o:m()`): lauxlib then does not count self. */
export const METHOD_SITE = 0x80000;

/** Whether a site is a method call's. */
export function isMethodSite(site: number): boolean {
  return site > 0 && (site & METHOD_SITE) !== 0;
}

/** The site base of a chunk name: site = base + line. */
export function chunkBase(name: string): number {
  let id = chunkIds.get(name);
  if (id === undefined) {
    id = chunkNames.length;
    chunkNames.push(name);
    chunkIds.set(name, id);
  }
  return id * LINE_BITS;
}

/** The chunk name and line of a site, or undefined for a native caller (site 0). */
export function siteInfo(site: number): { chunk: string; line: number } | undefined {
  if (site <= 0) return undefined;
  return {
    chunk: chunkNames[Math.floor(site / LINE_BITS)],
    line: site % LINE_BITS & ~METHOD_SITE,
  };
}

/** `chunk:line: ` of a site ("" for a native caller). */
export function where(site: number): string {
  const info = siteInfo(site);
  return info === undefined ? "" : `${info.chunk}:${info.line}: `;
}

/** Raises a runtime error at `site` (5.1's luaG_runerror). */
export function rtError(site: number, msg: string): never {
  throw new LuaError(where(site) + msg, 0);
}

/** The site of stack level `level` (1 = the function that called the raising native). */
export function levelSite(level: number): number {
  if (level === 1) return E.at;
  const d = E.d - (level - 2);
  return d >= 1 ? E.stk[d] : 0;
}

/**
 * Gives a caught error its pending position (errors raised by natives are positioned where
 * they are caught, while `E` still describes the raising frame) and turns JavaScript stack
 * exhaustion into Lua's `stack overflow` (and a string or array too long for the engine
 * into `not enough memory`). Other JavaScript errors are returned unchanged.
 */
export function settle(e: unknown): unknown {
  if (e instanceof LuaError) {
    if (e.site === 0) e.site = E.at;
    if (e.level > 0) {
      if (typeof e.value === "string") e.setValue(where(levelSite(e.level)) + e.value);
      e.level = 0;
    }
    return e;
  }
  if (e instanceof RangeError) {
    if (/call stack|recursion/i.test(e.message)) {
      return new LuaError(where(E.at) + "stack overflow", 0);
    }
    if (/length|memory|allocation/i.test(e.message)) return new LuaError("not enough memory", 0);
  }
  return e;
}

/** What generator twins yield to suspend a host run (never a coroutine's values). */
export const SUSPEND: unknown[] = [];

/**
 * Called when `E.steps` runs out or the depth limit is passed (function entry); true when
 * the host run must suspend (see {@link tick}).
 */
export function enterSlow(): boolean {
  if (E.d > E.maxDepth) {
    E.d -= 8; // room for the error handler
    rtError(E.at, "stack overflow");
  }
  return tick();
}

/**
 * The step budget ran out: run the host's hook (it may throw to stop the script). True when
 * the hook asked to suspend and the code runs directly in a host run (not in a coroutine of
 * its own): the generator twin then yields SUSPEND. Elsewhere the request waits for the next
 * step check that can honour it.
 */
export function tick(): boolean {
  const s = E.state;
  if (s.hook === undefined) {
    E.steps = BIG;
    return false;
  }
  E.steps = s.hookEvery - 1;
  s.hook();
  if (!s.suspend || E.co === undefined || !E.co.host) return false;
  s.suspend = false;
  return true;
}

// ---- types and conversions --------------------------------------------------------------

/** Lua's type name of a value. */
export function type(v: unknown): string {
  switch (typeof v) {
    case "undefined":
      return "nil";
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    case "function":
      return "function";
  }
  if (v instanceof LuaTable) return "table";
  if (v instanceof LuaThread) return "thread";
  return "userdata";
}

/** The metatable of any value, or undefined. */
export function getMetatable(v: unknown): LuaTable | undefined {
  if (v instanceof LuaTable || v instanceof LuaUserdata) return v.mt;
  if (typeof v === "string") return E.state.stringMeta;
  return undefined;
}

/** The metamethod `event` of `v`, or undefined. */
export function metaOf(v: unknown, event: string): unknown {
  const mt = getMetatable(v);
  return mt === undefined ? undefined : mt.getStr(event);
}

/** Number coercion of arithmetic (numbers, and strings that read as numbers). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") return str2number(v);
  return undefined;
}

/** String coercion of concatenation (strings, and numbers via `%.14g`). */
export function toStr(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  return undefined;
}

/** `tostring` without `__tostring`. */
export function rawToString(v: unknown): string {
  switch (typeof v) {
    case "undefined":
      return "nil";
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return numberToString(v);
    case "string":
      return v;
  }
  const addr = addressOf(v as object).toString(16).padStart(8, "0");
  return `${type(v)}: 0x${addr}`;
}

/** `tostring` with `__tostring`. */
export function toString(v: unknown): string {
  const mm = metaOf(v, "__tostring");
  if (mm !== undefined) {
    const s = first(call(mm, [v]));
    if (typeof s !== "string") {
      if (typeof s === "number") return numberToString(s);
      throw new LuaError("'__tostring' must return a string");
    }
    return s;
  }
  return rawToString(v);
}

/** Whether a Lua value is true in a condition. */
export function truthy(v: unknown): boolean {
  return v !== undefined && v !== false;
}

// ---- calls -------------------------------------------------------------------------------

/** The first value of a call result (a value, an array of values, or a pending tail call). */
export function first(r: unknown): unknown {
  if (!Array.isArray(r)) return r;
  if (r[0] === TAIL) return first(resolve(r));
  return r[0];
}

/** All values of a call result as an array (never mutate it). */
export function multi(r: unknown): unknown[] {
  if (!Array.isArray(r)) return [r];
  if (r[0] === TAIL) return multi(resolve(r));
  return r;
}

/** Runs pending tail calls until a result is reached. */
export function resolve(r: unknown[]): unknown {
  let out: unknown = r;
  while (Array.isArray(out) && out[0] === TAIL) {
    const f = out[1];
    const args = out[2] as unknown[];
    E.at = out[3] as number;
    out = typeof f === "function" ? f(...args) : callMeta(f, E.at, "", args);
  }
  return out;
}

/** Calls a non-function value through `__call`, or raises `attempt to call`. */
export function callMeta(f: unknown, site: number, desc: string, args: unknown[]): unknown {
  const h = metaOf(f, "__call");
  if (typeof h !== "function") typeError(site, f, "call", desc);
  E.at = site;
  return h(f, ...args);
}

/**
 * Calls any callable value from native code and returns all its results. The callee sees a
 * native caller (site 0), as Lua 5.1 sees a C function; `E.at` and `E.d` are restored on
 * return (on an error, the catcher restores them).
 */
export function call(f: unknown, args: readonly unknown[]): unknown[] {
  const saved = E.at;
  if (++E.c > MAX_C_CALLS) {
    E.c -= 8;
    rtError(saved, "C stack overflow");
  }
  // The native is a stack level of its own (for `error(msg, level)`): a frame holding the
  // site that called it, below the callee, which sees a native caller (site 0).
  E.stk[++E.d] = saved;
  E.at = 0;
  const r = typeof f === "function" ? f(...args) : callMeta(f, saved, "", args as unknown[]);
  const out = multi(r);
  E.d--;
  E.c--;
  E.at = saved;
  return out;
}

/** {@link call}, returning the first result only (no array of results). */
export function callFirst(f: unknown, args: readonly unknown[]): unknown {
  const saved = E.at;
  if (++E.c > MAX_C_CALLS) {
    E.c -= 8;
    rtError(saved, "C stack overflow");
  }
  E.stk[++E.d] = saved;
  E.at = 0;
  const r = typeof f === "function" ? f(...args) : callMeta(f, saved, "", args as unknown[]);
  const out = first(r);
  E.d--;
  E.c--;
  E.at = saved;
  return out;
}

/** Calls a metamethod from a slow path at `site` and returns its first result. */
function callMM(h: unknown, site: number, a: unknown, b: unknown, c?: unknown): unknown {
  E.at = site;
  if (++E.c > MAX_C_CALLS) {
    E.c -= 8;
    rtError(site, "C stack overflow");
  }
  const r = typeof h === "function" ? h(a, b, c) : callMeta(h, site, "", [a, b, c]);
  const v = first(r);
  E.c--;
  E.at = site;
  return v;
}

// ---- errors ----------------------------------------------------------------------------

/** Raises `attempt to <op> <desc> (a <type> value)`. */
export function typeError(site: number, v: unknown, op: string, desc: string): never {
  if (desc === "") return rtError(site, `attempt to ${op} a ${type(v)} value`);
  return rtError(site, `attempt to ${op} ${desc} (a ${type(v)} value)`);
}

// ---- indexing ----------------------------------------------------------------------------

/** `o[k]` with metamethods. */
export function index(o: unknown, k: unknown, site: number, desc: string): unknown {
  for (let loop = 0; loop < 100; loop++) {
    let h: unknown;
    if (o instanceof LuaTable) {
      const v = o.get(k);
      if (v !== undefined || o.mt === undefined) return v;
      h = o.mt.getStr("__index");
      if (h === undefined) return undefined;
    } else {
      h = metaOf(o, "__index");
      if (h === undefined) typeError(site, o, "index", desc);
    }
    if (typeof h === "function") return callMM(h, site, o, k);
    o = h;
    desc = "";
  }
  return rtError(site, "loop in gettable");
}

/** `o[k] = v` with metamethods. */
export function setIndex(o: unknown, k: unknown, v: unknown, site: number, desc: string): void {
  for (let loop = 0; loop < 100; loop++) {
    let h: unknown;
    if (o instanceof LuaTable) {
      // Checked before __newindex: a read-only table's metamethods cannot catch new keys.
      if (o.readonly) rtError(site, READONLY_TABLE);
      if (o.mt === undefined || (h = o.mt.getStr("__newindex")) === undefined) {
        return rawSet(o, k, v, site);
      }
      if (o.get(k) !== undefined) return rawSet(o, k, v, site);
    } else {
      h = metaOf(o, "__newindex");
      if (h === undefined) typeError(site, o, "index", desc);
    }
    if (typeof h === "function") {
      callMM(h, site, o, k, v);
      return;
    }
    o = h;
    desc = "";
  }
  rtError(site, "loop in settable");
}

/** Raw `t[k] = v` with 5.1's key checks. */
export function rawSet(t: LuaTable, k: unknown, v: unknown, site: number): void {
  if (k === undefined) rtError(site, "table index is nil");
  if (k !== k) rtError(site, "table index is NaN");
  if (t.readonly) rtError(site, READONLY_TABLE);
  t.set(k, v);
}

// ---- arithmetic ----------------------------------------------------------------------------

const ARITH_EVENTS: Record<string, string> = {
  "+": "__add",
  "-": "__sub",
  "*": "__mul",
  "/": "__div",
  "%": "__mod",
  "^": "__pow",
};

/** C's pow, where it differs from Math.pow (1^y and (-1)^±inf are 1). */
export function pow(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return Math.pow(a, b);
}

/** Lua 5.1's `%`: a - floor(a/b)*b. */
export function mod(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}

function numArith(op: string, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "%":
      return mod(a, b);
    default:
      return pow(a, b);
  }
}

/** Binary arithmetic on non-numbers: string coercion, then `__add` and friends. */
export function arith(
  op: string,
  a: unknown,
  b: unknown,
  site: number,
  da: string,
  db: string,
): unknown {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== undefined && y !== undefined) return numArith(op, x, y);
  const event = ARITH_EVENTS[op];
  let h = metaOf(a, event);
  if (h === undefined) h = metaOf(b, event);
  if (h !== undefined) return callMM(h, site, a, b);
  if (x === undefined) typeError(site, a, "perform arithmetic on", da);
  return typeError(site, b, "perform arithmetic on", db);
}

/** Unary minus on a non-number. */
export function unm(a: unknown, site: number, da: string): unknown {
  const x = toNumber(a);
  if (x !== undefined) return -x;
  const h = metaOf(a, "__unm");
  if (h !== undefined) return callMM(h, site, a, a);
  return typeError(site, a, "perform arithmetic on", da);
}

/** `#v`. */
export function len(v: unknown, site: number, desc: string): unknown {
  if (typeof v === "string") return v.length;
  if (v instanceof LuaTable) return v.length;
  const h = metaOf(v, "__len");
  if (h !== undefined) return callMM(h, site, v, undefined);
  return typeError(site, v, "get length of", desc);
}

/** `a .. b` for anything but two strings. */
export function concat(a: unknown, b: unknown, site: number, da: string, db: string): unknown {
  const x = toStr(a);
  const y = toStr(b);
  if (x !== undefined && y !== undefined) return checkSize(x + y, site);
  let h = metaOf(a, "__concat");
  if (h === undefined) h = metaOf(b, "__concat");
  if (h !== undefined) return callMM(h, site, a, b);
  if (x === undefined) typeError(site, a, "concatenate", da);
  return typeError(site, b, "concatenate", db);
}

/** Raises `not enough memory` (no position, as 5.1's memory errors) past the state's bound. */
export function checkSize(s: string, _site: number): string {
  if (s.length > E.state.maxStringSize) throw new LuaError("not enough memory", 0);
  return s;
}

// ---- comparison ----------------------------------------------------------------------------

function orderError(site: number, a: unknown, b: unknown): never {
  const ta = type(a);
  const tb = type(b);
  if (ta === tb) rtError(site, `attempt to compare two ${ta} values`);
  return rtError(site, `attempt to compare ${ta} with ${tb}`);
}

function orderMeta(a: unknown, b: unknown, event: string): unknown {
  const h = metaOf(a, event);
  if (h === undefined || h !== metaOf(b, event)) return undefined;
  return h;
}

/** `a < b` for anything but two numbers. */
export function lt(a: unknown, b: unknown, site: number): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb) {
    if (ta === "number" || ta === "string") return (a as number) < (b as number);
    if (type(a) === type(b)) {
      const h = orderMeta(a, b, "__lt");
      if (h !== undefined) return truthy(callMM(h, site, a, b));
    }
  }
  return orderError(site, a, b);
}

/** `a <= b` for anything but two numbers. */
export function le(a: unknown, b: unknown, site: number): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb) {
    if (ta === "number" || ta === "string") return (a as number) <= (b as number);
    if (type(a) === type(b)) {
      let h = orderMeta(a, b, "__le");
      if (h !== undefined) return truthy(callMM(h, site, a, b));
      h = orderMeta(b, a, "__lt");
      if (h !== undefined) return !truthy(callMM(h, site, b, a));
    }
  }
  return orderError(site, a, b);
}

/** `a == b` when `a !== b`: only tables or userdata with a shared `__eq` can be equal. */
export function eq(a: unknown, b: unknown, site: number): boolean {
  if (a instanceof LuaTable) {
    if (!(b instanceof LuaTable)) return false;
  } else if (a instanceof LuaUserdata) {
    if (!(b instanceof LuaUserdata)) return false;
  } else return false;
  const ma = a.mt;
  const mb = b.mt;
  if (ma === undefined || mb === undefined) return false;
  const h = ma.getStr("__eq");
  if (h === undefined) return false;
  if (ma !== mb && h !== mb.getStr("__eq")) return false;
  return truthy(callMM(h, site, a, b));
}
