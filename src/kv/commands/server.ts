/**
 * Server-level commands of the key-value server: SWAPDB, TIME, WATCH and UNWATCH, and
 * {@link attachKeyspace}, which joins a keyspace to a server: the INFO `keyspace` section and
 * the transaction hooks that make EXEC fail after a WATCHed key changed or expired (Redis
 * 7.0 semantics).
 *
 * @module
 */

import { intArg } from "../../server/args.ts";
import { DB_INDEX_RANGE } from "../../server/errors.ts";
import type { Server } from "../../server/server.ts";
import { addStatsField } from "../../server/commands/info_stats.ts";
import { keyRange, type KvCommand } from "../command.ts";
import { keyOf } from "../keyspace/encoding.ts";
import { realClock } from "../keyspace/clock.ts";
import type { Keyspace } from "../keyspace/keyspace.ts";
import { formatNotifyFlags, parseNotifyFlags } from "../keyspace/notify.ts";
import { bytesToLatin1 } from "../../resp/bytes.ts";

/**
 * The INFO `keyspace` fields: one `dbN: keys=..,expires=..,avg_ttl=..` line per non-empty
 * database, as Redis prints them.
 *
 * @example
 * ```ts
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { keyspaceInfo } from "./server.ts";
 *
 * const keyspace = new Keyspace();
 * keyspace.db(0).set("k", new Uint8Array([1]));
 * keyspaceInfo(keyspace); // { db0: "keys=1,expires=0,avg_ttl=0" }
 * ```
 */
export function keyspaceInfo(keyspace: Keyspace): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i < keyspace.databases; i++) {
    const db = keyspace.db(i);
    if (db.size === 0) continue;
    fields[`db${i}`] = `keys=${db.size},expires=${db.expiresCount},avg_ttl=${db.averageTtl}`;
  }
  return fields;
}

/**
 * Joins `keyspace` to `server`: the INFO `keyspace` section, WATCHes that end with the
 * transaction (EXEC, DISCARD, RESET, disconnect), and EXEC failing when a WATCHed key expired
 * since the WATCH even if nothing touched it (Redis 7.0 `isWatchedKeyExpired`).
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { attachKeyspace } from "./server.ts";
 *
 * const keyspace = new Keyspace();
 * attachKeyspace(new Server(), keyspace);
 * keyspace.close();
 * ```
 */
export function attachKeyspace(server: Server, keyspace: Keyspace): void {
  server.onBeforeExec((connection) => {
    if (!connection.watchDirty) keyspace.checkWatchedExpired(connection);
  });
  server.onTransactionEnd((connection) => keyspace.unwatchAll(connection));
  server.addInfoSection("keyspace", () => keyspaceInfo(keyspace));
  addStatsField(server, "expired_keys", () => keyspace.expiredKeys);
  const events = keyspace.events;
  events.publish = (channel, message) => server.pubsub.publish(channel, message);
  server.addConfigParameter({
    name: "notify-keyspace-events",
    get: () => formatNotifyFlags(events.flags),
    set: (value) => {
      const flags = parseNotifyFlags(bytesToLatin1(value));
      if (flags === undefined) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
      events.flags = flags;
      return true;
    },
  });
}

/** SWAPDB, TIME, WATCH and UNWATCH. */
export const serverCommands: readonly KvCommand[] = [
  {
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    acl: ["keyspace", "dangerous"],
    group: "server",
    since: "4.0.0",
    complexity:
      "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    summary: "Swaps two Redis databases",
    handler: (db, _key, command, reply) => {
      const keyspace = db.keyspace;
      const a = intArg(command, 0, "ERR invalid first DB index");
      const b = intArg(command, 1, "ERR invalid second DB index");
      if (a < 0 || b < 0 || a >= keyspace.databases || b >= keyspace.databases) {
        return reply.error(DB_INDEX_RANGE);
      }
      keyspace.swap(a, b);
      reply.status("OK");
    },
  },
  {
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    tips: ["nondeterministic_output"],
    group: "server",
    since: "2.6.0",
    complexity: "O(1)",
    summary: "Return the current server time",
    handler: (db, _key, _command, reply) => {
      // The real clock reads microseconds; another clock (a test's) its own ms.
      const clock = db.keyspace.clock;
      const now = clock === realClock ? performance.timeOrigin + performance.now() : clock.now();
      const seconds = Math.floor(now / 1000);
      const micros = Math.min(999_999, Math.floor((now - seconds * 1000) * 1000));
      reply.arrayHeader(2);
      reply.bulk(String(seconds));
      reply.bulk(String(micros));
    },
  },
  {
    name: "watch",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy", "noqueue"],
    acl: ["transaction"],
    keys: [keyRange(1, -1, 1, "RO")],
    group: "transactions",
    since: "2.2.0",
    complexity: "O(1) for every key.",
    summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
    handler: (db, _key, command, reply, connection) => {
      if (connection.inTransaction) return reply.error("ERR WATCH inside MULTI is not allowed");
      // No point in watching once dirty: EXEC will fail anyway (as Redis).
      if (!connection.watchDirty) {
        const argv = command.argv;
        for (let i = 1; i < argv.length; i++) {
          db.keyspace.watch(connection, db.index, keyOf(argv[i]));
        }
      }
      reply.status("OK");
    },
  },
  {
    name: "unwatch",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    acl: ["transaction"],
    group: "transactions",
    since: "2.2.0",
    complexity: "O(1)",
    summary: "Forget about all watched keys",
    handler: (db, _key, _command, reply, connection) => {
      db.keyspace.unwatchAll(connection);
      connection.watchDirty = false;
      reply.status("OK");
    },
  },
];
