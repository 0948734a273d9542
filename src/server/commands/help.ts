/**
 * Container commands (CLIENT, COMMAND, CONFIG, PUBSUB): a parent entry whose subcommands do
 * the work, with the HELP subcommand every container has.
 *
 * @module
 */

import type { CommandDefinition, CommandInfo, CommandSpec, Handler } from "../command_spec.ts";
import { cText, fail } from "../errors.ts";

/** What {@link container} takes: the parent's entry, and the info of its HELP subcommand. */
export interface ContainerDefinition extends Omit<CommandDefinition, "name" | "handler"> {
  /** Runs when the parent is called without a subcommand it knows (default: an error). */
  readonly handler?: Handler;
  /** COMMAND INFO / DOCS fields of `<name> HELP` (arity, summary and complexity are set). */
  readonly help: Omit<CommandInfo, "arity">;
  /** The subcommands (HELP is added). */
  readonly subcommands: Readonly<Record<string, CommandSpec>>;
}

/**
 * A container command: `definition` plus a HELP subcommand that lists the subcommands
 * registered under `name` at the time it runs.
 *
 * @example
 * ```ts
 * import { container } from "./help.ts";
 *
 * const tools = container("tools", {
 *   arity: -2,
 *   help: { since: "1.0.0" },
 *   subcommands: { now: { arity: 2, summary: "The time", handler: () => Date.now() } },
 * });
 * ```
 */
export function container(name: string, definition: ContainerDefinition): CommandDefinition {
  const upper = name.toUpperCase();
  const help: CommandSpec = {
    complexity: "O(1)",
    summary: "Show helpful text about the different subcommands",
    ...definition.help,
    arity: 2,
    handler: (_command, reply, connection) => {
      const subs = Object.entries(connection.server.router.get(name)?.subcommands ?? {});
      reply.arrayHeader(subs.length + 1);
      reply.status(`${upper} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
      for (const [sub, spec] of subs) {
        reply.status(`${sub.toUpperCase()}${spec.summary ? ` -- ${spec.summary}` : ""}`);
      }
    },
  };
  const { help: _help, ...parent } = definition;
  return {
    handler: (command) => {
      fail(`ERR unknown subcommand '${cText(command.arg(0))}'. Try ${upper} HELP.`);
    },
    ...parent,
    name,
    subcommands: { ...definition.subcommands, help },
  };
}
