/**
 * The shape of a command: its handler beside everything Redis reports about it (arity,
 * flags, ACL categories, COMMAND DOCS fields, Redis 7 key specs, subcommands). A table of
 * {@link CommandDefinition}s is registered with `router.define(...)`; COMMAND, COMMAND INFO,
 * COMMAND DOCS and COMMAND GETKEYS are derived from it.
 *
 * @module
 */

import type { Command } from "./command.ts";
import type { Connection } from "./connection.ts";
import type { Reply } from "./reply.ts";

/**
 * A command handler. Write with `reply` and return undefined, or return a value (encoded like
 * {@link Reply.value}), or return a Promise of either. Throwing or rejecting answers
 * `-ERR message` (or the message as is when it starts with a code word such as `WRONGTYPE`);
 * the connection goes on. A handler that neither writes nor returns a value answers null.
 *
 * @example
 * ```ts
 * import type { Handler } from "./command_spec.ts";
 *
 * const echo: Handler = (command) => command.args[0];
 * const later: Handler = async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   return "done";
 * };
 * ```
 */
export type Handler = (command: Command, reply: Reply, connection: Connection) => unknown;

/**
 * Redis 7 key specification (COMMAND INFO / COMMAND DOCS "key_specs").
 *
 * @example
 * ```ts
 * import type { KeySpec } from "./command_spec.ts";
 *
 * // MSET key value [key value ...]: keys from argument 1 to the last, every other one.
 * const mset: KeySpec = {
 *   flags: ["OW", "update"],
 *   begin: { index: 1 },
 *   find: { lastKey: -1, step: 2, limit: 0 },
 * };
 * ```
 */
export interface KeySpec {
  /**
   * "RO" | "RW" | "OW" | "RM", then "access" | "update" | "insert" | "delete", and
   * "not_key" | "incomplete" | "variable_flags" — in Redis's order.
   */
  readonly flags: readonly string[];
  /** begin_search: argv index (0 = command name), a keyword search, or unknown. */
  readonly begin:
    | { readonly index: number }
    | { readonly keyword: string; readonly startFrom: number }
    | "unknown";
  /**
   * find_keys: a range relative to begin (lastKey 0 = just that one, -1 = up to the last
   * argument), a key-count argument, or unknown.
   */
  readonly find:
    | { readonly lastKey: number; readonly step: number; readonly limit: number }
    | { readonly keyNumIndex: number; readonly firstKey: number; readonly step: number }
    | "unknown";
  /** Free-text notes Redis shows for some specs. */
  readonly notes?: string;
}

/**
 * A key found in a command line: its argv index (0 = the command name) and the flags of the
 * key spec that describes it.
 *
 * @example
 * ```ts
 * import type { KeyReference } from "./command_spec.ts";
 *
 * const first: KeyReference = { index: 1, flags: ["RO", "access"] };
 * ```
 */
export interface KeyReference {
  /** Index in argv (0 = the command name). */
  readonly index: number;
  /** The flags of the key spec that found it. */
  readonly flags: readonly string[];
}

/**
 * Everything Redis reports about a command, beside its handler.
 *
 * @example
 * ```ts
 * import type { CommandInfo } from "./command_spec.ts";
 *
 * const info: CommandInfo = {
 *   arity: 2,
 *   flags: ["readonly", "fast"],
 *   acl: ["string"],
 *   group: "string",
 *   since: "1.0.0",
 *   complexity: "O(1)",
 *   summary: "Get the value of a key",
 *   keys: [{ flags: ["RO", "access"], begin: { index: 1 }, find: { lastKey: 0, step: 1, limit: 0 } }],
 * };
 * ```
 */
