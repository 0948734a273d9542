// Differential test of the Lua 5.1 pattern functions against the `lua5.1` binary: every
// case runs once in lua5.1 (one generated script for the whole file) and in-process, and the
// encoded results (or error messages) must be equal.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  type Capture,
  patternFind,
  patternGmatch,
  patternGsub,
  patternMatch,
} from "../../src/lua/lib/string_pattern.ts";
import { numberToString } from "../../src/lua/lib/string_format.ts";
import { LuaError } from "../../src/lua/error.ts";

const probe = spawnSync("lua5.1", ["-v"], { encoding: "latin1" });
const skip = probe.error ? "lua5.1 is not on the PATH (CI installs it)" : false;

/** A Lua string literal for a byte string (decimal escapes for anything unusual). */
function luaQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 32 && c < 127 && c !== 34 && c !== 92 ? s[i] : "\\" + String(c).padStart(3, "0");
  }
  return out + '"';
}

function hex(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(2, "0");
  return out;
}

function encodeValues(values: readonly (Capture | undefined)[]): string {
  return values.map((v) =>
    typeof v === "string" ? "s" + hex(v) : typeof v === "number" ? "n" + v : "z"
  ).join(" ");
}

type Op =
  | { kind: "find"; s: string; p: string; init?: number; plain?: boolean }
  | { kind: "match"; s: string; p: string; init?: number }
  | { kind: "gmatch"; s: string; p: string }
  | { kind: "gsub"; s: string; p: string; repl: string; n?: number }
  | { kind: "gsubf"; s: string; p: string; cb: "cat" | "odd"; n?: number };

const LUA_PRELUDE = `
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function enc(...)
  local t = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then t[i] = "s" .. hex(v)
    elseif type(v) == "number" then t[i] = "n" .. string.format("%.17g", v)
    else t[i] = "z" end
  end
  return table.concat(t, " ")
end
local function R(ok, ...)
  if ok then print(enc(...)) else print("e" .. hex((tostring((...)):gsub("^stdin:%d+: ", "")))) end
end
local function pack(...) return { n = select("#", ...), ... } end
local function GM(s, p)
  local it, out = string.gmatch(s, p), {}
  for _ = 1, 60 do
    local r = pack(it())
    if r[1] == nil then break end
    out[#out + 1] = enc(unpack(r, 1, r.n))
  end
  return table.concat(out, ";")
end
local CB = {
  cat = function(...)
    local t = {}
    for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end
    return "<" .. table.concat(t, ",") .. ">"
  end,
  odd = function(c) c = tostring(c) if #c % 2 == 1 then return nil end return "[" .. c .. "]" end,
}
`;

/** A Lua expression for a number argument (String() round-trips through Lua's strtod). */
const opt = (v: number | undefined): string =>
  v === undefined
    ? "nil"
    : v !== v
    ? "(0/0)"
    : Math.abs(v) === Infinity
    ? `(${v < 0 ? "-" : ""}1/0)`
    : `(${v})`;

function luaCall(op: Op): string {
  const s = luaQuote(op.s);
  const p = luaQuote(op.p);
  switch (op.kind) {
    case "find":
      return `R(pcall(string.find, ${s}, ${p}, ${opt(op.init)}, ${op.plain ? "true" : "nil"}))`;
    case "match":
      return `R(pcall(string.match, ${s}, ${p}, ${opt(op.init)}))`;
    case "gmatch":
      return `R(pcall(GM, ${s}, ${p}))`;
    case "gsub":
      return `R(pcall(string.gsub, ${s}, ${p}, ${luaQuote(op.repl)}, ${opt(op.n)}))`;
    case "gsubf":
      return `R(pcall(string.gsub, ${s}, ${p}, CB.${op.cb}, ${opt(op.n)}))`;
  }
}

const callbacks = {
  cat: (c: Capture[]): string =>
    "<" + c.map((v) => (typeof v === "number" ? numberToString(v) : v)).join(",") + ">",
  odd: (c: Capture[]): string | undefined => {
    const v = typeof c[0] === "number" ? numberToString(c[0]) : c[0];
    return v.length % 2 === 1 ? undefined : "[" + v + "]";
  },
};

