/**
 * How a key-value command is defined: one {@link KvCommand} table entry per command, its
 * Redis metadata (the core's {@link CommandInfo}: arity, flags, ACL categories, key specs,
 * COMMAND DOCS fields) next to a {@link KvHandler} that receives the connection's database and
 * its first key already resolved. Each family file in `commands/` exports one table;
 * {@link defineCommands} turns tables into router definitions bound to a keyspace.
 *
 * @module
 */

import type { Command } from "../server/command.ts";
import type {
  CommandDefinition,
  CommandInfo,
  CommandSpec,
  Handler,
  KeySpec,
} from "../server/command_spec.ts";
import type { Connection } from "../server/connection.ts";
import type { Reply } from "../server/reply.ts";
import { keyOf } from "./keyspace/encoding.ts";
import type { Database, Keyspace } from "./keyspace/keyspace.ts";
import type { NotifyContext, NotifyDeclaration } from "./keyspace/notify.ts";
import { COMMAND_EVENTS, QUIET_TTL } from "./keyspace/notify_events.ts";

/**
 * A key-value command handler: `db` is the database the connection has SELECTed and `key`
 * its first key (the argument the first key spec points at, as a binary string; "" for a
 * command without one). Otherwise a core {@link Handler}: write with `reply`, or return a
 * value or a Promise; throw a `CommandError` to answer an error.
 *
 * @example
 * ```ts
 * import type { KvHandler } from "./command.ts";
 *
 * const strlen: KvHandler = (db, key, _command, reply) => {
 *   const value = db.get(key);
 *   reply.integer(value instanceof Uint8Array ? value.length : 0);
 * };
 * ```
 */
export type KvHandler = (
  db: Database,
  key: string,
  command: Command,
  reply: Reply,
  connection: Connection,
) => unknown;

/**
 * One key-value command: everything Redis reports about it and its handler.
 *
 * @example
 * ```ts
 * import { keyAt, type KvCommand } from "./command.ts";
 *
 * const strlen: KvCommand = {
 *   name: "strlen",
 *   arity: 2,
 *   flags: ["readonly", "fast"],
 *   acl: ["string"],
 *   keys: [keyAt(1, "RO")],
 *   group: "string",
 *   since: "2.2.0",
 *   complexity: "O(1)",
 *   summary: "Get the length of the value stored in a key",
 *   handler: (db, key, _command, reply) => {
 *     const value = db.get(key);
 *     reply.integer(value instanceof Uint8Array ? value.length : 0);
 *   },
 * };
 * ```
 */
export interface KvCommand extends CommandInfo {
  /** Lower-case name ("get"). */
  readonly name: string;
  /** The handler (for a container such as MEMORY, used when no subcommand matches). */
  readonly handler: KvHandler;
  /**
   * The keyspace event of a key the command changes (see `keyspace/notify.ts`); default:
   * the entry of `keyspace/notify_events.ts` for its name.
   */
  readonly notify?: NotifyDeclaration;
  /** See {@link CommandSpec.inOrder}: a suspended run holds the connection's later commands. */
  readonly inOrder?: boolean;
  /** Subcommands by lower-case name ("usage"); their arity counts the parent name. */
  readonly subcommands?: Readonly<Record<string, Omit<KvCommand, "name">>>;
}

/**
 * A key spec for one key at argument `index` (0 = the command name), with Redis's flags
 * ("RO", "access"...): `{ begin: { index }, find: { lastKey: 0, step: 1, limit: 0 } }`.
 *
 * @example
 * ```ts
 * import { keyAt } from "./command.ts";
 *
 * keyAt(1, "RW", "insert"); // LPUSH's key
 * ```
 */
export function keyAt(index: number, ...flags: string[]): KeySpec {
  return { flags, begin: { index }, find: { lastKey: 0, step: 1, limit: 0 } };
}

/**
 * A key spec for keys from argument `index` to `lastKey` (-1 = the last argument, -2 = the
 * one before it) every `step` arguments.
 *
 * @example
 * ```ts
 * import { keyRange } from "./command.ts";
 *
 * keyRange(1, -1, 2, "OW", "update"); // MSET key value [key value ...]
 * ```
 */
export function keyRange(
  index: number,
  lastKey: number,
  step: number,
  ...flags: string[]
): KeySpec {
  return { flags, begin: { index }, find: { lastKey, step, limit: 0 } };
}

