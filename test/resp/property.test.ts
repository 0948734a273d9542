/**
 * Property tests with a seeded PRNG (mulberry32). Set RESP_SEED to replay a failure; the
 * seed is printed in every assertion message.
 * - random nested RESP3 values, written with the Writer (some aggregates and strings in
 *   their streamed forms), decode back equal under random chunkings, byte by byte too;
 * - random JS values through Writer.value() in RESP3 and RESP2 (Redis's downgrades);
 * - random inline lines against a small independent splitter, and random pipelines of
 *   inline and multibulk commands under random chunkings.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { normalize } from "../helpers/resp_normalize.ts";
import {
  Attributed,
  encodeCommand,
  formatDouble,
  ProtocolError,
  Push,
  ReplyDecoder,
  ReplyError,
  RequestDecoder,
  type RespValue,
  VerbatimString,
  Writer,
} from "../../src/resp/mod.ts";

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  ?.env;
const BASE_SEED = env?.RESP_SEED ? Number(env.RESP_SEED) : (Math.random() * 2 ** 31) >>> 0;

/** Runs `body` for `runs` seeds; failures name the seed to replay with RESP_SEED. */
function forSeeds(runs: number, body: (random: () => number, seed: number) => void): void {
  for (let i = 0; i < runs; i++) {
    const seed = (BASE_SEED + i) >>> 0;
    try {
      body(mulberry32(seed), seed);
    } catch (error) {
      if (error instanceof Error) error.message = `[RESP_SEED=${seed}] ${error.message}`;
      throw error;
    }
  }
}

const int = (random: () => number, n: number) => Math.floor(random() * n);
const pick = <T>(random: () => number, items: readonly T[]): T => items[int(random, items.length)];

function randomText(random: () => number, max: number): string {
  const alphabet = ["a", "b", "Z", "0", " ", "é", "€", "😀", ":", "-", "$", "*"];
  let out = "";
  const n = int(random, max);
  for (let i = 0; i < n; i++) out += pick(random, alphabet);
  return out;
}

function randomBytes(random: () => number, max: number): Uint8Array {
  const n = random() < 0.05 ? 40000 + int(random, 30000) : int(random, max);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = random() < 0.1 ? pick(random, [13, 10, 0]) : int(random, 256);
  }
  return out;
}

/** A random value as the decoder returns it (bulks as Uint8Array). */
function randomValue(random: () => number, depth: number): RespValue {
  const scalar = depth <= 0 || random() < 0.55;
  if (scalar) {
    switch (int(random, 11)) {
      case 0:
        return randomText(random, 12).replace(/[\r\n]/g, "");
      case 1:
        return randomBytes(random, 30);
      case 2:
        return int(random, 2000) - 1000;
      case 3:
        return pick(random, [
          9007199254740991,
          -9007199254740991,
          9007199254740993n,
          -9223372036854775808n,
          9223372036854775807n,
          0,
        ]);
      case 4: {
        const d = (random() - 0.5) * 10 ** int(random, 40);
        return pick(random, [d, d / 3, Infinity, -Infinity, NaN, -0, 1e-310]);
      }
      case 5:
        return random() < 0.5;
      case 6:
        return null;
      case 7:
        return new ReplyError(
          pick(random, ["ERR ", "WRONGTYPE ", "oops "]) +
            randomText(random, 10).replace(/[\r\n]/g, ""),
          random() < 0.5,
        );
      case 8:
        return new VerbatimString(pick(random, ["txt", "mkd"]), randomText(random, 20));
      case 9:
        return BigInt(int(random, 1e9)) ** BigInt(1 + int(random, 4)) * (random() < 0.5 ? -1n : 1n);
      default:
        return "OK";
    }
  }
  const n = int(random, 5);
  const items = () => Array.from({ length: n }, () => randomValue(random, depth - 1));
  switch (int(random, 6)) {
    case 0:
    case 1:
      return items();
    case 2: {
      const map = new Map<RespValue, RespValue>();
      for (let i = 0; i < n; i++) {
        map.set(randomValue(random, depth - 1), randomValue(random, depth - 1));
      }
      return map;
    }
    case 3:
      return new Set(items());
    case 4:
      return new Push(items());
    default: {
      const attributes = new Map<RespValue, RespValue>();
      for (let i = 0; i < n; i++) attributes.set(`a${i}`, randomValue(random, depth - 1));
      return new Attributed(attributes, randomValue(random, depth - 1));
    }
  }
}

