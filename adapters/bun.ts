/**
 * The Bun adapter: maps `Bun.listen` (TCP, TLS, Unix) onto the core's {@link Transport}. Bun's
 * API is reached through `globalThis` with small local types, so that this file type-checks
 * with plain `tsc` and `deno check`.
 *
 * Bun quirks handled here:
 * - `socket.write` is unbuffered: it returns how many bytes the kernel took (possibly fewer
 *   than given, `-1` once closed) and does NOT keep the rest. The adapter queues the
 *   remainder, and everything written after it, in a {@link WriteQueue} (made on the first
 *   short write, dropped when empty), and writes it from the `drain` handler in order.
 *   `write()` reports false above `HIGH_WATER_MARK` (64 KiB); `drained()` follows when the
 *   queue is empty. `drain` also fires spuriously (on open, on resume): harmless here.
 * - The `data` handler gets fresh bytes per call (Bun copies out of its receive buffer), so
 *   they are handed over without a copy. `binaryType: "uint8array"` makes them plain
 *   `Uint8Array`s: a Buffer would need wrapping (its `slice()` is a view, the core's copies),
 *   and reading a Buffer's `.buffer` to wrap it costs more than a copy in JavaScriptCore.
 * - `socket.pause()` / `socket.resume()` stop and restart reading; data that still arrives
 *   while paused (e.g. already decrypted TLS records) is held and delivered on `resume()`.
 * - Without `allowHalfOpen`, Bun closes the socket as soon as the peer ends its side, dropping
 *   replies not yet written; with it, the adapter flushes its queue and then ends.
 * - Closing: `socket.end()` closes the file descriptor at once, and closing a socket whose
 *   receive buffer still holds unread input makes the kernel send RST, so the peer loses
 *   replies already sent (ECONNRESET; e.g. pipelined commands after a protocol error, or a
 *   graceful shutdown under load). So `close()` flushes the queue, then half-closes with
 *   `socket.shutdown()` (Bun 1.4.5: `shutdown()` is `SHUT_WR`, the peer sees FIN and we go
 *   on receiving; `shutdown(true)` is `SHUT_RD`, the peer sees nothing), keeps reading and
 *   discarding input until the peer closes its side (Bun then closes the socket, or reports
 *   `end` first over TLS), and terminates after {@link LINGER_TIMEOUT} otherwise. When the
 *   peer has already ended, nothing is left unread and `socket.end()` is used. `terminate()`
 *   aborts. Peer resets arrive as the `close` handler's error argument; the `error` handler
 *   is kept as well.
 *
 * @module
 */
import type {
  ListenAddress,
  Listener,
  ListenFunction,
  Transport,
  TransportHandler,
} from "../src/server/transport.ts";
import {
  formatAddress,
  LINGER_TIMEOUT,
  type RunningServer,
  type ServeOptions,
  serveWith,
} from "./common.ts";
import { removeSocketFile, removeStaleSocket } from "./socket_file.ts";
import { WriteQueue } from "./write_queue.ts";

export type { RunningServer, ServeOptions } from "./common.ts";

interface BunSocket {
  data: BunTransport | undefined;
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  end(): void;
  shutdown?(halfClose?: boolean): void;
  terminate(): void;
  pause?(): void;
  resume?(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
}

interface BunSocketHandler {
  binaryType: "uint8array";
  open(socket: BunSocket): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: unknown): void;
  error(socket: BunSocket, error: unknown): void;
}

interface BunListenOptions {
  hostname?: string;
  port?: number;
  unix?: string;
  tls?: { cert: string; key: string; ca?: string };
  allowHalfOpen?: boolean;
  socket: BunSocketHandler;
}

interface BunTcpListener {
  readonly hostname?: string;
  readonly port?: number;
  stop(closeActiveConnections?: boolean): void;
}

interface BunApi {
  listen(options: BunListenOptions): BunTcpListener;
}

function bun(): BunApi {
  const api = (globalThis as unknown as { Bun?: BunApi }).Bun;
  if (api === undefined) throw new Error("The Bun adapter needs the Bun runtime");
  return api;
}

