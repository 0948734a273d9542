/**
 * Writer and the byte helpers: every reply type in RESP3 and RESP2 (Redis's downgrades),
 * commands, buffer reuse, formatDouble like C's %.17g, strict integer parsing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Attributed,
  bytesToString,
  encodeCommand,
  encodeReply,
  equalBytes,
  formatDouble,
  parseBigInt,
  parseInteger,
  Push,
  ReplyError,
  stringToBytes,
  VerbatimString,
  Writer,
} from "../../src/resp/mod.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** [name, write, RESP3 bytes, RESP2 bytes] */
const VECTORS: Array<[string, (w: Writer) => void, string, string]> = [
  ["simple", (w) => w.simple("OK"), "+OK\r\n", "+OK\r\n"],
  ["simple with newlines", (w) => w.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n"],
  ["error", (w) => w.error("ERR bad"), "-ERR bad\r\n", "-ERR bad\r\n"],
  ["error utf-8 newline", (w) => w.error("ERR é\nx"), "-ERR é x\r\n", "-ERR é x\r\n"],
  ["integer", (w) => w.integer(0), ":0\r\n", ":0\r\n"],
  ["integer 9", (w) => w.integer(9), ":9\r\n", ":9\r\n"],
  ["integer 10", (w) => w.integer(10), ":10\r\n", ":10\r\n"],
  ["negative integer", (w) => w.integer(-1234567), ":-1234567\r\n", ":-1234567\r\n"],
  [
    "max safe",
    (w) => w.integer(9007199254740991),
    ":9007199254740991\r\n",
    ":9007199254740991\r\n",
  ],
  [
    "min safe",
    (w) => w.integer(-9007199254740991),
    ":-9007199254740991\r\n",
    ":-9007199254740991\r\n",
  ],
  [
    "bigint int64",
    (w) => w.integer(-9223372036854775808n),
    ":-9223372036854775808\r\n",
    ":-9223372036854775808\r\n",
  ],
  [
    "large number integer",
    (w) => w.integer(2 ** 60),
    ":1152921504606846976\r\n",
    ":1152921504606846976\r\n",
  ],
  ["bulk string", (w) => w.bulk("hello"), "$5\r\nhello\r\n", "$5\r\nhello\r\n"],
  ["bulk utf-8", (w) => w.bulk("héllo €"), "$10\r\nhéllo €\r\n", "$10\r\nhéllo €\r\n"],
  ["bulk emoji", (w) => w.bulk("😀"), "$4\r\n😀\r\n", "$4\r\n😀\r\n"],
  ["bulk empty", (w) => w.bulk(""), "$0\r\n\r\n", "$0\r\n\r\n"],
  [
    "bulk bytes",
    (w) => w.bulk(new Uint8Array([0, 13, 10])),
    "$3\r\n\0\r\n\r\n",
    "$3\r\n\0\r\n\r\n",
  ],
  [
    "bulk long ascii",
    (w) => w.bulk("a".repeat(100)),
    `$100\r\n${"a".repeat(100)}\r\n`,
    `$100\r\n${"a".repeat(100)}\r\n`,
  ],
  [
    "bulk long non-ascii (header grows)",
    (w) => w.bulk("é".repeat(99)),
    `$198\r\n${"é".repeat(99)}\r\n`,
    `$198\r\n${"é".repeat(99)}\r\n`,
  ],
  [
    "bulk lone surrogate",
    (w) => w.bulk("a\ud800b"),
    "$5\r\na\ufffdb\r\n",
    "$5\r\na\ufffdb\r\n",
  ],
  ["null", (w) => w.null(), "_\r\n", "$-1\r\n"],
  ["null array", (w) => w.nullArray(), "_\r\n", "*-1\r\n"],
  ["array header", (w) => w.arrayHeader(3), "*3\r\n", "*3\r\n"],
  ["map header", (w) => w.mapHeader(2), "%2\r\n", "*4\r\n"],
  ["set header", (w) => w.setHeader(2), "~2\r\n", "*2\r\n"],
  ["push header", (w) => w.pushHeader(3), ">3\r\n", "*3\r\n"],
  ["double", (w) => w.double(1.1), ",1.1000000000000001\r\n", "$18\r\n1.1000000000000001\r\n"],
  ["double integral", (w) => w.double(3), ",3\r\n", "$1\r\n3\r\n"],
  ["double inf", (w) => w.double(Infinity), ",inf\r\n", "$3\r\ninf\r\n"],
  ["double -inf", (w) => w.double(-Infinity), ",-inf\r\n", "$4\r\n-inf\r\n"],
  ["double nan", (w) => w.double(NaN), ",nan\r\n", "$3\r\nnan\r\n"],
  ["boolean true", (w) => w.boolean(true), "#t\r\n", ":1\r\n"],
  ["boolean false", (w) => w.boolean(false), "#f\r\n", ":0\r\n"],
  [
    "big number",
    (w) => w.bigNumber(12345678901234567890n),
    "(12345678901234567890\r\n",
    "$20\r\n12345678901234567890\r\n",
  ],
  ["big number string", (w) => w.bigNumber("-1"), "(-1\r\n", "$2\r\n-1\r\n"],
  [
    "verbatim",
    (w) => w.verbatim("Some string"),
    "=15\r\ntxt:Some string\r\n",
    "$11\r\nSome string\r\n",
  ],
  ["verbatim mkd", (w) => w.verbatim("# x", "mkd"), "=7\r\nmkd:# x\r\n", "$3\r\n# x\r\n"],
  ["verbatim bytes", (w) => w.verbatim(enc("ab")), "=6\r\ntxt:ab\r\n", "$2\r\nab\r\n"],
  ["bulk error", (w) => w.bulkError("SYNTAX bad"), "!10\r\nSYNTAX bad\r\n", "-SYNTAX bad\r\n"],
  ["bulk error newline", (w) => w.bulkError("ERR a\nb"), "!7\r\nERR a\nb\r\n", "-ERR a b\r\n"],
  ["raw", (w) => w.raw(enc("+X\r\n")), "+X\r\n", "+X\r\n"],
  [
    "command",
    (w) => w.command(["SET", enc("k"), 42]),
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n",
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n",
  ],
];

/** [name, value, RESP3, RESP2] for Writer.value() */
const VALUES: Array<[string, unknown, string, string]> = [
  ["string", "hi", "$2\r\nhi\r\n", "$2\r\nhi\r\n"],
  ["integer", 42, ":42\r\n", ":42\r\n"],
  ["-0 is an integer", -0, ":0\r\n", ":0\r\n"],
  ["float", 0.1 + 0.2, ",0.30000000000000004\r\n", "$19\r\n0.30000000000000004\r\n"],
  ["huge float", 1e300, ",1.0000000000000001e+300\r\n", "$23\r\n1.0000000000000001e+300\r\n"],
  ["bigint in int64", 5n, ":5\r\n", ":5\r\n"],
  [
    "bigint beyond int64",
    2n ** 64n,
    "(18446744073709551616\r\n",
    "$20\r\n18446744073709551616\r\n",
  ],
  ["true", true, "#t\r\n", ":1\r\n"],
  ["null", null, "_\r\n", "$-1\r\n"],
  ["undefined", undefined, "_\r\n", "$-1\r\n"],
  ["bytes", enc("ab"), "$2\r\nab\r\n", "$2\r\nab\r\n"],
  [
    "array",
    [1, "a", [null]],
    "*3\r\n:1\r\n$1\r\na\r\n*1\r\n_\r\n",
    "*3\r\n:1\r\n$1\r\na\r\n*1\r\n$-1\r\n",
  ],
  ["empty array", [], "*0\r\n", "*0\r\n"],
  [
    "map",
    new Map<unknown, unknown>([["a", 1], [2, true]]),
    "%2\r\n$1\r\na\r\n:1\r\n:2\r\n#t\r\n",
    "*4\r\n$1\r\na\r\n:1\r\n:2\r\n:1\r\n",
  ],
  ["plain object", { x: 1.5 }, "%1\r\n$1\r\nx\r\n,1.5\r\n", "*2\r\n$1\r\nx\r\n$3\r\n1.5\r\n"],
  ["set", new Set(["a"]), "~1\r\n$1\r\na\r\n", "*1\r\n$1\r\na\r\n"],
  ["error", new Error("ERR x"), "-ERR x\r\n", "-ERR x\r\n"],
  ["reply error", new ReplyError("WRONGTYPE no"), "-WRONGTYPE no\r\n", "-WRONGTYPE no\r\n"],
  ["bulk reply error", new ReplyError("ERR x", true), "!5\r\nERR x\r\n", "-ERR x\r\n"],
  ["verbatim", new VerbatimString("txt", "hi"), "=6\r\ntxt:hi\r\n", "$2\r\nhi\r\n"],
  [
    "push",
    new Push(["message", "c", "m"]),
    ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n",
    "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n",
  ],
  [
    "attributed",
    new Attributed(new Map([["ttl", 1]]), "v"),
    "|1\r\n$3\r\nttl\r\n:1\r\n$1\r\nv\r\n",
    "$1\r\nv\r\n",
  ],
];

describe("Writer vectors", () => {
  for (const [name, write, resp3, resp2] of VECTORS) {
    it(name, () => {
      const writer = new Writer(64);
      writer.protocol = 3;
      write(writer);
      assert.equal(dec(writer.take()), resp3, "RESP3");
      writer.protocol = 2;
      write(writer);
      assert.equal(dec(writer.take()), resp2, "RESP2");
    });
  }
  for (const [name, value, resp3, resp2] of VALUES) {
    it(`value(): ${name}`, () => {
      assert.equal(dec(encodeReply(value, 3)), resp3, "RESP3");
      assert.equal(dec(encodeReply(value, 2)), resp2, "RESP2");
      assert.equal(dec(encodeReply(value)), resp2, "default is RESP2");
    });
  }
});

describe("Writer", () => {
  it("rejects what it cannot encode", () => {
    const writer = new Writer();
    assert.throws(() => writer.value(Symbol("x")), TypeError);
    assert.throws(() => writer.value(new Date()), TypeError);
    assert.throws(() => writer.value(() => 1), TypeError);
    assert.throws(() => writer.integer(1.5), TypeError);
    assert.throws(() => writer.integer(2n ** 63n), TypeError);
    assert.throws(() => writer.attributeHeader(1), TypeError); // RESP2
  });

  it("length, take and reset; the buffer grows and is reused", () => {
    const writer = new Writer(64);
    assert.equal(writer.length, 0);
    writer.simple("OK");
    assert.equal(writer.length, 5);
    const first = writer.take();
    assert.equal(writer.length, 0);
    writer.bulk("x".repeat(100000));
    const big = writer.take();
    assert.equal(big.length, 100000 + 11);
    writer.simple("A");
    const second = writer.take();
    assert.equal(dec(first), "+OK\r\n");
    assert.equal(dec(second), "+A\r\n");
    assert.equal(dec(big.subarray(0, 9)), "$100000\r\n");
    writer.simple("gone");
    writer.reset();
    assert.equal(writer.take().length, 0);
  });

  it("long strings: exact UTF-8 lengths wherever the buffer ends", () => {
    const te = new TextEncoder();
    for (const n of [65, 100, 999, 5000]) {
      for (const tail of ["", "é", "😀", "\ud800", "€".repeat(n)]) {
        const text = "x".repeat(n) + tail;
        for (const fill of [0, 1, 300, 511, 1000]) {
          const writer = new Writer(64);
          writer.raw(new Uint8Array(fill));
          writer.bulk(text);
          const out = writer.take().subarray(fill);
          const bytes = te.encode(text);
          assert.equal(dec(out), `$${bytes.length}\r\n${new TextDecoder().decode(bytes)}\r\n`);
        }
      }
    }
  });

  it("truncate drops what was written after a mark", () => {
    const writer = new Writer(64);
    writer.simple("OK");
    const mark = writer.length;
    writer.arrayHeader(3);
    writer.bulk("x".repeat(500)); // grows the buffer
    writer.truncate(mark);
    assert.equal(writer.length, mark);
    writer.truncate(mark + 100); // nothing to drop
    assert.equal(writer.length, mark);
    writer.integer(7);
    assert.equal(dec(writer.take()), "+OK\r\n:7\r\n");
    writer.simple("A");
    writer.truncate(0);
    assert.equal(writer.take().length, 0);
    assert.throws(() => writer.truncate(-1), RangeError);
    assert.throws(() => writer.truncate(1.5), RangeError);
    assert.throws(() => writer.truncate(NaN), RangeError);
  });

  it("allocates lazily, keeps the size busy flushes need, shrinks when they stay small", () => {
    const writer = new Writer();
    assert.equal(writer.capacity, 0); // idle connections hold no buffer
    writer.simple("OK");
    assert.ok(writer.capacity > 0 && writer.capacity <= 1024, `capacity ${writer.capacity}`);
    assert.equal(dec(writer.take()), "+OK\r\n");
    // Busy: 50 KB per flush. After the first flush the buffer is the right size at once.
    const batch = () => {
      for (let i = 0; i < 1000; i++) writer.bulk("v".repeat(40));
    };
    batch();
    const busy = writer.capacity;
    assert.ok(busy >= 47000, `capacity ${busy}`);
    const taken = writer.take();
    assert.equal(taken.length, 47000);
    assert.equal(writer.capacity, 0); // handed over, not copied
    for (let round = 0; round < 5; round++) {
      writer.simple("x");
      assert.equal(writer.capacity, busy, "the next buffer is sized for the traffic seen");
      writer.reset();
      batch();
      assert.equal(writer.capacity, busy, "no regrowth");
      assert.equal(writer.take().length, 47000);
    }
    // The handed-over bytes are the caller's: later writes do not touch them.
    assert.equal(dec(taken.subarray(0, 8)), "$40\r\nvvv");
    assert.equal(dec(taken.subarray(46990)), "vvvvvvvv\r\n");
    // Small flushes from now on: the buffer shrinks step by step back to the initial size.
    let previous = Infinity;
    for (let i = 0; i < 200; i++) {
      writer.simple("OK");
      assert.ok(writer.capacity <= previous || previous === 0, "never grows on small flushes");
      previous = writer.capacity;
      assert.equal(dec(writer.take()), "+OK\r\n");
    }
    writer.simple("OK");
    assert.ok(writer.capacity <= 1024, `capacity ${writer.capacity} after small flushes`);
    writer.reset();
    // One huge reply does not make every later buffer huge.
    writer.bulk("y".repeat(5 * 1024 * 1024));
    assert.equal(writer.take().length, 5 * 1024 * 1024 + 12);
    writer.simple("OK");
    assert.ok(writer.capacity <= 1024 * 1024, `capacity ${writer.capacity}`);
  });

  it("taken bytes are not changed by later writes", () => {
    const writer = new Writer(64);
    const taken: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      writer.integer(i);
      if (i % 3 === 0) taken.push(writer.take());
    }
    taken.push(writer.take());
    const all = taken.map(dec).join("");
    assert.equal(all, Array.from({ length: 200 }, (_, i) => `:${i}\r\n`).join(""));
  });

  it("encodeCommand", () => {
    assert.equal(dec(encodeCommand(["PING"])), "*1\r\n$4\r\nPING\r\n");
    assert.equal(
      dec(encodeCommand(["ECHO", "é", -1.5])),
      "*3\r\n$4\r\nECHO\r\n$2\r\né\r\n$4\r\n-1.5\r\n",
    );
  });

  it("integers of every digit count", () => {
    const writer = new Writer();
    let n = 1;
    for (let digits = 1; digits <= 16; digits++) {
      for (const v of [n, n * 9 + (n - 1), -n]) {
        if (!Number.isSafeInteger(v)) continue;
        writer.integer(v);
        assert.equal(dec(writer.take()), `:${v}\r\n`);
        writer.bulk("x".repeat(Math.abs(v) % 1000));
        assert.equal(dec(writer.take()).split("\r\n")[0], `$${Math.abs(v) % 1000}`);
      }
      n *= 10;
    }
  });
});

