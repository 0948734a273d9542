/**
 * Lua 5.1's `string.find`, `string.match`, `string.gmatch` and `string.gsub` over byte
 * strings (JS strings whose char codes are 0..255), with lstrlib.c's exact semantics and
 * error messages (bare, without position).
 *
 * ```ts
 * patternFind("hello world", "o w", undefined, false); // [5, 7]
 * patternGsub("abc", "%w", "%0%0", undefined); // ["aabbcc", 3]
 * ```
 *
 * @module
 */

import { LuaError } from "../error.ts";
import { compilePattern } from "./string_pattern_compile.ts";
import {
  acquireState,
  type Capture,
  type MatchState,
  releaseState,
} from "./string_pattern_match.ts";

export type { Capture } from "./string_pattern_match.ts";

const TWO_63 = 9223372036854775808;

/**
 * A Lua number as C's `(ptrdiff_t)` cast makes it on x86-64: truncation toward zero, and
 * -2^63 for NaN and for values out of range.
 */
function toInteger(n: number): number {
  const t = Math.trunc(n);
  return t >= -TWO_63 && t < TWO_63 ? t : -TWO_63;
}

/** 0-based start for a raw `init` argument (posrelat, then clamped to `[0, len]`). */
function startIndex(init: number | undefined, len: number): number {
  if (init === undefined) return 0;
  let pos = toInteger(init);
  if (pos < 0) pos += len + 1;
  if (pos < 0) pos = 0;
  const start = pos - 1;
  return start < 0 ? 0 : start > len ? len : start;
}

/** Whether a C string (up to its first "\0") has one of Lua 5.1's SPECIALS `^$*+?.([%-`. */
function hasSpecials(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    switch (p.charCodeAt(i)) {
      case 0:
        return false;
      case 94:
      case 36:
      case 42:
      case 43:
      case 63:
      case 46:
      case 40:
      case 91:
      case 37:
      case 45:
        return true;
    }
  }
  return false;
}

/** Converts a stack overflow inside the matcher into the Lua error for deep patterns. */
function rethrow(e: unknown): never {
  if (e instanceof RangeError) throw new LuaError("pattern too complex");
  throw e;
}

function findAux(s: string, p: string, init: number | undefined, find: boolean): Capture[] | null {
  const len = s.length;
  let s1 = startIndex(init, len);
  const pat = compilePattern(p, true);
  const lit = pat.literal;
  if (lit !== null) {
    const at = pat.anchored ? (s.startsWith(lit, s1) ? s1 : -1) : s.indexOf(lit, s1);
    if (at < 0) return null;
    return find ? [at + 1, at + lit.length] : [lit];
  }
  const ms = acquireState(s, pat);
  try {
    do {
      if (!pat.anchored) {
        s1 = ms.nextCandidate(s1);
        if (s1 > len) break;
      }
      const e = ms.matchAt(s1);
      if (e >= 0) {
        if (!find) return ms.captures(s1, e);
        const out: Capture[] = [s1 + 1, e];
        for (let i = 0; i < ms.level; i++) out.push(ms.capture(i, s1, e));
        return out;
      }
    } while (s1++ < len && !pat.anchored);
    return null;
  } catch (e) {
    rethrow(e);
  } finally {
    releaseState(ms);
  }
}

/**
 * Lua 5.1's `string.find(s, p, init, plain)`: `[start, end, ...captures]` (1-based,
 * inclusive) or null. `init` is the raw argument (negative counts from the end; undefined
 * means 1). A pattern without special characters, or `plain`, is searched as plain bytes.
 */
export function patternFind(
  s: string,
  p: string,
  init: number | undefined,
  plain: boolean,
): Capture[] | null {
  if (plain || !hasSpecials(p)) {
    const at = s.indexOf(p, startIndex(init, s.length));
    return at < 0 ? null : [at + 1, at + p.length];
  }
  return findAux(s, p, init, true);
}

/**
 * Lua 5.1's `string.match(s, p, init)`: the captures, or `[whole match]` when the pattern
 * has none; null when there is no match.
 */
export function patternMatch(s: string, p: string, init: number | undefined): Capture[] | null {
  return findAux(s, p, init, false);
}

/**
 * Lua 5.1's `string.gmatch(s, p)`: an iterator returning each match's captures (or the
 * whole match), then null. As in 5.1, a leading `^` is an ordinary byte here.
 */
