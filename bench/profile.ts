/**
 * CPU profile of our key-value server under redis-benchmark load: starts `cli.ts` on one
 * runtime with its sampling profiler (`node --cpu-prof`, `deno run --cpu-prof`,
 * `bun --cpu-prof`), runs redis-benchmark against it, stops it with SIGTERM (the profile is
 * written on exit) and prints the functions with the most self and total time.
 *
 * ```sh
 * node --import tsx bench/profile.ts --runtime node --pipeline 16 --tests set,get
 * node --import tsx bench/profile.ts --runtime bun --pipeline 1 --requests 400000
 * node --import tsx bench/profile.ts --summarize bench/results/some.cpuprofile
 * ```
 *
 * Flags: `--runtime node|deno|bun`, `--pipeline N` (1), `--tests set,get`, `--requests N`
 * (per test; default 300,000 for -P 1, 2,000,000 for -P 16), `--size N` (value bytes, 3),
 * `--top N` (30), `--out DIR` (bench/results), `--summarize FILE` (only summarise a profile),
 * `--command "XADD s * f v"` (a custom command for redis-benchmark instead of `--tests`;
 * split on spaces).
 *
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import process from "node:process";
import {
  buildDist,
  REDIS_BENCHMARK,
  ROOT,
  run,
  type Runtime,
  RUNTIMES,
  setDeadline,
  sleep,
  startOurs,
} from "./lib/proc.ts";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function frameName(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  let url = frame.url.replace(/^file:\/\//, "");
  if (url.startsWith(ROOT)) url = relative(ROOT, url);
  else if (url.includes("node_modules")) url = url.slice(url.lastIndexOf("node_modules"));
  return `${name} ${url}:${frame.lineNumber + 1}`;
}

/** Self and total time per function (ms), from a Chrome-format .cpuprofile. */
export function summarize(profile: CpuProfile, top: number): string {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  // Time per node: from samples/timeDeltas when present, else hitCount x mean interval.
  const time = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0) {
    for (let i = 0; i < samples.length; i++) {
      // timeDeltas[i] is the gap before sample i; the sample's weight is the gap after it.
      const weight = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
      time.set(samples[i], (time.get(samples[i]) ?? 0) + weight);
    }
  } else {
    const hits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
    const interval = hits > 0 ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
    for (const node of profile.nodes) time.set(node.id, (node.hitCount ?? 0) * interval);
  }
  let total = 0;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of time) {
    if (ms === 0) continue;
    total += ms;
    const node = byId.get(id)!;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = frameName(byId.get(at)!.callFrame);
      if (seen.has(n)) continue;
      seen.add(n);
      inclusive.set(n, (inclusive.get(n) ?? 0) + ms);
    }
  }
  const idle = [...self].filter(([n]) => /^\((idle|program|garbage collector)\)/.test(n));
  const lines: string[] = [];
  const pct = (ms: number) => `${((ms / total) * 100).toFixed(1).padStart(5)}%`;
  lines.push(`Total sampled: ${total.toFixed(0)} ms`);
  for (const [name, ms] of idle) lines.push(`  ${pct(ms)}  ${name}`);
  lines.push("", `Top ${top} by self time:`);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(ms)}  ${name}`);
  }
  lines.push("", `Top ${top} by total time (inclusive):`);
  for (const [name, ms] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(ms)}  ${name}`);
  }
  return lines.join("\n");
}

/** The largest profile written since `since` (the main thread's, under load). */
function largest(dir: string, since: number): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).mtimeMs >= since)
    .sort((a, b) => statSync(b).size - statSync(a).size);
  return files[0];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let runtime: Runtime = "node";
  let pipeline = 1;
  let tests = "set,get";
  let requests = 0;
  let size = 3;
  let top = 30;
  let out = join(ROOT, "bench", "results");
  let only: string | undefined;
  let command: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? "";
    switch (flag) {
      case "--runtime":
        runtime = value() as Runtime;
        if (!RUNTIMES.includes(runtime)) throw new Error(`Unknown runtime ${runtime}`);
        break;
      case "--pipeline":
        pipeline = Number(value());
        break;
      case "--tests":
        tests = value();
        break;
      case "--requests":
        requests = Number(value());
        break;
      case "--size":
        size = Number(value());
        break;
      case "--top":
        top = Number(value());
        break;
      case "--out":
        out = resolve(value());
        break;
      case "--summarize":
        only = value();
        break;
      case "--command":
        command = value().split(" ").filter(Boolean);
        break;
      default:
        throw new Error(`Unknown option ${flag}`);
    }
  }
  if (only !== undefined) {
    process.stdout.write(summarize(JSON.parse(readFileSync(only, "utf8")), top) + "\n");
    return;
  }
  // Only for a new profile: summarising one must not rebuild the dist others run.
  buildDist();
  setDeadline(600_000);
  if (requests === 0) requests = pipeline > 1 ? 2_000_000 : 300_000;
  mkdirSync(out, { recursive: true });
  const since = Date.now() - 1000;
  const label = command ? command[0].toLowerCase() : tests.replace(/,/g, "_");
  const name = `${runtime}-P${pipeline}-${label}-${Date.now()}.cpuprofile`;
  const flags: Record<Runtime, string[]> = {
    // No fixed name on Node: tsx's loader thread writes a profile too (the largest wins).
    node: ["--cpu-prof", `--cpu-prof-dir=${out}`],
    deno: ["--cpu-prof", `--cpu-prof-dir=${out}`, `--cpu-prof-name=${name}`],
    bun: ["--cpu-prof", `--cpu-prof-dir=${out}`, `--cpu-prof-name=${name}`],
  };
  const server = await startOurs(runtime, [], flags[runtime]);
  process.stdout.write(`${runtime} pid ${server.pid} port ${server.port}, profiling...\n`);
  const args = [
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-c",
    "50",
    "-n",
    String(requests),
    "-P",
    String(pipeline),
    "-d",
    String(size),
    "--csv",
    ...(command ?? ["-t", tests]),
  ];
  const result = await run(REDIS_BENCHMARK, args, 300_000);
  process.stdout.write(result.stdout);
  await sleep(200);
  await server.stop();
  await sleep(500);
  const file = runtime === "node"
    ? largest(out, since)
    : existsProfile(join(out, name)) ?? largest(out, since);
  if (file === undefined) throw new Error(`No .cpuprofile written in ${out}: ${server.stderr()}`);
  process.stdout.write(`Profile: ${relative(ROOT, file)}\n\n`);
  process.stdout.write(summarize(JSON.parse(readFileSync(file, "utf8")), top) + "\n");
}

function existsProfile(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

await main();
