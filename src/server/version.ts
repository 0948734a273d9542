/**
 * The library's version, reported by INFO (`rediserver_version`).
 *
 * @module
 */

/**
 * rediserver's version.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 *
 * console.log(`rediserver ${VERSION}`);
 * ```
 */
export const VERSION = "0.1.0";
