#!/usr/bin/env node
// Runs the one test suite under Node, Deno and Bun, prints each runtime's result and a
// closing `N passed, N failed` line summed over the three. Exits non-zero if any fails.
//
// Usage: node scripts/test.mjs [--runtime node|deno|bun ...] [file-or-filter ...]
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { tmpdir } from "node:os";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(path));
    else if (entry.name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out.sort();
}

const args = process.argv.slice(2);
const runtimes = [];
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runtime") runtimes.push(args[++i]);
  else filters.push(args[i]);
}
if (runtimes.length === 0) runtimes.push("node", "deno", "bun");
let files = findTests(join(root, "test"));
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("No test files matched");
  process.exit(1);
}

function run(command, commandArgs, env = {}) {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(command, commandArgs, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const take = (stream, sink) =>
      stream.on("data", (data) => {
        output += data;
        sink.write(data);
      });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

function unescapeXml(text) {
  return text.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** Counts leaf test cases in Deno's JUnit report: describe blocks appear as steps too. */
function countDenoJunit(xml) {
  const cases = [];
  const re = /<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g;
  for (let m; (m = re.exec(xml));) {
    cases.push({
      name: unescapeXml(m[1]),
      failed: /<failure/.test(m[2]),
      skipped: /<skipped/.test(m[2]),
    });
  }
  const names = cases.map((c) => c.name);
  let passed = 0, failed = 0, skipped = 0;
  for (const c of cases) {
    const isParent = names.some((n) => n.startsWith(c.name + " > "));
    if (isParent) continue;
    if (c.skipped) skipped++;
    else if (c.failed) failed++;
    else passed++;
  }
  return { passed, failed, skipped };
}

const runners = {
  async node() {
    const { code, output } = await run(process.execPath, [
      "--import",
      "tsx",
      "--test",
      "--test-concurrency=1",
      ...files,
    ]);
    const passed = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
    const failed = Number(/^# fail (\d+)/m.exec(output)?.[1] ?? 0) +
      Number(/^# cancelled (\d+)/m.exec(output)?.[1] ?? 0);
    const skipped = Number(/^# skipped (\d+)/m.exec(output)?.[1] ?? 0);
    return { code, passed, failed, skipped };
  },
  async deno() {
    const junit = join(tmpdir(), `rediserver-deno-junit-${process.pid}.xml`);
    const { code } = await run(bin("deno"), [
      "test",
      "-A",
      "--no-check",
      `--junit-path=${junit}`,
      ...files,
    ], { NO_COLOR: "1" });
    let counts = { passed: 0, failed: 0, skipped: 0 };
    try {
      counts = countDenoJunit(readFileSync(junit, "utf8"));
      rmSync(junit);
    } catch { /* no report: counted as a failure below */ }
    return { code, ...counts };
  },
  async bun() {
    const { code, output } = await run(bin("bun"), ["test", ...files.map((f) => "./" + f)], {
      NO_COLOR: "1",
    });
    const passed = Number(/^\s*(\d+) pass$/m.exec(output)?.[1] ?? 0);
    const failed = Number(/^\s*(\d+) fail$/m.exec(output)?.[1] ?? 0);
    const skipped = Number(/^\s*(\d+) skip$/m.exec(output)?.[1] ?? 0);
    return { code, passed, failed, skipped };
  },
};

let totalPassed = 0, totalFailed = 0, totalSkipped = 0;
const lines = [];
for (const runtime of runtimes) {
  console.log(`\n===== ${runtime}: ${files.length} test files =====`);
  const result = await runners[runtime]();
  // A runner that exits non-zero without reporting a failure still failed (a crash, a
  // file that did not load): count it, so that the total never hides it.
  if (result.code !== 0 && result.failed === 0) result.failed = 1;
  if (result.code === 0 && result.passed === 0) result.failed += 1;
  totalPassed += result.passed;
  totalFailed += result.failed;
  totalSkipped += result.skipped;
  lines.push(
    `${runtime}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped` +
      ` (exit ${result.code})`,
  );
}
console.log("\n===== summary =====");
for (const line of lines) console.log(line);
console.log(`${totalPassed} passed, ${totalFailed} failed, ${totalSkipped} skipped`);
process.exit(totalFailed === 0 ? 0 : 1);
