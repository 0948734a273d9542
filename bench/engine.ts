/**
 * The measurements behind the codec's engine choices (`src/resp/engine.ts`), on the runtime
 * that runs it: Node (`node --import tsx bench/engine.ts`), Deno (`npx deno run -A
 * bench/engine.ts`), Bun (`npx bun bench/engine.ts`). Prints nanoseconds per operation, best
 * of a few mitata measurements; `bench/README.md` ("Codec engine notes") keeps one run.
 *
 * @module
 */
import { measure } from "mitata";

const runtime = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : `node ${(globalThis as { process?: { version?: string } }).process?.version ?? ""}`;

const chunk = new Uint8Array(64 * 1024).map((_, i) => 97 + (i % 26));
const buffer = chunk.buffer;
const fromCharCode = String.fromCharCode;
let sink: unknown;

/** Nanoseconds per call of `run`, which does `per` operations: best of 3. */
async function ns(run: () => void, per: number): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < 3; round++) best = Math.min(best, (await measure(run)).avg);
  return best / per;
}

const N = 1000;
const cases: [string, () => void][] = [
  ["16-byte argument: fresh array, byte loop", () => {
    for (let k = 0; k < N; k++) {
      const at = (k * 16) & 0xffff;
      const out = new Uint8Array(16);
      for (let j = 0; j < 16; j++) out[j] = chunk[at + j];
      sink = out;
    }
  }],
  ["16-byte argument: view, subarray", () => {
    for (let k = 0; k < N; k++) {
      const at = (k * 16) & 0xffff;
      sink = chunk.subarray(at, at + 16);
    }
  }],
  ["16-byte argument: view, constructor on the buffer", () => {
    for (let k = 0; k < N; k++) sink = new Uint8Array(buffer, (k * 16) & 0xffff, 16);
  }],
  ["chunk.buffer getter", () => {
    for (let k = 0; k < N; k++) sink = chunk.buffer;
  }],
  ["16-byte string: fromCharCode, 16 arguments", () => {
    for (let k = 0; k < N; k++) {
      const b = chunk, s = (k * 16) & 0xffff;
      sink = fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
        b[s + 14],
        b[s + 15],
      );
    }
  }],
  ["16-byte string: fromCharCode.apply on a view", () => {
    for (let k = 0; k < N; k++) {
      const s = (k * 16) & 0xffff;
      sink = fromCharCode.apply(null, chunk.subarray(s, s + 16) as unknown as number[]);
    }
  }],
  ["error with a stack", () => {
    for (let k = 0; k < N / 10; k++) sink = new Error("ERR wrong");
  }],
  ["error, Error.stackTraceLimit = 0", () => {
    const error = Error as { stackTraceLimit?: number };
    const limit = error.stackTraceLimit;
    for (let k = 0; k < N / 10; k++) {
      error.stackTraceLimit = 0;
      sink = new Error("ERR wrong");
      error.stackTraceLimit = limit;
    }
  }],
];

console.log(`codec engine notes on ${runtime} (ns per operation, best of 3)`);
for (const [name, run] of cases) {
  const per = name.startsWith("error") ? N / 10 : N;
  console.log(`${name.padEnd(52)} ${(await ns(run, per)).toFixed(1).padStart(8)} ns`);
}
void sink;
