/**
 * RequestDecoder: request vectors recorded from the real redis-server 7.0.15 (the replies it
 * sent and whether it closed the connection), replayed through the decoder under different
 * chunkings; protocol errors, limits, pre-AUTH limits, memory and linear-time streaming.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeRequest,
  IncompleteError,
  ProtocolError,
  RequestDecoder,
} from "../../src/resp/mod.ts";

/** Latin-1 string to bytes (one byte per char), so vectors can hold any byte. */
function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function text(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return out;
}

/** What redis-server replies to the few commands the vectors use. */
function respond(argv: Uint8Array[], authenticated: boolean): string {
  if (!authenticated) return "-NOAUTH Authentication required.\r\n";
  const name = text(argv[0]).toLowerCase();
  const bulk = (b: Uint8Array) => `$${b.length}\r\n${text(b)}\r\n`;
  if (name === "ping" && argv.length === 1) return "+PONG\r\n";
  if (name === "ping" && argv.length === 2) return bulk(argv[1]);
  if (name === "echo" && argv.length === 2) return bulk(argv[1]);
  if (name === "ping" || name === "echo") {
    return `-ERR wrong number of arguments for '${name}' command\r\n`;
  }
  throw new Error(`Unexpected command in vector: ${name}`);
}

/** Feeds `input` in chunks of `size` and plays the server: replies and close. */
function simulate(
  input: Uint8Array,
  size: number,
  authenticated = true,
): { reply: string; closed: boolean } {
  const decoder = new RequestDecoder();
  decoder.authenticated = authenticated;
  let reply = "";
  for (let i = 0; i < input.length; i += size) {
    decoder.feed(input.subarray(i, i + size));
    try {
      for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
        reply += respond(argv, authenticated);
      }
    } catch (error) {
      assert.ok(error instanceof ProtocolError, String(error));
      return { reply: reply + `-ERR ${error.message}\r\n`, closed: true };
    }
  }
  return { reply, closed: false };
}

interface Vector {
  name: string;
  input: string;
  reply: string;
  closed: boolean;
  /** The outcome depends on how the bytes are cut, as in Redis: only checked whole. */
  wholeOnly?: boolean;
}

