/**
 * The base library of Lua 5.1 (lbaselib.c): print, type, tostring, tonumber, pairs, ipairs,
 * next, select, unpack, raw access, metatables, error, assert, pcall, xpcall, load,
 * loadstring, getfenv/setfenv, collectgarbage, newproxy.
 *
 * @module
 */

import { LuaError } from "../error.ts";
import { str2number } from "../lexer.ts";
import {
  call,
  E,
  EMPTY,
  getMetatable,
  type LuaFunction,
  multi,
  settle,
  toString,
  truthy,
  type,
} from "../runtime.ts";
import { checkWritable, LuaTable, LuaUserdata } from "../table.ts";
import {
  argError,
  checkAny,
  checkFunction,
  checkInt,
  checkStr,
  checkTable,
  optInt,
  optStr,
} from "./args.ts";
import { numberToString } from "./string_format.ts";

/** What the base library needs from its state. */
export interface BaseHost {
  globals: LuaTable;
  /** Compiles a chunk (a byte string); throws LuaError with the syntax message. */
  compile(source: string, chunkName: string): LuaFunction;
  /** Writes a byte string to the output of `print`. */
  write(bytes: string): void;
}

/** Marks a native as an iterator the generic `for` can run without calls. */
function iterator(f: LuaFunction, kind: string): LuaFunction {
  (f as LuaFunction & { $iter: string }).$iter = kind;
  return f;
}

/** A protected call from native code: `[true, ...results]` or `[false, error value]`. */
export function protectedCall(f: unknown, args: unknown[], handler?: unknown): unknown[] {
  const d = E.d;
  const c = E.c;
  const at = E.at;
  try {
    const r = call(f, args);
    return r.length === 0 ? [true] : [true, ...r];
  } catch (e) {
    const err = settle(e);
    E.d = d;
    E.c = c;
    E.at = at;
    if (!(err instanceof LuaError)) throw err;
    if (handler !== undefined) return [false, call(handler, [err.value])[0]];
    return [false, err.value];
  }
}

/** Generator version of protectedCall for code running inside a coroutine (may yield). */
function* protectedCallGen(
  f: unknown,
  args: unknown[],
  handler?: unknown,
): Generator<unknown[], unknown[], unknown[]> {
  const depth = E.d - E.cobase; // relative: the coroutine may be resumed at another depth
  const c = E.c;
  const at = E.at;
  const g = typeof f === "function" ? (f as { $g?: LuaFunction }).$g : undefined;
  try {
    let r: unknown;
    if (g !== undefined) {
      E.at = 0;
      r = yield* (g(...args) as Generator<unknown[], unknown, unknown[]>);
      E.at = at;
      r = multi(r);
    } else r = call(f, args);
    const out = r as unknown[];
    return out.length === 0 ? [true] : [true, ...out];
  } catch (e) {
    const err = settle(e);
    E.d = E.cobase + depth;
    E.c = c;
    E.at = at;
    if (!(err instanceof LuaError)) throw err;
    if (handler !== undefined) return [false, call(handler, [err.value])[0]];
    return [false, err.value];
  }
}

/** A chunk's environment: read with undefined, replaced with a table. */
type EnvAccess = (t: LuaTable | undefined) => LuaTable;

const GC_OPTIONS = ["stop", "restart", "collect", "count", "step", "setpause", "setstepmul"];

