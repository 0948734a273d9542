/**
 * Stream benchmark: `redis-benchmark` running XADD and XRANGE (COUNT 10) against a real
 * `redis-server` and against our key-value server (`cli.ts`) on Node, Deno and Bun, in the
 * same run, at `-P 1` and `-P 16`; and the memory one million stream entries of 3 small
 * fields take in each. Writes its section of `bench/README.md`.
 *
 * ```sh
 * node --import tsx bench/streams.ts
 * node --import tsx bench/streams.ts --runtimes bun --rounds 1 --entries 200000
 * ```
 *
 * Flags: `--runtimes node,deno,bun`, `--rounds N` (3), `--entries N` (1000000),
 * `--only speed|memory`, `--no-write`, `--deadline SECONDS` (default 1200).
 *
 * Speed: every server is started once and warmed up; per round the order is Redis, each
 * runtime, Redis again, and a runtime's ratio is its req/s over the mean of the two Redis
 * runs around it; figures are medians over rounds. XADD is `XADD bench:<n> * f1 v1 f2 v2 f3
 * v3` (one stream per scenario); XRANGE reads 10 entries from a random position of a
 * 100,000-entry stream (`XRANGE bench:read <rand> + COUNT 10`, IDs 1-0 ... 100000-0).
 *
 * Memory: a fresh server per measurement; `used_memory` of INFO memory (Redis: its
 * allocator's count; ours: the JavaScript heap plus array buffers) and the process RSS are
 * read before and after adding the entries (`XADD mem * f1 <i> f2 <i> f3 v`, pipelined in
 * batches of 10,000), 3 s after the last reply; the table gives the growth per million
 * entries. Our servers run with a preloaded module (see {@link MEMORY_PRELOAD}) that makes
 * every reading follow a full garbage collection (Redis frees at once; a collector's garbage
 * is not the stream's memory) and, on Bun, takes `external` out of `heapUsed` (JSC's heap
 * size already counts it, and INFO adds `external` to `heapUsed`: it would count twice).
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import {
  ask,
  buildDist,
  environment,
  environmentMarkdown,
  formatFiles,
  REDIS_BENCHMARK,
  ROOT,
  rss,
  run,
  type Runtime,
  RUNTIMES,
  type ServerProcess,
  setDeadline,
  sleep,
  startOurs,
  startRedis,
} from "./lib/proc.ts";
import { pipeline, preloadFlags, usedMemory } from "./lib/memory_probe.ts";
import { median, megabytes, ratio, table, thousands, writeSection } from "./lib/report.ts";

interface Options {
  runtimes: Runtime[];
  rounds: number;
  entries: number;
  only: "speed" | "memory" | "both";
  write: boolean;
  deadline: number;
}

/** Targets from the issue: throughput at -P 16, memory per million entries. */
const TARGET_RATIO_P16 = 0.8;
const TARGET_MEMORY_RATIO = 2;
const READ_STREAM_ENTRIES = 100_000;

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    runtimes: [...RUNTIMES],
    rounds: 3,
    entries: 1_000_000,
    only: "both",
    write: true,
    deadline: 1200,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2) as [string, string | undefined];
    const value = (): string => inline ?? argv[++i] ?? "";
    if (flag === "--runtimes") {
      options.runtimes = value().split(",").map((r) => {
        if (!(RUNTIMES as readonly string[]).includes(r)) throw new Error(`Unknown runtime ${r}`);
        return r as Runtime;
      });
    } else if (flag === "--rounds") options.rounds = Math.max(1, Number(value()));
    else if (flag === "--entries") options.entries = Math.max(1000, Number(value()));
    else if (flag === "--only") options.only = value() as Options["only"];
    else if (flag === "--no-write") options.write = false;
    else if (flag === "--deadline") options.deadline = Number(value());
    else throw new Error(`Unknown flag ${flag}`);
  }
  return options;
}

interface MemoryRow {
  name: string;
  used: number;
  rss: number;
}

async function measureMemory(server: ServerProcess, entries: number): Promise<MemoryRow> {
  await sleep(1000);
  const [used0, rss0] = [await usedMemory(server.port), rss(server.pid)];
  await pipeline(server.port, entries, (i) => {
    const n = String(i);
    return ["XADD", "mem", "*", "f1", n, "f2", n, "f3", "v"];
  });
  const length = await ask(server.port, "XLEN mem");
  if (length !== `:${entries}`) throw new Error(`${server.name}: XLEN ${length}`);
  await sleep(3000);
  const scale = 1_000_000 / entries;
  return {
    name: server.name,
    used: (await usedMemory(server.port) - used0) * scale,
    rss: (rss(server.pid) - rss0) * scale,
  };
}

