/**
 * Redis's HyperLogLog representation (hyperloglog.c), byte for byte: a 16-byte header
 * (`HYLL`, the encoding, three unused bytes, the cached cardinality little endian with its
 * "invalid" bit in the top bit of the last byte), then 16384 six-bit registers, dense
 * (12288 bytes) or sparse (ZERO / XZERO / VAL opcodes, in `hll_sparse.ts`). Elements are
 * hashed with MurmurHash64A (seed 0xadc83b19) on 32-bit halves; the cardinality is Redis 7's
 * estimator (Ertl's improved estimator: `hllTau` / `hllSigma`).
 *
 * @module
 */

/** Registers' index bits (HLL_P). */
export const HLL_P: number = 14;
/** Number of registers (HLL_REGISTERS). */
export const HLL_REGISTERS: number = 1 << HLL_P;
/** Header size (HLL_HDR_SIZE). */
export const HLL_HDR_SIZE: number = 16;
/** Size of a dense HLL string (HLL_DENSE_SIZE). */
export const HLL_DENSE_SIZE: number = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
/** Encoding byte values. */
export const HLL_DENSE: number = 0, HLL_SPARSE: number = 1;
const HLL_Q = 64 - HLL_P;
const ALPHA_INF = 0.721347520444481703680;

const M_HI = 0xc6a4a793, M_LO = 0x5bd1e995;
const M0 = M_LO & 0xffff, M1 = M_LO >>> 16;
/** The last product or hash: [high 32 bits, low 32 bits] (a typed array: no boxed doubles). */
const R = new Uint32Array(2);

/** (aHi:aLo) * m mod 2^64 into R. */
function mulM(aHi: number, aLo: number): void {
  const a0 = aLo & 0xffff, a1 = aLo >>> 16;
  const p00 = a0 * M0, p01 = a0 * M1, p10 = a1 * M0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  R[1] = Math.imul(aLo, M_LO);
  R[0] = a1 * M1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(aHi, M_LO) +
    Math.imul(aLo, M_HI);
}

/**
 * MurmurHash64A of `data` with Redis's seed, as [high 32 bits, low 32 bits].
 *
 * @example
 * ```ts
 * import { murmurHash64A } from "./hll.ts";
 *
 * murmurHash64A(new TextEncoder().encode("a")); // two uint32 halves
 * ```
 */
export function murmurHash64A(data: Uint8Array): [number, number] {
  hash(data);
  return [R[0], R[1]];
}

function hash(data: Uint8Array): void {
  const len = data.length;
  mulM(0, len);
  let hHi = R[0], hLo = (R[1] ^ 0xadc83b19) >>> 0;
  const whole = len - (len & 7);
  let i = 0;
  for (; i < whole; i += 8) {
    mulM(
      data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24),
      data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24),
    );
    const kHi = R[0];
    mulM(kHi, R[1] ^ (kHi >>> 15));
    mulM(hHi ^ R[0], hLo ^ R[1]);
    hHi = R[0];
    hLo = R[1];
  }
  const rest = len & 7;
  if (rest > 0) {
    if (rest >= 7) hHi ^= data[i + 6] << 16;
    if (rest >= 6) hHi ^= data[i + 5] << 8;
    if (rest >= 5) hHi ^= data[i + 4];
    if (rest >= 4) hLo ^= data[i + 3] << 24;
    if (rest >= 3) hLo ^= data[i + 2] << 16;
    if (rest >= 2) hLo ^= data[i + 1] << 8;
    hLo ^= data[i];
    mulM(hHi, hLo);
    hHi = R[0];
    hLo = R[1];
  }
  mulM(hHi, hLo ^ (hHi >>> 15));
  R[1] ^= R[0] >>> 15;
}

/** Register index of the last {@link patternLength} call. */
export let patternIndex: number = 0;

/**
 * Redis's `hllPatLen`: hashes `element`, sets {@link patternIndex} to its register and
 * returns the run length of zeros + 1 (1..51) that the register may take.
 *
 * @example
 * ```ts
 * import { patternLength } from "./hll.ts";
 *
 * patternLength(new TextEncoder().encode("a")); // between 1 and 51
 * ```
 */
export function patternLength(element: Uint8Array): number {
  hash(element);
  const lo = R[1], hi = R[0];
  patternIndex = lo & (HLL_REGISTERS - 1);
  const low = lo >>> HLL_P;
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (hi !== 0) return 32 - HLL_P + 32 - Math.clz32(hi & -hi);
  return HLL_Q + 1;
}

