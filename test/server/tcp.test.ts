/** Black-box tests of the server core over real TCP (serve() from adapters/serve.ts). */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { serve, type ServeOptions } from "../../adapters/serve.ts";
import type { RunningServer } from "../../adapters/common.ts";
import { ReplyError } from "../../src/resp/types.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";
import { latin1 } from "../helpers/memory_transport.ts";

const str = (v: unknown): string => v instanceof ReplyError ? v.message : String(v);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const open: Array<{ running: RunningServer; clients: RawClient[] }> = [];

async function start(options: ServeOptions = {}) {
  const running = await serve({ port: 0, ...options });
  const entry = { running, clients: [] as RawClient[] };
  open.push(entry);
  const port = running.address.transport === "tcp" ? running.address.port : 0;
  const client = async () => {
    const c = await connectClient({ port });
    entry.clients.push(c);
    return c;
  };
  return { running, server: running.server, port, client };
}

after(async () => {
  for (const { running, clients } of open) {
    for (const c of clients) c.destroy();
    await running.close();
  }
});

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("Timed out waiting for a condition");
    await sleep(5);
  }
}

describe("over TCP", () => {
  it("pipelines with an async handler and keeps request order", async () => {
    const { server, client } = await start();
    server.router.register("slow", {
      arity: 3,
      handler: async (command) => {
        await sleep(command.integer(1));
        return command.string(0);
      },
    });
    const c = await client();
    c.write("SLOW a 30\r\nPING\r\nSLOW b 1\r\nECHO c\r\nSLOW d 10\r\n");
    assert.deepEqual(await c.read(5), ["a", "PONG", "b", "c", "d"]);
    assert.equal(
      latin1(c.allBytes()),
      "$1\r\na\r\n+PONG\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
  });

  it("answers the built-ins byte for byte like redis-server", async () => {
    const { client } = await start();
    const c = await client();
    c.write(
      "FOO a b\r\nCLIENT x\r\nPING\r\nPING hi\r\nECHO e\r\nSELECT 99\r\nMULTI\r\nPING\r\nEXEC\r\n" +
        "CONFIG GET save\r\nCLIENT SETNAME n\r\nCLIENT GETNAME\r\nHELLO 4\r\n",
    );
    await c.read(13);
    assert.equal(
      latin1(c.allBytes()),
      "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n" +
        "-ERR unknown subcommand 'x'. Try CLIENT HELP.\r\n+PONG\r\n$2\r\nhi\r\n$1\r\ne\r\n" +
        "-ERR DB index is out of range\r\n+OK\r\n+QUEUED\r\n*1\r\n+PONG\r\n" +
        "*2\r\n$4\r\nsave\r\n$0\r\n\r\n+OK\r\n$1\r\nn\r\n-NOPROTO unsupported protocol version\r\n",
    );
    const hello = await c.call("HELLO", "3");
    assert.ok(hello instanceof Map);
    assert.equal(hello.get("proto"), 3);
    assert.equal(hello.get("mode"), "standalone");
    const docs = await c.call("COMMAND", "DOCS");
    assert.ok(docs instanceof Map && docs.has("ping"));
    const info = await c.call("INFO");
    assert.match(String((info as { text: string }).text), /loading:0\r\n/);
  });

  it("pub/sub between clients in RESP2 and RESP3", async () => {
    const { client, server } = await start();
    const sub2 = await client();
    const sub3 = await client();
    const pub = await client();
    assert.deepEqual(await sub2.call("SUBSCRIBE", "ch"), ["subscribe", "ch", 1]);
    await sub3.call("HELLO", "3");
    const confirm = await sub3.call("PSUBSCRIBE", "c*");
    assert.deepEqual((confirm as { items: unknown[] }).items, ["psubscribe", "c*", 1]);
    assert.equal(await pub.call("PUBLISH", "ch", "hi"), 2);
    assert.deepEqual(await sub2.readOne(), ["message", "ch", "hi"]);
    const push = await sub3.readOne();
    assert.deepEqual((push as { items: unknown[] }).items, ["pmessage", "c*", "ch", "hi"]);
    assert.equal(server.publish("ch", "from app"), 2);
    assert.deepEqual(await sub2.readOne(), ["message", "ch", "from app"]);
    assert.deepEqual(((await sub3.readOne()) as { items: unknown[] }).items.slice(-1), [
      "from app",
    ]);
    assert.equal(
      str(await sub2.call("GET", "x")),
      "ERR unknown command 'GET', with args beginning with: 'x' ",
    );
    assert.match(str(await sub2.call("ECHO", "x")), /^ERR Can't execute 'echo'/);
    assert.equal(str(await sub3.call("ECHO", "x")), "x");
  });

  it("requires AUTH and applies the pre-auth size limits", async () => {
    const { client } = await start({ password: "s3cret" });
    const c = await client();
    assert.equal(str(await c.call("PING")), "NOAUTH Authentication required.");
    assert.equal(
      str(await c.call("AUTH", "bad")),
      "WRONGPASS invalid username-password pair or user is disabled.",
    );
    assert.equal(await c.call("AUTH", "s3cret"), "OK");
    assert.equal(await c.call("ECHO", "x".repeat(20000)), "x".repeat(20000));
    const d = await client();
    d.write("*11\r\n");
    assert.equal(
      str(await d.readOne()),
      "ERR Protocol error: unauthenticated multibulk length",
    );
    await d.waitClosed();
    const e = await client();
    e.write("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
    assert.equal(str(await e.readOne()), "ERR Protocol error: unauthenticated bulk length");
    await e.waitClosed();
  });

  it("keeps a non-reading client's pending output bounded (backpressure)", async () => {
    const highWaterMark = 256 * 1024;
    const size = 256 * 1024;
    const { server, client } = await start({ highWaterMark });
    const big = "b".repeat(size);
    let calls = 0;
    server.router.register("big", {
      arity: 1,
      handler: () => {
        calls++;
        return big;
      },
    });
    const c = await client();
    c.socket.pause(); // never read
    const count = 400; // 100 MiB of replies
    c.write("BIG\r\n".repeat(count));
    await waitFor(() => server.connections.size === 1);
    const connection = [...server.connections][0];
    let max = 0;
    for (let i = 0; i < 40; i++) {
      max = Math.max(max, connection.pendingOutputBytes);
      await sleep(10);
    }
    assert.ok(calls < count, `dispatch paused (${calls} of ${count} dispatched)`);
    assert.ok(max <= highWaterMark + 2 * size + 1024, `pending output stayed bounded: ${max}`);
    c.socket.resume();
    const replies = await c.read(count, 20000);
    assert.equal(calls, count);
    assert.ok(replies.every((r) => r === big));
  });

  it("enforces maxClients, idleTimeout, maxQueryBuffer and the POST/Host: guard", async () => {
    const { client } = await start({ maxClients: 2, idleTimeout: 100, maxQueryBuffer: 4096 });
    const a = await client();
    const b = await client();
    const extra = await client();
    assert.equal(str(await extra.readOne()), "ERR max number of clients reached");
    await extra.waitClosed();
    await b.call("SUBSCRIBE", "x"); // subscribed clients are not idle-closed
    await a.waitClosed(2000);
    assert.equal(b.closed, false);
    await b.close();
    const post = await client();
    post.write("POST / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await post.waitClosed();
    assert.equal(post.allBytes().length, 0);
    const q = await client();
    q.write("*2\r\n$4\r\nECHO\r\n$100000\r\n" + "q".repeat(10000));
    await q.waitClosed();
    assert.equal(q.allBytes().length, 0);
  });

  it("closes gracefully: every accepted command gets its reply", async () => {
    const { running, server, client } = await start();
    server.router.register("slow", {
      arity: 2,
      handler: async (command) => {
        await sleep(50);
        return command.string(0);
      },
    });
    const c1 = await client();
    const c2 = await client();
    c1.write("SLOW 1\r\nPING\r\nSLOW 2\r\n");
    c2.write("SLOW 3\r\n");
    await sleep(10);
    const closed = running.close();
    assert.deepEqual(await c1.read(3), ["1", "PONG", "2"]);
    assert.deepEqual(await c2.read(1), ["3"]);
    await closed;
    await c1.waitClosed();
    await c2.waitClosed();
    assert.equal(server.connections.size, 0);
  });
});

describe("examples/echo.ts", () => {
  it("runs as a child process under this runtime and echoes commands", async () => {
    const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
    const bun = (globalThis as { Bun?: unknown }).Bun !== undefined;
    const script = new URL("../../examples/echo.ts", import.meta.url).pathname;
    const args = deno
      ? ["run", "-A", script, "--port", "0"]
      : bun
      ? [script, "--port", "0"]
      : ["--import", "tsx", script, "--port", "0"];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      child.stdout!.on("data", (d) => out += d);
      child.stderr!.on("data", (d) => out += d);
      await waitFor(() => /listening on [\d.]+:\d+/.test(out), 20000);
      const port = Number(/listening on [\d.]+:(\d+)/.exec(out)![1]);
      const c = await connectClient({ port });
      assert.deepEqual(await c.call("hello-world", "a", "b"), ["hello-world", "a", "b"]);
      assert.equal(await c.call("PING"), "PONG");
      await c.close();
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
