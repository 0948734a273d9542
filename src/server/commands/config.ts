/**
 * CONFIG GET, CONFIG SET, CONFIG RESETSTAT: the server's options under Redis's parameter
 * names (a few fixed values describe what this server does not have: persistence, eviction).
 *
 * @module
 */

import { bytesToString, stringToBytes } from "../../resp/bytes.ts";
import { parseDouble, parseLong } from "../args.ts";
import type { CommandDefinition, Handler } from "../command_spec.ts";
import { cText } from "../errors.ts";
import { globMatch } from "../glob.ts";
import type { Server } from "../server.ts";
import { container } from "./help.ts";

interface ConfigItem {
  name: string;
  get: (server: Server) => string;
  /** false: not an integer; a string: Redis's reason. */
  set?: (server: Server, value: Uint8Array) => boolean | string;
}

/**
 * The server's TCP port (0 when it listens on none).
 *
 * @example
 * ```ts
 * import { tcpPort } from "./config.ts";
 * import { Server } from "../server.ts";
 *
 * tcpPort(new Server()); // 0
 * ```
 */
export function tcpPort(server: Server): number {
  for (const listener of server.listeners) {
    if (listener.address.transport === "tcp") return listener.address.port;
  }
  return 0;
}

function setInteger(
  min: number,
  apply: (server: Server, value: number) => void,
): (server: Server, value: Uint8Array) => boolean {
  return (server, bytes) => {
    const value = parseLong(bytes);
    if (value === undefined || !Number.isSafeInteger(value) || value < min) return false;
    apply(server, value);
    return true;
  };
}

const CONFIG: ConfigItem[] = [
  { name: "save", get: () => "" },
  { name: "appendonly", get: () => "no" },
  { name: "databases", get: (s) => String(s.options.databases) },
  {
    name: "maxclients",
    get: (s) => String(s.options.maxClients),
    set: setInteger(1, (s, v) => s.setMaxClients(v)),
  },
  { name: "requirepass", get: (s) => s.options.password ?? "" },
  { name: "port", get: (s) => String(tcpPort(s)) },
  {
    name: "timeout",
    get: (s) => String(Math.floor(s.options.idleTimeout / 1000)),
    set: setInteger(0, (s, v) => s.setIdleTimeout(v * 1000)),
  },
  {
    name: "proto-max-bulk-len",
    get: (s) => protoMaxBulkLen.get(s) ?? String(s.options.limits.maxBulkLength),
    set: setProtoMaxBulkLen,
  },
  { name: "client-query-buffer-limit", get: (s) => String(s.options.maxQueryBuffer) },
  { name: "maxmemory", get: () => "0" },
  { name: "maxmemory-policy", get: () => "noeviction" },
  { name: "appendfsync", get: () => "everysec" },
  { name: "tcp-keepalive", get: () => "300" },
  {
    name: "latency-tracking",
    get: (s) => s.latencyTracking ? "yes" : "no",
    set: (s, value) => {
      const word = bytesToString(value).toLowerCase();
      if (word !== "yes" && word !== "no") return "argument must be 'yes' or 'no'";
      s.latencyTracking = word === "yes";
      return true;
    },
  },
  {
    name: "latency-tracking-info-percentiles",
    get: (s) => s.latencyPercentiles.map((p) => String(Number(p.toFixed(6)))).join(" "),
    set: setPercentiles,
  },
];

/** Units of Redis's `memtoull` (lower case) and their multipliers. */
const MEMORY_UNITS = new Map<string, bigint>([
  ["", 1n],
  ["b", 1n],
  ["k", 1000n],
  ["kb", 1024n],
  ["m", 1000n * 1000n],
  ["mb", 1024n * 1024n],
  ["g", 1000n * 1000n * 1000n],
  ["gb", 1024n * 1024n * 1024n],
]);

/**
 * Redis's `memtoull` then the cast to long long of a MEMORY_CONFIG: digits (strtoull,
 * saturating) and an optional unit; the product wraps modulo 2^64 as in C. Undefined when
 * malformed ("argument must be a memory value").
 */
function parseMemoryValue(bytes: Uint8Array): bigint | undefined {
  const text = cText(bytes);
  let digits = 0;
  while (digits < text.length && text.charCodeAt(digits) >= 48 && text.charCodeAt(digits) <= 57) {
    digits++;
  }
  const multiplier = MEMORY_UNITS.get(text.slice(digits).toLowerCase());
  if (multiplier === undefined || digits >= 128) return undefined;
  let value = digits === 0 ? 0n : BigInt(text.slice(0, digits));
  if (value > 0xffffffffffffffffn) value = 0xffffffffffffffffn; // strtoull's ERANGE
  return BigInt.asIntN(64, value * multiplier);
}

/** Exact CONFIG GET text of proto-max-bulk-len (values beyond 2^53 are not exact numbers). */
const protoMaxBulkLen = new WeakMap<Server, string>();

