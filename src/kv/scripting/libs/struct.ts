/**
 * The `struct` library Redis bundles (lua_struct.c, Roberto Ierusalimschy's): `pack`,
 * `unpack` and `size` with formats `< > ! x b B h H l L T i[n] I[n] f d c[n] s`, sizes and
 * alignment of x86-64 (long and size_t 8 bytes, int 4, maximum alignment 8, native little
 * endian).
 *
 * @module
 */

import { LuaError, LuaTable } from "../../../lua/mod.ts";
import { argError, checkNum, checkStr } from "../../../lua/lib/args.ts";

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const SIZES: Record<string, number> = {
  b: 1,
  B: 1,
  h: 2,
  H: 2,
  l: 8,
  L: 8,
  T: 8,
  f: 4,
  d: 8,
  x: 1,
};

interface Header {
  little: boolean;
  align: number;
}

class Format {
  at = 0;
  constructor(readonly fmt: string) {}
  num(def: number): number {
    const f = this.fmt;
    if (!(f[this.at] >= "0" && f[this.at] <= "9")) return def;
    let a = 0;
    while (f[this.at] >= "0" && f[this.at] <= "9") {
      a = a * 10 + f.charCodeAt(this.at++) - 48;
      if (a > 0x7fffffff) throw new LuaError("integral size overflow");
    }
    return a;
  }
  size(opt: string): number {
    const s = SIZES[opt];
    if (s !== undefined) return s;
    if (opt === "c") return this.num(1);
    if (opt === "i" || opt === "I") {
      const sz = this.num(4);
      if (sz > MAXINTSIZE) {
        throw new LuaError(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      }
      return sz;
    }
    return 0;
  }
  control(opt: string, h: Header, fname: string): void {
    if (opt === " ") return;
    if (opt === ">") h.little = false;
    else if (opt === "<") h.little = true;
    else if (opt === "!") {
      const a = this.num(MAXALIGN);
      if (a <= 0 || (a & (a - 1)) !== 0) throw new LuaError(`alignment ${a} is not a power of 2`);
      h.align = a;
    } else argError(1, fname, `invalid format option '${opt}'`);
  }
}

function toAlign(len: number, h: Header, opt: string, size: number): number {
  if (size === 0 || opt === "c") return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

const view = new DataView(new ArrayBuffer(8));

function floatBytes(n: number, size: number, little: boolean): string {
  if (size === 4) view.setFloat32(0, n, little);
  else view.setFloat64(0, n, little);
  let s = "";
  for (let i = 0; i < size; i++) s += String.fromCharCode(view.getUint8(i));
  return s;
}

function intBytes(n: number, size: number, little: boolean): string {
  let value = n < 0 || n >= 18446744073709551616 || n !== n
    ? BigInt.asUintN(64, BigInt.asIntN(64, n !== n ? 0n : BigInt(Math.trunc(n))))
    : BigInt(Math.trunc(n));
  const bytes: number[] = new Array(size);
  for (let i = 0; i < size; i++) {
    bytes[little ? i : size - 1 - i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return String.fromCharCode(...bytes);
}

function readInt(
  data: string,
  pos: number,
  size: number,
  little: boolean,
  signed: boolean,
): number {
  let l = 0n;
  for (let i = 0; i < size; i++) {
    const b = data.charCodeAt(little ? pos + size - 1 - i : pos + i);
    l = BigInt.asUintN(64, (l << 8n) | BigInt(b));
  }
  if (!signed) return Number(l);
  const bits = Math.min(size * 8, 64);
  return Number(BigInt.asIntN(bits, l));
}

function structPack(a: unknown[]): string {
  const f = new Format(checkStr(a, 1, "pack"));
  const h: Header = { little: true, align: 1 };
  let arg = 2;
  let out = "";
  while (f.at < f.fmt.length) {
    const opt = f.fmt[f.at++];
    let size = f.size(opt);
    const pad = toAlign(out.length, h, opt, size);
    out += "\0".repeat(pad);
    switch (opt) {
      case "b":
      case "B":
      case "h":
      case "H":
      case "l":
      case "L":
      case "T":
      case "i":
      case "I":
        out += intBytes(checkNum(a, arg, "pack"), size, h.little);
        arg++;
        break;
      case "x":
        out += "\0";
        break;
      case "f":
      case "d":
        out += floatBytes(checkNum(a, arg, "pack"), size, h.little);
        arg++;
        break;
      case "c":
      case "s": {
        const s = checkStr(a, arg, "pack");
        arg++;
        if (size === 0) size = s.length;
        if (s.length < size) argError(arg, "pack", "string too short");
        out += s.slice(0, size);
        if (opt === "s") out += "\0";
        break;
      }
      default:
        f.control(opt, h, "pack");
    }
  }
  return out;
}

function structUnpack(a: unknown[]): unknown[] {
  const f = new Format(checkStr(a, 1, "unpack"));
  const data = checkStr(a, 2, "unpack");
  const ld = data.length;
  let pos = a[2] === undefined ? 1 : Math.trunc(checkNum(a, 3, "unpack"));
  if (pos <= 0) argError(3, "unpack", "offset must be 1 or greater");
  pos--;
  const h: Header = { little: true, align: 1 };
  const out: unknown[] = [];
  while (f.at < f.fmt.length) {
    const opt = f.fmt[f.at++];
    let size = f.size(opt);
    pos += toAlign(pos, h, opt, size);
    if (!(size <= ld && pos <= ld - size)) argError(2, "unpack", "data string too short");
    switch (opt) {
      case "b":
      case "B":
      case "h":
      case "H":
      case "l":
      case "L":
      case "T":
      case "i":
      case "I":
        out.push(readInt(data, pos, size, h.little, opt === opt.toLowerCase()));
        break;
      case "x":
        break;
      case "f":
      case "d":
        for (let i = 0; i < size; i++) view.setUint8(i, data.charCodeAt(pos + i));
        out.push(size === 4 ? view.getFloat32(0, h.little) : view.getFloat64(0, h.little));
        break;
      case "c":
        if (size === 0) {
          const prev = out[out.length - 1];
          if (out.length === 0 || typeof prev !== "number") {
            throw new LuaError("format 'c0' needs a previous size");
          }
          size = Math.trunc(prev);
          out.pop();
          if (!(size <= ld && pos <= ld - size)) argError(2, "unpack", "data string too short");
        }
        out.push(data.slice(pos, pos + size));
        break;
      case "s": {
        const e = data.indexOf("\0", pos);
        if (e < 0) throw new LuaError("unfinished string in data");
        size = e - pos + 1;
        out.push(data.slice(pos, e));
        break;
      }
      default:
        f.control(opt, h, "unpack");
    }
    pos += size;
  }
  out.push(pos + 1);
  return out;
}

function structSize(a: unknown[]): number {
  const f = new Format(checkStr(a, 1, "size"));
  const h: Header = { little: true, align: 1 };
  let pos = 0;
  while (f.at < f.fmt.length) {
    const opt = f.fmt[f.at++];
    const size = f.size(opt);
    pos += toAlign(pos, h, opt, size);
    if (opt === "s") argError(1, "size", "option 's' has no fixed size");
    else if (opt === "c" && size === 0) argError(1, "size", "option 'c0' has no fixed size");
    if (!/[A-Za-z0-9]/.test(opt)) f.control(opt, h, "size");
    pos += size;
  }
  return pos;
}

/**
 * Builds the `struct` table.
 *
 * @example
 * ```ts
 * import { LuaState } from "../../../lua/mod.ts";
 * import { structLib } from "./struct.ts";
 *
 * const lua = new LuaState();
 * lua.globals.set("struct", structLib());
 * lua.run("return struct.unpack('>H', struct.pack('>H', 258))"); // [258, 3]
 * ```
 */
export function structLib(): LuaTable {
  const t = new LuaTable();
  t.set("pack", (...a: unknown[]) => structPack(a));
  t.set("unpack", (...a: unknown[]) => structUnpack(a));
  t.set("size", (...a: unknown[]) => structSize(a));
  return t;
}
