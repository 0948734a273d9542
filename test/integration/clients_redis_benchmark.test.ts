/**
 * redis-benchmark (the real one, on the PATH or at $REDIS_BENCHMARK) runs its whole default suite
 * against our key-value server with no warning or error, and every test reports a rate —
 * the same tests, in the same order, as against a real redis-server 7.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Oracle, startOracle } from "../helpers/redis_oracle.ts";
import {
  needs,
  type Ours,
  REDIS_BENCHMARK,
  REDIS_SERVER_PATH,
  run,
  type RunResult,
  startOurs,
} from "../helpers/clients.ts";

const skip = needs(REDIS_BENCHMARK, REDIS_SERVER_PATH);

/** Output words that betray a problem (e.g. "Could not fetch server CONFIG", error replies). */
const BAD = /could not|error|\bERR\b|WRONGTYPE|warning|unknown|NOAUTH|refused|reset/i;

async function benchmark(port: number, args: string[]): Promise<RunResult> {
  const result = await run(
    REDIS_BENCHMARK,
    ["-h", "127.0.0.1", "-p", String(port), "-c", "10", ...args],
    { timeoutMs: 90_000 },
  );
  assert.equal(result.timedOut, false, `redis-benchmark ${args.join(" ")} timed out`);
  return result;
}

/** Rows of `--csv` output: test name -> requests per second. */
function parseCsv(text: string): Array<[string, number]> {
  const rows: Array<[string, number]> = [];
  for (const line of text.split("\n")) {
    const m = /^"([^"]+)","([^"]+)"/.exec(line);
    if (m === null || m[1] === "test") continue;
    rows.push([m[1], Number(m[2])]);
  }
  return rows;
}

/** Final lines of `-q` output (progress lines end with \r): test name -> rate. */
function parseQuiet(text: string): Array<[string, number]> {
  const rows: Array<[string, number]> = [];
  for (const piece of text.split(/[\r\n]+/)) {
    const m = /^\s*(.+?): ([\d.]+) requests per second/.exec(piece);
    if (m !== null) rows.push([m[1], Number(m[2])]);
  }
  return rows;
}

function checkClean(result: RunResult, what: string): void {
  const all = result.stdout + result.stderr;
  assert.equal(result.code, 0, `${what} exit code; output:\n${all}`);
  // redis-benchmark's own advice with -k 0 is printed whatever the server.
  const bad = all.split(/[\r\n]+/).filter((l) =>
    BAD.test(l) && !l.startsWith("WARNING: Keepalive disabled")
  );
  assert.deepEqual(bad, [], `${what}: warnings or errors in the output`);
}

function checkRates(rows: Array<[string, number]>, expected: string[], what: string): void {
  assert.deepEqual(rows.map(([name]) => name), expected, `${what}: the same tests as redis`);
  for (const [name, rate] of rows) {
    assert.ok(Number.isFinite(rate) && rate > 0, `${what}: ${name} reports a rate (${rate})`);
  }
}

describe("redis-benchmark against our server", { skip }, () => {
  let ours: Ours;
  let oracle: Oracle;
  let suite: string[] = [];
  before(async () => {
    ours = await startOurs();
    oracle = await startOracle();
    // The default suite's test names, as redis-benchmark runs them against the real Redis.
    const reference = await benchmark(oracle.port, ["-n", "200", "--csv"]);
    checkClean(reference, "redis-benchmark against redis");
    suite = parseCsv(reference.stdout).map(([name]) => name);
  });
  after(async () => {
    await ours?.stop();
    await oracle?.stop();
  });

  it("the default suite, -q: every test reports a rate, nothing else is printed", {
    timeout: 120_000,
  }, async () => {
    assert.ok(suite.includes("MSET (10 keys)") && suite.length >= 20, suite.join(", "));
    const result = await benchmark(ours.port, ["-n", "2000", "-q"]);
    checkClean(result, "redis-benchmark -q");
    checkRates(parseQuiet(result.stdout), suite, "redis-benchmark -q");
  });

  it("the default suite, --csv", { timeout: 120_000 }, async () => {
    const result = await benchmark(ours.port, ["-n", "2000", "--csv"]);
    checkClean(result, "redis-benchmark --csv");
    checkRates(parseCsv(result.stdout), suite, "redis-benchmark --csv");
  });

  it("the default suite pipelined, -P 16", { timeout: 120_000 }, async () => {
    const result = await benchmark(ours.port, ["-n", "2000", "-P", "16", "--csv"]);
    checkClean(result, "redis-benchmark -P 16");
    checkRates(parseCsv(result.stdout), suite, "redis-benchmark -P 16");
  });

  it(
    "random keys and 1 KiB values (-r 10000 -d 1024), 3 threads",
    { timeout: 120_000 },
    async () => {
      const tests = "set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100,mset";
      const args = ["-n", "2000", "-r", "10000", "-d", "1024", "--threads", "3", "-t", tests];
      const result = await benchmark(ours.port, [...args, "--csv"]);
      checkClean(result, "redis-benchmark -r -d --threads");
      const reference = await benchmark(oracle.port, ["-n", "100", "-t", tests, "--csv"]);
      checkRates(
        parseCsv(result.stdout),
        parseCsv(reference.stdout).map(([name]) => name),
        "redis-benchmark -r -d",
      );
    },
  );

  it("a custom command with a random key (__rand_int__) and keep-alive off (-k 0)", {
    timeout: 120_000,
  }, async () => {
    const result = await benchmark(ours.port, [
      "-n",
      "500",
      "-k",
      "0",
      "-r",
      "100",
      "--csv",
      "HSET",
      "h:__rand_int__",
      "f",
      "v",
    ]);
    checkClean(result, "redis-benchmark custom command");
    const rows = parseCsv(result.stdout);
    assert.equal(rows.length, 1, result.stdout);
    assert.ok(rows[0][1] > 0, result.stdout);
  });

  it("with a password (-a) and a database (--dbnum 3)", { timeout: 120_000 }, async () => {
    const secured = await startOurs({ password: "secret" });
    try {
      const tests = "ping,set,get,lpush,lpop,hset,zadd";
      const args = ["-n", "1000", "-a", "secret", "--dbnum", "3", "-t", tests, "--csv"];
      const result = await benchmark(secured.port, args);
      checkClean(result, "redis-benchmark -a --dbnum");
      const reference = await benchmark(oracle.port, ["-n", "100", "-t", tests, "--csv"]);
      checkRates(
        parseCsv(result.stdout),
        parseCsv(reference.stdout).map(([name]) => name),
        "redis-benchmark -a --dbnum",
      );
      const denied = await benchmark(secured.port, ["-n", "10", "-t", "ping", "-q"]);
      assert.match(denied.stdout + denied.stderr, /NOAUTH Authentication required\./);
    } finally {
      await secured.stop();
    }
  });
});