/** CONFIG SET proto-max-bulk-len: a memory value from 1 MiB to LONG_MAX (Redis 7.0). */
function setProtoMaxBulkLen(server: Server, bytes: Uint8Array): true | string {
  const value = parseMemoryValue(bytes);
  if (value === undefined) return "argument must be a memory value";
  if (value < 1048576n) {
    return "argument must be between 1048576 and 9223372036854775807 inclusive";
  }
  server.setMaxBulkLength(Number(value));
  protoMaxBulkLen.set(server, String(value));
  return true;
}

/** CONFIG SET latency-tracking-info-percentiles: numbers from 0 to 100, space separated. */
function setPercentiles(server: Server, value: Uint8Array): boolean | string {
  const words = bytesToString(value).split(" ").filter((w) => w !== "");
  const values: number[] = [];
  for (const word of words) {
    const p = parseDouble(stringToBytes(word));
    if (p === undefined || Number.isNaN(p)) {
      return "Invalid latency-tracking-info-percentiles parameters";
    }
    if (p < 0 || p > 100) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    values.push(p);
  }
  server.latencyPercentiles = values;
  return true;
}

/** The built-in parameters, then those extensions added to the server. */
function parameters(server: Server): ConfigItem[] {
  const added = server.configParameters;
  if (added.length === 0) return CONFIG;
  return [
    ...CONFIG,
    ...added.map((p): ConfigItem => ({
      name: p.name,
      get: () => p.get(),
      set: p.set === undefined ? undefined : (_server, value) => p.set!(value),
    })),
  ];
}

const configGet: Handler = (command, reply, connection) => {
  const server = connection.server;
  const CONFIG = parameters(server);
  const patterns = command.args.slice(1);
  const matches: ConfigItem[] = [];
  for (const item of CONFIG) {
    const name = stringToBytes(item.name);
    if (patterns.some((p) => globMatch(p, name, true))) matches.push(item);
  }
  reply.mapHeader(matches.length);
  for (const item of matches) {
    reply.bulk(item.name);
    reply.bulk(item.get(server));
  }
};

const configSet: Handler = (command, reply, connection) => {
  if ((command.length - 1) % 2 !== 0) {
    return reply.error("ERR wrong number of arguments for 'config|set' command");
  }
  const server = connection.server;
  const CONFIG = parameters(server);
  const changes: Array<[ConfigItem, Uint8Array]> = [];
  for (let i = 1; i < command.length; i += 2) {
    // Redis finds a parameter by hashing its whole name, so a NUL byte is part of it.
    const name = command.string(i).toLowerCase();
    const item = CONFIG.find((c) => c.name === name);
    if (item === undefined) {
      return reply.error(
        `ERR Unknown option or number of arguments for CONFIG SET - '${cText(command.arg(i))}'`,
      );
    }
    if (item.set === undefined) {
      return reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${
          cText(command.arg(i))
        }') - can't set immutable config`,
      );
    }
    if (changes.some(([seen]) => seen === item)) {
      return reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${
          cText(command.arg(i))
        }') - duplicate parameter`,
      );
    }
    changes.push([item, command.argv[i + 2]]);
  }
  // All or nothing, as Redis 7.0: a failed value restores those already applied.
  const previous = changes.map(([item]) => stringToBytes(item.get(server)));
  for (const [n, [item, value]] of changes.entries()) {
    const done = item.set!(server, value);
    if (done !== true) {
      for (let j = n - 1; j >= 0; j--) changes[j][0].set!(server, previous[j]);
      const reason = done === false ? "argument couldn't be parsed into an integer" : done;
      return reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${item.name}') - ${reason}`,
      );
    }
  }
  reply.status("OK");
};

/** CONFIG and its subcommands. */
export const configCommands: readonly CommandDefinition[] = [
  container("config", {
    arity: -2,
    group: "server",
    since: "2.0.0",
    complexity: "Depends on subcommand.",
    summary: "A container for server configuration commands",
    help: {
      flags: ["loading", "stale"],
      group: "server",
      since: "5.0.0",
    },
    subcommands: {
      get: {
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        group: "server",
        since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        summary: "Get the values of configuration parameters",
        history: [["7.0.0", "Added the ability to pass multiple pattern parameters in one call"]],
        handler: configGet,
      },
      set: {
        arity: -4,
        flags: ["admin", "noscript", "loading", "stale"],
        group: "server",
        since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        summary: "Set configuration parameters to the given values",
        history: [["7.0.0", "Added the ability to set multiple parameters in one call."]],
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: configSet,
      },
      resetstat: {
        arity: 2,
        flags: ["admin", "noscript", "loading", "stale"],
        group: "server",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Reset the stats returned by INFO",
        handler: (_c, reply, connection) => {
          connection.server.resetStats();
          reply.status("OK");
        },
      },
    },
  }),
];
