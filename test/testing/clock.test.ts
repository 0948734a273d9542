/**
 * The one clock: a TestClock moved by hand drives key expiry (lazy and the full pass after
 * each move), blocking-command timeouts (BLPOP, BZPOPMIN, XREAD BLOCK), TIME and stream IDs;
 * no test here waits for real time to pass.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TestClock } from "../../src/kv/keyspace/clock.ts";
import { startTestServer, type TestServer } from "../../testing.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";

describe("TestClock", () => {
  it("runs due timers in due order, each at its own time, then the advance hooks", () => {
    const clock = new TestClock("manual", 1_000);
    const seen: string[] = [];
    clock.setTimer(() => seen.push(`b@${clock.now()}`), 200);
    clock.setTimer(() => seen.push(`a@${clock.now()}`), 100);
    const cancelled = clock.setTimer(() => seen.push("never"), 50);
    clock.clearTimer(cancelled);
    clock.onAdvance(() => seen.push(`hook@${clock.now()}`));
    assert.equal(clock.advance(150), 1_150);
    assert.deepEqual(seen, ["a@1100", "hook@1150"]);
    clock.advance(100);
    assert.deepEqual(seen, ["a@1100", "hook@1150", "b@1200", "hook@1250"]);
    assert.equal(clock.pendingTimers, 0);
  });

  it("runs a timer set by a timer within the same advance", () => {
    const clock = new TestClock("manual", 0);
    let fired = 0;
    const again = () => {
      fired++;
      if (fired < 3) clock.setTimer(again, 10);
    };
    clock.setTimer(again, 10);
    clock.advance(1_000);
    assert.equal(fired, 3);
  });

  it("set() jumps to a date; a real-mode clock follows the wall clock plus the offset", () => {
    const manual = new TestClock("manual");
    manual.set(new Date(Date.UTC(2030, 0, 1)));
    assert.equal(new Date(manual.now()).toISOString(), "2030-01-01T00:00:00.000Z");
    const real = new TestClock("real");
    const before = Date.now();
    real.advance(3_600_000);
    assert.ok(real.now() >= before + 3_600_000);
    assert.ok(real.now() < Date.now() + 3_600_000 + 1_000);
    assert.throws(() => manual.advance(-1), RangeError);
  });

  it("a real-mode clock fires timers on wall-clock time too", async () => {
    const clock = new TestClock("real");
    const fired = new Promise<number>((resolve) => clock.setTimer(() => resolve(1), 5));
    assert.equal(await fired, 1);
    clock.dispose();
  });
});

describe("startTestServer with a manual clock", () => {
  let redis: TestServer;
  let client: RawClient;
  before(async () => {
    redis = await startTestServer({ clock: "manual", startTime: Date.UTC(2030, 0, 1) });
    client = await connectClient({ port: redis.port });
  });
  after(async () => {
    client.destroy();
    await redis.close();
  });

  it("expires a 24-hour TTL when the clock passes it, without a read", async () => {
    assert.equal(await client.call("SET", "session", "x", "EX", 86_400), "OK");
    assert.equal(await client.call("TTL", "session"), 86_400);
    redis.clock.advance(86_399_000);
    assert.equal(await client.call("TTL", "session"), 1);
    redis.clock.advance(1_001);
    // Gone from the keyspace after advance() returned: the full pass removed it.
    assert.equal(redis.keyspace.db(0).size, 0);
    assert.equal(await client.call("EXISTS", "session"), 0);
  });

  it("PEXPIREAT and EXPIRETIME read the test clock", async () => {
    const at = redis.clock.now() + 5_000;
    await client.call("SET", "k", "v");
    assert.equal(await client.call("PEXPIREAT", "k", at), 1);
    assert.equal(await client.call("PEXPIRETIME", "k"), at);
    redis.clock.advance(5_001);
    assert.equal(await client.call("GET", "k"), null);
  });

  it("TIME answers the clock's time", async () => {
    redis.clock.set(Date.UTC(2031, 5, 1, 12));
    const [seconds, micros] = await client.call("TIME") as string[];
    assert.equal(Number(seconds), Date.UTC(2031, 5, 1, 12) / 1000);
    assert.equal(micros, "0");
  });

  it("a 30 s BLPOP times out when the clock passes 30 s, not before", async () => {
    const blocked = await connectClient({ port: redis.port });
    try {
      blocked.socket.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$2\r\n30\r\n");
      await waitFor(() => redis.keyspace.blocking.blockedClients === 1);
      redis.clock.advance(29_999);
      assert.equal(redis.keyspace.blocking.blockedClients, 1);
      redis.clock.advance(1);
      assert.deepEqual(await blocked.read(), [null]);
    } finally {
      blocked.destroy();
    }
  });

  it("BZPOPMIN and XREAD BLOCK time out on the clock too", async () => {
    const a = await connectClient({ port: redis.port });
    const b = await connectClient({ port: redis.port });
    try {
      a.socket.write("*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nz\r\n$3\r\n0.5\r\n");
      b.socket.write(
        "*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$5\r\n60000\r\n$7\r\nSTREAMS\r\n$1\r\ns\r\n$1\r\n$\r\n",
      );
      await waitFor(() => redis.keyspace.blocking.blockedClients === 2);
      redis.clock.advance(500);
      assert.deepEqual(await a.read(), [null]);
      assert.equal(redis.keyspace.blocking.blockedClients, 1);
      redis.clock.advance(59_500);
      assert.deepEqual(await b.read(), [null]);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it("XADD * takes its ID's time from the clock", async () => {
    redis.clock.set(Date.UTC(2032, 0, 1));
    const id = await client.call("XADD", "stream", "*", "f", "v") as string;
    assert.equal(id, `${Date.UTC(2032, 0, 1)}-0`);
  });
});

/** Polls `condition` every few ms (up to 2 s): for state reached through a socket. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(condition(), "condition reached");
}
