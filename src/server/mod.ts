/**
 * The runtime-agnostic server core of rediserver: a {@link Server} with a {@link Router} of
 * commands (built-ins included: PING, HELLO, AUTH, CLIENT, COMMAND, INFO, CONFIG, MULTI/EXEC,
 * pub/sub, ...), one {@link Connection} per socket, and the {@link Reply} handlers write with.
 * Sockets reach it through the {@link Transport} interface that the adapters implement.
 *
 * The simplest server is one callback, as in the seed library:
 *
 * @example
 * ```ts
 * import { Server } from "./mod.ts";
 * import { serve } from "../../adapters/serve.ts";
 *
 * const server = new Server({
 *   handler: (command, reply) => {
 *     if (command.name === "set") return reply.status("OK");
 *     reply.encode([command.name, ...command.args]);
 *   },
 * });
 * const running = await serve({ server, port: 6380 });
 * ```
 *
 * @module
 */

export { Command, CommandError } from "./command.ts";
export { Connection } from "./connection.ts";
export { errorText, hasErrorCode, Reply } from "./reply.ts";
export { type CommandEntry, Router } from "./router.ts";
export type {
  CommandDefinition,
  CommandInfo,
  CommandSpec,
  Handler,
  KeySpec,
} from "./command_spec.ts";
export {
  type MemoryReading,
  type ResolvedOptions,
  type RuntimeStats,
  Server,
  type ServerOptions,
} from "./server.ts";
export { PubSub } from "./pubsub.ts";
export { globMatch } from "./glob.ts";
export { clientInfoLine, infoText, registerBuiltins, timingSafeEqual } from "./builtins.ts";
export { VERSION } from "./version.ts";
export type {
  ListenAddress,
  Listener,
  ListenFunction,
  ListenOptions,
  TlsOptions,
  Transport,
  TransportHandler,
} from "./transport.ts";
