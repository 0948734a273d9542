/**
 * LZF decompression (liblzf's lzf_d.c format), for the compressed strings of RDB payloads
 * (Redis compresses strings longer than 20 bytes when that saves space).
 *
 * @module
 */

/**
 * Decompresses `input` into exactly `length` bytes; undefined when the data is corrupt or
 * does not fill `length`.
 *
 * @example
 * ```ts
 * import { lzfDecompress } from "./lzf.ts";
 *
 * // A literal run of 3 bytes ("abc"), then a back reference copying 3 bytes from offset 3.
 * lzfDecompress(new Uint8Array([2, 97, 98, 99, 0x20, 2]), 6); // "abcabc"
 * ```
 */
export function lzfDecompress(input: Uint8Array, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  let inAt = 0;
  let outAt = 0;
  while (inAt < input.length) {
    const control = input[inAt++];
    if (control < 32) {
      // A literal run of control + 1 bytes.
      const run = control + 1;
      if (outAt + run > length || inAt + run > input.length) return undefined;
      out.set(input.subarray(inAt, inAt + run), outAt);
      outAt += run;
      inAt += run;
      continue;
    }
    // A back reference: length in the top 3 bits (7: one more length byte), 13-bit offset.
    let count = control >> 5;
    if (count === 7) {
      if (inAt >= input.length) return undefined;
      count += input[inAt++];
    }
    if (inAt >= input.length) return undefined;
    let from = outAt - ((control & 0x1f) << 8) - 1 - input[inAt++];
    count += 2;
    if (from < 0 || outAt + count > length) return undefined;
    while (count-- > 0) out[outAt++] = out[from++];
  }
  return outAt === length ? out : undefined;
}
