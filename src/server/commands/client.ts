/**
 * CLIENT and its subcommands: ID, SETNAME, GETNAME, INFO, LIST, SETINFO, KILL, UNBLOCK, REPLY,
 * HELP.
 *
 * @module
 */

import { bytesToString } from "../../resp/bytes.ts";
import { parseLong } from "../args.ts";
import type { CommandDefinition, Handler } from "../command_spec.ts";
import type { Connection } from "../connection.ts";
import { cText, NOT_INTEGER, SYNTAX } from "../errors.ts";
import { container } from "./help.ts";

/**
 * Redis's rule for client names and library attributes: printable ASCII, no spaces.
 *
 * @example
 * ```ts
 * import { validName } from "./client.ts";
 *
 * validName(new TextEncoder().encode("worker-1")); // true
 * validName(new TextEncoder().encode("a b")); // false
 * ```
 */
export function validName(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] < 33 || bytes[i] > 126) return false;
  }
  return true;
}

/**
 * One CLIENT LIST / CLIENT INFO line (without the newline), in Redis's field order.
 *
 * @example
 * ```ts
 * import { clientInfoLine } from "./client.ts";
 * import type { Connection } from "../connection.ts";
 *
 * const describe = (c: Connection) => clientInfoLine(c, c.server.clock.now());
 * ```
 */
export function clientInfoLine(c: Connection, now: number): string {
  let flags = "";
  if (c.subscriptions > 0) flags += "P";
  if (c.inTransaction) flags += "x";
  if (c.blocked) flags += "b";
  if (flags === "") flags = "N";
  const output = c.pendingOutputBytes;
  const queued = c.queuedCommands;
  return `id=${c.id} addr=${c.remoteAddress} laddr=${c.localAddress} fd=-1 name=${c.name} ` +
    `age=${Math.floor((now - c.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${flags} db=${c.db} ` +
    `sub=${c.channelCount} psub=${c.patternCount} ssub=0 ` +
    `multi=${queued === null ? -1 : queued.length} qbuf=${c.queryBufferBytes} ` +
    `qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=${output} ` +
    `tot-mem=${output + c.queryBufferBytes} events=r cmd=${c.lastCommand} user=${c.user} ` +
    `redir=-1 resp=${c.protocol} lib-name=${c.libName} lib-ver=${c.libVersion}`;
}

function clientType(c: Connection): string {
  return c.subscriptions > 0 ? "pubsub" : "normal";
}

const CLIENT_TYPES = new Set(["normal", "pubsub", "master", "replica", "slave"]);
const BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

/** A client id argument (a positive integer), or undefined. */
function clientId(bytes: Uint8Array): number | undefined {
  const id = parseLong(bytes);
  return id === undefined || id < 1 || !Number.isSafeInteger(id) ? undefined : id;
}

const clientList: Handler = (command, reply, connection) => {
  const server = connection.server;
  let type: string | undefined;
  let ids: Set<number> | undefined;
  if (command.length >= 2) {
    if (command.is(1, "type") && command.length === 3) {
      type = command.lower(2);
      if (!CLIENT_TYPES.has(type)) {
        return reply.error(`ERR Unknown client type '${cText(command.arg(2))}'`);
      }
    } else if (command.is(1, "id") && command.length >= 3) {
      ids = new Set();
      for (let i = 2; i < command.length; i++) {
        const id = clientId(command.argv[i + 1]);
        if (id === undefined) return reply.error("ERR Invalid client ID");
        ids.add(id);
      }
    } else {
      return reply.error(SYNTAX);
    }
  }
  const now = server.clock.now();
  let text = "";
  for (const c of server.connections) {
    if (type !== undefined && clientType(c) !== type) continue;
    if (ids !== undefined && !ids.has(c.id)) continue;
    text += clientInfoLine(c, now) + "\n";
  }
  reply.verbatim(text);
};