const te = new TextEncoder();

/** Writes `value` with the Writer's typed methods (RESP3), sometimes in streamed form. */
function write(w: Writer, value: RespValue, random: () => number): void {
  const streamed = random() < 0.25;
  if (value === null) w.null();
  else if (typeof value === "string") w.simple(value);
  else if (typeof value === "number") {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) w.integer(value);
    else w.double(value);
  } else if (typeof value === "bigint") {
    // ":" decodes as bigint only beyond the safe range; "(" always decodes as bigint.
    const safe = value >= -9007199254740991n && value <= 9007199254740991n;
    if (!safe && value >= -(2n ** 63n) && value < 2n ** 63n) w.integer(value);
    else w.bigNumber(value);
  } else if (typeof value === "boolean") w.boolean(value);
  else if (value instanceof Uint8Array) {
    if (streamed) {
      w.raw(te.encode("$?\r\n"));
      for (let at = 0; at < value.length;) {
        const size = 1 + int(random, Math.max(1, value.length - at));
        w.raw(te.encode(`;${Math.min(size, value.length - at)}\r\n`));
        w.raw(value.subarray(at, at + size));
        w.raw(te.encode("\r\n"));
        at += size;
      }
      w.raw(te.encode(";0\r\n"));
    } else w.bulk(value);
  } else if (value instanceof ReplyError) {
    if (value.bulk) w.bulkError(value.message);
    else w.error(value.message);
  } else if (value instanceof VerbatimString) w.verbatim(value.text, value.format);
  else if (Array.isArray(value) || value instanceof Set || value instanceof Push) {
    const items = value instanceof Push ? value.items : [...value];
    const type = Array.isArray(value) ? "*" : value instanceof Set ? "~" : ">";
    if (streamed) w.raw(te.encode(`${type}?\r\n`));
    else if (type === "*") w.arrayHeader(items.length);
    else if (type === "~") w.setHeader(items.length);
    else w.pushHeader(items.length);
    for (const item of items) write(w, item, random);
    if (streamed) w.raw(te.encode(".\r\n"));
  } else if (value instanceof Map) {
    if (streamed) w.raw(te.encode("%?\r\n"));
    else w.mapHeader(value.size);
    for (const [k, v] of value) {
      write(w, k, random);
      write(w, v, random);
    }
    if (streamed) w.raw(te.encode(".\r\n"));
  } else if (value instanceof Attributed) {
    w.attributeHeader(value.attributes.size);
    for (const [k, v] of value.attributes) {
      write(w, k, random);
      write(w, v, random);
    }
    write(w, value.value, random);
  }
}

/** Feeds `bytes` in random chunks (or byte by byte) and collects every value. */
function decodeChunked(
  bytes: Uint8Array,
  random: () => number,
  options: { bulkAsString?: boolean } = {},
): RespValue[] {
  const decoder = new ReplyDecoder(options);
  const out: RespValue[] = [];
  const mode = int(random, 3);
  for (let at = 0; at < bytes.length;) {
    const size = mode === 0 ? 1 : mode === 1 ? 1 + int(random, 16) : 1 + int(random, 70000);
    decoder.feed(bytes.subarray(at, at + size));
    at += size;
    for (let v = decoder.next(); v !== undefined; v = decoder.next()) out.push(v);
  }
  assert.equal(decoder.bufferedBytes, 0);
  return out;
}

describe("property: RESP3 values round trip under random chunkings", () => {
  it("300 random streams of nested values", () => {
    forSeeds(300, (random) => {
      const values = Array.from({ length: 1 + int(random, 6) }, () => randomValue(random, 4));
      const writer = new Writer(64);
      writer.protocol = 3;
      for (const value of values) write(writer, value, random);
      const bytes = writer.take();
      assert.deepEqual(decodeChunked(bytes, random).map(normalize), values.map(normalize));
    });
  });
});

