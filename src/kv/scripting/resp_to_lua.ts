/**
 * A command's reply, as the script's fake client received it (RESP2 or RESP3 bytes), turned
 * into the Lua values `redis.call` returns — Redis's `redisProtocolToLuaType`: integers as
 * numbers, bulk strings as strings, nil bulk and nil array as false, arrays as tables,
 * status as `{ok=...}`, errors as `{err=...}`; in RESP3 null as nil, booleans, `{double=}`,
 * `{map={...}}`, `{set={[member]=true}}`, `{big_number=}`, `{verbatim_string={string=,
 * format=}}`, attributes skipped.
 *
 * @module
 */

import { LuaTable } from "../../lua/mod.ts";

/** Cursor over one reply's bytes. */
interface Cursor {
  bytes: Uint8Array;
  at: number;
}

const NO_BYTES = new Uint8Array(0);
/** The cursor of replyToLua (not re-entered: reading a reply calls nothing outside). */
const CURSOR: Cursor = { bytes: NO_BYTES, at: 0 };

/** Plain arrays of each short length, filled and handed to `fromCharCode.apply`. */
const SCRATCH: number[][] = [];
for (let n = 0; n <= 64; n++) SCRATCH.push(new Array<number>(n).fill(0));

/** A byte string (one char per byte) of `bytes[start, end)`. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 64) {
    // One call on a reused array: no rope of one-char strings, no view of the bytes.
    if (n <= 0) return "";
    const chars = SCRATCH[n];
    for (let i = 0; i < n; i++) chars[i] = bytes[start + i];
    return String.fromCharCode.apply(null, chars);
  }
  let s = "";
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(end, i + 8192)) as unknown as number[],
    );
  }
  return s;
}

/** The line after the type byte, as a byte string; moves past its CRLF. */
function line(c: Cursor): string {
  const bytes = c.bytes;
  const start = c.at;
  let end = start;
  while (bytes[end] !== 13) end++;
  c.at = end + 2;
  return latin1(bytes, start, end);
}

/** The integer after the type byte; moves past its CRLF. */
function count(c: Cursor): number {
  const bytes = c.bytes;
  let i = c.at;
  let negative = false;
  if (bytes[i] === 45) {
    negative = true;
    i++;
  }
  let n = 0;
  while (bytes[i] !== 13) n = n * 10 + bytes[i++] - 48;
  c.at = i + 2;
  return negative ? -n : n;
}

/**
 * The integer reply after the type byte as a number; moves past its CRLF. Up to 15 digits are
 * summed exactly; longer ones are rounded to the nearest double as `lua_Number` conversion
 * (strtod-like `Number`) does.
 */
function integer(c: Cursor): number {
  const start = c.at;
  const n = count(c);
  const end = c.at - 2;
  return end - start > 15 ? Number(latin1(c.bytes, start, end)) : n;
}

/**
 * The error table redis.call / redis.pcall give for an error reply or a refused command:
 * `{err="CODE message"}` from `-CODE message` or a bare message (luaPushErrorBuff: a message
 * without a code gets `ERR`; trailing CR/LF trimmed).
 */
export function errorTable(message: string): LuaTable {
  let text: string;
  if (message.charCodeAt(0) === 45) {
    const space = message.indexOf(" ");
    text = space < 0
      ? "ERR " + trimCrlf(message.slice(1))
      : message.slice(1, space) + " " + trimCrlf(message.slice(space + 1));
  } else text = "ERR " + trimCrlf(message);
  const t = new LuaTable();
  t.set("err", text);
  return t;
}

function trimCrlf(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 13 || s.charCodeAt(start) === 10)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 13 || s.charCodeAt(end - 1) === 10)) end--;
  return s.slice(start, end);
}

function single(key: string, value: unknown): LuaTable {
  const t = new LuaTable();
  t.set(key, value);
  return t;
}

function value(c: Cursor): unknown {
  const bytes = c.bytes;
  const type = bytes[c.at++];
  switch (type) {
    case 36: { // $ bulk
      const n = count(c);
      if (n < 0) return false;
      const s = latin1(bytes, c.at, c.at + n);
      c.at += n + 2;
      return s;
    }
    case 58: // : integer
      return integer(c);
    case 43: // + status
      return single("ok", line(c));
    case 45: // - error
      return errorTable("-" + line(c));
    case 42: // * array
    case 62: { // > push
      const n = count(c);
      if (n < 0) return false;
      const t = new LuaTable();
      for (let i = 1; i <= n; i++) {
        const v = value(c);
        // An element that is nil (RESP3 null) leaves a hole, as lua_settable does.
        if (v !== undefined) t.set(i, v);
      }
      return t;
    }
    case 95: // _ null
      c.at += 2;
      return undefined;
    case 35: // # boolean
      return line(c) === "t";
    case 44: { // , double
      const text = line(c);
      const d = text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text);
      return single("double", d);
    }
    case 40: // ( big number
      return single("big_number", line(c));
    case 37: { // % map
      const n = count(c);
      const map = new LuaTable();
      for (let i = 0; i < n; i++) {
        const k = value(c);
        const v = value(c);
        if (k !== undefined) map.set(k, v);
      }
      return single("map", map);
    }
    case 126: { // ~ set
      const n = count(c);
      const set = new LuaTable();
      for (let i = 0; i < n; i++) {
        const k = value(c);
        if (k !== undefined) set.set(k, true);
      }
      return single("set", set);
    }
    case 61: { // = verbatim
      const n = count(c);
      const format = latin1(bytes, c.at, c.at + 3);
      const s = latin1(bytes, c.at + 4, c.at + n);
      c.at += n + 2;
      const inner = new LuaTable();
      inner.set("string", s);
      inner.set("format", format);
      return single("verbatim_string", inner);
    }
    case 33: { // ! bulk error
      const n = count(c);
      const s = latin1(bytes, c.at, c.at + n);
      c.at += n + 2;
      return errorTable("-" + s);
    }
    case 124: { // | attribute: skipped, the value follows
      const n = count(c);
      for (let i = 0; i < 2 * n; i++) value(c);
      return value(c);
    }
    default:
      throw new Error(`unexpected reply type byte ${type}`);
  }
}

/**
 * The Lua value of the first reply in `bytes` (a command's whole reply).
 *
 * @example
 * ```ts
 * import { replyToLua } from "./resp_to_lua.ts";
 *
 * replyToLua(new TextEncoder().encode(":42\r\n")); // 42
 * ```
 */
export function replyToLua(bytes: Uint8Array): unknown {
  const c = CURSOR;
  c.bytes = bytes;
  c.at = 0;
  const v = value(c);
  c.bytes = NO_BYTES;
  return v;
}

/** Whether a reply's bytes are an error reply (`-` or RESP3 `!`). */
export function isErrorReply(bytes: Uint8Array): boolean {
  return bytes[0] === 45 || bytes[0] === 33;
}
