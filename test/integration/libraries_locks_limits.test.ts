/**
 * Real libraries built on Lua scripts, against our key-value server and, in the same test,
 * against a real redis-server 7.0 (the scenario must give the same outcome on both, so a
 * failure is ours): redlock, ioredis's defineCommand (EVALSHA, then EVAL on NOSCRIPT),
 * rate-limiter-flexible with ioredis and with node-redis, and rate-limit-redis with
 * express-rate-limit serving HTTP through express. Node, Deno and Bun.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { createClient } from "redis";
import Redlock from "redlock";
import { RateLimiterRedis } from "rate-limiter-flexible";
import express from "express";
import { rateLimit } from "express-rate-limit";
import { RedisStore } from "rate-limit-redis";
import { type Ours, startOurs } from "../helpers/clients.ts";
import { type Oracle, oracleSkip, startOracle } from "../helpers/redis_oracle.ts";

/** Runs `scenario` on our server and on redis-server; asserts the same outcome; returns it. */
async function same<T>(
  servers: { ours: Ours; oracle: Oracle },
  scenario: (port: number) => Promise<T>,
): Promise<T> {
  const ours = await scenario(servers.ours.port);
  const oracle = await scenario(servers.oracle.port);
  assert.deepEqual(ours, oracle, "ours (actual) vs redis-server (expected)");
  return ours;
}

