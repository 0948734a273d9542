/**
 * redis-py (Debian's python3-redis) stream API against our key-value server:
 * test/fixtures/redis_py_streams.py consumes with `xreadgroup(..., block=...)` from a thread
 * while its main thread adds entries, then records XPENDING, XRANGE, XREAD, XCLAIM,
 * XAUTOCLAIM, XINFO and more; the same script against a real redis-server 7 must print the
 * same. Driven from every runtime (Node, Deno, Bun) with the server in-process.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  needs,
  oursAndOracle,
  PYTHON,
  pythonRedisVersion,
  REDIS_SERVER_PATH,
  run,
} from "../helpers/clients.ts";

const script = fileURLToPath(new URL("../fixtures/redis_py_streams.py", import.meta.url));
const skip = needs(PYTHON, REDIS_SERVER_PATH) ||
  (pythonRedisVersion() === undefined ? "python3-redis (redis-py) is not installed" : false);

async function drive(port: number): Promise<Record<string, unknown>> {
  const result = await run(PYTHON, [script, String(port)], { timeoutMs: 60_000 });
  assert.equal(result.timedOut, false, `redis-py script timed out: ${result.stderr}`);
  assert.equal(result.code, 0, `redis-py script failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe("redis-py streams", { skip }, () => {
  const both = oursAndOracle();

  it("xreadgroup from a thread, and the stream API, give what they give against Redis", {
    timeout: 120_000,
  }, async () => {
    const ours = await drive(both.ours.port);
    const theirs = await drive(both.oracle.port);
    assert.equal((ours.consumed as unknown[]).length, 3, JSON.stringify(ours.consumed));
    assert.deepEqual(ours, theirs);
  });
});