/** One Bun socket as a {@link Transport}. */
class BunTransport implements Transport {
  readonly remoteAddress: string;
  readonly localAddress: string;
  handler: TransportHandler | undefined;
  #socket: BunSocket;
  /** What the kernel did not take yet; undefined when nothing waits. */
  #queue: WriteQueue | undefined = undefined;
  #paused = false;
  #held: Uint8Array[] = [];
  /** close() was asked for (by us or after the peer's end): input is discarded. */
  #closing = false;
  /** Our side was ended (shutdown or end), after the queue was flushed. */
  #ended = false;
  /** The peer ended its side: no unread input is left. */
  #peerEnded = false;
  #done = false;
  #error: unknown = undefined;
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: BunSocket, path: string | undefined) {
    this.#socket = socket;
    if (path !== undefined) {
      this.remoteAddress = path;
      this.localAddress = path;
    } else {
      this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
      this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    }
  }

  onData(data: Uint8Array): void {
    if (this.#closing || this.handler === undefined) return;
    // Plain Uint8Array thanks to binaryType; a Bun that ignores it gets the Buffer wrapped.
    const chunk = data.constructor === Uint8Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.#paused) {
      this.#held.push(chunk);
      return;
    }
    try {
      this.handler.receive(chunk);
    } catch (error) {
      this.#fail(error);
    }
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closing || this.#done) return true;
    const length = bytes.length;
    const queue = this.#queue;
    if (queue !== undefined) return length === 0 ? !queue.full : queue.push(bytes);
    if (length === 0) return true;
    const n = this.#socket.write(bytes);
    if (n === length || n < 0) return true; // n < 0: closed, the close handler follows
    return (this.#queue = new WriteQueue()).push(n > 0 ? bytes.subarray(n) : bytes);
  }

  /** The `drain` handler: write what is queued, in order, until the kernel is full again. */
  onDrain(): void {
    if (this.#done) return;
    const queue = this.#queue;
    if (queue !== undefined) {
      while (queue.length > 0) {
        const chunk = queue.first();
        const n = this.#socket.write(chunk);
        if (n < 0) return;
        queue.written(n);
        if (n < chunk.length) return;
      }
      this.#queue = undefined;
      if (queue.takeFull()) {
        try {
          this.handler?.drained();
        } catch (error) {
          this.#fail(error);
          return;
        }
      }
    }
    if (this.#closing && !this.#ended && this.#queue === undefined) this.#end();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket.pause?.();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held;
    while (held.length > 0 && !this.#paused && !this.#closing) {
      const chunk = held.shift() as Uint8Array;
      try {
        this.handler?.receive(chunk);
      } catch (error) {
        this.#fail(error);
        return;
      }
    }
    if (!this.#paused) this.#socket.resume?.();
  }

  close(): void {
    if (this.#closing || this.#done) return;
    this.#closing = true;
    this.#held.length = 0;
    if (this.#paused) this.#socket.resume?.();
    if (this.#queue === undefined) this.#end();
  }

  destroy(): void {
    if (this.#done) return;
    this.#closing = true;
    this.#queue = undefined;
    this.#socket.terminate();
  }

  /** The peer ended its side: flush what is queued, then end ours (or close, if ended). */
  onEnd(): void {
    this.#peerEnded = true;
    if (this.#ended && !this.#done) this.#socket.end();
    else this.close();
  }

  onError(error: unknown): void {
    this.#error ??= error;
  }

  /** The queue is flushed and close() was asked for: FIN, then wait for the peer's end. */
  #end(): void {
    this.#ended = true;
    const socket = this.#socket;
    if (this.#peerEnded || socket.shutdown === undefined) {
      socket.end();
      return;
    }
    // Not end(): unread input would turn the close into a RST (see the module notes).
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      if (!this.#done) socket.terminate();
    }, LINGER_TIMEOUT);
    (this.#linger as { unref?: () => void }).unref?.();
    try {
      socket.shutdown();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.#error ??= error;
    this.destroy();
  }

  /** The `close` handler. */
  finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#closing = true;
    if (this.#linger !== undefined) clearTimeout(this.#linger);
    this.#queue = undefined;
    this.#held.length = 0;
    this.handler?.closed(this.#error ?? error);
  }
}

/**
 * Listens on TCP, TLS or a Unix socket with `Bun.listen`, and calls `onConnection` for every
 * accepted socket.
 *
 * @example
 * ```ts
 * import { listen } from "rediserver/adapters/bun";
 *
 * if ("Bun" in globalThis) { // this adapter needs the Bun runtime
 *   const listener = await listen({ port: 0 }, (transport) => ({
 *     receive: (chunk) => void transport.write(chunk), // echo
 *     drained: () => {},
 *     closed: () => {},
 *   }));
 *   console.log(listener.address);
 *   await listener.close();
 * }
 * ```
 */
export const listen: ListenFunction = (options, onConnection): Promise<Listener> => {
  const path = options.path;
  const socket: BunSocketHandler = {
    binaryType: "uint8array",
    open(socket) {
      socket.setNoDelay?.(true);
      const transport = new BunTransport(socket, path);
      socket.data = transport;
      try {
        transport.handler = onConnection(transport);
      } catch {
        socket.data = undefined;
        socket.terminate();
      }
    },
    data: (socket, data) => socket.data?.onData(data),
    drain: (socket) => socket.data?.onDrain(),
    end: (socket) => socket.data?.onEnd(),
    close: (socket, error) => socket.data?.finish(error),
    error: (socket, error) => socket.data?.onError(error),
  };
  const tls = options.tls
    ? { cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca }
    : undefined;
  let inner: BunTcpListener;
  let address: ListenAddress;
  try {
    if (path !== undefined) {
      removeStaleSocket(path);
      inner = bun().listen({ unix: path, tls, allowHalfOpen: true, socket });
      address = { transport: "unix", path };
    } else {
      const hostname = options.hostname ?? "127.0.0.1";
      inner = bun().listen({
        hostname,
        port: options.port ?? 6379,
        tls,
        allowHalfOpen: true,
        socket,
      });
      address = { transport: "tcp", hostname, port: inner.port ?? options.port ?? 6379 };
    }
  } catch (error) {
    return Promise.reject(error);
  }

  let closed: Promise<void> | undefined;
  const listener: Listener = {
    address,
    close(): Promise<void> {
      closed ??= (async () => {
        try {
          inner.stop(false);
        } catch {
          // Already stopped.
        }
        if (path !== undefined) removeSocketFile(path);
        await new Promise((resolve) => setTimeout(resolve, 0));
      })();
      return closed;
    },
  };
  return Promise.resolve(listener);
};

/**
 * Creates a `Server` (unless `options.server` is given) and serves it with `Bun.listen`.
 *
 * @example
 * ```ts
 * import { serve } from "rediserver/adapters/bun";
 *
 * if ("Bun" in globalThis) { // this adapter needs the Bun runtime
 *   const running = await serve({ port: 0 });
 *   console.log(running.address);
 *   await running.close();
 * }
 * ```
 */
export function serve(options: ServeOptions = {}): Promise<RunningServer> {
  return serveWith(listen, options);
}
