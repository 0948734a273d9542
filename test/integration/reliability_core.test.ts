/**
 * Reliability of the server core against misbehaving handlers and auth races, through the
 * in-memory transport: handlers that throw, reject, throw hostile values, write part of a
 * reply and then fail, or never settle (commandTimeout); AUTH as a barrier for the commands
 * pipelined behind it; prototype-pollution keys in replies, the router and CONFIG.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../../src/server/server.ts";
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

describe("handlers that fail", () => {
  it("replaces a partial reply with the error when a sync handler throws after writing", () => {
    const server = new Server();
    server.router.register("half", {
      arity: 1,
      handler: (_command, reply) => {
        reply.arrayHeader(3);
        reply.bulk("one");
        throw new Error("boom");
      },
    });
    server.router.register("halfmap", {
      arity: 1,
      handler: (_command, reply) => {
        reply.mapHeader(2);
        reply.bulk("k");
        throw new Error("WRONGTYPE nope");
      },
    });
    const t = connect(server);
    t.send("PING\r\nHALF\r\nECHO after\r\nHALFMAP\r\nPING\r\n");
    assert.equal(
      t.output,
      "+PONG\r\n-ERR boom\r\n$5\r\nafter\r\n-WRONGTYPE nope\r\n+PONG\r\n",
    );
    assert.equal(t.closeCalled, false);
  });

  it("replaces a partial reply when an async handler wrote before awaiting, then rejected", async () => {
    const server = new Server();
    const gate = deferred();
    server.router.register("ahalf", {
      arity: 1,
      handler: async (_command, reply) => {
        reply.arrayHeader(2);
        reply.bulk("first");
        await gate.promise;
        reply.bulk("second-never");
        throw new Error("late failure");
      },
    });
    const t = connect(server);
    t.send("ECHO a\r\nAHALF\r\nECHO b\r\n");
    assert.equal(t.output, "$1\r\na\r\n");
    gate.resolve(undefined);
    await tick();
    assert.equal(t.output, "$1\r\na\r\n-ERR late failure\r\n$1\r\nb\r\n");
  });

  it("keeps the sync part of an async reply when it succeeds", async () => {
    const server = new Server();
    server.router.register("split", {
      arity: 1,
      handler: async (_command, reply) => {
        reply.arrayHeader(2);
        reply.bulk("x");
        await tick(1);
        reply.bulk("y");
      },
    });
    const t = connect(server);
    t.send("ECHO a\r\nSPLIT\r\nECHO b\r\n");
    await tick(20);
    assert.equal(t.output, "$1\r\na\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nb\r\n");
  });

  it("answers an error for a returned value that cannot be encoded, without partial output", () => {
    const server = new Server();
    server.router.register("badval", { arity: 1, handler: () => ["ok", 1, () => 0] });
    server.router.register("deep", {
      arity: 1,
      handler: () => {
        const loop: unknown[] = [];
        loop.push(loop); // circular: recursion ends in a RangeError
        return loop;
      },
    });
    const t = connect(server);
    t.send("BADVAL\r\nPING\r\nDEEP\r\nPING\r\n");
    const replies = t.replies();
    assert.equal(replies.length, 4, t.output.slice(0, 200));
    assert.ok(replies[0] instanceof Error);
    assert.equal(replies[1], "PONG");
    assert.ok(replies[2] instanceof Error);
    assert.equal(replies[3], "PONG");
  });

  it("survives hostile thrown values (null-prototype objects, symbols, throwing getters)", async () => {
    const server = new Server();
    const hostile: unknown[] = [
      Object.create(null),
      Symbol("s"),
      undefined,
      null,
      42,
      {
        toString() {
          throw new Error("no");
        },
      },
      Object.defineProperty(new Error("x"), "message", {
        get() {
          throw new Error("no");
        },
      }),
      Object.assign(new Error("x"), { message: { not: "a string" } }),
    ];
    let i = 0;
    server.router.register("throwsync", {
      arity: 1,
      handler: () => {
        throw hostile[i++ % hostile.length];
      },
    });
    server.router.register("throwasync", {
      arity: 1,
      handler: () => Promise.reject(hostile[i++ % hostile.length]),
    });
    const t = connect(server);
    let expected = 0;
    for (let k = 0; k < hostile.length; k++) {
      t.send("THROWSYNC\r\nTHROWASYNC\r\nPING\r\n");
      expected += 3;
    }
    await tick(10);
    const replies = t.replies();
    assert.equal(replies.length, expected);
    for (let k = 0; k < replies.length; k += 3) {
      assert.ok(replies[k] instanceof Error, `sync ${k}`);
      assert.ok(replies[k + 1] instanceof Error, `async ${k}`);
      assert.equal(replies[k + 2], "PONG");
    }
    assert.equal(t.closeCalled, false);
  });

  it("turns a partial reply inside EXEC into the error for that command only", () => {
    const server = new Server();
    server.router.register("half", {
      arity: 1,
      handler: (_command, reply) => {
        reply.arrayHeader(2);
        throw new Error("inner");
      },
    });
    const t = connect(server);
    t.send("MULTI\r\nPING\r\nHALF\r\nECHO z\r\nEXEC\r\n");
    assert.equal(
      t.output,
      "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+PONG\r\n-ERR inner\r\n$1\r\nz\r\n",
    );
  });

  it("times out never-settling handlers (commandTimeout) and serves later commands", async () => {
    const server = new Server({ commandTimeout: 30 });
    server.router.register("never", { arity: 1, handler: () => new Promise(() => {}) });
    server.router.register("neverhalf", {
      arity: 1,
      handler: (_command, reply) => {
        reply.arrayHeader(5);
        return new Promise(() => {});
      },
    });
    const t = connect(server);
    t.send("NEVER\r\nPING\r\nNEVERHALF\r\nECHO e\r\n");
    assert.equal(t.output, "");
    await tick(100);
    assert.equal(
      t.output,
      "-ERR command timed out\r\n+PONG\r\n-ERR command timed out\r\n$1\r\ne\r\n",
    );
    assert.equal(server.connections.size, 1);
  });

  it("without commandTimeout, a never-settling handler holds only its own connection", async () => {
    const server = new Server();
    server.router.register("never", { arity: 1, handler: () => new Promise(() => {}) });
    const a = connect(server, 1);
    const b = connect(server, 2);
    a.send("NEVER\r\nPING\r\n");
    b.send("PING\r\n");
    await tick(5);
    assert.equal(a.output, "");
    assert.equal(b.output, "+PONG\r\n");
    a.reportClosed(); // the client gives up
    assert.equal(server.connections.size, 1);
    b.send("PING\r\n");
    assert.equal(b.output, "+PONG\r\n+PONG\r\n");
  });
});

describe("AUTH is a barrier", () => {
  it("runs commands pipelined behind AUTH after an async authenticate settles", async () => {
    const server = new Server({
      authenticate: async (_user, password) => {
        await tick(10);
        return password === "pw";
      },
    });
    const t = connect(server);
    t.send("AUTH pw\r\nPING\r\nECHO hi\r\n*11\r\n" + "$1\r\nx\r\n".repeat(11));
    await tick(40);
    const replies = t.replies();
    assert.equal(replies[0], "OK");
    assert.equal(replies[1], "PONG");
    assert.equal(replies[2], "hi");
    // The 11-argument ECHO-like command is decoded with the authenticated limits.
    assert.ok(replies[3] instanceof Error);
    assert.match((replies[3] as Error).message, /unknown command 'x'/);
    assert.equal(t.closeCalled, false);
  });

  it("answers NOAUTH for commands behind a failed async AUTH, in order", async () => {
    const server = new Server({
      authenticate: async () => {
        await tick(5);
        return false;
      },
    });
    const t = connect(server);
    t.send("AUTH bad\r\nPING\r\n");
    await tick(30);
    assert.equal(
      t.output,
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
        "-NOAUTH Authentication required.\r\n",
    );
  });

  it("does the same for HELLO 3 AUTH with an async authenticate", async () => {
    const server = new Server({
      authenticate: async (user, password) => {
        await tick(5);
        return user === "u" && password === "p";
      },
    });
    const t = connect(server);
    t.send("HELLO 3 AUTH u p\r\nPING\r\nCLIENT ID\r\n");
    await tick(30);
    const replies = t.replies();
    assert.equal(replies.length, 3);
    assert.ok(replies[0] instanceof Map);
    assert.equal(replies[1], "PONG");
    assert.equal(replies[2], 1);
  });

  it("a rejecting authenticate answers an error and keeps the connection unauthenticated", async () => {
    const server = new Server({ authenticate: () => Promise.reject(new Error("backend down")) });
    const t = connect(server);
    t.send("AUTH x\r\nPING\r\n");
    await tick(10);
    assert.equal(t.output, "-ERR backend down\r\n-NOAUTH Authentication required.\r\n");
  });
});

describe("prototype pollution", () => {
  it("encodes __proto__, constructor and prototype keys as data, and pollutes nothing", () => {
    const server = new Server();
    const tricky = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2}');
    server.router.register("m", {
      arity: 1,
      handler: (_command, reply) => reply.map({ ["__proto__"]: 1, constructor: 2, prototype: 3 }),
    });
    server.router.register("j", { arity: 1, handler: () => tricky });
    const t = connect(server);
    t.send("HELLO 3\r\nM\r\nJ\r\n");
    const replies = t.replies();
    assert.deepEqual(
      replies[1],
      new Map<unknown, unknown>([["__proto__", 1], ["constructor", 2], ["prototype", 3]]),
    );
    assert.deepEqual(
      replies[2],
      new Map<unknown, unknown>([["__proto__", new Map([["polluted", 1]])], ["constructor", 2]]),
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("keeps __proto__/constructor/toString out of the router, CONFIG, INFO, CLIENT and COMMAND", () => {
    const server = new Server();
    const t = connect(server);
    const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "prototype"];
    for (const name of names) {
      t.send(`${name} a\r\nCONFIG GET ${name}\r\nCONFIG SET ${name} 1\r\nCLIENT ${name}\r\n`);
      t.send(`COMMAND INFO ${name}\r\nINFO ${name}\r\nCOMMAND DOCS ${name}\r\n`);
    }
    const replies = t.replies();
    assert.equal(replies.length, names.length * 7);
    for (let i = 0; i < names.length; i++) {
      const r = replies.slice(i * 7, i * 7 + 7);
      assert.match(String((r[0] as Error).message), /unknown command/);
      assert.deepEqual(r[1], []);
      assert.match(String((r[2] as Error).message), /Unknown option/);
      assert.match(String((r[3] as Error).message), /unknown subcommand/);
      assert.deepEqual(r[4], [null]);
      assert.equal(r[5], "");
      assert.deepEqual(r[6], []);
    }
    assert.equal(t.closeCalled, false);
    // A command really named __proto__ works like any other.
    server.router.register("__proto__", { arity: 1, handler: () => "proto-command" });
    server.router.register("constructor", {
      arity: -2,
      handler: () => "ctor",
      subcommands: { ["__proto__"]: { arity: 2, handler: () => "sub" } },
    });
    t.send("__PROTO__\r\nconstructor __proto__\r\nconstructor toString\r\n");
    const more = t.replies();
    assert.equal(more[0], "proto-command");
    assert.equal(more[1], "sub");
    assert.match(String((more[2] as Error).message), /unknown subcommand/);
    assert.ok(server.router.remove("__proto__"));
    assert.equal(server.router.get("__proto__"), undefined);
    assert.equal(({} as Record<string, unknown>).arity, undefined);
  });

  it("gives every connection its own context object", () => {
    const server = new Server({
      handler: (command, _reply, connection) => {
        connection.context[command.string(0)] = command.string(1);
        return Object.keys(connection.context).length;
      },
    });
    const a = connect(server, 1);
    const b = connect(server, 2);
    a.send("X __proto__ evil\r\nX k v\r\n");
    b.send("X other 1\r\n");
    assert.deepEqual(b.replies(), [1]);
    assert.equal(({} as Record<string, unknown>).k, undefined);
    assert.equal(Object.prototype.toString.call({}), "[object Object]");
  });
});
