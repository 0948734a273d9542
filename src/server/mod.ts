/**
 * The runtime-agnostic server core of rediserver: a {@link Server} with a {@link Router} of
 * commands (built-ins included: PING, HELLO, AUTH, CLIENT, COMMAND, INFO, CONFIG, MULTI/EXEC,
 * pub/sub, ...), one {@link Connection} per socket, and the {@link Reply} handlers write with.
 * Sockets reach it through the {@link Transport} interface that the adapters implement.
 *
 * The simplest server is one callback:
 *
 * @example
 * ```ts
 * import { Server } from "rediserver/server";
 * import { serve } from "rediserver";
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

export { Command } from "./command.ts";
export { type Clock, realClock } from "./clock.ts";
export { CommandError } from "./errors.ts";
export { Connection } from "./connection.ts";
export { Reply } from "./reply.ts";
export { type CommandEntry, Router } from "./router.ts";
export type {
  CommandDefinition,
  CommandInfo,
  CommandSpec,
  Handler,
  KeyReference,
  KeySpec,
} from "./command_spec.ts";
export {
  type CommandGate,
  type ConfigParameter,
  type MemoryReading,
  type ResolvedOptions,
  type RuntimeStats,
  Server,
  type ServerOptions,
} from "./server.ts";
export type { PubSub } from "./pubsub.ts";
export type { DecoderLimits } from "../resp/limits.ts";
export type { ProtocolVersion } from "../resp/writer.ts";
export type {
  ListenAddress,
  Listener,
  ListenFunction,
  ListenOptions,
  TlsOptions,
  Transport,
  TransportHandler,
} from "./transport.ts";

export type { CommandStats, ErrorStats } from "./command_stats.ts";
