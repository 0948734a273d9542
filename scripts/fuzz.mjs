#!/usr/bin/env node
// The long fuzz run: repeats the fuzz tests (test/integration/fuzz_*.test.ts) under Node, Deno and Bun
// with many more cases and a fresh seed each round, until the time is up or a round fails.
// A failing round's seeds are printed (replay one with FUZZ_SEED=<seed> FUZZ_ITERATIONS=<n>).
//
// Usage: node scripts/fuzz.mjs [--runtime node|deno|bun ...] [--minutes 10] [--iterations 20000]
import { spawn } from "node:child_process";

const args = process.argv.slice(2);
const runtimes = [];
let minutes = 10;
let iterations = 20000;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runtime") runtimes.push(args[++i]);
  else if (args[i] === "--minutes") minutes = Number(args[++i]);
  else if (args[i] === "--iterations") iterations = Number(args[++i]);
}
if (runtimes.length === 0) runtimes.push("node", "deno", "bun");
const root = new URL("..", import.meta.url).pathname;
const until = Date.now() + minutes * 60_000;

function round(runtime) {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(process.execPath, ["scripts/test.mjs", "--runtime", runtime, "fuzz_"], {
      cwd: root,
      env: { ...process.env, FUZZ_ITERATIONS: String(iterations), FUZZ_SEED: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => output += d);
    child.stderr.on("data", (d) => output += d);
    child.on("close", (code) => resolve({ code, output }));
  });
}

let rounds = 0;
while (Date.now() < until) {
  for (const runtime of runtimes) {
    const started = Date.now();
    const { code, output } = await round(runtime);
    rounds++;
    const seeds = output.match(/\[fuzz\][^\n]*seed=\d+/g) ?? [];
    console.log(
      `round ${rounds} (${runtime}, ${iterations} cases per test): ` +
        `${code === 0 ? "ok" : "FAILED"} in ${Date.now() - started} ms`,
    );
    if (code !== 0) {
      console.log(output);
      console.log("Seeds of the failing round:\n" + seeds.join("\n"));
      console.log(
        `Replay: FUZZ_SEED=<seed> FUZZ_ITERATIONS=${iterations} ` +
          `node scripts/test.mjs --runtime ${runtime} fuzz_`,
      );
      process.exit(1);
    }
  }
}
console.log(`${rounds} rounds, no failure`);