function runOurs(op: Op): string {
  try {
    switch (op.kind) {
      case "find":
        return encodeValues(patternFind(op.s, op.p, op.init, op.plain ?? false) ?? [undefined]);
      case "match":
        return encodeValues(patternMatch(op.s, op.p, op.init) ?? [undefined]);
      case "gmatch": {
        const it = patternGmatch(op.s, op.p);
        const out: string[] = [];
        for (let k = 0; k < 60; k++) {
          const r = it();
          if (r === null) break;
          out.push(encodeValues(r));
        }
        return encodeValues([out.join(";")]);
      }
      case "gsub":
        return encodeValues(patternGsub(op.s, op.p, op.repl, op.n));
      case "gsubf":
        return encodeValues(patternGsub(op.s, op.p, callbacks[op.cb], op.n));
    }
  } catch (e) {
    if (e instanceof LuaError) return "e" + hex(e.message);
    throw e;
  }
}

function runLua(ops: readonly Op[]): string[] {
  const script = LUA_PRELUDE + ops.map(luaCall).join("\n") + "\n";
  const r = spawnSync("lua5.1", ["-"], { input: script, encoding: "latin1", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  lines.pop();
  assert.equal(lines.length, ops.length);
  return lines;
}

function compareAll(ops: readonly Op[]): void {
  const expected = runLua(ops);
  const failures: string[] = [];
  for (let k = 0; k < ops.length; k++) {
    const got = runOurs(ops[k]);
    if (got !== expected[k] && failures.length < 10) {
      failures.push(`${luaCall(ops[k])}\n  lua5.1: ${expected[k]}\n  ours:   ${got}`);
    }
  }
  assert.deepEqual(failures, []);
}

// ---- hand-written cases --------------------------------------------------------------

const HAND: Op[] = [];
const find = (s: string, p: string, init?: number, plain?: boolean): void => {
  HAND.push({ kind: "find", s, p, init, plain });
};
const match = (s: string, p: string, init?: number): void => {
  HAND.push({ kind: "match", s, p, init });
};
const gmatch = (s: string, p: string): void => {
  HAND.push({ kind: "gmatch", s, p });
};
const gsub = (s: string, p: string, repl: string, n?: number): void => {
  HAND.push({ kind: "gsub", s, p, repl, n });
};
const gsubf = (s: string, p: string, cb: "cat" | "odd", n?: number): void => {
  HAND.push({ kind: "gsubf", s, p, cb, n });
};

let allBytes = "";
for (let c = 0; c < 256; c++) allBytes += String.fromCharCode(c);
for (const cl of "acdlpsuwxzACDLPSUWXZ") gsub(allBytes, "%" + cl, "");
for (const cl of "acdlpsuwxz") gsub(allBytes, "[%" + cl + "_-]+", "<%0>");
for (const p of ["[a-f]", "[^a-f]", "[]]", "[^]]", "[a-]", "[-a]", "[%]]", "[%a-z]", "[z-a]"]) {
  gsub(allBytes, p, ".");
}
for (const p of ["[]", "[^]", "[a", "[%", "%", "a%", "[a%]", "%f", "%fx", "%f[a", "%b", "%ba"]) {
  find("xyz abc", p);
  match("", p);
}
find("abc", "x%");
find("xbc", "x%");
match("abc", "x%");
match("xbc", "x%");
for (const s of ["hello world", "", "a.b.c", "a+b", "a\0b\0c", "\0\0"]) {
  for (
    const p of ["o", "l+", ".", "%.", "a.b", "^h", "d$", "^$", "", "o w", "%z", "\0b", ".b\0c"]
  ) {
    find(s, p);
    find(s, p, undefined, true);
    match(s, p);
    gmatch(s, p);
    gsub(s, p, "[%0]");
  }
}
for (const init of [-100, -3, -1, 0, 1, 2, 3, 4, 5, 10, 1.5, -1.5, 1e300, -1e300, 2 ** 63, NaN]) {
  find("abc", "", init);
  find("abc", "c", init);
  find("abc", "b", init, true);
  match("abc", "()", init);
  match("abc", "^(.)", init);
}
match("f(a(b)c)d", "%b()");
match("f(a(b)c", "%b()");
match("((x)", "%b()");
gsub("THE (quick) fox", "%f[%a]%a+", "W");
gsub("THE (quick) fox", "%f[%A]", "|");
gsub("\0x\0", "%f[%z]", "|");
gsub("\0x\0", "%f[^%z]", "|");
gsub("aaa", "%f[a]", "|");
match("key = value", "(%w+)%s*=%s*(%w+)");
match("  x", "^%s*()");
match("hello", "()ll()");
match("abcabc", "(abc)%1");
match("abcab", "(abc)%1");
match("abc", "(a)%2");
match("abc", "%0");
match("abc", "(a%1)");
match("abc", "()%1");
match("aaab", "a-b");
match("aaab", "a-");
match("aaa", "^a-$");
match("[[x]]", "%[(.-)%]");
match("abc", "((a)(b)(c))");
match("abc", "(a");
match("abc", "a)");
match("abc", "a(");
match("abc", "(()");
match("x", "(".repeat(32) + "x" + ")".repeat(32));
match("x", "(".repeat(33) + "x" + ")".repeat(33));
match("a", "()".repeat(33));
match("^a", "^^a");
match("a$b", "a$b");
match("a$", "a$$");
match("a", "a$*");
match("a*", "a%*");
match("x", "[%w_]*x");
for (const p of ["^.", ".", "^a", "a^", "a*", "", "%a+", "()", "(a)(b)", "^"]) {
  gmatch("^a^b ab", p);
  gsub("^a^b ab", p, "<%0>");
  gsub("^a^b ab", p, "-", 2);
}
gsub("abc", "", "-");
gsub("abc", "b*", "-");
gsub("abc", ".-", "-");
gsub("hello world", "(%w+)", "<%1>");
gsub("hello world", "(%w+) (%w+)", "%2 %1");
gsub("abc", "%w", "%0%0");
gsub("abc", "%w", "%%");
gsub("abc", "%w", "%");
gsub("abc", "%w", "%x%");
gsub("abc", "%w", "%1");
gsub("abc", "%w", "%2");
gsub("abc", "(%w)", "%2");
gsub("abc", "()", "%1");
gsub("abc", "(", "x");
gsub("abc", "(", "%1");
gsub("abc", "b", "x", 0);
gsub("abc", "b", "x", -1);
gsub("abcb", "b", "x", 1.9);
gsub("abcb", "b", "x", 2 ** 32);
gsub("abcb", "b", "x", 2 ** 32 + 1);
gsub("abcb", "b", "x", NaN);
gsub("abcb", "^b", "x");
gsub("bcb", "^b", "x");
gsub("bbb", "^b*", "x");
gsub("a,b,,c", ",", ";");
gsub("a,b,,c", ",", ";", 2);
gsubf("hello world", "%w+", "cat");
gsubf("hello world", "(h)(e)", "cat");
gsubf("hello world", "()o()", "cat");
gsubf("hello world from lua", "%w+", "odd");
gsubf("abc", "", "cat");
gsubf("abc", "(", "cat");
// Deep patterns: Lua 5.1 recurses as deep as the pattern; ours stops at MAX_MATCH_DEPTH.
match("a".repeat(300), "a?".repeat(300));
match("a".repeat(2000), ".-b");
match("a".repeat(100000) + "b", "a*b");
match("a".repeat(100000) + "b", "^a-b");
match("a".repeat(2000), "(a*)%1");
gsub("x".repeat(50000), "x", "yz");

// ---- generated cases -----------------------------------------------------------------

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(0x5eed);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const SUBJECT_CHARS = "aaabbbcccxyz   0123()[]%.-_\n\t\0\xff";
function subject(): string {
  let s = "";
  const n = int(int(4) === 0 ? 60 : 16);
  for (let i = 0; i < n; i++) {
    s += int(10) === 0 ? String.fromCharCode(int(256)) : pick([...SUBJECT_CHARS]);
  }
  return s;
}

const CLASSES = [..."acdlpsuwxzACDLPSUWXZ"];
const LITERALS = [..."abcxyz 0123_\n"];
function setText(): string {
  let body = int(4) === 0 ? "^" : "";
  const n = 1 + int(3);
  for (let i = 0; i < n; i++) {
    const k = int(4);
    if (k === 0) body += "%" + pick(CLASSES);
    else if (k === 1) body += pick(["a-c", "0-9", "x-z", "%]", "%-", "-"]);
    else body += pick(LITERALS);
  }
  return "[" + body + "]";
}

function single(): string {
  const k = int(6);
  if (k === 0) return ".";
  if (k === 1) return "%" + pick(CLASSES);
  if (k === 2) return setText();
  if (k === 3) return "%" + pick([..."().%[]-*+?$^"]);
  return pick(LITERALS);
}

function piece(depth: number, open: number[]): string {
  const k = int(12);
  if (k === 0 && depth < 3) {
    open[0]++;
    const inner = pieces(1 + int(3), depth + 1, open);
    return "(" + inner + ")";
  }
  if (k === 1) return "()";
  if (k === 2) return pick(["%b()", "%b[]", "%bab"]);
  if (k === 3) return "%f" + setText();
  if (k === 4 && open[0] > 0) return "%" + (1 + int(open[0]));
  return single() + pick(["", "", "", "*", "+", "-", "?"]);
}

function pieces(n: number, depth: number, open: number[]): string {
  let p = "";
  for (let i = 0; i < n; i++) p += piece(depth, open);
  return p;
}

function pattern(): string {
  let p = (int(5) === 0 ? "^" : "") + pieces(1 + int(4), 0, [0]) + (int(6) === 0 ? "$" : "");
  // Now and then a malformed or truncated pattern, to compare errors.
  if (int(12) === 0) p = p.slice(0, int(p.length + 1));
  if (int(30) === 0) p += pick(["%", "[", "(", ")", "%b", "%f"]);
  return p;
}

const REPLS = ["", "-", "%0", "<%1>", "%2%1", "%%", "x%", "%a", "[%0|%1]"];
const GENERATED: Op[] = [];
for (let k = 0; k < 8000; k++) {
  const s = subject();
  const p = pattern();
  const init = int(3) === 0 ? int(s.length + 6) - 3 : undefined;
  switch (int(6)) {
    case 0:
      GENERATED.push({ kind: "find", s, p, init, plain: int(8) === 0 });
      break;
    case 1:
      GENERATED.push({ kind: "match", s, p, init });
      break;
    case 2:
      GENERATED.push({ kind: "gmatch", s, p });
      break;
    case 3:
    case 4:
      GENERATED.push({
        kind: "gsub",
        s,
        p,
        repl: pick(REPLS),
        n: int(4) === 0 ? int(4) : undefined,
      });
      break;
    default:
      GENERATED.push({ kind: "gsubf", s, p, cb: pick(["cat", "odd"] as const) });
  }
}

describe("Lua 5.1 patterns, differential against lua5.1", { skip }, () => {
  it(`hand-written cases (${HAND.length}) give lua5.1's results and errors`, () => {
    compareAll(HAND);
  });
  it(`generated cases (${GENERATED.length}) give lua5.1's results and errors`, () => {
    compareAll(GENERATED);
  });
});

describe("Lua 5.1 patterns, limits", () => {
  it("a pattern deeper than the matcher's bound raises a Lua error, not a RangeError", () => {
    assert.throws(
      () => patternMatch("a".repeat(5000), "a?".repeat(5000), undefined),
      (e: unknown) => e instanceof LuaError && e.message === "pattern too complex",
    );
  });
  it("single-byte repetition over a long subject does not recurse", () => {
    const s = "a".repeat(1_000_000);
    assert.deepEqual(patternFind(s, "a-$", undefined, false), [1, s.length]);
    assert.deepEqual(patternMatch(s + "b", "[%w]+b", undefined), [s + "b"]);
  });
  it("a gsub callback that throws a RangeError passes it through unchanged", () => {
    assert.throws(() =>
      patternGsub("abc", "%w", () => {
        throw new RangeError("boom");
      }, undefined), (e: unknown) => e instanceof RangeError && e.message === "boom");
  });
});
