/**
 * node-redis v5 (npm `redis`) against our key-value server, in RESP2 and RESP3 (`RESP: 3`):
 * the connection handshake (HELLO 3, CLIENT SETINFO), basic commands, the shapes of hash,
 * set and sorted-set replies (compared with what the same client gets from a real
 * redis-server 7), pub/sub, MULTI/EXEC, WATCH, SCAN iterators and blocking pops.
 * Runs on Node, Deno and Bun.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient, RESP_TYPES } from "redis";
import { type Oracle, oracleSkip, startOracle } from "../helpers/redis_oracle.ts";
import { type Ours, sleep, startOurs, within } from "../helpers/clients.ts";
import type { Command } from "../../src/server/command.ts";

type Client = ReturnType<typeof createClient>;

/** A JSON-friendly view of whatever node-redis returns (Map, Buffer, null prototypes...). */
function plain(value: unknown): unknown {
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [plain(k), plain(v)]) };
  if (value instanceof Set) return { set: [...value].map(plain) };
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (value instanceof Error) return { error: value.message, name: value.constructor.name };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "number" && !Number.isFinite(value)) return { number: String(value) };
  if (value !== null && typeof value === "object") {
    return {
      object: Object.entries(value).map(([k, v]) => [k, plain(v)]),
    };
  }
  return value;
}

/** Runs the commands of the shape check, returning each result or error, in order. */
async function shapes(c: Client): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const take = async (name: string, f: () => Promise<unknown>) => {
    try {
      out[name] = plain(await f());
    } catch (error) {
      out[name] = plain(error);
    }
  };
  await take("flushall", () => c.flushAll());
  await take("set", () => c.set("k", "v"));
  await take("set get", () => c.set("k", "w", { GET: true }));
  await take("set nx", () => c.set("k", "x", { condition: "NX" }));
  await take("get", () => c.get("k"));
  await take("get missing", () => c.get("missing"));
  await take("incr", () => c.incr("n"));
  await take("incrByFloat", () => c.incrByFloat("f", 1.25));
  await take("mGet", () => c.mGet(["k", "missing", "n"]));
  await take("exists", () => c.exists(["k", "n", "missing"]));
  await take("expire", () => c.expire("k", 100));
  await take("ttl", () => c.ttl("k"));
  await take("type", () => c.type("k"));
  await take("incr error", () => c.incr("k"));
  await take("wrongtype", () => c.hGetAll("k"));
  await take("hSet", () => c.hSet("h", { a: "1", b: "2", c: "3" }));
  await take("hGetAll", () => c.hGetAll("h"));
  await take("hGetAll missing", () => c.hGetAll("nohash"));
  await take("hGet", () => c.hGet("h", "a"));
  await take("hmGet", () => c.hmGet("h", ["a", "zz"]));
  await take("hKeys", () => c.hKeys("h"));
  await take("hVals", () => c.hVals("h"));
  await take("hLen", () => c.hLen("h"));
  await take("hExists", () => c.hExists("h", "a"));
  await take("hIncrBy", () => c.hIncrBy("h", "a", 5));
  await take("hIncrByFloat", () => c.hIncrByFloat("h", "b", 0.5));
  await take("hRandField", () => c.hRandFieldCount("h", 0));
  await take("sAdd", () => c.sAdd("s", ["x"]));
  await take("sMembers", () => c.sMembers("s"));
  await take("sMembers missing", () => c.sMembers("noset"));
  await take("sIsMember", () => c.sIsMember("s", "x"));
  await take("smIsMember", () => c.smIsMember("s", ["x", "y"]));
  await take("sCard", () => c.sCard("s"));
  await take("sPop", () => c.sPop("s"));
  await take("zAdd", () =>
    c.zAdd("z", [{ score: 1.5, value: "a" }, { score: 2, value: "b" }, {
      score: -Infinity,
      value: "lo",
    }]));
  await take("zRange", () => c.zRange("z", 0, -1));
  await take("zRangeWithScores", () => c.zRangeWithScores("z", 0, -1));
  await take("zRangeByScore", () => c.zRangeByScore("z", "-inf", "+inf"));
  await take("zScore", () => c.zScore("z", "a"));
  await take("zScore inf", () => c.zScore("z", "lo"));
  await take("zScore missing", () => c.zScore("z", "nope"));
  await take("zmScore", () => c.zmScore("z", ["a", "nope"]));
  await take("zIncrBy", () => c.zIncrBy("z", 0.25, "a"));
  await take("zRank", () => c.zRank("z", "b"));
  await take("zCard", () => c.zCard("z"));
  await take("zPopMin", () => c.zPopMin("z"));
  await take("zPopMaxCount", () => c.zPopMaxCount("z", 5));
  await take("zPopMin empty", () => c.zPopMin("z"));
  await take("rPush", () => c.rPush("l", ["a", "b", "c"]));
  await take("lRange", () => c.lRange("l", 0, -1));
  await take("lPop", () => c.lPop("l"));
  await take("lPopCount", () => c.lPopCount("l", 5));
  await take("lPop missing", () => c.lPop("l"));
  await take("blPop timeout", () => c.blPop("l", 0.05));
  await take("keys", () => c.keys("z*"));
  await take("dbSize", () => c.dbSize());
  await take("echo", () => c.echo("hello"));
  await take("ping", () => c.ping());
  await take("configGet", () => c.configGet("save"));
  await take("unknown command", () => c.sendCommand(["NOSUCHCOMMAND", "x"]));
  await take("multi", () => c.multi().set("m", "1").incr("m").get("m").hGetAll("h").exec());
  await take("multi error", () => c.multi().set("m", "x").incr("m").exec());
  await take("raw hgetall", () => c.sendCommand(["HGETALL", "h"]));
  await take("raw zscore", () => c.sendCommand(["ZSCORE", "z", "b"]));
  await take(
    "typeMapping Map",
    () => c.withTypeMapping({ [RESP_TYPES.MAP]: Map }).hGetAll("h"),
  );
  await take(
    "typeMapping Buffer",
    () => c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get("m"),
  );
  return out;
}

