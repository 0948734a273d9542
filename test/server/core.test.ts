/** Unit tests of the server core through an in-memory transport: ordering, batching, flow control, limits. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../../src/server/server.ts";
import type { Command } from "../../src/server/command.ts";
import { connect, tick } from "../helpers/memory_transport.ts";

function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("batching and ordering", () => {
  it("answers three pipelined commands in exactly one write", () => {
    const server = new Server();
    const t = connect(server);
    t.send("PING\r\nECHO hi\r\n*2\r\n$4\r\nECHO\r\n$2\r\nyo\r\n");
    assert.equal(t.writes.length, 1);
    assert.equal(t.output, "+PONG\r\n$2\r\nhi\r\n$2\r\nyo\r\n");
  });

  it("writes nothing for a partial command, then answers when it completes", () => {
    const server = new Server();
    const t = connect(server);
    t.send("*2\r\n$4\r\nECHO\r\n$5\r\nhel");
    assert.equal(t.writes.length, 0);
    t.send("lo\r\nPING\r\n");
    assert.equal(t.writes.length, 1);
    assert.equal(t.output, "$5\r\nhello\r\n+PONG\r\n");
  });

  it("keeps request order when an async handler finishes last", async () => {
    const server = new Server();
    const gate = deferred<string>();
    server.router.register("slow", { arity: 1, handler: () => gate.promise });
    const t = connect(server);
    t.send("PING\r\nSLOW\r\nECHO a\r\nECHO b\r\n");
    // The reply before the async command leaves at once; the later ones wait behind it.
    assert.equal(t.output, "+PONG\r\n");
    assert.equal(t.writes.length, 1);
    gate.resolve("done");
    await tick();
    assert.equal(t.writes.length, 2, "the completed prefix leaves in one write");
    assert.equal(t.output, "+PONG\r\n$4\r\ndone\r\n$1\r\na\r\n$1\r\nb\r\n");
  });

  it("keeps order between async handlers that settle in reverse order", async () => {
    const server = new Server();
    const gates = [deferred(), deferred(), deferred()];
    let n = 0;
    server.router.register("wait", { arity: 1, handler: () => gates[n++].promise });
    const t = connect(server);
    t.send("WAIT\r\nECHO x\r\nWAIT\r\nWAIT\r\n");
    assert.equal(t.writes.length, 0);
    gates[2].resolve(3);
    gates[1].resolve(2);
    await tick();
    assert.equal(t.writes.length, 0, "nothing may overtake the first slot");
    gates[0].resolve(1);
    await tick();
    assert.equal(t.output, ":1\r\n$1\r\nx\r\n:2\r\n:3\r\n");
    assert.equal(t.writes.length, 1);
  });

  it("gives an async handler its own Command: later requests do not overwrite it", async () => {
    const server = new Server();
    const seen: string[] = [];
    const commands: Command[] = [];
    server.router.register("later", {
      arity: 2,
      handler: async (command) => {
        await tick(5);
        seen.push(command.string(0));
        return command.string(0);
      },
    });
    server.router.register("note", {
      arity: 2,
      handler: (command) => {
        commands.push(command);
        return command.string(0);
      },
    });
    const t = connect(server);
    t.send("LATER one\r\nNOTE a\r\nNOTE b\r\nLATER two\r\n");
    await tick(30);
    assert.deepEqual(seen, ["one", "two"]);
    assert.equal(commands[0], commands[1], "sync handlers share one reused Command");
    assert.deepEqual(t.replies(), ["one", "a", "b", "two"]);
  });

  it("answers null for a silent handler, encodes returned values, ignores a return after a write", () => {
    const server = new Server();
    server.router.register("silent", { arity: 1, handler: () => {} });
    server.router.register("value", { arity: 1, handler: () => ({ a: 1, b: [true, null] }) });
    server.router.register("both", {
      arity: 1,
      handler: (_c, reply) => {
        reply.status("OK");
        return 42;
      },
    });
    const t = connect(server);
    t.send("SILENT\r\nVALUE\r\nBOTH\r\n");
    assert.equal(t.output, "$-1\r\n*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n:1\r\n$-1\r\n+OK\r\n");
  });

  it("turns throws and rejections into errors and goes on", async () => {
    const server = new Server();
    server.router.register("boom", {
      arity: 1,
      handler: () => {
        throw new Error("it broke");
      },
    });
    server.router.register("wrongtype", {
      arity: 1,
      handler: () => {
        throw new Error("WRONGTYPE Operation against a key holding the wrong kind of value");
      },
    });
    server.router.register("reject", {
      arity: 1,
      handler: () => Promise.reject(new Error("later\r\nbroke")),
    });
    server.router.register("int", { arity: 2, handler: (command) => command.integer(0) });
    const t = connect(server);
    t.send("BOOM\r\nWRONGTYPE\r\nREJECT\r\nINT x\r\nINT 12\r\nPING\r\n");
    await tick();
    assert.equal(
      t.output,
      "-ERR it broke\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" +
        "-ERR later broke\r\n-ERR value is not an integer or out of range\r\n:12\r\n+PONG\r\n",
    );
  });

  it("routes unknown commands to options.handler (the one-callback API)", () => {
    const server = new Server({
      handler: (command, reply) => {
        if (command.name === "set") return reply.status("OK");
        if (command.name === "fail") return reply.error("nope");
        reply.encode([command.name, ...command.args]);
      },
    });
    const t = connect(server);
    t.send("SET k v\r\nFAIL\r\nAnything 1 2\r\nPING\r\n");
    assert.deepEqual(t.replies().slice(0, 1), ["OK"]);
    assert.equal(
      t.output,
      "+OK\r\n-ERR nope\r\n*3\r\n$8\r\nanything\r\n$1\r\n1\r\n$1\r\n2\r\n+PONG\r\n",
    );
  });
});

describe("router errors", () => {
  it("matches Redis's texts for unknown commands, arity and subcommands", () => {
    const server = new Server();
    const t = connect(server);
    t.send("FOO a b\r\nFOO\r\nGET\r\nCLIENT x\r\nCLIENT SETNAME\r\nclient GETNAME\r\nPING a b\r\n");
    assert.equal(
      t.output,
      "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n" +
        "-ERR unknown command 'FOO', with args beginning with: \r\n" +
        "-ERR unknown command 'GET', with args beginning with: \r\n" +
        "-ERR unknown subcommand 'x'. Try CLIENT HELP.\r\n" +
        "-ERR wrong number of arguments for 'client|setname' command\r\n" +
        "$-1\r\n" +
        "-ERR wrong number of arguments for 'ping' command\r\n",
    );
  });

  it("checks arity: exact and at-least", () => {
    const server = new Server();
    server.router.register("Two", { arity: 2, handler: () => "ok" });
    server.router.register("many", { arity: -3, handler: () => "ok" });
    const t = connect(server);
    t.send("two\r\ntwo a\r\nTWO a b\r\nmany a\r\nMANY a b\r\nmany a b c\r\n");
    assert.equal(
      t.output,
      "-ERR wrong number of arguments for 'two' command\r\n$2\r\nok\r\n" +
        "-ERR wrong number of arguments for 'two' command\r\n" +
        "-ERR wrong number of arguments for 'many' command\r\n$2\r\nok\r\n$2\r\nok\r\n",
    );
  });

  it("lets built-ins be overridden and removed", () => {
    const server = new Server();
    server.router.register("ping", { arity: -1, handler: () => "mine" });
    server.router.remove("echo");
    const t = connect(server);
    t.send("PING\r\nECHO a\r\n");
    assert.equal(
      t.output,
      "$4\r\nmine\r\n-ERR unknown command 'ECHO', with args beginning with: 'a' \r\n",
    );
  });
});

describe("flow control and limits", () => {
  it("stops dispatching above highWaterMark and resumes on drained()", () => {
    const server = new Server({ highWaterMark: 64 * 1024 });
    const big = "x".repeat(20 * 1024);
    let calls = 0;
    server.router.register("big", {
      arity: 1,
      handler: () => {
        calls++;
        return big;
      },
    });
    const t = connect(server);
    t.full = true; // the client does not read
    t.send("BIG\r\n".repeat(100));
    const handler = [...server.connections][0];
    assert.ok(calls < 10, `dispatch stopped early (${calls} calls)`);
    assert.equal(t.paused, true);
    assert.ok(
      handler.pendingOutputBytes <= 64 * 1024 + 2 * 20 * 1024,
      `pending output bounded: ${handler.pendingOutputBytes}`,
    );
    let rounds = 0;
    while (calls < 100 && rounds++ < 200) {
      t.full = true;
      t.handler.drained();
      assert.ok(handler.pendingOutputBytes <= 64 * 1024 + 2 * 20 * 1024);
    }
    t.drain();
    assert.equal(calls, 100);
    assert.equal(t.paused, false);
    const replies = t.replies();
    assert.equal(replies.length, 100);
    assert.ok(replies.every((r) => r === big));
  });

  it("closes a normal client above outputLimit", async () => {
    const server = new Server({ outputLimit: 100 * 1024, highWaterMark: 1024 * 1024 });
    server.router.register("huge", { arity: 1, handler: () => "y".repeat(200 * 1024) });
    const t = connect(server);
    t.full = true;
    t.send("HUGE\r\n");
    await tick();
    assert.equal(t.destroyed, true);
    assert.equal(server.connections.size, 0);
  });

  it("rejects clients over maxClients with Redis's error", () => {
    const server = new Server({ maxClients: 1 });
    const a = connect(server);
    const b = connect(server);
    assert.equal(b.output, "-ERR max number of clients reached\r\n");
    assert.equal(b.closeCalled, true);
    assert.equal(a.closeCalled, false);
    assert.equal(server.connections.size, 1);
  });

  it("closes a client whose query buffer passes maxQueryBuffer", async () => {
    const server = new Server({ maxQueryBuffer: 1024 });
    const t = connect(server);
    t.send("*2\r\n$4\r\nECHO\r\n$5000\r\n" + "z".repeat(2000));
    await tick();
    assert.equal(t.closeCalled, true);
    assert.equal(t.output, "");
  });

  it("closes idle clients but not subscribed ones", async () => {
    const server = new Server({ idleTimeout: 40 });
    const idle = connect(server, 1);
    const sub = connect(server, 2);
    sub.send("SUBSCRIBE ch\r\n");
    await tick(150);
    assert.equal(idle.closeCalled, true);
    assert.equal(sub.closeCalled, false);
    await server.close();
  });

  it("closes on POST / Host: without a reply", async () => {
    const server = new Server();
    const a = connect(server);
    a.send("POST / HTTP/1.1\r\nHost: x\r\n");
    const b = connect(server);
    b.send("host: example.com\r\n");
    await tick();
    assert.equal(a.output, "");
    assert.equal(b.output, "");
    assert.ok(a.closeCalled && b.closeCalled);
  });

  it("answers earlier requests, then the protocol error, then closes", async () => {
    const server = new Server();
    const t = connect(server);
    t.send("PING\r\n*1\r\n$x\r\nPING\r\n");
    await tick();
    assert.equal(t.output, "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
    assert.equal(t.closeCalled, true);
  });

  it("times out async handlers and drops the late result", async () => {
    const server = new Server({ commandTimeout: 20 });
    const gate = deferred();
    server.router.register("hang", { arity: 1, handler: () => gate.promise });
    const t = connect(server);
    t.send("HANG\r\nPING\r\n");
    await tick(60);
    assert.equal(t.output, "-ERR command timed out\r\n+PONG\r\n");
    gate.resolve("late");
    await tick();
    t.send("ECHO z\r\n");
    assert.equal(t.output, "-ERR command timed out\r\n+PONG\r\n$1\r\nz\r\n");
  });
});

describe("close", () => {
  it("leaks nothing on an abrupt disconnect with async work in flight", async () => {
    const server = new Server();
    const gate = deferred();
    let hooks = 0;
    let txEnds = 0;
    server.onTransactionEnd(() => txEnds++);
    server.router.register("hang", {
      arity: 1,
      handler: (_c, _r, connection) => {
        connection.onClose(() => hooks++);
        return gate.promise;
      },
    });
    const t = connect(server);
    t.send("SUBSCRIBE a\r\nUNSUBSCRIBE\r\nPSUBSCRIBE p*\r\n");
    const t2 = connect(server);
    t2.send("HANG\r\nPING\r\n");
    t.reportClosed();
    t2.reportClosed();
    assert.equal(server.connections.size, 0);
    assert.equal(server.pubsub.patternCount(), 0);
    assert.equal(hooks, 1);
    assert.equal(txEnds, 2);
    gate.reject(new Error("after close")); // must not become an unhandled rejection
    await tick(10);
    t2.reportClosed();
    assert.equal(hooks, 1);
  });

  it("Server.close() lets in-flight commands finish and flush, then closes", async () => {
    const server = new Server();
    server.router.register("slow", {
      arity: 2,
      handler: async (command) => {
        await tick(30);
        return command.string(0);
      },
    });
    const t = connect(server);
    t.send("SLOW 1\r\nPING\r\nSLOW 2\r\n");
    const closing = server.close();
    t.send("PING\r\n"); // not read any more
    assert.equal(t.closeCalled, false);
    await closing;
    assert.equal(t.output, "$1\r\n1\r\n+PONG\r\n$1\r\n2\r\n");
    assert.equal(t.closeCalled, true);
    assert.equal(server.connections.size, 0);
  });

  it("closes when options.signal aborts", async () => {
    const controller = new AbortController();
    const server = new Server({ signal: controller.signal });
    const t = connect(server);
    t.send("PING\r\n");
    controller.abort();
    await tick();
    assert.equal(server.closed, true);
    assert.equal(t.closeCalled, true);
    assert.equal(server.connections.size, 0);
  });

  it("QUIT answers +OK and closes after the flush, dropping later requests", async () => {
    const server = new Server();
    const t = connect(server);
    t.send("PING\r\nQUIT\r\nPING\r\n");
    await tick();
    assert.equal(t.output, "+PONG\r\n+OK\r\n");
    assert.equal(t.closeCalled, true);
  });
});