/** Dense register `index` of the HLL string `bytes` (header included). */
export function denseGet(bytes: Uint8Array, index: number): number {
  const bit = index * 6;
  const at = HLL_HDR_SIZE + (bit >>> 3), shift = bit & 7;
  return ((bytes[at] >> shift) | ((bytes[at + 1] ?? 0) << (8 - shift))) & 63;
}

/** Sets dense register `index` to `value` if larger; true when it changed (hllDenseSet). */
export function denseSet(bytes: Uint8Array, index: number, value: number): boolean {
  const bit = index * 6;
  const at = HLL_HDR_SIZE + (bit >>> 3), shift = bit & 7;
  const old = ((bytes[at] >> shift) | ((bytes[at + 1] ?? 0) << (8 - shift))) & 63;
  if (value <= old) return false;
  bytes[at] = (bytes[at] & ~(63 << shift)) | (value << shift);
  if (at + 1 < bytes.length) {
    bytes[at + 1] = (bytes[at + 1] & ~(63 >> (8 - shift))) | (value >> (8 - shift));
  }
  return true;
}

/** Sets dense register `index` to `value` unconditionally (HLL_DENSE_SET_REGISTER). */
export function denseWrite(bytes: Uint8Array, index: number, value: number): void {
  const bit = index * 6;
  const at = HLL_HDR_SIZE + (bit >>> 3), shift = bit & 7;
  bytes[at] = (bytes[at] & ~(63 << shift)) | (value << shift);
  if (at + 1 < bytes.length) {
    bytes[at + 1] = (bytes[at + 1] & ~(63 >> (8 - shift))) | (value >> (8 - shift));
  }
}

/**
 * Whether `bytes` is a HyperLogLog string as Redis's `isHLLObjectOrReply` checks it: at
 * least a header, `HYLL`, a known encoding, and the exact size when dense.
 *
 * @example
 * ```ts
 * import { isHll } from "./hll.ts";
 *
 * isHll(new TextEncoder().encode("HYLL")); // false: no whole header
 * ```
 */
export function isHll(bytes: Uint8Array): boolean {
  if (bytes.length < HLL_HDR_SIZE) return false;
  if (bytes[0] !== 72 || bytes[1] !== 89 || bytes[2] !== 76 || bytes[3] !== 76) return false;
  if (bytes[4] > HLL_SPARSE) return false;
  return bytes[4] !== HLL_DENSE || bytes.length === HLL_DENSE_SIZE;
}

/** Marks the cached cardinality invalid (HLL_INVALIDATE_CACHE). */
export function invalidateCache(bytes: Uint8Array): void {
  bytes[15] |= 0x80;
}

