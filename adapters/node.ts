/**
 * The Node.js adapter: maps `node:net` / `node:tls` onto the core's {@link Transport}.
 *
 * Node quirks handled here:
 * - `data` chunks are fresh Buffers (Node never reuses them), handed over as plain
 *   `Uint8Array` views so that `slice()` in the core copies (Buffer's `slice` would not).
 * - `socket.write` buffers everything itself; its return value says whether Node's buffer is
 *   above Node's own high-water mark (16 KiB). The adapter reports false only above
 *   {@link HIGH_WATER_MARK} and relays `drain` only when it reported false.
 * - The core writes once per flush, so no `cork()`/`uncork()` is needed.
 * - With `allowHalfOpen` off (the default) Node ends our side itself when the peer ends, after
 *   flushing; writes after that (`socket.readableEnded`) are dropped instead of raising
 *   "write after end".
 * - Memory per idle connection: the listeners are functions shared by every socket (the
 *   transport hangs off the socket under a symbol), `drain` is listened to only after a full
 *   write, the local address is the listener's unless it is a wildcard, and `node:tls` is
 *   loaded only for a TLS listener.
 * - `server.close()` waits for every connection to end; {@link Listener.close} resolves as
 *   soon as the listening socket is closed.
 *
 * @module
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type {
  ListenAddress,
  Listener,
  ListenFunction,
  Transport,
  TransportHandler,
} from "../src/server/transport.ts";
import {
  formatAddress,
  HIGH_WATER_MARK,
  LINGER_TIMEOUT,
  type RunningServer,
  type ServeOptions,
  serveWith,
} from "./common.ts";
import { removeSocketFile, removeStaleSocket } from "./socket_file.ts";

export type { RunningServer, ServeOptions } from "./common.ts";

/** Where a socket keeps its transport, for the listeners below (shared by every socket). */
const TRANSPORT: unique symbol = Symbol("rediserver.transport");

type TransportSocket = Socket & { [TRANSPORT]?: NodeTransport };

// One listener function of each kind for every socket (`this` is the socket): an idle
// connection then costs no closures.
function onData(this: TransportSocket, data: Uint8Array): void {
  this[TRANSPORT]?.received(data);
}

function onDrain(this: TransportSocket): void {
  this[TRANSPORT]?.bufferDrained();
}

function onError(this: TransportSocket, error: unknown): void {
  this[TRANSPORT]?.failed(error);
}

function onClose(this: TransportSocket): void {
  this[TRANSPORT]?.socketClosed();
}

