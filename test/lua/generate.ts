// Generated Lua programs for the differential test: each is one chunk of many small cases,
// every case wrapped in pcall so that an error is printed and the chunk goes on. A seeded
// PRNG makes every run produce the same programs.

/** mulberry32: a small seeded PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** A Lua literal for a double that reads back exactly. */
function literal(x: number): string {
  if (x === Infinity) return "(1/0)";
  if (x === -Infinity) return "(-1/0)";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return x.toPrecision(17);
}

function randomNumber(r: Rand): number {
  switch (int(r, 0, 7)) {
    case 0:
      return int(r, -10, 10) || 1;
    case 1:
      return int(r, -1000000, 1000000) || 7;
    case 2:
      return (int(r, -2000, 2000) || 3) / 8;
    case 3:
      return (r() - 0.5) * 10 ** int(r, -20, 20);
    case 4:
      return 2 ** int(r, 0, 70) * (r() < 0.5 ? -1 : 1);
    case 5:
      return r() * 100;
    case 6:
      return int(r, 1, 9) * 10 ** int(r, 10, 18);
    default:
      return (r() - 0.5) * 10 ** int(r, -300, 300);
  }
}

/** Arithmetic, comparison and concatenation over locals of every type. */
export function arithmeticProgram(seed: number, cases = 300): string {
  const r = prng(seed);
  const names: string[] = [];
  const lines: string[] = [];
  const values = [
    "0",
    "1",
    "-1",
    "2",
    "3",
    "-7",
    "0.5",
    "1e300",
    "-2.5",
    "10",
    '"10"',
    '" 3 "',
    '"0x10"',
    '"abc"',
    '"1e2"',
    "nil",
    "true",
    "{}",
    "1/0",
    "-1/0",
  ];
  for (let i = 0; i < 24; i++) {
    const name = `v${i}`;
    names.push(name);
    const v = i < values.length ? values[i] : literal(randomNumber(r));
    lines.push(`local ${name} = ${v}`);
  }
  const numeric = names.filter((_, i) => i < 15 || i >= values.length);
  const expr = (depth: number): string => {
    if (depth <= 0 || r() < 0.3) {
      return r() < 0.85 ? pick(r, numeric) : r() < 0.5 ? pick(r, names) : literal(randomNumber(r));
    }
    const op = pick(r, ["+", "-", "*", "/", "%", "^", "u-", "+", "-", "*", "%", "/"]);
    if (op === "u-") return `-(${expr(depth - 1)})`;
    return `(${expr(depth - 1)} ${op} ${expr(depth - 1)})`;
  };
  for (let i = 0; i < cases; i++) {
    const kind = int(r, 0, 9);
    let e: string;
    if (kind < 6) e = expr(int(r, 1, 4));
    else if (kind < 8) e = `${expr(1)} ${pick(r, ["<", "<=", ">", ">=", "==", "~="])} ${expr(1)}`;
    else e = `${pick(r, names)} .. ${pick(r, names)}`;
    lines.push(`print(${i}, pcall(function() return ${e} end))`);
  }
  return lines.join("\n") + "\n";
}

/** tostring and string.format of random doubles. */
export function numberFormatProgram(seed: number, cases = 300): string {
  const r = prng(seed);
  const lines: string[] = [];
  const formats = [
    "%d",
    "%5.2f",
    "%.3f",
    "%g",
    "%.10g",
    "%e",
    "%.0e",
    "%12.4E",
    "%x",
    "%5.1g",
    "%.14g",
    "%-8d|",
    "%+.2f",
    "%o",
    "%i",
  ];
  for (let i = 0; i < cases; i++) {
    const x = randomNumber(r);
    const lit = literal(x);
    if (i % 2 === 0) lines.push(`print(${lit}, tostring(-(${lit})), ${lit} .. "")`);
    else {
      const f = pick(r, formats);
      lines.push(`print(pcall(string.format, "${f}", ${lit}))`);
    }
  }
  return lines.join("\n") + "\n";
}

const ALPHABET = "abcAB01 .-%()[]";

function randomString(r: Rand, max: number): string {
  let s = "";
  const n = int(r, 0, max);
  for (let i = 0; i < n; i++) s += ALPHABET[int(r, 0, ALPHABET.length - 1)];
  return s;
}

function luaQuote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => "\\" + c) + '"';
}

/** String library calls and pattern matches on random strings. */
export function stringProgram(seed: number, cases = 300): string {
  const r = prng(seed);
  const lines: string[] = [];
  const patterns = [
    "%a+",
    "%d",
    "[ab]+",
    "(a)(b)",
    "^a",
    "b$",
    ".-%.",
    "%s",
    "(%w+)%-",
    "[^a]*",
    "()a",
    "a?b",
    "%(.-%)",
    "[%a%d]",
    "%%",
    "x*",
  ];
  for (let i = 0; i < cases; i++) {
    const s = luaQuote(randomString(r, 12));
    const t = luaQuote(randomString(r, 3));
    const a = int(r, -15, 15);
    const b = int(r, -15, 15);
    const p = luaQuote(pick(r, patterns));
    const call = pick(r, [
      `string.sub(${s}, ${a}, ${b})`,
      `string.sub(${s}, ${a})`,
      `string.rep(${t}, ${int(r, -1, 4)})`,
      `string.upper(${s}), string.lower(${s})`,
      `string.reverse(${s}), #${s}`,
      `string.byte(${s}, ${a}, ${b})`,
      `string.find(${s}, ${t}, ${a}, true)`,
      `string.find(${s}, ${p})`,
      `string.find(${s}, ${p}, ${a})`,
      `string.match(${s}, ${p})`,
      `string.gsub(${s}, ${p}, "<%0>")`,
      `string.gsub(${s}, ${p}, string.upper, ${int(r, 0, 3)})`,
      `${s} < ${t}, ${s} == ${t}, ${s} .. ${t}`,
      `string.format("%q|%s|%5s", ${s}, ${t}, ${t})`,
      `tonumber(${s}), tonumber(${t}, ${int(r, 2, 36)})`,
    ]);
    lines.push(`print(${i}, pcall(function() return ${call} end))`);
  }
  return lines.join("\n") + "\n";
}