describe("libraries: locks and rate limiters", { skip: oracleSkip }, () => {
  const servers = {} as { ours: Ours; oracle: Oracle };
  before(async () => {
    servers.ours = await startOurs();
    servers.oracle = await startOracle();
  });
  after(async () => {
    await servers.ours?.stop();
    await servers.oracle?.stop();
  });

  it("redlock: lock, contention, extend, unlock, relock", async () => {
    const events = await same(servers, async (port) => {
      const client = new Redis({ port, lazyConnect: true });
      await client.connect();
      const out: string[] = [];
      try {
        await client.flushall();
        const redlock = new Redlock([client], { retryCount: 0, driftFactor: 0.01 });
        const lock = await redlock.lock("locks:resource", 2000);
        out.push(`locked ${(await client.get("locks:resource")) === lock.value}`);
        try {
          await redlock.lock("locks:resource", 2000);
          out.push("second lock acquired");
        } catch (error) {
          out.push(`second lock refused: ${(error as Error).name}`);
        }
        const extended = await lock.extend(5000);
        const ttl = await client.pttl("locks:resource");
        out.push(`extended ${ttl > 2000 && ttl <= 5000} ${extended.value === lock.value}`);
        await extended.unlock();
        out.push(`unlocked ${await client.exists("locks:resource")}`);
        const again = await redlock.lock("locks:resource", 1000);
        out.push(`relocked ${again.value !== lock.value}`);
        await again.unlock();
        // Unlocking a lock someone else holds leaves it alone (the script compares values).
        const third = await redlock.lock("locks:other", 1000);
        await client.set("locks:other", "stolen");
        try {
          await third.unlock();
          out.push("unlock of stolen lock succeeded");
        } catch (error) {
          out.push(`unlock of stolen lock: ${(error as Error).name}`);
        }
        out.push(`stolen kept ${await client.get("locks:other")}`);
      } finally {
        client.disconnect();
      }
      return out;
    });
    assert.equal(events[0], "locked true");
  });

  it("ioredis defineCommand: EVALSHA, EVAL on NOSCRIPT, EVALSHA once loaded", async () => {
    const outcome = await same(servers, async (port) => {
      const client = new Redis({ port, lazyConnect: true });
      await client.connect();
      // The commands ioredis writes for the defined command (EVAL or EVALSHA), in order.
      const sent: string[] = [];
      const stream = (client as unknown as { stream: { write(data: unknown): boolean } }).stream;
      const write = stream.write.bind(stream);
      stream.write = (data: unknown) => {
        const name = /^\*\d+\r\n\$\d+\r\n(evalsha|eval)\r\n/i.exec(String(data));
        if (name !== null) sent.push(name[1].toLowerCase());
        return write(data);
      };
      const out: unknown[] = [];
      try {
        await client.flushall();
        client.defineCommand("incrTwice", {
          numberOfKeys: 1,
          lua: "return redis.call('INCRBY', KEYS[1], ARGV[1] * 2)",
        });
        const defined = client as Redis & { incrTwice(key: string, n: number): Promise<number> };
        await client.script("FLUSH");
        sent.length = 0;
        out.push(await defined.incrTwice("n", 3));
        out.push(await defined.incrTwice("n", 1));
        out.push(sent.splice(0));
        await client.script("FLUSH");
        sent.length = 0;
        out.push(await defined.incrTwice("n", 2));
        out.push(sent.splice(0));
        out.push(await client.get("n"));
      } finally {
        client.disconnect();
      }
      return out;
    });
    assert.deepEqual(outcome[0], 6);
    // A script unknown to the connection goes as EVAL, then as EVALSHA; after SCRIPT FLUSH,
    // EVALSHA gets NOSCRIPT and ioredis sends EVAL.
    assert.deepEqual(outcome, [6, 8, ["eval", "evalsha"], 12, ["evalsha", "eval"], "12"]);
  });

  it("rate-limiter-flexible with ioredis: points, block, reward, penalty, delete", async () => {
    const outcome = await same(servers, async (port) => {
      const client = new Redis({ port, lazyConnect: true, enableOfflineQueue: false });
      await client.connect();
      const out: unknown[] = [];
      try {
        await client.flushall();
        const limiter = new RateLimiterRedis({
          storeClient: client,
          points: 3,
          duration: 10,
          keyPrefix: "rlf",
        });
        for (let i = 0; i < 3; i++) {
          const r = await limiter.consume("user");
          out.push(["consumed", r.remainingPoints, r.consumedPoints]);
        }
        try {
          await limiter.consume("user");
          out.push("not limited");
        } catch (r) {
          out.push(["limited", (r as { remainingPoints: number }).remainingPoints]);
        }
        await limiter.reward("user", 2);
        out.push(["after reward", (await limiter.get("user"))?.consumedPoints]);
        await limiter.penalty("user", 1);
        out.push(["after penalty", (await limiter.get("user"))?.consumedPoints]);
        const r = await limiter.consume("other", 2);
        out.push(["other", r.remainingPoints, r.msBeforeNext > 9000]);
        await limiter.delete("user");
        out.push(["deleted", await limiter.get("user")]);
        const blocker = new RateLimiterRedis({
          storeClient: client,
          points: 1,
          duration: 10,
          blockDuration: 30,
          keyPrefix: "blk",
        });
        await blocker.consume("ip");
        try {
          await blocker.consume("ip");
        } catch (res) {
          out.push(["blocked", (res as { msBeforeNext: number }).msBeforeNext > 20_000]);
        }
      } finally {
        client.disconnect();
      }
      return out;
    });
    assert.deepEqual(outcome[0], ["consumed", 2, 1]);
  });

  it("rate-limiter-flexible with node-redis", async () => {
    await same(servers, async (port) => {
      const client = createClient({ socket: { port, host: "127.0.0.1" } });
      await client.connect();
      const out: unknown[] = [];
      try {
        await client.flushAll();
        const limiter = new RateLimiterRedis({
          storeClient: client,
          useRedisPackage: true,
          points: 2,
          duration: 5,
        });
        out.push((await limiter.consume("k")).remainingPoints);
        out.push((await limiter.consume("k")).remainingPoints);
        try {
          await limiter.consume("k");
        } catch (r) {
          out.push(["limited", (r as { consumedPoints: number }).consumedPoints]);
        }
      } finally {
        await client.quit();
      }
      return out;
    });
  });

  it("rate-limit-redis with express-rate-limit over HTTP", async () => {
    const outcome = await same(servers, async (port) => {
      const client = new Redis({ port, lazyConnect: true });
      await client.connect();
      await client.flushall();
      const app = express();
      app.use(rateLimit({
        windowMs: 60_000,
        limit: 3,
        standardHeaders: "draft-7",
        legacyHeaders: false,
        store: new RedisStore({
          sendCommand: (command: string, ...args: string[]) =>
            client.call(command, ...args) as Promise<number>,
        }),
      }));
      app.get("/", (_req, res) => {
        res.send("ok");
      });
      const http = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => http.once("listening", resolve));
      const out: unknown[] = [];
      try {
        const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
        for (let i = 0; i < 5; i++) {
          const res = await fetch(url);
          await res.text();
          out.push([res.status, res.headers.get("ratelimit")?.replace(/reset=\d+/, "reset")]);
        }
        out.push(["keys", (await client.keys("rl:*")).length]);
      } finally {
        await new Promise((resolve) => http.close(resolve));
        client.disconnect();
      }
      return out;
    });
    assert.deepEqual((outcome[3] as unknown[])[0], 429);
  });
});
