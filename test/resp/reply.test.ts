/**
 * ReplyDecoder: every RESP2 and RESP3 type, streamed strings and aggregates, attributes,
 * chunking down to single bytes, errors and limits.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { normalize } from "../helpers/resp_normalize.ts";
import {
  Attributed,
  decodeReply,
  IncompleteError,
  ProtocolError,
  Push,
  ReplyDecoder,
  ReplyError,
  type RespValue,
  VerbatimString,
} from "../../src/resp/mod.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const b = enc;

/** Decodes all values of `input` fed in chunks of `size`. */
function decodeAll(input: Uint8Array, size: number, bulkAsString = false): RespValue[] {
  const decoder = new ReplyDecoder({ bulkAsString });
  const out: RespValue[] = [];
  for (let i = 0; i < input.length; i += size) {
    decoder.feed(input.subarray(i, i + size));
    for (let v = decoder.next(); v !== undefined; v = decoder.next()) out.push(v);
  }
  assert.equal(decoder.bufferedBytes, 0);
  return out;
}

const VECTORS: Array<[string, string, RespValue]> = [
  ["simple string", "+OK\r\n", "OK"],
  ["simple string utf-8", "+héllo\r\n", "héllo"],
  ["empty simple string", "+\r\n", ""],
  ["error", "-ERR unknown command\r\n", new ReplyError("ERR unknown command")],
  ["integer", ":1000\r\n", 1000],
  ["negative integer", ":-42\r\n", -42],
  ["zero", ":0\r\n", 0],
  ["max safe integer", ":9007199254740991\r\n", 9007199254740991],
  ["integer beyond 2^53", ":9007199254740993\r\n", 9007199254740993n],
  ["int64 max", ":9223372036854775807\r\n", 9223372036854775807n],
  ["int64 min", ":-9223372036854775808\r\n", -9223372036854775808n],
  ["bulk", "$5\r\nhello\r\n", b("hello")],
  ["empty bulk", "$0\r\n\r\n", b("")],
  ["binary bulk", "$4\r\n\r\n\r\n\r\n", b("\r\n\r\n")],
  ["RESP2 null bulk", "$-1\r\n", null],
  ["RESP2 null array", "*-1\r\n", null],
  ["null", "_\r\n", null],
  ["empty array", "*0\r\n", []],
  ["array", "*3\r\n:1\r\n$1\r\na\r\n+b\r\n", [1, b("a"), "b"]],
  ["nested array", "*2\r\n*1\r\n:1\r\n*0\r\n", [[1], []]],
  ["array with nulls", "*3\r\n$-1\r\n_\r\n*-1\r\n", [null, null, null]],
  ["double", ",1.5\r\n", 1.5],
  ["double exponent", ",1e+21\r\n", 1e21],
  ["double negative", ",-0.30000000000000004\r\n", -0.30000000000000004],
  ["double integer", ",3\r\n", 3],
  ["double inf", ",inf\r\n", Infinity],
  ["double -inf", ",-inf\r\n", -Infinity],
  ["double nan", ",nan\r\n", NaN],
  ["boolean true", "#t\r\n", true],
  ["boolean false", "#f\r\n", false],
  [
    "big number",
    "(3492890328409238509324850943850943825024385\r\n",
    3492890328409238509324850943850943825024385n,
  ],
  ["negative big number", "(-12\r\n", -12n],
  ["bulk error", "!21\r\nSYNTAX invalid syntax\r\n", new ReplyError("SYNTAX invalid syntax", true)],
  ["verbatim", "=15\r\ntxt:Some string\r\n", new VerbatimString("txt", "Some string")],
  ["verbatim markdown", "=8\r\nmkd:# hi\r\n", new VerbatimString("mkd", "# hi")],
  [
    "map",
    "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
    new Map<RespValue, RespValue>([["first", 1], ["second", 2]]),
  ],
  [
    "map with non-string keys",
    "%2\r\n:1\r\n#t\r\n*1\r\n:2\r\n_\r\n",
    new Map<RespValue, RespValue>([[1, true], [[2], null]]),
  ],
  ["empty map", "%0\r\n", new Map()],
  ["set", "~3\r\n+a\r\n:1\r\n#f\r\n", new Set<RespValue>(["a", 1, false])],
  ["empty set", "~0\r\n", new Set()],
  ["push", ">3\r\n+message\r\n+ch\r\n$2\r\nhi\r\n", new Push(["message", "ch", b("hi")])],
  [
    "attribute",
    "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
    new Attributed(
      new Map<RespValue, RespValue>([[
        "key-popularity",
        new Map<RespValue, RespValue>([[b("a"), 0.1923], [b("b"), 0.0012]]),
      ]]),
      [2039123, 9543892],
    ),
  ],
  [
    "attribute inside an array",
    "*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n",
    [1, new Attributed(new Map<RespValue, RespValue>([["ttl", 3600]]), 2)],
  ],
  ["empty attribute", "|0\r\n+OK\r\n", new Attributed(new Map(), "OK")],
  ["streamed string", "$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n", b("Hello word")],
  ["empty streamed string", "$?\r\n;0\r\n", b("")],
  ["streamed array", "*?\r\n:1\r\n:2\r\n:3\r\n.\r\n", [1, 2, 3]],
  ["empty streamed array", "*?\r\n.\r\n", []],
  [
    "streamed map",
    "%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n",
    new Map<RespValue, RespValue>([["a", 1], ["b", 2]]),
  ],
  ["streamed set", "~?\r\n+a\r\n+b\r\n.\r\n", new Set<RespValue>(["a", "b"])],
  ["streamed push", ">?\r\n+a\r\n.\r\n", new Push(["a"])],
  [
    "nested streamed",
    "*?\r\n*?\r\n$?\r\n;1\r\na\r\n;0\r\n.\r\n%?\r\n.\r\n.\r\n",
    [[b("a")], new Map()],
  ],
];

