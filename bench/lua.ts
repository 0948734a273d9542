// Benchmark of the Lua engine (src/lua) against C Lua 5.1 (`lua5.1`, a subprocess) and
// fengari (Lua 5.3 in JavaScript, in-process) on the programs of bench/lua/*.lua.
//
//   node --expose-gc --import tsx bench/lua.ts [--write] [--runs N] [--no-fengari] [program ...]
//   deno run -A --v8-flags=--expose-gc bench/lua.ts ...          bun bench/lua.ts ...
//
// Timing: wall time of the whole program, best of N runs (default 3): for our engine the
// compilation and the run in this process (a fresh LuaState per run), for lua5.1 the
// subprocess from spawn to exit (its start-up is about a millisecond), for fengari
// luaL_loadstring and the run in this process (one run: it is slow). Each program prints a
// checksum; the three engines must print the same, or the row is marked.
//
// Also measures the memory of 10,000 small scripts, compiled, and compiled and run once each
// (heap growth after GC when the runtime exposes gc: --expose-gc on Node and Deno, Bun.gc on
// Bun), and the latter again at rest: after 15 more collections a second apart. JavaScriptCore
// (Bun) keeps the bytecode of a function that ran and drops it once the function has not run
// for a while (it is compiled again on the next call), so its first reading holds code it
// frees on its own; V8 keeps it (both readings agree on Node and Deno).
//
// --write replaces this runtime's rows in the <!-- lua:start --> section of bench/README.md.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import process from "node:process";
import { LuaState } from "../src/lua/mod.ts";

const root = new URL("..", import.meta.url).pathname;
const dir = root + "bench/lua/";
const args = process.argv.slice(2);
const write = args.includes("--write");
const noFengari = args.includes("--no-fengari");
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const only = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--runs");
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

type Result = { ms: number; out: string };

function best(n: number, f: () => Result): Result {
  let r = f();
  for (let i = 1; i < n; i++) {
    const next = f();
    if (next.ms < r.ms) r = next;
  }
  return r;
}

function runOurs(source: string): Result {
  let out = "";
  const t0 = performance.now();
  const lua = new LuaState({ stdout: (s) => (out += s) });
  lua.call(lua.load(source, "=bench"));
  return { ms: performance.now() - t0, out };
}

function runC(file: string): Result {
  const t0 = performance.now();
  const r = spawnSync("lua5.1", [file]);
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`lua5.1 ${file}: ${r.stderr}`);
  return { ms, out: r.stdout.toString("latin1") };
}

// deno-lint-ignore no-explicit-any
type Fengari = any;
let fengari: Fengari;
function loadFengari(): Fengari {
  if (fengari === undefined) fengari = createRequire(import.meta.url)("fengari");
  return fengari;
}

function runFengari(source: string): Result {
  const { lua, lauxlib, lualib, to_luastring, to_jsstring } = loadFengari();
  let out = "";
  const t0 = performance.now();
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  // print collects its output (tab-separated tostring of each argument, then a newline).
  lua.lua_register(L, to_luastring("print"), (l: unknown) => {
    const n = lua.lua_gettop(l);
    const parts: string[] = [];
    for (let i = 1; i <= n; i++) parts.push(to_jsstring(lauxlib.luaL_tolstring(l, i)));
    out += parts.join("\t") + "\n";
    return 0;
  });
  if (lauxlib.luaL_loadstring(L, to_luastring(source)) !== 0) {
    throw new Error(to_jsstring(lua.lua_tostring(L, -1)));
  }
  if (lua.lua_pcall(L, 0, 0, 0) !== 0) throw new Error(to_jsstring(lua.lua_tostring(L, -1)));
  return { ms: performance.now() - t0, out };
}

const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
const gc = bun !== undefined ? () => bun.gc(true) : (globalThis as { gc?: () => void }).gc;

