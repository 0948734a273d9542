/**
 * Unix socket files, for the adapters' `listen({ path })`: a stale socket file left by an
 * earlier process is removed before listening, and ours after the listener closed. Uses
 * `node:fs`, which Node, Deno and Bun all provide.
 *
 * @module
 */
import { lstatSync, unlinkSync } from "node:fs";

/**
 * Removes `path` if it is a socket file (left by a process that did not clean up), so that
 * listening on it can succeed. Anything else at `path` is left alone: listening then
 * reports the real problem.
 *
 * @example
 * ```ts
 * import { removeStaleSocket } from "./socket_file.ts";
 *
 * removeStaleSocket("/tmp/rediserver-example.sock"); // nothing there: nothing happens
 * ```
 */
export function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Missing, or not ours to remove.
  }
}

/**
 * Removes the socket file of a listener that closed; nothing if it is already gone (some
 * runtimes remove it themselves when the listening socket closes).
 *
 * @example
 * ```ts
 * import { removeSocketFile } from "./socket_file.ts";
 *
 * removeSocketFile("/tmp/rediserver-example.sock"); // already gone: nothing happens
 * ```
 */
export function removeSocketFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
