/**
 * The `string` library of Lua 5.1 (lstrlib.c) over byte strings. Pattern matching and
 * `format` live in string_pattern.ts and string_format.ts.
 *
 * @module
 */

import { LuaError } from "../error.ts";
import { call, E, EMPTY, type LuaFunction, toNumber, toString, type } from "../runtime.ts";
import { LuaTable } from "../table.ts";
import {
  argError,
  checkInt,
  checkInteger,
  checkStr,
  library,
  optInteger,
  typeArgError,
} from "./args.ts";
import { numberToString, stringFormat } from "./string_format.ts";
import {
  type Capture,
  patternFind,
  patternGmatch,
  patternGsub,
  patternMatch,
} from "./string_pattern.ts";

/** A byte outside ASCII (string.upper and string.lower leave those as they are). */
const NON_ASCII = /[\u0080-\uffff]/;

/** 5.1's posrelat: a negative position counts from the end. */
function posrelat(pos: number, len: number): number {
  if (pos < 0) pos += len + 1;
  return pos >= 0 ? pos : 0;
}

/** Raises `not enough memory` when a result would pass the state's string bound. */
export function checkLength(n: number): void {
  if (n > E.state.maxStringSize || n >= 0x1fffffe8) throw new LuaError("not enough memory", 0);
}

const FORMAT_HOST = { tostring: toString, tonumber: toNumber, typeName: type };

function captures(r: Capture[] | null): unknown {
  return r === null ? undefined : r;
}

/** Builds the `string` table. */
export function stringLib(): LuaTable {
  return library({
    len: (...a: unknown[]) => checkStr(a, 1, "len").length,
    sub: (...a: unknown[]) => {
      const s = checkStr(a, 1, "sub");
      const l = s.length;
      let i = posrelat(checkInteger(a, 2, "sub"), l);
      let j = posrelat(optInteger(a, 3, "sub", -1), l);
      if (i < 1) i = 1;
      if (j > l) j = l;
      return i <= j ? s.slice(i - 1, j) : "";
    },
    upper: (...a: unknown[]) => {
      const s = checkStr(a, 1, "upper");
      // In ASCII, JavaScript's case mapping is C's; other bytes keep their case in C's locale.
      return NON_ASCII.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s.toUpperCase();
    },
    lower: (...a: unknown[]) => {
      const s = checkStr(a, 1, "lower");
      return NON_ASCII.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase();
    },
    rep: (...a: unknown[]) => {
      const s = checkStr(a, 1, "rep");
      const n = checkInteger(a, 2, "rep");
      if (n <= 0 || s.length === 0) return "";
      checkLength(s.length * n);
      return s.repeat(n);
    },
    reverse: (...a: unknown[]) => {
      const s = checkStr(a, 1, "reverse");
      let out = "";
      for (let i = s.length - 1; i >= 0; i--) out += s[i];
      return out;
    },
    byte: (...a: unknown[]) => {
      const s = checkStr(a, 1, "byte");
      const l = s.length;
      const i = posrelat(optInteger(a, 2, "byte", 1), l);
      const j = posrelat(optInteger(a, 3, "byte", i), l);
      const start = i <= 0 ? 1 : i;
      const end = j > l ? l : j;
      if (start > end) return EMPTY;
      if (start === end) return s.charCodeAt(start - 1);
      const out = [];
      for (let k = start; k <= end; k++) out.push(s.charCodeAt(k - 1));
      return out;
    },
    char: (...a: unknown[]) => {
      let out = "";
      for (let i = 1; i <= a.length; i++) {
        const c = checkInt(a, i, "char");
        if (c < 0 || c > 255) argError(i, "char", "invalid value");
        out += String.fromCharCode(c);
      }
      return out;
    },
    format: (...a: unknown[]) => {
      const fmt = checkStr(a, 1, "format");
      const s = stringFormat(fmt, a.slice(1), FORMAT_HOST);
      checkLength(s.length);
      return s;
    },
    dump: (...a: unknown[]) => {
      if (typeof a[0] !== "function") typeArgError(a, 1, "dump", "function");
      throw new LuaError("unable to dump given function");
    },
    find: (...a: unknown[]) => {
      const s = checkStr(a, 1, "find");
      const p = checkStr(a, 2, "find");
      const init = a[2] === undefined ? undefined : checkInteger(a, 3, "find");
      const plain = a[3] !== undefined && a[3] !== false;
      return captures(patternFind(s, p, init, plain));
    },
    match: (...a: unknown[]) => {
      const s = checkStr(a, 1, "match");
      const p = checkStr(a, 2, "match");
      const init = a[2] === undefined ? undefined : checkInteger(a, 3, "match");
      return captures(patternMatch(s, p, init));
    },
    gmatch: (...a: unknown[]) => {
      const next = patternGmatch(checkStr(a, 1, "gmatch"), checkStr(a, 2, "gmatch"));
      return () => captures(next());
    },
    gsub: (...a: unknown[]) => {
      const s = checkStr(a, 1, "gsub");
      const p = checkStr(a, 2, "gsub");
      const r = a[2];
      const max = a[3] === undefined ? undefined : checkInt(a, 4, "gsub");
      let repl: string | ((c: Capture[]) => string | undefined);
      if (typeof r === "string" || typeof r === "number") repl = checkStr(a, 3, "gsub");
      else if (r instanceof LuaTable) repl = (c) => replacement(r.get(c[0]) ?? tableGet(r, c[0]));
      else if (typeof r === "function") repl = (c) => replacement(call(r, c)[0]);
      else return argError(3, "gsub", "string/function/table expected");
      const [out, n] = patternGsub(s, p, repl, max);
      checkLength(out.length);
      return [out, n];
    },
  });
}

/** `t[k]` with `__index` (gsub with a table reads through metamethods, as lua_gettable). */
function tableGet(t: LuaTable, k: unknown): unknown {
  if (t.mt === undefined) return undefined;
  const h = t.mt.getStr("__index");
  if (h === undefined) return undefined;
  if (h instanceof LuaTable) return h.get(k) ?? tableGet(h, k);
  return call(h, [t, k])[0];
}

function replacement(v: unknown): string | undefined {
  if (v === undefined || v === false) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  throw new LuaError(`invalid replacement value (a ${type(v)})`);
}

/** Adds `gfind` (5.1's compatibility alias of gmatch). */
export function addGfind(lib: LuaTable): void {
  lib.set("gfind", lib.get("gmatch") as LuaFunction);
}
