/**
 * Updates of HyperLogLog strings as Redis's `hllSparseSet` / `hllAdd` make them, opcode for
 * opcode: a register set in the sparse encoding splits the run that holds it into at most
 * five opcodes, merges equal neighbouring VAL runs, and promotes the value to dense when a
 * register exceeds 32 or the string would outgrow `hll-sparse-max-bytes`. Strings grow
 * inside buffers with spare capacity, like sds, so most updates copy nothing.
 *
 * @module
 */

import {
  denseSet,
  HLL_DENSE,
  HLL_HDR_SIZE,
  invalidateCache,
  patternIndex,
  patternLength,
  sparseToDense,
} from "./hll.ts";

/** Redis's default `hll-sparse-max-bytes`. */
export const HLL_SPARSE_MAX_BYTES: number = 3000;

/** Buffers made here: a view of one from offset 0 may grow up to the buffer's end. */
const ownBuffers = new WeakSet<ArrayBufferLike>();

/**
 * A copy of the HLL string `bytes` that {@link hllAdd} and {@link hllSet} may change in place.
 *
 * @example
 * ```ts
 * import { createHll } from "./hll.ts";
 * import { writableHll } from "./hll_sparse.ts";
 *
 * writableHll(createHll()).length; // 18
 * ```
 */
export function writableHll(bytes: Uint8Array, room = 0): Uint8Array {
  const capacity = bytes.length + Math.max(room, bytes.length >= 1024 ? 0 : bytes.length);
  const buffer = new ArrayBuffer(capacity);
  ownBuffers.add(buffer);
  const copy = new Uint8Array(buffer, 0, bytes.length);
  copy.set(bytes);
  return copy;
}

/** True when `bytes` came from {@link writableHll} (or a growth of it). */
export function isWritableHll(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && ownBuffers.has(bytes.buffer);
}

/** `bytes` with room for `extra` more bytes behind it (same view when there is room). */
function withRoom(bytes: Uint8Array, extra: number): Uint8Array {
  if (isWritableHll(bytes) && bytes.buffer.byteLength >= bytes.length + extra) return bytes;
  return writableHll(bytes, extra + bytes.length);
}

/** What the last {@link hllSet} or {@link hllAdd} left: the string, maybe moved or resized. */
export let hllResult: Uint8Array = new Uint8Array(0);

const VAL = (value: number, len: number): number => ((value - 1) << 2) | (len - 1) | 0x80;

/** Writes ZERO or XZERO for a run of `len` zero registers at `seq[n]`; returns the new n. */
function zeros(seq: number[], n: number, len: number): number {
  if (len > 64) {
    seq[n++] = ((len - 1) >> 8) | 0x40;
    seq[n++] = (len - 1) & 0xff;
  } else seq[n++] = len - 1;
  return n;
}

const seq = [0, 0, 0, 0, 0];

/**
 * Redis's `hllSparseSet` / `hllDenseSet`: raises register `index` of the writable HLL
 * `bytes` to `count`. Returns 1 when it changed, 0 when not, -1 for a corrupted value; the
 * string afterwards (moved, resized or promoted to dense) is {@link hllResult}.
 *
 * @example
 * ```ts
 * import { createHll } from "./hll.ts";
 * import { hllResult, hllSet, writableHll } from "./hll_sparse.ts";
 *
 * hllSet(writableHll(createHll()), 5, 3, 3000); // 1
 * hllResult.length; // 20: ZERO:5 VAL:3,1 XZERO:16378
 * ```
 */
