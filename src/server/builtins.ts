/**
 * The built-in commands, one table per family: connection (PING, ECHO, QUIT, RESET, HELLO,
 * AUTH, SELECT), CLIENT, COMMAND, INFO, CONFIG, transactions (MULTI, EXEC, DISCARD) and
 * pub/sub. The Server constructor defines them on its router; each is a plain router entry
 * that can be replaced or removed through `server.router`.
 *
 * @module
 */

import type { CommandDefinition } from "./command_spec.ts";
import { clientCommands } from "./commands/client.ts";
import { commandCommands } from "./commands/command.ts";
import { configCommands } from "./commands/config.ts";
import { connectionCommands } from "./commands/connection.ts";
import { infoCommands } from "./commands/info.ts";
import { pubsubCommands } from "./commands/pubsub.ts";
import { transactionCommands } from "./multi.ts";

/**
 * Every built-in command's table entry.
 *
 * @example
 * ```ts
 * import { builtinCommands } from "./builtins.ts";
 * import { Router } from "./router.ts";
 *
 * const router = new Router().define(builtinCommands); // what `new Server()` does
 * router.has("ping"); // true
 * ```
 */
export const builtinCommands: readonly CommandDefinition[] = [
  ...connectionCommands,
  ...clientCommands,
  ...commandCommands,
  ...infoCommands,
  ...configCommands,
  ...transactionCommands,
  ...pubsubCommands,
];
