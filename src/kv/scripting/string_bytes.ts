/**
 * Lua strings (byte strings) to bytes for redis.call arguments, written into a shared
 * append-only slab and handed out as views: in Deno every new typed array gets a backing store
 * of its own (about a microsecond), while a view of an existing buffer is cheap everywhere
 * (see `src/resp/slab.ts`). Views are never written again, so handlers may keep them.
 *
 * Short strings recur (command names, field names, the keys a script uses several times),
 * so their views are kept in a small direct-mapped cache (slot chosen by length and a few
 * chars, checked by string equality) and handed out again: a hit costs a comparison where
 * the copy costs a few nanoseconds per byte, and a miss only overwrites its slot. Sharing is
 * safe because no handler writes into an argument (the keyspace copies one before changing
 * it in place). Cached views live in a slab of their own, and the cache is emptied when that
 * slab is full, so it pins one slab at most, never the slabs of other arguments.
 *
 * @module
 */

const SLAB_SIZE = 64 * 1024;
const MAX_IN_SLAB = 1024;
/** Longest string whose view is cached. */
const CACHED_LENGTH = 40;
/** Slots of the cache (a power of two). */
const CACHE_SLOTS = 512;
const CACHE_SLAB_SIZE = 16 * 1024;

let buffer = new ArrayBuffer(0);
let bytes = new Uint8Array(buffer);
let used = 0;

const cacheTexts: Array<string | undefined> = new Array(CACHE_SLOTS).fill(undefined);
const cacheViews: Array<Uint8Array | undefined> = new Array(CACHE_SLOTS).fill(undefined);
let cacheBuffer = new ArrayBuffer(CACHE_SLAB_SIZE);
let cacheBytes = new Uint8Array(cacheBuffer);
let cacheUsed = 0;

/**
 * The bytes of a byte string (char codes 0..255). The array may be shared with other
 * callers: never write into it.
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
  if (length <= CACHED_LENGTH && length > 0) {
    const last = length - 1;
    const slot = (length * 31 + text.charCodeAt(0) * 7 + text.charCodeAt(length >> 1) * 3 +
      text.charCodeAt(last) * 5 + text.charCodeAt(last - (last >> 2))) & (CACHE_SLOTS - 1);
    if (cacheTexts[slot] === text) return cacheViews[slot]!;
    return cached(text, length, slot);
  }
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

/** A short string's view, made in the cache's slab and kept in `slot`. */
function cached(text: string, length: number, slot: number): Uint8Array {
  let at = cacheUsed;
  if (CACHE_SLAB_SIZE - at < length) {
    cacheTexts.fill(undefined);
    cacheViews.fill(undefined);
    cacheBuffer = new ArrayBuffer(CACHE_SLAB_SIZE);
    cacheBytes = new Uint8Array(cacheBuffer);
    at = 0;
  }
  for (let i = 0; i < length; i++) cacheBytes[at + i] = text.charCodeAt(i);
  cacheUsed = at + length;
  const view = new Uint8Array(cacheBuffer, at, length);
  cacheTexts[slot] = text;
  cacheViews[slot] = view;
  return view;
}