export function hllSet(bytes: Uint8Array, index: number, count: number, maxBytes: number): number {
  hllResult = bytes;
  if (bytes[4] === HLL_DENSE) return denseSet(bytes, index, count) ? 1 : 0;
  if (count > 32) return promote(bytes, index, count);
  let buf = withRoom(bytes, 3);
  let end = buf.length;
  const whole = new Uint8Array(buf.buffer, 0, buf.buffer.byteLength);
  let p = HLL_HDR_SIZE, first = 0, prev = -1, span = 0;
  while (p < end) {
    const b = whole[p];
    let oplen = 1;
    if ((b & 0xc0) === 0) span = (b & 0x3f) + 1;
    else if (b & 0x80) span = (b & 3) + 1;
    else {
      span = (((b & 0x3f) << 8) | whole[p + 1]) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  hllResult = buf;
  if (span === 0 || p >= end) return -1;
  const op = whole[p];
  const isXzero = (op & 0xc0) === 0x40, isZero = (op & 0xc0) === 0, isVal = (op & 0x80) !== 0;
  const next = isXzero ? p + 2 : p + 1;
  const runlen = isZero
    ? (op & 0x3f) + 1
    : isXzero
    ? (((op & 0x3f) << 8) | whole[p + 1]) + 1
    : (op & 3) + 1;
  let simple = false;
  if (isVal) {
    if (((op >> 2) & 0x1f) + 1 >= count) return 0;
    simple = runlen === 1;
  } else simple = isZero && runlen === 1;
  if (simple) whole[p] = VAL(count, 1);
  else {
    const last = first + span - 1;
    let n = 0;
    if (isVal) {
      const current = ((op >> 2) & 0x1f) + 1;
      if (index !== first) seq[n++] = VAL(current, index - first);
      seq[n++] = VAL(count, 1);
      if (index !== last) seq[n++] = VAL(current, last - index);
    } else {
      if (index !== first) n = zeros(seq, n, index - first);
      seq[n++] = VAL(count, 1);
      if (index !== last) n = zeros(seq, n, last - index);
    }
    const delta = n - (isXzero ? 2 : 1);
    if (delta > 0 && end + delta > maxBytes) return promote(buf, index, count);
    if (delta !== 0 && next < end) whole.copyWithin(next + delta, next, end);
    for (let k = 0; k < n; k++) whole[p + k] = seq[k];
    end += delta;
  }
  // Merge adjacent VAL opcodes of equal value (up to 5 opcodes from the previous one).
  p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (p < end && scan--) {
    const b = whole[p];
    if ((b & 0xc0) === 0x40) {
      p += 2;
      continue;
    }
    if ((b & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && (whole[p + 1] & 0x80)) {
      const v1 = ((b >> 2) & 0x1f) + 1, v2 = ((whole[p + 1] >> 2) & 0x1f) + 1;
      const len = (b & 3) + 1 + (whole[p + 1] & 3) + 1;
      if (v1 === v2 && len <= 4) {
        whole[p + 1] = VAL(v1, len);
        whole.copyWithin(p, p + 1, end);
        end--;
        continue;
      }
    }
    p++;
  }
  buf = end === buf.length ? buf : new Uint8Array(buf.buffer, 0, end);
  invalidateCache(buf);
  hllResult = buf;
  return 1;
}

function promote(bytes: Uint8Array, index: number, count: number): number {
  const dense = sparseToDense(bytes);
  if (dense === undefined) {
    hllResult = bytes;
    return -1;
  }
  ownBuffers.add(dense.buffer);
  denseSet(dense, index, count);
  hllResult = dense;
  return 1;
}

/**
 * Redis's `hllAdd`: adds `element` to the writable HLL `bytes`; 1 when a register changed, 0
 * when not, -1 for a corrupted value. The string afterwards is {@link hllResult}.
 *
 * @example
 * ```ts
 * import { createHll } from "./hll.ts";
 * import { hllAdd, writableHll } from "./hll_sparse.ts";
 *
 * hllAdd(writableHll(createHll()), new TextEncoder().encode("a"), 3000); // 1
 * ```
 */
export function hllAdd(bytes: Uint8Array, element: Uint8Array, maxBytes: number): number {
  const count = patternLength(element);
  if (bytes[4] === HLL_DENSE) {
    hllResult = bytes;
    return denseSet(bytes, patternIndex, count) ? 1 : 0;
  }
  return hllSet(bytes, patternIndex, count, maxBytes);
}
