/**
 * Lua 5.1 patterns compiled once into a flat item list for the matcher in
 * `string_pattern_match.ts`.
 *
 * Lua 5.1 interprets the pattern text on every step; the walk over the pattern is the same
 * whatever the subject (each step moves to a fixed next position), so the pattern splits into
 * one sequence of items. A malformed piece becomes an {@link OP_ERROR} item at the place the C
 * code would raise it: Lua raises those errors only when the matcher reaches them
 * (`("abc"):match("x%")` is nil, `("xbc"):match("x%")` raises).
 *
 * The pattern is a C string in lstrlib.c: it ends at its first "\0" byte.
 *
 * @module
 */

/** End of the pattern: the match succeeds. */
export const OP_END = 0;
/** `$` as the last character: the subject must end here. */
export const OP_END_ANCHOR = 1;
/** `(`: start a capture. */
export const OP_OPEN = 2;
/** `()`: a position capture. */
export const OP_POSITION = 3;
/** `)`: close the innermost open capture. */
export const OP_CLOSE = 4;
/** `%bxy`: a balanced run from `ch` to `ch2`. */
export const OP_BALANCE = 5;
/** `%f[set]`: a frontier. */
export const OP_FRONTIER = 6;
/** `%1`-`%9` (and `%0`, always an error): a back-reference; `ch` is the digit's value. */
export const OP_BACKREF = 7;
/** A malformed piece: raise `errors[i]` when reached. */
export const OP_ERROR = 8;
/** One literal byte `ch`. */
export const OP_CHAR = 9;
/** `.`: any byte. */
export const OP_ANY = 10;
/** A class (`%a`) or a set (`[...]`): byte c matches when `sets[i][c]` is 1. */
export const OP_SET = 11;

/** No quantifier: exactly one. */
export const Q_ONE = 0;
/** `?` */
export const Q_OPT = 1;
/** `*` */
export const Q_STAR = 2;
/** `+` */
export const Q_PLUS = 3;
/** `-` */
export const Q_MIN = 4;

/** A compiled pattern: parallel arrays indexed by item. */
export interface CompiledPattern {
  /** Whether the pattern began with `^` and that `^` was taken as an anchor. */
  readonly anchored: boolean;
  /** Operation per item (`OP_*`). */
  readonly op: Uint8Array;
  /** Quantifier per single-byte item (`Q_*`). */
  readonly quant: Uint8Array;
  /** Byte for OP_CHAR, opening byte for OP_BALANCE, digit for OP_BACKREF. */
  readonly ch: Int32Array;
  /** Closing byte for OP_BALANCE. */
  readonly ch2: Int32Array;
  /** Membership table (256 entries) for OP_SET and OP_FRONTIER, else null. */
  readonly sets: (Uint8Array | null)[];
  /** Message for OP_ERROR items. */
  readonly errors: (string | null)[];
  /** The literal the whole pattern stands for when it is only plain bytes, else null. */
  readonly literal: string | null;
  /**
   * Per item, the byte that must be at the current position for the pattern from that
   * item on to match (looking through capture brackets that cannot raise), or -1.
   */
  readonly lead: Int32Array;
  /**
   * The item that must match at a match's first position (after at most 32 leading
   * captures), or -1: a search may skip starting positions where it cannot match.
   */
  readonly firstItem: number;
}

function buildTable(test: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) if (test(c)) t[c] = 1;
  return t;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);

