/**
 * The server object: options, the router with its built-in commands, the connection
 * registry, pub/sub, INFO sections, and graceful close.
 *
 * @module
 */

import { CommandStats, ErrorStats } from "./command_stats.ts";
import { stringToBytes } from "../resp/bytes.ts";
import { type DecoderLimits, resolveLimits } from "../resp/limits.ts";
import { builtinCommands } from "./builtins.ts";
import { type Clock, realClock } from "./clock.ts";
import { Connection } from "./connection.ts";
import { endTransaction, TransactionHooks } from "./multi.ts";
import { PubSub } from "./pubsub.ts";
import { type CommandEntry, type Handler, Router } from "./router.ts";
import type { Listener, Transport, TransportHandler } from "./transport.ts";

/**
 * Options of a {@link Server}.
 *
 * @example
 * ```ts
 * import type { ServerOptions } from "./server.ts";
 *
 * const options: ServerOptions = {
 *   password: "secret",
 *   maxClients: 100,
 *   handler: (command, reply) => reply.encode(command.argv),
 * };
 * ```
 */
export interface ServerOptions {
  /**
   * The one-callback API: receives every command that is not registered in the router
   * (built-ins stay registered; remove one from `server.router` to take it over).
   */
  handler?: Handler;
  /** requirepass: clients must AUTH with it. */
  password?: string;
  /** Custom authentication (AUTH user pass / HELLO AUTH); replaces `password` checks. */
  authenticate?: (
    user: string,
    password: string,
    connection: Connection,
  ) => boolean | Promise<boolean>;
  /** Maximum simultaneous clients, default 10000. */
  maxClients?: number;
  /** Number of databases for SELECT, default 16. */
  databases?: number;
  /** Close clients idle for this many ms (not subscribed or blocked ones); 0 = off (default). */
  idleTimeout?: number;
  /**
   * The clock of idle timeouts, CLIENT LIST `age`/`idle` and INFO uptime (and, in the
   * key-value server, of expiry, blocking timeouts and TIME). Default {@link realClock}.
   */
  clock?: Clock;
  /** Pending output bytes per connection above which reading pauses, default 1 MiB. */
  highWaterMark?: number;
  /** Hard output limit for normal clients (then closed), default 64 MiB; 0 = none. */
  outputLimit?: number;
  /** Hard output limit for subscribed clients, default 32 MiB (Redis). */
  pubsubOutputLimit?: number;
  /** Query buffer limit per client, default 1 GiB (Redis client-query-buffer-limit). */
  maxQueryBuffer?: number;
  /** Codec limits (inline size, bulk length, multibulk length). */
  limits?: Partial<DecoderLimits>;
  /** Timeout (ms) for async handlers; then "-ERR command timed out". 0 = off (default). */
  commandTimeout?: number;
  /** HELLO "server" field, default "redis". */
  serverName?: string;
  /** HELLO "version" / INFO redis_version, default "7.0.15". */
  version?: string;
  /** Called for each accepted connection. */
  onOpen?: (connection: Connection) => void;
  /** Called when a connection is gone. */
  onClose?: (connection: Connection) => void;
  /** Aborting it closes the server gracefully. */
  signal?: AbortSignal;
  /**
   * The process's memory in bytes, read for INFO `memory` and MEMORY STATS (the shape of
   * `process.memoryUsage()`). `serve()` fills it from the runtime when not given; without it
   * the memory figures are 0. INFO `used_memory` is `heapUsed` plus the larger of `external`
   * and `arrayBuffers` (Node counts array buffers within `external`); `used_memory_rss` is
   * `rss`.
   */
  memoryUsage?: () => {
    /** Resident set size (RSS), in bytes. */
    rss: number;
    /** Bytes in use on the JavaScript heap. */
    heapUsed: number;
    /** Bytes the engine reserved for the heap. */
    heapTotal?: number;
    /** Bytes held outside the heap by objects bound to it (buffers, ...). */
    external?: number;
    /** Bytes of ArrayBuffers (the key-value store's values live there). */
    arrayBuffers?: number;
  };
  /**
   * CPU time the process used so far, in microseconds (the shape of `process.cpuUsage()`),
   * for INFO `cpu`. `serve()` fills it from the runtime when not given; without it 0.
   */
  cpuUsage?: () => {
    /** User CPU time in microseconds. */
    user: number;
    /** System CPU time in microseconds. */
    system: number;
  };
}

