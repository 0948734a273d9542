/**
 * Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT (CLIENT is in
 * `client.ts`).
 *
 * @module
 */

import { bytesToString, stringToBytes } from "../../resp/bytes.ts";
import { intArg, longArg } from "../args.ts";
import type { CommandDefinition, Handler } from "../command_spec.ts";
import type { Connection } from "../connection.ts";
import { cText, DB_INDEX_RANGE, SYNTAX } from "../errors.ts";
import type { Reply } from "../reply.ts";
import type { Server } from "../server.ts";
import { validName } from "./client.ts";

const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
const NO_PASSWORD = "ERR AUTH <password> called without any password configured for the " +
  "default user. Are you sure your configuration is correct?";
const HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, " +
  "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and " +
  "select the RESP protocol version at the same time";
const BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

/**
 * Compares two byte strings in time that depends only on the expected one's length.
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "./connection.ts";
 *
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * timingSafeEqual(bytes("secret"), bytes("secret")); // true
 * ```
 */
export function timingSafeEqual(given: Uint8Array, expected: Uint8Array): boolean {
  let diff = given.length ^ expected.length;
  const n = given.length || 1;
  for (let i = 0; i < expected.length; i++) diff |= (given[i % n] ?? 0) ^ expected[i];
  return diff === 0;
}

function then<T>(
  value: T | Promise<T>,
  next: (value: T) => void | Promise<void>,
): void | Promise<void> {
  if (value instanceof Promise) return value.then(next);
  return next(value);
}

/** Checks credentials: the `authenticate` callback, else `password` (user "default"). */
function checkCredentials(
  server: Server,
  user: string,
  password: Uint8Array,
  connection: Connection,
): boolean | Promise<boolean> {
  const authenticate = server.authenticator;
  if (authenticate) return authenticate(user, bytesToString(password), connection);
  const expected = server.options.password;
  if (user !== "default") return false;
  if (expected === undefined) return true; // the default user has no password
  return timingSafeEqual(password, stringToBytes(expected));
}

function writeHello(server: Server, connection: Connection, reply: Reply): void {
  reply.mapHeader(7);
  reply.bulk("server");
  reply.bulk(server.options.serverName);
  reply.bulk("version");
  reply.bulk(server.options.version);
  reply.bulk("proto");
  reply.integer(connection.protocol);
  reply.bulk("id");
  reply.integer(connection.id);
  reply.bulk("mode");
  reply.bulk("standalone");
  reply.bulk("role");
  reply.bulk("master");
  reply.bulk("modules");
  reply.arrayHeader(0);
}

const ping: Handler = (command, reply, connection) => {
  if (command.length > 1) {
    return reply.error("ERR wrong number of arguments for 'ping' command");
  }
  if (connection.protocol === 2 && connection.subscriptions > 0) {
    reply.arrayHeader(2);
    reply.bulk("pong");
    reply.bulk(command.arg(0) ?? "");
  } else if (command.length === 1) {
    reply.bulk(command.argv[1]);
  } else {
    reply.status("PONG");
  }
};

const auth: Handler = (command, reply, connection) => {
  const server = connection.server;
  if (command.length > 2) return reply.error(SYNTAX);
  if (command.length === 1 && !server.requiresAuth) return reply.error(NO_PASSWORD);
  const user = command.length === 2 ? command.string(0) : "default";
  const password = command.argv[command.length];
  return then(checkCredentials(server, user, password, connection), (ok) => {
    if (!ok) return reply.error(WRONGPASS);
    connection.authenticated = true;
    connection.user = user;
    reply.status("OK");
  });
};

const hello: Handler = (command, reply, connection) => {
  const server = connection.server;
  let protocol = connection.protocol;
  let i = 0;
  if (command.length >= 1) {
    const version = longArg(command, 0, "ERR Protocol version is not an integer or out of range");
    if (version < 2 || version > 3) return reply.error("NOPROTO unsupported protocol version");
    protocol = version as 2 | 3;
    i = 1;
  }
  let user: string | undefined;
  let password: Uint8Array | undefined;
  let name: Uint8Array | undefined;
  for (; i < command.length; i++) {
    const more = command.length - 1 - i;
    if (command.is(i, "auth") && more >= 2) {
      user = command.string(i + 1);
      password = command.argv[i + 3];
      i += 2;
    } else if (command.is(i, "setname") && more >= 1) {
      name = command.argv[i + 2];
      i += 1;
    } else {
      return reply.error(`ERR Syntax error in HELLO option '${cText(command.arg(i))}'`);
    }
  }
  const finish = (): void => {
    if (!connection.authenticated) return reply.error(HELLO_NOAUTH);
    if (name !== undefined) {
      if (!validName(name)) return reply.error(BAD_NAME);
      connection.name = bytesToString(name);
    }
    connection.protocol = protocol;
    reply.setProtocol(protocol);
    writeHello(server, connection, reply);
  };
  if (user !== undefined && password !== undefined) {
    const who = user;
    return then(checkCredentials(server, who, password, connection), (ok) => {
      if (!ok) return reply.error(WRONGPASS);
      connection.authenticated = true;
      connection.user = who;
      finish();
    });
  }
  finish();
};

const select: Handler = (command, reply, connection) => {
  const db = intArg(command, 0);
  if (db < 0 || db >= connection.server.options.databases) return reply.error(DB_INDEX_RANGE);
  connection.db = db;
  reply.status("OK");
};

/** QUIT's and RESET's flags: Redis's, then the core's own. */
const SESSION_FLAGS = [
  "noscript",
  "loading",
  "stale",
  "fast",
  "noauth",
  "allow_busy",
  "subscribed",
  "noqueue",
];

/**
 * The connection commands. "subscribed" (allowed in the RESP2 subscribed context) and
 * "noqueue" (run at once inside MULTI) are the core's own flags, not reported by COMMAND.
 */
export const connectionCommands: readonly CommandDefinition[] = [
  {
    name: "ping",
    arity: -1,
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Ping the server",
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    flags: ["fast", "subscribed"],
    handler: ping,
  },
  {
    name: "echo",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Echo the given string",
    handler: (command, reply) => reply.bulk(command.argv[1]),
  },
  {
    name: "quit",
    arity: -1,
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Close the connection",
    flags: SESSION_FLAGS,
    handler: (_command, reply, connection) => {
      reply.status("OK");
      connection.close();
    },
  },
  {
    name: "reset",
    arity: 1,
    acl: ["connection"],
    group: "connection",
    since: "6.2.0",
    complexity: "O(1)",
    summary: "Reset the connection",
    flags: SESSION_FLAGS,
    handler: (_command, reply, connection) => {
      connection.reset();
      reply.setProtocol(2);
      reply.status("RESET");
    },
  },
  {
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "noauth", "allow_busy"],
    acl: ["connection"],
    group: "connection",
    since: "6.0.0",
    complexity: "O(1)",
    summary: "Handshake with Redis",
    history: [[
      "6.2.0",
      "`protover` made optional; when called without arguments the command reports the current connection's context.",
    ]],
    handler: hello,
  },
  {
    name: "auth",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "noauth", "allow_busy"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    complexity: "O(N) where N is the number of passwords defined for the user",
    summary: "Authenticate to the server",
    history: [["6.0.0", "Added ACL style (username and password)."]],
    handler: auth,
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Change the selected database for the current connection",
    handler: select,
  },
];
