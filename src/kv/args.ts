/**
 * Argument parsers of the key-value commands beyond the shared ones of `src/server/args.ts`.
 *
 * @module
 */

import { fail } from "../server/errors.ts";
import { keyOf } from "./keyspace/encoding.ts";

/**
 * Whether `arg` is the option word `word` (lower-case ASCII, no NUL) as Redis's `strcasecmp`
 * compares them: ignoring ASCII case, with `arg` read as a C string, so it ends at its first
 * NUL byte (`LEFT\0` is LEFT). See also `Command.is`.
 *
 * @example
 * ```ts
 * import { isWord } from "./args.ts";
 *
 * isWord(new TextEncoder().encode("LEFT"), "left"); // true
 * ```
 */
export function isWord(arg: Uint8Array, word: string): boolean {
  const length = word.length;
  if (arg.length !== length && (arg.length < length || arg[length] !== 0)) return false;
  for (let i = 0; i < length; i++) {
    let c = arg[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A `numkeys` argument (SINTERCARD, and later ZINTERCARD, LMPOP, ZMPOP): an int64 of at least
 * 1, else "numkeys should be greater than 0".
 *
 * @example
 * ```ts
 * import { parseNumkeys } from "./args.ts";
 *
 * parseNumkeys(new TextEncoder().encode("2")); // 2
 * ```
 */
export function parseNumkeys(bytes: Uint8Array): number {
  const text = keyOf(bytes);
  const ok = /^(?:0|-?[1-9]\d{0,18})$/.test(text);
  if (!ok) fail("ERR numkeys should be greater than 0");
  const big = BigInt(text);
  if (big < 1n || big > 9223372036854775807n) fail("ERR numkeys should be greater than 0");
  return Number(big);
}