/** C-locale `<ctype.h>` tests for the class letters of Lua 5.1 (lower case). */
const CLASS_TESTS: Record<string, (c: number) => boolean> = {
  a: isAlpha,
  c: (c) => c < 32 || c === 127,
  d: isDigit,
  l: isLower,
  p: (c) =>
    (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  s: (c) => c === 32 || (c >= 9 && c <= 13),
  u: isUpper,
  w: (c) => isAlpha(c) || isDigit(c),
  x: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
  z: (c) => c === 0,
};

/** Per class byte (`%X`), the table of bytes it matches (a lone byte for non-letters). */
const CLASS_TABLES: Uint8Array[] = [];
for (let cl = 0; cl < 256; cl++) {
  const test = CLASS_TESTS[String.fromCharCode(cl).toLowerCase()];
  if (test !== undefined && isAlpha(cl)) {
    CLASS_TABLES.push(isLower(cl) ? buildTable(test) : buildTable((c) => !test(c)));
  } else {
    CLASS_TABLES.push(buildTable((c) => c === cl));
  }
}

/** Whether `%` followed by byte `cl` is a class (not just an escaped literal). */
function isClassLetter(cl: number): boolean {
  return isAlpha(cl) && CLASS_TESTS[String.fromCharCode(cl).toLowerCase()] !== undefined;
}

const MSG_ENDS_WITH_ESC = "malformed pattern (ends with '%')";
const MSG_MISSING_BRACKET = "malformed pattern (missing ']')";

/** Where the single-byte class starting at `i` ends (exclusive), or an error message. */
function classEnd(p: string, i: number): number | string {
  const n = p.length;
  const c = p.charCodeAt(i++);
  if (c === 37 /* % */) {
    if (i >= n) return MSG_ENDS_WITH_ESC;
    return i + 1;
  }
  if (c === 91 /* [ */) {
    if (p.charCodeAt(i) === 94 /* ^ */) i++;
    do {
      if (i >= n) return MSG_MISSING_BRACKET;
      const d = p.charCodeAt(i++);
      if (d === 37 && i < n) i++;
    } while (p.charCodeAt(i) !== 93 /* ] */);
    return i + 1;
  }
  return i;
}

/** Lua 5.1's matchbracketclass for the set `p[open..close]` (`close` is the `]`). */
function bracketMatches(c: number, p: string, open: number, close: number): boolean {
  let i = open;
  let sig = true;
  if (p.charCodeAt(i + 1) === 94 /* ^ */) {
    sig = false;
    i++;
  }
  while (++i < close) {
    const d = p.charCodeAt(i);
    if (d === 37 /* % */) {
      i++;
      if (CLASS_TABLES[p.charCodeAt(i)][c] === 1) return sig;
    } else if (p.charCodeAt(i + 1) === 45 /* - */ && i + 2 < close) {
      i += 2;
      if (d <= c && c <= p.charCodeAt(i)) return sig;
    } else if (d === c) return sig;
  }
  return !sig;
}

function bracketTable(p: string, open: number, close: number): Uint8Array {
  return buildTable((c) => bracketMatches(c, p, open, close));
}

/** Item list under construction. */
class Builder {
  op: number[] = [];
  quant: number[] = [];
  ch: number[] = [];
  ch2: number[] = [];
  sets: (Uint8Array | null)[] = [];
  errors: (string | null)[] = [];

  add(op: number, ch = 0, ch2 = 0, set: Uint8Array | null = null, quant = Q_ONE): void {
    this.op.push(op);
    this.quant.push(quant);
    this.ch.push(ch);
    this.ch2.push(ch2);
    this.sets.push(set);
    this.errors.push(null);
  }

  fail(message: string): void {
    this.add(OP_ERROR);
    this.errors[this.errors.length - 1] = message;
  }
}

/** Adds the single-byte item `p[i..ep)` with its quantifier; returns the next position. */
function addSingle(b: Builder, p: string, i: number, ep: number): number {
  const c = p.charCodeAt(i);
  const q = p.charCodeAt(ep);
  const quant = q === 63 ? Q_OPT : q === 42 ? Q_STAR : q === 43 ? Q_PLUS : q === 45 ? Q_MIN : Q_ONE;
  if (c === 46 /* . */) b.add(OP_ANY, 0, 0, null, quant);
  else if (c === 37 /* % */) {
    const cl = p.charCodeAt(i + 1);
    if (isClassLetter(cl)) b.add(OP_SET, 0, 0, CLASS_TABLES[cl], quant);
    else b.add(OP_CHAR, cl, 0, null, quant);
  } else if (c === 91 /* [ */) b.add(OP_SET, 0, 0, bracketTable(p, i, ep - 1), quant);
  else b.add(OP_CHAR, c, 0, null, quant);
  return quant === Q_ONE ? ep : ep + 1;
}

/** Parses `p` from `i` into `b`, stopping at the end or at the first malformed piece. */
function parseItems(b: Builder, p: string, i: number): void {
  const n = p.length;
  for (;;) {
    if (i >= n) return b.add(OP_END);
    const c = p.charCodeAt(i);
    const next = i + 1 < n ? p.charCodeAt(i + 1) : 0;
    if (c === 40 /* ( */) {
      if (next === 41 /* ) */) {
        b.add(OP_POSITION);
        i += 2;
      } else {
        b.add(OP_OPEN);
        i++;
      }
    } else if (c === 41 /* ) */) {
      b.add(OP_CLOSE);
      i++;
    } else if (c === 36 /* $ */ && i + 1 === n) {
      b.add(OP_END_ANCHOR);
      return b.add(OP_END);
    } else if (c === 37 /* % */ && next === 98 /* b */) {
      if (i + 3 >= n) return b.fail("unbalanced pattern");
      b.add(OP_BALANCE, p.charCodeAt(i + 2), p.charCodeAt(i + 3));
      i += 4;
    } else if (c === 37 && next === 102 /* f */) {
      i += 2;
      if (p.charCodeAt(i) !== 91 /* [ */) return b.fail("missing '[' after '%f' in pattern");
      const ep = classEnd(p, i);
      if (typeof ep === "string") return b.fail(ep);
      b.add(OP_FRONTIER, 0, 0, bracketTable(p, i, ep - 1));
      i = ep;
    } else if (c === 37 && isDigit(next)) {
      b.add(OP_BACKREF, next - 48);
      i += 2;
    } else {
      const ep = classEnd(p, i);
      if (typeof ep === "string") return b.fail(ep);
      i = addSingle(b, p, i, ep);
    }
  }
}

function literalOf(b: Builder): string | null {
  let text = "";
  for (let k = 0; k < b.op.length - 1; k++) {
    if (b.op[k] !== OP_CHAR || b.quant[k] !== Q_ONE) return null;
    text += String.fromCharCode(b.ch[k]);
  }
  return text.length > 0 && b.op[b.op.length - 1] === OP_END ? text : null;
}

function leadsOf(b: Builder): Int32Array {
  const n = b.op.length;
  // Static capture bookkeeping: how many captures are started, and how many still open,
  // before each item (the same on every path through the pattern).
  const started = new Int32Array(n);
  const open = new Int32Array(n);
  for (let k = 0, s = 0, o = 0; k < n; k++) {
    started[k] = s;
    open[k] = o;
    const op = b.op[k];
    if (op === OP_OPEN) s++, o++;
    else if (op === OP_POSITION) s++;
    else if (op === OP_CLOSE && o > 0) o--;
  }
  const lead = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    let j = k;
    for (; j < n; j++) {
      const op = b.op[j];
      const quiet = op === OP_CLOSE
        ? open[j] > 0
        : (op === OP_OPEN || op === OP_POSITION) && started[j] < MAX_CAPTURES;
      if (!quiet) break;
    }
    if (j < n && b.op[j] === OP_CHAR && (b.quant[j] === Q_ONE || b.quant[j] === Q_PLUS)) {
      lead[k] = b.ch[j];
    }
  }
  return lead;
}