/** A random JS value for Writer.value(), and what a bulkAsString decoder returns. */
function randomJs(random: () => number, depth: number, resp: 2 | 3): [unknown, RespValue] {
  if (depth <= 0 || random() < 0.5) {
    switch (int(random, 8)) {
      case 0: {
        const s = randomText(random, 10);
        return [s, s];
      }
      case 1: {
        const n = int(random, 1e6) - 5e5;
        return [n, n];
      }
      case 2: {
        const d = (random() - 0.5) * 1e3 + 0.5;
        return [d, resp === 3 ? d : formatDouble(d)];
      }
      case 3: {
        const b = random() < 0.5;
        return [b, resp === 3 ? b : b ? 1 : 0];
      }
      case 4:
        return [null, null];
      case 5: {
        const big = 2n ** 70n + BigInt(int(random, 1000));
        return [big, resp === 3 ? big : big.toString()];
      }
      case 6: {
        const text = randomText(random, 10);
        return [
          new VerbatimString("txt", text),
          resp === 3 ? new VerbatimString("txt", text) : text,
        ];
      }
      default: {
        const message = "ERR " + randomText(random, 8).replace(/[\r\n]/g, "");
        return [new ReplyError(message), new ReplyError(message)];
      }
    }
  }
  const n = int(random, 4);
  const pairs = Array.from({ length: n }, () => randomJs(random, depth - 1, resp));
  switch (int(random, 5)) {
    case 0:
      return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
    case 1: {
      const keys = pairs.map((_, i) => `k${i}`);
      const js = new Map(pairs.map((p, i) => [keys[i], p[0]]));
      if (resp === 3) return [js, new Map(pairs.map((p, i) => [keys[i], p[1]]))];
      return [js, pairs.flatMap((p, i) => [keys[i], p[1]])];
    }
    case 2: {
      const members = Array.from({ length: n }, (_, i) => `m${i}`);
      return [new Set(members), resp === 3 ? new Set(members) : members];
    }
    case 3:
      return [
        new Push(pairs.map((p) => p[0]) as RespValue[]),
        resp === 3 ? new Push(pairs.map((p) => p[1]) as RespValue[]) : pairs.map((p) => p[1]),
      ];
    default: {
      const [inner, decoded] = randomJs(random, depth - 1, resp);
      const attributes = new Map<RespValue, RespValue>([["x", 1]]);
      return [
        new Attributed(attributes, inner as RespValue),
        resp === 3 ? new Attributed(new Map([["x", 1]]), decoded) : decoded,
      ];
    }
  }
}

describe("property: Writer.value() in RESP3 and RESP2", () => {
  for (const resp of [3, 2] as const) {
    it(`RESP${resp}: 300 random values`, () => {
      forSeeds(300, (random) => {
        const pairs = Array.from({ length: 1 + int(random, 4) }, () => randomJs(random, 3, resp));
        const writer = new Writer(32);
        writer.protocol = resp;
        for (const [js] of pairs) writer.value(js);
        const decoded = decodeChunked(writer.take(), random, { bulkAsString: true });
        assert.deepEqual(decoded.map(normalize), pairs.map((p) => normalize(p[1])));
      });
    });
  }
});

