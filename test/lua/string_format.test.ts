// Differential test of Lua 5.1's string.format and number-to-string conversion against the
// `lua5.1` binary: every case runs once in lua5.1 (one generated script for the whole file)
// and in-process, and the results (or error messages) must be byte-for-byte equal.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { type FormatHost, numberToString, stringFormat } from "../../src/lua/lib/string_format.ts";
import { LuaError } from "../../src/lua/error.ts";

const probe = spawnSync("lua5.1", ["-v"], { encoding: "latin1" });
const skip = probe.error ? "lua5.1 is not on the PATH (CI installs it)" : false;

/** A table stand-in: any object. */
const TABLE = { table: true };
/** Marks an argument left out (Lua's "no value"); only ever last. */
type Arg = number | string | boolean | undefined | typeof TABLE;

const host: FormatHost = {
  tostring: (v) => String(v),
  tonumber: (v) => {
    if (typeof v === "number") return v;
    if (typeof v !== "string" || v.trim() === "" || /inf|nan/i.test(v)) return undefined;
    const n = Number(v);
    return n === n ? n : undefined;
  },
  typeName: (v) =>
    v === undefined
      ? "nil"
      : typeof v === "object"
      ? "table"
      : typeof v === "string"
      ? "string"
      : typeof v === "boolean"
      ? "boolean"
      : "number",
};

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

/**
 * A Lua expression for an exact double. NaN: `0/0` computed at run time has the sign bit
 * set on x86-64 (printed `-nan`), `-(0/0)` has it clear.
 */
function luaNumber(v: number): string {
  if (v !== v) return signOfNaN(v) ? "(0/0)" : "(-(0/0))";
  if (v === Infinity) return "(1/0)";
  if (v === -Infinity) return "(-1/0)";
  return `tonumber("${Object.is(v, -0) ? "-0" : String(v)}")`;
}

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
function signOfNaN(v: number): boolean {
  f64[0] = v;
  return (u8[7] & 0x80) !== 0;
}

function luaArg(v: Arg): string {
  if (typeof v === "number") return luaNumber(v);
  if (typeof v === "string") return luaQuote(v);
  if (v === undefined) return "nil";
  if (typeof v === "boolean") return String(v);
  return "{}";
}

interface Case {
  fmt: string;
  args: Arg[];
}

const LUA_PRELUDE = `
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function F(...) local r = string.format(...) return r end
local function R(ok, v)
  if ok then print("s" .. hex(v)) else print("e" .. hex((tostring(v):gsub("^stdin:%d+: ", "")))) end
end
`;

const luaCall = (c: Case): string =>
  c.fmt === "tostring"
    ? `R(pcall(tostring, ${luaArg(c.args[0])}))`
    : `R(pcall(F, ${[luaQuote(c.fmt), ...c.args.map(luaArg)].join(", ")}))`;

function runOurs(c: Case): string {
  try {
    if (c.fmt === "tostring") return "s" + hex(numberToString(c.args[0] as number));
    return "s" + hex(stringFormat(c.fmt, c.args, host));
  } catch (e) {
    if (e instanceof LuaError) return "e" + hex(e.message);
    throw e;
  }
}

/**
 * JS engines do not always keep a NaN's sign bit (JSC makes NaNs read from typed arrays
 * positive; V8 may canonicalize stored NaNs), so cases with a NaN argument are compared
 * with the sign and padding of `nan` ignored.
 */
function unhexNaNFree(encoded: string): string {
  const bytes = encoded.slice(1).match(/../g) ?? [];
  const text = bytes.map((b) => String.fromCharCode(parseInt(b, 16))).join("");
  return encoded[0] + text.replace(/[-+ ]*(nan|NAN)/g, "$1").replace(/ /g, "");
}

