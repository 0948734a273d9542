/**
 * INFO `stats`, `commandstats`, `errorstats` and `latencystats` in Redis 7.0's fields and
 * order, and {@link addStatsField}, through which an extension fills a `stats` counter the
 * core does not keep (the key-value store's `expired_keys`).
 *
 * @module
 */

import type { CommandEntry } from "../router.ts";
import type { Server } from "../server.ts";
import { percentileName } from "../command_stats.ts";

/** One INFO section: field names to values, in order. */
type Fields = Record<string, string | number>;

/** Redis 7.0's `stats` fields after `rejected_connections` (0 unless a reader is added). */
const STATS_TAIL = [
  "sync_full",
  "sync_partial_ok",
  "sync_partial_err",
  "expired_keys",
  "expired_stale_perc",
  "expired_time_cap_reached_count",
  "expire_cycle_cpu_milliseconds",
  "evicted_keys",
  "evicted_clients",
  "total_eviction_exceeded_time",
  "current_eviction_exceeded_time",
  "keyspace_hits",
  "keyspace_misses",
  "pubsub_channels",
  "pubsub_patterns",
  "pubsubshard_channels",
  "latest_fork_usec",
  "total_forks",
  "migrate_cached_sockets",
  "slave_expires_tracked_keys",
  "active_defrag_hits",
  "active_defrag_misses",
  "active_defrag_key_hits",
  "active_defrag_key_misses",
  "total_active_defrag_time",
  "current_active_defrag_time",
  "tracking_total_keys",
  "tracking_total_items",
  "tracking_total_prefixes",
  "unexpected_error_replies",
  "total_error_replies",
  "dump_payload_sanitizations",
  "total_reads_processed",
  "total_writes_processed",
  "io_threaded_reads_processed",
  "io_threaded_writes_processed",
  "reply_buffer_shrinks",
  "reply_buffer_expands",
];

const extraFields = new WeakMap<Server, Map<string, () => number | string>>();

/**
 * Fills INFO `stats` field `name` (one of Redis's) with `read()`.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { addStatsField } from "./info_stats.ts";
 *
 * addStatsField(new Server(), "expired_keys", () => 0);
 * ```
 */
export function addStatsField(server: Server, name: string, read: () => number | string): void {
  let fields = extraFields.get(server);
  if (fields === undefined) extraFields.set(server, fields = new Map());
  fields.set(name, read);
}

/**
 * INFO `stats`.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { statsSection } from "./info_stats.ts";
 *
 * statsSection(new Server()).total_error_replies; // 0
 * ```
 */
export function statsSection(server: Server): Fields {
  const stats = server.stats;
  const fields: Fields = {
    total_connections_received: stats.connections,
    total_commands_processed: stats.commands,
    instantaneous_ops_per_sec: server.opsPerSecond(),
    total_net_input_bytes: stats.netInput,
    total_net_output_bytes: stats.netOutput,
    total_net_repl_input_bytes: 0,
    total_net_repl_output_bytes: 0,
    instantaneous_input_kbps: "0.00",
    instantaneous_output_kbps: "0.00",
    instantaneous_input_repl_kbps: "0.00",
    instantaneous_output_repl_kbps: "0.00",
    rejected_connections: stats.rejected,
  };
  const extra = extraFields.get(server);
  for (const name of STATS_TAIL) fields[name] = extra?.get(name)?.() ?? 0;
  fields.expired_stale_perc = extra?.get("expired_stale_perc")?.() ?? "0.00";
  fields.pubsub_channels = server.pubsub.channelCount();
  fields.pubsub_patterns = server.pubsub.patternCount();
  fields.total_error_replies = server.errorStats.total;
  return fields;
}

/** Every command entry with its subcommands, in table order. */
function allEntries(server: Server): CommandEntry[] {
  const out: CommandEntry[] = [];
  for (const entry of server.router.entries()) {
    out.push(entry);
    if (entry.subcommands !== undefined) out.push(...entry.subcommands.values());
  }
  if (server.fallback !== undefined) out.push(server.fallback);
  return out;
}

/**
 * INFO `commandstats`: `cmdstat_<name>` for every command called, rejected or failed.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { commandStatsSection } from "./info_stats.ts";
 *
 * commandStatsSection(new Server()); // {}
 * ```
 */
export function commandStatsSection(server: Server): Fields {
  const fields: Fields = {};
  for (const entry of allEntries(server)) {
    const s = entry.stats;
    if (s.calls === 0 && s.failed === 0 && s.rejected === 0) continue;
    const perCall = s.calls === 0 ? 0 : s.usec / s.calls;
    fields[`cmdstat_${entry.fullName || "unknown"}`] =
      `calls=${s.calls},usec=${s.usec},usec_per_call=${perCall.toFixed(2)},` +
      `rejected_calls=${s.rejected},failed_calls=${s.failed}`;
  }
  return fields;
}

/**
 * INFO `errorstats`: `errorstat_<CODE>:count=<n>`, codes in byte order.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { errorStatsSection } from "./info_stats.ts";
 *
 * errorStatsSection(new Server()); // {}
 * ```
 */
export function errorStatsSection(server: Server): Fields {
  const fields: Fields = {};
  const codes = [...server.errorStats.codes].sort((a, b) => a[0] < b[0] ? -1 : 1);
  for (const [code, count] of codes) fields[`errorstat_${code}`] = `count=${count}`;
  return fields;
}

/**
 * INFO `latencystats`: `latency_percentiles_usec_<name>:p50=…,p99=…,p99.9=…` for every
 * command with recorded latencies (none while `latency-tracking` is off).
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { latencyStatsSection } from "./info_stats.ts";
 *
 * latencyStatsSection(new Server()); // {}
 * ```
 */
export function latencyStatsSection(server: Server): Fields {
  const fields: Fields = {};
  if (!server.latencyTracking) return fields;
  const percentiles = server.latencyPercentiles;
  for (const entry of allEntries(server)) {
    if (!entry.stats.hasLatencies) continue;
    const values = entry.stats.percentiles(percentiles);
    fields[`latency_percentiles_usec_${entry.fullName || "unknown"}`] = percentiles
      .map((p, i) => `${percentileName(p)}=${values[i].toFixed(3)}`).join(",");
  }
  return fields;
}
