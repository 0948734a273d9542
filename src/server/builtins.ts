/**
 * The built-in commands: connection (PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT, CLIENT),
 * server (COMMAND, INFO, CONFIG), transactions (MULTI, EXEC, DISCARD) and pub/sub. Each is a
 * plain router entry: override or remove it through `server.router`.
 *
 * @module
 */

import { bytesToString, parseInteger, stringToBytes } from "../resp/bytes.ts";
import { CommandError, NOT_INTEGER, SYNTAX } from "./errors.ts";
import type { Connection } from "./connection.ts";
import { globMatch } from "./glob.ts";
import type { Reply } from "./reply.ts";
import type { CommandEntry, CommandSpec, Handler } from "./router.ts";
import type { Server } from "./server.ts";
import { VERSION } from "./version.ts";

const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
const NO_PASSWORD = "ERR AUTH <password> called without any password configured for the " +
  "default user. Are you sure your configuration is correct?";
const HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, " +
  "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and " +
  "select the RESP protocol version at the same time";

/**
 * Compares two byte strings in time that depends only on the expected one's length.
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "./builtins.ts";
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

/** Redis's rule for client names and library attributes: printable ASCII, no spaces. */
function validName(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] < 33 || bytes[i] > 126) return false;
  }
  return true;
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
  if (server._authenticate) return server._authenticate(user, bytesToString(password), connection);
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
    reply.simple("PONG");
  }
};

const auth: Handler = (command, reply, connection) => {
  const server = connection.server;
  if (command.length > 2) return reply.error(SYNTAX);
  if (command.length === 1 && !server._requiresAuth) return reply.error(NO_PASSWORD);
  const user = command.length === 2 ? command.string(0) : "default";
  const password = command.argv[command.length];
  return then(checkCredentials(server, user, password, connection), (ok) => {
    if (!ok) return reply.error(WRONGPASS);
    connection.authenticated = true;
    connection.user = user;
    reply.ok();
  });
};

const hello: Handler = (command, reply, connection) => {
  const server = connection.server;
  let protocol = connection.protocol;
  let i = 0;
  if (command.length >= 1) {
    const version = parseInteger(command.argv[1]);
    if (version === undefined) {
      return reply.error("ERR Protocol version is not an integer or out of range");
    }
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
      return reply.error(`ERR Syntax error in HELLO option '${command.string(i)}'`);
    }
  }
  const finish = (): void => {
    if (!connection.authenticated) return reply.error(HELLO_NOAUTH);
    if (name !== undefined) {
      if (!validName(name)) {
        return reply.error(
          "ERR Client names cannot contain spaces, newlines or special characters.",
        );
      }
      connection.name = bytesToString(name);
    }
    connection.protocol = protocol;
    reply._setProtocol(protocol);
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
  const db = parseInteger(command.argv[1]);
  if (db === undefined) return reply.error(NOT_INTEGER);
  if (db < 0 || db >= connection.server.options.databases) {
    return reply.error("ERR DB index is out of range");
  }
  connection.db = db;
  reply.ok();
};

// ---- CLIENT ----

/**
 * One CLIENT LIST / CLIENT INFO line (without the newline), in Redis's field order.
 *
 * @example
 * ```ts
 * import { clientInfoLine } from "./builtins.ts";
 * import type { Connection } from "./connection.ts";
 *
 * const describe = (connection: Connection) => clientInfoLine(connection, Date.now());
 * ```
 */
export function clientInfoLine(c: Connection, now: number): string {
  let flags = "";
  if (c.subscriptions > 0) flags += "P";
  if (c.inTransaction) flags += "x";
  if (c.blocked) flags += "b";
  if (flags === "") flags = "N";
  const output = c.pendingOutputBytes;
  return `id=${c.id} addr=${c.remoteAddress} laddr=${c.localAddress} fd=-1 name=${c.name} ` +
    `age=${Math.floor((now - c.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${flags} db=${c.db} ` +
    `sub=${c._channelCount} psub=${c._patternCount} ssub=0 ` +
    `multi=${c._multi === null ? -1 : c._multi.length} qbuf=${c.queryBufferBytes} ` +
    `qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=${output} ` +
    `tot-mem=${output + c.queryBufferBytes} events=r cmd=${c.lastCommand} user=${c.user} ` +
    `redir=-1 resp=${c.protocol} lib-name=${c.libName} lib-ver=${c.libVersion}`;
}

