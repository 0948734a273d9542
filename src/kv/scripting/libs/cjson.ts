/**
 * The `cjson` library Redis bundles (Lua CJSON 2.1.0, lua_cjson.c) with Redis's settings:
 * sparse arrays refused ("excessively sparse array": ratio 2, safe 10), NaN and Inf refused,
 * nesting limited to 1000 both ways, numbers written with `%.14g`, `cjson.null` for JSON
 * null, and CJSON's error texts (`Expected value but found invalid token at character 1`).
 * Strings are byte strings; JSON text is read and written as bytes (UTF-8 passes through).
 *
 * @module
 */

import { LuaError, LuaTable, LuaUserdata } from "../../../lua/mod.ts";
import { checkStr } from "../../../lua/lib/args.ts";
import { numberToString } from "../../../lua/lib/string_format.ts";
import { formatGeneral } from "../numbers.ts";

/** The JSON null sentinel (`cjson.null`, a NULL lightuserdata in C). */
export const JSON_NULL: LuaUserdata = new LuaUserdata(null);

interface Config {
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  precision: number;
  encodeInvalid: 0 | 1 | 2;
  decodeInvalid: boolean;
  keepBuffer: boolean;
}

const ESCAPES: string[] = [];
for (let c = 0; c < 256; c++) {
  if (c < 32) ESCAPES[c] = "\\u" + c.toString(16).padStart(4, "0");
}
ESCAPES[8] = "\\b";
ESCAPES[9] = "\\t";
ESCAPES[10] = "\\n";
ESCAPES[12] = "\\f";
ESCAPES[13] = "\\r";
ESCAPES[34] = '\\"';
ESCAPES[47] = "\\/";
ESCAPES[92] = "\\\\";
ESCAPES[127] = "\\u007f";

function typeName(v: unknown): string {
  if (v === undefined) return "nil";
  if (typeof v === "object" && v instanceof LuaTable) return "table";
  if (v instanceof LuaUserdata) return "userdata";
  return typeof v === "function" ? "function" : typeof v;
}

function encodeString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const e = ESCAPES[s.charCodeAt(i)];
    if (e !== undefined) {
      out += s.slice(start, i) + e;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

function formatNumber(n: number, precision: number): string {
  return precision === 14 ? numberToString(n) : formatGeneral(n, precision);
}

function encodeError(v: unknown, reason: string): never {
  throw new LuaError(`Cannot serialise ${typeName(v)}: ${reason}`);
}

function encodeNumber(n: number, cfg: Config): string {
  if (!Number.isFinite(n)) {
    if (cfg.encodeInvalid === 0) encodeError(n, "must not be NaN or Inf");
    if (cfg.encodeInvalid === 2) return "null";
    if (Number.isNaN(n)) return "nan";
  }
  return formatNumber(n, cfg.precision);
}

/**
 * Array length of a table as CJSON decides it: -1 for an object. The parts are read directly
 * (the array part, then the hash part, as `next` visits them) to spare an entry per key.
 */
function arrayLength(t: LuaTable, cfg: Config): number {
  let max = 0;
  let items = 0;
  const arr = t.arr;
  for (let i = 0; i < arr.length; i++) {
    if (arr[i] !== undefined) {
      max = i + 1;
      items++;
    }
  }
  if (t.hash !== undefined) {
    for (const k of t.hash.keys()) {
      if (typeof k === "number" && k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = k;
        items++;
        continue;
      }
      return -1;
    }
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) encodeError(t, "excessively sparse array");
    return -1;
  }
  return max;
}

