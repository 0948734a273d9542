/**
 * PFSELFTEST (Redis's `pfselftestCommand`): dense registers read back what was written, and
 * a sparse HLL fed ten million elements agrees with a dense one at every power of ten and
 * stays within the expected error.
 *
 * @module
 */

import {
  createHll,
  denseGet,
  denseSet,
  denseWrite,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllCount,
  patternIndex,
  patternLength,
} from "./hll.ts";
import { hllResult, hllSet, writableHll } from "./hll_sparse.ts";

/**
 * Runs the self test; undefined when it passes, else Redis's `TESTFAILED ...` error text.
 *
 * @example
 * ```ts
 * import { hllSelfTest } from "./hll_selftest.ts";
 *
 * // Ten million additions: a few seconds.
 * const selfTest: (sparseMaxBytes: number) => string | undefined = hllSelfTest;
 * ```
 */
export function hllSelfTest(sparseMaxBytes: number): string | undefined {
  let seed = (Date.now() ^ 0x5bd1e995) >>> 0;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = random() & 63;
      expected[i] = r;
      denseWrite(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = denseGet(dense, i);
      if (value !== expected[i]) {
        return `TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`;
      }
    }
  }
  dense.fill(0, 16);
  let sparse = writableHll(createHll());
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = random() ^ (random() << 8), seedHi = random() ^ (random() << 8);
  const element = new Uint8Array(8);
  const view = new DataView(element.buffer);
  view.setUint32(4, seedHi >>> 0, true);
  let checkpoint = 1;
  for (let j = 1; j <= 10_000_000; j++) {
    view.setUint32(0, (j ^ seedLo) >>> 0, true);
    const count = patternLength(element);
    const index = patternIndex;
    denseSet(dense, index, count);
    hllSet(sparse, index, count, sparseMaxBytes);
    sparse = hllResult;
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse[4] !== HLL_SPARSE) {
      return "TESTFAILED sparse encoding not used";
    }
    const card = hllCount(dense)!;
    if (card !== hllCount(sparse)) return "TESTFAILED dense/sparse disagree";
    const abserr = Math.abs(checkpoint - card);
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return undefined;
}
