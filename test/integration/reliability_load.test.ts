/**
 * Load and fault tests against a server in a child process of the same runtime
 * (test/fixtures/reliability_server.ts), so that the server's memory is measured alone. Each
 * test prints its figures (server RSS before/after/peak, connections, replies) and asserts its
 * bounds. RELIABILITY_FULL=1 runs the heavier settings.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { detectRuntime } from "../../adapters/serve.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";
import { FULL } from "../helpers/fuzz.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const runtime = detectRuntime();
const FIXTURE = fileURLToPath(new URL("../fixtures/reliability_server.ts", import.meta.url));

interface Stats {
  rss: number;
  peakRss: number;
  heapUsed: number;
  connections: number;
  served: number;
  commands: number;
  errors: string[];
}

interface Fixture {
  port: number;
  control: RawClient;
  stats(): Promise<Stats>;
  gc(): Promise<Stats>;
  stop(): Promise<void>;
}

const fixtures: Fixture[] = [];
const clients = new Set<RawClient>();

after(async () => {
  for (const c of clients) c.destroy();
  for (const f of fixtures) await f.stop();
});

function spawnArgs(): [string, string[]] {
  if (runtime === "deno") {
    return [process.execPath, ["run", "-A", "--v8-flags=--expose-gc", FIXTURE]];
  }
  if (runtime === "bun") return [process.execPath, [FIXTURE]];
  return [process.execPath, ["--expose-gc", "--import", "tsx", FIXTURE]];
}

async function startFixture(options: Record<string, unknown> = {}): Promise<Fixture> {
  const [command, args] = spawnArgs();
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, FIXTURE_OPTIONS: JSON.stringify(options), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error("fixture did not start")), 20_000);
    child.stdout!.on("data", (data: Uint8Array) => {
      text += new TextDecoder().decode(data);
      const line = text.split("\n").find((l) => l.startsWith("{"));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.once("exit", (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  let control = await connectClient({ port });
  const call = async (name: string) => {
    // With idleTimeout the control connection may have been closed: open another.
    if (control.closed) control = await connectClient({ port });
    return JSON.parse(String(await control.call(name))) as Stats;
  };
  const fixture: Fixture = {
    port,
    get control() {
      return control;
    },
    stats: () => call("STATS"),
    gc: () => call("GC"),
    async stop() {
      control.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 3000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      child.stdout?.destroy();
    },
  };
  fixtures.push(fixture);
  return fixture;
}

async function open(port: number): Promise<RawClient> {
  const c = await connectClient({ port });
  clients.add(c);
  c.socket.on("close", () => clients.delete(c));
  return c;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

function report(name: string, figures: Record<string, string | number>): void {
  console.log(
    `[reliability:${runtime}] ${name}: ` +
      Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(" "),
  );
}

/** The soft limit on open files of this process (Linux), or undefined. */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n")
      .find((l) => l.startsWith("Max open files"));
    const value = Number(line?.split(/\s+/)[3]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

describe("load and faults (server in a child process)", { concurrency: false }, () => {
  it("serves 5,000 concurrent connections each running commands", async () => {
    const limit = openFileLimit() ?? 1024;
    const wanted = FULL ? 9000 : 5000;
    // Client and server are separate processes: each needs one descriptor per connection.
    const count = Math.min(wanted, limit - 200);
    const f = await startFixture({ maxClients: count + 10 });
    const before = await f.gc();
    const conns: RawClient[] = [];
    let replies = 0;
    const started = Date.now();
    for (let i = 0; i < count; i += 250) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(250, count - i) }, () => open(f.port)),
      );
      conns.push(...batch);
    }
    await Promise.all(conns.map(async (c, i) => {
      c.write(`ECHO c${i}\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n`);
      const got = await c.read(3, 20_000);
      assert.deepEqual(got, [`c${i}`, "PONG", "abc"]);
      replies += got.length;
    }));
    const during = await f.gc();
    assert.equal(during.connections, count + 1);
    await Promise.all(conns.map((c) => c.close()));
    await waitFor("connections to close", async () => (await f.stats()).connections === 1);
    const afterStats = await f.gc();
    report("5000 connections", {
      connections: count,
      ulimit: limit,
      replies,
      ms: Date.now() - started,
      rssBefore: mb(before.rss),
      rssWithAll: mb(during.rss),
      perConnection: `${((during.rss - before.rss) / count / 1024).toFixed(1)}KB`,
      rssAfter: mb(afterStats.rss),
      peak: mb(afterStats.peakRss),
    });
    assert.equal(replies, count * 3);
    assert.deepEqual(afterStats.errors, []);
    assert.ok(during.rss - before.rss < 600 * MB, "per-connection memory is bounded");
    await f.stop();
  });

  it("stays responsive under slow-loris, and idleTimeout closes the idle ones", async () => {
    const f = await startFixture({ idleTimeout: 1000 });
    const count = FULL ? 1000 : 300;
    const loris = await Promise.all(Array.from({ length: count }, () => open(f.port)));
    const request = "*2\r\n$4\r\nECHO\r\n$5\r\nloris\r\n";
    const normal = await open(f.port);
    let worst = 0;
    // Every loris sends its request one byte at a time, all interleaved.
    for (let at = 0; at < request.length; at++) {
      for (const c of loris) c.write(request[at]);
      const t0 = performance.now();
      assert.equal(await normal.call("PING"), "PONG");
      worst = Math.max(worst, performance.now() - t0);
      await sleep(20);
    }
    await Promise.all(loris.map(async (c) => assert.deepEqual(await c.read(1), ["loris"])));
    // Now they go silent in the middle of a header: idle, closed after ~1 s.
    for (const c of loris) c.write("*2\r\n$4\r\nEC");
    const silentAt = Date.now();
    const keepAlive = setInterval(() => normal.send("PING"), 200);
    try {
      await waitFor(
        "idle clients to be closed",
        () => Promise.resolve(loris.every((c) => c.closed)),
        5000,
      );
    } finally {
      clearInterval(keepAlive);
    }
    const closedAfter = Date.now() - silentAt;
    const stats = await f.stats();
    report("slow-loris", {
      loris: count,
      worstPingMs: worst.toFixed(1),
      idleClosedAfterMs: closedAfter,
      serverConnections: stats.connections,
      rss: mb(stats.rss),
    });
    assert.ok(worst < 500, `a normal PING took ${worst} ms`);
    assert.ok(!normal.closed, "the active client stays connected");
    assert.ok(closedAfter >= 900, "not closed before the idle timeout");
    assert.deepEqual(stats.errors, []);
    await f.stop();
  });

  it("bounds memory for a client pipelining 1,000 GETs of 1 MiB without reading", async () => {
    const f = await startFixture({ outputLimit: 64 * MB });
    const before = await f.gc();
    const reader = await open(f.port);
    reader.socket.pause(); // never reads
    const gets = FULL ? 5000 : 1000;
    reader.write("BIGGET\r\n".repeat(gets));
    await sleep(1500);
    const stalled = await f.stats();
    // A second client is served normally meanwhile.
    const other = await open(f.port);
    assert.equal(await other.call("PING"), "PONG");
    // The output limit: one reply larger than it closes the client.
    const huge = await open(f.port);
    huge.socket.pause();
    huge.write("BIGARRAY 80\r\n");
    // A paused socket does not see the close: count the server's connections instead.
    await waitFor("the over-limit client to be closed", async () => {
      return (await f.stats()).connections === 3; // control, reader, other
    }, 5000);
    const overLimitClosed = true;
    huge.destroy();
    reader.destroy();
    await waitFor("connections to drop", async () => (await f.stats()).connections === 2);
    const afterStats = await f.gc();
    report("pipelined 1 MiB GETs, never read", {
      gets,
      commandsRun: stalled.commands - before.commands - 1,
      rssBefore: mb(before.rss),
      rssStalled: mb(stalled.rss),
      peak: mb(afterStats.peakRss),
      rssAfter: mb(afterStats.rss),
      overLimitClosed: overLimitClosed ? "yes" : "no",
    });
    assert.ok(stalled.commands - before.commands < gets / 4, "dispatching stopped (backpressure)");
    assert.ok(stalled.rss - before.rss < 200 * MB, `RSS grew ${mb(stalled.rss - before.rss)}`);
    assert.deepEqual(afterStats.errors, []);
    await f.stop();
  });

  it("drops a subscriber that never reads at the pub/sub limit; the publisher is unaffected", async () => {
    const f = await startFixture({ pubsubOutputLimit: 32 * MB });
    const before = await f.gc();
    const subscriber = await open(f.port);
    assert.deepEqual(await subscriber.call("SUBSCRIBE", "ch"), ["subscribe", "ch", 1]);
    subscriber.socket.pause();
    const publisher = await open(f.port);
    const total = FULL ? 1_000_000 : 200_000;
    const batch = 2000;
    const message = "m".repeat(1024);
    const request = `*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$${message.length}\r\n${message}\r\n`;
    let delivered = 0;
    let replies = 0;
    let droppedAt = -1;
    const started = Date.now();
    for (let sent = 0; sent < total; sent += batch) {
      publisher.write(request.repeat(batch));
      for (const n of await publisher.read(batch, 20_000)) {
        if (n === 1) delivered++;
        else if (droppedAt < 0) droppedAt = replies;
        replies++;
      }
    }
    const elapsed = Date.now() - started;
    // A paused socket does not see the close: count the server's connections instead.
    await waitFor("the subscriber to be dropped", async () => {
      return (await f.stats()).connections === 2; // control, publisher
    }, 5000);
    const afterStats = await f.gc();
    report("slow subscriber", {
      published: total,
      publisherReplies: replies,
      deliveredBeforeDrop: delivered,
      droppedAfterMessages: droppedAt,
      ms: elapsed,
      rssBefore: mb(before.rss),
      peak: mb(afterStats.peakRss),
      rssAfter: mb(afterStats.rss),
    });
    assert.equal(replies, total);
    assert.ok(droppedAt > 0 && droppedAt < total, "the subscriber was dropped");
    assert.equal(await publisher.call("PING"), "PONG");
    assert.ok(afterStats.peakRss - before.rss < 300 * MB, "peak RSS bounded");
    assert.deepEqual(afterStats.errors, []);
    await f.stop();
  });

  it("does not allocate up front for 50 headers claiming 500 MB bulks", async () => {
    const f = await startFixture();
    const before = await f.gc();
    const conns = await Promise.all(Array.from({ length: 50 }, () => open(f.port)));
    const chunk = "x".repeat(64 * 1024);
    for (const c of conns) c.write(`*2\r\n$3\r\nSET\r\n$524288000\r\n${chunk}`);
    await sleep(500);
    const stalled = await f.stats();
    const probe = await open(f.port);
    assert.equal(await probe.call("PING"), "PONG");
    for (const c of conns) c.destroy();
    await waitFor("connections to close", async () => (await f.stats()).connections === 2);
    report("500 MB headers", {
      connections: 50,
      claimed: "25000 MB",
      rssBefore: mb(before.rss),
      rssStalled: mb(stalled.rss),
      peak: mb(stalled.peakRss),
    });
    assert.ok(stalled.peakRss - before.rss < 100 * MB, "no allocation for the claimed size");
    assert.deepEqual(stalled.errors, []);
    await f.stop();
  });

  it("recovers from 2,000 abrupt disconnects mid-pipeline and mid-async-handler", async () => {
    const f = await startFixture();
    const warm = await open(f.port);
    assert.equal(await warm.call("SLOW", "1"), "slow");
    warm.destroy();
    await waitFor("warm-up client to close", async () => (await f.stats()).connections === 1);
    const before = await f.gc();
    const total = FULL ? 10_000 : 2000;
    let n = 0;
    while (n < total) {
      const batch = await Promise.all(Array.from({ length: 200 }, () => open(f.port)));
      n += batch.length;
      for (const [i, c] of batch.entries()) {
        c.write(
          "SLOW 20\r\nPING\r\n" + "ECHO abc\r\n".repeat(50) + "SLOW 5\r\n*3\r\n$3\r\nSET\r\n$1",
        );
        if (i % 2 === 0) c.destroy(); // at once: mid-pipeline
        else setTimeout(() => c.destroy(), 1 + (i % 15)); // while SLOW runs
      }
      await sleep(20);
    }
    await waitFor("connections back to baseline", async () => (await f.stats()).connections === 1);
    await sleep(100); // let the abandoned async handlers settle
    const afterStats = await f.gc();
    report("abrupt disconnects", {
      disconnects: total,
      served: afterStats.served - before.served,
      connectionsAfter: afterStats.connections,
      rssBefore: mb(before.rss),
      peak: mb(afterStats.peakRss),
      rssAfter: mb(afterStats.rss),
      heapBefore: mb(before.heapUsed),
      heapAfter: mb(afterStats.heapUsed),
    });
    assert.equal(afterStats.connections, 1);
    assert.ok(afterStats.served - before.served >= total);
    assert.deepEqual(afterStats.errors, []);
    assert.ok(afterStats.heapUsed - before.heapUsed < 30 * MB, "heap returns near baseline");
    assert.ok(afterStats.rss - before.rss < 150 * MB, "RSS returns near baseline");
    await f.stop();
  });
});