export interface CommandInfo {
  /** Redis arity: n = exactly n words including the name, -n = at least n. */
  readonly arity: number;
  /**
   * Redis command flags ("write", "readonly", "denyoom", "fast", "noscript", "loading",
   * "stale", "blocking", "pubsub", "noauth", "admin", "no_mandatory_keys", ...). The core acts
   * on "noauth" (allowed before AUTH) and "blocking" (while its Promise is pending, the
   * connection runs none of its later commands), and on two words of its own that COMMAND
   * does not report: "subscribed" (allowed in the RESP2 subscribed context, as PING and
   * SUBSCRIBE are) and "noqueue" (runs at once inside MULTI, as EXEC and WATCH do).
   * "movablekeys" is derived, not written.
   */
  readonly flags?: readonly string[];
  /**
   * ACL categories beyond those Redis derives from flags (write, read, fast, slow, admin,
   * dangerous, pubsub, blocking), without "@": ["string"], ["keyspace", "dangerous"].
   */
  readonly acl?: readonly string[];
  /** COMMAND DOCS group ("string", "connection", ...). */
  readonly group?: string;
  /** COMMAND DOCS since: the version that introduced the command. */
  readonly since?: string;
  /** COMMAND DOCS complexity. */
  readonly complexity?: string;
  /** COMMAND DOCS summary: one line. */
  readonly summary?: string;
  /** COMMAND DOCS history: [version, change] pairs. */
  readonly history?: readonly (readonly [version: string, change: string])[];
  /** COMMAND DOCS doc_flags: "deprecated", "syscmd". */
  readonly docFlags?: readonly string[];
  /** COMMAND DOCS deprecated_since. */
  readonly deprecatedSince?: string;
  /** COMMAND DOCS replaced_by. */
  readonly replacedBy?: string;
  /** Command tips ("nondeterministic_output", "request_policy:all_shards", ...). */
  readonly tips?: readonly string[];
  /**
   * Key specs, in Redis's order. Legacy first/last/step (COMMAND INFO) are derived from
   * them as Redis's populateCommandLegacyRangeSpec does.
   */
  readonly keys?: readonly KeySpec[];
  /**
   * Finds the keys of a command line where the key specs cannot say it all (Redis's
   * `getkeys_proc`: SET's flags depend on GET, ZUNIONSTORE's on numkeys...). COMMAND GETKEYS
   * uses it when the specs have "variable_flags" or their search fails.
   */
  readonly getKeys?: (argv: readonly Uint8Array[]) => readonly KeyReference[];
}

/**
 * A command as registered: its info, its handler, its subcommands.
 *
 * @example
 * ```ts
 * import type { CommandSpec } from "./command_spec.ts";
 *
 * const get: CommandSpec = {
 *   arity: 2,
 *   flags: ["readonly", "fast"],
 *   keys: [{ flags: ["RO", "access"], begin: { index: 1 }, find: { lastKey: 0, step: 1, limit: 0 } }],
 *   summary: "Get the value of a key",
 *   handler: (command) => command.args[0],
 * };
 * ```
 */
export interface CommandSpec extends CommandInfo {
  /** The handler (for a container such as CLIENT, used when no subcommand matches). */
  readonly handler: Handler;
  /**
   * Subcommands by name ("setname"); `args[0]` of the command is the subcommand name. The
   * arity of a subcommand counts the parent name too (CLIENT SETNAME x = 3).
   */
  readonly subcommands?: Readonly<Record<string, CommandSpec>>;
  /**
   * While the handler answers asynchronously, the connection runs none of its later
   * commands (a script suspended past busy-reply-threshold: Redis runs one client's commands
   * one after another). Blocking and "noauth" commands always wait so.
   */
  readonly inOrder?: boolean;
}

/**
 * One table entry: a command defined next to its handler.
 *
 * @example
 * ```ts
 * import type { CommandDefinition } from "./command_spec.ts";
 *
 * export const commands: CommandDefinition[] = [
 *   { name: "hello-world", arity: 1, flags: ["fast"], handler: () => "hello" },
 * ];
 * ```
 */
export interface CommandDefinition extends CommandSpec {
  /** Lower-case name ("get"). */
  readonly name: string;
}
