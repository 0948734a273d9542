/**
 * Micro-benchmark of the Lua 5.1 string library's hard parts (patterns and string.format)
 * next to the C implementation: each case runs the same loop in `lua5.1` (timed there with
 * os.clock) and as direct calls of our functions in this process (timed with
 * performance.now after a warm-up), best of three runs each. Our side has no interpreter around it, lua5.1's side
 * has its (cheap) bytecode loop; the ratio is ours / lua5.1 time, so below 1 is faster.
 *
 * Runs on Node (`node --import tsx bench/lua_strlib.ts`), Deno
 * (`node_modules/.bin/deno run -A bench/lua_strlib.ts`) and Bun
 * (`node_modules/.bin/bun bench/lua_strlib.ts`). Optional arguments filter cases by name.
 */
import { spawnSync } from "node:child_process";
import {
  patternFind,
  patternGmatch,
  patternGsub,
  patternMatch,
} from "../src/lua/lib/string_pattern.ts";
import { type FormatHost, numberToString, stringFormat } from "../src/lua/lib/string_format.ts";

const host: FormatHost = {
  tostring: String,
  tonumber: (v) => (typeof v === "number" ? v : undefined),
  typeName: (v) => typeof v,
};

const TEXT = "the quick brown fox jumps over the lazy dog 12345 times; key=value, ".repeat(16);

interface Case {
  name: string;
  /** Iterations of the loop body. */
  n: number;
  /** Lua statement(s) run n times with loop variable `i`; `T` is TEXT. */
  lua: string;
  /** The same work through our functions. */
  ours: (i: number) => unknown;
}

const CASES: Case[] = [
  {
    name: "find plain",
    n: 200_000,
    lua: `string.find(T, "lazy dog 12345 times; key=value, the", 1, true)`,
    ours: () => patternFind(TEXT, "lazy dog 12345 times; key=value, the", 1, true),
  },
  {
    name: "find %d+ capture",
    n: 500_000,
    lua: `string.find("user:12345:name", "(%d+)")`,
    ours: () => patternFind("user:12345:name", "(%d+)", undefined, false),
  },
  {
    name: "match key=value",
    n: 500_000,
    lua: `string.match("  somekey = somevalue", "^%s*(%w+)%s*=%s*(%w+)$")`,
    ours: () => patternMatch("  somekey = somevalue", "^%s*(%w+)%s*=%s*(%w+)$", undefined),
  },
  {
    name: "match .- lazy",
    n: 200_000,
    lua: `string.match("[[a long bracketed string]] tail", "%[%[(.-)%]%]")`,
    ours: () => patternMatch("[[a long bracketed string]] tail", "%[%[(.-)%]%]", undefined),
  },
  {
    name: "gmatch %a+ (1 KB)",
    n: 2_000,
    lua: `for w in string.gmatch(T, "%a+") do end`,
    ours: () => {
      const it = patternGmatch(TEXT, "%a+");
      while (it() !== null);
    },
  },
  {
    name: "gsub %s+ (1 KB)",
    n: 5_000,
    lua: `string.gsub(T, "%s+", "_")`,
    ours: () => patternGsub(TEXT, "%s+", "_", undefined),
  },
  {
    name: "gsub (%w+)=(%w+) %2 (1 KB)",
    n: 5_000,
    lua: `string.gsub(T, "(%w+)=(%w+)", "%2=%1")`,
    ours: () => patternGsub(TEXT, "(%w+)=(%w+)", "%2=%1", undefined),
  },
  {
    name: "format %d:%s",
    n: 500_000,
    lua: `string.format("%d:%s", i, "item")`,
    ours: (i) => stringFormat("%d:%s", [i, "item"], host),
  },
  {
    name: "format %.2f",
    n: 500_000,
    lua: `string.format("%.2f", i / 7)`,
    ours: (i) => stringFormat("%.2f", [i / 7], host),
  },
  {
    name: "format %5.1f %g %x",
    n: 300_000,
    lua: `string.format("%5.1f %g %x", i / 3, i * 1.5, i)`,
    ours: (i) => stringFormat("%5.1f %g %x", [i / 3, i * 1.5, i], host),
  },
  {
    name: "tostring integer",
    n: 1_000_000,
    lua: `tostring(i)`,
    ours: (i) => numberToString(i),
  },
  {
    name: "tostring fraction",
    n: 500_000,
    lua: `tostring(i / 7)`,
    ours: (i) => numberToString(i / 7),
  },
];

function luaTimes(cases: readonly Case[]): number[] {
  let script = `local T = ${JSON.stringify(TEXT)}\n`;
  for (const c of cases) {
    // Best of three runs, as on our side.
    script += `do local best = math.huge for run = 1, 3 do local t0 = os.clock() ` +
      `for i = 1, ${c.n} do ${c.lua} end best = math.min(best, os.clock() - t0) end ` +
      `print(best) end\n`;
  }
  const r = spawnSync("lua5.1", ["-"], { input: script, encoding: "latin1" });
  if (r.status !== 0) throw new Error("lua5.1 failed: " + r.stderr);
  return r.stdout.trim().split("\n").map(Number);
}

let sink: unknown;
/** Best of three timed runs after a warm-up, in seconds. */
function oursTime(c: Case): number {
  for (let i = 1; i <= Math.min(c.n, 20_000); i++) sink = c.ours(i);
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    for (let i = 1; i <= c.n; i++) sink = c.ours(i);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

const filters = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const selected = CASES.filter((c) =>
  filters.length === 0 || filters.some((f) => c.name.includes(f))
);
const lua = luaTimes(selected);
console.log(
  "case".padEnd(30) + "lua5.1 ms".padStart(11) + "ours ms".padStart(10) + "ours/lua".padStart(10),
);
for (let k = 0; k < selected.length; k++) {
  const ours = oursTime(selected[k]);
  console.log(
    selected[k].name.padEnd(30) + (lua[k] * 1000).toFixed(1).padStart(11) +
      (ours * 1000).toFixed(1).padStart(10) + (ours / lua[k]).toFixed(2).padStart(10),
  );
}
if (sink === Symbol.for("never")) console.log(sink);
