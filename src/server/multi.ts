/**
 * Transactions: the per-connection queue of MULTI, the MULTI / EXEC / DISCARD commands, and
 * the hooks that run when EXEC starts and when a transaction ends (the key-value server's
 * WATCH bookkeeping uses both).
 *
 * @module
 */

import { Command } from "./command.ts";
import type { CommandDefinition, Handler } from "./command_spec.ts";
import type { Connection } from "./connection.ts";
import type { Reply } from "./reply.ts";
import { runHandler } from "./dispatch.ts";
import type { CommandEntry } from "./router.ts";

/** A command queued by MULTI: what it resolved to and its own copy of the request. */
export interface QueuedCommand {
  /** The command table entry it will run. */
  readonly entry: CommandEntry;
  /** The request (a Command of its own, not the connection's reused one). */
  readonly command: Command;
}

/**
 * The hooks of a server's transactions: run when EXEC starts and when a transaction ends
 * (EXEC, DISCARD, RESET, the connection closing).
 *
 * @example
 * ```ts
 * import { TransactionHooks } from "./multi.ts";
 *
 * const hooks = new TransactionHooks();
 * hooks.end.push((connection) => console.log(`transaction of ${connection.id} ended`));
 * ```
 */
export class TransactionHooks {
  /** Run when EXEC starts, before the queued commands (and before the WATCH check). */
  readonly beforeExec: Array<(connection: Connection) => void> = [];
  /** Run when a connection's transaction ends, whatever ended it. */
  readonly end: Array<(connection: Connection) => void> = [];
}

/**
 * Queues a command inside MULTI (the dispatcher calls this for every command that is not
 * "noqueue" while the connection is in a transaction) and answers `+QUEUED`.
 *
 * @example
 * ```ts
 * import { queueCommand } from "./multi.ts";
 *
 * typeof queueCommand; // "function"
 * ```
 */
export function queueCommand(
  queue: QueuedCommand[],
  entry: CommandEntry,
  name: string,
  argv: Uint8Array[],
  reply: Reply,
): void {
  const command = new Command();
  command.load(name, argv);
  queue.push({ entry, command });
  reply.status("QUEUED");
}

/**
 * Ends a connection's transaction: drops its queue and runs the transaction-end hooks (each
 * one's failure is contained), then clears `watchDirty`.
 *
 * @example
 * ```ts
 * import { endTransaction } from "./multi.ts";
 * import type { Connection } from "./connection.ts";
 *
 * const discard = (connection: Connection) => endTransaction(connection);
 * ```
 */
export function endTransaction(connection: Connection): void {
  connection.queuedCommands = null;
  connection.transactionFailed = false;
  for (const hook of connection.server.transactionHooks.end) {
    try {
      hook(connection);
    } catch { /* one hook's failure must not stop the others */ }
  }
  connection.watchDirty = false;
}

function runQueued(
  connection: Connection,
  queued: readonly QueuedCommand[],
  reply: Reply,
  from: number,
): Promise<void> | undefined {
  for (let i = from; i < queued.length; i++) {
    const { entry, command } = queued[i];
    const pending = runHandler(entry, command, reply, connection);
    if (pending !== undefined) {
      return pending.then(() => runQueued(connection, queued, reply, i + 1));
    }
  }
  reply.wrote = true;
  return undefined;
}

const exec: Handler = (_command, reply, connection) => {
  const queued = connection.queuedCommands;
  if (queued === null) return reply.error("ERR EXEC without MULTI");
  for (const hook of connection.server.transactionHooks.beforeExec) hook(connection);
  if (connection.transactionFailed) {
    endTransaction(connection);
    return reply.error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (connection.watchDirty) {
    endTransaction(connection);
    return reply.nullArray();
  }
  endTransaction(connection); // unwatch before running, as Redis
  reply.arrayHeader(queued.length);
  connection.executingTransaction = true;
  const done = () => {
    connection.executingTransaction = false;
  };
  try {
    const pending = runQueued(connection, queued, reply, 0);
    if (pending === undefined) done();
    else pending.then(done, done);
    return pending;
  } catch (error) {
    done();
    throw error;
  }
};

/** MULTI, EXEC, DISCARD. "noqueue" (run at once inside MULTI) is the core's own flag. */
export const transactionCommands: readonly CommandDefinition[] = [
  {
    name: "multi",
    arity: 1,
    acl: ["transaction"],
    group: "transactions",
    since: "1.2.0",
    complexity: "O(1)",
    summary: "Mark the start of a transaction block",
    flags: ["noscript", "loading", "stale", "fast", "allow_busy", "noqueue"],
    handler: (_c, reply, connection) => {
      if (connection.queuedCommands !== null) {
        return reply.error("ERR MULTI calls can not be nested");
      }
      connection.queuedCommands = [];
      reply.status("OK");
    },
  },
  {
    name: "exec",
    arity: 1,
    acl: ["transaction"],
    group: "transactions",
    since: "1.2.0",
    complexity: "Depends on commands in the transaction",
    summary: "Execute all commands issued after MULTI",
    flags: ["noscript", "loading", "stale", "skip_slowlog", "noqueue"],
    handler: exec,
  },
  {
    name: "discard",
    arity: 1,
    acl: ["transaction"],
    group: "transactions",
    since: "2.0.0",
    complexity: "O(N), when N is the number of queued commands",
    summary: "Discard all commands issued after MULTI",
    flags: ["noscript", "loading", "stale", "fast", "allow_busy", "noqueue"],
    handler: (_c, reply, connection) => {
      if (connection.queuedCommands === null) return reply.error("ERR DISCARD without MULTI");
      endTransaction(connection);
      reply.status("OK");
    },
  },
];
