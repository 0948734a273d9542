/**
 * A Redis for tests: the key-value server started in the test's own process on a free port,
 * with a clock the test moves, direct access to the data, snapshots, and injected failures
 * (error replies, delayed replies, dropped and refused connections). Runs on Node, Deno and
 * Bun, with any Redis client.
 *
 * @example
 * ```ts
 * import { startTestServer } from "rediserver/testing";
 *
 * await using redis = await startTestServer({ clock: "manual" });
 * console.log(redis.url); // redis://127.0.0.1:<port>
 * redis.keyspace.db(0).set("greeting", new TextEncoder().encode("hello"));
 * redis.keyspace.db(0).setExpireAt("greeting", redis.clock.now() + 60_000);
 * redis.clock.advance(60_001); // the key expired, and is gone
 * console.log(redis.keyspace.db(0).size); // 0
 * ```
 *
 * @module
 */
import { type RunningServer, serve } from "./adapters/serve.ts";
import { registerKeyValueCommands } from "./src/kv/mod.ts";
import { TestClock } from "./src/kv/keyspace/clock.ts";
import { Keyspace } from "./src/kv/keyspace/keyspace.ts";
import { cloneValue, type KeyValue } from "./src/kv/keyspace/values.ts";
import type { Connection } from "./src/server/connection.ts";
import { Server, type ServerOptions } from "./src/server/server.ts";
import { Refusal } from "./src/testing/refusal.ts";
import { makeSelfSignedCertificate } from "./src/testing/self_signed.ts";
import type { TlsOptions, Transport, TransportHandler } from "./src/server/transport.ts";

export { TestClock } from "./src/kv/keyspace/clock.ts";
export {
  makeSelfSignedCertificate,
  type SelfSignedCertificate,
} from "./src/testing/self_signed.ts";
export type { Keyspace } from "./src/kv/keyspace/keyspace.ts";

/**
 * Options of {@link startTestServer}: where to listen (default 127.0.0.1 on any free port),
 * the clock, and the server's own options (password, databases, limits...).
 *
 * @example
 * ```ts
 * import type { TestServerOptions } from "rediserver/testing";
 *
 * const options: TestServerOptions = { clock: "manual", password: "secret", databases: 4 };
 * ```
 */
export interface TestServerOptions extends Omit<ServerOptions, "handler" | "clock"> {
  /**
   * `"real"` (default): the wall clock, which `clock.advance()` and `clock.set()` still move
   * forward. `"manual"`: time stands still until the test moves it. Or a clock of your own.
   */
  clock?: "real" | "manual" | TestClock;
  /** The clock's time at start, ms since the epoch or a Date (default: now). */
  startTime?: number | Date;
  /** Address to bind, default "127.0.0.1". */
  hostname?: string;
  /** TCP port, default 0: any free port ({@link TestServer.port} tells which). */
  port?: number;
  /** Listen on this Unix socket path instead of TCP. */
  path?: string;
  /**
   * Serve TLS: `true` makes a throwaway self-signed certificate for localhost, 127.0.0.1 and
   * ::1 ({@link TestServer.tls} holds it, for the client's `ca`), or give a PEM `{ cert, key }`.
   */
  tls?: TlsOptions | true;
}

/**
 * What {@link TestServer.snapshot} returns: a deep copy of every database, for
 * {@link TestServer.restore}.
 *
 * @example
 * ```ts
 * import { startTestServer, type Snapshot } from "rediserver/testing";
 *
 * await using redis = await startTestServer();
 * const empty: Snapshot = redis.snapshot();
 * redis.restore(empty);
 * ```
 */
export interface Snapshot {
  /** Per database: key (binary string) → [value, expiry time in ms or undefined]. */
  readonly databases: ReadonlyArray<ReadonlyMap<string, readonly [KeyValue, number | undefined]>>;
}

