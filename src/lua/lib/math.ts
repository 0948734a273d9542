/**
 * The `math` library of Lua 5.1 (lmathlib.c). `random` reproduces glibc's `rand()` (the
 * TYPE_3 additive generator), so seeded sequences match C Lua on Linux.
 *
 * @module
 */

import { LuaError } from "../error.ts";
import { pow } from "../runtime.ts";
import type { LuaTable } from "../table.ts";
import { argError, checkInt, checkNum, library } from "./args.ts";

/** glibc's random_r with the default 31-word state, as `srand`/`rand` use it. */
export class GlibcRandom {
  private r: Int32Array = new Int32Array(34);
  private f = 3;
  private b = 0;

  /** Seeded as C programs start (seed 1). */
  constructor(seed = 1) {
    this.seed(seed);
  }

  /** `srand(seed)`. */
  seed(seed: number): void {
    const r = new Int32Array(31);
    r[0] = seed === 0 ? 1 : seed | 0;
    for (let i = 1; i < 31; i++) {
      const hi = Math.trunc(r[i - 1] / 127773);
      const lo = r[i - 1] % 127773;
      let word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      r[i] = word;
    }
    this.r = r;
    this.f = 3;
    this.b = 0;
    for (let i = 0; i < 310; i++) this.next();
  }

  /** `rand()`: 0 .. 2^31-1. */
  next(): number {
    const r = this.r;
    const v = (r[this.f] + r[this.b]) | 0;
    r[this.f] = v;
    this.f = this.f === 30 ? 0 : this.f + 1;
    this.b = this.b === 30 ? 0 : this.b + 1;
    return v >>> 1;
  }
}

const RAND_MAX = 2147483647;

function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let m = x * 2 ** -e;
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  return [m, e];
}

function ldexp(m: number, e: number): number {
  if (e > 1023) return m * 2 ** 1023 * 2 ** (e - 1023);
  if (e < -1022) return m * 2 ** -1022 * 2 ** (e + 1022);
  return m * 2 ** e;
}

/** Builds the `math` table; `rng` is the generator behind random/randomseed. */
export function mathLib(rng: GlibcRandom = new GlibcRandom()): LuaTable {
  const one = (name: string, f: (x: number) => number) => (...a: unknown[]) =>
    f(checkNum(a, 1, name));
  // Two-argument functions check their second argument first: GCC evaluates the arguments
  // of `fmod(luaL_checknumber(L, 1), luaL_checknumber(L, 2))` right to left.
  const two = (name: string, f: (x: number, y: number) => number) => (...a: unknown[]) => {
    const y = name === "ldexp" ? checkInt(a, 2, name) : checkNum(a, 2, name);
    return f(checkNum(a, 1, name), y);
  };
  const fmod = two("fmod", (x, y) => x % y);
  const lib = library({
    abs: one("abs", Math.abs),
    ceil: one("ceil", Math.ceil),
    floor: one("floor", Math.floor),
    sqrt: one("sqrt", Math.sqrt),
    sin: one("sin", Math.sin),
    cos: one("cos", Math.cos),
    tan: one("tan", Math.tan),
    asin: one("asin", Math.asin),
    acos: one("acos", Math.acos),
    atan: one("atan", Math.atan),
    exp: one("exp", Math.exp),
    log: one("log", Math.log),
    log10: one("log10", Math.log10),
    cosh: one("cosh", Math.cosh),
    sinh: one("sinh", Math.sinh),
    tanh: one("tanh", Math.tanh),
    deg: one("deg", (x) => x * (180 / Math.PI)),
    rad: one("rad", (x) => x * (Math.PI / 180)),
    atan2: two("atan2", Math.atan2),
    pow: two("pow", pow),
    fmod,
    mod: fmod,
    modf: (...a: unknown[]) => {
      const x = checkNum(a, 1, "modf");
      if (x === Infinity || x === -Infinity) return [x, 0];
      const i = x >= 0 ? Math.floor(x) : Math.ceil(x);
      const frac = x - i;
      // C's modf gives the fraction the sign of x, zero included.
      return [i, frac === 0 && (x < 0 || Object.is(x, -0)) ? -0 : frac];
    },
    frexp: (...a: unknown[]) => frexp(checkNum(a, 1, "frexp")),
    ldexp: two("ldexp", ldexp),
    min: (...a: unknown[]) => {
      let m = checkNum(a, 1, "min");
      for (let i = 2; i <= a.length; i++) {
        const x = checkNum(a, i, "min");
        if (x < m) m = x;
      }
      return m;
    },
    max: (...a: unknown[]) => {
      let m = checkNum(a, 1, "max");
      for (let i = 2; i <= a.length; i++) {
        const x = checkNum(a, i, "max");
        if (x > m) m = x;
      }
      return m;
    },
    random: (...a: unknown[]) => {
      const r = (rng.next() % RAND_MAX) / RAND_MAX;
      switch (a.length) {
        case 0:
          return r;
        case 1: {
          const u = checkInt(a, 1, "random");
          if (u < 1) argError(1, "random", "interval is empty");
          return Math.floor(r * u) + 1;
        }
        case 2: {
          const l = checkInt(a, 1, "random");
          const u = checkInt(a, 2, "random");
          if (l > u) argError(2, "random", "interval is empty");
          return Math.floor(r * (u - l + 1)) + l;
        }
        default:
          throw new LuaError("wrong number of arguments");
      }
    },
    randomseed: (...a: unknown[]) => {
      rng.seed(checkInt(a, 1, "randomseed"));
      return [];
    },
  });
  lib.set("pi", Math.PI);
  lib.set("huge", Infinity);
  return lib;
}