function encodeValue(v: unknown, cfg: Config, depth: number): string {
  switch (typeof v) {
    case "string":
      return encodeString(v);
    case "number":
      return encodeNumber(v, cfg);
    case "boolean":
      return v ? "true" : "false";
    case "undefined":
      return "null";
  }
  if (v === JSON_NULL) return "null";
  if (!(v instanceof LuaTable)) return encodeError(v, "type not supported");
  depth++;
  if (depth > cfg.encodeMaxDepth) {
    throw new LuaError(`Cannot serialise, excessive nesting (${depth})`);
  }
  const len = arrayLength(v, cfg);
  if (len > 0) {
    let out = "[";
    for (let i = 1; i <= len; i++) {
      if (i > 1) out += ",";
      out += encodeValue(v.get(i), cfg, depth);
    }
    return out + "]";
  }
  let out = "{";
  const arr = v.arr;
  for (let i = 0; i < arr.length; i++) {
    const value = arr[i];
    if (value === undefined) continue;
    if (out.length > 1) out += ",";
    out += '"' + encodeNumber(i + 1, cfg) + '":' + encodeValue(value, cfg, depth);
  }
  if (v.hash !== undefined) {
    for (const [k, value] of v.hash) {
      if (out.length > 1) out += ",";
      if (typeof k === "number") out += '"' + encodeNumber(k, cfg) + '":';
      else if (typeof k === "string") out += encodeString(k) + ":";
      else encodeError(k, "table key must be a number or string");
      out += encodeValue(value, cfg, depth);
    }
  }
  return out + "}";
}

// ---- decoding -----------------------------------------------------------------------------

const T_OBJ_BEGIN = 0,
  T_OBJ_END = 1,
  T_ARR_BEGIN = 2,
  T_ARR_END = 3,
  T_STRING = 4,
  T_NUMBER = 5,
  T_BOOLEAN = 6,
  T_NULL = 7,
  T_COLON = 8,
  T_COMMA = 9,
  T_END = 10,
  T_ERROR = 12;
