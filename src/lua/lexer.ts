/**
 * Lua 5.1's lexer over a byte string (a JavaScript string whose char codes are 0..255), with
 * 5.1's error texts (`unfinished string near '"abc'`, `malformed number near '3x'`).
 *
 * @module
 */

import { LuaError } from "./error.ts";

/** Reserved words of Lua 5.1. */
const KEYWORDS = new Set([
  "and",
  "break",
  "do",
  "else",
  "elseif",
  "end",
  "false",
  "for",
  "function",
  "if",
  "in",
  "local",
  "nil",
  "not",
  "or",
  "repeat",
  "return",
  "then",
  "true",
  "until",
  "while",
]);

/** A token: `type` is the keyword or symbol itself, or `<name>`, `<string>`, `<number>`, `<eof>`. */
export interface Token {
  type: string;
  /** The name, the string's bytes, or the number. */
  value: string | number;
  /** The text shown in `near '...'` of error messages. */
  raw: string;
  line: number;
}

/**
 * Lua 5.1's luaO_chunkid: the name a chunk has in messages. `=name` is `name`, `@file` is
 * `file`, anything else is `[string "first line..."]`.
 */
export function chunkId(source: string): string {
  const size = 80; // LUA_IDSIZE of the Debian build the differential tests compare with
  if (source.startsWith("=")) return source.slice(1, size);
  if (source.startsWith("@")) {
    const name = source.slice(1);
    const room = size - 8;
    return name.length > room ? "..." + name.slice(name.length - room) : name;
  }
  const firstLine = /^[^\n\r]*/.exec(source)![0];
  const room = size - 17;
  const len = Math.min(firstLine.length, room);
  if (len < source.length) return `[string "${source.slice(0, len)}..."]`;
  return `[string "${source}"]`;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Lua 5.1's string-to-number conversion (luaO_str2d): decimal with optional exponent, or hex
 * `0x...`, surrounded by optional whitespace. Returns undefined when `s` is not a number.
 */
export function str2number(s: string): number | undefined {
  const m = /^[\t\n\v\f\r ]*(.*?)[\t\n\v\f\r ]*$/s.exec(s)!;
  const body = m[1];
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(body)) return Number(body);
  const hex = /^([-+]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([-+]?\d+))?$/.exec(body);
  if (hex !== null && (hex[2] !== "" || (hex[3] ?? "") !== "")) {
    // strtod's hexadecimal form (glibc): digits, an optional fraction and a binary exponent.
    let n = hex[2] === "" ? 0 : parseInt(hex[2], 16);
    const frac = hex[3] ?? "";
    for (let i = 0; i < frac.length; i++) n += parseInt(frac[i], 16) / 16 ** (i + 1);
    if (hex[4] !== undefined) n *= 2 ** Number(hex[4]);
    return hex[1] === "-" ? -n : n;
  }
  if (/^[-+]?(inf|infinity|nan)$/i.test(body)) {
    // strtod accepts these names.
    const neg = body[0] === "-";
    const v = /nan/i.test(body) ? NaN : Infinity;
    return neg ? -v : v;
  }
  return undefined;
}

/** A stream of tokens over one chunk. */
export class Lexer {
  private pos = 0;
  line = 1;
  /** The line of the last token consumed (5.1's lastline). */
  lastLine = 1;
  current!: Token;
  private ahead: Token | undefined;

  constructor(private readonly src: string, readonly chunk: string) {}

  /** Raises `chunk:line: msg near 'token'`. */
  error(msg: string, near?: string, line: number = this.line): never {
    throw new LuaError(
      `${this.chunk}:${line}: ${msg}${near === undefined ? "" : ` near '${near}'`}`,
    );
  }

  /** Moves to the next token. */
  next(): void {
    this.lastLine = this.current?.line ?? 1;
    if (this.ahead !== undefined) {
      this.current = this.ahead;
      this.ahead = undefined;
    } else this.current = this.scan();
  }

  /** The token after the current one. */
  peek(): Token {
    if (this.ahead === undefined) this.ahead = this.scan();
    return this.ahead;
  }

  private tok(type: string, value: string | number, raw: string): Token {
    return { type, value, raw, line: this.line };
  }

  private newline(): void {
    const s = this.src;
    const c = s.charCodeAt(this.pos);
    this.pos++;
    const d = s.charCodeAt(this.pos);
    if ((d === 10 || d === 13) && d !== c) this.pos++;
    this.line++;
  }

