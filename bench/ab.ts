/**
 * A/B end-to-end benchmark: `redis-benchmark` against `redis-server` and against several
 * variants of our key-value server in one run — builds of other checkouts (git worktrees:
 * before/after a change) or the same build started with other runtime flags — alternating
 * them round by round, so that each variant's ratio to Redis is measured under the same load.
 * Prints, per pipeline depth and test, the median ratio to Redis, the server's CPU time per
 * request and its resident memory (VmRSS at the end of the run, VmHWM peak).
 *
 * ```sh
 * node --import tsx bench/ab.ts \
 *   --server before:node:/tmp/wt-before --server after:node:/tmp/wt-after \
 *   --tests ping_mbulk,set,get,incr,lpush,xadd --pipelines 1,16 --rounds 3
 * node --import tsx bench/ab.ts --server plain:node:. \
 *   --server semi64:node:.:--max-semi-space-size=64,--min-semi-space-size=32
 * ```
 *
 * `--server NAME:RUNTIME:DIR[:FLAG,FLAG...]` (repeatable): Node runs `DIR/dist/cli.js` (build
 * each checkout first: `npm run build`), Deno and Bun run `DIR/cli.ts`; the flags go to the
 * runtime, before the script. Other flags: `--tests` (redis-benchmark test names, plus `xadd`:
 * `XADD bench:1 * f1 v1 f2 v2 f3 v3` as bench/streams.ts sends it), `--pipelines 1,16`,
 * `--requests N` (at -P 1; ten times that at higher depths), `--rounds N` (3), `--clients N`
 * (50), `--floor node,deno,bun` (adds each runtime's speed floor,
 * `bench/lib/floor_resp_server.mjs`: RESP framing and a constant reply, nothing else). Nothing
 * is written to bench/README.md: the table is printed.
 *
 * Per round the order is Redis, each variant (rotated every round), Redis; a variant's ratio
 * in a round is its req/s over the mean of the two Redis runs around it.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import {
  environment,
  environmentMarkdown,
  freePort,
  REDIS_BENCHMARK,
  run,
  type Runtime,
  RUNTIMES,
  type ServerProcess,
  setDeadline,
  spawnTracked,
  startRedis,
  startScript,
  waitReady,
} from "./lib/proc.ts";
import { median, ratio, table } from "./lib/report.ts";

interface Variant {
  name: string;
  runtime: Runtime;
  /** A checkout to run, or "floor" for `bench/lib/floor_resp_server.mjs`. */
  dir: string;
  flags: string[];
}

interface Options {
  variants: Variant[];
  tests: string[];
  pipelines: number[];
  requests: number;
  rounds: number;
  clients: number;
}

