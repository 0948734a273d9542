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
 *   flushing; writes after that are dropped instead of raising "write after end".
 * - `server.close()` waits for every connection to end; {@link Listener.close} resolves as
 *   soon as the listening socket is closed.
 *
 * @module
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { lstatSync, unlinkSync } from "node:fs";
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

export type { RunningServer, ServeOptions } from "./common.ts";

/** One `net.Socket` (or `tls.TLSSocket`) as a {@link Transport}. */
class NodeTransport implements Transport {
  readonly remoteAddress: string;
  readonly localAddress: string;
  handler: TransportHandler | undefined;
  #socket: Socket;
  #full = false;
  #closing = false;
  #done = false;
  #error: unknown = undefined;
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: Socket, path: string | undefined) {
    this.#socket = socket;
    if (path !== undefined) {
      this.remoteAddress = path;
      this.localAddress = path;
    } else {
      this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
      this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    }
    socket.on("data", (data: Uint8Array) => {
      if (this.#closing || this.handler === undefined) return;
      try {
        this.handler.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch (error) {
        this.#fail(error);
      }
    });
    socket.on("drain", () => {
      if (!this.#full || this.#done) return;
      this.#full = false;
      try {
        this.handler?.drained();
      } catch (error) {
        this.#fail(error);
      }
    });
    socket.on("end", () => {
      // Node ends our side itself (allowHalfOpen is off) once its buffer is flushed.
      this.#closing = true;
    });
    socket.on("error", (error) => {
      this.#error ??= error;
    });
    socket.on("close", () => this.#finish());
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closing || this.#done) return true;
    if (this.#socket.write(bytes)) return true;
    if (this.#socket.writableLength < HIGH_WATER_MARK) return true;
    this.#full = true;
    return false;
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    if (!this.#closing) this.#socket.resume();
  }

  close(): void {
    if (this.#closing || this.#done) return;
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

  #fail(error: unknown): void {
    this.#error ??= error;
    this.destroy();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#closing = true;
    if (this.#linger !== undefined) clearTimeout(this.#linger);
    this.handler?.closed(this.#error);
  }
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Missing, or not ours to remove: listen() reports the real problem.
  }
}

function removeSocketFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (libuv unlinks it when the listening pipe closes).
  }
}

/**
 * Listens on TCP, TLS or a Unix socket with `node:net` / `node:tls`, and calls
 * `onConnection` for every accepted socket.
 *
 * @example
 * ```ts
 * import { listen } from "./node.ts";
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
  const server: NetServer = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, noDelay: true })
    : createNetServer({ noDelay: true });
  const accept = (socket: Socket): void => {
    socket.setNoDelay?.(true);
    const transport = new NodeTransport(socket, path);
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
 * import { serve } from "./node.ts";
 *
 * const running = await serve({ port: 0 });
 * console.log(running.address);
 * await running.close();
 * ```
 */
export function serve(options: ServeOptions = {}): Promise<RunningServer> {
  return serveWith(listen, options);
}
