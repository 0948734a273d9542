/**
 * Redis-style glob matching over bytes (a port of Redis's `stringmatchlen`): `*`, `?`,
 * `[abc]`, `[^abc]`, `[a-z]` and `\` escapes. Used by PSUBSCRIBE, PUBSUB CHANNELS, CONFIG GET
 * and the key-value store's KEYS / SCAN MATCH.
 *
 * @module
 */

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const BACKSLASH = 92; // \
const DASH = 45; // -

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

interface MatchState {
  skipLonger: boolean;
}

function match(
  pattern: Uint8Array,
  p: number,
  subject: Uint8Array,
  s: number,
  nocase: boolean,
  state: MatchState,
  nesting: number,
): boolean {
  // Protection against abusive patterns, as Redis.
  if (nesting > 1000) return false;
  const pEnd = pattern.length;
  const sEnd = subject.length;
  // pattern[i] beyond the end reads as 0, like the NUL terminator of Redis's sds strings.
  const at = (i: number): number => (i < pEnd ? pattern[i] : 0);
  while (p < pEnd && s < sEnd) {
    const c = pattern[p];
    if (c === STAR) {
      while (p < pEnd && at(p + 1) === STAR) p++;
      if (p === pEnd - 1) return true;
      while (s < sEnd) {
        if (match(pattern, p + 1, subject, s, nocase, state, nesting + 1)) return true;
        if (state.skipLonger) return false;
        s++;
      }
      state.skipLonger = true;
      return false;
    } else if (c === QUESTION) {
      s++;
    } else if (c === OPEN) {
      p++;
      const not = at(p) === CARET;
      if (not) p++;
      let matched = false;
      const sc = subject[s];
      while (true) {
        const pc = at(p);
        if (pc === BACKSLASH && pEnd - p >= 2) {
          p++;
          if (pattern[p] === sc) matched = true;
        } else if (pc === CLOSE) {
          break;
        } else if (p >= pEnd) {
          p--;
          break;
        } else if (pEnd - p >= 3 && pattern[p + 1] === DASH) {
          let start = pattern[p];
          let end = pattern[p + 2];
          let ch = sc;
          if (start > end) {
            const t = start;
            start = end;
            end = t;
          }
          if (nocase) {
            start = lower(start);
            end = lower(end);
            ch = lower(ch);
          }
          p += 2;
          if (ch >= start && ch <= end) matched = true;
        } else if (nocase ? lower(pc) === lower(sc) : pc === sc) {
          matched = true;
        }
        p++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      s++;
    } else {
      let pc = c;
      if (c === BACKSLASH && pEnd - p >= 2) pc = pattern[++p];
      const sc = subject[s];
      if (nocase ? lower(pc) !== lower(sc) : pc !== sc) return false;
      s++;
    }
    p++;
    if (s === sEnd) {
      while (at(p) === STAR) p++;
      break;
    }
  }
  return p >= pEnd && s === sEnd;
}

/**
 * Matches `subject` against a Redis glob `pattern`, byte by byte, exactly as Redis's
 * `stringmatchlen`: `*` any run, `?` one byte, `[abc]` / `[^abc]` / `[a-z]` classes, and `\`
 * to escape. `nocase` folds ASCII letters (CONFIG GET uses it; KEYS and PSUBSCRIBE do not).
 *
 * @example
 * ```ts
 * import { globMatch } from "./glob.ts";
 *
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * globMatch(bytes("news.[a-c]*"), bytes("news.business")); // true
 * globMatch(bytes("h?llo"), bytes("hllo")); // false
 * ```
 */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  return match(pattern, 0, subject, 0, nocase, { skipLonger: false }, 0);
}
