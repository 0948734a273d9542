/**
 * Blocking list commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH): woken by other clients'
 * pushes, served fairly in arrival order, timeouts, disconnects while blocked, MULTI, and
 * the reply bytes of the non-blocking paths compared with a real redis-server.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectClient, type RawClient } from "../helpers/client.ts";
import { Differential, type Oracle, oracleSkip, startOracle } from "../helpers/redis_oracle.ts";
import type { ClientTarget } from "../helpers/client.ts";
import { serve } from "../../adapters/serve.ts";
import { Server } from "../../src/server/server.ts";
import { type Keyspace, registerKeyValueCommands } from "../../src/kv/mod.ts";
import { ReplyError } from "../../src/resp/types.ts";

interface Ours {
  target: ClientTarget;
  keyspace: Keyspace;
  stop(): Promise<void>;
}

async function startOurs(): Promise<Ours> {
  const server = new Server();
  const keyspace = registerKeyValueCommands(server);
  const running = await serve({ port: 0, hostname: "127.0.0.1", server });
  const address = running.address;
  if (address.transport !== "tcp") throw new Error("Expected TCP");
  return {
    target: { port: address.port, host: "127.0.0.1" },
    keyspace,
    stop: async () => {
      await running.close();
      keyspace.close();
    },
  };
}

describe("blocking list commands", () => {
  let ours: Ours;
  const clients: RawClient[] = [];
  const open = async (protocol: 2 | 3 = 2): Promise<RawClient> => {
    const client = await connectClient(ours.target);
    clients.push(client);
    if (protocol === 3) await client.call("HELLO", "3");
    return client;
  };
  /** Waits until `n` clients are blocked (bounded). */
  const blocked = async (n: number): Promise<void> => {
    const deadline = Date.now() + 3000;
    while (ours.keyspace.blocking.blockedClients !== n) {
      if (Date.now() > deadline) {
        throw new Error(
          `Expected ${n} blocked clients, got ${ours.keyspace.blocking.blockedClients}`,
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  before(async () => {
    ours = await startOurs();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await ours.stop();
  });

  it("BLPOP is woken by another client's push", async () => {
    const a = await open(), b = await open();
    await b.call("FLUSHALL");
    a.send("BLPOP", "k1", "k", "5");
    await blocked(1);
    assert.equal(await b.call("RPUSH", "k", "x", "y"), 2);
    assert.deepEqual(await a.readOne(), ["k", "x"]);
    await blocked(0);
    assert.deepEqual(await b.call("LRANGE", "k", "0", "-1"), ["y"]);
    // The same connection goes on normally afterwards.
    assert.equal(await a.call("PING"), "PONG");
  });

  it("BRPOP pops from the tail of the first non-empty key", async () => {
    const a = await open(), b = await open();
    await b.call("FLUSHALL");
    await b.call("RPUSH", "k2", "1", "2", "3");
    assert.deepEqual(await a.call("BRPOP", "k1", "k2", "0"), ["k2", "3"]);
    a.send("BRPOP", "k1", "k3", "0");
    await blocked(1);
    await b.call("LPUSH", "k3", "v");
    assert.deepEqual(await a.readOne(), ["k3", "v"]);
  });

  it("serves blocked clients in arrival order, one element each", async () => {
    const [a, b, c, d] = [await open(), await open(), await open(), await open()];
    await d.call("FLUSHALL");
    a.send("BLPOP", "q", "0");
    await blocked(1);
    b.send("BRPOP", "q", "0");
    await blocked(2);
    c.send("BLPOP", "other", "q", "0");
    await blocked(3);
    assert.equal(await d.call("RPUSH", "q", "1"), 1);
    assert.deepEqual(await a.readOne(), ["q", "1"]);
    await blocked(2);
    assert.equal(b.pending, 0);
    assert.equal(await d.call("RPUSH", "q", "2", "3", "4"), 3);
    assert.deepEqual(await b.readOne(), ["q", "4"]); // BRPOP takes the tail
    assert.deepEqual(await c.readOne(), ["q", "2"]);
    await blocked(0);
    assert.deepEqual(await d.call("LRANGE", "q", "0", "-1"), ["3"]);
  });

  it("times out with a null array (RESP2 *-1, RESP3 _)", async () => {
    const a = await open(), b = await open(3);
    const start = Date.now();
    a.send("BLPOP", "nothing", "0.1");
    await a.readBytes(5, 3000);
    assert.ok(Date.now() - start >= 90, "waited the timeout");
    assert.equal(new TextDecoder().decode(a.allBytes()), "*-1\r\n");
    assert.equal(await a.readOne(), null);
    b.send("BLMOVE", "nothing", "dst", "LEFT", "RIGHT", "0.05");
    assert.equal(await b.readOne(), null);
    assert.ok(new TextDecoder().decode(b.allBytes()).endsWith("_\r\n"));
    await blocked(0);
  });

  it("a blocked client runs none of its pipelined commands until it is served", async () => {
    const a = await open(), b = await open();
    await b.call("FLUSHALL");
    // As in Redis, the RPUSH behind the BLPOP waits in the query buffer: it must not serve
    // the BLPOP that was sent before it.
    a.write(
      "*3\r\n$5\r\nBLPOP\r\n$2\r\nbq\r\n$3\r\n0.2\r\n*3\r\n$5\r\nRPUSH\r\n$2\r\nbq\r\n$1\r\nx\r\n",
    );
    await blocked(1);
    assert.equal(await b.call("LLEN", "bq"), 0);
    assert.deepEqual(await a.read(2, 3000), [null, 1]);
    // Served by another client: the pipelined command then runs after the reply.
    a.write("*3\r\n$5\r\nBLPOP\r\n$2\r\nbr\r\n$1\r\n0\r\n*2\r\n$4\r\nLLEN\r\n$2\r\nbr\r\n");
    await blocked(1);
    assert.equal(await b.call("RPUSH", "br", "1", "2"), 2);
    assert.deepEqual(await a.read(2, 3000), [["br", "1"], 1]);
  });

  it("forgets a client that disconnects while blocked", async () => {
    const a = await open(), b = await open();
    await b.call("FLUSHALL");
    a.send("BLPOP", "gone", "0");
    await blocked(1);
    a.destroy();
    await blocked(0);
    assert.equal(await b.call("RPUSH", "gone", "v"), 1);
    assert.equal(await b.call("LLEN", "gone"), 1);
  });

  it("BLMOVE / BRPOPLPUSH move the element when woken, and chain to the next waiter", async () => {
    const a = await open(), b = await open(), c = await open();
    await c.call("FLUSHALL");
    a.send("BLMOVE", "src", "mid", "RIGHT", "LEFT", "0");
    await blocked(1);
    b.send("BLPOP", "mid", "0");
    await blocked(2);
    assert.equal(await c.call("RPUSH", "src", "v1", "v2"), 2);
    assert.equal(await a.readOne(), "v2");
    assert.deepEqual(await b.readOne(), ["mid", "v2"]);
    assert.equal(await c.call("EXISTS", "mid"), 0);
    a.send("BRPOPLPUSH", "empty", "dst", "0");
    await blocked(1);
    await c.call("LPUSH", "empty", "w");
    assert.equal(await a.readOne(), "w");
    assert.deepEqual(await c.call("LRANGE", "dst", "0", "-1"), ["w"]);
    assert.equal(await c.call("EXISTS", "empty"), 0);
  });

  it("BLMOVE to a key of the wrong type answers WRONGTYPE when woken (Redis 7.0)", async () => {
    const a = await open(), b = await open();
    await b.call("FLUSHALL");
    await b.call("SET", "str", "x");
    a.send("BLMOVE", "src", "str", "LEFT", "LEFT", "0");
    await blocked(1);
    await b.call("LPUSH", "src", "v");
    const reply = await a.readOne();
    assert.ok(reply instanceof ReplyError);
    assert.match(reply.message, /^WRONGTYPE/);
    assert.deepEqual(await b.call("LRANGE", "src", "0", "-1"), ["v"]);
  });

  it("a blocked client is not served by a key of another type", async () => {
    const a = await open(), b = await open();
    await b.call("FLUSHALL");
    a.send("BLPOP", "k", "0.3");
    await blocked(1);
    await b.call("SET", "k", "string");
    await b.call("DEL", "k");
    await b.call("RPUSH", "k", "late");
    assert.deepEqual(await a.readOne(), ["k", "late"]);
  });

  it("does not block inside MULTI", async () => {
    const a = await open();
    await a.call("FLUSHALL");
    await a.call("MULTI");
    assert.equal(await a.call("BLPOP", "none", "0"), "QUEUED");
    assert.equal(await a.call("BLMOVE", "none", "x", "LEFT", "LEFT", "0"), "QUEUED");
    assert.equal(await a.call("BRPOPLPUSH", "none", "x", "0"), "QUEUED");
    a.send("EXEC");
    const reply = await a.readOne(2000);
    assert.deepEqual(reply, [null, null, null]);
    assert.ok(
      new TextDecoder().decode(a.allBytes()).endsWith("*3\r\n*-1\r\n$-1\r\n$-1\r\n"),
      "BLPOP gives a null array, BLMOVE a null bulk",
    );
  });
});

describe("blocking list commands against redis-server", { skip: oracleSkip }, () => {
  let oracle: Oracle | undefined;
  let ours: Ours | undefined;
  before(async () => {
    oracle = await startOracle();
    ours = await startOurs();
  });
  after(async () => {
    await ours?.stop();
    await oracle?.stop();
  });

  for (const protocol of [2, 3] as const) {
    it(`immediate answers, errors and timeouts are byte-identical, RESP${protocol}`, async () => {
      const diff = await Differential.open(ours!.target, oracle!.target, protocol);
      try {
        await diff.both("FLUSHALL");
        await diff.same("RPUSH", "l", "a", "b");
        await diff.same("SET", "str", "v");
        await diff.same("BLPOP", "nokey", "l", "0");
        await diff.same("BRPOP", "l", "1");
        await diff.same("EXISTS", "l");
        await diff.same("BLPOP", "nokey", "str", "l", "0");
        await diff.same("BLPOP", "l", "-1");
        await diff.same("BLPOP", "l", "abc");
        await diff.same("BLPOP", "l", "inf");
        await diff.same("BLPOP", "l", "1e30");
        await diff.same("BLPOP", "l", "");
        await diff.same("BLPOP", "l", "nan");
        await diff.same("BLPOP", "nokey", "0.01");
        await diff.same("BRPOP", "nokey", "nokey2", "0.02");
        await diff.same("BLMOVE", "nokey", "dst", "LEFT", "RIGHT", "0.01");
        await diff.same("BRPOPLPUSH", "nokey", "dst", "0.01");
        await diff.same("BLMOVE", "nokey", "dst", "LEFT", "UP", "0.01");
        await diff.same("BLMOVE", "nokey", "dst", "LEFT", "RIGHT", "-2");
        await diff.same("BLMOVE", "str", "dst", "LEFT", "RIGHT", "0");
        await diff.same("RPUSH", "src", "1", "2");
        await diff.same("BLMOVE", "src", "str", "LEFT", "RIGHT", "0");
        await diff.same("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
        await diff.same("BRPOPLPUSH", "src", "dst", "0");
        await diff.same("LRANGE", "dst", "0", "-1");
        await diff.same("EXISTS", "src");
        await diff.same("MULTI");
        await diff.same("BLPOP", "nokey", "0");
        await diff.same("BLMOVE", "nokey", "x", "LEFT", "LEFT", "0");
        await diff.same("RPUSH", "m", "v");
        await diff.same("BLPOP", "m", "0");
        await diff.same("EXEC");
      } finally {
        await diff.close();
      }
    });
  }
});