/** One redis-benchmark run of `command`; its req/s. */
async function rps(
  server: ServerProcess,
  pipelineDepth: number,
  requests: number,
  command: string[],
): Promise<number> {
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
    String(pipelineDepth),
    "-r",
    String(READ_STREAM_ENTRIES),
    "--csv",
    ...command,
  ];
  const result = await run(REDIS_BENCHMARK, args, 300_000);
  const line = result.stdout.split("\n").find((l) => /^"[A-Z]/.test(l) && !l.startsWith('"test'));
  if (result.timedOut || line === undefined) {
    throw new Error(`redis-benchmark on ${server.name}: ${result.stderr.slice(-300)}`);
  }
  return Number(line.split(",")[1].replace(/"/g, ""));
}

interface Scenario {
  label: string;
  pipeline: number;
  requests: number;
  command: (id: string) => string[];
}

const SCENARIOS: readonly Scenario[] = [
  {
    label: "XADD -P 1",
    pipeline: 1,
    requests: 50_000,
    command: (id) => ["XADD", `bench:${id}`, "*", "f1", "v1", "f2", "v2", "f3", "v3"],
  },
  {
    label: "XADD -P 16",
    pipeline: 16,
    requests: 400_000,
    command: (id) => ["XADD", `bench:${id}`, "*", "f1", "v1", "f2", "v2", "f3", "v3"],
  },
  {
    label: "XRANGE COUNT 10 -P 1",
    pipeline: 1,
    requests: 50_000,
    command: () => ["XRANGE", "bench:read", "__rand_int__", "+", "COUNT", "10"],
  },
  {
    label: "XRANGE COUNT 10 -P 16",
    pipeline: 16,
    requests: 200_000,
    command: () => ["XRANGE", "bench:read", "__rand_int__", "+", "COUNT", "10"],
  },
];

async function speed(options: Options): Promise<string> {
  const servers: ServerProcess[] = [await startRedis()];
  for (const runtime of options.runtimes) servers.push(await startOurs(runtime));
  try {
    for (const server of servers) {
      await pipeline(server.port, READ_STREAM_ENTRIES, (i) => {
        return ["XADD", "bench:read", `${i + 1}-0`, "f1", "v1", "f2", "v2", "f3", "v3"];
      });
      await rps(server, 16, 100_000, SCENARIOS[1].command("warm"));
    }
    const rows: string[][] = [];
    for (const scenario of SCENARIOS) {
      const ratios = new Map<string, number[]>();
      const redisRps: number[] = [];
      const oursRps = new Map<string, number[]>();
      for (let round = 0; round < options.rounds; round++) {
        const tag = `${scenario.pipeline}-${round}`;
        const before = await rps(
          servers[0],
          scenario.pipeline,
          scenario.requests,
          scenario.command(tag),
        );
        const measured: Array<[string, number]> = [];
        for (const server of servers.slice(1)) {
          const value = await rps(
            server,
            scenario.pipeline,
            scenario.requests,
            scenario.command(tag),
          );
          measured.push([server.name, value]);
        }
        const afterRps = await rps(
          servers[0],
          scenario.pipeline,
          scenario.requests,
          scenario.command(`${tag}b`),
        );
        const reference = (before + afterRps) / 2;
        redisRps.push(reference);
        for (const [name, value] of measured) {
          ratios.set(name, [...(ratios.get(name) ?? []), value / reference]);
          oursRps.set(name, [...(oursRps.get(name) ?? []), value]);
        }
      }
      for (const server of servers.slice(1)) {
        rows.push([
          scenario.label,
          server.name,
          thousands(median(oursRps.get(server.name)!)),
          thousands(median(redisRps)),
          ratio(median(ratios.get(server.name)!)),
        ]);
        console.log(rows[rows.length - 1].join("  "));
      }
    }
    return table([["test", "runtime", "ours req/s", "redis req/s", "ours / redis"], ...rows]);
  } finally {
    for (const server of servers) await server.stop();
  }
}

async function memory(options: Options): Promise<string> {
  const rows: string[][] = [];
  const redis = await startRedis();
  let reference: MemoryRow;
  try {
    reference = await measureMemory(redis, options.entries);
  } finally {
    await redis.stop();
  }
  rows.push([reference.name, megabytes(reference.used), megabytes(reference.rss), "1.00x"]);
  console.log(rows[0].join("  "));
  for (const runtime of options.runtimes) {
    const server = await startOurs(runtime, [], preloadFlags(runtime));
    try {
      const row = await measureMemory(server, options.entries);
      rows.push([
        row.name,
        megabytes(row.used),
        megabytes(row.rss),
        ratio(row.used / reference.used),
      ]);
      console.log(rows[rows.length - 1].join("  "));
    } finally {
      await server.stop();
    }
  }
  return table([
    ["server", "used_memory / 1M entries", "RSS / 1M entries", "used / redis"],
    ...rows,
  ]);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setDeadline(options.deadline * 1000);
  if (options.runtimes.includes("node")) buildDist();
  const parts: string[] = [
    "## Streams: XADD and XRANGE vs redis-server, memory per million entries",
    "",
    "`node --import tsx bench/streams.ts` (`npm run bench:streams`). Ratios are medians of " +
    `${options.rounds} rounds of Redis, each runtime, Redis (50 clients). Target: at least ` +
    `${TARGET_RATIO_P16}x at -P 16; memory at most ${TARGET_MEMORY_RATIO}x Redis's.`,
    "",
  ];
  if (options.only !== "memory") parts.push(await speed(options), "");
  if (options.only !== "speed") {
    parts.push(
      `Memory: ${thousands(options.entries)} entries of 3 small fields ` +
        "(`XADD mem * f1 <i> f2 <i> f3 v`), growth scaled to one million entries. Ours read " +
        "after a full garbage collection; on Bun `used_memory` without JSC's double count of " +
        "array buffers (see the module's doc).",
      "",
      await memory(options),
      "",
    );
  }
  parts.push(environmentMarkdown(environment()));
  const body = parts.join("\n");
  console.log(body);
  if (options.write) {
    const path = join(ROOT, "bench", "README.md");
    writeSection(path, "streams", body);
    formatFiles([path]);
  }
  process.exit(0);
}

await main();