/** Table operations: insert/remove at positions, sort, concat, unpack, #. */
export function tableProgram(seed: number, cases = 60): string {
  const r = prng(seed);
  const lines: string[] = ["local t"];
  for (let i = 0; i < cases; i++) {
    const n = int(r, 0, 12);
    const items = Array.from({ length: n }, () => int(r, -50, 50));
    lines.push(`t = {${items.join(", ")}}`);
    for (let k = 0; k < 4; k++) {
      lines.push(
        pick(r, [
          `table.insert(t, ${int(r, -5, 50)})`,
          `pcall(table.insert, t, math.min(${int(r, 1, n + 1)}, #t + 1), ${int(r, 0, 9)})`,
          `print(table.remove(t))`,
          `print(pcall(table.remove, t, ${int(r, 1, n + 1)}))`,
          `t[#t + 1] = ${int(r, 0, 9)}`,
          `t[#t] = nil`,
        ]),
      );
    }
    lines.push(
      pick(r, [
        "table.sort(t)",
        "table.sort(t, function(a, b) return a > b end)",
        "table.sort(t, function(a, b) return a % 7 < b % 7 end)",
      ]),
    );
    lines.push(`print(#t, table.concat(t, ","), select("#", unpack(t)), table.maxn(t))`);
  }
  return lines.join("\n") + "\n";
}

/** Runtime errors with variable names: wrong types for every operation. */
export function errorProgram(seed: number, cases = 200): string {
  const r = prng(seed);
  const lines: string[] = [
    'local n, s, t, b, f, z = 1, "str", {}, true, print, nil',
    "local nested = {a = {}, s = 'x'}",
    "g_num, g_tab = 5, {}",
  ];
  const operands = [
    "n",
    "s",
    "t",
    "b",
    "f",
    "z",
    "nested.a",
    "nested.b",
    "nested.s",
    "g_num",
    "g_tab",
    "g_missing",
    "(1)",
    '("x")',
  ];
  for (let i = 0; i < cases; i++) {
    const a = pick(r, operands);
    const b = pick(r, operands);
    const e = pick(r, [
      `${a} + ${b}`,
      `${a} * ${b}`,
      `-${a}`,
      `${a} .. ${b}`,
      `${a} < ${b}`,
      `${a} <= ${b}`,
      `#${a}`,
      `${a}.x`,
      `${a}[1]`,
      `${a}()`,
      `${a}:m()`,
      `${a}.x.y`,
    ]);
    lines.push(`print(${i}, pcall(function() return ${e} end))`);
  }
  return lines.join("\n") + "\n";
}

/** Library functions called with random arguments of every type (argument checks). */
export function libraryCallProgram(seed: number, cases = 300): string {
  const r = prng(seed);
  const fns = [
    "string.sub",
    "string.rep",
    "string.byte",
    "string.char",
    "string.upper",
    "string.len",
    "string.format",
    "string.find",
    "string.match",
    "string.gsub",
    "string.reverse",
    "table.insert",
    "table.remove",
    "table.concat",
    "table.sort",
    "table.getn",
    "table.maxn",
    "math.floor",
    "math.max",
    "math.min",
    "math.abs",
    "math.sqrt",
    "math.fmod",
    "math.modf",
    "math.ldexp",
    "math.frexp",
    "math.ceil",
    "math.pow",
    "tonumber",
    "tostring",
    "select",
    "unpack",
    "rawget",
    "rawset",
    "rawequal",
    "setmetatable",
    "getmetatable",
    "type",
    "next",
    "ipairs",
    "pairs",
    "assert",
    "error",
  ];
  const pool = [
    "nil",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "2.5",
    '"abc"',
    '"10"',
    '""',
    "{}",
    "{1, 2, 3}",
    '{"x", "y"}',
    "function() end",
    '"%d"',
    '"a+"',
    '"(b)"',
    '"#"',
    "-2",
  ];
  const lines: string[] = [];
  for (let i = 0; i < cases; i++) {
    const f = pick(r, fns);
    const args = Array.from({ length: int(r, 0, 3) }, () => pick(r, pool));
    const call = r() < 0.15 && f.startsWith("string.") && args.length > 0
      ? `(${args[0]}):${f.slice(7)}(${args.slice(1).join(", ")})`
      : `${f}(${args.join(", ")})`;
    lines.push(`print(${i}, pcall(function() return ${call} end))`);
  }
  return lines.join("\n") + "\n";
}