  private scan(): Token {
    const s = this.src;
    for (;;) {
      if (this.pos >= s.length) return this.tok("<eof>", "", "<eof>");
      const c = s.charCodeAt(this.pos);
      if (c === 10 || c === 13) {
        this.newline();
        continue;
      }
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      if (c === 45 && s.charCodeAt(this.pos + 1) === 45) {
        this.pos += 2;
        if (s.charCodeAt(this.pos) === 91) {
          const level = this.longLevel();
          if (level >= 0) {
            this.longString(level, true);
            continue;
          }
        }
        while (this.pos < s.length) {
          const d = s.charCodeAt(this.pos);
          if (d === 10 || d === 13) break;
          this.pos++;
        }
        continue;
      }
      if (isAlpha(c)) {
        const start = this.pos;
        while (this.pos < s.length && isAlnum(s.charCodeAt(this.pos))) this.pos++;
        const word = s.slice(start, this.pos);
        return KEYWORDS.has(word) ? this.tok(word, word, word) : this.tok("<name>", word, word);
      }
      if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(this.pos + 1)))) return this.number();
      switch (c) {
        case 91: { // [
          const level = this.longLevel();
          if (level >= 0) {
            const line = this.line;
            const start = this.pos;
            const str = this.longString(level, false);
            return { type: "<string>", value: str, raw: this.src.slice(start, this.pos), line };
          }
          if (level === -1) {
            this.pos++;
            return this.tok("[", "[", "[");
          }
          return this.error("invalid long string delimiter", "[=");
        }
        case 61: // =
          return this.two("=", "==");
        case 60:
          return this.two("<", "<=");
        case 62:
          return this.two(">", ">=");
        case 126: // ~
          if (s.charCodeAt(this.pos + 1) === 61) {
            this.pos += 2;
            return this.tok("~=", "~=", "~=");
          }
          this.pos++;
          return this.tok("~", "~", "~");
        case 34:
        case 39:
          return this.string(c);
        case 46: // .
          if (s.charCodeAt(this.pos + 1) === 46) {
            if (s.charCodeAt(this.pos + 2) === 46) {
              this.pos += 3;
              return this.tok("...", "...", "...");
            }
            this.pos += 2;
            return this.tok("..", "..", "..");
          }
          this.pos++;
          return this.tok(".", ".", ".");
        default: {
          this.pos++;
          const ch = String.fromCharCode(c);
          return this.tok(ch, ch, ch);
        }
      }
    }
  }

  private two(one: string, two: string): Token {
    if (this.src.charCodeAt(this.pos + 1) === 61) {
      this.pos += 2;
      return this.tok(two, two, two);
    }
    this.pos++;
    return this.tok(one, one, one);
  }

  /** At '[': the level of `[==[` (0 for `[[`), -1 for a lone '[', -2 for `[=` without '['. */
  private longLevel(): number {
    const s = this.src;
    let p = this.pos + 1;
    let level = 0;
    while (s.charCodeAt(p) === 61) {
      p++;
      level++;
    }
    if (s.charCodeAt(p) === 91) return level;
    return level === 0 ? -1 : -2;
  }

  private longString(level: number, comment: boolean): string {
    const s = this.src;
    this.pos += level + 2;
    if (s.charCodeAt(this.pos) === 10 || s.charCodeAt(this.pos) === 13) this.newline();
    let out = "";
    let start = this.pos;
    for (;;) {
      if (this.pos >= s.length) {
        this.error(comment ? "unfinished long comment" : "unfinished long string", "<eof>");
      }
      const c = s.charCodeAt(this.pos);
      if (c === 93) { // ]
        let p = this.pos + 1;
        let l = 0;
        while (s.charCodeAt(p) === 61) {
          p++;
          l++;
        }
        if (l === level && s.charCodeAt(p) === 93) {
          out += s.slice(start, this.pos);
          this.pos = p + 1;
          return out;
        }
        this.pos++;
      } else if (c === 91 && level === 0 && s.charCodeAt(this.pos + 1) === 91) {
        this.error("nesting of [[...]] is deprecated", "[");
      } else if (c === 10 || c === 13) {
        out += s.slice(start, this.pos) + "\n";
        this.newline();
        start = this.pos;
      } else this.pos++;
    }
  }

  private string(quote: number): Token {
    const s = this.src;
    const q = String.fromCharCode(quote);
    this.pos++;
    let out = "";
    for (;;) {
      if (this.pos >= s.length) this.error("unfinished string", "<eof>");
      const c = s.charCodeAt(this.pos);
      if (c === quote) {
        this.pos++;
        return this.tok("<string>", out, q + out + q);
      }
      if (c === 10 || c === 13) this.error("unfinished string", q + out);
      if (c !== 92) {
        out += s[this.pos++];
        continue;
      }
      this.pos++;
      const e = s.charCodeAt(this.pos);
      const simple: Record<number, string> = {
        97: "\x07",
        98: "\b",
        102: "\f",
        110: "\n",
        114: "\r",
        116: "\t",
        118: "\v",
      };
      if (simple[e] !== undefined) {
        out += simple[e];
        this.pos++;
      } else if (e === 10 || e === 13) {
        out += "\n";
        this.newline();
      } else if (this.pos >= s.length) {
        continue; // reported as unfinished string
      } else if (isDigit(e)) {
        let n = 0;
        let i = 0;
        while (i < 3 && isDigit(s.charCodeAt(this.pos))) {
          n = n * 10 + s.charCodeAt(this.pos) - 48;
          this.pos++;
          i++;
        }
        if (n > 255) this.error("escape sequence too large", q + out);
        out += String.fromCharCode(n);
      } else {
        out += s[this.pos++];
      }
    }
  }

  private number(): Token {
    const s = this.src;
    const start = this.pos;
    while (isDigit(s.charCodeAt(this.pos)) || s.charCodeAt(this.pos) === 46) this.pos++;
    const c = s.charCodeAt(this.pos);
    if (c === 69 || c === 101) {
      this.pos++;
      const d = s.charCodeAt(this.pos);
      if (d === 43 || d === 45) this.pos++;
    }
    while (isAlnum(s.charCodeAt(this.pos))) this.pos++;
    const raw = s.slice(start, this.pos);
    const n = str2number(raw);
    if (n === undefined || /[^0-9a-fA-FxX.eE+-]/.test(raw)) this.error("malformed number", raw);
    return this.tok("<number>", n, raw);
  }
}
