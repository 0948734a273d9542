/** Built-in commands through the in-memory transport (texts checked against redis-server 7.0.15). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../../src/server/server.ts";
import { globMatch } from "../../src/server/glob.ts";
import { ReplyError, VerbatimString } from "../../src/resp/types.ts";
import { connect, tick } from "../helpers/memory_transport.ts";

const enc = new TextEncoder();
const str = (v: unknown): string => v instanceof ReplyError ? v.message : String(v);

describe("globMatch (same results as redis-server KEYS)", () => {
  const keys = [
    "hello",
    "hallo",
    "hxllo",
    "hllo",
    "heeeello",
    "a",
    "ab",
    "abc",
    "a*c",
    "a]c",
    "a-c",
  ];
  const cases: Array<[string, string[]]> = [
    ["h?llo", ["hello", "hallo", "hxllo"]],
    ["h*llo", ["hello", "hallo", "hxllo", "hllo", "heeeello"]],
    ["h[ae]llo", ["hello", "hallo"]],
    ["h[^e]llo", ["hallo", "hxllo"]],
    ["h[a-b]llo", ["hallo"]],
    ["a\\*c", ["a*c"]],
    ["a[\\]]c", ["a]c"]],
    ["a[-]c", ["a-c"]],
    ["[z-a]*", [
      "hello",
      "hallo",
      "hxllo",
      "hllo",
      "heeeello",
      "a",
      "ab",
      "abc",
      "a*c",
      "a]c",
      "a-c",
    ]],
    ["a[", []],
    ["**a*", ["hallo", "a", "ab", "abc", "a*c", "a]c", "a-c"]],
    ["?", ["a"]],
  ];
  for (const [pattern, expected] of cases) {
    it(`matches ${pattern}`, () => {
      const got = keys.filter((k) => globMatch(enc.encode(pattern), enc.encode(k)));
      assert.deepEqual(got, expected);
    });
  }
  it("folds case only with nocase", () => {
    assert.equal(globMatch(enc.encode("MAX*"), enc.encode("maxclients")), false);
    assert.equal(globMatch(enc.encode("MAX*"), enc.encode("maxclients"), true), true);
  });
});

describe("pub/sub", () => {
  it("RESP2: confirmations, the subscribed-context rule and PING", () => {
    const server = new Server();
    const t = connect(server);
    t.send("SUBSCRIBE a b\r\nPING\r\nPING x\r\nECHO x\r\nUNSUBSCRIBE\r\nPING\r\nUNSUBSCRIBE\r\n");
    assert.equal(
      t.output,
      "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n" +
        "*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$1\r\nx\r\n" +
        "-ERR Can't execute 'echo': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
        "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n" +
        "+PONG\r\n*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
    );
  });

  it("RESP3: push confirmations and messages, commands allowed while subscribed", async () => {
    const server = new Server();
    const t = connect(server);
    t.send("HELLO 3\r\n");
    t.replies();
    t.writes.length = 0;
    t.send("SUBSCRIBE a\r\nPSUBSCRIBE a*\r\nECHO ok\r\nPUBLISH a hello\r\n");
    await tick();
    assert.equal(
      t.output,
      ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:2\r\n" +
        "$2\r\nok\r\n>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n" +
        ">4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$5\r\nhello\r\n:2\r\n",
    );
  });

  it("delivers server.publish() to RESP2 and RESP3 subscribers, one write per tick", async () => {
    const server = new Server();
    const s2 = connect(server);
    const s3 = connect(server);
    s2.send("SUBSCRIBE news\r\n");
    s3.send("HELLO 3\r\nPSUBSCRIBE n[a-f]ws\r\n");
    const w2 = s2.writes.length;
    const w3 = s3.writes.length;
    assert.equal(server.publish("news", "one"), 2);
    assert.equal(server.publish(enc.encode("news"), enc.encode("two")), 2);
    assert.equal(server.publish("other", "x"), 0);
    await tick();
    assert.equal(s2.writes.length, w2 + 1);
    assert.equal(s3.writes.length, w3 + 1);
    const r2 = s2.replies();
    assert.deepEqual(r2.slice(-2), [["message", "news", "one"], ["message", "news", "two"]]);
    assert.ok(
      s3.output.endsWith(">4\r\n$8\r\npmessage\r\n$8\r\nn[a-f]ws\r\n$4\r\nnews\r\n$3\r\ntwo\r\n"),
    );
  });

  it("PUBSUB CHANNELS / NUMSUB / NUMPAT", () => {
    const server = new Server();
    const a = connect(server);
    a.send("SUBSCRIBE foo bar\r\nPSUBSCRIBE x*\r\n");
    const t = connect(server);
    t.send("PUBSUB NUMSUB foo nope\r\nPUBSUB NUMPAT\r\nPUBSUB CHANNELS f*\r\n");
    assert.equal(
      t.output,
      "*4\r\n$3\r\nfoo\r\n:1\r\n$4\r\nnope\r\n:0\r\n:1\r\n*1\r\n$3\r\nfoo\r\n",
    );
    t.writes.length = 0;
    t.send("PUBSUB CHANNELS\r\n");
    assert.deepEqual(new Set(t.replies()[0] as string[]), new Set(["foo", "bar"]));
  });

  it("closes a subscriber that does not read beyond pubsubOutputLimit", async () => {
    const server = new Server({ pubsubOutputLimit: 64 * 1024 });
    const t = connect(server);
    t.send("SUBSCRIBE ch\r\n");
    t.full = true;
    const payload = "p".repeat(1024);
    for (let i = 0; i < 100 && !t.closeCalled; i++) server.publish("ch", payload);
    await tick();
    assert.equal(t.destroyed, true);
    assert.equal(server.connections.size, 0);
    assert.equal(server.pubsub.channelCount(), 0);
  });
});

describe("transactions", () => {
  it("queues, executes and reports errors as Redis", () => {
    const server = new Server();
    const t = connect(server);
    t.send("EXEC\r\nDISCARD\r\nMULTI\r\nMULTI\r\nPING\r\nECHO a\r\nEXEC\r\n");
    assert.equal(
      t.output,
      "-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n+OK\r\n" +
        "-ERR MULTI calls can not be nested\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+PONG\r\n$1\r\na\r\n",
    );
  });

  it("aborts EXEC after a queueing error, and DISCARD drops the queue", () => {
    const server = new Server();
    let ends = 0;
    server.onTransactionEnd(() => ends++);
    const t = connect(server);
    t.send("MULTI\r\nFOO\r\nPING\r\nEXEC\r\nMULTI\r\nPING\r\nDISCARD\r\nEXEC\r\n");
    assert.equal(
      t.output,
      "+OK\r\n-ERR unknown command 'FOO', with args beginning with: \r\n+QUEUED\r\n" +
        "-EXECABORT Transaction discarded because of previous errors.\r\n" +
        "+OK\r\n+QUEUED\r\n+OK\r\n-ERR EXEC without MULTI\r\n",
    );
    assert.equal(ends, 2);
  });

  it("answers a null array when watchDirty is set, and runs async commands in order", async () => {
    const server = new Server();
    server.router.register("later", {
      arity: 2,
      handler: async (command) => {
        await tick(5);
        return command.string(0);
      },
    });
    const t = connect(server);
    t.send("MULTI\r\nPING\r\n");
    [...server.connections][0].watchDirty = true;
    t.send("EXEC\r\nMULTI\r\nLATER x\r\nECHO y\r\nLATER z\r\nEXEC\r\nPING\r\n");
    await tick(40);
    assert.equal(
      t.output,
      "+OK\r\n+QUEUED\r\n*-1\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n" +
        "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n+PONG\r\n",
    );
  });
});

describe("auth", () => {
  it("requires AUTH, with Redis's texts and pre-auth limits", async () => {
    const server = new Server({ password: "secret" });
    const t = connect(server);
    t.send("FOO\r\nGET\r\nPING\r\nAUTH\r\nAUTH a b c\r\nAUTH wrong\r\nAUTH secret\r\nPING\r\n");
    assert.equal(
      t.output,
      "-ERR unknown command 'FOO', with args beginning with: \r\n" +
        "-ERR unknown command 'GET', with args beginning with: \r\n" +
        "-NOAUTH Authentication required.\r\n" +
        "-ERR wrong number of arguments for 'auth' command\r\n-ERR syntax error\r\n" +
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n+PONG\r\n",
    );
    const u = connect(server);
    u.send("*11\r\n");
    await tick();
    assert.equal(u.output, "-ERR Protocol error: unauthenticated multibulk length\r\n");
    assert.equal(u.closeCalled, true);
  });

  it("answers AUTH without a configured password as Redis", () => {
    const server = new Server();
    const t = connect(server);
    t.send("AUTH x\r\nAUTH default x\r\nAUTH other x\r\n");
    assert.equal(
      t.output,
      "-ERR AUTH <password> called without any password configured for the default user. " +
        "Are you sure your configuration is correct?\r\n+OK\r\n" +
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
  });

  it("uses an async authenticate callback; RESET de-authenticates", async () => {
    const server = new Server({
      authenticate: async (user, password) => {
        await tick(1);
        return user === "alice" && password === "pw";
      },
    });
    const t = connect(server);
    t.send("AUTH alice nope\r\n");
    await tick(10);
    t.send("AUTH alice pw\r\n");
    await tick(10);
    t.send("PING\r\nRESET\r\nPING\r\n");
    assert.equal(
      t.output,
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n" +
        "+PONG\r\n+RESET\r\n-NOAUTH Authentication required.\r\n",
    );
  });
});

describe("HELLO, CLIENT, SELECT, RESET", () => {
  it("HELLO: versions, AUTH, SETNAME, errors", () => {
    const server = new Server({ password: "pw" });
    const t = connect(server);
    t.send("HELLO 3\r\nHELLO 4\r\nHELLO x\r\nHELLO 3 AUTH default pw FOO\r\n");
    assert.equal(
      t.output,
      "-NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select " +
        "the RESP protocol version at the same time\r\n-NOPROTO unsupported protocol version\r\n" +
        "-ERR Protocol version is not an integer or out of range\r\n" +
        "-ERR Syntax error in HELLO option 'FOO'\r\n",
    );
    t.writes.length = 0;
    t.send("HELLO 3 AUTH default pw SETNAME app\r\n");
    assert.equal(
      t.output,
      "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n" +
        "$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n" +
        "$7\r\nmodules\r\n*0\r\n",
    );
    t.writes.length = 0;
    t.send("CLIENT GETNAME\r\nHELLO 2\r\n");
    assert.equal(t.replies()[0], "app");
    assert.ok(t.output.includes("*14\r\n"));
  });

  it("CLIENT ID / SETNAME / GETNAME / INFO / LIST / SETINFO / KILL", async () => {
    const server = new Server();
    const a = connect(server, 1111);
    const b = connect(server, 2222);
    a.send('CLIENT ID\r\nCLIENT SETNAME "a b"\r\nCLIENT SETNAME web\r\nCLIENT GETNAME\r\n');
    assert.equal(
      a.output,
      ":1\r\n-ERR Client names cannot contain spaces, newlines or special characters.\r\n" +
        "+OK\r\n$3\r\nweb\r\n",
    );
    a.writes.length = 0;
    a.send(
      "CLIENT SETINFO LIB-NAME redis-py\r\nCLIENT SETINFO lib-ver 1.0\r\nCLIENT SETINFO x y\r\n",
    );
    assert.equal(a.output, "+OK\r\n+OK\r\n-ERR Unrecognized option 'x'\r\n");
    a.writes.length = 0;
    a.send("CLIENT INFO\r\n");
    const info = a.replies()[0] as string;
    assert.match(
      info,
      /^id=1 addr=127\.0\.0\.1:1111 laddr=127\.0\.0\.1:6379 fd=-1 name=web age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 .* cmd=client\|info user=default redir=-1 resp=2 lib-name=redis-py lib-ver=1\.0\n$/,
    );
    a.send("CLIENT LIST\r\n");
    const list = (a.replies()[0] as string).split("\n");
    assert.equal(list.length, 3);
    assert.match(list[1], /^id=2 addr=127\.0\.0\.1:2222 /);
    a.send("CLIENT KILL 1.2.3.4:5\r\nCLIENT KILL ID 99\r\nCLIENT KILL ADDR 127.0.0.1:2222\r\n");
    assert.deepEqual(a.replies().map(str), ["ERR No such client", "0", "1"]);
    await tick();
    assert.equal(b.destroyed, true);
    a.send("CLIENT KILL 127.0.0.1:1111\r\n");
    await tick();
    assert.equal(a.replies()[0], "OK");
    assert.equal(a.closeCalled, true);
  });

  it("CLIENT REPLY OFF / SKIP / ON", () => {
    const server = new Server();
    const t = connect(server);
    t.send("CLIENT REPLY OFF\r\nPING\r\nFOO\r\nCLIENT REPLY ON\r\nPING\r\n");
    t.send("CLIENT REPLY SKIP\r\nECHO skipped\r\nECHO seen\r\n");
    assert.equal(t.output, "+OK\r\n+PONG\r\n$4\r\nseen\r\n");
  });

  it("SELECT and RESET", () => {
    const server = new Server({ databases: 4 });
    const t = connect(server);
    t.send("SELECT 3\r\nSELECT 4\r\nSELECT x\r\nSELECT -1\r\nCLIENT SETNAME n\r\n");
    const c = [...server.connections][0];
    assert.equal(c.db, 3);
    t.send("HELLO 3\r\nMULTI\r\nSUBSCRIBE x\r\nRESET\r\nCLIENT GETNAME\r\n");
    assert.equal(c.db, 0);
    assert.equal(c.protocol, 2);
    assert.equal(c.inTransaction, false);
    assert.equal(server.pubsub.channelCount(), 0);
    const out = t.output;
    assert.ok(out.startsWith(
      "+OK\r\n-ERR DB index is out of range\r\n" +
        "-ERR value is not an integer or out of range\r\n-ERR DB index is out of range\r\n+OK\r\n",
    ));
    assert.ok(out.endsWith("+QUEUED\r\n+RESET\r\n$-1\r\n"));
  });
});

describe("COMMAND, INFO, CONFIG", () => {
  it("COMMAND COUNT / INFO / DOCS / LIST", () => {
    const server = new Server();
    server.router.register("get", {
      arity: 2,
      flags: ["readonly", "fast"],
      acl: ["string"],
      keys: [{
        flags: ["RO", "access"],
        begin: { index: 1 },
        find: { lastKey: 0, step: 1, limit: 0 },
      }],
      summary: "Get the value of a key",
      since: "1.0.0",
      group: "string",
      handler: () => null,
    });
    const t = connect(server);
    t.send("COMMAND COUNT\r\nCOMMAND INFO get nosuch\r\nCOMMAND DOCS get\r\nCOMMAND LIST\r\n");
    const [count, info, docs, list] = t.replies();
    assert.equal(count, server.router.names().length);
    assert.deepEqual((info as unknown[])[0], [
      "get",
      2,
      ["readonly", "fast"],
      1,
      1,
      1,
      ["@read", "@string", "@fast"],
      [],
      [[
        "flags",
        ["RO", "access"],
        "begin_search",
        ["type", "index", "spec", ["index", 1]],
        "find_keys",
        ["type", "range", "spec", ["lastkey", 0, "keystep", 1, "limit", 0]],
      ]],
      [],
    ]);
    assert.equal((info as unknown[])[1], null);
    assert.deepEqual(docs, [
      "get",
      ["summary", "Get the value of a key", "since", "1.0.0", "group", "string"],
    ]);
    assert.ok((list as string[]).includes("get") && (list as string[]).includes("ping"));
    t.send("COMMAND\r\nCOMMAND FOO\r\n");
    const [all, err] = t.replies();
    assert.equal((all as unknown[]).length, server.router.names().length);
    assert.equal(str(err), "ERR unknown subcommand 'FOO'. Try COMMAND HELP.");
  });

  it("INFO: sections, fields clients read, custom sections, RESP3 verbatim", () => {
    const server = new Server();
    server.addInfoSection("keyspace", () => ({ db0: "keys=1,expires=0,avg_ttl=0" }));
    const t = connect(server);
    t.send("PING\r\nINFO\r\n");
    const info = t.replies()[1] as string;
    for (
      const field of [
        "redis_version:7.0.15",
        "rediserver_version:",
        "redis_mode:standalone",
        "os:",
        "tcp_port:",
        "uptime_in_seconds:",
        "connected_clients:1",
        "blocked_clients:0",
        "loading:0",
        "total_connections_received:1",
        "total_commands_processed:2",
        "instantaneous_ops_per_sec:",
        "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n",
      ]
    ) assert.ok(info.includes(field), field);
    assert.ok(info.startsWith("# Server\r\n"));
    assert.ok(info.includes("\r\n\r\n# Clients\r\n"));
    t.send("INFO clients\r\nINFO nosuch\r\nHELLO 3\r\nINFO CLIENTS\r\n");
    const [clients, none, , verbatim] = t.replies();
    assert.match(clients as string, /^# Clients\r\nconnected_clients:1\r\n/);
    assert.equal(none, "");
    assert.ok(verbatim instanceof VerbatimString);
    assert.equal(verbatim.format, "txt");
  });

  it("CONFIG GET patterns and CONFIG SET", () => {
    const server = new Server({ password: "pw" });
    const t = connect(server);
    t.send("AUTH pw\r\nCONFIG GET save\r\nCONFIG GET appendonly\r\nCONFIG GET MAXCLIENT*\r\n");
    t.send("CONFIG GET timeout databases\r\nCONFIG GET nosuch\r\nCONFIG GET requirepass\r\n");
    assert.deepEqual(t.replies(), [
      "OK",
      ["save", ""],
      ["appendonly", "no"],
      ["maxclients", "10000"],
      ["databases", "16", "timeout", "0"],
      [],
      ["requirepass", "pw"],
    ]);
    t.send(
      "CONFIG SET timeout x\r\nCONFIG SET nosuch 1\r\nCONFIG SET maxclients 5\r\nCONFIG GET\r\n",
    );
    assert.deepEqual(t.replies().map(str), [
      "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer",
      "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
      "OK",
      "ERR wrong number of arguments for 'config|get' command",
    ]);
    assert.equal(server.options.maxClients, 5);
  });
});
