/**
 * The per-element part of `bench/memory.ts`: what one million elements of each data type
 * cost, spread over small keys (10 elements per key, Redis's compact encodings) and in one big
 * key, in `redis-server` and in our server on each runtime. Per scenario a fresh server is
 * started, the elements are added in pipelined batches, and three growths are read: RSS
 * (VmRSS), `used_memory` of INFO memory (Redis: its allocator's count; ours: the JavaScript
 * heap plus array buffers, read after a full collection, see {@link MEMORY_PRELOAD}) and the
 * sum of `MEMORY USAGE <key> SAMPLES 0` over the keys (each server's own estimate: ours
 * computes what Redis would use, so that column checks the encodings rather than our heap).
 *
 * @module
 */
import { createConnection } from "node:net";
import process from "node:process";
import { pipeline, preloadFlags, usedMemory } from "./memory_probe.ts";
import { rss, type Runtime, type ServerProcess, sleep, startOurs, startRedis } from "./proc.ts";
import { megabytes, table, thousands } from "./report.ts";

/** Elements per small key (every small form stays within Redis's listpack / intset limits). */
const PER_KEY = 10;

/** One way of adding elements: the command that adds elements `first .. first + 9` to `key`. */
interface Scenario {
  /** Short name (table row, `--types` filter). */
  name: string;
  /** What it holds, for the table. */
  label: string;
  /** Redis 7.0's encoding of one small key of it (what OBJECT ENCODING should say). */
  encoding: string;
  /** The command adding elements `first .. first + PER_KEY - 1` to `key`. */
  command(key: string, first: number): string[];
}

function range(first: number, each: (i: number) => string[]): string[] {
  const out: string[] = [];
  for (let i = first; i < first + PER_KEY; i++) out.push(...each(i));
  return out;
}

const SHAPES: readonly Omit<Scenario, "name" | "encoding">[] = [
  {
    label: "hash, field `f<i>` value `v<i>`",
    command: (key, first) => ["HSET", key, ...range(first, (i) => [`f${i}`, `v${i}`])],
  },
  {
    label: "set of integers",
    command: (key, first) => ["SADD", key, ...range(first, (i) => [String(i)])],
  },
  {
    label: "set of strings `m:<i>`",
    command: (key, first) => ["SADD", key, ...range(first, (i) => [`m:${i}`])],
  },
  {
    label: "sorted set, member `m:<i>` score i",
    command: (key, first) => ["ZADD", key, ...range(first, (i) => [String(i), `m:${i}`])],
  },
  {
    label: "list of `e:<i>`",
    command: (key, first) => ["RPUSH", key, ...range(first, (i) => [`e:${i}`])],
  },
];

const SMALL_ENCODINGS = ["listpack", "intset", "hashtable", "listpack", "quicklist"];
const BIG_ENCODINGS = ["hashtable", "hashtable", "hashtable", "skiplist", "quicklist"];
const NAMES = ["hash", "set-int", "set-str", "zset", "list"];

/** Every scenario: each type in small keys (`hash`...) and in one big key (`hash-big`...). */
export const SCENARIOS: readonly Scenario[] = [
  ...SHAPES.map((shape, i) => ({ ...shape, name: NAMES[i], encoding: SMALL_ENCODINGS[i] })),
  ...SHAPES.map((shape, i) => ({
    ...shape,
    name: `${NAMES[i]}-big`,
    encoding: BIG_ENCODINGS[i],
  })),
];

/** The key holding element `first` in a scenario: one per 10 elements, or one big key. */
function keyOf(scenario: Scenario, first: number): string {
  return scenario.name.endsWith("-big") ? `big` : `k:${first / PER_KEY}`;
}

/** Growth per million elements of one scenario on one server. */
export interface ElementsRow {
  server: string;
  scenario: string;
  rss: number;
  used: number;
  usage: number;
}

/** Measures one scenario on a fresh server (`redis` or a runtime); growth per 1M elements. */
async function measure(name: string, scenario: Scenario, elements: number): Promise<ElementsRow> {
  const server: ServerProcess = name === "redis"
    ? await startRedis()
    : await startOurs(name as Runtime, [], preloadFlags(name as Runtime));
  try {
    const commands = Math.ceil(elements / PER_KEY);
    await sleep(1000);
    const used0 = await usedMemory(server.port), rss0 = rss(server.pid);
    await pipeline(server.port, commands, (c) => {
      const first = c * PER_KEY;
      return scenario.command(keyOf(scenario, first), first);
    });
    const big = scenario.name.endsWith("-big");
    const usage = await pipeline(
      server.port,
      big ? 1 : commands,
      (c) => ["MEMORY", "USAGE", keyOf(scenario, c * PER_KEY), "SAMPLES", "0"],
    );
    const encoding = await askArray(server.port, ["OBJECT", "ENCODING", keyOf(scenario, 0)]);
    if (encoding !== scenario.encoding) {
      process.stdout.write(`(${name} encodes ${scenario.name} as ${encoding}) `);
    }
    await sleep(2000);
    const used1 = await usedMemory(server.port);
    await sleep(500);
    const scale = 1e6 / (commands * PER_KEY);
    return {
      server: name,
      scenario: scenario.name,
      rss: (rss(server.pid) - rss0) * scale,
      used: (used1 - used0) * scale,
      usage: usage * scale,
    };
  } finally {
    await server.stop();
  }
}

