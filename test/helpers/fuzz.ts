/**
 * A seeded, bounded fuzz toolkit shared by the fuzz tests and the long fuzz run: a small PRNG,
 * generators of valid requests (multibulk and inline with random quoting) whose argv and
 * replies are known, generators of RESP3 reply values, and mutators (flipped, dropped,
 * repeated bytes, truncations, huge and negative lengths, deep nesting, quote damage).
 *
 * Every run prints its seed; set `FUZZ_SEED=<n>` to replay it and `FUZZ_ITERATIONS=<n>` to
 * change the number of cases (`RELIABILITY_FULL=1` multiplies the CI default by 20).
 */
import process from "node:process";
import { encodeCommand, Writer } from "../../src/resp/writer.ts";

/** A fast seeded PRNG (sfc32 seeded through splitmix32). */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = split();
    this.#b = split();
    this.#c = split();
    this.#d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** A length skewed towards small values (most 0..16, some up to `max`). */
  size(max: number): number {
    const r = this.int(10);
    if (r < 6) return this.int(Math.min(17, max + 1));
    if (r < 9) return this.int(Math.min(257, max + 1));
    return this.int(max + 1);
  }
}

/** The seed of this run: FUZZ_SEED, or a random one. Printed so that a failure can be replayed. */
export function fuzzSeed(name: string): number {
  const fromEnv = process.env.FUZZ_SEED;
  const seed = fromEnv !== undefined && fromEnv !== ""
    ? Number(fromEnv) >>> 0
    : (Math.random() * 4294967296) >>> 0;
  console.log(`[fuzz] ${name}: seed=${seed} (replay with FUZZ_SEED=${seed})`);
  return seed;
}

/** Number of cases: FUZZ_ITERATIONS, else the CI default (x20 with RELIABILITY_FULL=1). */
export function fuzzIterations(ciDefault: number): number {
  const fromEnv = Number(process.env.FUZZ_ITERATIONS);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return Math.floor(fromEnv);
  return process.env.RELIABILITY_FULL === "1" ? ciDefault * 20 : ciDefault;
}

/** Whether the heavy settings are asked for. */
export const FULL: boolean = process.env.RELIABILITY_FULL === "1";

const encoder = new TextEncoder();

/** Bytes of a latin1 string (one byte per char). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One generated request: its encoding, the argv a correct decoder returns, and its reply. */
export interface GeneratedRequest {
  bytes: Uint8Array;
  argv: Uint8Array[];
  /** The exact RESP2 reply bytes of our server and of redis-server. */
  reply: Uint8Array;
  inline: boolean;
}

function bulkReply(bytes: Uint8Array): Uint8Array {
  return concatBytes([encoder.encode(`$${bytes.length}\r\n`), bytes, encoder.encode("\r\n")]);
}

/** Random argument bytes: printable words, binary junk, or protocol-looking text. */
export function randomArg(rng: Rng, max = 64): Uint8Array {
  switch (rng.int(4)) {
    case 0:
      return encoder.encode(rng.pick(["", "x", "hallo", "*1", "$-1", "\r\n", "a b", '"q"', "'"]));
    case 1:
      return rng.bytes(rng.size(max));
    default: {
      const n = rng.size(max);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = 33 + rng.int(94);
      return out;
    }
  }
}

/** Random case of an ASCII command name. */
function randomCase(rng: Rng, name: string): string {
  let out = "";
  for (const c of name) out += rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase();
  return out;
}

function hex(rng: Rng, b: number): string {
  const h = b.toString(16).padStart(2, "0");
  return rng.chance(0.5) ? h.toUpperCase() : h;
}

/**
 * Encodes `arg` as one inline token with random quoting that `sdssplitargs` turns back into
 * exactly `arg`; undefined when no quoting can carry it (a NUL or newline byte cannot be sent
 * raw, but "\x00" / "\n" escapes can, so double quotes always work).
 */
function inlineToken(rng: Rng, arg: Uint8Array): string {
  let plainOk = arg.length > 0;
  let singleOk = true;
  for (const b of arg) {
    if (b <= 32 || b === 34 || b === 39 || b === 127) plainOk = false;
    if (b === 0 || b === 10 || b === 13 || b === 92) singleOk = false;
  }
  const mode = rng.int(3);
  if (mode === 0 && plainOk) {
    let s = "";
    for (const b of arg) s += String.fromCharCode(b);
    return s;
  }
  if (mode === 1 && singleOk) {
    let s = "'";
    for (const b of arg) s += b === 39 ? "\\'" : String.fromCharCode(b);
    return s + "'";
  }
  let s = '"';
  for (const b of arg) {
    if (b === 34) s += '\\"';
    else if (b === 92) s += "\\\\";
    else if (b === 10) s += rng.chance(0.5) ? "\\n" : "\\x" + hex(rng, b);
    else if (b === 13) s += "\\r";
    else if (b === 9) s += rng.chance(0.5) ? "\\t" : "\t";
    else if (b === 8) s += "\\b";
    else if (b === 7) s += "\\a";
    else if (b < 32 || b >= 127 || rng.chance(0.05)) s += "\\x" + hex(rng, b);
    else s += String.fromCharCode(b);
  }
  return s + '"';
}

