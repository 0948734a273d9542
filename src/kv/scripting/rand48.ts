/**
 * Redis's `redisLrand48` (src/rand.c): the 48-bit linear congruential generator of
 * `lrand48`, X' = (0x5DEECE66D * X + 0xB) mod 2^48, returning the top 31 bits. Redis's
 * `math.random` uses it so every platform gives the same sequence; its state is the
 * process's (not reset per script in 7.0) until `math.randomseed`.
 *
 * @module
 */

const A_HI = 0x5;
const A_LO = 0xdeece66d;

/**
 * The generator, with the `seed`/`next` shape the Lua engine's `math` library takes.
 *
 * @example
 * ```ts
 * import { Rand48 } from "./rand48.ts";
 *
 * const r = new Rand48();
 * r.next(); // the first redisLrand48() of a fresh Redis
 * ```
 */
export class Rand48 {
  /** High 16 bits and low 32 bits of the 48-bit state. */
  private hi = 0x1234;
  private lo = 0xabcd330e;

  /** The state, to be given back to {@link Rand48.restore}. */
  snapshot(): [number, number] {
    return [this.hi, this.lo];
  }

  /** Returns to a state taken by {@link Rand48.snapshot}. */
  restore(state: readonly [number, number]): void {
    this.hi = state[0];
    this.lo = state[1];
  }

  /** `redisSrand48(seed)`: X = seed << 16 | 0x330E. */
  seed(seed: number): void {
    const s = seed | 0;
    this.hi = (s >>> 16) & 0xffff;
    this.lo = (((s & 0xffff) << 16) | 0x330e) >>> 0;
  }

  /** `redisLrand48()`: 0 .. 2^31-1. */
  next(): number {
    // (hi * 2^32 + lo) * (A_HI * 2^32 + A_LO) + 0xB, mod 2^48, in 16-bit limbs.
    const lo = this.lo;
    const l0 = lo & 0xffff;
    const l1 = lo >>> 16;
    const a0 = A_LO & 0xffff;
    const a1 = A_LO >>> 16;
    let p0 = l0 * a0 + 0xb;
    let p1 = l1 * a0 + l0 * a1 + Math.floor(p0 / 0x10000);
    p0 &= 0xffff;
    const p2 = this.hi * a0 + l1 * a1 + l0 * A_HI + Math.floor(p1 / 0x10000);
    p1 &= 0xffff;
    this.hi = p2 & 0xffff;
    this.lo = ((p1 << 16) | p0) >>> 0;
    return this.hi * 0x8000 + (this.lo >>> 17);
  }
}
