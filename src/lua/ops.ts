/**
 * Small helpers compiled code calls on hot paths (JavaScript engines inline them), and the
 * helper table handed to generated code.
 *
 * @module
 */

import type { Helpers } from "./compile.ts";
import {
  arith,
  callMeta,
  concat,
  E,
  EMPTY,
  enterSlow,
  eq,
  first,
  index,
  le,
  len,
  lt,
  type LuaFunction,
  mod,
  multi,
  pow,
  rawSet,
  resolve,
  rtError,
  setIndex,
  SUSPEND,
  TAIL,
  tick,
  toNumber,
  unm,
} from "./runtime.ts";
import { LuaTable } from "./table.ts";

/** A global read: `env[name]`, through `__index` when `env` has a metatable. */
export function gget(env: LuaTable, name: string, site: number): unknown {
  const v = env.getStr(name);
  if (v !== undefined || env.mt === undefined) return v;
  return index(env, name, site, "");
}

/** `o[k]`. */
export function idx(o: unknown, k: unknown, site: number, desc: string): unknown {
  if (o instanceof LuaTable) {
    const v = o.get(k);
    if (v !== undefined || o.mt === undefined) return v;
  }
  return index(o, k, site, desc);
}

/** `o.k` for a constant string key. */
export function idxs(o: unknown, k: string, site: number, desc: string): unknown {
  if (o instanceof LuaTable) {
    const v = o.getStr(k);
    if (v !== undefined || o.mt === undefined) return v;
  }
  return index(o, k, site, desc);
}

/** `o[k] = v`. */
export function setIdx(o: unknown, k: unknown, v: unknown, site: number, desc: string): void {
  if (o instanceof LuaTable && o.mt === undefined) rawSet(o, k, v, site);
  else setIndex(o, k, v, site, desc);
}

/** `o.k = v` for a constant string key. */
export function setIdxs(o: unknown, k: string, v: unknown, site: number, desc: string): void {
  if (o instanceof LuaTable && o.mt === undefined && !o.readonly) o.set(k, v);
  else setIndex(o, k, v, site, desc);
}

/** Runs a discarded call result's pending tail call, if any. */
export function drop(r: unknown): void {
  if (Array.isArray(r) && r[0] === TAIL) resolve(r);
}

/**
 * A table constructor: key/value pairs, then the positional values, which become the array
 * part (trailing nils included, as 5.1 sizes it) and win over pairs with the same keys.
 */
export function tableNew(list: unknown[], pairs?: unknown[], site = 0): LuaTable {
  const t = new LuaTable();
  if (pairs === undefined) {
    t.arr = list;
    return t;
  }
  for (let i = 0; i < pairs.length; i += 2) {
    const v = pairs[i + 1];
    if (v !== undefined || pairs[i] === undefined) rawSet(t, pairs[i], v, site);
  }
  if (list.length === 0) return t;
  const keyed = t.arr;
  t.arr = list;
  const n = list.length;
  if (t.hash !== undefined) {
    for (let k = 1; k <= n; k++) t.hash.delete(k);
  }
  for (let k = n + 1; k <= keyed.length; k++) t.set(k, keyed[k - 1]);
  const hash = t.hash;
  if (hash !== undefined) {
    for (let v = hash.get(t.arr.length + 1); v !== undefined; v = hash.get(t.arr.length + 1)) {
      hash.delete(t.arr.length + 1);
      t.arr.push(v);
    }
  }
  return t;
}

/** The `arg` table of a vararg function (5.1's compatibility): the extra arguments and `n`. */
export function varargTable(va: unknown[]): LuaTable {
  const t = tableNew(va.slice());
  t.set("n", va.length);
  return t;
}

/** A numeric `for` parameter that is not a number: a numeric string, or an error. */
export function forNum(v: unknown, site: number, msg: string): number {
  const n = typeof v === "string" ? toNumber(v) : undefined;
  if (n === undefined) rtError(site, msg);
  return n;
}

/** The state of a generic `for`: `step()` moves on, `a` and `b` are the first two values. */
interface ForState {
  a: unknown;
  b: unknown;
  r: unknown[];
  step(): boolean;
}

/** Iterates a table like `next` does, without a call per step. */
class TableIter implements ForState {
  a: unknown = undefined;
  b: unknown = undefined;
  r: unknown[] = EMPTY;
  private i = 0;
  private it: Iterator<[unknown, unknown]> | undefined = undefined;
  constructor(private readonly t: LuaTable) {}

  step(): boolean {
    const arr = this.t.arr;
    while (this.i < arr.length) {
      const v = arr[this.i++];
      if (v !== undefined) {
        this.a = this.i;
        this.b = v;
        return true;
      }
    }
    if (this.it === undefined) {
      if (this.t.hash === undefined) return false;
      this.it = this.t.hash.entries();
    }
    for (;;) {
      const r = this.it.next();
      if (r.done) return false;
      // A key moved to the array part by an insertion is skipped (already visited or not).
      if (r.value[1] === undefined) continue;
      this.a = r.value[0];
      this.b = r.value[1];
      this.r = r.value;
      return true;
    }
  }
}

/** `ipairs` without a call per step (raw reads, stops at the first nil). */
class ArrayIter implements ForState {
  a: unknown = 0;
  b: unknown = undefined;
  r: unknown[] = EMPTY;
  constructor(private readonly t: LuaTable) {}

  step(): boolean {
    const i = (this.a as number) + 1;
    const v = this.t.get(i);
    if (v === undefined) return false;
    this.a = i;
    this.b = v;
    return true;
  }
}

/** Any iterator function: called once per step. */
class CallIter implements ForState {
  a: unknown = undefined;
  b: unknown = undefined;
  r: unknown[] = EMPTY;
  constructor(
    private readonly f: unknown,
    private readonly s: unknown,
    private readonly site: number,
  ) {}

  step(): boolean {
    E.at = this.site;
    const f = this.f;
    const raw = typeof f === "function"
      ? f(this.s, this.a)
      : callMeta(f, this.site, "", [this.s, this.a]);
    if (!Array.isArray(raw)) {
      this.a = raw;
      this.b = undefined;
      this.r = EMPTY;
      return raw !== undefined;
    }
    const r = multi(raw);
    this.r = r;
    this.a = r[0];
    this.b = r[1];
    return this.a !== undefined;
  }
}

/** The state of `for ... in explist`: fast paths for `pairs` and `ipairs` of tables. */
export function forIter(list: unknown[], site: number): ForState {
  const f = list[0] as LuaFunction & { $iter?: string };
  const s = list[1];
  if (typeof f === "function" && s instanceof LuaTable) {
    if (f.$iter === "next" && list[2] === undefined) return new TableIter(s);
    if (f.$iter === "ipairs" && list[2] === 0) return new ArrayIter(s);
  }
  const it = new CallIter(f, s, site);
  it.a = list[2];
  return it;
}

/** Attaches the generator (coroutine) twin to a compiled function. */
export function mkfn(f: LuaFunction & { $g?: unknown }, g: unknown): LuaFunction {
  f.$g = g;
  return f;
}

/** The helper table of compiled code. */
export const helpers: Helpers = {
  first,
  multi,
  drop,
  callMeta,
  index,
  gget,
  idx,
  idxs,
  setIdx,
  setIdxs,
  arith,
  mod,
  pow,
  unm,
  len,
  concat,
  lt,
  le,
  eq,
  tableNew,
  varargTable,
  forNum,
  forIter,
  mkfn,
  enterSlow,
  tick,
  SUSPEND,
  TAIL,
  EMPTY,
  LuaTable,
  E,
};