const XADD = ["XADD", "bench:1", "*", "f1", "v1", "f2", "v2", "f3", "v3"];

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    variants: [],
    tests: ["ping_mbulk", "set", "get", "incr"],
    pipelines: [1, 16],
    requests: 50_000,
    rounds: 3,
    clients: 50,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`Missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case "--server": {
        const [name, runtime, dir, flags] = value().split(":");
        if (!(RUNTIMES as readonly string[]).includes(runtime) || !dir) {
          throw new Error(`--server NAME:RUNTIME:DIR[:FLAGS], not ${argv[i]}`);
        }
        options.variants.push({
          name,
          runtime: runtime as Runtime,
          dir: resolve(dir),
          flags: flags ? flags.split(",") : [],
        });
        break;
      }
      case "--floor":
        for (const runtime of value().split(",")) {
          if (!(RUNTIMES as readonly string[]).includes(runtime)) {
            throw new Error(`--floor RUNTIME[,RUNTIME...], not ${runtime}`);
          }
          options.variants.push({
            name: `${runtime} floor`,
            runtime: runtime as Runtime,
            dir: "floor",
            flags: [],
          });
        }
        break;
      case "--tests":
        options.tests = value().toLowerCase().split(",");
        break;
      case "--pipelines":
        options.pipelines = value().split(",").map(Number);
        break;
      case "--requests":
        options.requests = Number(value());
        break;
      case "--rounds":
        options.rounds = Number(value());
        break;
      case "--clients":
        options.clients = Number(value());
        break;
      default:
        throw new Error(`Unknown option ${flag} (see the module doc)`);
    }
  }
  if (options.variants.length === 0) throw new Error("Give at least one --server");
  return options;
}

async function startVariant(variant: Variant): Promise<ServerProcess> {
  if (variant.dir === "floor") {
    return startScript(variant.runtime, "bench/lib/floor_resp_server.mjs", variant.name);
  }
  const port = await freePort();
  const cli = ["--port", String(port)];
  const [command, args] = variant.runtime === "node"
    ? [process.execPath, [...variant.flags, join(variant.dir, "dist/cli.js"), ...cli]]
    : variant.runtime === "deno"
    ? [join(variant.dir, "node_modules/.bin/deno"), [
      "run",
      "-A",
      ...variant.flags,
      "cli.ts",
      ...cli,
    ]]
    : [join(variant.dir, "node_modules/.bin/bun"), [...variant.flags, "cli.ts", ...cli]];
  const child = spawnTracked(command, args, { cwd: variant.dir });
  let tail = "";
  child.stdout!.on("data", () => {});
  child.stderr!.setEncoding("utf8").on("data", (t: string) => (tail = (tail + t).slice(-2000)));
  await waitReady(port, child, 30_000, () => tail);
  return {
    name: variant.name,
    port,
    child,
    pid: child.pid!,
    stderr: () => tail,
    stop: () => {
      child.kill("SIGKILL");
      return Promise.resolve();
    },
  };
}

/** CPU seconds (user + system, all threads) of a process. */
function cpuTime(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** One redis-benchmark run of one test: req/s and server CPU microseconds per request. */
async function bench(
  server: ServerProcess,
  test: string,
  pipeline: number,
  requests: number,
  clients: number,
): Promise<{ rps: number; cpu: number }> {
  const args = ["-h", "127.0.0.1", "-p", String(server.port), "-c", String(clients)];
  args.push("-n", String(requests), "-P", String(pipeline), "--csv");
  if (test === "xadd") args.push(...XADD);
  else args.push("-t", test);
  const before = cpuTime(server.pid);
  const result = await run(REDIS_BENCHMARK, args, 300_000);
  const cpu = ((cpuTime(server.pid) - before) * 1e6) / requests;
  const line = result.stdout.split("\n").filter((l) => l.startsWith('"')).at(1);
  const rps = Number(line?.split(",")[1]?.replace(/"/g, ""));
  if (!(rps > 0)) throw new Error(`${server.name} ${test}: no result: ${result.stderr}`);
  return { rps, cpu };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setDeadline(3_600_000);
  const env = environment();
  process.stdout.write(
    `${environmentMarkdown(env)}\n- Command: bench/ab.ts ${process.argv.slice(2).join(" ")}\n\n`,
  );
  const redis = await startRedis();
  const ours: ServerProcess[] = [];
  for (const variant of options.variants) ours.push(await startVariant(variant));
  const ratios = new Map<string, number[]>();
  const cpus = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, value: number) => {
    const list = map.get(key) ?? [];
    list.push(value);
    map.set(key, list);
  };
  const loads: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const pipeline of options.pipelines) {
      const requests = pipeline === 1 ? options.requests : options.requests * 10;
      for (const test of options.tests) {
        const order = ours.map((_, i) => ours[(i + round) % ours.length]);
        const first = await bench(redis, test, pipeline, requests, options.clients);
        const mine: Array<[ServerProcess, { rps: number; cpu: number }]> = [];
        for (const server of order) {
          mine.push([server, await bench(server, test, pipeline, requests, options.clients)]);
        }
        const last = await bench(redis, test, pipeline, requests, options.clients);
        const reference = (first.rps + last.rps) / 2;
        add(cpus, `${pipeline}|redis|${test}`, (first.cpu + last.cpu) / 2);
        for (const [server, sample] of mine) {
          add(ratios, `${pipeline}|${server.name}|${test}`, sample.rps / reference);
          add(cpus, `${pipeline}|${server.name}|${test}`, sample.cpu);
        }
        loads.push(Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]));
        process.stderr.write(
          `round ${round + 1} -P ${pipeline} ${test}: ${
            mine.map(([s, x]) => `${s.name} ${ratio(x.rps / reference)}`).join(", ")
          }\n`,
        );
      }
    }
  }
  const rows: string[][] = [];
  for (const pipeline of options.pipelines) {
    for (const test of options.tests) {
      const row = [`-P ${pipeline}`, test.toUpperCase()];
      for (const server of ours) {
        const key = `${pipeline}|${server.name}|${test}`;
        const cpu = median(cpus.get(key)!) / median(cpus.get(`${pipeline}|redis|${test}`)!);
        row.push(`${ratio(median(ratios.get(key)!))} (cpu ${ratio(cpu)})`);
      }
      rows.push(row);
    }
  }
  const memoryRow = ["", "RSS end / peak MB"];
  for (const server of ours) {
    const m = memory(server.pid);
    memoryRow.push(`${m.rss.toFixed(0)} / ${m.hwm.toFixed(0)}`);
  }
  rows.push(memoryRow);
  process.stdout.write(
    `Median over ${options.rounds} rounds of req/s x Redis (in parentheses: server CPU per ` +
      `request x Redis's); load average during the run ${Math.min(...loads)} to ${
        Math.max(...loads)
      } (2 cores).\n\n`,
  );
  process.stdout.write(
    table([["pipeline", "test", ...ours.map((s) => s.name)], ...rows]) + "\n",
  );
  for (const server of [redis, ...ours]) await server.stop();
}

await main();