/**
 * A valid request whose reply is known for both our server and redis-server: ECHO <arg>,
 * PING, PING <arg>, as multibulk or as an inline line with random spacing and quoting.
 */
export function randomRequest(rng: Rng, maxArg = 64): GeneratedRequest {
  const kind = rng.int(3);
  const name = randomCase(rng, kind === 0 ? "ping" : "echo");
  let argv: Uint8Array[];
  let reply: Uint8Array;
  if (kind === 0) {
    argv = [encoder.encode(name)];
    reply = encoder.encode("+PONG\r\n");
  } else {
    const arg = randomArg(rng, maxArg);
    argv = [encoder.encode(kind === 1 ? name : randomCase(rng, "ping")), arg];
    reply = bulkReply(arg);
  }
  const inline = rng.chance(0.4);
  if (!inline) return { bytes: encodeCommand(argv), argv, reply, inline };
  const spaces = () => rng.pick([" ", " ", "  ", "\t", " \t "]);
  let line = rng.chance(0.2) ? spaces() : "";
  for (let i = 0; i < argv.length; i++) {
    if (i > 0) line += spaces();
    line += inlineToken(rng, argv[i]);
  }
  if (rng.chance(0.2)) line += spaces();
  line += rng.chance(0.8) ? "\r\n" : "\n";
  return { bytes: latin1Bytes(line), argv, reply, inline };
}

/** A stream of valid requests with each one's end offset. */
export interface RequestStream {
  requests: GeneratedRequest[];
  bytes: Uint8Array;
  /** `ends[i]` = offset just after request i. */
  ends: number[];
}

/** `count` random valid requests, concatenated. */
export function randomStream(rng: Rng, count: number, maxArg = 64): RequestStream {
  const requests: GeneratedRequest[] = [];
  const ends: number[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const r = randomRequest(rng, maxArg);
    requests.push(r);
    at += r.bytes.length;
    ends.push(at);
  }
  return { requests, bytes: concatBytes(requests.map((r) => r.bytes)), ends };
}

/** A mutated stream and the first offset at which it differs from the original. */
export interface Mutation {
  bytes: Uint8Array;
  /** First changed offset (bytes before it are intact); the stream length if unchanged. */
  at: number;
  kind: string;
}

const NASTY_NUMBERS = [
  "-1",
  "-2",
  "-0",
  "0",
  "00",
  "+5",
  " 5",
  "5 ",
  "2147483647",
  "2147483648",
  "4294967296",
  "536870912",
  "536870913",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775809",
  "99999999999999999999999",
  "1e3",
  "0x10",
  "",
  "abc",
];

/** One random damage applied to `input` (never to an empty stream). */
export function mutate(rng: Rng, input: Uint8Array): Mutation {
  const n = input.length;
  const at = rng.int(n + 1);
  const before = input.subarray(0, at);
  const after = input.subarray(at);
  const kinds = [
    "flip",
    "byte",
    "drop",
    "repeat",
    "insert",
    "truncate",
    "length",
    "nest",
    "quote",
    "nul",
  ];
  const kind = rng.pick(kinds);
  const done = (bytes: Uint8Array, first = at): Mutation => {
    // Where the result really starts to differ (a "change" may rewrite a byte to itself).
    let i = 0;
    const limit = Math.min(first, bytes.length, n);
    while (i < limit && bytes[i] === input[i]) i++;
    return { bytes, at: i, kind };
  };
  switch (kind) {
    case "flip": {
      if (at >= n) return done(input.slice(), n);
      const out = input.slice();
      out[at] ^= 1 << rng.int(8);
      return done(out);
    }
    case "byte": {
      if (at >= n) return done(input.slice(), n);
      const out = input.slice();
      out[at] = rng.pick([0, 10, 13, 32, 34, 36, 39, 42, 45, 48, 57, 92, 255, rng.int(256)]);
      return done(out);
    }
    case "drop":
      return done(concatBytes([before, after.subarray(1 + rng.size(8))]));
    case "repeat": {
      const piece = after.subarray(0, 1 + rng.size(16));
      const times = 1 + rng.int(rng.chance(0.1) ? 2000 : 4);
      return done(concatBytes([before, ...Array(times).fill(piece), after]));
    }
    case "insert":
      return done(concatBytes([before, rng.bytes(1 + rng.size(32)), after]));
    case "truncate":
      return done(input.slice(0, at), at);
    case "length": {
      const header = rng.pick(["*", "$", "$", "*"]);
      const text = `${header}${rng.pick(NASTY_NUMBERS)}${rng.pick(["\r\n", "\r\n", "\n", "\r"])}`;
      return done(concatBytes([before, latin1Bytes(text), after]));
    }
    case "nest": {
      const depth = 1 + rng.int(rng.chance(0.2) ? 100000 : 64);
      return done(concatBytes([before, latin1Bytes("*1\r\n".repeat(depth)), after]));
    }
    case "quote": {
      const junk = rng.pick(['"', "'", '"abc', "'abc", '"x"y', "'x'y", '"\\x4', '"\\', "\\'"]);
      const text = `ECHO ${junk}${rng.chance(0.5) ? "\r\n" : ""}`;
      return done(concatBytes([before, latin1Bytes(text), after]));
    }
    default: // "nul"
      return done(concatBytes([before, new Uint8Array(1 + rng.int(3)), after]));
  }
}