/** The options of a {@link Server} with defaults applied ({@link Server.options}). */
export interface ResolvedOptions {
  /** See {@link ServerOptions.maxClients}. */
  maxClients: number;
  /** See {@link ServerOptions.databases}. */
  databases: number;
  /** See {@link ServerOptions.idleTimeout}. */
  idleTimeout: number;
  /** See {@link ServerOptions.highWaterMark}. */
  highWaterMark: number;
  /** See {@link ServerOptions.outputLimit}. */
  outputLimit: number;
  /** See {@link ServerOptions.pubsubOutputLimit}. */
  pubsubOutputLimit: number;
  /** See {@link ServerOptions.maxQueryBuffer}. */
  maxQueryBuffer: number;
  /** Resolved once, shared by every connection's decoder. */
  limits: Readonly<DecoderLimits>;
  /** See {@link ServerOptions.commandTimeout}. */
  commandTimeout: number;
  /** See {@link ServerOptions.serverName}. */
  serverName: string;
  /** See {@link ServerOptions.version}. */
  version: string;
  /** See {@link ServerOptions.password}. */
  password: string | undefined;
  /** The application's hook, else the runtime's (see {@link Server.setRuntimeStats}). */
  memoryUsage: ServerOptions["memoryUsage"];
  /** The application's hook, else the runtime's (see {@link Server.setRuntimeStats}). */
  cpuUsage: ServerOptions["cpuUsage"];
}

/** A configuration parameter added by an extension (the key-value server's scripting...). */
export interface ConfigParameter {
  /** Lower-case name, as CONFIG GET/SET take it ("busy-reply-threshold"). */
  readonly name: string;
  /** The current value, as CONFIG GET shows it. */
  get(): string;
  /**
   * Applies a CONFIG SET value; false when it cannot be parsed (as an integer), or the
   * reason Redis gives ("Invalid event class character..."). Absent: immutable.
   */
  set?(value: Uint8Array): boolean | string;
}

/**
 * A check every admitted command passes after Redis's own (dispatch.ts): it returns the
 * error text that refuses the command (BUSY while a script runs), or undefined.
 */
export type CommandGate = (connection: Connection, entry: CommandEntry) => string | undefined;

/** Readings of the runtime an adapter supplies ({@link Server.setRuntimeStats}). */
export interface RuntimeStats {
  /** The process's memory: rss, heapTotal, heapUsed and external bytes, read by the adapter. */
  memoryUsage?: ServerOptions["memoryUsage"];
  /** The process's CPU time (user and system microseconds), read by the adapter. */
  cpuUsage?: ServerOptions["cpuUsage"];
}

/** One reading of the process's memory (bytes), see {@link Server.memoryReading}. */
export interface MemoryReading {
  /** INFO used_memory: heap in use plus memory outside the heap (ArrayBuffers...). */
  used: number;
  /** Resident set size. */
  rss: number;
  /** Largest `used` seen so far. */
  peak: number;
  /** `used` at the first reading (`serve()` takes one when it starts listening). */
  startup: number;
}

/** @internal Counters for INFO. */
export interface ServerStats {
  connections: number;
  commands: number;
  rejected: number;
  netInput: number;
  netOutput: number;
  startedAt: number;
}

/** A non-negative integer from a hook's number (anything else reads as 0). */
function nonNegative(value: number | undefined): number {
  return typeof value === "number" && value > 0 && Number.isFinite(value) ? Math.floor(value) : 0;
}

const MAX_CLIENTS_ERROR = stringToBytes("-ERR max number of clients reached\r\n");
const NOOP_HANDLER: TransportHandler = { receive() {}, drained() {}, closed() {} };