/** One `net.Socket` (or `tls.TLSSocket`) as a {@link Transport}. */
class NodeTransport implements Transport {
  handler: TransportHandler | undefined;
  #socket: Socket;
  #remote: string;
  #local: string | undefined;
  #full = false;
  /** A `drain` listener was added (on the first full write). */
  #draining = false;
  /** close() was asked for. (The peer's end is `socket.readableEnded`.) */
  #closing = false;
  #done = false;
  #error: unknown = undefined;
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: Socket, path: string | undefined, local: string | undefined) {
    this.#socket = socket;
    // The peer's address is read now: Node cannot tell it once the socket is closed (and an
    // onClose hook may want it). The local one is the listener's when that is not a wildcard.
    this.#remote = path ?? formatAddress(socket.remoteAddress, socket.remotePort);
    this.#local = path ?? local;
    (socket as TransportSocket)[TRANSPORT] = this;
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
  }

  get remoteAddress(): string {
    return this.#remote;
  }

  /**
   * Read on first use behind a wildcard listener (Node keeps an object per socket once
   * asked); "" if first asked after the socket closed.
   */
  get localAddress(): string {
    return this.#local ??= formatAddress(this.#socket.localAddress, this.#socket.localPort);
  }

  /**
   * True once close() was asked for or the peer ended: Node ends our side itself then
   * (allowHalfOpen is off) once its buffer is flushed, and writes must be dropped.
   */
  #ending(): boolean {
    return this.#closing || this.#done || this.#socket.readableEnded;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#ending()) return true;
    const socket = this.#socket;
    if (socket.write(bytes)) return true;
    if (socket.writableLength < HIGH_WATER_MARK) return true;
    this.#full = true;
    if (!this.#draining) {
      this.#draining = true;
      socket.on("drain", onDrain);
    }
    return false;
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    if (!this.#ending()) this.#socket.resume();
  }

  close(): void {
    if (this.#ending()) return;
    this.#closing = true;
    const socket = this.#socket;
    socket.end(() => {
      // Flushed: give the peer a moment to close its side, then drop the connection.
      if (this.#done) return;
      this.#linger = setTimeout(() => socket.destroy(), LINGER_TIMEOUT);
      this.#linger.unref?.();
    });
    // Keep reading (and discarding) so that the peer's FIN is seen.
    socket.resume();
  }

  destroy(): void {
    if (this.#done) return;
    this.#closing = true;
    this.#socket.destroy();
  }

  /** The socket's `data` event: a chunk was read. */
  received(data: Uint8Array): void {
    if (this.#closing || this.handler === undefined) return;
    try {
      this.handler.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The socket's `drain` event: Node's buffer has emptied. */
  bufferDrained(): void {
    if (!this.#full || this.#done) return;
    this.#full = false;
    try {
      this.handler?.drained();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The socket's `error` event (`close` follows). */
  failed(error: unknown): void {
    this.#error ??= error;
  }

  #fail(error: unknown): void {
    this.#error ??= error;
    this.destroy();
  }

  /** The socket's `close` event. */
  socketClosed(): void {
    if (this.#done) return;
    this.#done = true;
    this.#closing = true;
    if (this.#linger !== undefined) clearTimeout(this.#linger);
    this.handler?.closed(this.#error);
  }
}

/** Whether a bound address accepts connections on every interface ("0.0.0.0", "::"). */
function isWildcard(hostname: string): boolean {
  return hostname === "0.0.0.0" || hostname === "::" || hostname === "";
}

/**
 * Listens on TCP, TLS or a Unix socket with `node:net` / `node:tls`, and calls
 * `onConnection` for every accepted socket.
 *
 * @example
 * ```ts
 * import { listen } from "rediserver/adapters/node";
 *
 * const listener = await listen({ port: 0 }, (transport) => ({
 *   receive: (chunk) => void transport.write(chunk), // echo
 *   drained: () => {},
 *   closed: () => {},
 * }));
 * console.log(listener.address);
 * await listener.close();
 * ```
 */
export const listen: ListenFunction = async (options, onConnection): Promise<Listener> => {
  const path = options.path;
  const tls = options.tls;
  // node:tls is loaded only when asked for: it costs every process ~2 MB of RSS.
  const server: NetServer = tls
    ? (await import("node:tls")).createServer({
      cert: tls.cert,
      key: tls.key,
      ca: tls.ca,
      noDelay: true,
    })
    : createNetServer({ noDelay: true });
  /** Every connection's local address when the listener's is not a wildcard (set below). */
  let local: string | undefined;
  const accept = (socket: Socket): void => {
    socket.setNoDelay?.(true);
    const transport = new NodeTransport(socket, path, local);
    try {
      transport.handler = onConnection(transport);
    } catch (error) {
      transport.handler = undefined;
      socket.on("error", () => {});
      socket.destroy();
      void error;
    }
  };
  server.on(tls ? "secureConnection" : "connection", accept);
  // A failed TLS handshake destroys the socket; without a listener Node just does that too,
  // but say it explicitly so that nothing depends on the default.
  server.on("tlsClientError", (_error: unknown, socket: Socket) => socket.destroy());

  if (path !== undefined) removeStaleSocket(path);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = (): void => {
      server.off("error", reject);
      resolve();
    };
    if (path !== undefined) server.listen({ path }, done);
    else server.listen({ host: options.hostname ?? "127.0.0.1", port: options.port ?? 6379 }, done);
  });
  // After listening, errors (e.g. EMFILE on accept) must not crash the process.
  server.on("error", () => {});

  let address: ListenAddress;
  if (path !== undefined) {
    address = { transport: "unix", path };
  } else {
    const bound = server.address();
    address = typeof bound === "object" && bound !== null
      ? { transport: "tcp", hostname: bound.address, port: bound.port }
      : { transport: "tcp", hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 6379 };
    if (!isWildcard(address.hostname)) local = formatAddress(address.hostname, address.port);
  }

  let closed: Promise<void> | undefined;
  const listener: Listener = {
    address,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        // The callback of server.close() waits for every connection; do not wait for it.
        server.close(() => {});
        if (path !== undefined) removeSocketFile(path);
        setTimeout(resolve, 0);
      });
      return closed;
    },
  };
  return listener;
};

/**
 * Creates a `Server` (unless `options.server` is given) and serves it with Node's `net`/`tls`.
 *
 * @example
 * ```ts
 * import { serve } from "rediserver/adapters/node";
 *
 * const running = await serve({ port: 0 });
 * console.log(running.address);
 * await running.close();
 * ```
 */
export function serve(options: ServeOptions = {}): Promise<RunningServer> {
  return serveWith(listen, options);
}
