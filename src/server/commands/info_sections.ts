/**
 * The fields of INFO's standard sections, in Redis 7.0's order and names, read from the
 * server's counters, its options and the runtime's memory and CPU readings.
 *
 * @module
 */

import type { Server } from "../server.ts";
import { VERSION } from "../version.ts";
import { tcpPort } from "./config.ts";
import {
  commandStatsSection,
  errorStatsSection,
  latencyStatsSection,
  statsSection,
} from "./info_stats.ts";

let runId: string | undefined;
function getRunId(): string {
  if (runId === undefined) {
    const bytes = new Uint8Array(20);
    crypto.getRandomValues(bytes);
    runId = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return runId;
}

function userAgent(): string {
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  return nav?.userAgent ?? "unknown";
}

/** One INFO section: field names to values, in order. */
export type Fields = Record<string, string | number>;

/**
 * INFO's sections in Redis 7.0's order. `INFO` alone (or `default`) gives all but
 * commandstats and latencystats; `all` and `everything` give all of them. Sections added with
 * `Server.addInfoSection` under one of these names replace it (the key-value store adds
 * `keyspace`); others follow `keyspace`, in every set.
 */
export const STANDARD_SECTIONS: readonly string[] = [
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
/** Sections INFO leaves out unless asked by name, `all` or `everything`. */
export const NOT_DEFAULT: ReadonlySet<string> = new Set(["commandstats", "latencystats"]);
/** Section headers that are not the name capitalized. */
export const SECTION_HEADERS: ReadonlyMap<string, string> = new Map([["cpu", "CPU"]]);

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
 * import { bytesToHuman } from "./info_sections.ts";
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
  const m = server.memoryReading();
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

/**
 * The fields of one of Redis's standard INFO sections, or undefined for another name.
 *
 * @example
 * ```ts
 * import { standardSection } from "./info_sections.ts";
 * import { Server } from "../server.ts";
 *
 * standardSection(new Server(), "cluster"); // { cluster_enabled: 0 }
 * ```
 */
export function standardSection(server: Server, name: string): Fields | undefined {
  const now = server.clock.now();
  const stats = server.stats;
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
      return statsSection(server);
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
      const cpu = server.cpuReading();
      return {
        used_cpu_sys: cpuSeconds(cpu.system),
        used_cpu_user: cpuSeconds(cpu.user),
        used_cpu_sys_children: "0.000000",
        used_cpu_user_children: "0.000000",
      };
    }
    case "cluster":
      return { cluster_enabled: 0 };
    case "commandstats":
      return commandStatsSection(server);
    case "errorstats":
      return errorStatsSection(server);
    case "latencystats":
      return latencyStatsSection(server);
    // No modules; the key-value store adds its keyspace section.
    case "modules":
    case "keyspace":
      return {};
  }
  return undefined;
}