/** What `accept` returns: one small object per connection rather than three closures. */
class ConnectionHandler implements TransportHandler {
  #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  receive(chunk: Uint8Array): void {
    this.#connection.receive(chunk);
  }

  drained(): void {
    this.#connection.transportDrained();
  }

  closed(): void {
    this.#connection.transportClosed();
  }
}

/**
 * A Redis-protocol server, independent of any runtime: adapters hand it sockets through
 * {@link Server.accept} (see `serve()` in `adapters/serve.ts`).
 *
 * @example
 * ```ts
 * import { Server } from "./server.ts";
 *
 * // One callback: every command that is not built in lands here.
 * const server = new Server({
 *   handler: (command, reply) => {
 *     if (command.name === "hello-world") return reply.status("OK");
 *     reply.encode([command.name, ...command.args]);
 *   },
 * });
 * server.router.register("time2", { arity: 1, handler: () => Date.now() });
 * ```
 */
export class Server {
  /** The command table (built-ins registered; override or remove them here). */
  readonly router: Router = new Router();
  /** Pub/sub registry. */
  readonly pubsub: PubSub = new PubSub();
  /** The options with defaults applied (CONFIG SET changes some of them). */
  readonly options: Readonly<ResolvedOptions>;
  /** @internal Counters for INFO. */
  readonly stats: ServerStats;
  /** The clock of idle timeouts, client ages and uptime ({@link ServerOptions.clock}). */
  readonly clock: Clock;
  /** Error replies per code (INFO errorstats) and the latency-tracking settings. */
  readonly errorStats: ErrorStats = new ErrorStats();
  /** CONFIG `latency-tracking`: per-command latency histograms are kept (default yes). */
  latencyTracking = true;
  /** CONFIG `latency-tracking-info-percentiles` (INFO latencystats). */
  latencyPercentiles: number[] = [50, 99, 99.9];
  /** @internal The entry for `options.handler`, run for commands not in the router. */
  readonly fallback: CommandEntry | undefined;
  /** @internal Whether clients must authenticate. */
  readonly requiresAuth: boolean;
  /** @internal The `authenticate` option. */
  readonly authenticator: ServerOptions["authenticate"];
  /** @internal The hooks of {@link Server.onBeforeExec} and {@link Server.onTransactionEnd}. */
  readonly transactionHooks: TransactionHooks = new TransactionHooks();

  #options: ResolvedOptions;
  #connections = new Set<Connection>();
  #listeners: Listener[] = [];
  #infoSections = new Map<string, () => Record<string, string | number>>();
  #closeHooks: Array<() => void | Promise<void>> = [];
  #unblockHooks: Array<(connection: Connection, error: boolean) => boolean> = [];
  #configParameters: ConfigParameter[] = [];
  #commandGates: CommandGate[] = [];
  #nextId = 1;
  #closed = false;
  #closePromise: Promise<void> | undefined;
  #allClosed: (() => void) | undefined;
  #idleTimer: unknown;
  #onOpen: ServerOptions["onOpen"];
  #onClose: ServerOptions["onClose"];
  #opsSample = { time: 0, commands: 0, rate: 0 };
  #memoryPeak = 0;
  #memoryStartup: number | undefined;
  #maxBulkLength = 0;