describe("ReplyDecoder vectors", () => {
  for (const [name, input, expected] of VECTORS) {
    it(name, () => {
      const bytes = enc(input);
      for (const size of [bytes.length, 1, 2, 5]) {
        const got = decodeAll(bytes, size);
        assert.equal(got.length, 1, `chunk ${size}`);
        assert.deepEqual(normalize(got[0]), normalize(expected), `chunk ${size}`);
      }
    });
  }

  it("all vectors pipelined in one stream, cut at every size 1..40", () => {
    const stream = enc(VECTORS.map((v) => v[1]).join(""));
    const expected = VECTORS.map((v) => normalize(v[2]));
    for (let size = 1; size <= 40; size++) {
      assert.deepEqual(decodeAll(stream, size).map(normalize), expected, `chunk ${size}`);
    }
  });

  it("bulkAsString decodes bulks, streamed strings and map keys as strings", () => {
    const got = decodeAll(
      enc("*3\r\n$6\r\nhéllo\r\n$?\r\n;2\r\nab\r\n;0\r\n%1\r\n$1\r\nk\r\n:1\r\n"),
      1,
      true,
    );
    assert.deepEqual(normalize(got[0]), normalize(["héllo", "ab", new Map([["k", 1]])]));
  });

  it("ReplyError code is the upper-case first word", () => {
    assert.equal((decodeReply(enc("-WRONGTYPE Operation\r\n")) as ReplyError).code, "WRONGTYPE");
    assert.equal((decodeReply(enc("-ERR\r\n")) as ReplyError).code, "ERR");
    assert.equal((decodeReply(enc("-oops lower\r\n")) as ReplyError).code, "");
    const bulk = decodeReply(enc("!11\r\nBUSY a\r\nb c\r\n")) as ReplyError;
    assert.equal(bulk.code, "BUSY");
    assert.equal(bulk.bulk, true);
    assert.equal(bulk.message, "BUSY a\r\nb c");
  });

  it("bulks inside a fed chunk are views of it; those that crossed a chunk boundary are copies", () => {
    const value = "v".repeat(100);
    const input = enc(`*2\r\n$100\r\n${value}\r\n$100\r\n${value}\r\n`);
    const whole = new ReplyDecoder();
    whole.feed(input);
    const [first, second] = whole.next() as Uint8Array[];
    assert.equal(first.buffer, input.buffer);
    assert.equal(first.byteOffset, 10);
    assert.equal(second.byteOffset, 118);
    // Cut inside the second bulk: it is assembled in the decoder's reused buffer and copied.
    for (const cut of [60, 150]) {
      const split = new ReplyDecoder();
      const head = input.slice(0, cut);
      const rest = input.slice(cut);
      split.feed(head);
      assert.equal(split.next(), undefined);
      split.feed(rest);
      const got = split.next() as Uint8Array[];
      split.feed(enc("$3\r\nabc\r\n*1\r\n$3\r\nxyz\r\n"));
      assert.deepEqual(split.next(), b("abc"));
      assert.deepEqual(split.next(), [b("xyz")]);
      const crossed = got[cut < 110 ? 0 : 1];
      assert.notEqual(crossed.buffer, head.buffer);
      assert.notEqual(crossed.buffer, rest.buffer);
      head.fill(0);
      rest.fill(0);
      assert.equal(new TextDecoder().decode(crossed), value);
    }
  });

  it("errors are created without capturing the decoder's stack", () => {
    const decoder = new ReplyDecoder();
    decoder.feed(enc("-ERR one\r\n!7\r\nERR two\r\n"));
    const limit = (Error as { stackTraceLimit?: number }).stackTraceLimit;
    const one = decoder.next() as ReplyError;
    const two = decoder.next() as ReplyError;
    assert.ok(one instanceof ReplyError && two instanceof ReplyError);
    assert.equal(one.message, "ERR one");
    assert.equal(two.bulk, true);
    assert.equal((Error as { stackTraceLimit?: number }).stackTraceLimit, limit);
    if (typeof limit === "number") {
      assert.ok(!String(one.stack).includes("reply_decoder"), String(one.stack));
    }
  });
});

