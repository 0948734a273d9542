/**
 * redis-cli (the real one, on the PATH or at $REDIS_CLI) against our key-value server
 * and against a real redis-server 7: the same commands, in RESP2 and RESP3 (`-3`), in each
 * output mode (raw, `--no-raw`, `--json`), must print the same text. Also `--pipe` mass
 * insertion, the non-interactive form with `-n`, and `--scan`/`--bigkeys`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectClient } from "../helpers/client.ts";
import { needs, oursAndOracle, REDIS_CLI, REDIS_SERVER_PATH, run } from "../helpers/clients.ts";

const skip = needs(REDIS_CLI, REDIS_SERVER_PATH);

/** Commands typed into redis-cli, one per line (its REPL reads them from stdin). */
const SCRIPT = [
  "FLUSHALL",
  "SET k v",
  "GET k",
  "GET missing",
  "SET n 10",
  "INCR n",
  "INCRBY n -20",
  "INCRBYFLOAT f 1.5",
  "INCRBYFLOAT f 1e3",
  'APPEND k " hello world"',
  "GETRANGE k 0 4",
  "STRLEN k",
  'SET bin "\\x00\\xff\\r\\nend"',
  "GET bin",
  'SET utf8 "h\\xc3\\xa9llo"',
  "GET utf8",
  "SET empty ''",
  "GET empty",
  "MSET a 1 b 2",
  "MGET a b missing",
  "SETNX a 3",
  "GETSET a 4",
  "GETDEL b",
  "RPUSH l a b c d",
  "LRANGE l 0 -1",
  "LPOP l 2",
  "LPOP l 0",
  "LPOP nolist 2",
  "LLEN l",
  "LPOS l c",
  "LINDEX l 9",
  "BLPOP nolist 0.05",
  "BLPOP l 0.05",
  "HSET h a 1 b 2 c 3",
  "HGETALL h",
  "HGETALL nohash",
  "HGET h a",
  "HMGET h a zz",
  "HINCRBYFLOAT h a 0.5",
  "HINCRBY h b 40",
  "HEXISTS h zz",
  "HKEYS h",
  "HVALS h",
  "HLEN h",
  "SADD s x",
  "SADD s x",
  "SMEMBERS s",
  "SMEMBERS nosset",
  "SISMEMBER s x",
  "SMISMEMBER s x y",
  "SCARD s",
  "ZADD z 1.5 a 2 b 3 c",
  "ZADD z INCR 1 a",
  "ZRANGE z 0 -1",
  "ZRANGE z 0 -1 WITHSCORES",
  "ZREVRANGE z 0 0 WITHSCORES",
  "ZSCORE z a",
  "ZSCORE z nope",
  "ZMSCORE z a nope",
  "ZINCRBY z 0.1 c",
  "ZPOPMIN z",
  "ZPOPMAX z 5",
  "ZADD z 1 x 2 y -inf lo +inf hi",
  "ZRANGEBYSCORE z -inf +inf WITHSCORES",
  "ZRANGEBYSCORE z (1 2 WITHSCORES LIMIT 0 1",
  "ZRANK z y",
  "ZRANK z nope",
  "ZCARD z",
  "ZCOUNT z -inf +inf",
  "EXPIRE k 100",
  "TTL k",
  "PTTL missing",
  "PERSIST k",
  "TTL k",
  "TYPE l",
  "TYPE h",
  "TYPE missing",
  "EXISTS k missing a",
  "GET h",
  "INCR k",
  "SET k v EX 0",
  "SET k v NX GET",
  "GET",
  "NOSUCHCOMMAND x y",
  "SCAN 0 MATCH n COUNT 100",
  "KEYS n*",
  "CONFIG GET save",
  "CONFIG GET appendonly",
  'ECHO "a b"',
  "PING",
  "PING hello",
  "MULTI",
  "SET t 1",
  "INCR t",
  "GET t",
  "HSET ht f v",
  "HGETALL ht",
  "ZADD zt 2.5 m",
  "ZRANGE zt 0 -1 WITHSCORES",
  "EXEC",
  "MULTI",
  "INCR t",
  "NOSUCHCOMMAND",
  "EXEC",
  "DISCARD",
  "EXEC",
  "SELECT 2",
  "SET x 1",
  "DBSIZE",
  "SELECT 0",
  "DBSIZE",
  "DEL a b missing",
  "RENAME missing x",
  "CLIENT SETNAME cli",
  "CLIENT GETNAME",
  "PUBLISH nobody hello",
  "PUBSUB NUMSUB nobody",
  "SELECT 99",
];

