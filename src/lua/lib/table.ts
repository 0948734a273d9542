/**
 * The `table` library of Lua 5.1 (ltablib.c), with 5.1's quicksort so that comparators that
 * are inconsistent or raise errors behave as in C Lua.
 *
 * @module
 */

import { LuaError } from "../error.ts";
import { call, E, EMPTY, lt, toStr, truthy, type } from "../runtime.ts";
import { checkWritable, type LuaTable } from "../table.ts";
import { checkFunction, checkInt, checkTable, library, optInt, optStr } from "./args.ts";
import { checkLength } from "./string.ts";

type Less = (a: unknown, b: unknown) => boolean;

function defaultLess(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a < b;
  if (typeof a === "string" && typeof b === "string") return a < b;
  return lt(a, b, E.at);
}

/** lua_rawgeti / lua_rawseti over the array of `t`. */
function sort(t: LuaTable, n: number, less: Less): void {
  const get = (i: number) => t.get(i);
  const set = (i: number, v: unknown) => {
    checkWritable(t);
    t.set(i, v);
  };
  const swap = (i: number, j: number) => {
    const a = get(i);
    const b = get(j);
    set(i, b);
    set(j, a);
  };
  const aux = (l: number, u: number): void => {
    while (l < u) {
      if (less(get(u), get(l))) swap(l, u);
      if (u - l === 1) break;
      let i = Math.floor((l + u) / 2);
      if (less(get(i), get(l))) swap(i, l);
      else if (less(get(u), get(i))) swap(i, u);
      if (u - l === 2) break;
      const p = get(i);
      swap(i, u - 1);
      i = l;
      let j = u - 1;
      for (;;) {
        while (less(get(++i), p)) {
          if (i > u) throw new LuaError("invalid order function for sorting");
        }
        while (less(p, get(--j))) {
          if (j < l) throw new LuaError("invalid order function for sorting");
        }
        if (j < i) break;
        swap(i, j);
      }
      swap(u - 1, i);
      if (i - l < u - i) {
        j = l;
        i = i - 1;
        l = i + 2;
      } else {
        j = i + 1;
        i = u;
        u = j - 2;
      }
      aux(j, i);
    }
  };
  aux(1, n);
}

/** Builds the `table` table. */
export function tableLib(): LuaTable {
  return library({
    insert: (...a: unknown[]) => {
      const t = checkTable(a, 1, "insert");
      let e = t.length + 1;
      if (a.length === 2) {
        checkWritable(t);
        t.set(e, a[1]);
        return EMPTY;
      }
      if (a.length !== 3) throw new LuaError("wrong number of arguments to 'insert'");
      const pos = checkInt(a, 2, "insert");
      checkWritable(t);
      if (pos > e) e = pos;
      for (let i = e; i > pos; i--) t.set(i, t.get(i - 1));
      t.set(pos, a[2]);
      return EMPTY;
    },
    remove: (...a: unknown[]) => {
      const t = checkTable(a, 1, "remove");
      const e = t.length;
      let pos = optInt(a, 2, "remove", e);
      if (!(1 <= pos && pos <= e)) return EMPTY;
      const v = t.get(pos);
      checkWritable(t);
      for (; pos < e; pos++) t.set(pos, t.get(pos + 1));
      t.set(e, undefined);
      return v;
    },
    concat: (...a: unknown[]) => {
      const sep = optStr(a, 2, "concat", "");
      const t = checkTable(a, 1, "concat");
      const i = optInt(a, 3, "concat", 1);
      const last = a[3] === undefined ? t.length : checkInt(a, 4, "concat");
      const parts: string[] = [];
      let size = 0;
      for (let k = i; k <= last; k++) {
        const v = t.get(k);
        const s = toStr(v);
        if (s === undefined) {
          throw new LuaError(`invalid value (${type(v)}) at index ${k} in table for 'concat'`);
        }
        parts.push(s);
        size += s.length + sep.length;
        if (size > 0x10000) checkLength(size);
      }
      return parts.join(sep);
    },
    sort: (...a: unknown[]) => {
      const t = checkTable(a, 1, "sort");
      const n = t.length;
      let less = defaultLess;
      if (a[1] !== undefined) {
        const f = checkFunction(a, 2, "sort");
        less = (x, y) => truthy(call(f, [x, y])[0]);
      }
      sort(t, n, less);
      return EMPTY;
    },
    getn: (...a: unknown[]) => checkTable(a, 1, "getn").length,
    setn: () => {
      throw new LuaError("'setn' is obsolete");
    },
    maxn: (...a: unknown[]) => {
      const t = checkTable(a, 1, "maxn");
      let max = 0;
      for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
        if (typeof e[0] === "number" && e[0] > max) max = e[0];
      }
      return max;
    },
    foreach: (...a: unknown[]) => {
      const t = checkTable(a, 1, "foreach");
      const f = checkFunction(a, 2, "foreach");
      for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
        const r = call(f, [e[0], e[1]])[0];
        if (r !== undefined) return r;
      }
      return EMPTY;
    },
    foreachi: (...a: unknown[]) => {
      const t = checkTable(a, 1, "foreachi");
      const f = checkFunction(a, 2, "foreachi");
      const n = t.length;
      for (let i = 1; i <= n; i++) {
        const r = call(f, [i, t.get(i)])[0];
        if (r !== undefined) return r;
      }
      return EMPTY;
    },
  });
}