describe("bytes helpers", () => {
  it("formatDouble is C's %.17g (Redis 7.0 addReplyDouble)", () => {
    const cases: Array<[number, string]> = [
      [1.1, "1.1000000000000001"],
      [1e21, "1e+21"],
      [3, "3"],
      [0.1 + 0.2, "0.30000000000000004"],
      [-0, "-0"],
      [0, "0"],
      [0.5, "0.5"],
      [100, "100"],
      [1e16, "10000000000000000"],
      [1e17, "1e+17"],
      [123456789012345680, "1.2345678901234568e+17"],
      [0.0001, "0.0001"],
      [0.00001, "1.0000000000000001e-05"],
      [1.5e-7, "1.4999999999999999e-07"],
      [5e-324, "4.9406564584124654e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [-2.5, "-2.5"],
      [1 + 2 ** -17, "1.0000076293945312"], // exact tie: printf rounds half to even
      [Infinity, "inf"],
      [-Infinity, "-inf"],
      [NaN, "nan"],
    ];
    for (const [value, expected] of cases) {
      assert.equal(formatDouble(value), expected, String(value));
    }
  });

  it("parseInteger and parseBigInt are strict like string2ll", () => {
    const ok: Array<[string, number]> = [["0", 0], ["-1", -1], ["42", 42], [
      "9007199254740991",
      9007199254740991,
    ]];
    for (const [t, v] of ok) assert.equal(parseInteger(enc(t)), v, t);
    for (
      const t of ["", "-", "-0", "01", "+1", " 1", "1 ", "1.0", "0x1", "9007199254740992", "1e3"]
    ) {
      assert.equal(parseInteger(enc(t)), undefined, JSON.stringify(t));
    }
    assert.equal(parseBigInt(enc("9223372036854775807")), 9223372036854775807n);
    assert.equal(parseBigInt(enc("-9223372036854775808")), -9223372036854775808n);
    assert.equal(parseBigInt(enc("9223372036854775808")), undefined);
    assert.equal(parseBigInt(enc("-9223372036854775809")), undefined);
    assert.equal(parseBigInt(enc("007")), undefined);
  });

  it("bytesToString, stringToBytes, equalBytes", () => {
    assert.equal(bytesToString(enc("OK")), "OK");
    assert.equal(bytesToString(enc("héllo")), "héllo");
    assert.equal(bytesToString(enc("x".repeat(1000))), "x".repeat(1000));
    assert.equal(bytesToString(new Uint8Array([0xff])), "\ufffd");
    assert.equal(bytesToString(new Uint8Array(0)), "");
    assert.deepEqual(stringToBytes("é"), new Uint8Array([0xc3, 0xa9]));
    assert.ok(equalBytes(enc("abc"), enc("abc")));
    assert.ok(!equalBytes(enc("abc"), enc("abd")));
    assert.ok(!equalBytes(enc("abc"), enc("ab")));
  });
});
