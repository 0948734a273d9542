/**
 * Data-type benchmark: `redis-benchmark` sending bitmap, HyperLogLog and geo commands to a
 * real `redis-server` and to our key-value server on Node, Deno and Bun, on the same seeded
 * data, alternating the reference and ours as `bench/e2e.ts` does (per round: Redis, each
 * runtime in rotated order, Redis again; ratio = ours over the mean of the two Redis runs,
 * median over rounds). Writes its table to the `types` section of `bench/README.md`.
 *
 * ```sh
 * npm run bench:types                               # 3 rounds, every runtime
 * npm run bench:types -- --runtimes bun --rounds 1 --no-write
 * ```
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  buildDist,
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
import { median, ratio, table, thousands, writeSection } from "./lib/report.ts";
import { seedCommands, TESTS } from "./types/data.ts";

const REDIS_CLI = "/usr/bin/redis-cli";

interface Options {
  runtimes: Runtime[];
  tests: string[];
  rounds: number;
  clients: number;
  requests: number;
  pipelines: number[];
  write: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    runtimes: [...RUNTIMES],
    tests: Object.keys(TESTS),
    rounds: 3,
    clients: 50,
    requests: 200_000,
    pipelines: [1, 16],
    write: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i] ?? "";
    const list = () => value().split(",").filter(Boolean);
    switch (argv[i]) {
      case "--runtimes":
        options.runtimes = list() as Runtime[];
        break;
      case "--tests":
        options.tests = list().filter((t) => t in TESTS);
        break;
      case "--pipelines":
        options.pipelines = list().map(Number);
        break;
      case "--rounds":
        options.rounds = Math.max(1, Number.parseInt(value(), 10) || 1);
        break;
      case "--requests":
        options.requests = Math.max(1000, Number.parseInt(value(), 10) || 200_000);
        break;
      case "--no-write":
        options.write = false;
        break;
      default:
        throw new Error(`Unknown option ${argv[i]}`);
    }
  }
  return options;
}

async function seed(server: ServerProcess): Promise<void> {
  for (const command of seedCommands()) {
    const r = await run(REDIS_CLI, ["-p", String(server.port), ...command], 30_000);
    if (r.code !== 0 || r.stdout.startsWith("ERR")) {
      throw new Error(`seeding ${server.name}: ${command[0]}: ${r.stdout}${r.stderr}`);
    }
  }
}

/** CPU seconds (user + system, all threads) of a process so far. */
function cpuTime(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A run's requests per second and the server's CPU microseconds per request. */
interface Sample {
  rps: number;
  cpu: number;
}

/** One redis-benchmark run of a command. */
async function measure(
  server: ServerProcess,
  test: string,
  pipeline: number,
  options: Options,
): Promise<Sample> {
  const { args, random } = TESTS[test];
  const requests = pipeline === 1 ? options.requests / 4 : options.requests;
  const before = cpuTime(server.pid);
  const result = await run(REDIS_BENCHMARK, [
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-c",
    String(options.clients),
    "-n",
    String(requests),
    "-P",
    String(pipeline),
    "-r",
    String(random),
    "--csv",
    ...args,
  ], 300_000);
  const cpu = ((cpuTime(server.pid) - before) * 1e6) / requests;
  // CSV: a header line, then "<command line>","<rps>",...; the rps is the 7th field from the end.
  const line = result.stdout.split("\n").map((l) => l.trim()).filter((l) => l.endsWith('"'))[1];
  const cells = line === undefined ? [] : line.split(",");
  const rps = Number((cells[cells.length - 7] ?? "").replace(/"/g, ""));
  if (!(rps > 0) || /ERR|WRONGTYPE/.test(result.stderr + result.stdout)) {
    throw new Error(`redis-benchmark ${test} on ${server.name}: ${result.stdout}${result.stderr}`);
  }
  return { rps, cpu };
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  (map.get(key) ?? map.set(key, []).get(key)!).push(value);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setDeadline(1_800_000);
  if (options.runtimes.includes("node")) {
    try {
      buildDist();
    } catch (error) {
      if (!existsSync(join(ROOT, "dist", "cli.js"))) throw error;
      console.error("npm run build reported errors; using the dist/ it produced");
    }
  }
  const redis = await startRedis();
  const ours: ServerProcess[] = [];
  try {
    for (const runtime of options.runtimes) ours.push(await startOurs(runtime));
    for (const server of [redis, ...ours]) await seed(server);
    const rows: string[][] = [];
    for (const test of options.tests) {
      for (const pipeline of options.pipelines) {
        const ratios = new Map<string, number[]>();
        const rps = new Map<string, number[]>();
        const cpus = new Map<string, number[]>();
        for (let round = 0; round < options.rounds; round++) {
          const order = [...ours.slice(round % ours.length), ...ours.slice(0, round % ours.length)];
          const before = await measure(redis, test, pipeline, options);
          const mine: [string, Sample][] = [];
          for (const server of order) {
            mine.push([server.name, await measure(server, test, pipeline, options)]);
          }
          const after = await measure(redis, test, pipeline, options);
          const reference = (before.rps + after.rps) / 2;
          const referenceCpu = (before.cpu + after.cpu) / 2;
          push(rps, "redis", reference);
          push(cpus, "redis", referenceCpu);
          for (const [name, sample] of mine) {
            push(ratios, name, sample.rps / reference);
            push(rps, name, sample.rps);
            push(cpus, name, sample.cpu / referenceCpu);
          }
        }
        const row = [
          `${TESTS[test].args.join(" ").replace("__rand_int__", "<r>")}`,
          `-P ${pipeline}`,
          `${thousands(median(rps.get("redis")!))} (${median(cpus.get("redis")!).toFixed(1)} us)`,
        ];
        for (const server of ours) {
          const r = median(ratios.get(server.name)!);
          const cpu = median(cpus.get(server.name)!);
          row.push(`${thousands(median(rps.get(server.name)!))} (${ratio(r)}; cpu ${ratio(cpu)})`);
        }
        rows.push(row);
        console.error(row.join("  "));
      }
    }
    const header = [
      "command",
      "pipeline",
      "redis-server req/s (CPU/req)",
      ...ours.map((s) => s.name),
    ];
    const body =
      `### Data types: bitmaps, HyperLogLog, geo (\`npm run bench:types\`)\n\n${
        table([header, ...rows])
      }\n\n${options.rounds} round(s), redis-benchmark -c ${options.clients} -n ${options.requests} ` +
      `(a quarter of it at -P 1) on seeded data (a 125 KB bitmap, a dense HLL, 10,000 points ` +
      `between 0-30 E and 40-60 N); in parentheses: ours / the mean of the Redis runs just ` +
      `before and after, median over rounds; "cpu": the server's CPU time per request over Redis's (user + system, ` +
      `from /proc; lower is better, steadier than req/s on a shared machine). Target: at least ` +
      `0.8x at -P 16.`;
    console.log(body);
    if (options.write) writeSection(join(ROOT, "bench", "README.md"), "types", body);
  } finally {
    for (const server of ours) await server.stop();
    await redis.stop();
  }
}

await main();
