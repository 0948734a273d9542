/**
 * The key-value server: an in-memory Redis 7 work-alike built on the rediserver core —
 * strings, lists (with blocking pops), hashes, sets and sorted sets, key expiry (lazy and
 * active), 16 databases, WATCH/MULTI/EXEC, SCAN, MEMORY USAGE/STATS and the INFO `keyspace`
 * section.
 *
 * @example
 * ```ts
 * import { serve } from "../../adapters/serve.ts";
 * import { createKeyValueServer } from "./mod.ts";
 *
 * const server = createKeyValueServer({ password: "secret" });
 * const running = await serve({ server, port: 6379 });
 * // ... later
 * await running.close();
 * ```
 *
 * @module
 */

import { Server, type ServerOptions } from "../server/server.ts";
import { Keyspace, type KeyspaceOptions } from "./keyspace/keyspace.ts";
import { registerKeyCommands } from "./commands/keys.ts";
import { registerStringCommands } from "./commands/strings.ts";
import { registerServerCommands } from "./commands/server.ts";
import { registerListCommands } from "./commands/lists.ts";
import { registerHashCommands } from "./commands/hashes.ts";
import { registerSetCommands } from "./commands/sets.ts";
import { registerZSetCommands } from "./commands/zsets.ts";
import { registerMemoryCommands } from "./commands/memory.ts";

export {
  cloneValue,
  Database,
  keyBytes,
  keyOf,
  Keyspace,
  type KeyspaceOptions,
  type KeyValue,
  type RedisObject,
  type ScanPage,
  type SetOptions,
  type StoredEntry,
  typeOf,
  type Watcher,
  WRONGTYPE,
} from "./keyspace/keyspace.ts";
export { registerKeyCommands } from "./commands/keys.ts";
export { incrByFloat, registerStringCommands } from "./commands/strings.ts";
export { keyspaceInfo, registerServerCommands } from "./commands/server.ts";
export { registerListCommands } from "./commands/lists.ts";
export { registerHashCommands } from "./commands/hashes.ts";
export { registerSetCommands } from "./commands/sets.ts";
export { registerZSetCommands } from "./commands/zsets.ts";
export { estimateMemoryUsage, registerMemoryCommands } from "./commands/memory.ts";

/**
 * Options of the key-value store (the contract's name for {@link KeyspaceOptions}).
 *
 * @example
 * ```ts
 * import { type KeyValueOptions, KeyValueStore } from "./mod.ts";
 *
 * const options: KeyValueOptions = { databases: 16 };
 * const store = new KeyValueStore(options);
 * store.close();
 * ```
 */
export type KeyValueOptions = KeyspaceOptions;

/**
 * The key-value store (the contract's name for {@link Keyspace}).
 *
 * @example
 * ```ts
 * import { KeyValueStore } from "./mod.ts";
 *
 * const store = new KeyValueStore();
 * store.db(0).set("k", new TextEncoder().encode("v"));
 * store.close();
 * ```
 */
export const KeyValueStore: typeof Keyspace = Keyspace;
/** The key-value store type (alias of {@link Keyspace}). */
export type KeyValueStore = Keyspace;

/**
 * Registers every key-value command (keys, strings, lists, hashes, sets, sorted sets,
 * SWAPDB/TIME/WATCH/UNWATCH, MEMORY, INFO keyspace) on `server`. Without `keyspace`, a new one is
 * created with the server's number of databases and closed (its expiry timer stopped) when
 * the server closes. Returns the keyspace.
 *
 * @example
 * ```ts
 * import { Server } from "../server/server.ts";
 * import { registerKeyValueCommands } from "./mod.ts";
 *
 * const server = new Server({ databases: 16 });
 * const keyspace = registerKeyValueCommands(server);
 * keyspace.db(0).set("greeting", new TextEncoder().encode("hello"));
 * ```
 */
export function registerKeyValueCommands(server: Server, keyspace?: Keyspace): Keyspace {
  const owned = keyspace === undefined;
  const ks = keyspace ?? new Keyspace({ databases: server._options.databases });
  const router = server.router;
  registerKeyCommands(router, ks);
  registerStringCommands(router, ks);
  registerListCommands(router, ks);
  registerHashCommands(router, ks);
  registerSetCommands(router, ks);
  registerZSetCommands(router, ks);
  registerServerCommands(server, ks);
  registerMemoryCommands(server, ks);
  if (owned) {
    const close = server.close.bind(server);
    server.close = (): Promise<void> => close().finally(() => ks.close());
  }
  return ks;
}

/**
 * Creates a {@link Server} with every key-value command registered: a Redis 7 work-alike.
 * Serve it with `serve({ server })` from `adapters/serve.ts`.
 *
 * @example
 * ```ts
 * import { serve } from "../../adapters/serve.ts";
 * import { createKeyValueServer } from "./mod.ts";
 *
 * const server = createKeyValueServer();
 * const running = await serve({ server, port: 0 });
 * await running.close();
 * ```
 */
export function createKeyValueServer(options?: ServerOptions): Server {
  const server = new Server(options);
  registerKeyValueCommands(server);
  return server;
}
