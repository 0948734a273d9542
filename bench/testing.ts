/**
 * rediserver/testing: how long startTestServer() takes and what one running instance costs.
 * Starts and closes 200 servers one after the other (median and p95 start and close times,
 * in ms), then keeps 200 open at once and reads the heap and RSS growth per instance (after
 * a GC where the runtime offers one; on Bun the heap figure already includes `external`).
 * Runs on the runtime that runs it:
 *
 *   npm run bench:testing                      # Node (with --expose-gc)
 *   node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/testing.ts
 *   node_modules/.bin/bun bench/testing.ts
 */
import process from "node:process";
import { startTestServer, type TestServer } from "../testing.ts";

const ROUNDS = 200;
const OPEN = 200;

const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void }; Deno?: unknown };
function collect(): void {
  if (g.Bun !== undefined) g.Bun.gc(true);
  else g.gc?.();
}

function runtimeName(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno !== undefined) return `Deno ${versions.deno}`;
  if (versions.bun !== undefined) return `Bun ${versions.bun}`;
  return `Node ${versions.node}`;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

// Warm up: the first start loads the adapter and compiles the command tables.
await (await startTestServer()).close();

const starts: number[] = [];
const closes: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  const redis = await startTestServer({ clock: "manual" });
  const t1 = performance.now();
  await redis.close();
  starts.push(t1 - t0);
  closes.push(performance.now() - t1);
}

collect();
const before = process.memoryUsage();
const open: TestServer[] = [];
for (let i = 0; i < OPEN; i++) open.push(await startTestServer({ clock: "manual" }));
collect();
const during = process.memoryUsage();
for (const redis of open) await redis.close();
open.length = 0;
collect();
const after = process.memoryUsage();

const kb = (bytes: number) => (bytes / 1024).toFixed(0);
// Bun's heapUsed is JavaScriptCore's heap, which already includes `external`: count it once.
const heap = (m: NodeJS.MemoryUsage) => g.Bun !== undefined ? m.heapUsed : m.heapUsed + m.external;
console.log(`rediserver/testing on ${runtimeName()}${g.gc || g.Bun ? "" : " (no GC control)"}`);
console.log(
  `start: median ${quantile(starts, 0.5).toFixed(2)} ms, p95 ${
    quantile(starts, 0.95).toFixed(2)
  } ms; close: median ${quantile(closes, 0.5).toFixed(2)} ms (${ROUNDS} rounds)`,
);
console.log(
  `per open instance (${OPEN} open): heap+external ${
    kb((heap(during) - heap(before)) / OPEN)
  } KB, RSS ${kb((during.rss - before.rss) / OPEN)} KB`,
);
console.log(
  `after closing them all: heap+external ${
    kb(heap(after) - heap(before))
  } KB above the start, RSS ${kb(after.rss - before.rss)} KB`,
);