/**
 * A running test server. `await using` closes it at the end of the scope.
 *
 * @example
 * ```ts
 * import { startTestServer, type TestServer } from "rediserver/testing";
 *
 * const redis: TestServer = await startTestServer();
 * redis.failNext("SET", "READONLY You can't write against a read only replica.");
 * await redis.close();
 * ```
 */
export interface TestServer extends AsyncDisposable {
  /** `redis://host:port` (`rediss://` with TLS; `unix:///path` for a Unix socket). */
  readonly url: string;
  /** The TCP port (0 for a Unix socket). */
  readonly port: number;
  /** The bound address ("127.0.0.1"), or the socket path. */
  readonly host: string;
  /** The typed store the commands see: read and write values directly. */
  readonly keyspace: Keyspace;
  /**
   * The clock of expiry, blocking timeouts, TIME, stream IDs, OBJECT IDLETIME, the idle
   * timeout, CLIENT LIST age/idle and INFO uptime.
   */
  readonly clock: TestClock;
  /** The underlying server (router, connections, pub/sub). */
  readonly server: Server;
  /** The TLS certificate and key served (PEM), or undefined without TLS. */
  readonly tls: TlsOptions | undefined;
  /**
   * The next `count` (default 1) commands named `command` (any case; "*" for any command)
   * answer `error` instead of running.
   */
  failNext(command: string, error: string, count?: number): void;
  /** Every command named `command` ("*": any) answers `error` until the returned function is called. */
  failAlways(command: string, error: string): () => void;
  /**
   * Holds replies back `ms` real milliseconds (0 turns it off), every reply or, with
   * `{ command }`, those of the commands named so (any case). Order is kept: replies behind
   * a delayed one wait for it. The command runs at once; only the bytes of its reply wait
   * (for a blocking command, the reply written right after it is called, not its wake-up).
   */
  delayReplies(ms: number, options?: DelayOptions): void;
  /** Drops every client connection at once; the server keeps listening. */
  disconnectAll(): void;
  /**
   * Stops listening for `ms` real milliseconds, then listens again on the same port (or
   * socket path): meanwhile a TCP client's connect fails with ECONNREFUSED (a Unix socket's
   * path is gone: ENOENT). Connections already open stay open. The promise resolves once
   * the listening socket is closed (on Node and Bun before the call returns; Deno closes it
   * a moment later). A later call restarts the wait; {@link TestServer.reset} ends it at once.
   *
   * If listening again fails (another process took the port meanwhile), the server stays
   * closed to new connections and {@link TestServer.close} rejects with that error.
   */
  refuseConnections(ms: number): Promise<void>;
  /**
   * Empties every database, puts the clock back to now, drops injected failures and delays,
   * and ends a {@link TestServer.refuseConnections} pause.
   */
  reset(): void;
  /** A deep copy of every database (values and TTLs). */
  snapshot(): Snapshot;
  /** Replaces every database's contents with a copy of `snapshot`. */
  restore(snapshot: Snapshot): void;
  /**
   * Closes the server: blocked clients are answered, every connection closed. Rejects (after
   * closing) if listening again after {@link TestServer.refuseConnections} failed.
   */
  close(): Promise<void>;
}

/**
 * Options of {@link TestServer.delayReplies}.
 *
 * @example
 * ```ts
 * import { type DelayOptions, startTestServer } from "rediserver/testing";
 *
 * await using redis = await startTestServer();
 * const onlyGets: DelayOptions = { command: "GET" };
 * redis.delayReplies(50, onlyGets); // GET replies wait 50 ms; other commands answer at once
 * ```
 */
export interface DelayOptions {
  /** Delay only the replies of this command (any case); all replies without it. */
  command?: string;
}

/** An injected error and the commands it applies to. */
interface Failure {
  readonly command: string;
  readonly error: string;
  remaining: number;
}

/** A Server whose accepted transports pass through the test controls. */
class TestableServer extends Server {
  /** Delay of every reply, in ms. */
  replyDelay = 0;
  /** Delays of the replies of some commands (lower-case name → ms). */
  readonly commandDelays = new Map<string, number>();
  readonly #transports = new WeakMap<Connection, DelayingTransport>();
  #accepting: DelayingTransport | undefined;