  /** Creates a server; built-in commands are registered on {@link Server.router}. */
  constructor(options: ServerOptions = {}) {
    this.options = this.#options = {
      maxClients: options.maxClients ?? 10000,
      databases: options.databases ?? 16,
      idleTimeout: options.idleTimeout ?? 0,
      highWaterMark: options.highWaterMark ?? 1024 * 1024,
      outputLimit: options.outputLimit ?? 64 * 1024 * 1024,
      pubsubOutputLimit: options.pubsubOutputLimit ?? 32 * 1024 * 1024,
      maxQueryBuffer: options.maxQueryBuffer ?? 1024 * 1024 * 1024,
      limits: this.#liveLimits(resolveLimits(options.limits)),
      commandTimeout: options.commandTimeout ?? 0,
      serverName: options.serverName ?? "redis",
      version: options.version ?? "7.0.15",
      password: options.password,
      memoryUsage: options.memoryUsage,
      cpuUsage: options.cpuUsage,
    };
    this.clock = options.clock ?? realClock;
    this.stats = {
      connections: 0,
      commands: 0,
      rejected: 0,
      netInput: 0,
      netOutput: 0,
      startedAt: this.clock.now(),
    };
    this.authenticator = options.authenticate;
    this.requiresAuth = options.password !== undefined || options.authenticate !== undefined;
    this.#onOpen = options.onOpen;
    this.#onClose = options.onClose;
    if (options.handler) {
      this.fallback = {
        fullName: "",
        name: "",
        commandName: "",
        spec: { handler: options.handler, arity: -1 },
        arity: -1,
        handler: options.handler,
        noauth: false,
        subscribed: false,
        noqueue: false,
        blocking: false,
        inOrder: false,
        subcommands: undefined,
        stats: new CommandStats(),
      };
    }
    this.router.define(builtinCommands);
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) void this.close();
      else signal.addEventListener("abort", () => void this.close(), { once: true });
    }
  }

  /** The open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  /** The listeners added with {@link Server.addListener}. */
  get listeners(): readonly Listener[] {
    return this.#listeners;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Adapters call this for every accepted socket. */
  accept(transport: Transport): TransportHandler {
    if (this.#closed) {
      transport.close();
      return NOOP_HANDLER;
    }
    if (this.#connections.size >= this.#options.maxClients) {
      this.stats.rejected++;
      transport.write(MAX_CLIENTS_ERROR);
      transport.close();
      return NOOP_HANDLER;
    }
    const connection = new Connection(this, transport, this.#nextId++);
    this.#connections.add(connection);
    this.stats.connections++;
    this.#startIdleTimer();
    if (this.#onOpen) {
      try {
        this.#onOpen(connection);
      } catch { /* the application's callback must not break accept */ }
    }
    return new ConnectionHandler(connection);
  }

  /** Adds a listener (from an adapter's ListenFunction) so close() can stop it. */
  addListener(listener: Listener): void {
    this.#listeners.push(listener);
  }

  /** Forgets a listener (it was closed on its own). */
  removeListener(listener: Listener): void {
    const at = this.#listeners.indexOf(listener);
    if (at !== -1) this.#listeners.splice(at, 1);
  }

  /** Publishes a message as PUBLISH does; returns the number of receivers. */
  publish(channel: string | Uint8Array, message: string | Uint8Array): number {
    return this.pubsub.publish(
      typeof channel === "string" ? stringToBytes(channel) : channel,
      typeof message === "string" ? stringToBytes(message) : message,
    );
  }

  /** Adds an INFO section (the key-value store adds "keyspace"). */
  addInfoSection(name: string, render: () => Record<string, string | number>): void {
    this.#infoSections.set(name.toLowerCase(), render);
  }

  /** @internal The INFO sections added by the application. */
  get infoSections(): ReadonlyMap<string, () => Record<string, string | number>> {
    return this.#infoSections;
  }

  /** Hook for WATCH: called when a connection's transaction ends (EXEC, DISCARD, RESET, close). */
  onTransactionEnd(callback: (connection: Connection) => void): void {
    this.transactionHooks.end.push(callback);
  }

  /**
   * Hook run when EXEC starts, before the queued commands run (and before EXEC checks
   * `connection.watchDirty`): the key-value server marks the transaction dirty there when a
   * WATCHed key expired.
   */
  onBeforeExec(hook: (connection: Connection) => void): void {
    this.transactionHooks.beforeExec.push(hook);
  }

  /**
   * Hook for CLIENT UNBLOCK: the owner of blocked commands (the key-value server's keyspace)
   * answers `connection`'s blocked command as a timeout, or with the UNBLOCKED error when
   * `error`, and returns true; false when it holds no blocked command of that connection.
   */
  onUnblock(hook: (connection: Connection, error: boolean) => boolean): void {
    this.#unblockHooks.push(hook);
  }

  /** CLIENT UNBLOCK: asks the {@link Server.onUnblock} hooks; true when one unblocked it. */
  unblock(connection: Connection, error: boolean): boolean {
    for (const hook of this.#unblockHooks) if (hook(connection, error)) return true;
    return false;
  }

  /** Adds a parameter to CONFIG GET and CONFIG SET. */
  addConfigParameter(parameter: ConfigParameter): void {
    this.#configParameters.push(parameter);
  }

  /** The parameters added with {@link Server.addConfigParameter}. */
  get configParameters(): readonly ConfigParameter[] {
    return this.#configParameters;
  }

  /** Adds a {@link CommandGate}: every command passes it before it runs or is queued. */
  addCommandGate(gate: CommandGate): void {
    this.#commandGates.push(gate);
  }

  /** The gates added with {@link Server.addCommandGate}. */
  get commandGates(): readonly CommandGate[] {
    return this.#commandGates;
  }

  /** Hook run once {@link Server.close} has closed every connection (and the listeners). */
  onClose(hook: () => void | Promise<void>): void {
    this.#closeHooks.push(hook);
  }

  /**
   * Supplies the runtime's memory and CPU readings (adapters call it): each is used where
   * the application's options gave none.
   */
  setRuntimeStats(stats: RuntimeStats): void {
    this.#options.memoryUsage ??= stats.memoryUsage;
    this.#options.cpuUsage ??= stats.cpuUsage;
  }

  /** @internal Instantaneous ops/sec, sampled at most once a second (of real time: a rate). */
  opsPerSecond(): number {
    const now = Date.now();
    const sample = this.#opsSample;
    const elapsed = now - sample.time;
    if (elapsed >= 1000) {
      if (sample.time !== 0) {
        sample.rate = Math.round((this.stats.commands - sample.commands) * 1000 / elapsed);
      }
      sample.time = now;
      sample.commands = this.stats.commands;
    }
    return sample.rate;
  }

  /**
   * Reads the `memoryUsage` hook (zeros without one, or when it throws) and keeps the peak
   * and the first reading (startup).
   */
  memoryReading(): MemoryReading {
    let used = 0;
    let rss = 0;
    const hook = this.#options.memoryUsage;
    if (hook !== undefined) {
      try {
        const m = hook();
        // Node's `external` already includes `arrayBuffers`: take the larger, not the sum.
        used = nonNegative(m.heapUsed) +
          Math.max(nonNegative(m.external), nonNegative(m.arrayBuffers));
        rss = nonNegative(m.rss);
      } catch { /* a failing hook reads as unknown */ }
    }
    if (used > this.#memoryPeak) this.#memoryPeak = used;
    this.#memoryStartup ??= used;
    return { used, rss, peak: this.#memoryPeak, startup: this.#memoryStartup };
  }

  /** @internal CPU seconds used so far, from the `cpuUsage` hook (zeros without one). */
  cpuReading(): { user: number; system: number } {
    const hook = this.#options.cpuUsage;
    if (hook !== undefined) {
      try {
        const c = hook();
        return { user: nonNegative(c.user), system: nonNegative(c.system) };
      } catch { /* unknown */ }
    }
    return { user: 0, system: 0 };
  }

  /** @internal A connection is gone: registry, pub/sub, transaction hooks, onClose. */
  removeConnection(connection: Connection): void {
    if (!this.#connections.delete(connection)) return;
    // Only when subscribed: reading `subscribedChannels` would create an idle connection's map.
    if (connection.subscriptions > 0) this.pubsub.unsubscribeAll(connection);
    endTransaction(connection);
    if (this.#onClose) {
      try {
        this.#onClose(connection);
      } catch { /* ignore */ }
    }
    if (this.#connections.size === 0) {
      this.#stopIdleTimer();
      if (this.#allClosed) this.#allClosed();
    }
  }

  /**
   * The idle sweep runs on the server's clock (a timer re-armed after each sweep), so a test
   * clock moved forward closes idle clients at the times they became idle.
   */
  #startIdleTimer(): void {
    const idle = this.#options.idleTimeout;
    if (idle <= 0 || this.#idleTimer !== undefined) return;
    this.#idleTimer = this.clock.setTimer(
      () => this.#sweepIdle(),
      Math.min(1000, Math.max(10, idle / 2)),
    );
  }

  #stopIdleTimer(): void {
    if (this.#idleTimer !== undefined) this.clock.clearTimer(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #sweepIdle(): void {
    this.#idleTimer = undefined;
    const idle = this.#options.idleTimeout;
    if (idle <= 0) return;
    const now = this.clock.now();
    for (const connection of this.#connections) {
      if (connection.subscriptions > 0 || connection.blocked) continue;
      if (now - connection.lastInteraction > idle) connection.destroy();
    }
    if (this.#connections.size > 0) this.#startIdleTimer();
  }

  /** @internal Zeroes the INFO counters (CONFIG RESETSTAT). */
  resetStats(): void {
    const stats = this.stats;
    stats.commands = stats.connections = stats.rejected = 0;
    stats.netInput = stats.netOutput = 0;
    this.errorStats.reset();
    const entries = [...this.router.entries()];
    if (this.fallback !== undefined) entries.push(this.fallback);
    for (const entry of entries) {
      entry.stats.reset();
      if (entry.subcommands !== undefined) {
        for (const sub of entry.subcommands.values()) sub.stats.reset();
      }
    }
  }

  /** @internal Changes the client limit (CONFIG SET maxclients). */
  setMaxClients(count: number): void {
    this.#options.maxClients = count;
  }

  /**
   * @internal Changes the largest request bulk (CONFIG SET proto-max-bulk-len): decoders of new
   * and open connections read it from {@link ServerOptions.limits} at every bulk header.
   */
  setMaxBulkLength(bytes: number): void {
    this.#maxBulkLength = bytes;
  }

  /** `limits` (frozen, so decoders share it) with `maxBulkLength` read live from the server. */
  #liveLimits(limits: Readonly<DecoderLimits>): Readonly<DecoderLimits> {
    this.#maxBulkLength = limits.maxBulkLength;
    const read = (): number => this.#maxBulkLength;
    return Object.freeze({
      maxInlineLength: limits.maxInlineLength,
      get maxBulkLength(): number {
        return read();
      },
      maxMultibulkLength: limits.maxMultibulkLength,
      maxDepth: limits.maxDepth,
    });
  }

  /** @internal Changes the idle timeout (CONFIG SET timeout). */
  setIdleTimeout(ms: number): void {
    this.#options.idleTimeout = ms;
    this.#stopIdleTimer();
    if (this.#connections.size > 0) this.#startIdleTimer();
  }

  /**
   * Graceful shutdown: stops the listeners, stops reading, lets running commands finish and
   * flush their replies, then closes every connection. Resolves when all are closed.
   */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closed = true;
    this.#stopIdleTimer();
    const listeners = this.#listeners.splice(0);
    const stopped = Promise.all(listeners.map((listener) => listener.close().catch(() => {})));
    let done: Promise<void> | undefined;
    if (this.#connections.size > 0) {
      done = new Promise<void>((resolve) => this.#allClosed = resolve);
      // Stop reading at once; each connection closes once its running commands answered.
      // A client blocked on keys (BLPOP) gets its timeout reply now rather than waiting.
      for (const connection of [...this.#connections]) {
        if (connection.blocked) this.unblock(connection, false);
        connection.close();
      }
    }
    this.#closePromise = (async () => {
      await stopped;
      await done;
      for (const hook of this.#closeHooks) {
        try {
          await hook();
        } catch { /* one hook's failure must not stop the others */ }
      }
    })();
    return this.#closePromise;
  }
}