/** Heap growth in MB: right after the scripts (one collection), and at rest when `rest`. */
async function memoryOfScripts(
  count: number,
  run: boolean,
  rest: boolean,
): Promise<[number, number | undefined]> {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const lua = new LuaState();
  const keep: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const f = lua.load(
      `local key, n = KEYS and KEYS[1] or "k${i}", ${i}
local v = redis_get and redis_get(key) or 0
if v + n > 100 then return {key, v + n, "over"} end
return v + n`,
      "@user_script",
    );
    if (run) lua.call(f); // once run, a function's bytecode counts too
    keep.push(f);
  }
  gc?.();
  const after = process.memoryUsage().heapUsed;
  let atRest: number | undefined;
  if (rest && gc !== undefined) {
    for (let i = 0; i < 15; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      gc();
    }
    atRest = (process.memoryUsage().heapUsed - before) / 1048576;
  }
  if (keep.length !== count) throw new Error("lost scripts");
  return [(after - before) / 1048576, atRest];
}

const programs = readdirSync(dir).filter((f) => f.endsWith(".lua")).map((f) => f.slice(0, -4))
  .filter((p) => only.length === 0 || only.includes(p)).sort();
const rows: string[] = [];
const fmt = (x: number) => x.toFixed(2);
console.log(`Lua benchmark on ${runtime} (best of ${runs}; ratios: fengari/ours, ours/C)`);
for (const p of programs) {
  const file = dir + p + ".lua";
  const source = readFileSync(file, "latin1");
  const ours = best(runs, () => runOurs(source));
  const c = best(runs, () => runC(file));
  const f = noFengari ? undefined : runFengari(source);
  const same = ours.out === c.out && (f === undefined || f.out === c.out);
  const vsF = f === undefined ? "-" : fmt(f.ms / ours.ms) + "x";
  const vsC = fmt(ours.ms / c.ms) + "x";
  const line = `| ${runtime} | ${p} | ${ours.ms.toFixed(0)} | ${c.ms.toFixed(0)} | ${
    f === undefined ? "-" : f.ms.toFixed(0)
  } | ${vsF} | ${vsC}${same ? "" : " (output differs)"} |`;
  console.log(line);
  rows.push(line);
}
for (const run of [false, true]) {
  const [mem, atRest] = await memoryOfScripts(10000, run, run);
  const what = run ? "10,000 scripts compiled and run once" : "10,000 scripts compiled";
  const memLines = [`| ${runtime} | ${what} | ${mem.toFixed(1)} MB heap | | | | |`];
  if (atRest !== undefined) {
    memLines.push(`| ${runtime} | ${what}, at rest | ${atRest.toFixed(1)} MB heap | | | | |`);
  }
  for (const memLine of memLines) {
    console.log(memLine);
    rows.push(memLine);
  }
}

if (write) {
  const path = root + "bench/README.md";
  const text = readFileSync(path, "utf8");
  const start = "<!-- lua:start -->";
  const end = "<!-- lua:end -->";
  const header =
    "| runtime | program | ours ms | lua5.1 ms | fengari ms | fengari / ours | ours / lua5.1 |";
  let body: string[] = [];
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) {
    body = text.slice(a + start.length, b).split("\n").filter((l) =>
      l.startsWith("| ") && !l.startsWith(`| ${runtime} `) && !l.startsWith("| runtime ") &&
      !l.startsWith("| ---")
    );
  }
  body.push(...rows);
  const order = ["node", "deno", "bun"];
  const runtimeOf = (row: string) => order.indexOf(row.split("|")[1].trim());
  body.sort((x, y) => runtimeOf(x) - runtimeOf(y));
  const section = `${start}\n\n${alignTable([header, ...body])}\n\n${end}`;
  const next = a >= 0 && b > a
    ? text.slice(0, a) + section + text.slice(b + end.length)
    : text + `\n## Lua engine\n\n${section}\n`;
  writeFileSync(path, next);
  console.log("bench/README.md updated");
}

/** A Markdown table with padded columns and a dash rule, as `deno fmt` writes it. */
function alignTable(lines: string[]): string {
  const cells = lines.map((l) =>
    l.replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim())
  );
  const widths = cells[0].map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? "").length)));
  const render = (r: string[]) => `| ${widths.map((w, i) => (r[i] ?? "").padEnd(w)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [render(cells[0]), rule, ...cells.slice(1).map(render)].join("\n");
}
