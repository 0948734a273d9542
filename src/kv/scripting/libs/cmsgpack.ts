/**
 * The `cmsgpack` library Redis bundles (lua-cmsgpack 0.4.0, lua_cmsgpack.c): `pack` of any
 * number of values (tables with keys 1..n as arrays, others as maps, nesting past 16 levels
 * as nil; integral numbers as the smallest integer encoding, others as float when exact, else
 * double), `unpack`, `unpack_one` and `unpack_limit` with offsets, and its error texts.
 *
 * @module
 */

import { LuaError, LuaTable } from "../../../lua/mod.ts";
import { checkInteger, checkStr } from "../../../lua/lib/args.ts";

const MAX_NESTING = 16;
const scratch = new DataView(new ArrayBuffer(8));

/**
 * The packed output, built as a string: a packed string is appended whole (no push per byte)
 * and the engines join short appends cheaply.
 */
class Out {
  s = "";
}

const fromCharCode = String.fromCharCode;

/** Type byte `code` and the 32-bit big-endian `n`. */
function code32(out: Out, code: number, n: number): void {
  out.s += fromCharCode(code, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function header(out: Out, n: number, fix: number, fixMax: number, c16: number, c32: number) {
  if (n <= fixMax) out.s += fromCharCode(fix | n);
  else if (n <= 0xffff && c16 !== 0) out.s += fromCharCode(c16, n >> 8, n & 0xff);
  else code32(out, c32, n);
}

function packString(out: Out, s: string): void {
  const n = s.length;
  if (n < 32) out.s += fromCharCode(0xa0 | n);
  else if (n <= 0xff) out.s += fromCharCode(0xd9, n);
  else if (n <= 0xffff) out.s += fromCharCode(0xda, n >> 8, n & 0xff);
  else code32(out, 0xdb, n);
  out.s += s;
}

function pushBig(out: Out, code: number, n: bigint): void {
  scratch.setBigInt64(0, n);
  out.s += fromCharCode(code);
  for (let i = 0; i < 8; i++) out.s += fromCharCode(scratch.getUint8(i));
}

function packInt(out: Out, n: number): void {
  if (n >= 0) {
    if (n <= 127) out.s += fromCharCode(n);
    else if (n <= 0xff) out.s += fromCharCode(0xcc, n);
    else if (n <= 0xffff) out.s += fromCharCode(0xcd, n >> 8, n & 0xff);
    else if (n <= 0xffffffff) code32(out, 0xce, n);
    else pushBig(out, 0xcf, BigInt(n));
  } else {
    if (n >= -32) out.s += fromCharCode(n & 0xff);
    else if (n >= -128) out.s += fromCharCode(0xd0, n & 0xff);
    else if (n >= -32768) out.s += fromCharCode(0xd1, (n >> 8) & 0xff, n & 0xff);
    else if (n >= -2147483648) code32(out, 0xd2, n);
    else pushBig(out, 0xd3, BigInt(n));
  }
}

function packNumber(out: Out, n: number): void {
  if (Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808) {
    packInt(out, n);
    return;
  }
  if (n !== n) {
    // x86's 0/0 is the negative quiet NaN; a float never equals it, so it goes as a double.
    out.s += fromCharCode(0xcb, 0xff, 0xf8, 0, 0, 0, 0, 0, 0);
    return;
  }
  if (Math.fround(n) === n) {
    scratch.setFloat32(0, n);
    out.s += fromCharCode(
      0xca,
      scratch.getUint8(0),
      scratch.getUint8(1),
      scratch.getUint8(2),
      scratch.getUint8(3),
    );
    return;
  }
  scratch.setFloat64(0, n);
  out.s += fromCharCode(0xcb);
  for (let i = 0; i < 8; i++) out.s += fromCharCode(scratch.getUint8(i));
}

/**
 * Whether the keys are exactly 1..n. The parts are read directly (the array part, then the
 * hash part, as `next` visits them) to spare an entry per key.
 */
function isArray(t: LuaTable): boolean {
  let count = 0;
  let max = 0;
  const arr = t.arr;
  for (let i = 0; i < arr.length; i++) {
    if (arr[i] !== undefined) {
      max = i + 1;
      count++;
    }
  }
  if (t.hash !== undefined) {
    for (const k of t.hash.keys()) {
      if (typeof k !== "number" || k <= 0 || !Number.isInteger(k) || k > 2147483647) return false;
      if (k > max) max = k;
      count++;
    }
  }
  return max === count;
}

function pack(out: Out, v: unknown, level: number): void {
  switch (typeof v) {
    case "string":
      return packString(out, v);
    case "boolean":
      out.s += fromCharCode(v ? 0xc3 : 0xc2);
      return;
    case "number":
      return packNumber(out, v);
  }
  if (!(v instanceof LuaTable) || level === MAX_NESTING) {
    out.s += fromCharCode(0xc0);
    return;
  }
  if (isArray(v)) {
    const n = v.length;
    header(out, n, 0x90, 15, 0xdc, 0xdd);
    for (let i = 1; i <= n; i++) pack(out, v.get(i), level + 1);
    return;
  }
  const arr = v.arr;
  let n = v.hash === undefined ? 0 : v.hash.size;
  for (let i = 0; i < arr.length; i++) if (arr[i] !== undefined) n++;
  header(out, n, 0x80, 15, 0xde, 0xdf);
  for (let i = 0; i < arr.length; i++) {
    if (arr[i] === undefined) continue;
    packNumber(out, i + 1);
    pack(out, arr[i], level + 1);
  }
  if (v.hash !== undefined) {
    for (const [k, value] of v.hash) {
      pack(out, k, level + 1);
      pack(out, value, level + 1);
    }
  }
}

const EOF = 1;
const BADFMT = 2;

class Cursor {
  at: number;
  err = 0;
  constructor(readonly s: string, start: number) {
    this.at = start;
  }
  need(n: number): boolean {
    if (this.s.length - this.at < n) {
      this.err = EOF;
      return false;
    }
    return true;
  }
  byte(i: number): number {
    return this.s.charCodeAt(this.at + i);
  }
  uint(i: number, n: number): number {
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + this.byte(i + k);
    return v;
  }
  fill(i: number, n: number): void {
    for (let k = 0; k < n; k++) scratch.setUint8(k, this.byte(i + k));
  }
}

function decodeArray(c: Cursor, n: number): LuaTable {
  const t = new LuaTable();
  for (let i = 1; i <= n; i++) {
    const v = decode(c);
    if (c.err !== 0) return t;
    if (v !== undefined) t.set(i, v);
  }
  return t;
}

function decodeMap(c: Cursor, n: number): LuaTable {
  const t = new LuaTable();
  for (let i = 0; i < n; i++) {
    const k = decode(c);
    if (c.err !== 0) return t;
    const v = decode(c);
    if (c.err !== 0) return t;
    if (k === undefined) throw new LuaError("table index is nil");
    if (k !== k) throw new LuaError("table index is NaN");
    t.set(k, v);
  }
  return t;
}

function sized(c: Cursor, head: number, len: number): string | undefined {
  if (!c.need(head + len)) return undefined;
  const s = c.s.slice(c.at + head, c.at + head + len);
  c.at += head + len;
  return s;
}

/** Reads `n` bytes at the cursor into `scratch` and moves past `n + 1` (type byte included). */
function take(c: Cursor, n: number): boolean {
  if (!c.need(n + 1)) return false;
  c.fill(1, n);
  c.at += n + 1;
  return true;
}

function decode(c: Cursor): unknown {
  if (!c.need(1)) return undefined;
  const b = c.byte(0);
  switch (b) {
    case 0xcc:
      return take(c, 1) ? scratch.getUint8(0) : undefined;
    case 0xd0:
      return take(c, 1) ? scratch.getInt8(0) : undefined;
    case 0xcd:
      return take(c, 2) ? scratch.getUint16(0) : undefined;
    case 0xd1:
      return take(c, 2) ? scratch.getInt16(0) : undefined;
    case 0xce:
      return take(c, 4) ? scratch.getUint32(0) : undefined;
    case 0xd2:
      return take(c, 4) ? scratch.getInt32(0) : undefined;
    case 0xcf:
      return take(c, 8) ? Number(scratch.getBigUint64(0)) : undefined;
    case 0xd3:
      return take(c, 8) ? Number(scratch.getBigInt64(0)) : undefined;
    case 0xca:
      return take(c, 4) ? scratch.getFloat32(0) : undefined;
    case 0xcb:
      return take(c, 8) ? scratch.getFloat64(0) : undefined;
    case 0xc0:
      c.at++;
      return undefined;
    case 0xc3:
      c.at++;
      return true;
    case 0xc2:
      c.at++;
      return false;
    case 0xd9:
      return c.need(2) ? sized(c, 2, c.byte(1)) : undefined;
    case 0xda:
      return c.need(3) ? sized(c, 3, c.uint(1, 2)) : undefined;
    case 0xdb:
      return c.need(5) ? sized(c, 5, c.uint(1, 4)) : undefined;
    case 0xdc:
    case 0xde: {
      if (!c.need(3)) return undefined;
      const n = c.uint(1, 2);
      c.at += 3;
      return b === 0xdc ? decodeArray(c, n) : decodeMap(c, n);
    }
    case 0xdd:
    case 0xdf: {
      if (!c.need(5)) return undefined;
      const n = c.uint(1, 4);
      c.at += 5;
      return b === 0xdd ? decodeArray(c, n) : decodeMap(c, n);
    }
  }
  if ((b & 0x80) === 0) {
    c.at++;
    return b;
  }
  if ((b & 0xe0) === 0xe0) {
    c.at++;
    return (b << 24) >> 24;
  }
  if ((b & 0xe0) === 0xa0) return sized(c, 1, b & 0x1f);
  if ((b & 0xf0) === 0x90) {
    c.at++;
    return decodeArray(c, b & 0xf);
  }
  if ((b & 0xf0) === 0x80) {
    c.at++;
    return decodeMap(c, b & 0xf);
  }
  c.err = BADFMT;
  return undefined;
}

/** mp_unpack_full: `limit` and `offset` 0 decode everything without returning an offset. */
function unpackFull(s: string, limit: number, offset: number): unknown[] {
  const all = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    throw new LuaError(
      `Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`,
    );
  }
  if (offset > s.length) {
    throw new LuaError(`Start offset ${offset} greater than input length ${s.length}.`);
  }
  const max = all ? 0x7fffffff : limit;
  const c = new Cursor(s, offset);
  const out: unknown[] = [];
  for (let n = 0; c.at < s.length && n < max; n++) {
    const v = decode(c);
    if (c.err === EOF) throw new LuaError("Missing bytes in input.");
    if (c.err === BADFMT) throw new LuaError("Bad data format in input.");
    out.push(v);
  }
  if (!all) out.unshift(c.at >= s.length ? -1 : c.at);
  return out;
}

/**
 * Builds the `cmsgpack` table.
 *
 * @example
 * ```ts
 * import { LuaState } from "../../../lua/mod.ts";
 * import { cmsgpackLib } from "./cmsgpack.ts";
 *
 * const lua = new LuaState();
 * lua.globals.set("cmsgpack", cmsgpackLib());
 * lua.run("return cmsgpack.unpack(cmsgpack.pack({1, 2}))[2]"); // [2]
 * ```
 */
export function cmsgpackLib(): LuaTable {
  const t = new LuaTable();
  t.set("pack", (...a: unknown[]) => {
    if (a.length === 0) {
      throw new LuaError("bad argument #0 to 'pack' (MessagePack pack needs input.)");
    }
    const out = new Out();
    for (const v of a) pack(out, v, 0);
    return out.s;
  });
  t.set("unpack", (...a: unknown[]) => unpackFull(checkStr(a, 1, "unpack"), 0, 0));
  t.set("unpack_one", (...a: unknown[]) => {
    const offset = a[1] === undefined ? 0 : checkInteger(a, 2, "unpack_one");
    return unpackFull(checkStr(a, 1, "unpack_one"), 1, offset);
  });
  t.set("unpack_limit", (...a: unknown[]) => {
    const limit = checkInteger(a, 2, "unpack_limit");
    const offset = a[2] === undefined ? 0 : checkInteger(a, 3, "unpack_limit");
    return unpackFull(checkStr(a, 1, "unpack_limit"), limit, offset);
  });
  t.set("_NAME", "cmsgpack");
  t.set("_VERSION", "lua-cmsgpack 0.4.0");
  t.set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo");
  t.set("_DESCRIPTION", "MessagePack C implementation for Lua");
  return t;
}
