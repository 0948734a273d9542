/**
 * Server-level commands of the key-value server: SWAPDB, TIME, WATCH and UNWATCH, the INFO
 * `keyspace` section, and the transaction hooks that make EXEC fail after a WATCHed key
 * changed or expired (Redis 7.0 semantics).
 *
 * @module
 */

import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import type { Reply } from "../../server/reply.ts";
import type { Server } from "../../server/server.ts";
import { keyOf, type Keyspace } from "../keyspace/keyspace.ts";
import { intArg } from "./keys.ts";

const TX_FLAGS = ["noscript", "loading", "stale", "fast", "allow_busy"];

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

function swapdb(keyspace: Keyspace, command: Command, reply: Reply): void {
  const a = intArg(command, 0, "ERR invalid first DB index");
  const b = intArg(command, 1, "ERR invalid second DB index");
  if (a < 0 || b < 0 || a >= keyspace.databases || b >= keyspace.databases) {
    return reply.error("ERR DB index is out of range");
  }
  keyspace.swap(a, b);
  reply.ok();
}

function time(reply: Reply): void {
  const now = performance.timeOrigin + performance.now();
  const seconds = Math.floor(now / 1000);
  const micros = Math.min(999_999, Math.floor((now - seconds * 1000) * 1000));
  reply.arrayHeader(2);
  reply.bulk(String(seconds));
  reply.bulk(String(micros));
}

function watch(keyspace: Keyspace, command: Command, reply: Reply, connection: Connection): void {
  if (connection.inTransaction) return reply.error("ERR WATCH inside MULTI is not allowed");
  // No point in watching once dirty: EXEC will fail anyway (as Redis).
  if (!connection.watchDirty) {
    const argv = command.argv;
    for (let i = 1; i < argv.length; i++) keyspace.watch(connection, connection.db, keyOf(argv[i]));
  }
  reply.ok();
}

/**
 * Registers SWAPDB, TIME, WATCH, UNWATCH and the INFO `keyspace` section on `server`, and
 * hooks the transaction machinery: WATCHes end with the transaction (EXEC, DISCARD, RESET,
 * disconnect), and EXEC fails when a WATCHed key expired meanwhile.
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { Keyspace } from "../keyspace/keyspace.ts";
 * import { registerServerCommands } from "./server.ts";
 *
 * const server = new Server();
 * registerServerCommands(server, new Keyspace());
 * ```
 */
export function registerServerCommands(server: Server, keyspace: Keyspace): void {
  const router = server.router;
  router.register("swapdb", {
    arity: 3,
    flags: ["write", "fast"],
    firstKey: 0,
    lastKey: 0,
    keyStep: 0,
    group: "server",
    since: "4.0.0",
    summary: "Swaps two Redis databases",
    handler: (command, reply) => swapdb(keyspace, command, reply),
  });
  router.register("time", {
    arity: 1,
    flags: ["loading", "stale", "fast"],
    firstKey: 0,
    lastKey: 0,
    keyStep: 0,
    group: "server",
    since: "2.6.0",
    summary: "Return the current server time",
    handler: (_command, reply) => time(reply),
  });
  router.register("watch", {
    arity: -2,
    flags: [...TX_FLAGS, "noqueue"],
    firstKey: 1,
    lastKey: -1,
    keyStep: 1,
    group: "transactions",
    since: "2.2.0",
    summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
    handler: (command, reply, connection) => watch(keyspace, command, reply, connection),
  });
  router.register("unwatch", {
    arity: 1,
    flags: TX_FLAGS,
    firstKey: 0,
    lastKey: 0,
    keyStep: 0,
    group: "transactions",
    since: "2.2.0",
    summary: "Forget about all watched keys",
    handler: (_command, reply, connection) => {
      keyspace.unwatchAll(connection);
      connection.watchDirty = false;
      reply.ok();
    },
  });
  // EXEC: a WATCHed key that expired since WATCH makes the transaction fail (Redis 7.0
  // isWatchedKeyExpired), even if nothing touched it.
  const exec = router.get("exec");
  if (exec !== undefined) {
    router.register("exec", {
      ...exec,
      handler: (command, reply, connection) => {
        if (connection.inTransaction && !connection.watchDirty) {
          keyspace.checkWatchedExpired(connection);
        }
        return exec.handler(command, reply, connection);
      },
    });
  }
  server.onTransactionEnd((connection) => keyspace.unwatchAll(connection));
  server.addInfoSection("keyspace", () => keyspaceInfo(keyspace));
}