/** The cached cardinality, or undefined when invalid (HLL_VALID_CACHE). */
export function cachedCardinality(bytes: Uint8Array): number | bigint | undefined {
  if (bytes[15] & 0x80) return undefined;
  const lo = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
  const hi = (bytes[12] | (bytes[13] << 8) | (bytes[14] << 16) | (bytes[15] << 24)) >>> 0;
  if (hi < 1 << 21) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes a valid cached cardinality. */
export function setCachedCardinality(bytes: Uint8Array, card: number): void {
  let lo = card % 4294967296, hi = Math.floor(card / 4294967296);
  for (let i = 8; i < 12; i++, lo = Math.floor(lo / 256)) bytes[i] = lo & 0xff;
  for (let i = 12; i < 16; i++, hi = Math.floor(hi / 256)) bytes[i] = hi & 0xff;
}

/** Adds the dense registers of `bytes` to `histogram`. */
function denseHistogram(bytes: Uint8Array, histogram: Int32Array): void {
  let r = HLL_HDR_SIZE;
  for (let j = 0; j < HLL_REGISTERS / 4; j++, r += 3) {
    const b0 = bytes[r], b1 = bytes[r + 1], b2 = bytes[r + 2];
    histogram[b0 & 63]++;
    histogram[((b0 >> 6) | (b1 << 2)) & 63]++;
    histogram[((b1 >> 4) | (b2 << 4)) & 63]++;
    histogram[(b2 >> 2) & 63]++;
  }
}

/**
 * Adds the sparse registers of `bytes` to `histogram`; false when they do not cover exactly
 * 16384 registers (a corrupted value).
 */
function sparseHistogram(bytes: Uint8Array, histogram: Int32Array): boolean {
  let index = 0;
  for (let p = HLL_HDR_SIZE; p < bytes.length;) {
    const b = bytes[p];
    if ((b & 0xc0) === 0) {
      const run = (b & 0x3f) + 1;
      index += run;
      histogram[0] += run;
      p++;
    } else if ((b & 0xc0) === 0x40) {
      const run = (((b & 0x3f) << 8) | (bytes[p + 1] ?? 0)) + 1;
      index += run;
      histogram[0] += run;
      p += 2;
    } else {
      const run = (b & 3) + 1;
      index += run;
      histogram[((b >> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return index === HLL_REGISTERS;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Redis's `hllCount` over a register histogram. */
function estimate(histogram: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  return Math.round(ALPHA_INF * m * m / z);
}

/**
 * The estimated cardinality of the HLL string `bytes` (dense or sparse), or undefined when a
 * sparse value is corrupted.
 *
 * @example
 * ```ts
 * import { createHll, hllCount } from "./hll.ts";
 *
 * hllCount(createHll()); // 0
 * ```
 */
export function hllCount(bytes: Uint8Array): number | undefined {
  const histogram = new Int32Array(64);
  if (bytes[4] === HLL_DENSE) denseHistogram(bytes, histogram);
  else if (!sparseHistogram(bytes, histogram)) return undefined;
  return estimate(histogram);
}

/**
 * The cardinality of raw registers (one byte each), as PFCOUNT of several keys estimates
 * their union.
 *
 * @example
 * ```ts
 * import { rawCount } from "./hll.ts";
 *
 * rawCount(new Uint8Array(16384)); // 0
 * ```
 */
export function rawCount(registers: Uint8Array): number {
  const histogram = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]]++;
  return estimate(histogram);
}

/**
 * Redis's `hllMerge`: raises `max` (one byte per register) to the registers of the HLL string
 * `bytes`; false when a sparse value is corrupted.
 *
 * @example
 * ```ts
 * import { createHll, mergeRegisters } from "./hll.ts";
 *
 * mergeRegisters(new Uint8Array(16384), createHll()); // true
 * ```
 */
export function mergeRegisters(max: Uint8Array, bytes: Uint8Array): boolean {
  if (bytes[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(bytes, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  let i = 0;
  for (let p = HLL_HDR_SIZE; p < bytes.length;) {
    const b = bytes[p];
    if ((b & 0xc0) === 0) {
      i += (b & 0x3f) + 1;
      p++;
    } else if ((b & 0xc0) === 0x40) {
      i += (((b & 0x3f) << 8) | (bytes[p + 1] ?? 0)) + 1;
      p += 2;
    } else {
      let run = (b & 3) + 1;
      const value = ((b >> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) return false;
      while (run--) {
        if (value > max[i]) max[i] = value;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/**
 * Redis's `hllSparseToDense`: the dense string of a sparse one (header copied, encoding
 * changed), or undefined when the sparse opcodes are corrupted (a run past the last register
 * included, as redis-server 7.0.15 with the CVE-2025-32023 fix checks). A dense value is returned as
 * is.
 *
 * @example
 * ```ts
 * import { createHll, sparseToDense } from "./hll.ts";
 *
 * sparseToDense(createHll())!.length; // 12304
 * ```
 */
export function sparseToDense(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes[4] === HLL_DENSE) return bytes;
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  dense.set(bytes.subarray(0, HLL_HDR_SIZE));
  dense[4] = HLL_DENSE;
  let index = 0;
  for (let p = HLL_HDR_SIZE; p < bytes.length;) {
    const b = bytes[p];
    if ((b & 0xc0) === 0) {
      index += (b & 0x3f) + 1;
      p++;
    } else if ((b & 0xc0) === 0x40) {
      index += (((b & 0x3f) << 8) | (bytes[p + 1] ?? 0)) + 1;
      p += 2;
    } else {
      let run = (b & 3) + 1;
      const value = ((b >> 2) & 0x1f) + 1;
      if (run + index > HLL_REGISTERS) return undefined;
      while (run--) denseWrite(dense, index++, value);
      p++;
    }
  }
  return index === HLL_REGISTERS ? dense : undefined;
}

/**
 * A new empty HLL string as Redis's `createHLLObject` makes it: sparse, one XZERO opcode
 * covering every register.
 *
 * @example
 * ```ts
 * import { createHll } from "./hll.ts";
 *
 * createHll().length; // 18
 * ```
 */
export function createHll(): Uint8Array {
  const bytes = new Uint8Array(HLL_HDR_SIZE + 2);
  bytes.set([72, 89, 76, 76, HLL_SPARSE]);
  bytes[16] = 0x40 | ((HLL_REGISTERS - 1) >> 8);
  bytes[17] = (HLL_REGISTERS - 1) & 0xff;
  return bytes;
}
