/**
 * Argument checks of library functions with lauxlib's messages
 * (`bad argument #1 to 'insert' (table expected, got nil)`).
 *
 * @module
 */

import { LuaError } from "../error.ts";
import { str2number } from "../lexer.ts";
import { E, isMethodSite, type LuaFunction, type } from "../runtime.ts";
import { LuaTable } from "../table.ts";
import { numberToString } from "./string_format.ts";

/**
 * Raises `bad argument #n to 'fname' (msg)` as luaL_argerror words it: a function called by
 * native code is `'?'`, and a method call (`s:rep({})`) does not count `self`.
 */
export function argError(n: number, fname: string, msg: string): never {
  if (E.at === 0) fname = "?";
  else if (isMethodSite(E.at)) {
    n--;
    if (n === 0) throw new LuaError(`calling '${fname}' on bad self (${msg})`);
  }
  throw new LuaError(`bad argument #${n} to '${fname}' (${msg})`);
}

/** The type name lauxlib shows: `no value` for a missing argument. */
function got(args: readonly unknown[], n: number): string {
  return n > args.length ? "no value" : type(args[n - 1]);
}

/** Raises `bad argument #n to 'fname' (<expected> expected, got <type>)`. */
export function typeArgError(
  args: readonly unknown[],
  n: number,
  fname: string,
  expected: string,
): never {
  return argError(n, fname, `${expected} expected, got ${got(args, n)}`);
}

/** luaL_checkany. */
export function checkAny(args: readonly unknown[], n: number, fname: string): unknown {
  if (n > args.length) argError(n, fname, "value expected");
  return args[n - 1];
}

/** luaL_checktype(LUA_TTABLE). */
export function checkTable(args: readonly unknown[], n: number, fname: string): LuaTable {
  const v = args[n - 1];
  if (v instanceof LuaTable) return v;
  return typeArgError(args, n, fname, "table");
}

/** luaL_checktype(LUA_TFUNCTION). */
export function checkFunction(args: readonly unknown[], n: number, fname: string): LuaFunction {
  const v = args[n - 1];
  if (typeof v === "function") return v as LuaFunction;
  return typeArgError(args, n, fname, "function");
}

/** luaL_checklstring: strings, and numbers converted with `%.14g`. */
export function checkStr(args: readonly unknown[], n: number, fname: string): string {
  const v = args[n - 1];
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  return typeArgError(args, n, fname, "string");
}

/** luaL_optlstring. */
export function optStr(args: readonly unknown[], n: number, fname: string, def: string): string {
  return args[n - 1] === undefined ? def : checkStr(args, n, fname);
}

/** luaL_checknumber: numbers, and strings that read as numbers. */
export function checkNum(args: readonly unknown[], n: number, fname: string): number {
  const v = args[n - 1];
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const x = str2number(v);
    if (x !== undefined) return x;
  }
  return typeArgError(args, n, fname, "number");
}

/** luaL_optnumber. */
export function optNum(args: readonly unknown[], n: number, fname: string, def: number): number {
  return args[n - 1] === undefined ? def : checkNum(args, n, fname);
}

/** C's `(int)` conversion on x86-64: truncation, INT_MIN when out of range. */
export function toInt(x: number): number {
  if (x !== x || x >= 2147483648 || x <= -2147483649) return -2147483648;
  return Math.trunc(x);
}

/** luaL_checkint. */
export function checkInt(args: readonly unknown[], n: number, fname: string): number {
  return toInt(checkNum(args, n, fname));
}

/** luaL_optint. */
export function optInt(args: readonly unknown[], n: number, fname: string, def: number): number {
  return args[n - 1] === undefined ? def : checkInt(args, n, fname);
}

/** luaL_checkinteger (ptrdiff_t): truncation, -2^63 when out of range. */
export function checkInteger(args: readonly unknown[], n: number, fname: string): number {
  const x = checkNum(args, n, fname);
  if (x !== x || x >= 9223372036854775808 || x < -9223372036854775808) {
    return -9223372036854775808;
  }
  return Math.trunc(x);
}

/** luaL_optinteger. */
export function optInteger(
  args: readonly unknown[],
  n: number,
  fname: string,
  def: number,
): number {
  return args[n - 1] === undefined ? def : checkInteger(args, n, fname);
}

/** Builds a library table from named native functions. */
export function library(fns: Record<string, LuaFunction>): LuaTable {
  return LuaTable.from([], fns);
}
