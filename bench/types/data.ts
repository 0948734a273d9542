/**
 * The data-type benchmark's commands and seed data, shared by `bench/types.ts` (redis-benchmark
 * against redis-server) and `bench/types/inprocess.ts` (the same commands without sockets).
 *
 * @module
 */

/**
 * The measured commands (redis-benchmark replaces `__rand_int__` with 0..r-1, zero-padded to
 * 12 digits: no valid bit offset, so SETBIT and GETBIT use a fixed one inside the bitmap).
 */
export const TESTS: Record<string, { args: string[]; random: number }> = {
  setbit: { args: ["SETBIT", "bits", "777777", "1"], random: 1 },
  getbit: { args: ["GETBIT", "bits", "777777"], random: 1 },
  bitcount: { args: ["BITCOUNT", "bits", "0", "4095"], random: 1 },
  pfadd: { args: ["PFADD", "hll", "__rand_int__"], random: 100_000_000 },
  pfcount: { args: ["PFCOUNT", "hll"], random: 1 },
  geosearch: {
    args: [
      "GEOSEARCH",
      "geo",
      "FROMLONLAT",
      "13.4",
      "52.5",
      "BYRADIUS",
      "100",
      "km",
      "COUNT",
      "10",
      "ASC",
      "WITHDIST",
    ],
    random: 1,
  },
};

/** A seeded PRNG (mulberry32), so every server gets the same points and elements. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed commands: a 125 KB bitmap, a dense HLL of 10,000 elements, 10,000 geo points. */
export function seedCommands(): string[][] {
  const rand = prng(42);
  const commands: string[][] = [["FLUSHALL"], ["SETBIT", "bits", "999999", "1"]];
  for (let i = 0; i < 20; i++) {
    const bits: string[] = [];
    for (let k = 0; k < 500; k++) bits.push(String(Math.floor(rand() * 1_000_000)));
    commands.push(["BITFIELD", "bits", ...bits.flatMap((b) => ["SET", "u1", b, "1"])]);
    commands.push(["PFADD", "hll", ...bits.map((b) => `seed:${i}:${b}`)]);
  }
  for (let i = 0; i < 20; i++) {
    const points: string[] = [];
    for (let k = 0; k < 500; k++) {
      points.push((rand() * 30).toFixed(6), (40 + rand() * 20).toFixed(6), `place:${i}:${k}`);
    }
    commands.push(["GEOADD", "geo", ...points]);
  }
  return commands;
}