/** Recorded from redis-server 7.0.15 (port with `--save '' --appendonly no`). */
const VECTORS: Vector[] = [
  {
    name: "multibulk ping",
    input: "*1\r\n$4\r\nPING\r\n",
    reply: "+PONG\r\n",
    closed: false,
  },
  {
    name: "multibulk echo",
    input: "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n",
    reply: "$5\r\nhello\r\n",
    closed: false,
  },
  {
    name: "binary bulk",
    input: "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\u0000ÿ\r\n",
    reply: "$4\r\n\r\n\u0000ÿ\r\n",
    closed: false,
  },
  {
    name: "empty bulk",
    input: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
    reply: "$0\r\n\r\n",
    closed: false,
  },
  {
    name: "pipelined",
    input: "PING\r\n*1\r\n$4\r\nPING\r\nECHO a\r\n",
    reply: "+PONG\r\n+PONG\r\n$1\r\na\r\n",
    closed: false,
  },
  {
    name: "lowercase",
    input: "ping\r\n*2\r\n$4\r\necho\r\n$1\r\nx\r\n",
    reply: "+PONG\r\n$1\r\nx\r\n",
    closed: false,
  },
  {
    name: "zero and negative counts ignored",
    input: "*0\r\n*-1\r\n*-5\r\n*-9223372036854775808\r\nPING\r\n",
    reply: "+PONG\r\n",
    closed: false,
  },
  {
    name: "count with plus",
    input: "*+1\r\n$4\r\nPING\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count leading zero",
    input: "*01\r\n$4\r\nPING\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count minus zero",
    input: "*-0\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count empty",
    input: "*\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count letters",
    input: "*abc\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count space",
    input: "*1 \r\n$4\r\nPING\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count over INT_MAX",
    input: "*2147483648\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count INT_MAX incomplete",
    input: "*2147483647\r\n",
    reply: "",
    closed: false,
  },
  {
    name: "count over int64",
    input: "*" + "9".repeat(20) + "\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count under int64",
    input: "*-9223372036854775809\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "count 21 chars",
    input: "*-" + "0".repeat(19) + "1\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "cr without lf then data",
    input: "*1\rX$4\r\nPINGXY*1\r\n$4\r\nPING\r\n",
    reply: "+PONG\r\n+PONG\r\n",
    closed: false,
  },
  {
    name: "lf only multibulk",
    input: "*1\n$4\r\nPING\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "expected dollar",
    input: "*2\r\n$4\r\nECHO\r\n:1\r\n",
    reply: "-ERR Protocol error: expected '$', got ':'\r\n",
    closed: true,
  },
  {
    name: "expected dollar space",
    input: "*1\r\n 4\r\nPING\r\n",
    reply: "-ERR Protocol error: expected '$', got ' '\r\n",
    closed: true,
  },
  {
    name: "expected dollar star",
    input: "*1\r\n*1\r\n",
    reply: "-ERR Protocol error: expected '$', got '*'\r\n",
    closed: true,
  },
  {
    name: "bulk negative",
    input: "*1\r\n$-1\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "bulk minus zero",
    input: "*1\r\n$-0\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "bulk letters",
    input: "*1\r\n$x\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "bulk empty",
    input: "*1\r\n$\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "bulk plus",
    input: "*1\r\n$+4\r\nPING\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "bulk leading zero",
    input: "*1\r\n$04\r\nPING\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "bulk over max",
    input: "*1\r\n$536870913\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "bulk max incomplete",
    input: "*1\r\n$536870912\r\n",
    reply: "",
    closed: false,
  },
  {
    name: "bulk trailing bytes not checked",
    input: "*1\r\n$4\r\nPINGab*1\r\n$4\r\nPING\r\n",
    reply: "+PONG\r\n+PONG\r\n",
    closed: false,
  },
  {
    name: "incomplete bulk header",
    input: "*1\r\n$4",
    reply: "",
    closed: false,
  },
  {
    name: "incomplete bulk",
    input: "*1\r\n$4\r\nPIN",
    reply: "",
    closed: false,
  },
  {
    name: "incomplete crlf",
    input: "*1\r\n$4\r\nPING\r",
    reply: "",
    closed: false,
  },
  {
    name: "nul in header stalls",
    input: "*1\u0000\r\n$4\r\nPING\r\n",
    reply: "",
    closed: false,
  },
  {
    name: "too big mbulk count string",
    input: "*" + "1".repeat(65536),
    reply: "-ERR Protocol error: too big mbulk count string\r\n",
    closed: true,
  },
  {
    name: "mbulk count string at limit",
    input: "*" + "1".repeat(65535),
    reply: "",
    closed: false,
  },
  {
    name: "too big bulk count string",
    input: "*1\r\n$" + "1".repeat(65536),
    reply: "-ERR Protocol error: too big bulk count string\r\n",
    closed: true,
  },
  {
    name: "bulk count string at limit",
    input: "*1\r\n$" + "1".repeat(65535),
    reply: "",
    closed: false,
  },
  {
    name: "long bulk header line is invalid",
    input: "*1\r\n$" + "1".repeat(70000) + "\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
    wholeOnly: true,
  },
  {
    name: "inline quotes",
    input: "ECHO \"a b\"\r\nECHO 'c d'\r\n",
    reply: "$3\r\na b\r\n$3\r\nc d\r\n",
    closed: false,
  },
  {
    name: "inline escapes",
    input: 'ECHO "\\n\\r\\t\\b\\a\\\\\\"\\x41\\x4g\\q"\r\n',
    reply: '$12\r\n\n\r\t\b\u0007\\"Ax4gq\r\n',
    closed: false,
  },
  {
    name: "inline hex upper",
    input: 'ECHO "\\xFF\\xfF"\r\n',
    reply: "$2\r\nÿÿ\r\n",
    closed: false,
  },
  {
    name: "inline single escapes",
    input: "ECHO 'a\\'b\\n\\\\'\r\n",
    reply: "-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "inline lf only",
    input: "PING\nECHO x\n",
    reply: "+PONG\r\n$1\r\nx\r\n",
    closed: false,
  },
  {
    name: "inline empty lines",
    input: "\r\n\n   \r\n\t\r\nPING\r\n",
    reply: "+PONG\r\n",
    closed: false,
  },
  {
    name: "inline spaces",
    input: "  ECHO    x   \r\n",
    reply: "$1\r\nx\r\n",
    closed: false,
  },
  {
    name: "inline vertical tab is part of token",
    input: "ECHO a\u000bb\r\n",
    reply: "$3\r\na\u000bb\r\n",
    closed: false,
  },
  {
    name: "inline vertical tab after quote",
    input: 'ECHO "a"\u000b\r\n',
    reply: "$1\r\na\r\n",
    closed: false,
  },
  {
    name: "inline tab separates",
    input: "ECHO\tx\r\n",
    reply: "$1\r\nx\r\n",
    closed: false,
  },
  {
    name: "inline quote mid token",
    input: 'ECHO a"b c"d\r\n',
    reply: "-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "inline quote mid token end",
    input: 'ECHO a"b c"\r\n',
    reply: "$4\r\nab c\r\n",
    closed: false,
  },
  {
    name: "inline unbalanced double",
    input: 'ECHO "abc\r\n',
    reply: "-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "inline unbalanced single",
    input: "ECHO 'abc\r\n",
    reply: "-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "inline quote followed by char",
    input: 'ECHO "a"b\r\n',
    reply: "-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "inline single quote followed by char",
    input: "ECHO 'a'b\r\n",
    reply: "-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "inline trailing backslash in quotes",
    input: 'ECHO "a\\"\r\n',
    reply: "-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "inline empty quotes",
    input: 'ECHO ""\r\n',
    reply: "$0\r\n\r\n",
    closed: false,
  },
  {
    name: "inline cr inside line",
    input: "ECHO a\rb\r\n",
    reply: "-ERR wrong number of arguments for 'echo' command\r\n",
    closed: false,
  },
  {
    name: "inline high bytes",
    input: "ECHO éÿ\r\n",
    reply: "$2\r\néÿ\r\n",
    closed: false,
  },
  {
    name: "inline nul stalls",
    input: "PING\u0000 x\r\nPING\r\n",
    reply: "",
    closed: false,
  },
  {
    name: "inline incomplete",
    input: "PING",
    reply: "",
    closed: false,
  },
  {
    name: "too big inline",
    input: "A".repeat(65537),
    reply: "-ERR Protocol error: too big inline request\r\n",
    closed: true,
  },
  {
    name: "inline at limit",
    input: "A".repeat(65536),
    reply: "",
    closed: false,
  },
  {
    name: "inline long line with newline accepted",
    input: "ECHO " + "a".repeat(70000) + "\r\n",
    reply: "$70000\r\n" + "a".repeat(70000) + "\r\n",
    closed: false,
    wholeOnly: true,
  },
  {
    name: "inline then error",
    input: 'PING\r\nECHO "x\r\nPING\r\n',
    reply: "+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n",
    closed: true,
  },
  {
    name: "error after commands",
    input: "*1\r\n$4\r\nPING\r\n*1\r\n$-2\r\n",
    reply: "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "star after inline",
    input: "PING\r\n*x\r\n",
    reply: "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
];

/** Recorded from redis-server 7.0.15 with `--requirepass secret`, before AUTH. */
const UNAUTH_VECTORS: Vector[] = [
  { name: "count 10", input: "*10\r\n", reply: "", closed: false },
  {
    name: "count 11",
    input: "*11\r\n",
    reply: "-ERR Protocol error: unauthenticated multibulk length\r\n",
    closed: true,
  },
  { name: "bulk 16384", input: "*1\r\n$16384\r\n", reply: "", closed: false },
  {
    name: "bulk 16385",
    input: "*1\r\n$16385\r\n",
    reply: "-ERR Protocol error: unauthenticated bulk length\r\n",
    closed: true,
  },
  {
    name: "invalid before unauthenticated",
    input: "*1\r\n$-1\r\n",
    reply: "-ERR Protocol error: invalid bulk length\r\n",
    closed: true,
  },
  {
    name: "count over INT_MAX",
    input: "*2147483648\r\n",
    reply: "-ERR Protocol error: invalid multibulk length\r\n",
    closed: true,
  },
  {
    name: "long inline is fine",
    input: "ECHO " + "a".repeat(20000) + "\r\n",
    reply: "-NOAUTH Authentication required.\r\n",
    closed: false,
  },
  { name: "ping", input: "PING\r\n", reply: "-NOAUTH Authentication required.\r\n", closed: false },
];

describe("RequestDecoder: redis-server 7.0.15 vectors", () => {
  for (const vector of VECTORS) {
    it(vector.name, () => {
      const input = latin1(vector.input);
      const sizes = vector.wholeOnly ? [input.length] : [input.length, 1, 2, 3, 7, 64, 4096];
      for (const size of sizes) {
        const got = simulate(input, Math.max(1, size));
        assert.deepEqual(got, { reply: vector.reply, closed: vector.closed }, `chunk ${size}`);
      }
    });
  }
  for (const vector of UNAUTH_VECTORS) {
    it(`before AUTH: ${vector.name}`, () => {
      const input = latin1(vector.input);
      for (const size of [input.length, 1, 5]) {
        const got = simulate(input, size, false);
        assert.deepEqual(got, { reply: vector.reply, closed: vector.closed }, `chunk ${size}`);
      }
    });
  }
});

describe("RequestDecoder", () => {
  it("returns undefined, not an exception, when bytes are missing", () => {
    const decoder = new RequestDecoder();
    assert.equal(decoder.next(), undefined);
    decoder.feed(latin1("*2\r\n$3\r\nGET\r\n$3\r\nke"));
    assert.equal(decoder.next(), undefined);
    // The parsed headers are gone; the argument bytes (GET, ke) are still held.
    assert.equal(decoder.bufferedBytes, 5);
    decoder.feed(latin1("y\r\n"));
    assert.deepEqual(decoder.next()?.map(text), ["GET", "key"]);
    assert.equal(decoder.next(), undefined);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("stays failed after a protocol error until reset", () => {
    const decoder = new RequestDecoder();
    decoder.feed(latin1("*x\r\n"));
    assert.throws(() => decoder.next(), { message: "Protocol error: invalid multibulk length" });
    decoder.feed(latin1("PING\r\n"));
    assert.throws(() => decoder.next(), ProtocolError);
    decoder.reset();
    decoder.feed(latin1("PING\r\n"));
    assert.deepEqual(decoder.next()?.map(text), ["PING"]);
  });

  it("an argument inside a fed chunk is a view of that chunk, not a copy", () => {
    const decoder = new RequestDecoder();
    const value = "v".repeat(100);
    const stream = latin1(`xx*2\r\n$4\r\nECHO\r\n$100\r\n${value}\r\nECHO world\r\n`);
    // A chunk that starts inside a larger buffer, as a socket read may.
    const chunk = stream.subarray(2);
    decoder.feed(chunk);
    const [name, arg] = decoder.next()!;
    assert.equal(text(name), "ECHO");
    assert.equal(text(arg), value);
    assert.equal(arg.buffer, chunk.buffer);
    assert.equal(arg.byteOffset, chunk.byteOffset + 20);
    // Arguments of inline commands are the caller's too (copies or views, never rewritten).
    assert.deepEqual(decoder.next()!.map(text), ["ECHO", "world"]);
    assert.equal(decoder.next(), undefined);
    decoder.feed(latin1("*1\r\n$4\r\nPING\r\n"));
    assert.deepEqual(decoder.next()!.map(text), ["PING"]);
    assert.equal(text(arg), value);
  });

  it("an argument that crossed a chunk boundary is a copy no later feed changes", () => {
    for (const size of [20, 100, 3000, 20000, 40000]) {
      for (const piece of [7, 1000, 5000]) {
        const decoder = new RequestDecoder();
        const input = latin1(
          `*2\r\n$4\r\nECHO\r\n$${size}\r\n${"a".repeat(size)}\r\n` +
            `*2\r\n$4\r\nECHO\r\n$${size}\r\n${"z".repeat(size)}\r\n`.repeat(3),
        );
        // Cut inside the first argument, then go on in pieces.
        const cut = 20 + Math.floor(size / 2);
        const chunks = [input.slice(0, cut)];
        for (let i = cut; i < input.length; i += piece) chunks.push(input.slice(i, i + piece));
        const got: Uint8Array[][] = [];
        for (const chunk of chunks) {
          decoder.feed(chunk);
          for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) got.push(argv);
        }
        const context = `size ${size}, pieces of ${piece}`;
        assert.equal(got.length, 4, context);
        const first = got[0][1];
        for (const chunk of chunks) assert.notEqual(first.buffer, chunk.buffer, context);
        for (const argv of got.slice(1)) assert.equal(text(argv[1]), "z".repeat(size), context);
        // Writing to the chunks (which the caller must not do) shows that it is a copy.
        for (const chunk of chunks) chunk.fill(0);
        assert.equal(text(first), "a".repeat(size), context);
      }
    }
  });

  it("after a command that crossed into a long chunk, the rest of that chunk is not copied", () => {
    const decoder = new RequestDecoder();
    decoder.feed(latin1("*1\r\n$4\r\nPI"));
    assert.equal(decoder.next(), undefined);
    const value = "b".repeat(2000);
    const chunk = latin1(`NG\r\n*2\r\n$4\r\nECHO\r\n$2000\r\n${value}\r\n*1\r\n$4\r\nPI`);
    decoder.feed(chunk);
    assert.deepEqual(decoder.next()!.map(text), ["PING"]);
    const [, arg] = decoder.next()!;
    assert.equal(text(arg), value);
    assert.equal(arg.buffer, chunk.buffer, "a view of the chunk");
    assert.equal(decoder.next(), undefined);
    assert.equal(decoder.bufferedBytes, 2);
    decoder.feed(latin1("NG\r\n"));
    assert.deepEqual(decoder.next()!.map(text), ["PING"]);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("chunks fed one after another before next() are all decoded", () => {
    const decoder = new RequestDecoder();
    const value = "c".repeat(3000);
    const input = latin1(
      `*2\r\n$4\r\nECHO\r\n$3000\r\n${value}\r\n`.repeat(4) + "*1\r\n$4\r\nPING\r\n",
    );
    let fed = 0;
    for (const cut of [10, 2000, 5000, 7000, 9000, input.length]) {
      decoder.feed(input.slice(fed, cut));
      fed = cut;
    }
    assert.equal(decoder.bufferedBytes, input.length);
    const got: string[][] = [];
    for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
      got.push(argv.map(text));
    }
    assert.deepEqual(got, [...Array(4).fill(["ECHO", value]), ["PING"]]);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("a large argument collected from small pieces is one buffer of its own", () => {
    const decoder = new RequestDecoder();
    const size = 100000;
    const header = latin1(`*2\r\n$4\r\nECHO\r\n$${size}\r\n`);
    const input = new Uint8Array(header.length + size + 2);
    input.set(header);
    const start = header.length;
    for (let i = 0; i < size; i++) input[start + i] = 97 + (i % 26);
    input.set(latin1("\r\n"), start + size);
    const end = start + size + 2;
    let argv: Uint8Array[] | undefined;
    for (let i = 0; i < end; i += 7) {
      decoder.feed(input.slice(i, Math.min(i + 7, end)));
      argv = decoder.next() ?? argv;
      // Memory grows with the bytes received, within a small factor.
      if (argv === undefined) assert.ok(decoder.retainedBytes < 2 * i + 16384);
    }
    assert.ok(argv !== undefined);
    const arg = argv[1];
    assert.equal(arg.length, size);
    assert.equal(arg.byteOffset, 0);
    assert.equal(arg.buffer.byteLength, size);
    assert.deepEqual(arg, input.subarray(start, start + size));
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("arguments never view the decoder's own (reused) buffer", () => {
    // A 20 KB argument arriving in small pieces is assembled in the decoder's buffer, which
    // the next command then overwrites.
    for (const size of [5, 3000, 20000]) {
      const decoder = new RequestDecoder();
      const first = latin1(`*2\r\n$4\r\nECHO\r\n$${size}\r\n${"a".repeat(size)}\r\n`);
      const second = latin1(`*2\r\n$4\r\nECHO\r\n$${size}\r\n${"z".repeat(size)}\r\n`);
      const got: Uint8Array[][] = [];
      for (const input of [first, second, first]) {
        for (let i = 0; i < input.length; i += 1000) {
          decoder.feed(input.slice(i, i + 1000));
          for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
            got.push(argv);
          }
        }
      }
      assert.deepEqual(got.map((argv) => argv.map(text)), [
        ["ECHO", "a".repeat(size)],
        ["ECHO", "z".repeat(size)],
        ["ECHO", "a".repeat(size)],
      ]);
    }
  });

  it("arguments do not change when the decoder reuses its buffer", () => {
    const decoder = new RequestDecoder();
    const input = latin1("*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*2\r\n$4\r\nECHO\r\n$3\r\nxyz\r\n");
    const got: Uint8Array[][] = [];
    for (let i = 0; i < input.length; i += 3) {
      decoder.feed(input.slice(i, i + 3));
      for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) got.push(argv);
    }
    assert.deepEqual(got.map((argv) => argv.map(text)), [["ECHO", "abc"], ["ECHO", "xyz"]]);
  });

  it("applies configured limits", () => {
    const small = new RequestDecoder({
      limits: { maxBulkLength: 10, maxMultibulkLength: 3, maxInlineLength: 16 },
    });
    small.feed(latin1("*3\r\n$10\r\n0123456789\r\n$0\r\n\r\n$1\r\nx\r\n"));
    assert.equal(small.next()?.length, 3);
    small.feed(latin1("*4\r\n"));
    assert.throws(() => small.next(), { message: "Protocol error: invalid multibulk length" });
    const bulk = new RequestDecoder({ limits: { maxBulkLength: 10 } });
    bulk.feed(latin1("*1\r\n$11\r\n"));
    assert.throws(() => bulk.next(), { message: "Protocol error: invalid bulk length" });
    const inline = new RequestDecoder({ limits: { maxInlineLength: 16 } });
    inline.feed(latin1("PING 0123456789ab"));
    assert.throws(() => inline.next(), { message: "Protocol error: too big inline request" });
    const header = new RequestDecoder({ limits: { maxInlineLength: 16 } });
    header.feed(latin1("*1\r\n$00000000000000000"));
    assert.throws(() => header.next(), { message: "Protocol error: too big bulk count string" });
  });

  it("authenticated can be flipped between commands", () => {
    const decoder = new RequestDecoder();
    decoder.authenticated = false;
    decoder.feed(latin1("*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n"));
    assert.equal(decoder.next()?.length, 2);
    decoder.authenticated = true;
    decoder.feed(latin1("*1\r\n$20000\r\n" + "a".repeat(20000) + "\r\n"));
    assert.equal(decoder.next()?.[0].length, 20000);
  });

  it("a header claiming 500 MB allocates nothing near it", () => {
    const decoder = new RequestDecoder();
    decoder.feed(latin1("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$524288000\r\n"));
    assert.equal(decoder.next(), undefined);
    for (let i = 0; i < 4; i++) {
      decoder.feed(new Uint8Array(1024).fill(97));
      assert.equal(decoder.next(), undefined);
    }
    assert.ok(decoder.bufferedBytes < 8 * 1024, `bufferedBytes ${decoder.bufferedBytes}`);
    assert.ok(decoder.retainedBytes < 64 * 1024, `retainedBytes ${decoder.retainedBytes}`);
  });

  it("a 100 MB bulk in 64 KiB chunks decodes in linear time", () => {
    const size = 100 * 1024 * 1024;
    const header = latin1(`*2\r\n$4\r\nECHO\r\n$${size}\r\n`);
    const input = new Uint8Array(header.length + size + 2);
    input.set(header);
    for (let i = header.length; i < input.length; i += 4099) input[i] = i & 0xff;
    input[input.length - 2] = 13;
    input[input.length - 1] = 10;

    let start = performance.now();
    const whole = new RequestDecoder();
    whole.feed(input);
    const one = whole.next()!;
    const single = performance.now() - start;
    assert.equal(one[1].length, size);

    start = performance.now();
    const decoder = new RequestDecoder();
    let argv: Uint8Array[] | undefined;
    let maxRetained = 0;
    for (let i = 0; i < input.length; i += 65536) {
      decoder.feed(input.subarray(i, i + 65536));
      argv = decoder.next() ?? argv;
      if (i === 10 * 65536) maxRetained = decoder.retainedBytes;
    }
    const chunked = performance.now() - start;
    assert.ok(argv !== undefined);
    assert.equal(argv[1].length, size);
    for (let i = header.length; i < input.length - 2; i += 4099) {
      assert.equal(argv[1][i - header.length], i & 0xff);
    }
    // Storage grows with the bytes received (10 chunks), not with the claimed length.
    assert.ok(maxRetained < 12 * 65536, `retained ${maxRetained} after 11 chunks`);
    // Rescanning or re-copying from the start would take minutes: a generous sanity bound.
    assert.ok(
      chunked < Math.max(5000, 20 * single),
      `chunked ${chunked.toFixed(0)} ms vs single ${single.toFixed(0)} ms`,
    );
  });

  it("a long inline line fed byte by byte is scanned once", () => {
    const decoder = new RequestDecoder();
    const line = latin1("ECHO " + "a".repeat(60000) + "\r\n");
    const start = performance.now();
    let argv: Uint8Array[] | undefined;
    for (let i = 0; i < line.length; i++) {
      decoder.feed(line.subarray(i, i + 1));
      argv = decoder.next() ?? argv;
    }
    assert.equal(argv?.[1].length, 60000);
    assert.ok(performance.now() - start < 5000);
  });

  it("decodeRequest decodes all and rejects a truncated request", () => {
    assert.deepEqual(
      decodeRequest(latin1("PING\r\n*1\r\n$4\r\nQUIT\r\n")).map((a) => a.map(text)),
      [["PING"], ["QUIT"]],
    );
    assert.throws(() => decodeRequest(latin1("*1\r\n$4\r\nQU")), IncompleteError);
    assert.throws(() => decodeRequest(latin1("*1\r\n$x\r\n")), ProtocolError);
  });
});
