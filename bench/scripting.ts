/**
 * Scripting benchmark: `redis-benchmark` sending EVALSHA to a real `redis-server` and to our
 * key-value server on Node, Deno and Bun, alternating the reference and ours as
 * `bench/e2e.ts` does. Two scripts: one call (`return redis.call('INCR', KEYS[1])`) and a
 * BullMQ-sized job script (`bench/scripting/job_script.lua`: helpers, cjson, cmsgpack, about
 * a dozen commands). Prints req/s and the ratio to Redis (median of rounds) at `-P 1` and
 * `-P 16`.
 *
 * ```sh
 * npm run bench:scripting                       # 3 rounds, every runtime
 * npm run bench:scripting -- --runtimes bun --rounds 1
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
import { median, ratio, table, thousands } from "./lib/report.ts";
import { jobArgs } from "./scripting/job_args.ts";

const REDIS_CLI = "/usr/bin/redis-cli";
const SCRIPTS = {
  incr: "return redis.call('INCR', KEYS[1])",
  job: readFileSync(join(ROOT, "bench", "scripting", "job_script.lua"), "utf8"),
};
type ScriptName = keyof typeof SCRIPTS;

interface Options {
  runtimes: Runtime[];
  rounds: number;
  clients: number;
  requests: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { runtimes: [...RUNTIMES], rounds: 3, clients: 50, requests: 40_000 };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i] ?? "";
    switch (argv[i]) {
      case "--runtimes":
        options.runtimes = value().split(",") as Runtime[];
        break;
      case "--rounds":
        options.rounds = Math.max(1, Number.parseInt(value(), 10) || 1);
        break;
      case "--requests":
        options.requests = Math.max(1000, Number.parseInt(value(), 10) || 40_000);
        break;
      default:
        throw new Error(`Unknown option ${argv[i]}`);
    }
  }
  return options;
}

/** Loads both scripts on a server; returns their SHA-1s. */
async function loadScripts(server: ServerProcess): Promise<Record<ScriptName, string>> {
  const out = {} as Record<ScriptName, string>;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const r = await run(
      REDIS_CLI,
      ["-p", String(server.port), "SCRIPT", "LOAD", SCRIPTS[name]],
      10_000,
    );
    const sha = r.stdout.trim();
    if (!/^[0-9a-f]{40}$/.test(sha)) {
      throw new Error(`SCRIPT LOAD on ${server.name}: ${r.stdout}${r.stderr}`);
    }
    out[name] = sha;
  }
  return out;
}

function evalArgs(name: ScriptName, sha: string): string[] {
  if (name === "incr") return ["EVALSHA", sha, "1", "counter:__rand_int__"];
  return jobArgs(sha, "queue:job:__rand_int__");
}

/** One redis-benchmark run; requests per second. */
async function measure(
  server: ServerProcess,
  args: string[],
  pipeline: number,
  options: Options,
): Promise<number> {
  const result = await run(REDIS_BENCHMARK, [
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-c",
    String(options.clients),
    "-n",
    String(options.requests),
    "-P",
    String(pipeline),
    "-r",
    "100000",
    "--csv",
    ...args,
  ], 300_000);
  // The test name is the command line (quotes and commas inside): read the fields from the end.
  const line = result.stdout.split("\n").map((l) => l.trim()).filter((l) => l.endsWith('"'))[1];
  const cells = line === undefined ? [] : line.split(",");
  const rps = Number((cells[cells.length - 7] ?? "").replace(/"/g, ""));
  if (!(rps > 0)) {
    throw new Error(`redis-benchmark on ${server.name}: ${result.stdout}${result.stderr}`);
  }
  if (result.stderr.includes("ERR") || result.stdout.includes("ERR")) {
    throw new Error(`errors on ${server.name}: ${result.stderr.slice(0, 300)}`);
  }
  return rps;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setDeadline(1_200_000);
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
    const shas = new Map<ServerProcess, Record<ScriptName, string>>();
    for (const server of [redis, ...ours]) shas.set(server, await loadScripts(server));
    const rows: string[][] = [];
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      for (const pipeline of [1, 16]) {
        const ratios = new Map<string, number[]>();
        const rps = new Map<string, number[]>();
        for (let round = 0; round < options.rounds; round++) {
          const order = [...ours.slice(round % ours.length), ...ours.slice(0, round % ours.length)];
          const before = await measure(
            redis,
            evalArgs(name, shas.get(redis)![name]),
            pipeline,
            options,
          );
          const mine: [ServerProcess, number][] = [];
          for (const server of order) {
            mine.push([
              server,
              await measure(server, evalArgs(name, shas.get(server)![name]), pipeline, options),
            ]);
          }
          const afterRps = await measure(
            redis,
            evalArgs(name, shas.get(redis)![name]),
            pipeline,
            options,
          );
          const reference = (before + afterRps) / 2;
          (rps.get("redis") ?? rps.set("redis", []).get("redis")!).push(reference);
          for (const [server, value] of mine) {
            (ratios.get(server.name) ?? ratios.set(server.name, []).get(server.name)!).push(
              value / reference,
            );
            (rps.get(server.name) ?? rps.set(server.name, []).get(server.name)!).push(value);
          }
        }
        const row = [`${name} -P ${pipeline}`, thousands(median(rps.get("redis")!))];
        for (const server of ours) {
          row.push(
            `${thousands(median(rps.get(server.name)!))} (${
              ratio(median(ratios.get(server.name)!))
            })`,
          );
        }
        rows.push(row);
        console.error(row.join("  "));
      }
    }
    const header = [
      "EVALSHA script",
      "redis-server req/s",
      ...ours.map((s) => `${s.name} (ratio)`),
    ];
    console.log(table([header, ...rows]));
    console.log(
      `\n${options.rounds} round(s), redis-benchmark -c ${options.clients} -n ${options.requests} -r 100000; ` +
        "ratio = ours / mean of the Redis runs just before and after (median over rounds).",
    );
  } finally {
    for (const server of ours) await server.stop();
    await redis.stop();
  }
}

await main();
