// Differential test against the C interpreter: every program under test/lua/programs and a
// set of generated ones (seeded) must print the same bytes on our engine as on `lua5.1`,
// uncaught error message included (`lua: MESSAGE`; the C traceback is not compared).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRunnerState, runFile } from "../../lua.ts";
import {
  arithmeticProgram,
  errorProgram,
  libraryCallProgram,
  numberFormatProgram,
  stringProgram,
  tableProgram,
} from "./generate.ts";

const root = new URL("../..", import.meta.url).pathname;
const hasLua = spawnSync("lua5.1", ["-v"]).status === 0;
const skip = hasLua ? false : "lua5.1 is not on the PATH (CI installs it: apt-get install lua5.1)";

/** What `lua5.1 FILE` prints: stdout, then the first line of stderr as `lua: ...`. */
function expected(file: string): string {
  const r = spawnSync("lua5.1", [file], { cwd: root });
  const err = r.stderr.toString("latin1").split("\n")[0];
  return r.stdout.toString("latin1") +
    (err === "" ? "" : err.replace(/^[^:]*lua5\.1:/, "lua:") + "\n");
}

function actual(file: string): string {
  let out = "";
  const lua = createRunnerState((s) => {
    out += s;
  });
  const error = runFile(lua, file, readFileSync(join(root, file)));
  return out + (error === undefined ? "" : `lua: ${error}\n`);
}

/**
 * Compares outputs. `anyNanSign`: C prints NaN as `nan` or `-nan` after its sign bit, which
 * JavaScript engines do not preserve through arithmetic, so generated arithmetic compares
 * NaN without its sign.
 */
function compare(file: string, anyNanSign = false): void {
  // Addresses of tables and functions (`table: 0x...`) differ between any two runs.
  const nan = (s: string) =>
    (anyNanSign ? s.replace(/-nan/g, "nan") : s).replace(/: 0x[0-9a-f]+/g, ": 0x");
  const want = nan(expected(file));
  const got = nan(actual(file));
  if (got === want) return;
  const a = want.split("\n");
  const b = got.split("\n");
  const i = a.findIndex((line, k) => line !== b[k]);
  assert.fail(
    `${file}: first difference at output line ${i + 1}\n  lua5.1: ${a[i]}\n  ours:   ${b[i]}`,
  );
}

describe("differential: hand-written programs", { skip }, () => {
  const dir = join(root, "test/lua/programs");
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".lua")).sort()) {
    it(name, () => compare(relative(root, join(dir, name))));
  }
});

describe("differential: generated programs", { skip }, () => {
  const generators: [string, (seed: number) => string][] = [
    ["arithmetic", arithmeticProgram],
    ["numbers", numberFormatProgram],
    ["strings", stringProgram],
    ["tables", tableProgram],
    ["errors", errorProgram],
    ["library calls", libraryCallProgram],
  ];
  for (const [name, gen] of generators) {
    for (const seed of [1, 2, 3]) {
      it(`${name} (seed ${seed})`, () => {
        const dir = mkdtempSync(join(tmpdir(), "lua-diff-"));
        try {
          const file = join(dir, `${name.replace(" ", "_")}${seed}.lua`);
          writeFileSync(file, gen(seed));
          compare(relative(root, file), name === "arithmetic");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
});