function runLua(cases: readonly Case[]): string[] {
  const script = LUA_PRELUDE + cases.map(luaCall).join("\n") + "\n";
  const r = spawnSync("lua5.1", ["-"], { input: script, encoding: "latin1", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  lines.pop();
  assert.equal(lines.length, cases.length);
  return lines;
}

function compareAll(cases: readonly Case[]): void {
  const expected = runLua(cases);
  const failures: string[] = [];
  for (let k = 0; k < cases.length; k++) {
    let want = expected[k];
    let got = runOurs(cases[k]);
    if (cases[k].args.some((a) => typeof a === "number" && a !== a)) {
      want = unhexNaNFree(want);
      got = unhexNaNFree(got);
    }
    if (got !== want && failures.length < 10) {
      failures.push(`${luaCall(cases[k])}\n  lua5.1: ${want}\n  ours:   ${got}`);
    }
  }
  assert.deepEqual(failures, []);
}

// ---- hand-written cases --------------------------------------------------------------

const zero = [0][0];
const NEG_NAN = zero / zero;
const POS_NAN = -NEG_NAN;

const HAND: Case[] = [];
const fmt = (f: string, ...args: Arg[]): void => {
  HAND.push({ fmt: f, args });
};

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2.5,
  -2.5,
  2.675,
  0.125,
  0.375,
  1e-5,
  1e-4,
  0.1,
  1 / 3,
  2 / 3,
  100000,
  1e6,
  1e14,
  1e15,
  1e20,
  1e21,
  1e22,
  1e100,
  1e300,
  1.7976931348623157e308,
  5e-324,
  2.2250738585072014e-308,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  -(2 ** 63),
  2 ** 63 - 1024,
  2 ** 64,
  2 ** 64 - 2048,
  -(2 ** 64),
  123456789012345,
  123456789012355,
  99999999999999.5,
  0.000012345,
  9.5,
  99.5,
  0.05,
  0.25,
  Infinity,
  -Infinity,
  NEG_NAN,
  POS_NAN,
];
const SPECS = [
  "%d",
  "%5d",
  "%-5d",
  "%05d",
  "%+d",
  "% d",
  "%.3d",
  "%.0d",
  "%i",
  "%u",
  "%o",
  "%#o",
  "%x",
  "%#x",
  "%X",
  "%#X",
  "%#.0o",
  "%c",
  "%5c",
  "%-5c",
  "%f",
  "%.0f",
  "%#.0f",
  "%.1f",
  "%.2f",
  "%.20f",
  "%.99f",
  "%99.2f",
  "%010.3f",
  "%-10.3f|",
  "%+f",
  "% f",
  "%e",
  "%.0e",
  "%#.0e",
  "%.1e",
  "%+.3e",
  "%E",
  "%.30e",
  "%g",
  "%.0g",
  "%.1g",
  "%.3g",
  "%.14g",
  "%.17g",
  "%#g",
  "%#.3g",
  "%G",
  "%10.4g|",
  "%-+10.4g|",
  "%s",
  "%5.1s",
  "%q",
];
for (const spec of SPECS) for (const n of NUMBERS) fmt(spec, n);
for (const n of NUMBERS) HAND.push({ fmt: "tostring", args: [n] });
for (const c of [0, 1, 65, 255, 256, 321, -1, -255, 1e10, 65.9, -0.5]) {
  for (const spec of ["%c", "%3c", "%-3c", "%03c", "[%c]"]) fmt(spec, c);
}
const STRINGS = ["", "abc", "a\0b", "\0", 'q"\\\n\r\0\x01\xff', "x".repeat(99), "x".repeat(100)];
STRINGS.push("a\0".repeat(60));
for (const s of STRINGS) {
  for (
    const spec of ["%s", "%10s", "%-10s|", "%.2s", "%5.1s", "%.0s", "%.s", "%05s", "%q", "%5q"]
  ) {
    fmt(spec, s);
  }
}
fmt("%s %s", 1, 1 / 3);
fmt("%q", 1e100);
fmt("%d", "10");
fmt("%d", "0x1F");
fmt("%5.1f", "1e3");
fmt("%d", "abc");
fmt("%x", " 12 ");
for (const bad of [undefined, TABLE, true]) {
  fmt("%d", bad);
  fmt("%s", bad);
  fmt("%q", bad);
  fmt("%c", bad);
  fmt("%f", bad);
}
fmt("%d");
fmt("%d %d", 1);
fmt("%s %s %s", "a", "b");
fmt("abc%");
fmt("abc%", 1);
fmt("%", 1);
fmt("%y", 1);
fmt("%y");
fmt("%ld", 1);
fmt("%hd", 1);
fmt("%\0", 1);
fmt("a\0%d\0b", 7);
fmt("%%");
fmt("%%%d%%", 5);
fmt("%-----d|", 1);
fmt("%------d|", 1);
fmt("%-+ #0d|", 1);
fmt("%99d|", 1);
fmt("%100d", 1);
fmt("%.99f", 1);
fmt("%.100f", 1);
fmt("%1.2.3f", 1);
fmt("no conversions");
fmt("");
fmt("%5%", 1);

// ---- generated cases -----------------------------------------------------------------

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(0xf0f0);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const bits = new Uint32Array(f64.buffer);

function double(): number {
  switch (int(11)) {
    case 0:
      return int(2001) - 1000;
    case 1:
      return int(2001) - 1000 + 0.5;
    case 2:
      return (int(200001) - 100000) / pick([2, 4, 8, 16, 32, 1024, 2 ** 20]);
    case 3: {
      do {
        bits[0] = int(2 ** 32);
        bits[1] = int(2 ** 32);
      } while (!Number.isFinite(f64[0]));
      return f64[0];
    }
    case 4:
      return (rand() * 2 - 1) * 10 ** (int(44) - 22);
    case 5:
      return pick(NUMBERS);
    case 6:
      return Math.round(rand() * 1e7) / 10 ** int(9);
    case 7:
      return pick([1, -1]) * 2 ** int(70) + pick([-1, 0, 1]) * 2 ** int(12);
    case 8:
      return (int(1e6) * 10 + 5) * 10 ** int(12) * pick([1, -1]);
    case 9:
      return int(1e9) / 10 ** int(12);
    default:
      return rand() * 1000 - 500;
  }
}

function byteString(): string {
  let s = "";
  const n = int(4) === 0 ? 90 + int(30) : int(12);
  for (let i = 0; i < n; i++) s += String.fromCharCode(int(3) === 0 ? int(256) : 97 + int(26));
  return s;
}

function specText(): string {
  let flags = "";
  const nf = int(7) === 0 ? 6 : int(4);
  for (let i = 0; i < nf; i++) flags += pick([..."-+ #0"]);
  const width = int(2) === 0 ? "" : String(int(int(5) === 0 ? 100 : 20));
  const precision = int(2) === 0
    ? ""
    : "." + (int(6) === 0 ? "" : String(int(int(5) === 0 ? 100 : 20)));
  const tooLong = int(40) === 0 ? "1" : "";
  const option = int(50) === 0 ? pick([..."ybnlphL"]) : pick([..."diouxXcfeEgGsq"]);
  return "%" + flags + width + precision + tooLong + option;
}

function argFor(option: string): Arg {
  const k = int(40);
  if (k === 0) return pick([undefined, TABLE, true, "abc", "12", " 0x10 "]);
  if (option === "s" || option === "q") return int(5) === 0 ? double() : byteString();
  if (option === "c") return int(5) === 0 ? double() : int(300) - 20;
  return double();
}

const GENERATED: Case[] = [];
for (let k = 0; k < 6000; k++) {
  const n = 1 + int(3);
  let f = "";
  const args: Arg[] = [];
  for (let i = 0; i < n; i++) {
    const spec = specText();
    f += pick(["", "", "x", " | ", "%%", "\0"]) + spec;
    args.push(argFor(spec[spec.length - 1]));
  }
  if (int(30) === 0) args.pop();
  GENERATED.push({ fmt: f, args });
}
for (let k = 0; k < 3000; k++) {
  GENERATED.push({ fmt: "tostring", args: [double()] });
  GENERATED.push({ fmt: "%.14g", args: [double()] });
}

describe("Lua 5.1 string.format, differential against lua5.1", { skip }, () => {
  it(`hand-written cases (${HAND.length}) give lua5.1's bytes and errors`, () => {
    compareAll(HAND);
  });
  it(`generated cases (${GENERATED.length}) give lua5.1's bytes and errors`, () => {
    compareAll(GENERATED);
  });
});

describe("Lua 5.1 string.format, in-process", () => {
  it("rounds ties to even as glibc does, not up as toFixed does", () => {
    const got = stringFormat("%.0f %.0f %.0f %.2f %.1e %.14g", [
      0.5,
      2.5,
      1.5,
      2.675,
      0.125,
      123456789012345,
    ], host);
    assert.equal(got, "0 2 2 2.67 1.2e-01 1.2345678901234e+14");
  });
  it("prints a NaN's sign bit as glibc does when the engine keeps it", () => {
    const got = stringFormat("%f", [NEG_NAN], host);
    assert.equal(got, signOfNaN(NEG_NAN) ? "-nan" : "nan");
  });
  it("numberToString takes %.14g's shape for integers of 15 digits and -0", () => {
    assert.equal(numberToString(12345678901234), "12345678901234");
    assert.equal(numberToString(123456789012345), "1.2345678901234e+14");
    assert.equal(numberToString(-0), "-0");
    assert.equal(numberToString(1e100), "1e+100");
  });
});