const clientKill: Handler = (command, reply, connection) => {
  const server = connection.server;
  const kill = (c: Connection): void => {
    if (c === connection) c.close(); // after this reply
    else c.destroy();
  };
  if (command.length === 2) {
    // The old form: CLIENT KILL addr:port
    const addr = command.string(1);
    for (const c of server.connections) {
      if (c.remoteAddress === addr) {
        kill(c);
        return reply.status("OK");
      }
    }
    return reply.error("ERR No such client");
  }
  if ((command.length - 1) % 2 !== 0) return reply.error(SYNTAX);
  let id: number | undefined;
  let addr: string | undefined;
  let laddr: string | undefined;
  let user: string | undefined;
  let type: string | undefined;
  let skipMe = true;
  for (let i = 1; i < command.length; i += 2) {
    const value = command.string(i + 1);
    if (command.is(i, "id")) {
      id = clientId(command.argv[i + 2]);
      if (id === undefined) return reply.error("ERR client-id should be greater than 0");
    } else if (command.is(i, "addr")) addr = value;
    else if (command.is(i, "laddr")) laddr = value;
    else if (command.is(i, "user")) user = value;
    else if (command.is(i, "type")) {
      type = value.toLowerCase();
      if (!CLIENT_TYPES.has(type)) {
        return reply.error(`ERR Unknown client type '${cText(command.arg(i + 1))}'`);
      }
    } else if (command.is(i, "skipme")) {
      const yes = value.toLowerCase();
      if (yes === "yes") skipMe = true;
      else if (yes === "no") skipMe = false;
      else return reply.error(SYNTAX);
    } else return reply.error(SYNTAX);
  }
  let killed = 0;
  for (const c of [...server.connections]) {
    if (id !== undefined && c.id !== id) continue;
    if (addr !== undefined && c.remoteAddress !== addr) continue;
    if (laddr !== undefined && c.localAddress !== laddr) continue;
    if (user !== undefined && c.user !== user) continue;
    if (type !== undefined && clientType(c) !== type) continue;
    if (c === connection && skipMe) continue;
    kill(c);
    killed++;
  }
  reply.integer(killed);
};

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: the blocking owner answers through Server.unblock. */
const clientUnblock: Handler = (command, reply, connection) => {
  if (command.length > 3) {
    return reply.error(
      `ERR unknown subcommand or wrong number of arguments for '${
        command.string(0)
      }'. Try CLIENT HELP.`,
    );
  }
  let error = false;
  if (command.length === 3) {
    if (command.is(2, "error")) error = true;
    else if (!command.is(2, "timeout")) {
      return reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  const id = parseLong(command.argv[2]);
  if (id === undefined) return reply.error(NOT_INTEGER);
  const server = connection.server;
  for (const c of server.connections) {
    if (c.id === id && c.blocked) return reply.integer(server.unblock(c, error) ? 1 : 0);
  }
  reply.integer(0);
};

/** What most CLIENT subcommands share. */
const SUBCOMMAND = {
  flags: ["noscript", "loading", "stale"],
  acl: ["connection"],
  group: "connection",
} as const;

/** CLIENT and its subcommands. */
export const clientCommands: readonly CommandDefinition[] = [
  container("client", {
    arity: -2,
    group: "connection",
    since: "2.4.0",
    complexity: "Depends on subcommand.",
    summary: "A container for client connection commands",
    help: {
      flags: ["loading", "stale"],
      acl: ["connection"],
      group: "connection",
      since: "5.0.0",
    },
    subcommands: {
      id: {
        arity: 2,
        ...SUBCOMMAND,
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Returns the client ID for the current connection",
        handler: (_c, reply, connection) => reply.integer(connection.id),
      },
      setname: {
        arity: 3,
        ...SUBCOMMAND,
        since: "2.6.9",
        complexity: "O(1)",
        summary: "Set the current connection name",
        handler: (command, reply, connection) => {
          const name = command.argv[2];
          if (!validName(name)) return reply.error(BAD_NAME);
          connection.name = bytesToString(name);
          reply.status("OK");
        },
      },
      getname: {
        arity: 2,
        ...SUBCOMMAND,
        since: "2.6.9",
        complexity: "O(1)",
        summary: "Get the current connection name",
        handler: (_c, reply, connection) => {
          if (connection.name === "") reply.null();
          else reply.bulk(connection.name);
        },
      },
      info: {
        arity: 2,
        ...SUBCOMMAND,
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Returns information about the current client connection.",
        tips: ["nondeterministic_output"],
        handler: (_c, reply, connection) => {
          reply.verbatim(clientInfoLine(connection, connection.server.clock.now()) + "\n");
        },
      },
      list: {
        arity: -2,
        flags: ["admin", "noscript", "loading", "stale"],
        acl: ["connection"],
        group: "connection",
        since: "2.4.0",
        complexity: "O(N) where N is the number of client connections",
        summary: "Get the list of client connections",
        history: [
          ["2.8.12", "Added unique client `id` field."],
          ["5.0.0", "Added optional `TYPE` filter."],
          ["6.0.0", "Added `user` field."],
          [
            "6.2.0",
            "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.",
          ],
          ["7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."],
          ["7.0.3", "Added `ssub` field."],
        ],
        tips: ["nondeterministic_output"],
        handler: clientList,
      },
      // Redis 7.2's CLIENT SETINFO (clients send it on connect): not in 7.0's table.
      setinfo: {
        arity: 4,
        ...SUBCOMMAND,
        since: "7.2.0",
        complexity: "O(1)",
        summary: "Set client or connection specific info",
        handler: (command, reply, connection) => {
          const attr = command.string(1);
          const lower = attr.toLowerCase();
          if (lower !== "lib-name" && lower !== "lib-ver") {
            return reply.error(`ERR Unrecognized option '${attr}'`);
          }
          const value = command.argv[3];
          if (!validName(value)) {
            return reply.error(
              `ERR ${attr} cannot contain spaces, newlines or special characters.`,
            );
          }
          if (lower === "lib-name") connection.libName = bytesToString(value);
          else connection.libVersion = bytesToString(value);
          reply.status("OK");
        },
      },
      kill: {
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        acl: ["connection"],
        group: "connection",
        since: "2.4.0",
        complexity: "O(N) where N is the number of client connections",
        summary: "Kill the connection of a client",
        history: [["2.8.12", "Added new filter format."], ["2.8.12", "`ID` option."], [
          "3.2.0",
          "Added `master` type in for `TYPE` option.",
        ], [
          "5.0.0",
          "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.",
        ], ["6.2.0", "`LADDR` option."]],
        handler: clientKill,
      },
      unblock: {
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        acl: ["connection"],
        group: "connection",
        since: "5.0.0",
        complexity: "O(log N) where N is the number of client connections",
        summary: "Unblock a client blocked in a blocking command from a different connection",
        handler: clientUnblock,
      },
      reply: {
        arity: 3,
        ...SUBCOMMAND,
        since: "3.2.0",
        complexity: "O(1)",
        summary: "Instruct the server whether to reply to commands",
        handler: (command, reply, connection) => {
          const mode = command.lower(1);
          if (mode !== "on" && mode !== "off" && mode !== "skip") return reply.error(SYNTAX);
          connection.setReplyMode(mode, reply);
        },
      },
    },
  }),
];
