/**
 * Bun's built-in `RedisClient` (Bun 1.4) against our key-value server: it opens with HELLO 3,
 * then get/set/incr/hset/hgetall/sadd/smembers/expire/ttl, `send()` for other commands (their
 * RESP3 replies compared with what the same client gets from a real redis-server 7), errors,
 * binary values, pipelined (concurrent) commands, and pub/sub. Only under Bun: the client is
 * part of the Bun runtime; Node and Deno skip with a reason.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type Oracle, oracleSkip, startOracle } from "../helpers/redis_oracle.ts";
import { type Ours, sleep, startOurs, within } from "../helpers/clients.ts";
import type { Command } from "../../src/server/command.ts";

/** The part of Bun's RedisClient these tests use. */
interface BunRedis {
  connect(): Promise<void>;
  close(): void;
  readonly connected: boolean;
  get(key: string): Promise<string | null>;
  getBuffer(key: string): Promise<Uint8Array | null>;
  set(key: string, value: string | Uint8Array, ...args: string[]): Promise<string | null>;
  incr(key: string): Promise<number>;
  hset(key: string, ...fieldsAndValues: string[]): Promise<number>;
  hgetall(key: string): Promise<Record<string, string> | null>;
  sadd(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
  expire(key: string, seconds: number): Promise<number>;
  ttl(key: string): Promise<number>;
  del(key: string): Promise<number>;
  exists(key: string): Promise<boolean>;
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<number>;
  unsubscribe(channel?: string): Promise<void>;
  send(command: string, args: string[]): Promise<unknown>;
}
type BunRedisConstructor = new (url: string, options?: Record<string, unknown>) => BunRedis;

const RedisClient = (globalThis as { Bun?: { RedisClient?: BunRedisConstructor } }).Bun
  ?.RedisClient;
const skip = RedisClient === undefined
  ? "Bun's RedisClient is part of the Bun runtime (runs only under bun test)"
  : false;

/** A JSON-friendly view of what Bun's client returns. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [plain(k), plain(v)]) };
  if (value instanceof Set) return { set: [...value].map(plain) };
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (value instanceof Error) return { error: value.message };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "number" && !Number.isFinite(value)) return { number: String(value) };
  if (typeof value === "bigint") return { bigint: String(value) };
  if (value !== null && typeof value === "object") {
    return { object: Object.entries(value).map(([k, v]) => [k, plain(v)]) };
  }
  return value;
}

/** The same commands against any server; results (or error texts) by name. */
async function scenario(c: BunRedis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const take = async (name: string, f: () => Promise<unknown>) => {
    try {
      out[name] = plain(await f());
    } catch (error) {
      out[name] = plain(error);
    }
  };
  await take("flushall", () => c.send("FLUSHALL", []));
  await take("set", () => c.set("k", "v"));
  await take("get", () => c.get("k"));
  await take("get missing", () => c.get("missing"));
  await take("incr", () => c.incr("n"));
  await take("incr error", () => c.incr("k"));
  await take("hset", () => c.hset("h", "a", "1", "b", "2"));
  await take("hgetall", () => c.hgetall("h"));
  await take("hgetall missing", () => c.hgetall("nohash"));
  await take("wrongtype", () => c.hgetall("k"));
  await take("sadd", () => c.sadd("s", "x"));
  await take("smembers", () => c.smembers("s"));
  await take("expire", () => c.expire("k", 100));
  await take("ttl", () => c.ttl("k"));
  await take("ttl missing", () => c.ttl("missing"));
  await take("exists", () => c.exists("k"));
  await take("del", () => c.del("n"));
  for (
    const [command, ...args] of [
      ["HELLO", "3"],
      ["ZADD", "z", "1.5", "a", "2", "b", "-inf", "lo"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZSCORE", "z", "a"],
      ["ZSCORE", "z", "lo"],
      ["ZSCORE", "z", "nope"],
      ["ZMSCORE", "z", "a", "nope"],
      ["ZPOPMIN", "z"],
      ["ZRANK", "z", "b"],
      ["SMISMEMBER", "s", "x", "y"],
      ["HMGET", "h", "a", "zz"],
      ["HINCRBYFLOAT", "h", "a", "0.5"],
      ["INCRBYFLOAT", "f", "2.5"],
      ["RPUSH", "l", "a", "b", "c"],
      ["LRANGE", "l", "0", "-1"],
      ["LPOP", "l", "2"],
      ["LPOP", "nolist"],
      ["BLPOP", "nolist", "0.05"],
      ["MGET", "k", "missing"],
      ["TYPE", "z"],
      ["CONFIG", "GET", "save"],
      ["MULTI"],
      ["SET", "t", "1"],
      ["INCR", "t"],
      ["HGETALL", "h"],
      ["EXEC"],
      ["SCAN", "0", "MATCH", "t", "COUNT", "100"],
      ["ECHO", "hi"],
      ["PING"],
      ["NOSUCHCOMMAND", "x"],
      ["GET"],
    ]
  ) await take(`send ${command} ${args.join(" ")}`, () => c.send(command, args));
  return out;
}

describe("Bun RedisClient", { skip }, () => {
  let ours: Ours;
  let oracle: Oracle | undefined;
  const clients: BunRedis[] = [];
  const seen: string[] = [];

  before(async () => {
    ours = await startOurs();
    if (oracleSkip === false) oracle = await startOracle();
    const spec = ours.server.router.get("hello");
    assert.ok(spec);
    const handler = spec.handler;
    ours.server.router.register("hello", {
      ...spec,
      handler: (command: Command, reply, connection) => {
        seen.push(command.argv.map((a) => new TextDecoder().decode(a)).join(" ").toUpperCase());
        return handler(command, reply, connection);
      },
    });
  });

  after(async () => {
    for (const c of clients) c.close();
    await ours?.stop();
    await oracle?.stop();
  });

  async function open(port: number): Promise<BunRedis> {
    const c = new RedisClient!(`redis://127.0.0.1:${port}`, {
      autoReconnect: false,
      connectionTimeout: 5000,
    });
    clients.push(c);
    await within(c.connect(), 5000, "RedisClient.connect()");
    return c;
  }

  it("connects with HELLO 3", async () => {
    seen.length = 0;
    const c = await open(ours.port);
    assert.equal(c.connected, true);
    assert.ok(seen.some((s) => s.startsWith("HELLO 3")), seen.join(", "));
    assert.equal(await c.send("PING", []), "PONG");
  });

  it("get/set/incr/hset/hgetall/sadd/smembers/expire/ttl", async () => {
    const c = await open(ours.port);
    await c.send("FLUSHDB", []);
    assert.equal(await c.set("k", "v"), "OK");
    assert.equal(await c.get("k"), "v");
    assert.equal(await c.get("missing"), null);
    assert.equal(await c.incr("n"), 1);
    assert.equal(await c.incr("n"), 2);
    assert.equal(await c.hset("h", "a", "1", "b", "2"), 2);
    assert.deepEqual({ ...await c.hgetall("h") }, { a: "1", b: "2" });
    assert.equal(await c.sadd("s", "x"), 1);
    assert.equal(await c.sadd("s", "y"), 1);
    assert.deepEqual((await c.smembers("s")).sort(), ["x", "y"]);
    assert.equal(await c.expire("k", 100), 1);
    assert.equal(await c.ttl("k"), 100);
    assert.equal(await c.ttl("missing"), -2);
    await assert.rejects(c.incr("k"), /value is not an integer or out of range/);
  });

  it("binary values and many concurrent (pipelined) commands", async () => {
    const c = await open(ours.port);
    const bytes = new Uint8Array([0, 255, 13, 10, 36, 128]);
    assert.equal(await c.set("bin", bytes), "OK");
    assert.deepEqual([...(await c.getBuffer("bin"))!], [...bytes]);
    const replies = await within(
      Promise.all(Array.from({ length: 1000 }, (_, i) => c.set(`c${i}`, String(i)))),
      10_000,
      "1000 SETs",
    );
    assert.equal(replies.filter((r) => r === "OK").length, 1000);
    const values = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.get(`c${i}`)));
    assert.deepEqual(values, Array.from({ length: 1000 }, (_, i) => String(i)));
  });

  it(
    "send() replies match what the same client gets from Redis",
    { skip: oracleSkip },
    async () => {
      const a = await scenario(await open(ours.port));
      const b = await scenario(await open(oracle!.port));
      const norm = (r: Record<string, unknown>): Record<string, unknown> => {
        // HELLO's id differs between two servers with different histories.
        const hello = JSON.stringify(r["send HELLO 3"]).replace(/\["id",\d+\]/, '["id",0]');
        return { ...r, "send HELLO 3": hello };
      };
      const x = norm(a), y = norm(b);
      for (const key of Object.keys(y)) {
        assert.deepEqual(x[key], y[key], `${key}: ours (actual) vs redis (expected)`);
      }
      assert.deepEqual(Object.keys(x), Object.keys(y));
    },
  );

  it("password in the URL: HELLO 3 AUTH; a wrong one fails", async () => {
    const secured = await startOurs({ password: "secret" });
    try {
      const c = new RedisClient!(`redis://:secret@127.0.0.1:${secured.port}`, {
        autoReconnect: false,
      });
      clients.push(c);
      await within(c.connect(), 5000, "connect with the password");
      assert.equal(await c.set("auth", "ok"), "OK");
      assert.equal(await c.get("auth"), "ok");
      c.close();
      const bad = new RedisClient!(`redis://:wrong@127.0.0.1:${secured.port}`, {
        autoReconnect: false,
      });
      clients.push(bad);
      await assert.rejects(
        within(bad.connect(), 5000, "connect with a wrong password"),
        // Bun 1.4.5 reports "Connection closed" here, against Redis 7.0 too.
        /WRONGPASS|invalid username-password|Connection closed/,
      );
      bad.close();
    } finally {
      await secured.stop();
    }
  });

  it("large values: 8 MiB SET/GET", async () => {
    const c = await open(ours.port);
    const big = new Uint8Array(8 << 20);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >>> 12) & 255;
    assert.equal(await c.set("big", big), "OK");
    const back = await c.getBuffer("big");
    assert.equal(back?.length, big.length);
    assert.ok(back !== null && Buffer.compare(back, big) === 0, "same bytes back");
    await c.del("big");
  });

  it("pub/sub: subscribe in one client, publish from another", async () => {
    const sub = await open(ours.port);
    const pub = await open(ours.port);
    const got: string[] = [];
    let wake = () => {};
    await within(
      sub.subscribe("news", (message, channel) => {
        got.push(`${channel}:${message}`);
        wake();
      }),
      5000,
      "subscribe",
    );
    await sleep(20);
    assert.equal(await pub.publish("news", "hello"), 1);
    assert.equal(await pub.publish("news", "again"), 1);
    await within(
      new Promise<void>((resolve) => {
        wake = () => got.length >= 2 && resolve();
        wake();
      }),
      5000,
      `2 messages, got ${JSON.stringify(got)}`,
    );
    assert.deepEqual(got, ["news:hello", "news:again"]);
    await within(sub.unsubscribe("news"), 5000, "unsubscribe");
    assert.equal(await pub.publish("news", "nobody"), 0);
  });
});
