/**
 * Codec benchmark: our decoders and encoder next to the npm package `redis-parser` on the
 * same input in the same process. Runs on Node (`node --import tsx bench/codec.ts`), Deno
 * (`npx deno run -A bench/codec.ts`) and Bun (`npx bun bench/codec.ts`).
 *
 * Every case decodes a whole pipelined stream per iteration; figures are items per second
 * (commands, replies or values), and the ratio is ours / redis-parser. Request streams are fed
 * three ways: as one buffer, in 64 KiB chunks (what a socket read delivers under load) and in
 * 7-byte fragments (worst case); redis-parser gets the same chunks as Buffers.
 *
 * Optional arguments are case-name filters: `node --import tsx bench/codec.ts requests`.
 * `--write` (only without filters) also writes the table, with the targets (requests
 * at least 2x on Node, nothing below 1x anywhere), to its runtime's section of
 * `bench/README.md` (`codec-node`, `codec-deno`, `codec-bun`).
 */
import { measure } from "mitata";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { encodeCommand, ReplyDecoder, RequestDecoder, Writer } from "../src/resp/mod.ts";
import { table, writeSection } from "./lib/report.ts";

const require = createRequire(import.meta.url);
type AnyParser = { execute(buffer: Buffer): void };
const Parser = require("redis-parser") as new (options: {
  returnReply: (reply: unknown) => void;
  returnError: (error: unknown) => void;
  returnBuffers?: boolean;
}) => AnyParser;

const runtime = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : `node ${(globalThis as { process?: { version?: string } }).process?.version ?? ""}`;

