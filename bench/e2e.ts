/**
 * End-to-end benchmark: `redis-benchmark` against a real `redis-server` and against our
 * key-value server (`cli.ts`) on Node, Deno and Bun, on loopback, alternating the reference
 * and ours to cancel drift. Prints req/s, the ratio to Redis and p50/p99 latency per test, and
 * writes the tables and a chart to `bench/README.md` and `bench/e2e.svg`.
 *
 * ```sh
 * node --import tsx bench/e2e.ts                 # full run (a few minutes)
 * node --import tsx bench/e2e.ts --quick         # smoke run (about a minute)
 * node --import tsx bench/e2e.ts --runtimes bun --tests set,get --rounds 3
 * ```
 *
 * Flags: `--quick`, `--runtimes node,deno,bun`, `--tests ping_mbulk,set,get,incr`,
 * `--scenarios p1,p16,p1-1k,p16-1k`, `--rounds N` (default 4; 1 with --quick),
 * `--scale F` (multiplies request counts), `--clients N` (50), `--no-write`,
 * `--deadline SECONDS` (whole-run bound, default 1200).
 *
 * Method: every server runs for the whole bench (idle when not measured) and is warmed up
 * first. Each test of each scenario is one short redis-benchmark run (about a second); per
 * round the order is Redis, each runtime (order rotated every round), Redis again, so a
 * runtime's ratio in a round is its req/s over the mean of the two Redis runs a few seconds
 * around it. Reported figures are medians over rounds (this 2-core VM drifts by +-20% within
 * a minute; medians of finely interleaved runs are what makes the ratios repeatable).
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  buildDist,
  environment,
  environmentMarkdown,
  formatFiles,
  REDIS_BENCHMARK,
  ROOT,
  run,
  type Runtime,
  RUNTIMES,
  type ServerProcess,
  setDeadline,
  startOurs,
  startRedis,
} from "./lib/proc.ts";
import { barChart, median, ratio, table, thousands, writeSection } from "./lib/report.ts";

/** One redis-benchmark configuration. */
interface Scenario {
  id: string;
  label: string;
  pipeline: number;
  size: number;
  requests: number;
  /** Tests that make sense here (value size only matters for SET/GET). */
  tests: readonly string[];
}

const ALL_TESTS = ["ping_mbulk", "set", "get", "incr"];
const SCENARIOS: readonly Scenario[] = [
  { id: "p1", label: "-P 1", pipeline: 1, size: 3, requests: 60_000, tests: ALL_TESTS },
  { id: "p16", label: "-P 16", pipeline: 16, size: 3, requests: 600_000, tests: ALL_TESTS },
  {
    id: "p1-1k",
    label: "-P 1 -d 1024",
    pipeline: 1,
    size: 1024,
    requests: 50_000,
    tests: ["set", "get"],
  },
  {
    id: "p16-1k",
    label: "-P 16 -d 1024",
    pipeline: 16,
    size: 1024,
    requests: 300_000,
    tests: ["set", "get"],
  },
];

/** Targets: the worst test's ratio per runtime and pipeline depth (3-byte values). */
const TARGETS: Record<Runtime, { p1: number; p16: number }> = {
  node: { p1: 0.85, p16: 0.5 },
  deno: { p1: 0.85, p16: 0.5 },
  bun: { p1: 0.95, p16: 0.8 },
};

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system, all threads) per request, microseconds. */
  cpu: number;
}