describe("ReplyDecoder errors and limits", () => {
  const invalid: Array<[string, string]> = [
    ["unknown type", "?\r\n"],
    ["bad boolean", "#x\r\n"],
    ["bad double", ",abc\r\n"],
    ["bad integer", ":12a\r\n"],
    ["bad big number", "(1.5\r\n"],
    ["bad bulk length", "$-2\r\n"],
    ["bad bulk length text", "$x\r\n"],
    ["bad array length", "*-2\r\n"],
    ["bad null", "_x\r\n"],
    ["chunk outside streamed string", ";1\r\na\r\n"],
    ["end outside streamed aggregate", ".\r\n"],
    ["end of a counted array", "*2\r\n:1\r\n.\r\n"],
    ["end with a map key pending", "%?\r\n:1\r\n.\r\n"],
    ["non-chunk in streamed string", "$?\r\n:1\r\n"],
    ["bad verbatim", "=3\r\ntxt\r\n"],
  ];
  for (const [name, input] of invalid) {
    it(name, () => {
      const decoder = new ReplyDecoder();
      decoder.feed(enc(input));
      assert.throws(() => decoder.next(), ProtocolError);
      // The decoder stays failed.
      assert.throws(() => decoder.next(), ProtocolError);
    });
  }

  it("nesting depth limit", () => {
    const deep = (n: number) => "*1\r\n".repeat(n) + ":1\r\n";
    assert.doesNotThrow(() => decodeReply(enc(deep(128))));
    assert.throws(() => decodeReply(enc(deep(129))), {
      message: "Protocol error: too deep nesting",
    });
    const limited = { limits: { maxDepth: 2 } };
    assert.doesNotThrow(() => decodeReply(enc(deep(2)), limited));
    assert.throws(() => decodeReply(enc(deep(3)), limited), ProtocolError);
  });

  it("bulk and aggregate length limits", () => {
    const options = { limits: { maxBulkLength: 4, maxMultibulkLength: 2 } };
    assert.deepEqual(decodeReply(enc("$4\r\nabcd\r\n"), options), b("abcd"));
    assert.throws(() => decodeReply(enc("$5\r\nabcde\r\n"), options), ProtocolError);
    assert.throws(() => decodeReply(enc("*3\r\n"), options), ProtocolError);
    assert.throws(() => decodeReply(enc("%3\r\n"), options), ProtocolError);
  });

  it("decodeReply: incomplete and trailing input", () => {
    assert.throws(() => decodeReply(enc("*2\r\n:1\r\n")), IncompleteError);
    assert.throws(() => decodeReply(enc("$5\r\nhel")), IncompleteError);
    assert.throws(() => decodeReply(enc(":1\r\n:2\r\n")), ProtocolError);
  });

  it("a header claiming 500 MB allocates nothing near it", () => {
    const decoder = new ReplyDecoder();
    decoder.feed(enc("$524288000\r\n"));
    for (let i = 0; i < 4; i++) {
      decoder.feed(new Uint8Array(1024));
      assert.equal(decoder.next(), undefined);
    }
    assert.ok(decoder.bufferedBytes < 8 * 1024, `bufferedBytes ${decoder.bufferedBytes}`);
    assert.ok(decoder.retainedBytes < 64 * 1024, `retainedBytes ${decoder.retainedBytes}`);
    const array = new ReplyDecoder();
    array.feed(enc("*2147483647\r\n:1\r\n"));
    assert.equal(array.next(), undefined);
  });

  it("a 100 MB bulk in 64 KiB chunks decodes in linear time", () => {
    const size = 100 * 1024 * 1024;
    const header = enc(`$${size}\r\n`);
    const input = new Uint8Array(header.length + size + 2);
    input.set(header);
    for (let i = header.length; i < input.length; i += 4099) input[i] = i & 0xff;
    input.set([13, 10], input.length - 2);
    let start = performance.now();
    assert.equal((decodeReply(input) as Uint8Array).length, size);
    const single = performance.now() - start;
    start = performance.now();
    const decoder = new ReplyDecoder();
    let value: RespValue | undefined;
    for (let i = 0; i < input.length; i += 65536) {
      decoder.feed(input.subarray(i, i + 65536));
      value = decoder.next() ?? value;
    }
    const chunked = performance.now() - start;
    assert.ok(value instanceof Uint8Array);
    assert.equal(value.length, size);
    for (let i = header.length; i < input.length - 2; i += 4099) {
      assert.equal(value[i - header.length], i & 0xff);
    }
    assert.ok(
      chunked < Math.max(5000, 20 * single),
      `chunked ${chunked.toFixed(0)} ms vs single ${single.toFixed(0)} ms`,
    );
  });

  it("a large array arriving in small chunks is not re-parsed from its start", () => {
    const count = 200000;
    const input = enc(`*${count}\r\n` + ":12345\r\n".repeat(count));
    const start = performance.now();
    const got = decodeAll(input, 64);
    assert.equal((got[0] as number[]).length, count);
    assert.ok(performance.now() - start < 5000);
  });
});
