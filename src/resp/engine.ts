/**
 * The codec's choices that depend on the JavaScript engine (V8 in Node and Deno,
 * JavaScriptCore in Bun), made once here: constants evaluated at module load, so that the
 * JIT folds the branches that consult them. The measurements behind them are in
 * `bench/README.md` ("Codec engine notes").
 *
 * @module
 */

/**
 * True on JavaScriptCore (Bun), false on V8: only JavaScriptCore gives error objects a
 * numeric `line` property.
 *
 * @example
 * ```ts
 * import { JAVASCRIPT_CORE } from "./engine.ts";
 *
 * console.log(JAVASCRIPT_CORE); // true on Bun, false on Node and Deno
 * ```
 */
export const JAVASCRIPT_CORE: boolean =
  typeof (new Error() as unknown as { line?: unknown }).line === "number";

/**
 * Longest payload a decoder hands out as a fresh array (copied with a byte loop) instead of
 * a view of its input, or -1 for none: on JavaScriptCore a small fresh array is the cheaper
 * of the two, on V8 a view is.
 *
 * @example
 * ```ts
 * import { FRESH_MAX } from "./engine.ts";
 *
 * console.log(FRESH_MAX); // 32 on Bun, -1 on Node and Deno
 * ```
 */
export const FRESH_MAX: number = JAVASCRIPT_CORE ? 32 : -1;

/**
 * Whether views are made with `subarray` (JavaScriptCore) rather than with the
 * `Uint8Array` constructor on the input's `buffer`, fetched once per chunk (V8, where the
 * `buffer` getter is slow and the constructor is the faster of the two).
 *
 * @example
 * ```ts
 * import { SUBARRAY } from "./engine.ts";
 *
 * console.log(SUBARRAY); // true on Bun, false on Node and Deno
 * ```
 */
export const SUBARRAY: boolean = JAVASCRIPT_CORE;

/** V8 and JavaScriptCore read `Error.stackTraceLimit` when an error is created. */
const errorClass = Error as { stackTraceLimit?: unknown };

/**
 * `new Make(a, b)` for an Error class, without capturing a stack where the engine allows
 * it (V8 and JavaScriptCore: `Error.stackTraceLimit` 0 meanwhile). For errors that are data
 * from the peer, where capturing the decoder's stack would cost more than decoding.
 *
 * @example
 * ```ts
 * import { withoutStack } from "./engine.ts";
 *
 * class PeerError extends Error {
 *   constructor(message: string, readonly code: number) {
 *     super(message);
 *   }
 * }
 * const error = withoutStack(PeerError, "ERR oops", 1);
 * console.log(error.message); // "ERR oops"
 * ```
 */
export function withoutStack<A, B, T>(Make: new (a: A, b: B) => T, a: A, b: B): T {
  const limit = errorClass.stackTraceLimit;
  if (typeof limit !== "number") return new Make(a, b);
  errorClass.stackTraceLimit = 0;
  try {
    return new Make(a, b);
  } finally {
    errorClass.stackTraceLimit = limit;
  }
}