/** Splits `bytes` into random chunks (sometimes 1 byte each, sometimes one chunk). */
export function randomChunks(rng: Rng, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const style = rng.int(4);
  if (style === 0 || bytes.length === 0) return [bytes.slice()];
  let at = 0;
  while (at < bytes.length) {
    const size = style === 1 ? 1 : style === 2 ? 1 + rng.int(8) : 1 + rng.size(4096);
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  return out;
}

/** A random RESP3 value that survives an encode/decode round trip. */
export function randomValue(rng: Rng, depth = 0): unknown {
  const leaf = depth >= 4 || rng.chance(0.55);
  if (leaf) {
    switch (rng.int(8)) {
      case 0:
        return rng.range(-1000000, 1000000);
      case 1:
        return rng.pick([0.5, -1.25, 1e300, Infinity, -Infinity, 3.141592653589793]);
      case 2:
        return rng.chance(0.5);
      case 3:
        return null;
      case 4:
        return BigInt("123456789012345678901234567890") * BigInt(rng.range(-3, 3));
      default: {
        const bytes = randomArg(rng, 40);
        let s = "";
        for (const b of bytes) s += String.fromCharCode(b & 0x7f);
        return s;
      }
    }
  }
  const n = rng.int(5);
  switch (rng.int(3)) {
    case 0:
      return Array.from({ length: n }, () => randomValue(rng, depth + 1));
    case 1: {
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) map.set(`k${i}`, randomValue(rng, depth + 1));
      return map;
    }
    default:
      return new Set(Array.from({ length: n }, (_, i) => `m${i}`));
  }
}

/** Encodes values as RESP3 replies with their end offsets. */
export function encodeValues(values: readonly unknown[]): { bytes: Uint8Array; ends: number[] } {
  const writer = new Writer();
  writer.protocol = 3;
  const parts: Uint8Array[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const v of values) {
    writer.value(v);
    const bytes = writer.take();
    parts.push(bytes);
    at += bytes.length;
    ends.push(at);
  }
  return { bytes: concatBytes(parts), ends };
}

/** Texts a request decoder may throw (Redis 7.0's protocol errors). */
export const PROTOCOL_ERRORS: readonly RegExp[] = [
  /^Protocol error: too big inline request$/,
  /^Protocol error: unbalanced quotes in request$/,
  /^Protocol error: too big mbulk count string$/,
  /^Protocol error: invalid multibulk length$/,
  /^Protocol error: too big bulk count string$/,
  /^Protocol error: expected '\$', got '[\s\S]'$/,
  /^Protocol error: invalid bulk length$/,
  /^Protocol error: unauthenticated multibulk length$/,
  /^Protocol error: unauthenticated bulk length$/,
];

/** Whether `message` is one of Redis's request protocol errors. */
export function isProtocolErrorText(message: string): boolean {
  return PROTOCOL_ERRORS.some((re) => re.test(message));
}

/** Readable form of bytes for failure messages (escapes, truncated). */
export function show(bytes: Uint8Array, max = 300): string {
  let s = "";
  for (let i = 0; i < bytes.length && i < max; i++) {
    const b = bytes[i];
    if (b === 13) s += "\\r";
    else if (b === 10) s += "\\n";
    else if (b === 92) s += "\\\\";
    else if (b >= 32 && b < 127) s += String.fromCharCode(b);
    else s += "\\x" + b.toString(16).padStart(2, "0");
  }
  return bytes.length > max ? `${s}... (${bytes.length} bytes)` : s;
}
