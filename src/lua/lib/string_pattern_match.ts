/**
 * The Lua 5.1 pattern matcher (lstrlib.c's `match`) over a compiled pattern and a byte
 * string. Positions are 0-based byte offsets; a failed match is -1.
 *
 * Single-byte repetitions (`*`, `+`, `-`) loop as Lua's max_expand/min_expand do; the
 * matcher recurses only where Lua does (captures, `?`, and the rest of the pattern after a
 * repetition), so its depth is at most the number of items. Lua 5.1 has no bound on that
 * depth (a huge pattern can overflow the C stack); here it is bounded by
 * {@link MAX_MATCH_DEPTH} and exceeding it raises "pattern too complex", the message later
 * Lua versions use for the same limit.
 *
 * @module
 */

import { LuaError } from "../error.ts";
import {
  type CompiledPattern,
  OP_ANY,
  OP_BACKREF,
  OP_BALANCE,
  OP_CHAR,
  OP_CLOSE,
  OP_END,
  OP_END_ANCHOR,
  OP_ERROR,
  OP_FRONTIER,
  OP_OPEN,
  OP_POSITION,
  OP_SET,
  Q_MIN,
  Q_ONE,
  Q_OPT,
  Q_PLUS,
  Q_STAR,
} from "./string_pattern_compile.ts";

/** A capture: a byte string, or a 1-based position for `()`. */
export type Capture = string | number;

/** Lua 5.1's LUA_MAXCAPTURES. */
export const MAX_CAPTURES = 32;
/** Deepest matcher recursion allowed before "pattern too complex". */
export const MAX_MATCH_DEPTH = 1000;

const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;

/** The state of one match attempt over `src` (Lua's MatchState). */
export class MatchState {
  /** The subject. */
  src = "";
  /** The subject's length in bytes. */
  len = 0;
  /** The pattern being matched. */
  pat!: CompiledPattern;
  /** Number of captures started (finished or not). */
  level = 0;
  /** Current recursion depth of the matcher. */
  depth = 0;
  /** Start offset of each capture. */
  readonly capInit: Int32Array = new Int32Array(MAX_CAPTURES);
  /** Length of each capture, or CAP_UNFINISHED / CAP_POSITION. */
  readonly capLen: Int32Array = new Int32Array(MAX_CAPTURES);

  /** Prepares the state for matching `pat` against `src`. */
  reset(src: string, pat: CompiledPattern): void {
    this.src = src;
    this.len = src.length;
    this.pat = pat;
  }

  /** Tries the whole pattern at `s`; the end of the match or -1. */
  matchAt(s: number): number {
    this.level = 0;
    this.depth = 0;
    return doMatch(this, s, 0);
  }

  /** Capture `i` of a match `[s, e)` (capture 0 is the whole match when there are none). */
  capture(i: number, s: number, e: number): Capture {
    if (i >= this.level) {
      if (i === 0) return this.src.substring(s, e);
      throw new LuaError("invalid capture index");
    }
    const l = this.capLen[i];
    if (l === CAP_UNFINISHED) throw new LuaError("unfinished capture");
    if (l === CAP_POSITION) return this.capInit[i] + 1;
    const init = this.capInit[i];
    return this.src.substring(init, init + l);
  }