  constructor(options: ServerOptions) {
    const onOpen = options.onOpen;
    super({
      ...options,
      onOpen: (connection) => {
        if (this.#accepting !== undefined) this.#transports.set(connection, this.#accepting);
        onOpen?.(connection);
      },
    });
    this.addCommandGate((connection, entry) => {
      if (this.commandDelays.size === 0) return undefined;
      const ms = this.commandDelays.get(entry.fullName.split("|")[0]);
      if (ms !== undefined) this.#transports.get(connection)?.delayNextWrite(ms);
      return undefined;
    });
  }

  override accept(transport: Transport): TransportHandler {
    this.#accepting = new DelayingTransport(transport, this);
    try {
      return super.accept(this.#accepting);
    } finally {
      this.#accepting = undefined;
    }
  }
}

/** Bytes waiting to be written, and when (Date.now() ms). */
interface Held {
  readonly bytes: Uint8Array;
  readonly due: number;
}

/**
 * A transport whose writes wait `server.replyDelay` ms (or the delay asked for the next
 * write), in order: a write never overtakes one held before it.
 */
class DelayingTransport implements Transport {
  #inner: Transport;
  #server: TestableServer;
  #held: Held[] = [];
  #nextDelay = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;

  constructor(inner: Transport, server: TestableServer) {
    this.#inner = inner;
    this.#server = server;
  }

  get remoteAddress(): string {
    return this.#inner.remoteAddress;
  }

  get localAddress(): string {
    return this.#inner.localAddress;
  }

  /** The next write (a command's reply) waits at least `ms`. */
  delayNextWrite(ms: number): void {
    this.#nextDelay = Math.max(this.#nextDelay, ms);
  }

  write(bytes: Uint8Array): boolean {
    const delay = Math.max(this.#server.replyDelay, this.#nextDelay);
    this.#nextDelay = 0;
    if (delay <= 0 && this.#held.length === 0) return this.#inner.write(bytes);
    this.#held.push({ bytes, due: Date.now() + delay });
    if (this.#held.length === 1) this.#arm();
    return true;
  }

  #arm(): void {
    const first = this.#held[0];
    if (first !== undefined) {
      this.#timer = setTimeout(() => this.#flush(), Math.max(0, first.due - Date.now()));
    }
  }

  #flush(): void {
    this.#timer = undefined;
    const now = Date.now();
    let i = 0;
    while (i < this.#held.length && this.#held[i].due <= now) {
      this.#inner.write(this.#held[i++].bytes);
    }
    this.#held.splice(0, i);
    if (this.#held.length !== 0) this.#arm();
    else if (this.#closing) this.#inner.close();
  }

  pause(): void {
    this.#inner.pause();
  }

  resume(): void {
    this.#inner.resume();
  }

  close(): void {
    if (this.#held.length !== 0) this.#closing = true;
    else this.#inner.close();
  }

  destroy(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held.length = 0;
    (this.#inner.destroy ?? this.#inner.close).call(this.#inner);
  }
}

function makeClock(options: TestServerOptions): TestClock {
  const clock = options.clock;
  if (clock instanceof TestClock) return clock;
  const start = options.startTime;
  const startMs = start === undefined
    ? Date.now()
    : typeof start === "number"
    ? start
    : start.getTime();
  return new TestClock(clock === "manual" ? "manual" : "real", startMs);
}

function urlOf(running: RunningServer, tls: boolean): { url: string; host: string; port: number } {
  const address = running.address;
  if (address.transport === "unix") {
    return { url: "unix://" + address.path, host: address.path, port: 0 };
  }
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return {
    url: `${tls ? "rediss" : "redis"}://${host}:${address.port}`,
    host: address.hostname,
    port: address.port,
  };
}

/**
 * Starts the key-value server for a test, on 127.0.0.1 and any free port unless told
 * otherwise. Hand {@link TestServer.url} to any client; close it with `await using` or
 * {@link TestServer.close}.
 *
 * @example
 * ```ts
 * import { startTestServer } from "rediserver/testing";
 *
 * await using redis = await startTestServer({ clock: "manual" });
 * redis.clock.set(Date.UTC(2030, 0, 1));
 * redis.failNext("GET", "LOADING Redis is loading the dataset in memory");
 * console.log(redis.port > 0); // true
 * ```
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const clock = makeClock(options);
  const server = new TestableServer({ ...options, clock });
  const keyspace = new Keyspace({ databases: server.options.databases, clock });
  registerKeyValueCommands(server, keyspace);
  server.onClose(() => {
    keyspace.close();
    clock.dispose();
  });
  const failures: Failure[] = [];
  server.addCommandGate((_connection, entry) => {
    if (failures.length === 0) return undefined;
    const name = entry.fullName.split("|")[0];
    for (let i = 0; i < failures.length; i++) {
      const failure = failures[i];
      if (failure.command !== "*" && failure.command !== name) continue;
      if (--failure.remaining <= 0) failures.splice(i, 1);
      return failure.error;
    }
    return undefined;
  });
  const tls = options.tls === true ? await makeSelfSignedCertificate() : options.tls;
  const listenOptions = {
    server,
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    path: options.path,
    tls,
  };
  let running: RunningServer;
  try {
    running = await serve(listenOptions);
  } catch (error) {
    await server.close();
    throw error;
  }
  const { url, host, port } = urlOf(running, tls !== undefined);
  // Refusing connections closes the listener; it listens again on the port it got.
  const refusal = new Refusal(running, async () => {
    try {
      return await serve({ ...listenOptions, port });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`rediserver/testing: could not listen again on ${url}: ${reason}`, {
        cause: error,
      });
    }
  });
  const close = async (): Promise<void> => {
    try {
      await refusal.close();
    } finally {
      await server.close();
    }
  };
  return {
    url,
    host,
    port,
    keyspace,
    clock,
    server,
    tls,
    failNext(command: string, error: string, count = 1): void {
      failures.push({ command: command.toLowerCase(), error, remaining: count });
    },
    failAlways(command: string, error: string): () => void {
      const failure = { command: command.toLowerCase(), error, remaining: Infinity };
      failures.push(failure);
      return () => {
        const at = failures.indexOf(failure);
        if (at !== -1) failures.splice(at, 1);
      };
    },
    delayReplies(ms: number, options?: DelayOptions): void {
      const delay = Math.max(0, ms);
      const command = options?.command?.toLowerCase();
      if (command === undefined) server.replyDelay = delay;
      else if (delay === 0) server.commandDelays.delete(command);
      else server.commandDelays.set(command, delay);
    },
    disconnectAll(): void {
      for (const connection of [...server.connections]) connection.destroy();
    },
    refuseConnections(ms: number): Promise<void> {
      return refusal.pause(ms);
    },
    reset(): void {
      keyspace.flushAll();
      failures.length = 0;
      server.replyDelay = 0;
      server.commandDelays.clear();
      refusal.resume();
      clock.reset();
    },
    snapshot(): Snapshot {
      const databases: Map<string, readonly [KeyValue, number | undefined]>[] = [];
      for (let i = 0; i < keyspace.databases; i++) {
        const db = keyspace.db(i);
        const copy = new Map<string, readonly [KeyValue, number | undefined]>();
        for (const key of db.keys()) {
          const value = db.peek(key);
          if (value !== undefined) copy.set(key, [cloneValue(value), db.expireAt(key)]);
        }
        databases.push(copy);
      }
      return { databases };
    },
    restore(snapshot: Snapshot): void {
      keyspace.flushAll();
      snapshot.databases.forEach((contents, i) => {
        if (i >= keyspace.databases) return;
        const db = keyspace.db(i);
        for (const [key, [value, expireAt]] of contents) {
          db.set(key, cloneValue(value));
          if (expireAt !== undefined) db.setExpireAt(key, expireAt);
        }
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
