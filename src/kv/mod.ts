/**
 * The key-value server: an in-memory Redis 7 work-alike built on the rediserver core —
 * strings, lists (with blocking pops), hashes, sets and sorted sets, key expiry (lazy and
 * active), 16 databases, WATCH/MULTI/EXEC, SCAN, MEMORY USAGE/STATS and the INFO `keyspace`
 * section.
 *
 * @example
 * ```ts
 * import { serve } from "rediserver";
 * import { createKeyValueServer } from "rediserver/kv";
 *
 * const server = createKeyValueServer({ password: "secret" });
 * const running = await serve({ server, port: 0 });
 * await running.close();
 * ```
 *
 * @module
 */

import { Server, type ServerOptions } from "../server/server.ts";
import { defineCommands, type KvCommand } from "./command.ts";
import { bitfieldCommands } from "./commands/bitfield.ts";
import { bitmapCommands } from "./commands/bitmaps.ts";
import { counterCommands } from "./commands/counters.ts";
import { dumpCommands } from "./commands/dump.ts";
import { attachEncodingConfig } from "./commands/encoding_config.ts";
import { expireCommands } from "./commands/expire.ts";
import { geoCommands } from "./commands/geo.ts";
import { hashCommands } from "./commands/hashes.ts";
import { hyperloglogCommands } from "./commands/hyperloglog.ts";
import { keyCommands } from "./commands/keys.ts";
import { lcsCommands } from "./commands/lcs.ts";
import { blockingListCommands } from "./commands/lists_blocking.ts";
import { listCommands } from "./commands/lists.ts";
import { listMpopCommands } from "./commands/lists_mpop.ts";
import { memoryCommands } from "./commands/memory.ts";
import { objectCommands } from "./commands/object.ts";
import { attachKeyspace, serverCommands } from "./commands/server.ts";
import { scriptingCommands } from "./commands/scripting.ts";
import { attachScripting } from "./scripting/busy.ts";
import { setCommands } from "./commands/sets.ts";
import { sortCommands } from "./commands/sort.ts";
import { stringCommands } from "./commands/strings.ts";
import { streamCommands } from "./commands/streams.ts";
import { streamGroupCommands } from "./commands/streams_groups.ts";
import { streamInfoCommands } from "./commands/streams_info.ts";
import { streamReadCommands } from "./commands/streams_read.ts";
import { zsetRangeCommands } from "./commands/zset_ranges.ts";
import { zsetCommands } from "./commands/zsets.ts";
import { zsetAlgebraCommands } from "./commands/zsets_algebra.ts";
import { zsetBlockingCommands } from "./commands/zsets_blocking.ts";
import type { Clock } from "./keyspace/clock.ts";
import { Keyspace } from "./keyspace/keyspace.ts";

export { type Clock, realClock, TestClock } from "./keyspace/clock.ts";
export { keyBytes, keyOf } from "./keyspace/encoding.ts";
export {
  type Database,
  Keyspace,
  type KeyspaceOptions,
  type ScanPage,
  type SetOptions,
  type StoredEntry,
} from "./keyspace/keyspace.ts";
export type { KeyValue, RedisObject, StringEncoding } from "./keyspace/values.ts";
export type { ExpireMs } from "./keyspace/expire.ts";
export type { Watcher } from "./keyspace/watch.ts";

/** Every command family of the key-value server, in registration order. */
const FAMILIES: readonly (readonly KvCommand[])[] = [
  keyCommands,
  expireCommands,
  stringCommands,
  counterCommands,
  listCommands,
  blockingListCommands,
  listMpopCommands,
  hashCommands,
  setCommands,
  zsetCommands,
  zsetRangeCommands,
  zsetBlockingCommands,
  zsetAlgebraCommands,
  streamCommands,
  streamReadCommands,
  streamGroupCommands,
  streamInfoCommands,
  serverCommands,
  memoryCommands,
  scriptingCommands,
  bitmapCommands,
  bitfieldCommands,
  hyperloglogCommands,
  geoCommands,
  sortCommands,
  lcsCommands,
  objectCommands,
  dumpCommands,
];

/**
 * Registers every key-value command (keys, expiry, strings, lists, hashes, sets, sorted sets,
 * SWAPDB/TIME/WATCH/UNWATCH, MEMORY) and the INFO `keyspace` section on `server`. Without
 * `keyspace`, a new one is created with the server's number of databases and closed (its
 * expiry timer stopped) when the server closes. Returns the keyspace.
 *
 * @example
 * ```ts
 * import { Server } from "rediserver/server";
 * import { registerKeyValueCommands } from "rediserver/kv";
 *
 * const server = new Server({ databases: 16 });
 * const keyspace = registerKeyValueCommands(server);
 * keyspace.db(0).set("greeting", new TextEncoder().encode("hello"));
 * await server.close();
 * ```
 */
export function registerKeyValueCommands(server: Server, keyspace?: Keyspace): Keyspace {
  const ks = keyspace ?? new Keyspace({ databases: server.options.databases });
  server.router.define(defineCommands(FAMILIES, ks));
  attachKeyspace(server, ks);
  attachScripting(server);
  attachEncodingConfig(server);
  server.onUnblock((connection, error) => ks.blocking.unblock(connection, error));
  if (keyspace === undefined) server.onClose(() => ks.close());
  return ks;
}

/**
 * Creates a {@link Server} with every key-value command registered: a Redis 7 work-alike.
 * Serve it with `serve({ server })` from `adapters/serve.ts`.
 *
 * @example
 * ```ts
 * import { serve } from "rediserver";
 * import { createKeyValueServer } from "rediserver/kv";
 *
 * const server = createKeyValueServer();
 * const running = await serve({ server, port: 0 });
 * await running.close();
 * ```
 */
export function createKeyValueServer(options: KeyValueServerOptions = {}): Server {
  const server = new Server(options);
  if (options.clock === undefined) registerKeyValueCommands(server);
  else {
    const keyspace = new Keyspace({ databases: server.options.databases, clock: options.clock });
    registerKeyValueCommands(server, keyspace);
    server.onClose(() => keyspace.close());
  }
  return server;
}

/**
 * Options of {@link createKeyValueServer}: the server's, and the clock every time-dependent
 * behaviour reads (key expiry, blocking timeouts, TIME, stream IDs).
 *
 * @example
 * ```ts
 * import { createKeyValueServer, type KeyValueServerOptions, TestClock } from "rediserver/kv";
 *
 * const clock = new TestClock("manual");
 * const options: KeyValueServerOptions = { clock, databases: 4 };
 * const server = createKeyValueServer(options);
 * clock.advance(60_000); // a minute passes for the server, at once
 * await server.close();
 * ```
 */
export interface KeyValueServerOptions extends ServerOptions {
  /** The clock (default {@link realClock}); a {@link TestClock} lets tests move time. */
  clock?: Clock;
}

export type {
  KeyEventSpec,
  KeyspaceEvents,
  NotifyContext,
  NotifyDeclaration,
  Publish,
} from "./keyspace/notify.ts";