/** Installs the base library into `host.globals`. */
export function openBase(host: BaseHost): void {
  const G = host.globals;
  const set = (name: string, v: unknown) => G.set(name, v);

  const next = iterator(function next(...a: unknown[]) {
    const t = checkTable(a, 1, "next");
    const r = t.next(a[1]);
    return r === undefined ? undefined : r;
  }, "next");
  const ipairsAux = iterator(function (t: LuaTable, i: number) {
    const v = t.get(i + 1);
    return v === undefined ? undefined : [i + 1, v];
  }, "ipairs");

  set("_G", G);
  set("_VERSION", "Lua 5.1");
  set("next", next);
  set("pairs", (...a: unknown[]) => [next, checkTable(a, 1, "pairs"), undefined]);
  set("ipairs", (...a: unknown[]) => [ipairsAux, checkTable(a, 1, "ipairs"), 0]);
  set("print", (...a: unknown[]) => {
    const ts = G.get("tostring");
    let line = "";
    for (let i = 0; i < a.length; i++) {
      const s = call(ts, [a[i]])[0];
      if (typeof s !== "string") {
        if (typeof s !== "number") throw new LuaError("'tostring' must return a string to 'print'");
      }
      const text = typeof s === "number" ? numberToString(s) : s;
      // 5.1 writes each piece with fputs: a piece ends at its first zero byte.
      const zero = text.indexOf("\0");
      line += (i > 0 ? "\t" : "") + (zero < 0 ? text : text.slice(0, zero));
    }
    host.write(line + "\n");
    return EMPTY;
  });
  set("type", (...a: unknown[]) => type(checkAny(a, 1, "type")));
  set("tostring", (...a: unknown[]) => toString(checkAny(a, 1, "tostring")));
  set("tonumber", (...a: unknown[]) => {
    const base = optInt(a, 2, "tonumber", 10);
    if (base === 10) {
      const v = checkAny(a, 1, "tonumber");
      if (typeof v === "number") return v;
      return typeof v === "string" ? str2number(v) : undefined;
    }
    const s = checkStr(a, 1, "tonumber");
    if (base < 2 || base > 36) argError(2, "tonumber", "base out of range");
    return strtoul(s, base);
  });
  set("rawget", (...a: unknown[]) => {
    const t = checkTable(a, 1, "rawget");
    checkAny(a, 2, "rawget");
    return t.get(a[1]);
  });
  set("rawset", (...a: unknown[]) => {
    const t = checkTable(a, 1, "rawset");
    checkAny(a, 2, "rawset");
    checkAny(a, 3, "rawset");
    if (a[1] === undefined) throw new LuaError("table index is nil", 0);
    if (a[1] !== a[1]) throw new LuaError("table index is NaN", 0);
    checkWritable(t);
    t.set(a[1], a[2]);
    return t;
  });
  set("rawequal", (...a: unknown[]) => {
    checkAny(a, 1, "rawequal");
    checkAny(a, 2, "rawequal");
    return a[0] === a[1];
  });
  set("setmetatable", (...a: unknown[]) => {
    const t = checkTable(a, 1, "setmetatable");
    const mt = a[1];
    if (a.length < 2 || (mt !== undefined && !(mt instanceof LuaTable))) {
      argError(2, "setmetatable", "nil or table expected");
    }
    if (t.mt !== undefined && t.mt.getStr("__metatable") !== undefined) {
      throw new LuaError("cannot change a protected metatable");
    }
    checkWritable(t);
    t.mt = mt;
    return t;
  });
  set("getmetatable", (...a: unknown[]) => {
    const mt = getMetatable(checkAny(a, 1, "getmetatable"));
    if (mt === undefined) return undefined;
    const protectedMt = mt.getStr("__metatable");
    return protectedMt !== undefined ? protectedMt : mt;
  });
  set("assert", (...a: unknown[]) => {
    checkAny(a, 1, "assert");
    if (!truthy(a[0])) throw new LuaError(optStr(a, 2, "assert", "assertion failed!"));
    return a;
  });
  set("error", (...a: unknown[]) => {
    let v = a[0];
    const level = optInt(a, 2, "error", 1);
    if (typeof v === "number") v = numberToString(v);
    throw new LuaError(v, typeof v === "string" ? Math.max(level, 0) : 0);
  });
  const pcall = (...a: unknown[]) => {
    checkAny(a, 1, "pcall");
    return protectedCall(a[0], a.slice(1));
  };
  (pcall as unknown as { $g: unknown }).$g = function* (...a: unknown[]) {
    checkAny(a, 1, "pcall");
    return yield* protectedCallGen(a[0], a.slice(1));
  };
  set("pcall", pcall);
  const xpcall = (...a: unknown[]) => {
    checkAny(a, 2, "xpcall");
    return protectedCall(a[0], [], a[1]);
  };
  (xpcall as unknown as { $g: unknown }).$g = function* (...a: unknown[]) {
    checkAny(a, 2, "xpcall");
    return yield* protectedCallGen(a[0], [], a[1]);
  };
  set("xpcall", xpcall);
  set("select", (...a: unknown[]) => {
    const n = a.length;
    if (typeof a[0] === "string" && a[0].charCodeAt(0) === 35) return n - 1;
    let i = checkInt(a, 1, "select");
    if (i < 0) i = n + i;
    else if (i > n) i = n;
    if (i < 1) argError(1, "select", "index out of range");
    return a.slice(i);
  });
  set("unpack", (...a: unknown[]) => {
    const t = checkTable(a, 1, "unpack");
    const i = optInt(a, 2, "unpack", 1);
    const e = a[2] === undefined ? t.length : checkInt(a, 3, "unpack");
    if (i > e) return EMPTY;
    const n = e - i + 1;
    if (n <= 0 || n >= 8000000) throw new LuaError("too many results to unpack");
    const out = new Array(n);
    for (let k = 0; k < n; k++) out[k] = t.get(i + k);
    return out;
  });
  set("loadstring", (...a: unknown[]) => {
    const s = checkStr(a, 1, "loadstring");
    const name = optStr(a, 2, "loadstring", s);
    return loadChunk(host, s, name);
  });
  set("load", (...a: unknown[]) => {
    const reader = checkFunction(a, 1, "load");
    const name = optStr(a, 2, "load", "=(load)");
    let src = "";
    for (;;) {
      const piece = call(reader, [])[0];
      if (piece === undefined || piece === "") break;
      if (typeof piece !== "string") return [undefined, "reader function must return a string"];
      src += piece;
    }
    return loadChunk(host, src, name);
  });
  set("getfenv", (...a: unknown[]) => {
    const f = a[0];
    const env = typeof f === "function" ? (f as { $env?: EnvAccess }).$env : undefined;
    if (env !== undefined) return env(undefined);
    if (typeof f === "number" && f < 0) argError(1, "getfenv", "level must be non-negative");
    return G;
  });
  set("setfenv", (...a: unknown[]) => {
    const f = a[0];
    const t = checkTable(a, 2, "setfenv");
    const env = typeof f === "function" ? (f as { $env?: EnvAccess }).$env : undefined;
    if (env !== undefined) {
      env(t);
      return f;
    }
    if (f === 0) return undefined;
    throw new LuaError("'setfenv' cannot change environment of given object");
  });
  set("collectgarbage", (...a: unknown[]) => {
    const opt = optStr(a, 1, "collectgarbage", "collect");
    if (!GC_OPTIONS.includes(opt)) argError(1, "collectgarbage", `invalid option '${opt}'`);
    if (opt === "count") return 0;
    if (opt === "step") return false;
    return 0;
  });
  set("gcinfo", () => 0);
  set("newproxy", (...a: unknown[]) => {
    const u = new LuaUserdata();
    const arg = a[0];
    if (arg === true) u.mt = new LuaTable();
    else if (arg instanceof LuaUserdata) u.mt = arg.mt;
    else if (arg !== undefined && arg !== false) {
      argError(1, "newproxy", "boolean or proxy expected");
    }
    return u;
  });
}

function loadChunk(host: BaseHost, src: string, name: string): unknown {
  try {
    return host.compile(src, name);
  } catch (e) {
    if (e instanceof LuaError) return [undefined, e.value];
    throw e;
  }
}

/** C's strtoul as tonumber uses it: the number, or undefined when `s` is not all digits. */
function strtoul(s: string, base: number): number | undefined {
  const m = /^[\t\n\v\f\r ]*([-+]?)(.*?)[\t\n\v\f\r ]*$/s.exec(s)!;
  let digits = m[2];
  if (base === 16 && /^0[xX]./.test(digits)) digits = digits.slice(2);
  if (digits === "") return undefined;
  let n = 0n;
  const b = BigInt(base);
  const max = (1n << 64n) - 1n;
  for (const ch of digits.toLowerCase()) {
    const d = parseInt(ch, 36);
    if (!(d < base)) return undefined;
    n = n * b + BigInt(d);
    if (n > max) n = max;
  }
  if (m[1] === "-" && n !== 0n) n = (1n << 64n) - n;
  return Number(n);
}