interface Options {
  quick: boolean;
  runtimes: Runtime[];
  tests: string[];
  scenarios: Scenario[];
  rounds: number;
  scale: number;
  clients: number;
  write: boolean;
  deadline: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    quick: false,
    runtimes: [...RUNTIMES],
    tests: [...ALL_TESTS],
    scenarios: [...SCENARIOS],
    rounds: 0,
    scale: 1,
    clients: 50,
    write: true,
    deadline: 1200,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`Missing value for ${flag}`);
      return v;
    };
    const list = (): string[] =>
      value().toLowerCase().split(",").map((s) => s.trim()).filter(Boolean);
    switch (flag) {
      case "--quick":
        options.quick = true;
        break;
      case "--runtimes":
        options.runtimes = list().map((r) => {
          if (!(RUNTIMES as readonly string[]).includes(r)) throw new Error(`Unknown runtime ${r}`);
          return r as Runtime;
        });
        break;
      case "--tests":
        options.tests = list().map((t) => {
          if (!ALL_TESTS.includes(t)) throw new Error(`Unknown test ${t} (${ALL_TESTS.join(",")})`);
          return t;
        });
        break;
      case "--scenarios": {
        const ids = list();
        options.scenarios = ids.map((id) => {
          const found = SCENARIOS.find((s) => s.id === id);
          if (!found) throw new Error(`Unknown scenario ${id} (${SCENARIOS.map((s) => s.id)})`);
          return found;
        });
        break;
      }
      case "--rounds":
        options.rounds = Math.max(1, Number.parseInt(value(), 10) || 1);
        break;
      case "--scale":
        options.scale = Number(value());
        if (!(options.scale > 0)) throw new Error("--scale must be positive");
        break;
      case "--clients":
        options.clients = Math.max(1, Number.parseInt(value(), 10) || 50);
        break;
      case "--no-write":
        options.write = false;
        break;
      case "--deadline":
        options.deadline = Math.max(10, Number(value()) || 1200);
        break;
      case "--help":
      case "-h":
        process.stdout.write(
          "Usage: node --import tsx bench/e2e.ts [--quick] [--runtimes node,deno,bun] " +
            "[--tests ping_mbulk,set,get,incr] [--scenarios p1,p16,p1-1k,p16-1k] [--rounds N] " +
            "[--scale F] [--clients N] [--no-write] [--deadline SECONDS]\n",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown option ${flag} (see --help)`);
    }
  }
  if (options.rounds === 0) options.rounds = options.quick ? 1 : 4;
  if (options.quick) options.scale *= 0.25;
  return options;
}

function csvCells(line: string): string[] {
  return line.split(",").map((cell) => cell.replace(/^"|"$/g, ""));
}

/** Parses redis-benchmark 7's `--csv` output ("test","rps",...,"p50_latency_ms",...). */
function parseCsv(text: string): Map<string, Sample> {
  const out = new Map<string, Sample>();
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.startsWith('"'));
  const header = lines.length > 0 ? csvCells(lines[0]) : [];
  const col = (name: string) => header.indexOf(name);
  const [ti, ri, p50i, p99i] = [
    col("test"),
    col("rps"),
    col("p50_latency_ms"),
    col("p99_latency_ms"),
  ];
  if (ti === -1 || ri === -1) return out;
  for (const line of lines.slice(1)) {
    const cells = csvCells(line);
    out.set(cells[ti].toLowerCase(), {
      rps: Number(cells[ri]),
      p50: p50i === -1 ? NaN : Number(cells[p50i]),
      p99: p99i === -1 ? NaN : Number(cells[p99i]),
      cpu: NaN,
    });
  }
  return out;
}

async function benchmark(
  server: ServerProcess,
  options: {
    clients: number;
    requests: number;
    pipeline: number;
    size: number;
    tests: readonly string[];
  },
): Promise<Map<string, Sample>> {
  const args = [
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-c",
    String(options.clients),
    "-n",
    String(options.requests),
    "-P",
    String(options.pipeline),
    "-d",
    String(options.size),
    "-t",
    options.tests.join(","),
    "--csv",
  ];
  // Bound: even a server 20x slower than this machine's Redis finishes within it.
  const timeout = Math.min(
    600_000,
    Math.max(30_000, (options.tests.length * options.requests) / 2_000 * 1000),
  );
  const cpuBefore = cpuTime(server.pid);
  const result = await run(REDIS_BENCHMARK, args, timeout);
  const cpuUsed = cpuTime(server.pid) - cpuBefore;
  if (result.timedOut) {
    throw new Error(`redis-benchmark on ${server.name} timed out (${timeout} ms)`);
  }
  const samples = parseCsv(result.stdout);
  if (samples.size === 0) {
    throw new Error(
      `redis-benchmark on ${server.name} gave no results (exit ${result.code}): ${
        result.stderr.slice(-500)
      }`,
    );
  }
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new Error(`${server.name} exited during the benchmark: ${server.stderr()}`);
  }
  // One test per run: the whole run's CPU time is that test's (a little connection setup too).
  if (samples.size === 1) {
    for (const sample of samples.values()) sample.cpu = (cpuUsed * 1e6) / options.requests;
  }
  return samples;
}

/** CPU seconds (user + system, all threads) a process has used, from /proc/<pid>/stat. */
function cpuTime(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on Linux everywhere that matters. */
const CLOCK_TICKS = 100;

type Key = string;
const key = (scenario: string, server: string, test: string): Key =>
  `${scenario}|${server}|${test}`;

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setDeadline(options.deadline * 1000);
  buildDist();
  const started = Date.now();
  const env = environment();
  process.stdout.write(`${environmentMarkdown(env)}\n\n`);
  const scenarios = options.scenarios
    .map((s) => ({
      ...s,
      requests: Math.max(1000, Math.round(s.requests * options.scale)),
      tests: s.tests.filter((t) => options.tests.includes(t)),
    }))
    .filter((s) => s.tests.length > 0);

  process.stdout.write("Starting servers...\n");
  const redis = await startRedis();
  const ours = new Map<Runtime, ServerProcess>();
  for (const runtime of options.runtimes) ours.set(runtime, await startOurs(runtime));

  // Warm-up: JIT-compile the hot paths (the same load for Redis, for symmetry).
  const warmTests = [...new Set(scenarios.flatMap((s) => s.tests))];
  for (const server of [redis, ...ours.values()]) {
    process.stdout.write(`Warming up ${server.name} (pid ${server.pid}, port ${server.port})\n`);
    const n = Math.max(10_000, Math.round(100_000 * options.scale));
    await benchmark(server, {
      clients: options.clients,
      requests: n,
      pipeline: 16,
      size: 3,
      tests: warmTests,
    });
    await benchmark(server, {
      clients: options.clients,
      requests: Math.round(n / 5),
      pipeline: 1,
      size: 1024,
      tests: warmTests,
    });
  }

  const samples = new Map<Key, Sample[]>();
  const ratios = new Map<Key, number[]>();
  const add = <T>(map: Map<Key, T[]>, k: Key, v: T) => {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  };
  const runOne = async (scenario: (typeof scenarios)[number], server: ServerProcess) => {
    const result = await benchmark(server, { clients: options.clients, ...scenario });
    const parts: string[] = [];
    for (const test of scenario.tests) {
      const sample = result.get(test);
      if (!sample) continue;
      add(samples, key(scenario.id, server.name, test), sample);
      parts.push(`${test} ${thousands(sample.rps)}`);
    }
    process.stdout.write(`  ${pad(server.name, 6)} ${parts.join(", ")}\n`);
    return result;
  };

  for (const scenario of scenarios) {
    process.stdout.write(
      `\n${scenario.label}: -n ${scenario.requests} -c ${options.clients}, ` +
        `${options.rounds} round(s) per test\n`,
    );
    for (const test of scenario.tests) {
      // One test at a time, so that Redis runs are never more than a few seconds away.
      const unit = { ...scenario, tests: [test] };
      let before = await runOne(unit, redis);
      for (let round = 0; round < options.rounds; round++) {
        const order = [...options.runtimes];
        for (let r = 0; r < round % Math.max(1, order.length); r++) order.push(order.shift()!);
        if (round % 2 === 1) order.reverse();
        const results = new Map<Runtime, Map<string, Sample>>();
        for (const runtime of order) results.set(runtime, await runOne(unit, ours.get(runtime)!));
        const after = await runOne(unit, redis);
        for (const [runtime, result] of results) {
          const mine = result.get(test)?.rps ?? NaN;
          const reference = ((before.get(test)?.rps ?? NaN) + (after.get(test)?.rps ?? NaN)) / 2;
          add(ratios, key(scenario.id, runtime, test), mine / reference);
        }
        before = after;
      }
    }
  }

  for (const server of [...ours.values(), redis]) await server.stop();
  const elapsed = (Date.now() - started) / 1000;

  // ---- report ----
  const stat = (k: Key, field: keyof Sample) => median((samples.get(k) ?? []).map((s) => s[field]));
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "n/a");
  const sections: string[] = [];
  const worst = new Map<string, { value: number; test: string }>();
  for (const scenario of scenarios) {
    const rows: string[][] = [[
      "Test",
      "Server",
      "req/s",
      "x Redis",
      "p50 ms",
      "p99 ms",
      "CPU us/req",
      "CPU x Redis",
    ]];
    for (const test of scenario.tests) {
      for (const name of ["redis", ...options.runtimes]) {
        const k = key(scenario.id, name, test);
        const r = name === "redis" ? 1 : median(ratios.get(k) ?? []);
        rows.push([
          test.toUpperCase(),
          name === "redis" ? "redis-server" : name,
          thousands(stat(k, "rps")),
          name === "redis" ? "1.00x" : ratio(r),
          ms(stat(k, "p50")),
          ms(stat(k, "p99")),
          Number.isFinite(stat(k, "cpu")) ? stat(k, "cpu").toFixed(2) : "n/a",
          ratio(stat(k, "cpu") / stat(key(scenario.id, "redis", test), "cpu")),
        ]);
        if (name !== "redis") {
          const w = worst.get(`${scenario.id}|${name}`);
          if (!w || !(r >= w.value)) worst.set(`${scenario.id}|${name}`, { value: r, test });
        }
      }
    }
    sections.push(
      `### ${scenario.label} (${scenario.tests.length} tests, -n ${scenario.requests})\n\n${
        table(rows, ["l", "l", "r", "r", "r", "r", "r", "r"])
      }`,
    );
  }

  const summaryHead = [
    "Runtime",
    ...scenarios.map((s) => `worst ${s.label}`),
    "Target -P 1",
    "Target -P 16",
  ];
  const summary: string[][] = [summaryHead];
  const verdicts: string[] = [];
  for (const runtime of options.runtimes) {
    const row: string[] = [runtime];
    for (const scenario of scenarios) {
      const w = worst.get(`${scenario.id}|${runtime}`);
      row.push(w ? `${ratio(w.value)} (${w.test.toUpperCase()})` : "n/a");
    }
    for (
      const [id, target] of [["p1", TARGETS[runtime].p1], ["p16", TARGETS[runtime].p16]] as const
    ) {
      const w = worst.get(`${id}|${runtime}`);
      if (!w || options.tests.length < ALL_TESTS.length) {
        row.push(w ? `>= ${target}: ${w.value >= target ? "met" : "MISSED"} (partial)` : "not run");
      } else {
        const met = w.value >= target;
        row.push(`>= ${target}: ${met ? "met" : "MISSED"}`);
        verdicts.push(`${runtime} ${id === "p1" ? "-P 1" : "-P 16"} ${met ? "met" : "missed"}`);
      }
    }
    summary.push(row);
  }

  const chartGroups = scenarios.flatMap((scenario) =>
    scenario.tests.map((test) => ({
      label: `${test.toUpperCase()} ${scenario.label}`,
      values: options.runtimes.map((rt) => median(ratios.get(key(scenario.id, rt, test)) ?? [])),
    }))
  );
  const svg = barChart({
    title: "rediserver throughput relative to redis-server (redis-benchmark, 50 clients)",
    series: options.runtimes,
    groups: chartGroups,
    reference: 1,
    yLabel: "req/s ÷ Redis req/s",
  });

  const command = `node --import tsx bench/e2e.ts ${process.argv.slice(2).join(" ")}`.trim();
  const body = [
    "## End to end: redis-benchmark, ours vs redis-server",
    "",
    `Command: \`${command}\` (\`npm run bench:e2e\`)${
      options.quick ? " — quick run, fewer requests" : ""
    }.`,
    "",
    environmentMarkdown(env),
    `- Load: \`redis-benchmark -c ${options.clients}\` on 127.0.0.1, ${options.rounds} round(s) per ` +
    `test, one redis-benchmark run per test and server, Redis measured before and after every ` +
    `round (ratio = ours / mean of the two), ` +
    `figures are medians over rounds; total ${elapsed.toFixed(0)} s.`,
    "- Servers: `redis-server --save '' --appendonly no`; ours on each runtime: the built " +
    "`node dist/cli.js --port N`, `deno run -A cli.ts`, `bun cli.ts`.",
    "- CPU us/req: the server process's user + system CPU time (all threads, /proc/<pid>/stat) " +
    "over the run divided by requests: less sensitive to machine noise than req/s, and the cost " +
    "that decides throughput once the server, not the client, is the bottleneck.",
    "",
    "![ratio to Redis per test and runtime](e2e.svg)",
    "",
    "### Summary (worst test per scenario; targets on the 3-byte -P 1 / -P 16 scenarios)",
    "",
    table(summary),
    "",
    ...sections.flatMap((s) => [s, ""]),
  ].join("\n");

  process.stdout.write(`\n${body}\n`);
  if (options.write) {
    writeSection(join(ROOT, "bench", "README.md"), "e2e", body);
    writeFileSync(join(ROOT, "bench", "e2e.svg"), svg);
    formatFiles([join(ROOT, "bench", "README.md"), join(ROOT, "bench", "e2e.svg")]);
    process.stdout.write("\nWrote bench/README.md and bench/e2e.svg\n");
  }
  process.stdout.write(`Targets: ${verdicts.join("; ") || "not evaluated"}\n`);
  process.exit(0);
}

await main();