/** An independent sdssplitargs, over a latin-1 string; null for unbalanced quotes. */
function referenceSplit(line: string): string[] | null {
  const at = (k: number) => (k < line.length ? line[k] : "");
  const blank = (ch: string) => ch !== "" && " \t\n\v\f\r".includes(ch);
  const hex = (ch: string) => ch !== "" && "0123456789abcdefABCDEF".includes(ch);
  const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (blank(at(i))) i++;
    if (at(i) === "") return args;
    let token = "";
    let mode: "plain" | "double" | "single" = "plain";
    for (;;) {
      const ch = at(i);
      if (mode === "double") {
        if (ch === "\\" && at(i + 1) === "x" && hex(at(i + 2)) && hex(at(i + 3))) {
          token += String.fromCharCode(parseInt(at(i + 2) + at(i + 3), 16));
          i += 4;
        } else if (ch === "\\" && at(i + 1) !== "") {
          token += escapes[at(i + 1)] ?? at(i + 1);
          i += 2;
        } else if (ch === '"') {
          if (at(i + 1) !== "" && !blank(at(i + 1))) return null;
          i++;
          break;
        } else if (ch === "") return null;
        else {
          token += ch;
          i++;
        }
      } else if (mode === "single") {
        if (ch === "\\" && at(i + 1) === "'") {
          token += "'";
          i += 2;
        } else if (ch === "'") {
          if (at(i + 1) !== "" && !blank(at(i + 1))) return null;
          i++;
          break;
        } else if (ch === "") return null;
        else {
          token += ch;
          i++;
        }
      } else if (ch === "" || " \n\r\t".includes(ch)) break;
      else if (ch === '"') {
        mode = "double";
        i++;
      } else if (ch === "'") {
        mode = "single";
        i++;
      } else {
        token += ch;
        i++;
      }
    }
    args.push(token);
  }
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const fromLatin1 = (b: Uint8Array) => String.fromCharCode(...b);

function randomLine(random: () => number): string {
  const alphabet = [
    "a",
    "b",
    "x",
    "4",
    "F",
    "n",
    " ",
    " ",
    "\t",
    "\v",
    "\f",
    "\r",
    '"',
    '"',
    "'",
    "'",
    "\\",
    "\\",
    "\xe9",
  ];
  let out = "";
  const n = int(random, 16);
  for (let i = 0; i < n; i++) out += pick(random, alphabet);
  return out;
}

describe("property: inline commands split like sdssplitargs", () => {
  it("2000 random lines against an independent splitter", () => {
    forSeeds(2000, (random) => {
      const line = randomLine(random);
      const expected = referenceSplit(line);
      const decoder = new RequestDecoder();
      const bytes = latin1(line + (random() < 0.5 ? "\r\n" : "\n"));
      const chunk = 1 + int(random, bytes.length);
      let got: string[][] = [];
      let error: unknown;
      try {
        for (let at = 0; at < bytes.length; at += chunk) {
          decoder.feed(bytes.subarray(at, at + chunk));
          for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
            got.push(argv.map(fromLatin1));
          }
        }
      } catch (e) {
        error = e;
        got = [];
      }
      if (expected === null) {
        assert.ok(error instanceof ProtocolError, `${JSON.stringify(line)} should fail`);
        assert.equal(error.message, "Protocol error: unbalanced quotes in request");
      } else {
        assert.equal(error, undefined, JSON.stringify(line));
        assert.deepEqual(got, expected.length === 0 ? [] : [expected], JSON.stringify(line));
      }
    });
  });

  it("300 random pipelines of inline and multibulk commands under random chunkings", () => {
    forSeeds(300, (random) => {
      const parts: Uint8Array[] = [];
      const expected: string[][] = [];
      for (let i = 0, n = 1 + int(random, 20); i < n; i++) {
        if (random() < 0.4) {
          let line = randomLine(random);
          while (referenceSplit(line) === null) line = randomLine(random);
          const args = referenceSplit(line)!;
          if (args.length > 0) expected.push(args);
          parts.push(latin1(line + "\r\n"));
        } else {
          const args = Array.from({ length: 1 + int(random, 4) }, () => randomBytes(random, 40));
          expected.push(args.map(fromLatin1));
          parts.push(encodeCommand(args));
        }
      }
      const total = parts.reduce((n, p) => n + p.length, 0);
      const bytes = new Uint8Array(total);
      let offset = 0;
      for (const p of parts) {
        bytes.set(p, offset);
        offset += p.length;
      }
      const decoder = new RequestDecoder();
      // Kept as returned and compared at the end: later input must not change them.
      const got: Uint8Array[][] = [];
      for (let at = 0; at < bytes.length;) {
        const size = random() < 0.3 ? 1 : 1 + int(random, 100000);
        // Each chunk is a buffer of its own (handed over), as adapters deliver them.
        decoder.feed(bytes.slice(at, at + size));
        at += size;
        for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) got.push(argv);
      }
      assert.deepEqual(got.map((argv) => argv.map(fromLatin1)), expected);
      assert.equal(decoder.bufferedBytes, 0);
    });
  });
});