const MODES: Array<{ name: string; flags: string[] }> = [
  { name: "raw", flags: [] },
  { name: "--no-raw", flags: ["--no-raw"] },
  { name: "--json", flags: ["--json"] },
];

/** Runs redis-cli's REPL over `lines` against `port`; returns stdout + stderr. */
async function cli(port: number, flags: string[], lines: string[]): Promise<string> {
  const result = await run(REDIS_CLI, ["-p", String(port), ...flags], {
    input: lines.join("\n") + "\n",
    timeoutMs: 20_000,
  });
  assert.equal(result.timedOut, false, `redis-cli ${flags.join(" ")} timed out`);
  return result.stdout + result.stderr;
}

/** Puts both outputs side by side, line by line, to find the first difference quickly. */
function lineDiff(ours: string, redis: string, lines: string[]): string {
  const a = ours.split("\n"), b = redis.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `first difference at output line ${i + 1}: ours ${JSON.stringify(a[i])} vs redis ` +
        `${JSON.stringify(b[i])} (script: ${lines.length} commands)`;
    }
  }
  return "same";
}

describe("redis-cli against our server and a real redis-server", { skip }, () => {
  const both = oursAndOracle();

  for (const protocol of [2, 3] as const) {
    for (const mode of MODES) {
      it(`prints the same for ${SCRIPT.length} commands in RESP${protocol}, ${mode.name}`, {
        timeout: 60_000,
      }, async () => {
        const flags = [...(protocol === 3 ? ["-3"] : ["-2"]), ...mode.flags];
        const a = await cli(both.ours.port, flags, SCRIPT);
        const b = await cli(both.oracle.port, flags, SCRIPT);
        assert.ok(b.split("\n").length > SCRIPT.length, `redis printed too little: ${b}`);
        assert.equal(a, b, lineDiff(a, b, SCRIPT));
      });
    }
  }

  it(
    "non-interactive commands with -n (SELECT) and -3 print the same",
    { timeout: 60_000 },
    async () => {
      const commands = [
        ["-n", "1", "FLUSHDB"],
        ["-n", "1", "HSET", "h", "a", "1", "b", "2"],
        ["-n", "1", "-3", "HGETALL", "h"],
        ["-n", "1", "--no-raw", "HGETALL", "h"],
        ["-n", "1", "-3", "--no-raw", "HGETALL", "h"],
        ["-n", "1", "-3", "--no-raw", "HELLO", "3", "SETNAME", "x"],
        ["-n", "1", "ZADD", "z", "0.1", "m"],
        ["-n", "1", "-3", "--no-raw", "ZSCORE", "z", "m"],
        ["-n", "1", "--no-raw", "ZSCORE", "z", "m"],
        ["-n", "1", "-3", "--no-raw", "SMISMEMBER", "z", "m"],
        ["-n", "1", "-3", "--no-raw", "GET", "missing"],
        ["-n", "1", "--no-raw", "DBSIZE"],
        ["-n", "0", "--no-raw", "DBSIZE"],
        ["-n", "1", "-r", "3", "INCR", "counter"],
        ["-n", "1", "-x", "SET", "fromstdin"],
        ["-n", "1", "--no-raw", "GET", "fromstdin"],
      ];
      for (const args of commands) {
        const go = (port: number) =>
          run(REDIS_CLI, ["-p", String(port), ...args], {
            input: "piped\nvalue",
            timeoutMs: 10_000,
          });
        const [a, b] = [await go(both.ours.port), await go(both.oracle.port)];
        // HELLO's client id differs between two servers with different histories.
        const norm = (text: string) =>
          text.replace(/"id" => \(integer\) \d+/, '"id" => (integer) N');
        assert.equal(
          norm(a.stdout + a.stderr),
          norm(b.stdout + b.stderr),
          `redis-cli ${args.join(" ")}`,
        );
        assert.equal(a.code, b.code, `exit code of redis-cli ${args.join(" ")}`);
      }
    },
  );

  it(
    "--pipe mass insertion of about 5000 commands: same summary, same data",
    { timeout: 60_000 },
    async () => {
      const parts: string[] = [];
      const encode = (...args: string[]) => {
        parts.push(`*${args.length}\r\n`);
        for (const a of args) parts.push(`$${new TextEncoder().encode(a).length}\r\n${a}\r\n`);
      };
      encode("SELECT", "4");
      encode("FLUSHDB");
      for (let i = 0; i < 4000; i++) encode("SET", `key:${i}`, `value:${i}`);
      for (let i = 0; i < 500; i++) encode("RPUSH", "list", String(i));
      for (let i = 0; i < 490; i++) encode("HSET", "hash", `f${i}`, String(i));
      for (let i = 0; i < 5; i++) encode("INCR", "counter");
      encode("INCR", "key:0"); // one error reply: counted as an error by redis-cli
      const input = parts.join("");
      const go = (port: number) =>
        run(REDIS_CLI, ["-p", String(port), "--pipe"], { input, timeoutMs: 30_000 });
      const [a, b] = [await go(both.ours.port), await go(both.oracle.port)];
      assert.equal(a.timedOut, false, "redis-cli --pipe timed out against our server");
      assert.match(b.stdout, /errors: 1, replies: 4998/);
      assert.equal(a.stdout + a.stderr, b.stdout + b.stderr);
      assert.equal(a.code, b.code);
      const client = await connectClient({ port: both.ours.port });
      try {
        assert.equal(await client.call("SELECT", "4"), "OK");
        assert.equal(await client.call("DBSIZE"), 4003);
        assert.equal(await client.call("GET", "key:3999"), "value:3999");
        assert.equal(await client.call("LLEN", "list"), 500);
        assert.equal(await client.call("HLEN", "hash"), 490);
        assert.equal(await client.call("GET", "counter"), "5");
      } finally {
        await client.close();
      }
    },
  );

  it("--scan and --bigkeys list the same keys and sizes", { timeout: 60_000 }, async () => {
    const setup = [
      "FLUSHALL",
      "MSET a 1 bb 22 ccc 333",
      "RPUSH list 1 2 3",
      "HSET hash f v g w",
      "SADD set m",
      "ZADD zset 1 m 2 n",
    ];
    await cli(both.ours.port, [], setup);
    await cli(both.oracle.port, [], setup);
    const scan = async (port: number) =>
      (await run(REDIS_CLI, ["-p", String(port), "--scan"], { timeoutMs: 10_000 })).stdout
        .split("\n").sort().join("\n");
    assert.equal(await scan(both.ours.port), await scan(both.oracle.port));
    const bigkeys = async (port: number) => {
      const result = await run(REDIS_CLI, ["-p", String(port), "--bigkeys"], {
        timeoutMs: 10_000,
      });
      // Keep the summary (biggest keys and counts per type), not the progress lines.
      return result.stdout.split("\n").filter((l) => /^Biggest|^\d+ \w+ with|^Total key/.test(l))
        .join("\n");
    };
    const b = await bigkeys(both.oracle.port);
    assert.match(b, /Biggest\s+list found '"list"' has 3 items/);
    assert.equal(await bigkeys(both.ours.port), b);
  });
});