/** One command's reply as text (a bulk string's content, or the status line). */
function askArray(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let data = "";
    socket.setEncoding("latin1");
    socket.on(
      "connect",
      () =>
        socket.write(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`),
    );
    socket.on("data", (chunk: string) => {
      data += chunk;
      const lines = data.split("\r\n");
      if (data[0] === "$" && lines.length >= 3) resolve(lines[1]);
      else if (data[0] !== "$" && lines.length >= 2) resolve(lines[0]);
      else return;
      socket.destroy();
    });
    socket.on("error", reject);
  });
}

/** Runs the selected scenarios on Redis and each runtime, printing a line per measurement. */
export async function measureElements(
  names: readonly string[],
  scenarios: readonly Scenario[],
  elements: number,
): Promise<ElementsRow[]> {
  const rows: ElementsRow[] = [];
  for (const scenario of scenarios) {
    for (const name of names) {
      process.stdout.write(`${name}: ${thousands(elements)} elements, ${scenario.name}... `);
      const row = await measure(name, scenario, elements);
      rows.push(row);
      process.stdout.write(
        `RSS +${megabytes(row.rss)}, used_memory +${megabytes(row.used)}, MEMORY USAGE ${
          megabytes(row.usage)
        } per 1M\n`,
      );
    }
  }
  return rows;
}

/** The scenarios named in `--types` (all when empty). */
export function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...SCENARIOS];
  return names.map((n) => {
    const found = SCENARIOS.find((s) => s.name === n);
    if (found === undefined) {
      throw new Error(`Unknown type ${n} (${SCENARIOS.map((s) => s.name).join(", ")})`);
    }
    return found;
  });
}

/** Target of issue #19: per element of small keys at most 2x Redis's (RSS and used_memory). */
const TARGET_SMALL = 2;

/** The Markdown part for the element measurements. */
export function elementsMarkdown(rows: readonly ElementsRow[], elements: number): string {
  const x = (value: number, reference: number | undefined) =>
    reference === undefined || !(reference > 0) ? "n/a" : `${(value / reference).toFixed(2)}x`;
  const perElement = (bytes: number) => thousands(bytes / 1e6);
  const header = [
    "Elements",
    "Server",
    "RSS B/elem",
    "x Redis",
    "used_memory B/elem",
    "x Redis",
    "MEMORY USAGE B/elem",
    "x Redis",
    "Target <= 2x",
  ];
  const body: string[][] = [];
  for (const scenario of SCENARIOS) {
    const redis = rows.find((r) => r.scenario === scenario.name && r.server === "redis");
    for (const row of rows.filter((r) => r.scenario === scenario.name)) {
      const isRedis = row.server === "redis";
      const worst = Math.max(row.rss / (redis?.rss ?? NaN), row.used / (redis?.used ?? NaN));
      body.push([
        isRedis ? `${scenario.name}: ${scenario.label} (${scenario.encoding})` : "",
        isRedis ? "redis-server" : row.server,
        perElement(row.rss),
        x(row.rss, redis?.rss),
        perElement(row.used),
        x(row.used, redis?.used),
        perElement(row.usage),
        x(row.usage, redis?.usage),
        isRedis || scenario.name.endsWith("-big") || !Number.isFinite(worst)
          ? ""
          : worst <= TARGET_SMALL
          ? "met"
          : "MISSED",
      ]);
    }
  }
  return [
    `### ${thousands(elements)} elements per type: ${PER_KEY} per key, and all in one key`,
    "",
    "Growth per element (bytes), a fresh server per row. Small keys: `k:<n>` holds elements " +
    `${PER_KEY}n .. ${PER_KEY}n+${PER_KEY - 1}; big: key \`big\` holds them all (added ` +
    `${PER_KEY} per command). RSS: VmRSS; used_memory: INFO memory (ours: the JavaScript heap ` +
    "and array buffers after a full collection); MEMORY USAGE: the sum over the keys with " +
    "`SAMPLES 0` (ours computes what Redis would use for the same encoding, so that column " +
    "checks the encodings, not our heap). The target (issue #19) applies to small keys, on " +
    "the worse of RSS and used_memory.",
    "",
    table([header, ...body], ["l", "l", "r", "r", "r", "r", "r", "r", "l"]),
    "",
  ].join("\n");
}