/** The argument index of the first key (0: none to resolve), from the first key spec. */
function firstKeyIndex(info: CommandInfo): number {
  const spec = info.keys?.[0];
  if (spec === undefined || spec.begin === "unknown" || !("index" in spec.begin)) return 0;
  if (spec.find === "unknown" || !("lastKey" in spec.find)) return 0;
  return spec.begin.index;
}

/** The last first key resolved, and the bytes it was made from (see {@link keyString}). */
let lastKey = "";
let lastKeyBytes: Uint8Array = new Uint8Array(0);
/** Longer keys are compared with the last one only when they are the same array. */
const KEY_COMPARE_MAX = 64;

/**
 * The first key as a string: the last one made again when the bytes are the same (commands
 * in a row often name the same key: a pipeline on one list, hash or stream). The same string
 * saves building it, and the keyspace's Map finds its hash already computed.
 */
function keyString(bytes: Uint8Array): string {
  const last = lastKeyBytes;
  if (bytes === last) return lastKey;
  const n = bytes.length;
  if (n === last.length && n <= KEY_COMPARE_MAX) {
    let i = 0;
    while (i < n && bytes[i] === last[i]) i++;
    if (i === n) {
      // Keep the newer bytes: the older ones may be all that holds an old chunk alive.
      lastKeyBytes = bytes;
      return lastKey;
    }
  }
  lastKeyBytes = bytes;
  return lastKey = keyOf(bytes);
}

/**
 * The core handler of a kv handler: database and first key resolved per call. While
 * keyspace notifications are on, the handler runs inside its {@link NotifyContext}; off
 * (the default), that costs one test of a number.
 */
function bind(
  handler: KvHandler,
  keyIndex: number,
  keyspace: Keyspace,
  context: NotifyContext,
): Handler {
  const events = keyspace.events;
  const run: Handler = (command, reply, connection) => {
    const key = keyIndex > 0 ? keyString(command.argv[keyIndex]) : "";
    return events.run(
      context,
      command.argv,
      () => handler(keyspace.db(connection.db), key, command, reply, connection),
    );
  };
  if (keyIndex === 1) {
    return (command, reply, connection) =>
      events.flags !== 0 ? run(command, reply, connection) : handler(
        keyspace.db(connection.db),
        keyString(command.argv[1]),
        command,
        reply,
        connection,
      );
  }
  if (keyIndex > 1) {
    return (command, reply, connection) =>
      events.flags !== 0 ? run(command, reply, connection) : handler(
        keyspace.db(connection.db),
        keyString(command.argv[keyIndex]),
        command,
        reply,
        connection,
      );
  }
  return (command, reply, connection) =>
    events.flags !== 0
      ? run(command, reply, connection)
      : handler(keyspace.db(connection.db), "", command, reply, connection);
}

function toSpec(
  name: string,
  entry: Omit<KvCommand, "name">,
  keyspace: Keyspace,
): CommandSpec {
  const { handler, subcommands, notify, ...info } = entry;
  const context: NotifyContext = {
    declaration: notify ?? COMMAND_EVENTS[name],
    ttl: !QUIET_TTL.has(name),
  };
  const spec: CommandSpec = {
    ...info,
    handler: bind(handler, firstKeyIndex(info), keyspace, context),
  };
  if (subcommands === undefined) return spec;
  const subs: Record<string, CommandSpec> = {};
  for (const [sub, entry] of Object.entries(subcommands)) {
    subs[sub] = toSpec(`${name}|${sub}`, entry, keyspace);
  }
  return { ...spec, subcommands: subs };
}

/**
 * The router definitions of key-value command tables, bound to `keyspace`: register them
 * with `router.define(...)`.
 *
 * @example
 * ```ts
 * import { Server } from "../server/server.ts";
 * import { defineCommands } from "./command.ts";
 * import { stringCommands } from "./commands/strings.ts";
 * import { Keyspace } from "./keyspace/keyspace.ts";
 *
 * const keyspace = new Keyspace();
 * new Server().router.define(defineCommands([stringCommands], keyspace));
 * keyspace.close();
 * ```
 */
export function defineCommands(
  tables: readonly (readonly KvCommand[])[],
  keyspace: Keyspace,
): CommandDefinition[] {
  const out: CommandDefinition[] = [];
  for (const table of tables) {
    for (const entry of table) {
      out.push({ name: entry.name, ...toSpec(entry.name, entry, keyspace) });
    }
  }
  return out;
}
