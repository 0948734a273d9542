/**
 * `serve()` for any runtime: detects Deno, Bun or Node and loads the matching adapter.
 *
 * @module
 */
import type { RunningServer, ServeOptions } from "./common.ts";

export type { RunningServer, ServeOptions } from "./common.ts";

/** The runtimes an adapter exists for. */
export type Runtime = "deno" | "bun" | "node";

/**
 * The runtime this code runs on: `globalThis.Deno`, then `globalThis.Bun`, else Node.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "rediserver";
 *
 * console.log(detectRuntime()); // "node", "deno" or "bun"
 * ```
 */
export function detectRuntime(): Runtime {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  return "node";
}

/**
 * Creates a `Server` from the options (unless `options.server` is given) and listens on
 * `hostname:port` (default 127.0.0.1:6379), a Unix socket `path`, optionally with `tls`,
 * using the adapter of the runtime this runs on.
 *
 * @example
 * ```ts
 * import { serve } from "rediserver";
 *
 * const running = await serve({ port: 0 });
 * console.log(running.address); // { transport: "tcp", hostname: "127.0.0.1", port: ... }
 * await running.close();
 * ```
 */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  switch (detectRuntime()) {
    case "deno":
      return (await import("./deno.ts")).serve(options);
    case "bun":
      return (await import("./bun.ts")).serve(options);
    default:
      return (await import("./node.ts")).serve(options);
  }
}
