/**
 * Job queues built on Lua scripts, against our key-value server and, in the same test,
 * against a real redis-server 7.0 (same outcome required): bee-queue and Bull (normal,
 * delayed, prioritised and retried jobs, counts) and BullMQ (worker, QueueEvents, delayed,
 * prioritised and retried jobs, flows, a job scheduler; its scripts write to streams, so it
 * is skipped on a server without XADD/XTRIM). Node, Deno and Bun.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import BeeQueue from "bee-queue";
import Bull from "bull";
import { FlowProducer, Queue as MqQueue, QueueEvents, Worker } from "bullmq";
import { type Ours, startOurs, within } from "../helpers/clients.ts";
import { type Oracle, oracleSkip, startOracle } from "../helpers/redis_oracle.ts";
import { createKeyValueServer } from "../../src/kv/mod.ts";

/** Why a scenario needing `commands` is skipped (the issue adding them), or false. */
function needsCommands(commands: Record<string, string>): string | false {
  const server = createKeyValueServer();
  const missing = Object.keys(commands).filter((c) => server.router.lookup(c) === undefined);
  void server.close();
  if (missing.length === 0) return false;
  return `needs ${missing.map((c) => `${c.toUpperCase()} (${commands[c]})`).join(", ")}`;
}

async function same<T>(
  servers: { ours: Ours; oracle: Oracle },
  scenario: (port: number) => Promise<T>,
): Promise<T> {
  const ours = await scenario(servers.ours.port);
  const oracle = await scenario(servers.oracle.port);
  assert.deepEqual(ours, oracle, "ours (actual) vs redis-server (expected)");
  return ours;
}

const deadline = <T>(p: Promise<T>, what: string) => within(p, 10_000, what);

