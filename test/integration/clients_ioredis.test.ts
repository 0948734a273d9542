/**
 * ioredis (npm, v5) against our key-value server: its INFO ready check, connection setup
 * (CLIENT SETNAME, SELECT), pipelines, MULTI/EXEC and WATCH, pub/sub across two clients,
 * Buffer values, a blocking BLPOP woken by another client, SCAN streams and reply shapes.
 * Runs on Node, Deno and Bun (each loads ioredis from node_modules).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis, type RedisOptions } from "ioredis";
import { type Ours, sleep, startOurs, within } from "../helpers/clients.ts";
import type { Command } from "../../src/server/command.ts";

describe("ioredis", () => {
  let ours: Ours;
  const clients: Redis[] = [];
  /** Commands that set a connection up, as our server received them. */
  const seen: string[] = [];

  before(async () => {
    ours = await startOurs();
    // Record the setup commands ioredis sends (wrapping the real handlers, which still run).
    for (const name of ["info", "client", "select"]) {
      const spec = ours.server.router.get(name);
      assert.ok(spec, `${name} is registered`);
      const wrap = (parent: string, s: typeof spec) => {
        const handler = s.handler;
        return {
          ...s,
          handler: (
            command: Command,
            reply: Parameters<typeof handler>[1],
            conn: Parameters<typeof handler>[2],
          ) => {
            seen.push(
              [parent, ...command.args.map((a) => new TextDecoder().decode(a))].join(" ")
                .toLowerCase(),
            );
            return handler(command, reply, conn);
          },
        };
      };
      const subcommands = spec.subcommands === undefined ? undefined : Object.fromEntries(
        Object.entries(spec.subcommands).map(([k, v]) => [k, wrap(name, v)]),
      );
      ours.server.router.register(name, { ...wrap(name, spec), subcommands });
    }
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await ours?.stop();
  });

  function client(options: RedisOptions = {}): Redis {
    const c = new Redis({
      port: ours.port,
      host: "127.0.0.1",
      maxRetriesPerRequest: 1,
      retryStrategy: () => null, // fail fast instead of reconnecting forever
      ...options,
    });
    c.on("error", () => {/* surfaced through the failing command */});
    clients.push(c);
    return c;
  }

  async function ready(c: Redis): Promise<void> {
    if (c.status === "ready") return;
    await within(
      new Promise<void>((resolve, reject) => {
        c.once("ready", () => resolve());
        c.once("end", () => reject(new Error(`connection ended (status ${c.status})`)));
      }),
      5000,
      "ioredis ready",
    );
  }

  it("passes the INFO ready check (enableReadyCheck) and reports ready", async () => {
    seen.length = 0;
    const c = client({ enableReadyCheck: true });
    await ready(c);
    assert.ok(seen.includes("info"), `INFO sent: ${seen.join(", ")}`);
    assert.equal(c.status, "ready");
    assert.equal(await c.ping(), "PONG");
    const info = await c.info("server");
    assert.match(info, /^# Server\r\nredis_version:7\.\d+\.\d+\r\n/);
  });

  it("lazyConnect + connectionName: connects on demand and sets the name", async () => {
    seen.length = 0;
    const c = client({ lazyConnect: true, connectionName: "ioredis-test" });
    await sleep(50);
    assert.equal(c.status, "wait");
    assert.equal(seen.length, 0);
    await within(c.connect(), 5000, "connect");
    assert.equal(c.status, "ready");
    assert.ok(seen.includes("client setname ioredis-test"), seen.join(", "));
    assert.equal(await c.client("GETNAME"), "ioredis-test");
    const list = String(await c.client("LIST"));
    assert.match(list, /name=ioredis-test /);
    assert.match(String(await c.client("INFO")), /lib-name=ioredis/);
  });

  it("db: 3 selects the database, isolated from db 0, and INFO keyspace shows it", async () => {
    seen.length = 0;
    const c3 = client({ db: 3 });
    const c0 = client();
    await ready(c3);
    assert.ok(seen.includes("select 3"), seen.join(", "));
    await c3.del("only-in-3");
    assert.equal(await c3.set("only-in-3", "x"), "OK");
    assert.equal(await c0.get("only-in-3"), null);
    assert.equal(await c3.get("only-in-3"), "x");
    assert.match(await c0.info("keyspace"), /db3:keys=\d+,expires=0,avg_ttl=0/);
  });

  it("basic commands return ioredis's usual shapes", async () => {
    const c = client();
    await c.flushall();
    assert.equal(await c.set("k", "v", "EX", 100), "OK");
    assert.equal(await c.get("k"), "v");
    assert.equal(await c.ttl("k"), 100);
    assert.equal(await c.incr("n"), 1);
    assert.equal(await c.incrbyfloat("f", "1.5"), "1.5");
    assert.deepEqual(await c.mget("k", "missing"), ["v", null]);
    assert.equal(await c.hset("h", { a: "1", b: "2" }), 2);
    assert.deepEqual(await c.hgetall("h"), { a: "1", b: "2" });
    assert.deepEqual(await c.hgetall("nohash"), {});
    assert.equal(await c.sadd("s", "x", "y"), 2);
    assert.deepEqual((await c.smembers("s")).sort(), ["x", "y"]);
    assert.equal(await c.zadd("z", 1.5, "a", 2, "b"), 2);
    assert.deepEqual(await c.zrange("z", 0, -1, "WITHSCORES"), ["a", "1.5", "b", "2"]);
    assert.equal(await c.zscore("z", "a"), "1.5");
    assert.equal(await c.rpush("l", "a", "b", "c"), 3);
    assert.deepEqual(await c.lrange("l", 0, -1), ["a", "b", "c"]);
    assert.equal(await c.exists("k", "missing"), 1);
    assert.equal(await c.type("z"), "zset");
    await assert.rejects(c.incr("k"), /^ReplyError: ERR value is not an integer or out of range$/);
    await assert.rejects(c.get("h"), (e: Error) => e.message.startsWith("WRONGTYPE "));
    // A command ioredis does not know, through call().
    assert.equal(await c.call("ECHO", "hi"), "hi");
  });

  it("pipelines: results in order, errors per command, 1000 commands in one go", async () => {
    const c = client();
    await c.del("p", "pl");
    const results = await c.pipeline().set("p", "1").incr("p").get("p").lpush("p", "x").incrby(
      "p",
      5,
    ).exec();
    assert.ok(results !== null);
    assert.deepEqual(results.slice(0, 3), [[null, "OK"], [null, 2], [null, "2"]]);
    assert.match(String(results[3][0]), /WRONGTYPE/);
    assert.deepEqual(results[4], [null, 7]);
    const big = c.pipeline();
    for (let i = 0; i < 1000; i++) big.rpush("pl", String(i));
    const out = await big.exec();
    assert.equal(out?.length, 1000);
    assert.deepEqual(out?.[999], [null, 1000]);
  });

  it("MULTI/EXEC: queued results, EXECABORT on a bad command, WATCH conflict gives null", async () => {
    const c = client();
    const other = client();
    await c.del("m");
    assert.deepEqual(await c.multi().set("m", "1").incr("m").get("m").exec(), [
      [null, "OK"],
      [null, 2],
      [null, "2"],
    ]);
    // A runtime error inside EXEC is reported for that command only.
    const mixed = await c.multi().set("m", "x").incr("m").get("m").exec();
    assert.match(String(mixed?.[1][0]), /ERR value is not an integer/);
    assert.deepEqual(mixed?.[2], [null, "x"]);
    // An unknown command while queueing aborts the transaction.
    await assert.rejects(
      c.multi().set("m", "y").call("NOSUCHCOMMAND").exec(),
      /EXECABORT Transaction discarded because of previous errors/,
    );
    assert.equal(await c.get("m"), "x");
    // WATCH, then another client changes the key: EXEC replies null.
    assert.equal(await c.watch("m"), "OK");
    await other.set("m", "changed");
    assert.equal(await c.multi().set("m", "mine").exec(), null);
    assert.equal(await c.get("m"), "changed");
  });

  it("pub/sub: subscribe and psubscribe in one client, publish from another", async () => {
    const sub = client();
    const pub = client();
    await ready(sub);
    const messages: string[] = [];
    let wake: () => void = () => {};
    const want = (n: number) =>
      within(
        new Promise<void>((resolve) => {
          wake = () => messages.length >= n && resolve();
          wake();
        }),
        5000,
        `${n} messages (got ${JSON.stringify(messages)})`,
      );
    sub.on("message", (channel: string, message: string) => {
      messages.push(`message ${channel} ${message}`);
      wake();
    });
    sub.on("pmessage", (pattern: string, channel: string, message: string) => {
      messages.push(`pmessage ${pattern} ${channel} ${message}`);
      wake();
    });
    assert.equal(await sub.subscribe("news", "sport"), 2);
    assert.equal(await sub.psubscribe("n*"), 3);
    // Commands other than (P)SUBSCRIBE/PING/... are refused in subscriber mode by ioredis itself.
    assert.equal(await pub.publish("news", "hello"), 2);
    assert.equal(await pub.publish("sport", "goal"), 1);
    assert.equal(await pub.publish("nobody", "x"), 1);
    await want(4);
    assert.deepEqual(messages.sort(), [
      "message news hello",
      "message sport goal",
      "pmessage n* news hello",
      "pmessage n* nobody x",
    ]);
    assert.deepEqual(await pub.pubsub("NUMSUB", "news", "sport"), ["news", 1, "sport", 1]);
    // (ioredis's unsubscribe() without names never settles, against Redis too: name them.)
    assert.equal(await within(sub.unsubscribe("news", "sport"), 5000, "unsubscribe"), 1);
    assert.equal(await within(sub.punsubscribe("n*"), 5000, "punsubscribe"), 0);
    // Back to normal mode.
    assert.equal(await sub.set("after-sub", "ok"), "OK");
  });

  it("Buffer values: binary SET, getBuffer, hgetallBuffer, binary keys and messages", async () => {
    const c = client();
    const bytes = Buffer.from([0, 255, 1, 13, 10, 128, 36, 42]);
    assert.equal(await c.set("bin", bytes), "OK");
    assert.deepEqual(await c.getBuffer("bin"), bytes);
    assert.equal(await c.strlen("bin"), bytes.length);
    const key = Buffer.from([0xc3, 0x28, 0, 0xff]); // invalid UTF-8 key
    assert.equal(await c.set(key, bytes), "OK");
    assert.deepEqual(await c.getBuffer(key), bytes);
    await c.del("hb");
    await c.hset("hb", "f", bytes);
    const h = await c.hgetallBuffer("hb");
    assert.deepEqual(h.f, bytes);
    assert.deepEqual(await c.lrangeBuffer("nolist", 0, -1), []);
    // Binary pub/sub payload.
    const sub = client();
    const got = new Promise<Buffer>((resolve) =>
      sub.on("messageBuffer", (_channel: Buffer, message: Buffer) => resolve(message))
    );
    await sub.subscribe("bin-channel");
    await c.publish("bin-channel", bytes);
    assert.deepEqual(await within(got, 5000, "binary message"), bytes);
  });

  it("BLPOP blocks until another client pushes, and times out with null", async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    await a.del("queue");
    const popped = a.blpop("queue", 5);
    await sleep(100);
    assert.equal(await b.rpush("queue", "job"), 1);
    assert.deepEqual(await within(popped, 5000, "BLPOP woken"), ["queue", "job"]);
    const started = Date.now();
    assert.equal(await within(a.blpop("queue", 0.2), 5000, "BLPOP timeout"), null);
    assert.ok(Date.now() - started >= 150, "BLPOP waited for its timeout");
    // BRPOPLPUSH/BLMOVE too.
    const moved = a.blmove("src", "dst", "LEFT", "RIGHT", 5);
    await sleep(50);
    await b.rpush("src", "item");
    assert.equal(await within(moved, 5000, "BLMOVE woken"), "item");
  });

  it("scanStream, hscanStream and sscanStream visit every element", async () => {
    const c = client();
    await c.flushall();
    const pipe = c.pipeline();
    for (let i = 0; i < 300; i++) pipe.set(`scan:${i}`, "x");
    for (let i = 0; i < 200; i++) pipe.hset("sh", `f${i}`, `v${i}`);
    for (let i = 0; i < 200; i++) pipe.sadd("ss", `m${i}`);
    await pipe.exec();
    const collect = (stream: NodeJS.ReadableStream) =>
      within(
        new Promise<string[]>((resolve, reject) => {
          const out = new Set<string>();
          stream.on("data", (batch: string[]) => batch.forEach((x) => out.add(x)));
          stream.on("end", () => resolve([...out]));
          stream.on("error", reject);
        }),
        10_000,
        "scan stream",
      );
    assert.equal((await collect(c.scanStream({ match: "scan:*", count: 50 }))).length, 300);
    assert.equal((await collect(c.hscanStream("sh", { count: 30 }))).length, 400); // fields + values
    assert.equal((await collect(c.sscanStream("ss", { count: 30 }))).length, 200);
  });

  it("large values: 8 MiB SET/GET, alone and in a pipeline", async () => {
    const c = client();
    const big = Buffer.alloc(8 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    assert.equal(await c.set("big", big), "OK");
    assert.ok((await c.getBuffer("big"))!.equals(big));
    const out = await c.pipeline().set("big2", big).getBuffer("big2").strlen("big2").exec();
    assert.ok((out?.[1][1] as Buffer).equals(big));
    assert.deepEqual(out?.[2], [null, big.length]);
    await c.del("big", "big2");
  });

  it("resubscribes after its subscriber connection is killed (autoResubscribe)", async () => {
    const sub = new Redis({ port: ours.port, host: "127.0.0.1", connectionName: "resub" });
    sub.on("error", () => {});
    clients.push(sub);
    const pub = client();
    const got: string[] = [];
    sub.on("message", (_channel: string, message: string) => got.push(message));
    sub.on("pmessage", (_p: string, _channel: string, message: string) => got.push(`p ${message}`));
    await sub.subscribe("rc");
    await sub.psubscribe("r*");
    const line = String(await pub.client("LIST")).split("\n").find((l) => l.includes("name=resub"));
    assert.match(String(line), /sub=1 psub=1 /);
    const id = /id=(\d+)/.exec(String(line))![1];
    const reconnected = new Promise((resolve) => sub.once("ready", resolve));
    assert.equal(await pub.client("KILL", "ID", id), 1);
    await within(reconnected, 10_000, "subscriber reconnected");
    // The resubscription is sent right after "ready": wait until the server has it.
    for (let i = 0; i < 100 && Number(await pub.pubsub("NUMPAT")) < 1; i++) await sleep(20);
    await within(
      (async () => {
        while (Number((await pub.pubsub("NUMSUB", "rc"))[1]) < 1) await sleep(20);
      })(),
      5000,
      "resubscribed",
    );
    assert.equal(await pub.publish("rc", "after"), 2);
    for (let i = 0; i < 100 && got.length < 2; i++) await sleep(20);
    assert.deepEqual(got.sort(), ["after", "p after"]);
    sub.disconnect();
  });

  it("authenticates with password (requirepass), and reports a wrong one", async () => {
    const secured = await startOurs({ password: "secret" });
    try {
      const good = new Redis({ port: secured.port, host: "127.0.0.1", password: "secret" });
      good.on("error", () => {});
      clients.push(good);
      await ready(good);
      assert.equal(await good.set("auth", "ok"), "OK");
      const bad = new Redis({
        port: secured.port,
        host: "127.0.0.1",
        password: "wrong",
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      clients.push(bad);
      const error = await within(
        new Promise<Error>((resolve) => bad.once("error", resolve)),
        5000,
        "auth error",
      );
      assert.match(error.message, /WRONGPASS invalid username-password pair/);
      bad.disconnect();
      good.disconnect();
    } finally {
      await secured.stop();
    }
  });

  it("reconnects after CLIENT KILL and restores the selected db", async () => {
    const c = new Redis({ port: ours.port, host: "127.0.0.1", db: 5, maxRetriesPerRequest: 3 });
    c.on("error", () => {});
    clients.push(c);
    await ready(c);
    await c.set("db5", "yes");
    const killer = client();
    const id = await c.client("ID");
    assert.equal(await killer.client("KILL", "ID", String(id)), 1);
    assert.equal(await within(c.get("db5"), 10_000, "get after reconnect"), "yes");
    assert.notEqual(await c.client("ID"), id);
    c.disconnect();
  });
});
