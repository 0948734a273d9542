/**
 * Lua 5.1's `string.format` (lstrlib.c's str_format over glibc's sprintf on x86-64) and
 * number-to-string conversion, over byte strings.
 *
 * ```ts
 * const host = { tostring: String, tonumber: (v: unknown) => Number(v), typeName: () => "?" };
 * stringFormat("%5.2f|%-3d|%q", [3.14159, 7, 'a"b'], host); // ' 3.14|7  |"a\\"b"'
 * ```
 *
 * @module
 */

import { LuaError } from "../error.ts";
import {
  expDigits,
  fixedDigits,
  generalDigits,
  nonFiniteDigits,
  numberToString,
  signBit,
  toCharCode,
  toInt64,
  toUint64,
} from "./string_format_number.ts";

export { numberToString } from "./string_format_number.ts";

/** What `stringFormat` needs from the interpreter. */
export interface FormatHost {
  /** Lua's `tostring` (applies `__tostring`); kept for hosts, `%s` follows 5.1's rules. */
  tostring(v: unknown): string;
  /** Lua's `lua_tonumber`: a number, a numeric string converted, else undefined. */
  tonumber(v: unknown): number | undefined;
  /** Lua's type name of a value (`nil`, `table`, ...), for error messages. */
  typeName(v: unknown): string;
}

const F_MINUS = 1;
const F_PLUS = 2;
const F_SPACE = 4;
const F_ALT = 8;
const F_ZERO = 16;

/** One parsed conversion: flags, width, precision (-1 when absent). */
interface Spec {
  flags: number;
  width: number;
  precision: number;
}

const spec: Spec = { flags: 0, width: 0, precision: -1 };

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Lua 5.1's scanformat: parses flags, width and precision at `i`; returns the option index. */
function scanSpec(fmt: string, i: number): number {
  const start = i;
  let flags = 0;
  for (;;) {
    const c = fmt.charCodeAt(i);
    const f = c === 45
      ? F_MINUS
      : c === 43
      ? F_PLUS
      : c === 32
      ? F_SPACE
      : c === 35
      ? F_ALT
      : c === 48
      ? F_ZERO
      : 0;
    if (f === 0) break;
    flags |= f;
    i++;
  }
  if (i - start >= 6) throw new LuaError("invalid format (repeated flags)");
  let width = 0;
  if (isDigit(fmt.charCodeAt(i))) width = fmt.charCodeAt(i++) - 48;
  if (isDigit(fmt.charCodeAt(i))) width = width * 10 + fmt.charCodeAt(i++) - 48;
  let precision = -1;
  if (fmt.charCodeAt(i) === 46) {
    i++;
    precision = 0;
    if (isDigit(fmt.charCodeAt(i))) precision = fmt.charCodeAt(i++) - 48;
    if (isDigit(fmt.charCodeAt(i))) precision = precision * 10 + fmt.charCodeAt(i++) - 48;
  }
  if (isDigit(fmt.charCodeAt(i))) {
    throw new LuaError("invalid format (width or precision too long)");
  }
  spec.flags = flags;
  spec.width = width;
  spec.precision = precision;
  return i;
}

/** Pads `body` (after `sign`/`prefix`) to the spec's width, zeros when `zeroPad`. */
function pad(sign: string, prefix: string, body: string, zeroPad: boolean): string {
  const len = sign.length + prefix.length + body.length;
  const width = spec.width;
  if (len >= width) return sign + prefix + body;
  const fill = width - len;
  if (spec.flags & F_MINUS) return sign + prefix + body + " ".repeat(fill);
  if (zeroPad) return sign + prefix + "0".repeat(fill) + body;
  return " ".repeat(fill) + sign + prefix + body;
}

function signOf(negative: boolean): string {
  if (negative) return "-";
  const flags = spec.flags;
  return flags & F_PLUS ? "+" : flags & F_SPACE ? " " : "";
}

/** `%d %i %o %u %x %X` of an integer value (already converted as C converts it). */
function formatInteger(value: number | bigint, option: number): string {
  const negative = value < 0;
  const base = option === 111 ? 8 : option === 120 || option === 88 ? 16 : 10;
  let digits = (negative ? -value : value).toString(base);
  if (option === 88) digits = digits.toUpperCase();
  const precision = spec.precision;
  if (precision === 0 && digits === "0") digits = "";
  else if (precision > digits.length) digits = "0".repeat(precision - digits.length) + digits;
  let prefix = "";
  if (spec.flags & F_ALT) {
    if (option === 111 && digits.charCodeAt(0) !== 48) digits = "0" + digits;
    else if (base === 16 && digits !== "" && value !== 0 && value !== 0n) {
      prefix = option === 88 ? "0X" : "0x";
    }
  }
  const signed = option === 100 || option === 105;
  const zero = (spec.flags & (F_ZERO | F_MINUS)) === F_ZERO && precision < 0;
  return pad(signed ? signOf(negative) : "", prefix, digits, zero);
}