describe("libraries: job queues", { skip: oracleSkip }, () => {
  const servers = {} as { ours: Ours; oracle: Oracle };
  before(async () => {
    servers.ours = await startOurs();
    servers.oracle = await startOracle();
  });
  after(async () => {
    await servers.ours?.stop();
    await servers.oracle?.stop();
  });

  it("bee-queue: jobs processed, retried, delayed, counted", async () => {
    const outcome = await same(servers, async (port) => {
      const queue = new BeeQueue("bee", {
        redis: { port, host: "127.0.0.1" },
        removeOnSuccess: false,
        activateDelayedJobs: true,
        storeJobs: true,
      });
      const out: unknown[] = [];
      try {
        await queue.ready();
        await queue.destroy();
        const results: unknown[] = [];
        const finished = new Promise<void>((resolve) => {
          queue.on("succeeded", (job, result) => {
            results.push([job.data.n, result]);
            if (results.length === 4) resolve();
          });
        });
        let attempts = 0;
        queue.process((job: BeeQueue.Job<{ n: number; flaky?: boolean }>) => {
          if (job.data.flaky && attempts++ === 0) {
            return Promise.reject(new Error("first attempt fails"));
          }
          return Promise.resolve(job.data.n * 10);
        });
        await queue.createJob({ n: 1 }).save();
        await queue.createJob({ n: 2, flaky: true }).retries(1).save();
        await queue.createJob({ n: 3 }).delayUntil(Date.now() + 300).save();
        await queue.createJob({ n: 4 }).save();
        await deadline(finished, "bee-queue jobs");
        results.sort((a, b) => (a as number[])[0] - (b as number[])[0]);
        out.push(results, attempts);
        const health = await queue.checkHealth();
        out.push({ succeeded: health.succeeded, waiting: health.waiting, failed: health.failed });
        const jobs = await queue.getJobs("succeeded", { size: 10 });
        out.push(jobs.map((j) => j.data.n).sort());
      } finally {
        await queue.close();
      }
      return out;
    });
    assert.equal((outcome[0] as unknown[]).length, 4);
  });

  it("Bull: normal, prioritised, delayed and retried jobs; counts", async () => {
    const outcome = await same(servers, async (port) => {
      const queue = new Bull("bull", { redis: { port, host: "127.0.0.1" } });
      const out: unknown[] = [];
      try {
        await queue.isReady();
        await queue.obliterate({ force: true });
        await queue.pause(true);
        await queue.add({ n: 1 }, { priority: 3 });
        await queue.add({ n: 2 }, { priority: 1 });
        await queue.add({ n: 3 }, { priority: 2 });
        await queue.add({ n: 4, flaky: true }, { attempts: 2, priority: 4 });
        await queue.add({ n: 5 }, { delay: 300 });
        out.push(await queue.getJobCounts());
        const order: number[] = [];
        let flakyRuns = 0;
        const done = new Promise<void>((resolve) => {
          queue.on("completed", () => {
            if (order.length === 5) resolve();
          });
        });
        void queue.process(1, (job) => {
          if (job.data.flaky && flakyRuns++ === 0) throw new Error("retry me");
          order.push(job.data.n);
          return Promise.resolve(job.data.n * 2);
        });
        await queue.resume(true);
        await deadline(done, "bull jobs");
        out.push(order, flakyRuns);
        const completed = await queue.getCompleted();
        out.push(completed.map((j) => [j.data.n, j.returnvalue, j.attemptsMade]).sort());
        out.push(await queue.getJobCounts());
      } finally {
        await queue.close();
      }
      return out;
    });
    assert.deepEqual((outcome[1] as number[]).slice(0, 3), [2, 3, 1]);
  });

  describe("BullMQ", { skip: needsCommands({ xadd: "#16", xtrim: "#16" }) }, () => {
    it("queue, worker, QueueEvents, delayed, prioritised and retried jobs", async () => {
      await same(servers, async (port) => {
        const connection = { port, host: "127.0.0.1", maxRetriesPerRequest: null };
        const queue = new MqQueue("mq", { connection });
        const events = new QueueEvents("mq", { connection });
        const out: unknown[] = [];
        let worker: Worker | undefined;
        try {
          await queue.obliterate({ force: true });
          await events.waitUntilReady();
          const completed: number[] = [];
          const all = new Promise<void>((resolve) => {
            events.on("completed", () => {
              completed.push(1);
              if (completed.length === 4) resolve();
            });
          });
          await queue.add("a", { n: 1 });
          await queue.add("b", { n: 2 }, { priority: 1 });
          await queue.add("c", { n: 3 }, { delay: 200 });
          await queue.add("d", { n: 4, flaky: true }, { attempts: 2 });
          let flaky = 0;
          worker = new Worker("mq", (job) => {
            if (job.data.flaky && flaky++ === 0) throw new Error("retry");
            return Promise.resolve(job.data.n * 3);
          }, { connection });
          await deadline(all, "bullmq jobs");
          out.push(await queue.getJobCounts("completed", "failed", "wait", "delayed"));
        } finally {
          await worker?.close();
          await events.close();
          await queue.close();
        }
        return out;
      });
    });

    it("flows (parent after children) and a job scheduler", async () => {
      await same(servers, async (port) => {
        const connection = { port, host: "127.0.0.1", maxRetriesPerRequest: null };
        const queue = new MqQueue("flow", { connection });
        const flows = new FlowProducer({ connection });
        const out: unknown[] = [];
        let worker: Worker | undefined;
        try {
          await queue.obliterate({ force: true });
          const finished = new Promise<unknown>((resolve) => {
            worker = new Worker("flow", async (job) => {
              if (job.name === "parent") {
                const values = Object.values(await job.getChildrenValues()) as number[];
                resolve(values.sort());
                return values.length;
              }
              if (job.name === "tick") return "tick";
              return job.data.n * 10;
            }, { connection });
          });
          await flows.add({
            name: "parent",
            queueName: "flow",
            children: [
              { name: "child", queueName: "flow", data: { n: 1 } },
              { name: "child", queueName: "flow", data: { n: 2 } },
            ],
          });
          out.push(await deadline(finished, "flow parent"));
          await queue.upsertJobScheduler("every", { every: 150, limit: 2 }, { name: "tick" });
          out.push((await queue.getJobSchedulers()).map((s) => [s.key, s.every]));
          const start = Date.now();
          while ((await queue.getCompletedCount()) < 5 && Date.now() - start < 5000) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          out.push(await queue.getCompletedCount());
          await queue.removeJobScheduler("every");
          out.push((await queue.getJobSchedulers()).length);
        } finally {
          await worker?.close();
          await flows.close();
          await queue.close();
        }
        return out;
      });
    });
  });
});