describe("redis-cli monitoring modes that read INFO and MEMORY", { skip }, () => {
  const both = oursAndOracle({
    setup: async (port) => void await cli(port, [], ["FLUSHALL", "MSET a 1 bb 22"]),
  });

  /** The data lines of `redis-cli --stat` (it never ends by itself: cut after ~1 s). */
  async function stat(port: number): Promise<string[][]> {
    // stdbuf: line-buffered stdout, so that the lines survive the kill at the deadline.
    const result = await run("/usr/bin/stdbuf", [
      "-oL",
      REDIS_CLI,
      "-p",
      String(port),
      "--stat",
      "-i",
      "0.2",
    ], { timeoutMs: 1200 });
    return result.stdout.split("\n").filter((l) => /^\d+ /.test(l)).map((l) =>
      l.trim().split(/\s+/)
    );
  }

  it("--stat shows the memory in use (INFO used_memory), as with Redis", {
    skip: needs("/usr/bin/stdbuf"),
    timeout: 60_000,
  }, async () => {
    const theirs = await stat(both.oracle.port);
    assert.ok(theirs.length >= 2, `redis --stat printed data lines: ${JSON.stringify(theirs)}`);
    for (const row of theirs) assert.match(row[1], /^\d+(\.\d+)?[BKMGT]$/);
    const mine = await stat(both.ours.port);
    assert.ok(mine.length >= 2, `--stat printed data lines: ${JSON.stringify(mine)}`);
    assert.equal(mine[0][0], "2", "keys column");
    // Without `used_memory` in INFO, redis-cli prints LONG_MIN: "--9223372036854775808B".
    for (const row of mine) assert.match(row[1], /^\d+(\.\d+)?[BKMGT]$/, `mem column: ${row[1]}`);
  });

  it("--memkeys sizes keys with MEMORY USAGE, as with Redis", { timeout: 60_000 }, async () => {
    const memkeys = async (port: number) => {
      const result = await run(REDIS_CLI, ["-p", String(port), "--memkeys"], { timeoutMs: 10_000 });
      return {
        warnings: result.stderr.split("\n").filter((l) => l.startsWith("Warning")),
        strings: /^(\d+) strings with (\d+) bytes/m.exec(result.stdout)?.slice(1).map(Number),
      };
    };
    const theirs = await memkeys(both.oracle.port);
    assert.deepEqual(theirs.warnings, []);
    assert.ok(theirs.strings !== undefined && theirs.strings[0] === 2 && theirs.strings[1] > 0);
    const mine = await memkeys(both.ours.port);
    // Without MEMORY USAGE: "Warning:  MEMORY USAGE on 'a' failed" and "2 strings with 0 bytes".
    assert.deepEqual(mine.warnings, [], "redis-cli warnings");
    assert.equal(mine.strings?.[0], 2);
    assert.ok((mine.strings?.[1] ?? 0) > 0, `string bytes: ${mine.strings?.[1]}`);
  });
});

