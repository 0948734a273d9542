/**
 * Packaging metadata, cheap enough for every runtime: package.json and deno.json export the
 * same subpaths from the same sources (scripts/check_exports.mjs, checked here on the real
 * files and on broken copies, so the checker itself can fail), the build settings the npm
 * exports rely on, and a package-lock.json that `npm ci` accepts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
// @ts-ignore: a plain .mjs script without type declarations
import { checkExports, inJsrPublish } from "../../scripts/check_exports.mjs";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (name: string): Json => JSON.parse(readFileSync(root + name, "utf8"));
const pkg = read("package.json");
const deno = read("deno.json");
const check = checkExports as (pkg: Json, deno: Json, options?: { root?: string }) => string[];
const copy = (value: Json): Json => structuredClone(value);

describe("package.json and deno.json", () => {
  it("export the same subpaths from the same sources (scripts/check_exports.mjs)", () => {
    assert.deepEqual(check(pkg, deno, { root }), []);
    assert.deepEqual(Object.keys(pkg.exports).sort(), Object.keys(deno.exports).sort());
    for (const key of [".", "./resp", "./server", "./kv", "./lua", "./testing"]) {
      assert.ok(key in deno.exports, `export ${key}`);
    }
    for (const runtime of ["node", "deno", "bun"]) {
      assert.equal(deno.exports[`./adapters/${runtime}`], `./adapters/${runtime}.ts`);
    }
  });

  it("the checker finds a subpath missing on one side", () => {
    const d = copy(deno);
    delete d.exports["./kv"];
    assert.deepEqual(check(pkg, d), ['deno.json: exports lacks "./kv" (package.json has it)']);
    const p = copy(pkg);
    delete p.exports["./resp"];
    assert.deepEqual(check(p, deno), ['package.json: exports lacks "./resp" (deno.json has it)']);
  });

  it("the checker finds types not listed first, a wrong path and an unbuilt source", () => {
    const p = copy(pkg);
    p.exports["./server"] = {
      default: "./dist/src/server/mod.js",
      types: "./dist/src/server/mod.d.ts",
    };
    p.exports["./kv"].default = "./dist/kv.js";
    const problems = check(p, deno);
    assert.ok(
      problems.some((x) => x.includes(`"./server"]: "types" must come first`)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((x) => x.includes(`"./kv"].default is "./dist/kv.js"`)),
      problems.join("\n"),
    );
    const d = copy(deno);
    d.exports["./resp"] = "./src/resp/nope.ts";
    assert.ok(check(pkg, d, { root }).some((x) => x.includes("does not exist")));
  });

  it("the checker finds an export left out of the JSR publish set", () => {
    const d = copy(deno);
    d.publish.exclude = [...d.publish.exclude, "adapters/bun.ts"];
    assert.ok(
      check(pkg, d).some((x) => x.includes('exports["./adapters/bun"]') && x.includes("publish")),
    );
    assert.equal(inJsrPublish(deno, "src/kv/mod.ts"), true);
    assert.equal(inJsrPublish(deno, "test/integration/package_exports.test.ts"), false);
    assert.equal(inJsrPublish(deno, "src/kv/keyspace.test.ts"), false);
    assert.equal(inJsrPublish(deno, "bench/e2e.ts"), false);
  });

  it("the checker finds version drift, runtime dependencies and a bin outside dist/", () => {
    const p = copy(pkg);
    p.version = "9.9.9";
    p.dependencies = { "left-pad": "^1.0.0" };
    p.bin = { rediserver: "./cli.ts" };
    const problems = check(p, deno);
    assert.ok(problems.some((x) => x.startsWith("Versions differ")));
    assert.ok(problems.some((x) => x.includes("has dependencies")));
    assert.ok(problems.some((x) => x.includes('bin "rediserver" must point into dist/')));
  });

  it("the script exits 0 on the real files and prints what it checked", () => {
    const script = root + "scripts/check_exports.mjs";
    const g = globalThis as { Deno?: unknown };
    const args = g.Deno !== undefined ? ["run", "-A", script] : [script];
    const result = spawnSync(process.execPath, args, {
      cwd: root,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /agree on 9 exports/);
  });
});

describe("npm package metadata", () => {
  it("has a bin, engines, no runtime dependencies and ships only dist/, README and LICENSE", () => {
    assert.equal(pkg.name, "rediserver");
    assert.equal(pkg.type, "module");
    assert.deepEqual(pkg.bin, { rediserver: "./dist/cli.js" });
    assert.match(pkg.engines.node, /^>=\s*20/);
    assert.equal(pkg.sideEffects, false);
    assert.equal(pkg.dependencies, undefined);
    assert.deepEqual(pkg.files.filter((f: string) => !f.startsWith("!")).sort(), [
      "LICENSE",
      "README.md",
      "dist/",
    ]);
    assert.equal(pkg.scripts.prepack, "npm run build");
    assert.match(pkg.scripts.build, /\btsc -p tsconfig\.json\b/);
    assert.match(pkg.scripts.build, /chmod \+x dist\/cli\.js/);
  });

  it("tsconfig.json builds every exported source into dist/ with .ts imports rewritten", () => {
    // tsconfig.json has no comments or trailing commas, so JSON.parse reads it.
    const ts = read("tsconfig.json");
    const o = ts.compilerOptions;
    assert.equal(o.rewriteRelativeImportExtensions, true);
    assert.equal(o.declaration, true);
    assert.equal(o.outDir, "dist");
    assert.equal(o.rootDir, ".");
    assert.equal(o.module, "NodeNext");
    for (const source of [...Object.values(deno.exports) as string[], "./cli.ts"]) {
      const rel = source.slice(2);
      const included = (ts.include as string[]).some((p) =>
        p === rel || (p.endsWith("/**/*.ts") && rel.startsWith(p.slice(0, -"**/*.ts".length)))
      );
      assert.ok(included, `tsconfig.json include covers ${rel}`);
    }
  });

  it("package-lock.json matches package.json, so that `npm ci` accepts it", () => {
    const lock = read("package-lock.json");
    const self = lock.packages[""];
    assert.equal(lock.name, pkg.name);
    assert.equal(lock.version, pkg.version);
    assert.equal(self.version, pkg.version);
    assert.deepEqual(self.devDependencies, pkg.devDependencies);
    assert.equal(self.dependencies, undefined);
    assert.deepEqual(self.bin, { rediserver: "dist/cli.js" });
    assert.deepEqual(self.engines, pkg.engines);
    for (const name of Object.keys(pkg.devDependencies)) {
      assert.ok(lock.packages[`node_modules/${name}`], `package-lock.json locks ${name}`);
    }
  });
});
