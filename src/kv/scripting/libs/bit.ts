/**
 * The `bit` library Redis bundles (LuaBitOp 1.0.2, lua_bit.c): 32-bit operations on numbers,
 * results as signed 32-bit integers. Numbers are brought to 32 bits as LuaBitOp does on
 * doubles (adding 2^52 + 2^51 and keeping the low word, which wraps modulo 2^32 and rounds
 * to nearest even).
 *
 * @module
 */

import { LuaTable } from "../../../lua/mod.ts";
import { checkNum } from "../../../lua/lib/args.ts";

const buffer = new DataView(new ArrayBuffer(8));

/** LuaBitOp's `barg`: a Lua number to a signed 32-bit integer. */
export function toBit(n: number): number {
  buffer.setFloat64(0, n + 6755399441055744.0, true);
  return buffer.getInt32(0, true);
}

function arg(a: unknown[], i: number, name: string): number {
  return toBit(checkNum(a, i, name));
}

/**
 * Builds the `bit` table.
 *
 * @example
 * ```ts
 * import { toBit } from "./bit.ts";
 *
 * toBit(2 ** 32 + 5); // 5
 * ```
 */
export function bitLib(): LuaTable {
  const t = new LuaTable();
  const fold = (name: string, op: (x: number, y: number) => number) => (...a: unknown[]) => {
    let r = arg(a, 1, name);
    for (let i = 2; i <= a.length; i++) r = op(r, arg(a, i, name));
    return r | 0;
  };
  const shift = (name: string, op: (x: number, n: number) => number) => (...a: unknown[]) =>
    op(arg(a, 1, name), arg(a, 2, name) & 31) | 0;
  t.set("tobit", (...a: unknown[]) => arg(a, 1, "tobit"));
  t.set("bnot", (...a: unknown[]) => ~arg(a, 1, "bnot"));
  t.set("band", fold("band", (x, y) => x & y));
  t.set("bor", fold("bor", (x, y) => x | y));
  t.set("bxor", fold("bxor", (x, y) => x ^ y));
  t.set("lshift", shift("lshift", (x, n) => x << n));
  t.set("rshift", shift("rshift", (x, n) => x >>> n));
  t.set("arshift", shift("arshift", (x, n) => x >> n));
  t.set("rol", shift("rol", (x, n) => (x << n) | (x >>> (32 - n))));
  t.set("ror", shift("ror", (x, n) => (x >>> n) | (x << (32 - n))));
  t.set("bswap", (...a: unknown[]) => {
    const x = arg(a, 1, "bswap");
    return ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24)) | 0;
  });
  t.set("tohex", (...a: unknown[]) => {
    const x = arg(a, 1, "tohex");
    let n = a.length >= 2 && a[1] !== undefined ? arg(a, 2, "tohex") : 8;
    let digits = "0123456789abcdef";
    if (n < 0) {
      n = -n;
      digits = "0123456789ABCDEF";
    }
    if (n > 8) n = 8;
    let out = "";
    let v = x;
    for (let i = 0; i < n; i++) {
      out = digits[v & 15] + out;
      v >>>= 4;
    }
    return out;
  });
  return t;
}