  /** All captures of a match `[s, e)`, or the whole match when the pattern has none. */
  captures(s: number, e: number): Capture[] {
    const n = this.level === 0 ? 1 : this.level;
    const out: Capture[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.capture(i, s, e);
    return out;
  }

  /**
   * The first position at or after `s` where a match can start, judged by the pattern's
   * first mandatory item; `len + 1` when none can.
   */
  nextCandidate(s: number): number {
    const pat = this.pat;
    const k = pat.firstItem;
    if (k < 0) return s;
    const src = this.src;
    const len = this.len;
    if (pat.op[k] === OP_CHAR) {
      const at = src.indexOf(String.fromCharCode(pat.ch[k]), s);
      return at < 0 ? len + 1 : at;
    }
    const set = pat.sets[k]!;
    while (s < len && set[src.charCodeAt(s)] === 0) s++;
    return s < len ? s : len + 1;
  }
}

function singleMatch(pat: CompiledPattern, pi: number, c: number): boolean {
  const op = pat.op[pi];
  if (op === OP_CHAR) return pat.ch[pi] === c;
  if (op === OP_SET) return pat.sets[pi]![c] === 1;
  return op === OP_ANY;
}

function doMatch(ms: MatchState, s: number, pi: number): number {
  if (++ms.depth > MAX_MATCH_DEPTH) throw new LuaError("pattern too complex");
  const r = matchItems(ms, s, pi);
  ms.depth--;
  return r;
}

function matchItems(ms: MatchState, s: number, pi: number): number {
  const pat = ms.pat;
  const src = ms.src;
  const len = ms.len;
  for (;;) {
    switch (pat.op[pi]) {
      case OP_END:
        return s;
      case OP_END_ANCHOR:
        return s === len ? s : -1;
      case OP_OPEN:
        return startCapture(ms, s, pi + 1, CAP_UNFINISHED);
      case OP_POSITION:
        return startCapture(ms, s, pi + 1, CAP_POSITION);
      case OP_CLOSE:
        return endCapture(ms, s, pi + 1);
      case OP_BALANCE:
        s = matchBalance(ms, s, pat.ch[pi], pat.ch2[pi]);
        if (s < 0) return -1;
        pi++;
        continue;
      case OP_FRONTIER: {
        const set = pat.sets[pi]!;
        const prev = s === 0 ? 0 : src.charCodeAt(s - 1);
        const cur = s < len ? src.charCodeAt(s) : 0;
        if (set[prev] === 1 || set[cur] === 0) return -1;
        pi++;
        continue;
      }
      case OP_BACKREF:
        s = matchCapture(ms, s, pat.ch[pi]);
        if (s < 0) return -1;
        pi++;
        continue;
      case OP_ERROR:
        throw new LuaError(pat.errors[pi]);
      default: {
        const m = s < len && singleMatch(pat, pi, src.charCodeAt(s));
        switch (pat.quant[pi]) {
          case Q_ONE:
            if (!m) return -1;
            s++;
            pi++;
            continue;
          case Q_OPT:
            if (m && (pat.lead[pi + 1] < 0 || src.charCodeAt(s + 1) === pat.lead[pi + 1])) {
              const r = doMatch(ms, s + 1, pi + 1);
              if (r >= 0) return r;
            }
            pi++;
            continue;
          case Q_STAR:
            return maxExpand(ms, s, pi);
          case Q_PLUS:
            return m ? maxExpand(ms, s + 1, pi) : -1;
          case Q_MIN:
            return minExpand(ms, s, pi);
        }
      }
    }
  }
}

function maxExpand(ms: MatchState, s: number, pi: number): number {
  const pat = ms.pat;
  const src = ms.src;
  const len = ms.len;
  let i = 0;
  const op = pat.op[pi];
  if (op === OP_ANY) i = len - s;
  else if (op === OP_CHAR) {
    const c = pat.ch[pi];
    while (s + i < len && src.charCodeAt(s + i) === c) i++;
  } else {
    const set = pat.sets[pi]!;
    while (s + i < len && set[src.charCodeAt(s + i)] === 1) i++;
  }
  const next = pi + 1;
  if (pat.op[next] === OP_END) return s + i;
  // Only positions holding the byte the rest must start with can succeed.
  const lead = pat.lead[next];
  for (; i >= 0; i--) {
    if (lead >= 0 && src.charCodeAt(s + i) !== lead) continue;
    const r = doMatch(ms, s + i, next);
    if (r >= 0) return r;
  }
  return -1;
}

function minExpand(ms: MatchState, s: number, pi: number): number {
  const pat = ms.pat;
  const src = ms.src;
  const len = ms.len;
  const lead = pat.lead[pi + 1];
  for (;;) {
    if (lead < 0 || src.charCodeAt(s) === lead) {
      const r = doMatch(ms, s, pi + 1);
      if (r >= 0) return r;
    }
    if (s < len && singleMatch(pat, pi, src.charCodeAt(s))) s++;
    else return -1;
  }
}

function startCapture(ms: MatchState, s: number, pi: number, what: number): number {
  const level = ms.level;
  if (level >= MAX_CAPTURES) throw new LuaError("too many captures");
  ms.capInit[level] = s;
  ms.capLen[level] = what;
  ms.level = level + 1;
  const r = doMatch(ms, s, pi);
  if (r < 0) ms.level--;
  return r;
}

function endCapture(ms: MatchState, s: number, pi: number): number {
  let l = ms.level - 1;
  while (l >= 0 && ms.capLen[l] !== CAP_UNFINISHED) l--;
  if (l < 0) throw new LuaError("invalid pattern capture");
  ms.capLen[l] = s - ms.capInit[l];
  const r = doMatch(ms, s, pi);
  if (r < 0) ms.capLen[l] = CAP_UNFINISHED;
  return r;
}

function matchBalance(ms: MatchState, s: number, open: number, close: number): number {
  const src = ms.src;
  const len = ms.len;
  if (s >= len || src.charCodeAt(s) !== open) return -1;
  let depth = 1;
  while (++s < len) {
    const c = src.charCodeAt(s);
    if (c === close) {
      if (--depth === 0) return s + 1;
    } else if (c === open) depth++;
  }
  return -1;
}

function matchCapture(ms: MatchState, s: number, digit: number): number {
  const l = digit - 1;
  if (l < 0 || l >= ms.level || ms.capLen[l] === CAP_UNFINISHED) {
    throw new LuaError("invalid capture index");
  }
  const n = ms.capLen[l];
  // A position capture has a negative length: as in Lua 5.1, it never matches.
  if (n < 0 || ms.len - s < n) return -1;
  const src = ms.src;
  const init = ms.capInit[l];
  for (let k = 0; k < n; k++) {
    if (src.charCodeAt(init + k) !== src.charCodeAt(s + k)) return -1;
  }
  return s + n;
}

const pool: MatchState[] = [];

/** A match state for one library call; give it back with {@link releaseState}. */
export function acquireState(src: string, pat: CompiledPattern): MatchState {
  const ms = pool.pop() ?? new MatchState();
  ms.reset(src, pat);
  return ms;
}

/** Returns a state to the pool (callbacks may nest calls, so states are not shared). */
export function releaseState(ms: MatchState): void {
  ms.src = "";
  if (pool.length < 16) pool.push(ms);
}
