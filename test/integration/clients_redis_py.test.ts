/**
 * redis-py (Debian's python3-redis, run with /usr/bin/python3) against our key-value server:
 * test/fixtures/redis_py_client.py runs about a hundred steps — commands, pipelines,
 * MULTI/EXEC transactions, WATCH, pub/sub (polling and a listener thread), a blocking BLPOP
 * woken from another thread, SELECT via db=3, INFO parsing — and prints the results as JSON;
 * the same script against a real redis-server 7 must print the same. `protocol=3` needs
 * redis-py 5 or later: skipped with a reason on older versions. The script is driven from
 * every runtime (Node, Deno, Bun) with the server running in-process.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  compareVersions,
  needs,
  oursAndOracle,
  PYTHON,
  pythonRedisVersion,
  REDIS_SERVER_PATH,
  run,
} from "../helpers/clients.ts";

const script = fileURLToPath(new URL("../fixtures/redis_py_client.py", import.meta.url));
const version = pythonRedisVersion();
const skip = needs(PYTHON, REDIS_SERVER_PATH) ||
  (version === undefined ? "python3-redis (redis-py) is not installed" : false);
const skip3 = skip ||
  (compareVersions(version!, "5.0.0") < 0
    ? `redis-py ${version} has no protocol=3 (RESP3 came in redis-py 5.0)`
    : false);

async function drive(port: number, protocol: 2 | 3): Promise<Record<string, unknown>> {
  const result = await run(PYTHON, [script, String(port), "--protocol", String(protocol)], {
    timeoutMs: 60_000,
  });
  assert.equal(result.timedOut, false, `redis-py script timed out: ${result.stderr}`);
  assert.equal(result.code, 0, `redis-py script failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe(`redis-py ${version ?? ""}`, { skip }, () => {
  const both = oursAndOracle();

  for (const protocol of [2, 3] as const) {
    it(
      `RESP${protocol}: every step gives what it gives against Redis`,
      { skip: protocol === 3 ? skip3 : false, timeout: 120_000 },
      async () => {
        const a = await drive(both.ours.port, protocol);
        const b = await drive(both.oracle.port, protocol);
        assert.ok(Object.keys(b).length > 90, "the script ran all its steps against redis");
        // Sanity: the script saw real results, not a column of errors.
        assert.deepEqual(b["blpop woken"], [{ bytes: "queue" }, { bytes: "job" }]);
        for (const key of Object.keys(b)) {
          assert.deepEqual(a[key], b[key], `redis-py step "${key}": ours (actual) vs redis`);
        }
        assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
      },
    );
  }
});
