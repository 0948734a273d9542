/**
 * rediserver: servers that speak the Redis protocol (RESP2 and RESP3), in TypeScript, on
 * Deno, Bun and Node, with no dependencies.
 *
 * This entry point has what a server author needs: `serve()` (which picks the adapter for
 * the runtime it runs on), the `Server` with its `Router`, the `Command` a handler receives,
 * the `Reply` it writes with, and the command-definition types. Subpath exports: `./resp`
 * (the RESP codec), `./server` (the core, with the transport interface for adapters),
 * `./kv` (the in-memory key-value server), `./adapters/deno`, `./adapters/bun`,
 * `./adapters/node`.
 *
 * @example A server from one callback
 * ```ts
 * import { serve } from "rediserver";
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

export { detectRuntime, type Runtime, serve } from "./adapters/serve.ts";
export type { RunningServer, ServeOptions } from "./adapters/serve.ts";
export {
  Command,
  type CommandDefinition,
  CommandError,
  type CommandInfo,
  type CommandSpec,
  Connection,
  type Handler,
  type KeySpec,
  Reply,
  Router,
  Server,
  type ServerOptions,
} from "./src/server/mod.ts";