function clientType(c: Connection): string {
  return c.subscriptions > 0 ? "pubsub" : "normal";
}

const CLIENT_TYPES = new Set(["normal", "pubsub", "master", "replica", "slave"]);

const clientList: Handler = (command, reply, connection) => {
  const server = connection.server;
  let type: string | undefined;
  let ids: Set<number> | undefined;
  if (command.length >= 2) {
    if (command.is(1, "type") && command.length === 3) {
      type = command.lower(2);
      if (!CLIENT_TYPES.has(type)) {
        return reply.error(`ERR Unknown client type '${command.string(2)}'`);
      }
    } else if (command.is(1, "id") && command.length >= 3) {
      ids = new Set();
      for (let i = 2; i < command.length; i++) {
        const id = parseInteger(command.argv[i + 1]);
        if (id === undefined || id < 1) return reply.error("ERR Invalid client ID");
        ids.add(id);
      }
    } else {
      return reply.error(SYNTAX);
    }
  }
  const now = Date.now();
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
        return reply.ok();
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
      const n = parseInteger(command.argv[i + 2]);
      if (n === undefined || n < 1) return reply.error("ERR client-id should be greater than 0");
      id = n;
    } else if (command.is(i, "addr")) addr = value;
    else if (command.is(i, "laddr")) laddr = value;
    else if (command.is(i, "user")) user = value;
    else if (command.is(i, "type")) {
      type = value.toLowerCase();
      if (!CLIENT_TYPES.has(type)) return reply.error(`ERR Unknown client type '${value}'`);
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

function helpFor(name: string, spec: () => CommandSpec | undefined): CommandSpec {
  return {
    arity: 2,
    summary: "Show helpful text about the different subcommands",
    handler: (_command, reply) => {
      const subs = Object.entries(spec()?.subcommands ?? {});
      const upper = name.toUpperCase();
      reply.arrayHeader(subs.length + 1);
      reply.simple(`${upper} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
      for (const [sub, s] of subs) {
        reply.simple(`${sub.toUpperCase()}${s.summary ? ` -- ${s.summary}` : ""}`);
      }
    },
  };
}

function container(
  server: Server,
  name: string,
  subcommands: Record<string, CommandSpec>,
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  return {
    arity: -2,
    handler: (command) => {
      throw new CommandError(
        `ERR unknown subcommand '${command.string(0)}'. Try ${name.toUpperCase()} HELP.`,
      );
    },
    ...extra,
    subcommands: { ...subcommands, help: helpFor(name, () => server.router.get(name)) },
  };
}

// ---- COMMAND ----

function flagWords(spec: CommandSpec): string[] {
  const out: string[] = [];
  for (const flag of spec.flags ?? []) {
    if (flag === "noqueue") continue;
    out.push(flag === "noauth" ? "no_auth" : flag);
  }
  return out;
}

function categories(spec: CommandSpec): string[] {
  const out: string[] = [];
  for (const flag of spec.flags ?? []) {
    if (flag === "write") out.push("@write");
    else if (flag === "readonly") out.push("@read");
    else if (flag === "fast") out.push("@fast");
    else if (flag === "blocking") out.push("@blocking");
    else if (flag === "admin") out.push("@admin", "@dangerous");
  }
  return out;
}

function writeCommandInfo(entry: CommandEntry, reply: Reply): void {
  const spec = entry.spec;
  reply.arrayHeader(10);
  reply.bulk(entry.fullName);
  reply.integer(entry.arity);
  const flags = flagWords(spec);
  reply.setHeader(flags.length);
  for (const flag of flags) reply.simple(flag);
  reply.integer(spec.firstKey ?? 0);
  reply.integer(spec.lastKey ?? 0);
  reply.integer(spec.keyStep ?? 0);
  const cats = categories(spec);
  reply.setHeader(cats.length);
  for (const cat of cats) reply.simple(cat);
  reply.setHeader(0); // tips
  reply.arrayHeader(0); // key specs
  const subs = entry.subcommands ? [...entry.subcommands.values()] : [];
  reply.arrayHeader(subs.length);
  for (const sub of subs) writeCommandInfo(sub, reply);
}

function writeCommandDocs(entry: CommandEntry, reply: Reply): void {
  const spec = entry.spec;
  const subs = entry.subcommands ? [...entry.subcommands.values()] : [];
  reply.mapHeader(subs.length > 0 ? 4 : 3);
  reply.bulk("summary");
  reply.bulk(spec.summary ?? "");
  reply.bulk("since");
  reply.bulk(spec.since ?? "1.0.0");
  reply.bulk("group");
  reply.bulk(spec.group ?? "generic");
  if (subs.length > 0) {
    reply.bulk("subcommands");
    reply.mapHeader(subs.length);
    for (const sub of subs) {
      reply.bulk(sub.fullName);
      writeCommandDocs(sub, reply);
    }
  }
}

function lookupFull(server: Server, name: string): CommandEntry | undefined {
  const bar = name.indexOf("|");
  if (bar === -1) return server.router.lookup(name);
  const parent = server.router.lookup(name.slice(0, bar));
  return parent?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

// ---- INFO ----

let runId: string | undefined;
function getRunId(): string {
  if (runId === undefined) {
    const bytes = new Uint8Array(20);
    crypto.getRandomValues(bytes);
    runId = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return runId;
}

function tcpPort(server: Server): number {
  for (const listener of server.listeners) {
    if (listener.address.transport === "tcp") return listener.address.port;
  }
  return 0;
}

function userAgent(): string {
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  return nav?.userAgent ?? "unknown";
}

type Fields = Record<string, string | number>;

/**
 * INFO's sections in Redis 7.0's order. `INFO` alone (or `default`) gives all but
 * commandstats and latencystats; `all` and `everything` give all of them. Sections added with
 * `Server.addInfoSection` under one of these names replace it (the key-value store adds
 * `keyspace`); others follow `keyspace`, in every set.
 */
const STANDARD_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "commandstats",
  "errorstats",
  "latencystats",
  "cluster",
  "keyspace",
];
const NOT_DEFAULT = new Set(["commandstats", "latencystats"]);
const SECTION_HEADERS = new Map([["cpu", "CPU"]]);

let replicationId: string | undefined;

/** A fixed-point number with `digits` decimals like C's `%.<digits>f` (for finite values). */
function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : value > 0 ? "inf" : "nan";
}

/**
 * Formats a byte count like Redis's `bytesToHuman`: `862B`, `1.00K`, `11.52M`, `2.50G` (two
 * decimals, rounded as C's printf: halves to even).
 *
 * @example
 * ```ts
 * import { bytesToHuman } from "./builtins.ts";
 *
 * bytesToHuman(0); // "0B"
 * bytesToHuman(1048576); // "1.00M"
 * bytesToHuman(883159); // "862.46K"
 * ```
 */
export function bytesToHuman(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  const value = BigInt(Math.max(0, Math.floor(n)));
  if (value < 1024n) return `${value}B`;
  let unit = 1024n;
  for (const suffix of units) {
    if (value < unit * 1024n) {
      // n / unit with two decimals, the remainder rounded half to even as glibc does (the
      // quotient is exact in binary, so a tie is a real tie).
      let hundredths = value * 100n / unit;
      const rest = value * 100n % unit;
      if (rest * 2n > unit || (rest * 2n === unit && hundredths % 2n === 1n)) hundredths++;
      const whole = hundredths / 100n;
      const cents = String(hundredths % 100n).padStart(2, "0");
      return `${whole}.${cents}${suffix}`;
    }
    unit *= 1024n;
  }
  return `${value}B`;
}

/** CPU microseconds as Redis prints them: seconds with six decimals. */
function cpuSeconds(micros: number): string {
  const us = Math.round(micros);
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")}`;
}

function memorySection(server: Server): Fields {
  const m = server._memory();
  let clients = 0;
  for (const c of server.connections) clients += c.pendingOutputBytes + c.queryBufferBytes;
  return {
    used_memory: m.used,
    used_memory_human: bytesToHuman(m.used),
    used_memory_rss: m.rss,
    used_memory_rss_human: bytesToHuman(m.rss),
    used_memory_peak: m.peak,
    used_memory_peak_human: bytesToHuman(m.peak),
    used_memory_peak_perc: `${fixed(m.peak > 0 ? m.used * 100 / m.peak : 0)}%`,
    used_memory_startup: m.startup,
    maxmemory: 0,
    maxmemory_human: "0B",
    maxmemory_policy: "noeviction",
    mem_fragmentation_ratio: fixed(m.used > 0 ? m.rss / m.used : 0),
    mem_fragmentation_bytes: m.rss - m.used,
    mem_not_counted_for_evict: 0,
    mem_replication_backlog: 0,
    mem_total_replication_buffers: 0,
    mem_clients_slaves: 0,
    mem_clients_normal: clients,
    mem_cluster_links: 0,
    mem_aof_buffer: 0,
    // No malloc of our own: the JavaScript engine's garbage-collected heap.
    mem_allocator: jsEngine(),
    active_defrag_running: 0,
    lazyfree_pending_objects: 0,
    lazyfreed_objects: 0,
  };
}

function jsEngine(): string {
  const agent = userAgent();
  if (agent.startsWith("Bun/")) return "javascriptcore";
  if (agent.startsWith("Deno/") || agent.startsWith("Node.js/") || agent === "unknown") {
    return "v8";
  }
  return agent;
}

function standardSection(server: Server, name: string): Fields | undefined {
  const now = Date.now();
  const stats = server._stats;
  const options = server.options;
  switch (name) {
    case "server": {
      const uptime = Math.floor((now - stats.startedAt) / 1000);
      return {
        redis_version: options.version,
        rediserver_version: VERSION,
        redis_git_sha1: "00000000",
        redis_git_dirty: 0,
        redis_build_id: "0",
        redis_mode: "standalone",
        os: userAgent(),
        arch_bits: 64,
        multiplexing_api: "rediserver",
        run_id: getRunId(),
        tcp_port: tcpPort(server),
        server_time_usec: now * 1000,
        uptime_in_seconds: uptime,
        uptime_in_days: Math.floor(uptime / 86400),
        hz: 10,
        configured_hz: 10,
        executable: "",
        config_file: "",
        io_threads_active: 0,
      };
    }
    case "clients": {
      let blocked = 0;
      for (const c of server.connections) if (c.blocked) blocked++;
      return {
        connected_clients: server.connections.size,
        cluster_connections: 0,
        maxclients: options.maxClients,
        client_recent_max_input_buffer: 0,
        client_recent_max_output_buffer: 0,
        blocked_clients: blocked,
        tracking_clients: 0,
        clients_in_timeout_table: 0,
      };
    }
    case "memory":
      return memorySection(server);
    case "persistence":
      // What Redis 7.0 shows with `save ""` and `appendonly no`: nothing saved, ever.
      return {
        loading: 0,
        async_loading: 0,
        current_cow_peak: 0,
        current_cow_size: 0,
        current_cow_size_age: 0,
        current_fork_perc: "0.00",
        current_save_keys_processed: 0,
        current_save_keys_total: 0,
        rdb_changes_since_last_save: 0,
        rdb_bgsave_in_progress: 0,
        rdb_last_save_time: Math.floor(stats.startedAt / 1000),
        rdb_last_bgsave_status: "ok",
        rdb_last_bgsave_time_sec: -1,
        rdb_current_bgsave_time_sec: -1,
        rdb_saves: 0,
        rdb_last_cow_size: 0,
        rdb_last_load_keys_expired: 0,
        rdb_last_load_keys_loaded: 0,
        aof_enabled: 0,
        aof_rewrite_in_progress: 0,
        aof_rewrite_scheduled: 0,
        aof_last_rewrite_time_sec: -1,
        aof_current_rewrite_time_sec: -1,
        aof_last_bgrewrite_status: "ok",
        aof_rewrites: 0,
        aof_rewrites_consecutive_failures: 0,
        aof_last_write_status: "ok",
        aof_last_cow_size: 0,
        module_fork_in_progress: 0,
        module_fork_last_cow_size: 0,
      };
    case "stats":
      return {
        total_connections_received: stats.connections,
        total_commands_processed: stats.commands,
        instantaneous_ops_per_sec: server._opsPerSecond(),
        total_net_input_bytes: stats.netInput,
        total_net_output_bytes: stats.netOutput,
        rejected_connections: stats.rejected,
        pubsub_channels: server.pubsub.channelCount(),
        pubsub_patterns: server.pubsub.patternCount(),
      };
    case "replication":
      if (replicationId === undefined) {
        const bytes = new Uint8Array(20);
        crypto.getRandomValues(bytes);
        replicationId = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      }
      return {
        role: "master",
        connected_slaves: 0,
        master_failover_state: "no-failover",
        master_replid: replicationId,
        master_replid2: "0000000000000000000000000000000000000000",
        master_repl_offset: 0,
        second_repl_offset: -1,
        repl_backlog_active: 0,
        repl_backlog_size: 1048576,
        repl_backlog_first_byte_offset: 0,
        repl_backlog_histlen: 0,
      };
    case "cpu": {
      const cpu = server._cpu();
      return {
        used_cpu_sys: cpuSeconds(cpu.system),
        used_cpu_user: cpuSeconds(cpu.user),
        used_cpu_sys_children: "0.000000",
        used_cpu_user_children: "0.000000",
      };
    }
    case "cluster":
      return { cluster_enabled: 0 };
    // No modules; per-command, error and latency statistics are not kept: headers only.
    case "modules":
    case "commandstats":
    case "errorstats":
    case "latencystats":
    case "keyspace":
      return {};
  }
  return undefined;
}

/**
 * The INFO text for the given section names, in Redis 7.0's format and order: `# Section`
 * headers, `key:value` lines, CRLF line ends, a blank line between sections. No names (or
 * `default`) gives the default set, `all` / `everything` every section; several names may be
 * given (Redis 7); unknown names are ignored.
 *
 * @example
 * ```ts
 * import { infoText } from "./builtins.ts";
 * import { Server } from "./server.ts";
 *
 * infoText(new Server(), ["server"]); // "# Server\r\nredis_version:7.0.15\r\n..."
 * infoText(new Server(), ["memory", "cpu"]); // "# Memory\r\nused_memory:0\r\n...# CPU..."
 * ```
 */
export function infoText(server: Server, names: readonly string[]): string {
  const asked = new Set<string>();
  for (const name of names.length === 0 ? ["default"] : names) asked.add(name.toLowerCase());
  const all = asked.has("all") || asked.has("everything");
  const byDefault = all || asked.has("default");
  const custom = server._infoSections;
  const sections = [...STANDARD_SECTIONS];
  for (const name of custom.keys()) if (!sections.includes(name)) sections.push(name);
  let text = "";
  let count = 0;
  for (const name of sections) {
    if (!asked.has(name) && !all && !(byDefault && !NOT_DEFAULT.has(name))) continue;
    const fields = custom.get(name)?.() ?? standardSection(server, name);
    if (fields === undefined) continue;
    if (count++ > 0) text += "\r\n";
    text += `# ${SECTION_HEADERS.get(name) ?? name[0].toUpperCase() + name.slice(1)}\r\n`;
    for (const key of Object.keys(fields)) text += `${key}:${fields[key]}\r\n`;
  }
  return text;
}

// ---- CONFIG ----

interface ConfigItem {
  name: string;
  get: (server: Server) => string;
  set?: (server: Server, value: Uint8Array) => boolean;
}

function setInteger(
  min: number,
  apply: (server: Server, value: number) => void,
): (server: Server, value: Uint8Array) => boolean {
  return (server, bytes) => {
    const value = parseInteger(bytes);
    if (value === undefined || value < min) return false;
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
  { name: "proto-max-bulk-len", get: (s) => String(s.options.limits.maxBulkLength) },
  { name: "client-query-buffer-limit", get: (s) => String(s.options.maxQueryBuffer) },
  { name: "maxmemory", get: () => "0" },
  { name: "maxmemory-policy", get: () => "noeviction" },
  { name: "appendfsync", get: () => "everysec" },
  { name: "tcp-keepalive", get: () => "300" },
];

const configGet: Handler = (command, reply, connection) => {
  const server = connection.server;
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
  const changes: Array<[ConfigItem, Uint8Array]> = [];
  for (let i = 1; i < command.length; i += 2) {
    const name = command.lower(i);
    const item = CONFIG.find((c) => c.name === name);
    if (item === undefined) {
      return reply.error(
        `ERR Unknown option or number of arguments for CONFIG SET - '${command.string(i)}'`,
      );
    }
    if (item.set === undefined) {
      return reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`,
      );
    }
    changes.push([item, command.argv[i + 2]]);
  }
  for (const [item, value] of changes) {
    if (!item.set!(server, value)) {
      return reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${item.name}') - argument couldn't be parsed into an integer`,
      );
    }
  }
  reply.ok();
};

// ---- transactions ----

function runQueued(
  connection: Connection,
  queued: NonNullable<Connection["_multi"]>,
  reply: Reply,
  from: number,
): Promise<void> | undefined {
  for (let i = from; i < queued.length; i++) {
    const { entry, command } = queued[i];
    const pending = connection._invoke(entry, command, reply);
    if (pending !== undefined) {
      return pending.then(() => runQueued(connection, queued, reply, i + 1));
    }
  }
  reply._wrote = true;
  return undefined;
}

const exec: Handler = (_command, reply, connection) => {
  const server = connection.server;
  const queued = connection._multi;
  if (queued === null) return reply.error("ERR EXEC without MULTI");
  server.runBeforeExecHooks(connection);
  if (connection._multiError) {
    server._endTransaction(connection);
    return reply.error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (connection.watchDirty) {
    server._endTransaction(connection);
    return reply.nullArray();
  }
  server._endTransaction(connection); // unwatch before running, as Redis
  reply.arrayHeader(queued.length);
  connection._executingTransaction = true;
  const done = () => {
    connection._executingTransaction = false;
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

// ---- pub/sub ----

const pubsubChannels: Handler = (command, reply, connection) => {
  if (command.length > 2) {
    return reply.error("ERR wrong number of arguments for 'pubsub|channels' command");
  }
  reply.array(connection.server.pubsub.channels(command.arg(1)));
};

const pubsubNumsub: Handler = (command, reply, connection) => {
  const pubsub = connection.server.pubsub;
  const n = command.length - 1;
  reply.arrayHeader(n * 2);
  for (let i = 1; i <= n; i++) {
    const channel = command.argv[i + 1];
    reply.bulk(channel);
    reply.integer(pubsub.subscriberCount(channel));
  }
};

/**
 * Registers the built-in commands on `server.router` (the Server constructor does it).
 *
 * @example
 * ```ts
 * import { registerBuiltins } from "./builtins.ts";
 * import { Server } from "./server.ts";
 *
 * const server = new Server();
 * server.router.remove("ping"); // then put it back:
 * registerBuiltins(server);
 * ```
 */
export function registerBuiltins(server: Server): void {
  const router = server.router;
  const connectionGroup = { group: "connection" };
  router.register("ping", {
    arity: -1,
    flags: ["fast", "pubsub"],
    summary: "Ping the server",
    ...connectionGroup,
    handler: ping,
  });
  router.register("echo", {
    arity: 2,
    flags: ["fast"],
    summary: "Echo the given string",
    ...connectionGroup,
    handler: (command, reply) => reply.bulk(command.argv[1]),
  });
  router.register("quit", {
    arity: -1,
    flags: ["noauth", "pubsub", "noqueue", "fast"],
    summary: "Close the connection",
    ...connectionGroup,
    handler: (_command, reply, connection) => {
      reply.ok();
      connection.close();
    },
  });
  router.register("reset", {
    arity: 1,
    flags: ["noauth", "pubsub", "noqueue", "fast"],
    summary: "Reset the connection",
    since: "6.2.0",
    ...connectionGroup,
    handler: (_command, reply, connection) => {
      connection._reset();
      reply._setProtocol(2);
      reply.simple("RESET");
    },
  });
  router.register("hello", {
    arity: -1,
    flags: ["noauth", "fast"],
    summary: "Handshake with Redis",
    since: "6.0.0",
    ...connectionGroup,
    handler: hello,
  });
  router.register("auth", {
    arity: -2,
    flags: ["noauth", "fast"],
    summary: "Authenticate to the server",
    ...connectionGroup,
    handler: auth,
  });
  router.register("select", {
    arity: 2,
    flags: ["fast"],
    summary: "Change the selected database for the current connection",
    ...connectionGroup,
    handler: select,
  });
  router.register(
    "client",
    container(server, "client", {
      id: {
        arity: 2,
        summary: "Returns the client ID for the current connection",
        handler: (_c, reply, connection) => reply.integer(connection.id),
      },
      setname: {
        arity: 3,
        summary: "Set the current connection name",
        handler: (command, reply, connection) => {
          const name = command.argv[2];
          if (!validName(name)) {
            return reply.error(
              "ERR Client names cannot contain spaces, newlines or special characters.",
            );
          }
          connection.name = bytesToString(name);
          reply.ok();
        },
      },
      getname: {
        arity: 2,
        summary: "Get the current connection name",
        handler: (_c, reply, connection) => {
          if (connection.name === "") reply.null();
          else reply.bulk(connection.name);
        },
      },
      info: {
        arity: 2,
        summary: "Returns information about the current client connection",
        handler: (_c, reply, connection) => {
          reply.verbatim(clientInfoLine(connection, Date.now()) + "\n");
        },
      },
      list: {
        arity: -2,
        summary: "Get the list of client connections",
        handler: clientList,
      },
      setinfo: {
        arity: 4,
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
          reply.ok();
        },
      },
      kill: {
        arity: -3,
        summary: "Kill the connection of a client",
        handler: clientKill,
      },
      reply: {
        arity: 3,
        summary: "Instruct the server whether to reply to commands",
        handler: (command, reply, connection) => {
          const mode = command.lower(1);
          if (mode !== "on" && mode !== "off" && mode !== "skip") return reply.error(SYNTAX);
          connection._setReplyMode(mode, reply);
        },
      },
    }, connectionGroup),
  );
  router.register(
    "command",
    container(server, "command", {
      count: {
        arity: 2,
        summary: "Get total number of Redis commands",
        handler: (_c, reply) => reply.integer(server.router.names().length),
      },
      info: {
        arity: -2,
        summary: "Get array of specific Redis command details, or all when no argument is given",
        handler: (command, reply) => {
          if (command.length === 1) {
            const entries = [...server.router.entries()];
            reply.arrayHeader(entries.length);
            for (const entry of entries) writeCommandInfo(entry, reply);
            return;
          }
          reply.arrayHeader(command.length - 1);
          for (let i = 1; i < command.length; i++) {
            const entry = lookupFull(server, command.string(i));
            if (entry) writeCommandInfo(entry, reply);
            else reply.nullArray();
          }
        },
      },
      docs: {
        arity: -2,
        summary: "Get array of specific Redis command documentation",
        handler: (command, reply) => {
          const entries: CommandEntry[] = [];
          if (command.length === 1) entries.push(...server.router.entries());
          else {
            for (let i = 1; i < command.length; i++) {
              const entry = lookupFull(server, command.string(i));
              if (entry) entries.push(entry);
            }
          }
          reply.mapHeader(entries.length);
          for (const entry of entries) {
            reply.bulk(entry.fullName);
            writeCommandDocs(entry, reply);
          }
        },
      },
      list: {
        arity: -2,
        summary: "Get an array of Redis command names",
        handler: (_c, reply) => reply.array(server.router.names()),
      },
    }, {
      group: "server",
      summary: "Get array of Redis command details",
      // COMMAND without a subcommand: the whole table.
      handler: (command, reply) => {
        if (command.length > 0) {
          throw new CommandError(
            `ERR unknown subcommand '${command.string(0)}'. Try COMMAND HELP.`,
          );
        }
        const entries = [...server.router.entries()];
        reply.arrayHeader(entries.length);
        for (const entry of entries) writeCommandInfo(entry, reply);
      },
      arity: -1,
    }),
  );
  router.register("info", {
    arity: -1,
    summary: "Get information and statistics about the server",
    group: "server",
    handler: (command, reply) => {
      const names: string[] = [];
      for (let i = 0; i < command.length; i++) names.push(command.string(i));
      reply.verbatim(infoText(server, names));
    },
  });
  router.register(
    "config",
    container(server, "config", {
      get: { arity: -3, summary: "Get the values of configuration parameters", handler: configGet },
      set: { arity: -4, summary: "Set configuration parameters", handler: configSet },
      resetstat: {
        arity: 2,
        summary: "Reset the stats returned by INFO",
        handler: (_c, reply) => {
          const stats = server._stats;
          stats.commands = stats.connections = stats.rejected = 0;
          stats.netInput = stats.netOutput = 0;
          reply.ok();
        },
      },
    }, { group: "server" }),
  );
  const tx = { group: "transactions", since: "1.2.0" };
  router.register("multi", {
    arity: 1,
    flags: ["noqueue", "fast"],
    summary: "Mark the start of a transaction block",
    ...tx,
    handler: (_c, reply, connection) => {
      if (connection._multi !== null) return reply.error("ERR MULTI calls can not be nested");
      connection._multi = [];
      reply.ok();
    },
  });
  router.register("exec", {
    arity: 1,
    flags: ["noqueue"],
    summary: "Execute all commands issued after MULTI",
    ...tx,
    handler: exec,
  });
  router.register("discard", {
    arity: 1,
    flags: ["noqueue", "fast"],
    summary: "Discard all commands issued after MULTI",
    ...tx,
    handler: (_c, reply, connection) => {
      if (connection._multi === null) return reply.error("ERR DISCARD without MULTI");
      server._endTransaction(connection);
      reply.ok();
    },
  });
  const ps = { group: "pubsub", since: "2.0.0" };
  router.register("subscribe", {
    arity: -2,
    flags: ["pubsub"],
    summary: "Listen for messages published to the given channels",
    ...ps,
    handler: (command, reply, connection) =>
      server.pubsub.subscribe(connection, command.args, reply),
  });
  router.register("psubscribe", {
    arity: -2,
    flags: ["pubsub"],
    summary: "Listen for messages published to channels matching the given patterns",
    ...ps,
    handler: (command, reply, connection) =>
      server.pubsub.psubscribe(connection, command.args, reply),
  });
  router.register("unsubscribe", {
    arity: -1,
    flags: ["pubsub"],
    summary: "Stop listening for messages posted to the given channels",
    ...ps,
    handler: (command, reply, connection) =>
      server.pubsub.unsubscribe(connection, command.args, reply),
  });
  router.register("punsubscribe", {
    arity: -1,
    flags: ["pubsub"],
    summary: "Stop listening for messages posted to channels matching the given patterns",
    ...ps,
    handler: (command, reply, connection) =>
      server.pubsub.punsubscribe(connection, command.args, reply),
  });
  router.register("publish", {
    arity: 3,
    flags: ["fast"],
    summary: "Post a message to a channel",
    ...ps,
    handler: (command, reply) =>
      reply.integer(server.pubsub.publish(command.argv[1], command.argv[2])),
  });
  router.register(
    "pubsub",
    container(server, "pubsub", {
      channels: { arity: -2, summary: "List active channels", handler: pubsubChannels },
      numsub: {
        arity: -2,
        summary: "Get the count of subscribers for channels",
        handler: pubsubNumsub,
      },
      numpat: {
        arity: 2,
        summary: "Get the count of unique patterns pattern subscriptions",
        handler: (_c, reply) => reply.integer(server.pubsub.patternCount()),
      },
    }, ps),
  );
}
