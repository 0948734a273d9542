/**
 * rediserver: servers that speak the Redis protocol (RESP2 and RESP3), in TypeScript, on
 * Deno, Bun and Node, with no dependencies.
 *
 * This entry point has the whole toolkit: `serve()` (which picks the adapter for the
 * runtime it runs on), the server core (`Server`, `Router`, `Reply`, `Command`,
 * `Connection`), and the RESP codec (`RequestDecoder`, `ReplyDecoder`, `Writer`, ...).
 * Subpath exports: `./resp` (the codec alone), `./server` (the core alone), `./kv` (the
 * in-memory key-value server), `./adapters/deno`, `./adapters/bun`, `./adapters/node`.
 *
 * @example A server from one callback
 * ```ts
 * import { serve } from "./mod.ts";
 *
 * const running = await serve({
 *   port: 0,
 *   handler(command, reply) {
 *     // Every command that is not a built-in (PING, HELLO, CLIENT, ...) arrives here.
 *     if (command.name === "echo2") return reply.encode(command.args);
 *     reply.error(`unknown command '${command.name}'`);
 *   },
 * });
 * console.log(running.address);
 * await running.close();
 * ```
 *
 * @module
 */

export * from "./src/resp/mod.ts";
export * from "./src/server/mod.ts";
export { detectRuntime, type Runtime, serve } from "./adapters/serve.ts";
export type { RunningServer, ServeOptions } from "./adapters/serve.ts";