function firstItemOf(b: Builder): number {
  let k = 0;
  while (k < b.op.length && k <= 32 && (b.op[k] === OP_OPEN || b.op[k] === OP_POSITION)) k++;
  if (k > 32 || k >= b.op.length) return -1;
  const op = b.op[k];
  if ((op === OP_CHAR || op === OP_SET) && (b.quant[k] === Q_ONE || b.quant[k] === Q_PLUS)) {
    return k;
  }
  return -1;
}

/** Compiles `p` (already cut at its first "\0"); `anchorAware` takes a leading `^` as anchor. */
function compile(p: string, anchorAware: boolean): CompiledPattern {
  const anchored = anchorAware && p.charCodeAt(0) === 94;
  const b = new Builder();
  parseItems(b, p, anchored ? 1 : 0);
  return {
    anchored,
    op: Uint8Array.from(b.op),
    quant: Uint8Array.from(b.quant),
    ch: Int32Array.from(b.ch),
    ch2: Int32Array.from(b.ch2),
    sets: b.sets,
    errors: b.errors,
    literal: literalOf(b),
    lead: leadsOf(b),
    firstItem: firstItemOf(b),
  };
}

const CACHE_LIMIT = 512;
/** Lua 5.1's LUA_MAXCAPTURES. */
const MAX_CAPTURES = 32;
const anchorCache = new Map<string, CompiledPattern>();
const literalCaretCache = new Map<string, CompiledPattern>();

/**
 * The compiled form of Lua pattern `p`, from a small cache. `anchorAware` is true for
 * find/match/gsub (a leading `^` anchors) and false for gmatch (Lua 5.1's gmatch takes `^`
 * as a literal byte).
 */
export function compilePattern(p: string, anchorAware: boolean): CompiledPattern {
  const cache = anchorAware ? anchorCache : literalCaretCache;
  let compiled = cache.get(p);
  if (compiled === undefined) {
    const nul = p.indexOf("\0");
    compiled = compile(nul < 0 ? p : p.slice(0, nul), anchorAware);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(p, compiled);
  }
  return compiled;
}