const TOKEN_NAMES = [
  "T_OBJ_BEGIN",
  "T_OBJ_END",
  "T_ARR_BEGIN",
  "T_ARR_END",
  "T_STRING",
  "T_NUMBER",
  "T_BOOLEAN",
  "T_NULL",
  "T_COLON",
  "T_COMMA",
  "T_END",
  "T_WHITESPACE",
  "T_ERROR",
  "T_UNKNOWN",
];
/** The token of each one-char token's char code. */
const SIMPLE: number[] = new Array(128).fill(T_ERROR);
SIMPLE[123] = T_OBJ_BEGIN; // {
SIMPLE[125] = T_OBJ_END; // }
SIMPLE[91] = T_ARR_BEGIN; // [
SIMPLE[93] = T_ARR_END; // ]
SIMPLE[58] = T_COLON; // :
SIMPLE[44] = T_COMMA; // ,
const UNESCAPE: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const STRTOD =
  /^[+-]?(?:inf(?:inity)?|nan|0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i;

interface Token {
  type: number;
  index: number;
  value: unknown;
  error: string | undefined;
}

class Parser {
  at = 0;
  depth = 0;
  /** The current token (one object, rewritten by every next(): read it before the next). */
  readonly tok: Token = { type: T_END, index: 0, value: undefined, error: undefined };
  constructor(readonly s: string, readonly cfg: Config) {}

  /** Sets the current token. */
  token(type: number, index: number, value?: unknown, error?: string): Token {
    const t = this.tok;
    t.type = type;
    t.index = index;
    t.value = value;
    t.error = error;
    return t;
  }

  fail(expected: string, token: Token): never {
    const found = token.type === T_ERROR ? token.error! : TOKEN_NAMES[token.type];
    throw new LuaError(`Expected ${expected} but found ${found} at character ${token.index + 1}`);
  }

  next(): Token {
    const s = this.s;
    let at = this.at;
    let code = s.charCodeAt(at);
    while (code === 32 || code === 9 || code === 10 || code === 13) code = s.charCodeAt(++at);
    this.at = at;
    const index = at;
    switch (code) {
      case 123: // {
      case 125: // }
      case 91: // [
      case 93: // ]
      case 58: // :
      case 44: // ,
        this.at = at + 1;
        return this.token(SIMPLE[code], index);
      case 34: // "
        return this.string(index);
    }
    // NaN: past the end.
    if (code !== code || code === 0) return this.token(T_END, index);
    const c = s[at];
    if (c === "-" || (c >= "0" && c <= "9")) {
      if (!this.cfg.decodeInvalid && this.invalidNumber()) {
        return this.token(T_ERROR, index, undefined, "invalid number");
      }
      return this.number(index);
    }
    if (s.startsWith("true", this.at)) {
      this.at += 4;
      return this.token(T_BOOLEAN, index, true);
    }
    if (s.startsWith("false", this.at)) {
      this.at += 5;
      return this.token(T_BOOLEAN, index, false);
    }
    if (s.startsWith("null", this.at)) {
      this.at += 4;
      return this.token(T_NULL, index);
    }
    if ("tfniIN+".includes(c)) {
      if (this.cfg.decodeInvalid && this.invalidNumber()) return this.number(index);
    }
    return this.token(T_ERROR, index, undefined, "invalid token");
  }

  invalidNumber(): boolean {
    let p = this.at;
    const s = this.s;
    if (s[p] === "+") return true;
    if (s[p] === "-") p++;
    if (s[p] === "0") {
      const c2 = s[p + 1];
      return c2 === "x" || c2 === "X" || (c2 >= "0" && c2 <= "9");
    }
    if (s[p] !== undefined && s[p] <= "9") return false;
    const word = s.slice(p, p + 3).toLowerCase();
    return word === "inf" || word === "nan";
  }

  number(index: number): Token {
    const fast = this.decimal();
    if (fast !== undefined) return this.token(T_NUMBER, index, fast);
    const m = STRTOD.exec(this.s.slice(this.at, this.at + 400));
    if (m === null) return this.token(T_ERROR, index, undefined, "invalid number");
    this.at += m[0].length;
    return this.token(T_NUMBER, index, parseStrtod(m[0]));
  }

  /**
   * A plain decimal number at the cursor (`-?digits[.digits][e[+-]digits]`), read as strtod
   * reads it; undefined (cursor unmoved) for anything else (hex, inf, nan, a leading dot),
   * left to the full strtod pattern.
   */
  decimal(): number | undefined {
    const s = this.s;
    const start = this.at;
    let at = start;
    if (s.charCodeAt(at) === 45) at++;
    const first = at;
    let code = s.charCodeAt(at);
    while (code >= 48 && code <= 57) code = s.charCodeAt(++at);
    if (at === first) return undefined;
    if (code === 120 || code === 88) return undefined; // 0x: hexadecimal
    if (code === 46) {
      code = s.charCodeAt(++at);
      while (code >= 48 && code <= 57) code = s.charCodeAt(++at);
    }
    if (code === 101 || code === 69) {
      let e = at + 1;
      let c = s.charCodeAt(e);
      if (c === 43 || c === 45) c = s.charCodeAt(++e);
      if (c >= 48 && c <= 57) {
        while (c >= 48 && c <= 57) c = s.charCodeAt(++e);
        at = e;
      }
    }
    this.at = at;
    return Number(s.slice(start, at));
  }

  string(index: number): Token {
    const s = this.s;
    let at = this.at + 1;
    // The run up to the first quote, backslash or NUL is taken as one slice.
    const start = at;
    let code = s.charCodeAt(at);
    while (code !== 34 && code !== 92 && code !== 0 && code === code) code = s.charCodeAt(++at);
    let out = s.slice(start, at);
    for (;;) {
      const c = s[at];
      if (c === '"') break;
      if (c === undefined || c === "\0") {
        this.at = at;
        return this.token(T_ERROR, at, undefined, "unexpected end of string");
      }
      if (c === "\\") {
        const e = s[at + 1];
        if (e === "u") {
          const decoded = unicodeEscape(s, at);
          if (decoded === undefined) {
            this.at = at;
            return this.token(T_ERROR, at, undefined, "invalid unicode escape code");
          }
          out += decoded.bytes;
          at += decoded.length;
          continue;
        }
        const u = e === undefined ? undefined : UNESCAPE[e];
        if (u === undefined) {
          this.at = at;
          return this.token(T_ERROR, at, undefined, "invalid escape code");
        }
        out += u;
        at += 2;
        continue;
      }
      out += c;
      at++;
    }
    this.at = at + 1;
    return this.token(T_STRING, index, out);
  }

  descend(): void {
    this.depth++;
    if (this.depth > this.cfg.decodeMaxDepth) {
      throw new LuaError(
        `Found too many nested data structures (${this.depth}) at character ${this.at}`,
      );
    }
  }

  value(token: Token): unknown {
    switch (token.type) {
      case T_STRING:
      case T_NUMBER:
      case T_BOOLEAN:
        return token.value;
      case T_NULL:
        return JSON_NULL;
      case T_OBJ_BEGIN:
        return this.object();
      case T_ARR_BEGIN:
        return this.array();
    }
    return this.fail("value", token);
  }

  object(): LuaTable {
    this.descend();
    const t = new LuaTable();
    let token = this.next();
    if (token.type === T_OBJ_END) {
      this.depth--;
      return t;
    }
    for (;;) {
      if (token.type !== T_STRING) this.fail("object key string", token);
      const key = token.value as string;
      token = this.next();
      if (token.type !== T_COLON) this.fail("colon", token);
      t.set(key, this.value(this.next()));
      token = this.next();
      if (token.type === T_OBJ_END) {
        this.depth--;
        return t;
      }
      if (token.type !== T_COMMA) this.fail("comma or object end", token);
      token = this.next();
    }
  }

  array(): LuaTable {
    this.descend();
    const t = new LuaTable();
    let token = this.next();
    if (token.type === T_ARR_END) {
      this.depth--;
      return t;
    }
    for (let i = 1;; i++) {
      t.set(i, this.value(token));
      token = this.next();
      if (token.type === T_ARR_END) {
        this.depth--;
        return t;
      }
      if (token.type !== T_COMMA) this.fail("comma or array end", token);
      token = this.next();
    }
  }
}

function parseStrtod(text: string): number {
  const t = text.toLowerCase();
  const neg = t.startsWith("-");
  const body = t.replace(/^[+-]/, "");
  let v: number;
  if (body.startsWith("inf")) v = Infinity;
  else if (body.startsWith("nan")) v = NaN;
  else if (body.startsWith("0x")) {
    const [mant, exp] = body.slice(2).split("p");
    const [ip, fp = ""] = mant.split(".");
    v = parseInt(ip || "0", 16);
    for (let i = 0; i < fp.length; i++) v += parseInt(fp[i], 16) / 16 ** (i + 1);
    if (exp !== undefined) v *= 2 ** Number(exp);
  } else v = Number(body);
  return neg ? -v : v;
}

function hex4(s: string, at: number): number | undefined {
  const h = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : undefined;
}

/** A `\uXXXX` escape (and a following low surrogate) as UTF-8 bytes. */
function unicodeEscape(s: string, at: number): { bytes: string; length: number } | undefined {
  let cp = hex4(s, at + 2);
  if (cp === undefined) return undefined;
  let length = 6;
  if (cp >= 0xdc00 && cp <= 0xdfff) return undefined;
  if (cp >= 0xd800 && cp <= 0xdbff) {
    if (s[at + 6] !== "\\" || s[at + 7] !== "u") return undefined;
    const low = hex4(s, at + 8);
    if (low === undefined || low < 0xdc00 || low > 0xdfff) return undefined;
    cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
    length = 12;
  }
  const f = String.fromCharCode;
  let bytes: string;
  if (cp < 0x80) bytes = f(cp);
  else if (cp < 0x800) bytes = f(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) {
    bytes = f(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  } else {
    bytes = f(
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 0x3f),
      0x80 | ((cp >> 6) & 0x3f),
      0x80 | (cp & 0x3f),
    );
  }
  return { bytes, length };
}

function expectOne(a: unknown[], fname: string): void {
  if (a.length !== 1) throw new LuaError(`bad argument #1 to '${fname}' (expected 1 argument)`);
}

function intOption(
  a: unknown[],
  i: number,
  min: number,
  max: number,
  current: number,
  fname: string,
): number {
  const v = a[i];
  if (v === undefined) return current;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new LuaError(
      `bad argument #${i + 1} to '${fname}' (expected integer between ${min} and ${max})`,
    );
  }
  return n;
}