export function patternGmatch(s: string, p: string): () => Capture[] | null {
  const pat = compilePattern(p, false);
  const len = s.length;
  let pos = 0;
  return (): Capture[] | null => {
    const ms = acquireState(s, pat);
    try {
      for (let src = pos; src <= len; src++) {
        src = ms.nextCandidate(src);
        if (src > len) break;
        const e = ms.matchAt(src);
        if (e >= 0) {
          pos = e === src ? e + 1 : e;
          return ms.captures(src, e);
        }
      }
      pos = len + 1;
      return null;
    } catch (e) {
      rethrow(e);
    } finally {
      releaseState(ms);
    }
  };
}

/** A replacement string split into literal text and capture references. */
type ReplacementPart = string | number;

/** Splits a gsub replacement per Lua 5.1's add_s: `%0`-`%9` are captures, `%x` is `x`. */
function parseReplacement(repl: string): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let text = "";
  for (let i = 0; i < repl.length; i++) {
    const c = repl.charCodeAt(i);
    if (c !== 37) {
      text += repl[i];
      continue;
    }
    i++;
    // A trailing `%` reads the C string's terminating "\0", which 5.1 then appends.
    const d = i < repl.length ? repl.charCodeAt(i) : 0;
    if (d < 48 || d > 57) text += String.fromCharCode(d);
    else {
      if (text !== "") parts.push(text);
      text = "";
      parts.push(d - 48);
    }
  }
  if (text !== "") parts.push(text);
  return parts;
}

function expand(ms: MatchState, parts: ReplacementPart[], s: number, e: number): string {
  let out = "";
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    if (typeof part === "string") out += part;
    else if (part === 0) out += ms.src.substring(s, e);
    else {
      const v = ms.capture(part - 1, s, e);
      out += typeof v === "number" ? String(v) : v;
    }
  }
  return out;
}

/** `luaL_optint`: the C `(int)` of the `(ptrdiff_t)` of a number. */
function toInt(n: number): number {
  const t = toInteger(n);
  if (t >= -2147483648 && t <= 2147483647) return t;
  return Number(BigInt.asIntN(32, BigInt(t)));
}

/**
 * Lua 5.1's `string.gsub(s, p, repl, n)`: `[result, substitutions]`. `repl` is a string
 * (with `%0`-`%9` and `%x` escapes) or a callback given the captures (the whole match when
 * the pattern has none) that returns the replacement, or undefined to keep the match.
 * `maxN` is the raw `n` argument (undefined: no limit).
 */
export function patternGsub(
  s: string,
  p: string,
  repl: string | ((captures: Capture[]) => string | undefined),
  maxN: number | undefined,
): [string, number] {
  const limit = maxN === undefined ? Infinity : toInt(maxN);
  const pat = compilePattern(p, true);
  const len = s.length;
  const parts = typeof repl === "string" ? parseReplacement(repl) : null;
  const constant = parts !== null && parts.length <= 1 && typeof parts[0] !== "number"
    ? (parts[0] as string | undefined) ?? ""
    : null;
  const lit = pat.literal;
  let out = "";
  let copyFrom = 0;
  let n = 0;
  if (lit !== null && constant !== null) {
    let at = pat.anchored ? (s.startsWith(lit, 0) ? 0 : -1) : s.indexOf(lit, 0);
    while (at >= 0 && n < limit) {
      n++;
      out += s.substring(copyFrom, at) + constant;
      copyFrom = at + lit.length;
      if (pat.anchored) break;
      at = s.indexOf(lit, copyFrom);
    }
    return [out + s.substring(copyFrom), n];
  }
  const ms = acquireState(s, pat);
  let inCallback = false;
  try {
    let src = 0;
    while (n < limit) {
      if (!pat.anchored) {
        src = ms.nextCandidate(src);
        if (src > len) break;
      }
      const e = ms.matchAt(src);
      if (e >= 0) {
        n++;
        let value: string | undefined;
        if (constant !== null) value = constant;
        else if (parts !== null) value = expand(ms, parts, src, e);
        else {
          const captures = ms.captures(src, e);
          inCallback = true;
          value = (repl as (captures: Capture[]) => string | undefined)(captures);
          inCallback = false;
        }
        if (value !== undefined) {
          out += s.substring(copyFrom, src) + value;
          copyFrom = e;
        }
      }
      if (e > src) src = e;
      else if (src < len) src++;
      else break;
      if (pat.anchored) break;
    }
  } catch (e) {
    if (inCallback) throw e;
    rethrow(e);
  } finally {
    releaseState(ms);
  }
  return [out + s.substring(copyFrom), n];
}
