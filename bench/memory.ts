/**
 * Memory benchmark: resident set size (VmRSS from /proc/<pid>/status) of `redis-server` and of
 * our key-value server (`cli.ts`) on Node, Deno and Bun, (1) with 10,000 idle client
 * connections and (2) holding one million keys with 16-byte values. Each measurement uses a
 * fresh server process on a free loopback port. Writes its section of `bench/README.md`.
 *
 * ```sh
 * node --import tsx bench/memory.ts
 * node --import tsx bench/memory.ts --runtimes bun --connections 2000 --keys 200000
 * ```
 *
 * Flags: `--runtimes node,deno,bun`, `--connections N` (10000), `--keys N` (1000000),
 * `--elements N` (1000000), `--types hash,set-int,...` (every scenario of
 * `bench/lib/memory_elements.ts`), `--only connections|keys|elements`, `--no-write`,
 * `--deadline SECONDS` (default 1800), `--node-flags FLAG,FLAG` (given to Node before our
 * server's script, e.g. V8 heap settings).
 *
 * Connections: opened in batches from this process, each sends `PING` and waits for `+PONG`
 * (so the server has accepted it and read from it), then they stay idle; RSS is read after
 * 3 s. The same is measured for `bench/lib/floor_server.mjs` on each runtime (the runtime's
 * own cost per connection). Keys: `SET key:<i> v<15 digits>` for i < N, pipelined in batches
 * of 10,000 over one connection, checked with `DBSIZE`, `used_memory` (after a full
 * collection on ours) read after 3 s and RSS after 3.5 s. Needs `ulimit -n` above the
 * connection count (plus margin) for this process and the servers: when the soft limit is too
 * low the script re-executes itself with the soft limit raised to the hard limit.
 *
 * Elements: one million elements of each data type, 10 per key and all in one key; growth of
 * RSS, of `used_memory` and of the summed `MEMORY USAGE` per element, next to Redis's (see
 * `bench/lib/memory_elements.ts`).
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import process from "node:process";
import {
  ask,
  buildDist,
  environment,
  environmentMarkdown,
  formatFiles,
  ROOT,
  rss,
  type Runtime,
  RUNTIMES,
  type ServerProcess,
  setDeadline,
  sleep,
  startFloor,
  startOurs,
  startRedis,
} from "./lib/proc.ts";
import {
  elementsMarkdown,
  type ElementsRow,
  measureElements,
  selectScenarios,
} from "./lib/memory_elements.ts";
import { preloadFlags, usedMemory } from "./lib/memory_probe.ts";
import { megabytes, table, thousands, writeSection } from "./lib/report.ts";

interface Options {
  runtimes: Runtime[];
  connections: number;
  keys: number;
  elements: number;
  types: string[];
  only: "connections" | "keys" | "elements" | "all";
  write: boolean;
  deadline: number;
  /** Runtime flags for our server on Node (`--node-flags a,b`: V8 heap settings to compare). */
  nodeFlags: string[];
}

const TARGET_CONNECTIONS_RSS = 100e6;
const SETTLE_MS = 3000;

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    runtimes: [...RUNTIMES],
    connections: 10_000,
    keys: 1_000_000,
    elements: 1_000_000,
    types: [],
    only: "all",
    write: true,
    deadline: 1800,
    nodeFlags: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`Missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case "--runtimes":
        options.runtimes = value().split(",").map((r) => {
          if (!(RUNTIMES as readonly string[]).includes(r)) throw new Error(`Unknown runtime ${r}`);
          return r as Runtime;
        });
        break;
      case "--connections":
        options.connections = Math.max(1, Number.parseInt(value(), 10));
        break;
      case "--keys":
        options.keys = Math.max(1, Number.parseInt(value(), 10));
        break;
      case "--elements":
        options.elements = Math.max(10, Number.parseInt(value(), 10));
        break;
      case "--types":
        options.types = value().split(",").filter(Boolean);
        break;
      case "--only": {
        const v = value();
        if (v !== "connections" && v !== "keys" && v !== "elements") {
          throw new Error("--only connections|keys|elements");
        }
        options.only = v;
        break;
      }
      case "--no-write":
        options.write = false;
        break;
      case "--node-flags":
        options.nodeFlags = value().split(",").filter(Boolean);
        break;
      case "--deadline":
        options.deadline = Math.max(10, Number(value()) || 900);
        break;
      case "--help":
      case "-h":
        process.stdout.write(
          "Usage: node --import tsx bench/memory.ts [--runtimes node,deno,bun] " +
            "[--connections N] [--keys N] [--elements N] [--types hash,set-int,...] " +
            "[--only connections|keys|elements] [--no-write] " +
            "[--deadline SECONDS] [--node-flags FLAG,FLAG]\n",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown option ${flag} (see --help)`);
    }
  }
  return options;
}