function boolOption(a: unknown[], i: number, current: boolean, fname: string): boolean {
  const v = a[i];
  if (v === undefined) return current;
  if (typeof v === "boolean") return v;
  if (v === "on") return true;
  if (v === "off") return false;
  throw new LuaError(`bad argument #${i + 1} to '${fname}' (invalid option '${String(v)}')`);
}

/**
 * Builds the `cjson` table.
 *
 * @example
 * ```ts
 * import { LuaState } from "../../../lua/mod.ts";
 * import { cjsonLib } from "./cjson.ts";
 *
 * const lua = new LuaState();
 * lua.globals.set("cjson", cjsonLib());
 * lua.run("return cjson.encode({1, 2, {a = 'x'}})"); // ['[1,2,{"a":"x"}]']
 * ```
 */
export function cjsonLib(): LuaTable {
  const cfg: Config = {
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    precision: 14,
    encodeInvalid: 0,
    decodeInvalid: true,
    keepBuffer: true,
  };
  const t = new LuaTable();
  t.set("encode", (...a: unknown[]) => {
    expectOne(a, "encode");
    return encodeValue(a[0], cfg, 0);
  });
  t.set("decode", (...a: unknown[]) => {
    expectOne(a, "decode");
    const s = checkStr(a, 1, "decode");
    if (s.length >= 2 && (s.charCodeAt(0) === 0 || s.charCodeAt(1) === 0)) {
      throw new LuaError("JSON parser does not support UTF-16 or UTF-32");
    }
    const p = new Parser(s, cfg);
    const v = p.value(p.next());
    const end = p.next();
    if (end.type !== T_END) p.fail("the end", end);
    return v;
  });
  t.set("encode_sparse_array", (...a: unknown[]) => {
    cfg.sparseConvert = boolOption(a, 0, cfg.sparseConvert, "encode_sparse_array");
    cfg.sparseRatio = intOption(a, 1, 0, 0x7fffffff, cfg.sparseRatio, "encode_sparse_array");
    cfg.sparseSafe = intOption(a, 2, 0, 0x7fffffff, cfg.sparseSafe, "encode_sparse_array");
    return [cfg.sparseConvert, cfg.sparseRatio, cfg.sparseSafe];
  });
  t.set("encode_max_depth", (...a: unknown[]) => {
    cfg.encodeMaxDepth = intOption(a, 0, 1, 0x7fffffff, cfg.encodeMaxDepth, "encode_max_depth");
    return cfg.encodeMaxDepth;
  });
  t.set("decode_max_depth", (...a: unknown[]) => {
    cfg.decodeMaxDepth = intOption(a, 0, 1, 0x7fffffff, cfg.decodeMaxDepth, "decode_max_depth");
    return cfg.decodeMaxDepth;
  });
  t.set("encode_number_precision", (...a: unknown[]) => {
    cfg.precision = intOption(a, 0, 1, 14, cfg.precision, "encode_number_precision");
    return cfg.precision;
  });
  t.set("encode_keep_buffer", (...a: unknown[]) => {
    cfg.keepBuffer = boolOption(a, 0, cfg.keepBuffer, "encode_keep_buffer");
    return cfg.keepBuffer;
  });
  t.set("encode_invalid_numbers", (...a: unknown[]) => {
    const v = a[0];
    if (v === "null") cfg.encodeInvalid = 2;
    else if (v !== undefined) {
      cfg.encodeInvalid = boolOption(a, 0, false, "encode_invalid_numbers") ? 1 : 0;
    }
    return cfg.encodeInvalid === 2 ? "null" : cfg.encodeInvalid === 1;
  });
  t.set("decode_invalid_numbers", (...a: unknown[]) => {
    cfg.decodeInvalid = boolOption(a, 0, cfg.decodeInvalid, "decode_invalid_numbers");
    return cfg.decodeInvalid;
  });
  t.set("new", () => cjsonLib());
  t.set("null", JSON_NULL);
  t.set("_NAME", "cjson");
  t.set("_VERSION", "2.1.0");
  return t;
}