/** `%e %E %f %g %G` of a double. */
function formatFloat(x: number, option: number): string {
  const negative = signBit(x);
  const upper = option === 69 || option === 71;
  const alt = (spec.flags & F_ALT) !== 0;
  const precision = spec.precision < 0 ? 6 : spec.precision;
  const abs = negative ? -x : x;
  let body: string;
  let finite = true;
  if (abs === Infinity || abs !== abs) {
    body = nonFiniteDigits(abs, upper);
    finite = false;
  } else if (option === 102) {
    body = fixedDigits(abs, precision);
    if (alt && precision === 0) body += ".";
  } else if (option === 101 || option === 69) body = expDigits(abs, precision, upper, alt);
  else body = generalDigits(abs, precision, upper, alt);
  const zero = finite && (spec.flags & (F_ZERO | F_MINUS)) === F_ZERO;
  return pad(signOf(negative), "", body, zero);
}

/** A `%s`/`%q` argument per luaL_checklstring: strings, and numbers converted. */
function checkString(v: unknown, arg: number, host: FormatHost): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  throw argError(arg, "string expected, got " + host.typeName(v));
}

function checkNumber(v: unknown, arg: number, host: FormatHost): number {
  if (typeof v === "number") return v;
  const n = host.tonumber(v);
  if (n === undefined) throw argError(arg, "number expected, got " + host.typeName(v));
  return n;
}

function argError(arg: number, message: string): LuaError {
  return new LuaError(`bad argument #${arg} to 'format' (${message})`);
}

/** `%s`: sprintf stops at the first "\0"; 5.1 adds a long string whole when there is no precision. */
function formatString(s: string): string {
  const precision = spec.precision;
  if (precision < 0 && s.length >= 100) return s;
  const nul = s.indexOf("\0");
  if (nul >= 0) s = s.slice(0, nul);
  if (precision >= 0 && s.length > precision) s = s.slice(0, precision);
  return spec.width > s.length ? pad("", "", s, false) : s;
}

/** `%c`: the byte, padded; sprintf's output is then cut at its first "\0" (strlen). */
function formatChar(code: number): string {
  const s = pad("", "", String.fromCharCode(code), false);
  if (code !== 0) return s;
  return s.slice(0, s.indexOf("\0"));
}

/** `%q`: Lua 5.1's addquoted. */
function quoteString(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string;
    if (c === 34) escaped = '\\"';
    else if (c === 92) escaped = "\\\\";
    else if (c === 10) escaped = "\\\n";
    else if (c === 13) escaped = "\\r";
    else if (c === 0) escaped = "\\000";
    else continue;
    out += s.slice(from, i) + escaped;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

/** Formats argument `v` (Lua argument #arg) for conversion `option` with the current spec. */
function convert(option: number, v: unknown, arg: number, host: FormatHost): string {
  switch (option) {
    case 99: // c
      return formatChar(toCharCode(checkNumber(v, arg, host)));
    case 100: // d
    case 105: // i
      return formatInteger(toInt64(checkNumber(v, arg, host)), option);
    case 111: // o
    case 117: // u
    case 120: // x
    case 88: // X
      return formatInteger(toUint64(checkNumber(v, arg, host)), option);
    case 101: // e
    case 69: // E
    case 102: // f
    case 103: // g
    case 71: // G
      return formatFloat(checkNumber(v, arg, host), option);
    case 113: // q
      return quoteString(checkString(v, arg, host));
    case 115: // s
      return formatString(checkString(v, arg, host));
    default: {
      // lua_pushfstring's %c stops at a "\0" option byte (a format ending in '%').
      const shown = option === 0 || option !== option ? "" : String.fromCharCode(option);
      throw new LuaError(`invalid option '%${shown}' to 'format'`);
    }
  }
}

/** Fast results for `%d` of a safe integer and `%s` of a short NUL-free string. */
function simple(option: number, v: unknown): string | undefined {
  if (option === 100) {
    if (typeof v === "number" && Number.isSafeInteger(v)) return "" + v;
  } else if (option === 115 && typeof v === "string") {
    if (v.length >= 100 || v.indexOf("\0") < 0) return v;
  }
  return undefined;
}

/**
 * Lua 5.1's `string.format(fmt, ...)`. `args` are the arguments after the format (Lua's
 * #2, #3, ...); a missing one is "no value". Errors are LuaErrors with lstrlib.c's bare
 * messages (`bad argument #2 to 'format' (number expected, got nil)`).
 */
export function stringFormat(fmt: string, args: readonly unknown[], host: FormatHost): string {
  let out = "";
  let from = 0;
  let argIndex = 0;
  const n = fmt.length;
  let i = fmt.indexOf("%");
  while (i >= 0) {
    out += fmt.slice(from, i);
    i++;
    if (fmt.charCodeAt(i) === 37) {
      out += "%";
      from = ++i;
    } else {
      const arg = argIndex + 2;
      if (argIndex >= args.length) throw argError(arg, "no value");
      const v = args[argIndex++];
      const option = fmt.charCodeAt(i);
      let piece = simple(option, v);
      if (piece !== undefined) i++;
      else {
        i = scanSpec(fmt, i);
        piece = convert(i < n ? fmt.charCodeAt(i) : 0, v, arg, host);
        i++;
      }
      out += piece;
      from = i;
    }
    i = from < n ? fmt.indexOf("%", from) : -1;
  }
  return from === 0 ? fmt : out + fmt.slice(from);
}