function limits(): { soft: number; hard: number } {
  const read = (flag: string) => {
    const text = execFileSync("sh", ["-c", `ulimit ${flag} -n`], { encoding: "utf8" }).trim();
    return text === "unlimited" ? Infinity : Number(text);
  };
  return { soft: read("-S"), hard: read("-H") };
}

/** Re-executes this script with a raised soft fd limit when the current one is too low. */
function ensureFdLimit(needed: number): void {
  const { soft, hard } = limits();
  if (soft >= needed) return;
  if (process.env.REDISERVER_BENCH_REEXEC === "1" || hard < needed) {
    throw new Error(
      `ulimit -n is ${soft} (hard ${hard}); ${needed} file descriptors are needed: raise it ` +
        `(ulimit -n ${needed}) or pass --connections with a smaller count`,
    );
  }
  const raised = hard === Infinity ? needed : hard;
  process.stdout.write(`Raising the soft fd limit from ${soft} to ${raised} (re-executing)\n`);
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)]
    .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
    .join(" ");
  const result = spawnSync("sh", ["-c", `ulimit -S -n ${raised} && exec ${command}`], {
    stdio: "inherit",
    env: { ...process.env, REDISERVER_BENCH_REEXEC: "1" },
  });
  process.exit(result.status ?? 1);
}

/** Opens `count` connections, each answered one PING; resolves with the sockets. */
async function openIdle(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const batch = 250;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const opened = await Promise.all(
      Array.from({ length: size }, () =>
        new Promise<Socket>((resolvePromise, reject) => {
          const socket = createConnection({ host: "127.0.0.1", port });
          const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`Connection ${sockets.length} got no PONG within 10 s`));
          }, 10_000);
          let data = "";
          socket.setEncoding("utf8");
          socket.once("connect", () => socket.write("PING\r\n"));
          const onData = (text: string) => {
            data += text;
            if (!data.includes("\r\n")) return;
            clearTimeout(timer);
            socket.off("data", onData);
            if (!data.startsWith("+PONG")) {
              socket.destroy();
              reject(new Error(`Connection answered ${JSON.stringify(data.slice(0, 80))}`));
            } else resolvePromise(socket);
          };
          socket.on("data", onData);
          socket.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
          });
        })),
    );
    sockets.push(...opened);
  }
  return sockets;
}

async function closeAll(sockets: Socket[]): Promise<void> {
  await Promise.all(sockets.map((socket) =>
    new Promise<void>((resolvePromise) => {
      if (socket.destroyed) return resolvePromise();
      socket.once("close", () => resolvePromise());
      socket.on("error", () => {});
      socket.end();
      setTimeout(() => {
        socket.destroy();
        resolvePromise();
      }, 2000).unref();
    })
  ));
}