describe("redis-cli with a password (requirepass)", { skip }, () => {
  const both = oursAndOracle({
    ours: { password: "secret" },
    oracle: ["--requirepass", "secret"],
  });

  it("-a, --user/--pass, AUTH and HELLO 3 AUTH print the same as against Redis", {
    timeout: 60_000,
  }, async () => {
    const cases = [
      ["PING"],
      ["-a", "wrong", "PING"],
      ["-a", "secret", "PING"],
      ["--no-auth-warning", "-a", "secret", "-3", "--no-raw", "HGETALL", "x"],
      ["--user", "default", "--pass", "secret", "--no-auth-warning", "PING"],
      ["--no-auth-warning", "-a", "wrong", "-3", "PING"],
      ["AUTH", "secret"],
      ["AUTH", "default", "wrong"],
      ["AUTH", "nobody", "secret"],
      ["HELLO", "3", "AUTH", "default", "wrong"],
      ["--no-raw", "HELLO", "3", "AUTH", "default", "secret"],
    ];
    for (const args of cases) {
      const go = (port: number) =>
        run(REDIS_CLI, ["-p", String(port), ...args], { timeoutMs: 10_000 });
      const [a, b] = [await go(both.ours.port), await go(both.oracle.port)];
      const norm = (text: string) => text.replace(/"id" => \(integer\) \d+/, '"id" => (integer) N');
      assert.equal(
        norm(a.stdout + a.stderr),
        norm(b.stdout + b.stderr),
        `redis-cli ${args.join(" ")}`,
      );
      assert.equal(a.code, b.code, `exit code of redis-cli ${args.join(" ")}`);
    }
  });
});
