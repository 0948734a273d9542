/**
 * Pipelined differential checks for the bitmap, HyperLogLog and geo tests: many commands sent
 * in one write to our server and to redis-server, replies compared one by one (decoded, for a
 * readable failure naming the command) and then byte for byte. Use it instead of, not mixed
 * with, the Differential's own methods on the same connection pair.
 */
import assert from "node:assert/strict";
import { encodeCommand } from "../../src/resp/writer.ts";
import { type Differential, show, toPlain } from "../helpers/redis_oracle.ts";

/** One command line. */
export type Line = ReadonlyArray<string | number | Uint8Array>;

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

function describe(line: Line): string {
  return line.map((a) => typeof a === "object" ? `<${show(a)}>` : String(a)).join(" ");
}

/** Sends `lines` to both servers in pipelined chunks and asserts identical replies. */
export async function batch(d: Differential, lines: readonly Line[], chunk = 200): Promise<void> {
  for (let i = 0; i < lines.length; i += chunk) {
    const part = lines.slice(i, i + chunk);
    const request = concat(part.map((line) => encodeCommand([...line])));
    const ours0 = d.ours.allBytes().length, oracle0 = d.oracle.allBytes().length;
    d.ours.write(request);
    d.oracle.write(request);
    const [x, y] = await Promise.all([d.ours.read(part.length), d.oracle.read(part.length)]);
    for (let k = 0; k < part.length; k++) {
      assert.deepEqual(
        toPlain(x[k]),
        toPlain(y[k]),
        `RESP${d.protocol} ${describe(part[k])}: ours (actual) vs redis (expected)`,
      );
    }
    const ours = d.ours.allBytes().subarray(ours0), oracle = d.oracle.allBytes().subarray(oracle0);
    assert.equal(show(ours), show(oracle), `RESP${d.protocol} bytes of ${part.length} replies`);
  }
}

/** A seeded PRNG (mulberry32): the same sequence on every runtime. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
