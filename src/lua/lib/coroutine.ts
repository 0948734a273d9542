/**
 * The `coroutine` library of Lua 5.1. A coroutine runs the generator twin (`f.$g`) of its
 * function; calls inside it go through generator twins too, so `coroutine.yield` can
 * suspend the whole chain. Code without a twin (metamethods, natives that call back) runs
 * normally and cannot yield across it, as in C Lua.
 *
 * @module
 */

import { LuaError } from "../error.ts";
import { call, E, EMPTY, type LuaFunction, LuaThread, multi, settle } from "../runtime.ts";
import type { LuaTable } from "../table.ts";
import { argError, checkFunction, library } from "./args.ts";

type Gen = Generator<unknown[], unknown, unknown[]>;

/**
 * Resumes `co` with `args`: `[true, ...values]` when it yields or returns, `[false, error]`
 * when it raises (the coroutine is then dead).
 */
export function resume(co: LuaThread, args: unknown[]): unknown[] {
  if (co.status !== "suspended") return [false, `cannot resume ${co.status} coroutine`];
  const prev = E.co;
  const at = E.at;
  const d = E.d;
  const c = E.c;
  const cobase = E.cobase;
  if (prev !== undefined) prev.status = "normal";
  co.status = "running";
  E.co = co;
  E.cobase = d;
  for (const site of co.frames) E.stk[++E.d] = site;
  E.at = 0;
  try {
    let r: IteratorResult<unknown[], unknown>;
    if (co.gen === undefined) {
      const g = (co.fn as { $g?: (...a: unknown[]) => Gen }).$g;
      if (g === undefined) {
        r = { done: true, value: call(co.fn, args) };
      } else {
        co.gen = g(...args);
        r = co.gen.next();
      }
    } else r = co.gen.next(args);
    if (r.done) {
      co.status = "dead";
      co.frames = [];
      return [true, ...multi(r.value)];
    }
    co.status = "suspended";
    co.frames = E.stk.slice(d + 1, E.d + 1);
    return [true, ...(r.value as unknown[])];
  } catch (e) {
    const err = settle(e);
    co.status = "dead";
    // A host run (LuaState.start) throws its error as LuaState.call does.
    if (!(err instanceof LuaError) || co.host) throw err;
    return [false, err.value];
  } finally {
    E.co = prev;
    if (prev !== undefined) prev.status = "running";
    E.at = at;
    E.d = d;
    E.c = c;
    E.cobase = cobase;
  }
}

function checkThread(a: unknown[], n: number, fname: string): LuaThread {
  const v = a[n - 1];
  if (v instanceof LuaThread) return v;
  return argError(n, fname, "coroutine expected");
}

/** Builds the `coroutine` table. */
export function coroutineLib(): LuaTable {
  const yieldFn = (): never => {
    throw new LuaError("attempt to yield across metamethod/C-call boundary");
  };
  (yieldFn as unknown as { $g: unknown }).$g = function* (
    ...args: unknown[]
  ): Generator<unknown[], unknown, unknown[]> {
    if (E.co === undefined) throw new LuaError("attempt to yield from outside a coroutine");
    // A host run (LuaState.start) is the script's main thread, called by the host as call()
    // does: yielding from it crosses that call.
    if (E.co.host) return yieldFn();
    return yield args;
  };
  return library({
    create: (...a: unknown[]) => new LuaThread(checkFunction(a, 1, "create")),
    resume: (...a: unknown[]) => resume(checkThread(a, 1, "resume"), a.slice(1)),
    yield: yieldFn,
    status: (...a: unknown[]) => checkThread(a, 1, "status").status,
    running: () => (E.co === undefined || E.co.host ? undefined : E.co),
    wrap: (...a: unknown[]) => {
      const co = new LuaThread(checkFunction(a, 1, "wrap"));
      const wrapped: LuaFunction = (...args: unknown[]) => {
        const r = resume(co, args);
        if (r[0] === true) return r.length === 1 ? EMPTY : r.slice(1);
        const err = r[1];
        throw new LuaError(err, typeof err === "string" ? 1 : 0);
      };
      return wrapped;
    },
  });
}