describe("node-redis v5", () => {
  let ours: Ours;
  let oracle: Oracle | undefined;
  const clients: Client[] = [];
  /** CLIENT and HELLO commands our server received (the handshake). */
  const seen: string[] = [];

  before(async () => {
    ours = await startOurs();
    if (oracleSkip === false) oracle = await startOracle();
    for (const name of ["client", "hello"]) {
      const spec = ours.server.router.get(name);
      assert.ok(spec, `${name} is registered`);
      const wrap = (s: typeof spec): typeof spec => {
        const handler = s.handler;
        return {
          ...s,
          handler: (command: Command, reply, connection) => {
            seen.push(command.argv.map((a) => new TextDecoder().decode(a)).join(" ").toUpperCase());
            return handler(command, reply, connection);
          },
        };
      };
      const subcommands = spec.subcommands === undefined
        ? undefined
        : Object.fromEntries(Object.entries(spec.subcommands).map(([k, v]) => [k, wrap(v)]));
      ours.server.router.register(name, { ...wrap(spec), subcommands });
    }
  });

  after(async () => {
    for (const c of clients) if (c.isOpen) c.destroy();
    await ours?.stop();
    await oracle?.stop();
  });

  async function connect(port: number, RESP: 2 | 3, options = {}): Promise<Client> {
    const c = createClient({
      socket: { port, host: "127.0.0.1", reconnectStrategy: false, connectTimeout: 5000 },
      RESP,
      ...options,
    });
    c.on("error", () => {/* surfaced through the failing command */});
    clients.push(c);
    await within(c.connect(), 5000, `node-redis connect RESP${RESP}`);
    return c;
  }

  for (const RESP of [2, 3] as const) {
    describe(`RESP${RESP}`, () => {
      it("connects: HELLO 2/3 with SETNAME, CLIENT SETINFO LIB-NAME/LIB-VER accepted", async () => {
        seen.length = 0;
        const c = await connect(ours.port, RESP, { name: `nr${RESP}` });
        // With RESP given explicitly, node-redis opens with HELLO <RESP> (SETNAME in it).
        assert.ok(seen.includes(`HELLO ${RESP} SETNAME NR${RESP}`), seen.join(", "));
        assert.ok(seen.includes("CLIENT SETINFO LIB-NAME NODE-REDIS"), seen.join(", "));
        assert.ok(seen.some((s) => s.startsWith("CLIENT SETINFO LIB-VER 5.")), seen.join(", "));
        const info = await c.clientInfo();
        assert.equal(info.libName, "node-redis");
        assert.match(String(info.libVer), /^5\./);
        assert.equal(info.name, `nr${RESP}`);
        assert.equal(info.resp, RESP);
        assert.equal(await c.clientGetName(), `nr${RESP}`);
        assert.equal(await c.ping(), "PONG");
      });

      it(
        "basic, hash, set and sorted-set replies have the same shapes as from Redis",
        { skip: oracleSkip },
        async () => {
          const a = await shapes(await connect(ours.port, RESP));
          const b = await shapes(await connect(oracle!.port, RESP));
          for (const key of Object.keys(b)) {
            assert.deepEqual(a[key], b[key], `RESP${RESP} ${key}: ours (actual) vs redis`);
          }
          assert.deepEqual(Object.keys(a), Object.keys(b));
        },
      );

      it("a few shapes, asserted directly", async () => {
        const c = await connect(ours.port, RESP);
        await c.del(["dh", "dz", "ds"]);
        await c.hSet("dh", { a: "1", b: "2" });
        assert.deepEqual({ ...await c.hGetAll("dh") }, { a: "1", b: "2" });
        await c.zAdd("dz", [{ score: 1.5, value: "a" }]);
        assert.deepEqual(await c.zRangeWithScores("dz", 0, -1), [{ value: "a", score: 1.5 }]);
        assert.equal(await c.zScore("dz", "a"), 1.5);
        await c.sAdd("ds", ["x", "y"]);
        assert.deepEqual((await c.sMembers("ds")).sort(), ["x", "y"]);
        assert.deepEqual(await c.smIsMember("ds", ["x", "q"]), [1, 0]);
      });

      it("pub/sub: subscribe, pSubscribe on a duplicate, publish from another", async () => {
        const c = await connect(ours.port, RESP);
        const sub = c.duplicate();
        sub.on("error", () => {});
        clients.push(sub);
        await within(sub.connect(), 5000, "connect subscriber");
        const got: string[] = [];
        let wake = () => {};
        await sub.subscribe("ch", (message, channel) => {
          got.push(`${channel}:${message}`);
          wake();
        });
        await sub.pSubscribe("c*", (message, channel) => {
          got.push(`p ${channel}:${message}`);
          wake();
        });
        if (RESP === 3) {
          // RESP3: the subscribed connection still runs ordinary commands.
          assert.equal(await within(sub.set("from-subscriber", "1"), 5000, "SET"), "OK");
        }
        assert.equal(await c.publish("ch", "hello"), 2);
        assert.equal(await c.publish("cx", "other"), 1);
        await within(
          new Promise<void>((resolve) => {
            wake = () => got.length >= 3 && resolve();
            wake();
          }),
          5000,
          `3 messages, got ${JSON.stringify(got)}`,
        );
        assert.deepEqual(got.sort(), ["ch:hello", "p ch:hello", "p cx:other"]);
        assert.deepEqual({ ...await c.pubSubNumSub("ch") }, { ch: 1 });
        await within(sub.unsubscribe("ch"), 5000, "unsubscribe");
        await within(sub.pUnsubscribe("c*"), 5000, "pUnsubscribe");
        assert.equal(await c.publish("ch", "nobody"), 0);
        // (RESP2: node-redis hands this PING's reply back as a Buffer, with Redis too.)
        assert.equal(String(await within(sub.ping(), 5000, "PING after unsubscribing")), "PONG");
      });

      it("MULTI/EXEC, WATCH conflict, and a pipeline of 500 commands", async () => {
        const c = await connect(ours.port, RESP);
        const other = await connect(ours.port, RESP);
        await c.del(["tx", "w"]);
        assert.deepEqual(await c.multi().set("tx", "1").incrBy("tx", 9).get("tx").exec(), [
          "OK",
          10,
          "10",
        ]);
        await c.set("w", "0");
        await c.watch("w");
        await other.set("w", "1");
        await assert.rejects(c.multi().set("w", "2").exec(), /WatchError|watched keys/i);
        assert.equal(await c.get("w"), "1");
        const replies = await Promise.all(
          Array.from({ length: 500 }, (_, i) => c.set(`p${i}`, String(i))),
        );
        assert.equal(replies.filter((r) => r === "OK").length, 500);
        const pipe = c.multi();
        for (let i = 0; i < 100; i++) pipe.incr("pipe-counter");
        const results = await pipe.execAsPipeline();
        assert.equal(results.at(-1), 100);
      });

      it("blocking BLPOP on a duplicate woken by another client", async () => {
        const c = await connect(ours.port, RESP);
        const blocker = c.duplicate();
        blocker.on("error", () => {});
        clients.push(blocker);
        await within(blocker.connect(), 5000, "connect");
        await c.del("q");
        const popped = blocker.blPop("q", 5);
        await sleep(100);
        await c.rPush("q", "job");
        assert.deepEqual(
          { ...await within(popped, 5000, "BLPOP") as object },
          { key: "q", element: "job" },
        );
      });

      it("password: AUTH (RESP2) or HELLO 3 AUTH (RESP3); a wrong one fails", async () => {
        const secured = await startOurs({ password: "secret" });
        try {
          const c = await connect(secured.port, RESP, { password: "secret" });
          assert.equal(await c.set("auth", "ok"), "OK");
          assert.equal(await c.get("auth"), "ok");
          c.destroy();
          const bad = createClient({
            socket: { port: secured.port, host: "127.0.0.1", reconnectStrategy: false },
            RESP,
            password: "wrong",
          });
          bad.on("error", () => {});
          await assert.rejects(
            within(bad.connect(), 5000, "connect with a wrong password"),
            /WRONGPASS invalid username-password pair/,
          );
          if (bad.isOpen) bad.destroy();
        } finally {
          await secured.stop();
        }
      });

      it("scanIterator and hScanIterator visit every element", async () => {
        const c = await connect(ours.port, RESP);
        await c.flushAll();
        for (let i = 0; i < 120; i++) await c.set(`it:${i}`, "x");
        await c.hSet(
          "ih",
          Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, "v"])),
        );
        const keys = new Set<string>();
        for await (const batch of c.scanIterator({ MATCH: "it:*", COUNT: 25 })) {
          for (const k of batch) keys.add(k);
        }
        assert.equal(keys.size, 120);
        const fields = new Set<string>();
        for await (const batch of c.hScanIterator("ih", { COUNT: 10 })) {
          for (const entry of batch) fields.add(entry.field);
        }
        assert.equal(fields.size, 60);
      });
    });
  }
});