function concat(parts: Uint8Array[]): Uint8Array {
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

function repeat(item: Uint8Array, count: number): Uint8Array {
  return concat(Array.from({ length: count }, () => item));
}

function fragments(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const te = new TextEncoder();

interface Case {
  name: string;
  items: number;
  ours: () => number;
  theirs?: () => number;
}

function requestCase(name: string, stream: Uint8Array, items: number, chunk?: number): Case {
  // Each chunk is a buffer of its own, as a socket delivers it.
  const chunks = chunk ? fragments(stream, chunk).map((c) => c.slice()) : [stream];
  const buffers = chunks.map(asBuffer);
  const decoder = new RequestDecoder();
  let count = 0;
  const parser = new Parser({
    returnReply: () => count++,
    returnError: (e) => {
      throw e;
    },
    returnBuffers: true,
  });
  return {
    name: chunk === undefined
      ? `${name} (one buffer)`
      : chunk >= 1024
      ? `${name} (${chunk / 1024} KiB chunks)`
      : `${name} (${chunk}-byte fragments)`,
    items,
    ours: () => {
      let n = 0;
      for (let i = 0; i < chunks.length; i++) {
        decoder.feed(chunks[i]);
        while (decoder.next() !== undefined) n++;
      }
      if (n !== items) throw new Error(`Decoded ${n} of ${items}`);
      return n;
    },
    theirs: () => {
      count = 0;
      for (let i = 0; i < buffers.length; i++) parser.execute(buffers[i]);
      if (count !== items) throw new Error(`redis-parser decoded ${count} of ${items}`);
      return count;
    },
  };
}

function replyCase(name: string, stream: Uint8Array, items: number, strings = false): Case {
  const buffer = asBuffer(stream);
  const decoder = new ReplyDecoder({ bulkAsString: strings });
  let count = 0;
  const parser = new Parser({
    returnReply: () => count++,
    returnError: () => count++,
    returnBuffers: !strings,
  });
  return {
    name: `${name}${strings ? " (as strings)" : ""}`,
    items,
    ours: () => {
      let n = 0;
      decoder.feed(stream);
      while (decoder.next() !== undefined) n++;
      if (n !== items) throw new Error(`Decoded ${n} of ${items}`);
      return n;
    },
    theirs: () => {
      count = 0;
      parser.execute(buffer);
      if (count !== items) throw new Error(`redis-parser decoded ${count} of ${items}`);
      return count;
    },
  };
}

function encodeCase(name: string, items: number, write: (w: Writer) => void): Case {
  const writer = new Writer();
  writer.protocol = 3;
  return {
    name,
    items,
    ours: () => {
      write(writer);
      return writer.take().length;
    },
  };
}

const value16 = "v".repeat(16);
const set = (size: number, i: number) =>
  encodeCommand(["SET", `key:${String(i).padStart(8, "0")}`, "x".repeat(size)]);
const setStream = (size: number, count: number) =>
  concat(Array.from({ length: count }, (_, i) => set(size, i)));

const requestStreams: Array<[string, Uint8Array, number]> = [
  ["requests: SET 16 B x1000", setStream(16, 1000), 1000],
  ["requests: SET 1 KiB x200", setStream(1024, 200), 200],
  ["requests: SET 64 KiB x16", setStream(65536, 16), 16],
  ["requests: PING x1000", repeat(encodeCommand(["PING"]), 1000), 1000],
];

const bulk16 = te.encode(`$16\r\n${value16}\r\n`);
const array100 = concat([
  te.encode("*100\r\n"),
  ...Array.from(
    { length: 100 },
    (_, i) => te.encode(`$10\r\nmember${String(i).padStart(4, "0")}\r\n`),
  ),
]);
const mib = 1024 * 1024;
const bigBulk = concat([
  te.encode(`$${mib}\r\n`),
  new Uint8Array(mib).fill(120),
  te.encode("\r\n"),
]);

const cases: Case[] = [];
for (const [name, stream, items] of requestStreams) cases.push(requestCase(name, stream, items));
for (const [name, stream, items] of requestStreams) {
  cases.push(requestCase(name, stream, items, 64 * 1024));
}
for (const [name, stream, items] of requestStreams) {
  cases.push(requestCase(name, stream, items, 7));
}
cases.push(
  replyCase("replies: integers x1000", repeat(te.encode(":1234567\r\n"), 1000), 1000),
  replyCase("replies: bulk 16 B x1000", repeat(bulk16, 1000), 1000),
  replyCase("replies: bulk 16 B x1000", repeat(bulk16, 1000), 1000, true),
  replyCase("replies: +OK x1000", repeat(te.encode("+OK\r\n"), 1000), 1000),
  replyCase("replies: errors x1000", repeat(te.encode("-ERR no such key\r\n"), 1000), 1000),
  replyCase("replies: array of 100 bulks x10", repeat(array100, 10), 10),
  replyCase("replies: array of 100 bulks x10", repeat(array100, 10), 10, true),
  replyCase("replies: 1 MiB bulk", bigBulk, 1),
);
const members = Array.from({ length: 100 }, (_, i) => `member${i}`);
const map = new Map(Array.from({ length: 50 }, (_, i) => [`field${i}`, i * 1000]));
cases.push(
  encodeCase("encode: integers x1000", 1000, (w) => {
    for (let i = 0; i < 1000; i++) w.integer(i * 7919);
  }),
  encodeCase("encode: bulk 16 B x1000", 1000, (w) => {
    for (let i = 0; i < 1000; i++) w.bulk(value16);
  }),
  encodeCase("encode: array of 100 bulks x10", 10, (w) => {
    for (let i = 0; i < 10; i++) w.value(members);
  }),
  encodeCase("encode: map of 50 x10 (RESP3)", 10, (w) => {
    for (let i = 0; i < 10; i++) w.value(map);
  }),
);

const argv: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const write = argv.includes("--write");
const args = argv.filter((a) => !a.startsWith("--"));
if (write && args.length > 0) throw new Error("--write records every case: give no filters");
const selected = args.length === 0
  ? cases
  : cases.filter((c) => args.some((a) => c.name.includes(a)));
const runtimeName = runtime.split(" ")[0];
/** The targets: requests at least 2x redis-parser on Node, no case below 1x. */
const targetOf = (name: string): number =>
  runtimeName === "node" && name.startsWith("requests:") ? 2 : 1;

const format = (n: number) =>
  n >= 1e6
    ? `${(n / 1e6).toFixed(2)} M/s`
    : n >= 1e3
    ? `${(n / 1e3).toFixed(1)} K/s`
    : `${n.toFixed(0)} /s`;

console.log(
  `rediserver codec benchmark on ${runtime} (items per second; ratio = ours / redis-parser)`,
);
console.log(
  `${"case".padEnd(60)} ${"ours".padStart(12)} ${"redis-parser".padStart(13)} ${
    "ratio".padStart(7)
  }`,
);
/** Best of `rounds` interleaved measurements (the machine may be shared: take the best). */
const rounds = 5;
const rows: string[][] = [];
for (const c of selected) {
  let ours = Infinity;
  let theirs = Infinity;
  for (let round = 0; round < rounds; round++) {
    ours = Math.min(ours, (await measure(c.ours)).avg);
    if (c.theirs) theirs = Math.min(theirs, (await measure(c.theirs)).avg);
  }
  const oursRate = (c.items * 1e9) / ours;
  let line = `${c.name.padEnd(60)} ${format(oursRate).padStart(12)}`;
  const row = [c.name, format(oursRate), "", "", ""];
  if (c.theirs) {
    const theirsRate = (c.items * 1e9) / theirs;
    const ratio = oursRate / theirsRate;
    line += ` ${format(theirsRate).padStart(13)} ${ratio.toFixed(2).padStart(6)}x`;
    const target = targetOf(c.name);
    row[2] = format(theirsRate);
    row[3] = `${ratio.toFixed(2)}x`;
    row[4] = `>= ${target}x: ${ratio >= target ? "met" : "MISSED"}`;
  }
  rows.push(row);
  console.log(line);
}

if (write) {
  const path = new URL("./README.md", import.meta.url);
  const body = [
    `## Codec on ${runtimeName}: ours vs redis-parser, same input, same process`,
    "",
    `Command: \`${
      runtimeName === "node"
        ? "node --import tsx bench/codec.ts"
        : runtimeName === "deno"
        ? "deno run -A bench/codec.ts"
        : "bun bench/codec.ts"
    } --write\` (${runtime}, ${new Date().toISOString().slice(0, 10)}). Items per second, ` +
    "best of 5 interleaved mitata measurements; ratio = ours / redis-parser.",
    "",
    table([["Case", "Ours", "redis-parser", "Ratio", "Target"], ...rows], [
      "l",
      "r",
      "r",
      "r",
      "l",
    ]),
  ].join("\n");
  writeSection(path.pathname, `codec-${runtimeName}`, body);
  console.log(`Wrote the codec-${runtimeName} section of bench/README.md`);
}