/** `SET key:<i> v<15 digits>` for i < count, pipelined; resolves when every reply is +OK. */
function load(port: number, count: number): Promise<void> {
  const BATCH = 10_000;
  const IN_FLIGHT = 2;
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setNoDelay(true);
    let sent = 0;
    let answered = 0;
    let failed = false;
    let tail = "";
    const sendBatch = () => {
      if (sent >= count) return;
      const end = Math.min(count, sent + BATCH);
      let text = "";
      for (let i = sent; i < end; i++) {
        const key = `key:${i}`;
        const value = `v${String(i).padStart(15, "0")}`;
        text += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$16\r\n${value}\r\n`;
      }
      sent = end;
      socket.write(text);
    };
    socket.once("connect", () => {
      for (let i = 0; i < IN_FLIGHT; i++) sendBatch();
    });
    socket.setEncoding("latin1");
    socket.on("data", (text: string) => {
      if (failed) return;
      if (text.includes("-")) {
        failed = true;
        socket.destroy();
        reject(new Error(`Error reply while loading: ${(tail + text).slice(0, 200)}`));
        return;
      }
      tail = text.slice(-8);
      const before = answered;
      for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) answered++;
      // Keep IN_FLIGHT batches outstanding.
      if (Math.floor(answered / BATCH) > Math.floor(before / BATCH)) sendBatch();
      if (answered >= count) {
        socket.end();
        resolvePromise();
      }
    });
    socket.on("error", (error) => {
      if (!failed) reject(error);
    });
  });
}

interface ConnectionResult {
  base: number;
  loaded: number;
  seconds: number;
}

interface KeysResult {
  base: number;
  loaded: number;
  seconds: number;
  /** Growth of `used_memory` (INFO memory; ours after a full collection). */
  used: number;
}

/** Floor servers are named "<runtime> floor" (see `bench/lib/floor_server.mjs`). */
const FLOOR = " floor";

/** `--node-flags`, for our server on Node (set by main). */
let nodeFlags: readonly string[] = [];

function start(name: string, extra: readonly string[]): Promise<ServerProcess> {
  if (name.endsWith(FLOOR)) return startFloor(name.slice(0, -FLOOR.length) as Runtime);
  if (name === "redis") return startRedis(extra);
  return startOurs(name as Runtime, extra, name === "node" ? nodeFlags : []);
}

async function measureConnections(name: string, count: number): Promise<ConnectionResult> {
  const max = String(count + 100);
  const server = await start(
    name,
    name === "redis" ? ["--maxclients", max] : ["--maxclients", max],
  );
  try {
    await sleep(SETTLE_MS);
    const base = rss(server.pid);
    const t0 = Date.now();
    const sockets = await openIdle(server.port, count);
    const seconds = (Date.now() - t0) / 1000;
    await sleep(SETTLE_MS);
    const loaded = rss(server.pid);
    if ((await ask(server.port, "PING", 5000)) !== "+PONG") {
      throw new Error("Server stopped answering");
    }
    await closeAll(sockets);
    return { base, loaded, seconds };
  } finally {
    await server.stop();
  }
}

async function measureKeys(name: string, count: number): Promise<KeysResult> {
  const server = name === "redis" ? await startRedis() : await startOurs(name as Runtime, [], [
    ...preloadFlags(name as Runtime),
    ...(name === "node" ? nodeFlags : []),
  ]);
  try {
    await sleep(SETTLE_MS);
    const used0 = await usedMemory(server.port);
    const base = rss(server.pid);
    const t0 = Date.now();
    await load(server.port, count);
    const seconds = (Date.now() - t0) / 1000;
    const size = await ask(server.port, "DBSIZE", 10_000);
    if (size !== `:${count}`) throw new Error(`DBSIZE answered ${size}, expected :${count}`);
    await sleep(SETTLE_MS);
    const used = await usedMemory(server.port) - used0;
    await sleep(500);
    const loaded = rss(server.pid);
    return { base, loaded, seconds, used };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  nodeFlags = options.nodeFlags;
  const scenarios = selectScenarios(options.types);
  const wants = (part: Options["only"]) => options.only === "all" || options.only === part;
  if (wants("connections")) ensureFdLimit(options.connections + 1000);
  setDeadline(options.deadline * 1000);
  buildDist();
  const env = environment();
  process.stdout.write(`${environmentMarkdown(env)}\n\n`);
  const names = ["redis", ...options.runtimes];

  const connections = new Map<string, ConnectionResult>();
  const keys = new Map<string, KeysResult>();
  for (const name of names) {
    if (wants("connections")) {
      process.stdout.write(`${name}: ${thousands(options.connections)} idle connections... `);
      const r = await measureConnections(name, options.connections);
      connections.set(name, r);
      process.stdout.write(
        `RSS ${megabytes(r.base)} -> ${megabytes(r.loaded)} (opened in ${
          r.seconds.toFixed(1)
        } s)\n`,
      );
    }
    if (wants("keys")) {
      process.stdout.write(`${name}: ${thousands(options.keys)} keys... `);
      const r = await measureKeys(name, options.keys);
      keys.set(name, r);
      process.stdout.write(
        `RSS ${megabytes(r.base)} -> ${megabytes(r.loaded)} (loaded in ${
          r.seconds.toFixed(1)
        } s)\n`,
      );
    }
  }

  // The runtimes' own floor: a server that holds nothing per connection but a pending read.
  const floors = wants("connections") ? options.runtimes.map((r) => `${r}${FLOOR}`) : [];
  for (const name of floors) {
    process.stdout.write(`${name}: ${thousands(options.connections)} idle connections... `);
    const r = await measureConnections(name, options.connections);
    connections.set(name, r);
    process.stdout.write(`RSS ${megabytes(r.base)} -> ${megabytes(r.loaded)}\n`);
  }
  const elements: ElementsRow[] = wants("elements")
    ? await measureElements(names, scenarios, options.elements)
    : [];

  const label = (name: string) => (name === "redis" ? "redis-server" : name);
  const parts: string[] = [
    "## Memory: RSS of the server process",
    "",
    `Command: \`node --import tsx bench/memory.ts ${process.argv.slice(2).join(" ")}\``.replace(
      / `$/,
      "`",
    ) + " (`npm run bench:memory`).",
    "",
    environmentMarkdown(env),
    "- RSS = VmRSS of the server's own pid (`/proc/<pid>/status`), read 3 s after the load " +
    "stopped; each measurement on a fresh server process. Node runs the built " +
    "`dist/cli.js`.",
    "",
  ];
  if (connections.size > 0) {
    const redisDelta = (connections.get("redis")?.loaded ?? NaN) -
      (connections.get("redis")?.base ?? NaN);
    const rows = [[
      "Server",
      "RSS idle",
      `RSS with ${thousands(options.connections)} conns`,
      "Added",
      "Per conn",
      "x Redis (added)",
      "Target < 100 MB",
    ]];
    for (const name of [...names, ...floors]) {
      const r = connections.get(name);
      if (!r) continue;
      const added = r.loaded - r.base;
      const target = name === "redis" || name.endsWith(FLOOR)
        ? ""
        : r.loaded < TARGET_CONNECTIONS_RSS
        ? "met"
        : "MISSED";
      rows.push([
        label(name),
        megabytes(r.base),
        megabytes(r.loaded),
        megabytes(added),
        `${(added / options.connections / 1024).toFixed(1)} KiB`,
        name === "redis" ? "1.00x" : `${(added / redisDelta).toFixed(1)}x`,
        target,
      ]);
    }
    parts.push(
      `### ${thousands(options.connections)} idle connections (each sent one PING)`,
      "",
      table(rows, ["l", "r", "r", "r", "r", "r", "l"]),
      "",
      'A "floor" row is `bench/lib/floor_server.mjs` on that runtime: it keeps one pending ' +
        "read per connection and answers `+PONG`, nothing else, so it shows what the runtime " +
        "itself holds per connection.",
      "",
    );
  }
  if (keys.size > 0) {
    const per = 1e6 / options.keys;
    const redisDelta = (keys.get("redis")?.loaded ?? NaN) - (keys.get("redis")?.base ?? NaN);
    const redisUsed = keys.get("redis")?.used ?? NaN;
    const rows = [[
      "Server",
      "RSS empty",
      `RSS with ${thousands(options.keys)} keys`,
      "Added per 1M keys",
      "Bytes per key",
      "x Redis",
      "used_memory per key",
      "x Redis",
      "Load time",
    ]];
    for (const name of names) {
      const r = keys.get(name);
      if (!r) continue;
      const added = r.loaded - r.base;
      rows.push([
        label(name),
        megabytes(r.base),
        megabytes(r.loaded),
        megabytes(added * per),
        thousands(added / options.keys),
        name === "redis" ? "1.00x" : `${(added / redisDelta).toFixed(2)}x`,
        thousands(r.used / options.keys),
        `${(r.used / redisUsed).toFixed(2)}x`,
        `${r.seconds.toFixed(1)} s`,
      ]);
    }
    parts.push(
      `### ${
        thousands(options.keys)
      } keys: \`SET key:<i> <16 bytes>\`, pipelined in batches of 10,000`,
      "",
      table(rows, ["l", "r", "r", "r", "r", "r", "r", "r", "r"]),
      "",
      "RSS read 3.5 s after the last reply, used_memory (INFO memory: Redis's allocator count; " +
        "ours the JavaScript heap and array buffers) 3 s after it; our servers run with a " +
        "preloaded module that makes INFO memory follow a full garbage collection (see " +
        "`bench/lib/memory_elements.ts`), so neither counts the collector's pending garbage.",
      "",
    );
  }
  if (elements.length > 0) parts.push(elementsMarkdown(elements, options.elements));
  const body = parts.join("\n");
  process.stdout.write(`\n${body}\n`);
  if (options.write) {
    writeSection(join(ROOT, "bench", "README.md"), "memory", body);
    formatFiles([join(ROOT, "bench", "README.md")]);
    process.stdout.write("Wrote bench/README.md\n");
  }
  process.exit(0);
}

await main();
