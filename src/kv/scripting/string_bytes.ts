/**
 * Lua strings (byte strings) to bytes for redis.call arguments, written into a shared
 * append-only slab and handed out as views: in Deno every new typed array gets a backing store
 * of its own (about a microsecond), while a view of an existing buffer is cheap everywhere
 * (see `src/resp/slab.ts`). Views are never written again, so handlers may keep them.
 *
 * @module
 */

const SLAB_SIZE = 64 * 1024;
const MAX_IN_SLAB = 1024;
let buffer = new ArrayBuffer(0);
let bytes = new Uint8Array(buffer);
let used = 0;

/**
 * The bytes of a byte string (char codes 0..255).
 *
 * @example
 * ```ts
 * import { stringBytes } from "./string_bytes.ts";
 *
 * stringBytes("GET"); // Uint8Array [71, 69, 84]
 * ```
 */
export function stringBytes(text: string): Uint8Array {
  const length = text.length;
  if (length > MAX_IN_SLAB) {
    const own = new Uint8Array(length);
    for (let i = 0; i < length; i++) own[i] = text.charCodeAt(i);
    return own;
  }
  let at = used;
  if (bytes.length - at < length) {
    buffer = new ArrayBuffer(SLAB_SIZE);
    bytes = new Uint8Array(buffer);
    at = 0;
  }
  for (let i = 0; i < length; i++) bytes[at + i] = text.charCodeAt(i);
  used = at + length;
  return new Uint8Array(buffer, at, length);
}
