/**
 * MEMORY (Redis's object.c): USAGE (a per-key estimate in Redis 7.0's terms, see
 * `values/memory_usage.ts`; `SAMPLES`, default 5, 0 = all), STATS, DOCTOR, MALLOC-STATS,
 * PURGE and HELP.
 *
 * @module
 */

import { parseBigInt } from "../../resp/bytes.ts";
import { NOT_INTEGER, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import type { Server } from "../../server/server.ts";
import { isWord } from "../args.ts";
import { keyAt, type KvCommand } from "../command.ts";
import type { Keyspace } from "../keyspace/keyspace.ts";
import { DEFAULT_SAMPLES, dictOverhead, estimateMemoryUsage } from "../values/memory_usage.ts";

const HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

const DOCTOR_EMPTY = "Hi Sam, this instance is empty or is using very little memory, my " +
  "issues detector can't be used in these conditions. Please, leave for your mission on " +
  "Earth and fill it with some data. The new Sam and I will be back to our programming as " +
  "soon as I finished rebooting.\n";
const DOCTOR_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only " +
  "account for what occurs on this base.\n";
const DOCTOR_PEAK = " * Peak memory: In the past this instance used more than 150% the " +
  "memory that is currently using. The allocator is normally not able to release memory " +
  "after a peak, so you can expect to see a big fragmentation ratio, however this is " +
  "actually harmless and is only due to the memory peak, and if the Redis instance Resident " +
  "Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you " +
  "fill the Redis instance with more data. If the memory peak was only occasional and you " +
  "want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only " +
  "other option is to shutdown and restart the instance.\n\n";
const DOCTOR_CLIENTS = " * Big client buffers: The clients output buffers in this instance " +
  "are greater than 200K per client (on average). This may result from different causes, " +
  "like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that " +
  "data piles on the Redis instance output buffer, or clients sending commands with large " +
  "replies or very large sequences of commands in the same pipeline. Please use the CLIENT " +
  "LIST command in order to investigate the issue if it causes problems in your instance, or " +
  "to understand better why certain clients are using a big amount of memory.\n\n";

/** Redis's getMemoryOverheadData, with what this server knows. */
function overhead(server: Server, keyspace: Keyspace) {
  const memory = server.memoryReading();
  let clients = 0;
  for (const c of server.connections) clients += c.pendingOutputBytes + c.queryBufferBytes;
  let total = memory.startup + clients;
  let keys = 0;
  const dbs: Array<[number, number, number]> = [];
  for (let i = 0; i < keyspace.databases; i++) {
    const db = keyspace.db(i);
    const size = db.size;
    if (size === 0) continue;
    keys += size;
    const { main, expires } = dictOverhead(size, db.expiresCount);
    dbs.push([i, main, expires]);
    total += main + expires;
  }
  const net = memory.used > memory.startup ? memory.used - memory.startup : 1;
  const dataset = Math.max(0, memory.used - total);
  return { memory, clients, total, keys, dbs, net, dataset };
}

function memoryStats(server: Server, keyspace: Keyspace, reply: Reply): void {
  const o = overhead(server, keyspace);
  const m = o.memory;
  reply.mapHeader(20 + o.dbs.length);
  const integer = (name: string, value: number) => {
    reply.bulk(name);
    reply.integer(value);
  };
  const double = (name: string, value: number) => {
    reply.bulk(name);
    reply.double(value);
  };
  integer("peak.allocated", m.peak);
  integer("total.allocated", m.used);
  integer("startup.allocated", m.startup);
  integer("replication.backlog", 0);
  integer("clients.slaves", 0);
  integer("clients.normal", o.clients);
  integer("cluster.links", 0);
  integer("aof.buffer", 0);
  integer("lua.caches", 0);
  integer("functions.caches", 0);
  for (const [index, main, expires] of o.dbs) {
    reply.bulk(`db.${index}`);
    reply.mapHeader(3);
    integer("overhead.hashtable.main", main);
    integer("overhead.hashtable.expires", expires);
    integer("overhead.hashtable.slot-to-keys", 0);
  }
  integer("overhead.total", o.total);
  integer("keys.count", o.keys);
  integer("keys.bytes-per-key", o.keys > 0 ? Math.floor(o.net / o.keys) : 0);
  integer("dataset.bytes", o.dataset);
  double("dataset.percentage", o.dataset * 100 / o.net);
  double("peak.percentage", m.peak > 0 ? m.used * 100 / m.peak : 0);
  integer("allocator.allocated", m.used);
  integer("allocator.resident", m.rss);
  double("fragmentation", m.used > 0 ? m.rss / m.used : 0);
  integer("fragmentation.bytes", m.rss - m.used);
}

function memoryDoctor(server: Server, keyspace: Keyspace): string {
  const o = overhead(server, keyspace);
  const m = o.memory;
  if (m.used < 5 * 1024 * 1024) return DOCTOR_EMPTY;
  // The RSS and fragmentation checks are left out: a JavaScript runtime's RSS holds its
  // engine and compiled code, so Redis's thresholds would always fire.
  let report = "";
  if (m.peak / m.used > 1.5) report += DOCTOR_PEAK;
  const clients = server.connections.size;
  if (clients > 0 && o.clients / clients > 200 * 1024) report += DOCTOR_CLIENTS;
  if (report === "") return DOCTOR_FINE;
  return "Sam, I detected a few issues in this Redis instance memory implants:\n\n" + report +
    "I'm here to keep you safe, Sam. I want to help you.\n";
}

/** MEMORY and its subcommands. */
export const memoryCommands: readonly KvCommand[] = [
  {
    name: "memory",
    arity: -2,
    group: "server",
    since: "4.0.0",
    complexity: "Depends on subcommand.",
    summary: "A container for memory diagnostics commands",
    // Unknown subcommands are answered by the core ("Try MEMORY HELP.").
    handler: (_db, _key, _command, reply) => reply.error(SYNTAX),
    subcommands: {
      doctor: {
        arity: 2,
        tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        group: "server",
        since: "4.0.0",
        complexity: "O(1)",
        summary: "Outputs memory problems report",
        handler: (db, _key, _command, reply, connection) =>
          reply.verbatim(memoryDoctor(connection.server, db.keyspace)),
      },
      "malloc-stats": {
        arity: 2,
        tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        group: "server",
        since: "4.0.0",
        complexity: "Depends on how much memory is allocated, could be slow",
        summary: "Show allocator internal stats",
        // What Redis built without jemalloc answers.
        handler: (_db, _key, _command, reply) =>
          reply.verbatim("Stats not supported for the current allocator\n"),
      },
      purge: {
        arity: 2,
        tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "server",
        since: "4.0.0",
        complexity: "Depends on how much memory is allocated, could be slow",
        summary: "Ask the allocator to release memory",
        handler: (_db, _key, _command, reply) => reply.status("OK"),
      },
      stats: {
        arity: 2,
        tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        group: "server",
        since: "4.0.0",
        complexity: "O(1)",
        summary: "Show memory usage details",
        handler: (db, _key, _command, reply, connection) =>
          memoryStats(connection.server, db.keyspace, reply),
      },
      usage: {
        arity: -3,
        flags: ["readonly"],
        keys: [keyAt(2, "RO")],
        group: "server",
        since: "4.0.0",
        complexity: "O(N) where N is the number of samples.",
        summary: "Estimate the memory usage of a key",
        handler: (db, key, command, reply) => {
          const argv = command.argv;
          let samples = DEFAULT_SAMPLES;
          for (let j = 3; j < argv.length; j++) {
            if (isWord(argv[j], "samples") && j + 1 < argv.length) {
              const n = parseBigInt(argv[j + 1]);
              if (n === undefined) return reply.error(NOT_INTEGER);
              if (n < 0n) return reply.error(SYNTAX);
              samples = n === 0n ? Infinity : Number(n);
              j++;
            } else return reply.error(SYNTAX);
          }
          const value = db.find(key);
          if (value === undefined) return reply.null();
          reply.integer(estimateMemoryUsage(key, value, samples));
        },
      },
      help: {
        arity: 2,
        flags: ["loading", "stale"],
        group: "server",
        since: "4.0.0",
        complexity: "O(1)",
        summary: "Show helpful text about the different subcommands",
        handler: (_db, _key, _command, reply) => {
          reply.arrayHeader(HELP.length);
          for (const line of HELP) reply.status(line);
        },
      },
    },
  },
];
