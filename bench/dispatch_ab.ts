/**
 * `bench/dispatch.ts` for two or more checkouts in one process: imports the server and the
 * key-value commands from each root (git worktrees of the commits to compare), and times each
 * test on every root in turn, round after round (the order alternating), so that machine
 * noise hits all of them alike. Prints the median CPU time per command of each root (the
 * process's user + system nanoseconds: waiting for a busy machine's cores is not counted,
 * collector threads are) and the ratio of each to the first.
 *
 * ```sh
 * git worktree add /tmp/wt-before <commit>   # node_modules: a symlink is enough
 * node --import tsx bench/dispatch_ab.ts --rounds 15 /tmp/wt-before /tmp/wt-after [filters]
 * npx deno run -A bench/dispatch_ab.ts /tmp/wt-before /tmp/wt-after set get
 * npx bun bench/dispatch_ab.ts /tmp/wt-before .
 * ```
 *
 * Arguments: directories (those that exist) are the roots, the rest are test-name filters;
 * `--rounds N` (default 11).
 *
 * @module
 */
import {
  cpuChunks,
  NullTransport,
  PIPELINE,
  pipelines,
  runtime,
  scriptArgs,
  selectTests,
} from "./lib/dispatch_cases.ts";
import process from "node:process";
import type { TransportHandler } from "../src/server/transport.ts";

interface Root {
  dir: string;
  handler: TransportHandler;
  close(): void;
}

async function load(dir: string): Promise<Root> {
  const base = new URL(`file://${dir.startsWith("/") ? dir : `${cwd()}/${dir}`}/`);
  const { Server } = await import(new URL("src/server/server.ts", base).href);
  const { Keyspace } = await import(new URL("src/kv/keyspace/keyspace.ts", base).href);
  const { registerKeyValueCommands } = await import(new URL("src/kv/mod.ts", base).href);
  const server = new Server();
  const keyspace = new Keyspace({ sweepInterval: 0 });
  registerKeyValueCommands(server, keyspace);
  const transport = new NullTransport();
  transport.handler = server.accept(transport);
  return { dir, handler: transport.handler, close: () => keyspace.close() };
}

/** The working directory on every runtime. */
function cwd(): string {
  const g = globalThis as { Deno?: { cwd(): string }; process?: { cwd(): string } };
  return g.Deno?.cwd() ?? g.process!.cwd();
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    const { statSync } = await import("node:fs");
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const cpuUsage = () => process.cpuUsage();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

let rounds = 11;
const dirs: string[] = [];
const filters: string[] = [];
for (let i = 0; i < scriptArgs.length; i++) {
  const arg = scriptArgs[i];
  if (arg === "--rounds") rounds = Number(scriptArgs[++i]);
  else if (await isDirectory(arg)) dirs.push(arg.replace(/\/$/, ""));
  else filters.push(arg);
}
if (dirs.length < 2) throw new Error("Give at least two checkout directories");
const roots: Root[] = [];
for (const dir of dirs) roots.push(await load(dir));

console.log(
  `rediserver dispatch A/B on ${runtime} (CPU ns per command, pipelines of ${PIPELINE}, median of ` +
    `${rounds} alternating rounds): ${dirs.join(" | ")}`,
);
for (const [name, make] of selectTests(filters)) {
  // One uncounted pass first: the first timing of a test includes compiling its path.
  for (const root of roots) cpuChunks(root.handler, pipelines(make, 1024), cpuUsage);
  const samples: number[][] = roots.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < roots.length; k++) {
      const i = round % 2 === 0 ? k : roots.length - 1 - k;
      samples[i].push(cpuChunks(roots[i].handler, pipelines(make, 4096), cpuUsage));
    }
  }
  const typical = samples.map(median);
  const cells = typical.map((ns, i) =>
    `${ns.toFixed(0).padStart(6)}${i === 0 ? "" : ` (${(ns / typical[0]).toFixed(2)}x)`}`
  );
  console.log(`${name.padEnd(14)} ${cells.join("  ")}`);
}
for (const root of roots) root.close();
