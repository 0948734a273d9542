/**
 * The Deno adapter: maps `Deno.listen` / `Deno.listenTls` / `Deno.listen({ transport: "unix" })`
 * onto the core's {@link Transport}. Deno's API is reached through `globalThis` with small
 * local types, so that this file type-checks with plain `tsc` as well as `deno check`.
 *
 * Deno quirks handled here:
 * - Reading is pull-based (`conn.read(buffer)` resolves to a byte count, `null` at EOF): one
 *   read loop per connection, parked while paused; a read already in flight when `pause()` is
 *   called is held back and delivered on `resume()`.
 * - Buffers: a pending `conn.read` holds its buffer for as long as the connection is idle, so
 *   the read buffer is adaptive: it starts at {@link MIN_READ_SIZE} (1 KiB: 10,000 idle
 *   connections then hold 10 MB of read buffers instead of 640 MB with a fixed 64 KiB), doubles
 *   whenever a read fills it (up to {@link MAX_READ_SIZE}), and halves after
 *   {@link SHRINK_AFTER} reads in a row that would have fitted in half of it. A read that
 *   fills the buffer at least three quarters hands the buffer itself over and allocates the
 *   next one (no copy where a copy would cost most, and little waste); a smaller read hands
 *   over a copy of exactly the bytes read (`slice`) and the buffer is reused. Handed-over
 *   chunks are never touched again.
 * - `conn.write` is async and may write only part: a queue and a single write loop, small
 *   queued chunks coalesced into one write; `write()` reports false above
 *   {@link HIGH_WATER_MARK} and `drained()` follows when the queue is empty.
 * - `close()`: flush the queue, `closeWrite()` (FIN), wait for the peer's EOF (bounded by
 *   {@link LINGER_TIMEOUT}), then `conn.close()`. Every rejected read/write promise
 *   (`BrokenPipe`, `ConnectionReset`, `BadResource` after close) is caught.
 * - TLS: the handshake runs on the first read; a failed handshake is a failed read.
 *   `TlsOptions.ca` is ignored (Deno's TLS listener has no client-certificate option).
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
  HIGH_WATER_MARK,
  LINGER_TIMEOUT,
  type RunningServer,
  type ServeOptions,
  serveWith,
} from "./common.ts";

export type { RunningServer, ServeOptions } from "./common.ts";

type DenoAddr =
  | { transport: "tcp" | "udp"; hostname: string; port: number }
  | { transport: "unix" | "unixpacket"; path: string };

interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  readonly localAddr: DenoAddr;
  readonly remoteAddr: DenoAddr;
  setNoDelay?(noDelay?: boolean): void;
}

interface DenoListener {
  readonly addr: DenoAddr;
  accept(): Promise<DenoConn>;
  close(): void;
}

interface DenoApi {
  listen(options: { hostname?: string; port?: number }): DenoListener;
  listen(options: { transport: "unix"; path: string }): DenoListener;
  listenTls(options: { hostname?: string; port?: number; cert: string; key: string }): DenoListener;
  lstatSync(path: string): { isSocket: boolean | null };
  removeSync(path: string): void;
}

function deno(): DenoApi {
  const api = (globalThis as unknown as { Deno?: DenoApi }).Deno;
  if (api === undefined) throw new Error("The Deno adapter needs the Deno runtime");
  return api;
}

/** The read buffer's first and smallest size. */
const MIN_READ_SIZE = 1024;
/** The read buffer's largest size. */
const MAX_READ_SIZE = 64 * 1024;
/** Reads in a row that fit in half the read buffer before it is halved. */
const SHRINK_AFTER = 8;
/** Queued chunks smaller than this are coalesced into one write of at most this size. */
const COALESCE_SIZE = 64 * 1024;

/** One `Deno.Conn` as a {@link Transport}. */
class DenoTransport implements Transport {
  readonly remoteAddress: string;
  readonly localAddress: string;
  handler: TransportHandler | undefined;
  #conn: DenoConn;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #full = false;
  #paused = false;
  #wake: (() => void) | undefined;
  /** close() was asked for (by us or after the peer's EOF): input is discarded. */
  #closing = false;
  /** The peer's EOF was read. */
  #eof = false;
  /** Our side was shut down (closeWrite). */
  #shut = false;
  #done = false;
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(conn: DenoConn, path: string | undefined) {
    this.#conn = conn;
    if (path !== undefined) {
      this.remoteAddress = path;
      this.localAddress = path;
    } else {
      this.remoteAddress = addressOf(conn.remoteAddr);
      this.localAddress = addressOf(conn.localAddr);
    }
  }

  start(): void {
    void this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    let buffer = new Uint8Array(MIN_READ_SIZE);
    /** Reads in a row that fitted in half the buffer. */
    let small = 0;
    try {
      while (!this.#done) {
        while (this.#paused && !this.#closing) await new Promise<void>((r) => this.#wake = r);
        if (this.#done) return;
        const n = await this.#conn.read(buffer);
        if (this.#done) return;
        if (n === null) break;
        if (n === 0) continue;
        const size = buffer.length;
        if (this.#closing) {
          // Discarding until the peer's EOF: the buffer is reused, let it shrink at once.
          if (size > MIN_READ_SIZE && n < size) buffer = new Uint8Array(MIN_READ_SIZE);
          continue;
        }
        let chunk: Uint8Array;
        if (n === size) {
          // Full: more is probably waiting, read more at once next time.
          chunk = buffer;
          buffer = new Uint8Array(size < MAX_READ_SIZE ? size * 2 : size);
          small = 0;
        } else if (n >= size - (size >> 2)) {
          chunk = buffer.subarray(0, n);
          buffer = new Uint8Array(size);
          small = 0;
        } else {
          chunk = buffer.slice(0, n);
          if (n > size >> 1 || size === MIN_READ_SIZE) small = 0;
          else if (++small >= SHRINK_AFTER) {
            buffer = new Uint8Array(size >> 1);
            small = 0;
          }
        }
        while (this.#paused && !this.#closing) await new Promise<void>((r) => this.#wake = r);
        if (this.#closing || this.#done) continue;
        this.handler?.receive(chunk);
      }
    } catch (error) {
      this.#finish(error);
      return;
    }
    if (this.#done) return;
    this.#eof = true;
    if (this.#shut) this.#finish(undefined);
    else this.close();
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closing || this.#done) return true;
    if (bytes.length === 0) return !this.#full;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (!this.#writing) void this.#writeLoop();
    if (this.#queued > HIGH_WATER_MARK) this.#full = true;
    return !this.#full;
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    const queue = this.#queue;
    try {
      while (queue.length > 0 && !this.#done) {
        let chunk = queue[0];
        if (queue.length > 1 && chunk.length < COALESCE_SIZE) chunk = coalesce(queue);
        const n = await this.#conn.write(chunk);
        if (this.#done) return;
        this.#queued -= n;
        if (n < chunk.length) queue[0] = chunk.subarray(n);
        else queue.shift();
      }
      this.#writing = false;
      if (this.#done) return;
      if (this.#full) {
        this.#full = false;
        this.handler?.drained(); // may write again: that starts a new loop
      }
      if (this.#closing && !this.#writing && queue.length === 0) await this.#shutdown();
    } catch (error) {
      this.#writing = false;
      this.#finish(error);
    }
  }

  /** The queue is empty and close() was asked for: FIN, then wait for the peer's EOF. */
  async #shutdown(): Promise<void> {
    if (this.#shut || this.#done) return;
    this.#shut = true;
    if (this.#eof) {
      this.#finish(undefined);
      return;
    }
    this.#linger = setTimeout(() => this.#finish(undefined), LINGER_TIMEOUT);
    try {
      await this.#conn.closeWrite();
    } catch {
      this.#finish(undefined);
    }
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#wakeReader();
  }

  close(): void {
    if (this.#closing || this.#done) return;
    this.#closing = true;
    this.#wakeReader(); // keep reading (and discarding) to see the peer's EOF
    if (!this.#writing && this.#queue.length === 0) void this.#shutdown();
  }

  destroy(): void {
    this.#finish(undefined);
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#closing = true;
    if (this.#linger !== undefined) clearTimeout(this.#linger);
    this.#queue.length = 0;
    this.#queued = 0;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    this.#wakeReader();
    this.handler?.closed(error);
  }
}

/** Replaces the leading small chunks of `queue` by one chunk of at most COALESCE_SIZE bytes. */
function coalesce(queue: Uint8Array[]): Uint8Array {
  let count = 0;
  let size = 0;
  while (count < queue.length && size + queue[count].length <= COALESCE_SIZE) {
    size += queue[count].length;
    count++;
  }
  if (count < 2) return queue[0];
  const joined = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    joined.set(queue[i], offset);
    offset += queue[i].length;
  }
  queue.splice(0, count, joined);
  return joined;
}

function addressOf(addr: DenoAddr): string {
  return "path" in addr ? addr.path : formatAddress(addr.hostname, addr.port);
}

function isSocketFile(api: DenoApi, path: string): boolean {
  try {
    return api.lstatSync(path).isSocket === true;
  } catch {
    return false;
  }
}

function removeFile(api: DenoApi, path: string): void {
  try {
    api.removeSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Listens on TCP, TLS or a Unix socket with `Deno.listen` / `Deno.listenTls`, and calls
 * `onConnection` for every accepted connection.
 *
 * @example
 * ```ts
 * import { listen } from "./deno.ts";
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
export const listen: ListenFunction = (options, onConnection): Promise<Listener> => {
  const api = deno();
  const path = options.path;
  let inner: DenoListener;
  let address: ListenAddress;
  try {
    if (path !== undefined) {
      if (isSocketFile(api, path)) removeFile(api, path);
      inner = api.listen({ transport: "unix", path });
      address = { transport: "unix", path };
    } else {
      const hostname = options.hostname ?? "127.0.0.1";
      const port = options.port ?? 6379;
      inner = options.tls
        ? api.listenTls({ hostname, port, cert: options.tls.cert, key: options.tls.key })
        : api.listen({ hostname, port });
      const addr = inner.addr;
      address = addr.transport === "tcp"
        ? { transport: "tcp", hostname: addr.hostname, port: addr.port }
        : { transport: "tcp", hostname, port };
    }
  } catch (error) {
    return Promise.reject(error);
  }

  let closing = false;
  const acceptLoop = async (): Promise<void> => {
    while (!closing) {
      let conn: DenoConn;
      try {
        conn = await inner.accept();
      } catch {
        if (closing) return;
        // A failed accept (e.g. too many open files): back off a little and go on.
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      try {
        conn.setNoDelay?.(true);
      } catch {
        // Not a TCP connection.
      }
      const transport = new DenoTransport(conn, path);
      try {
        transport.handler = onConnection(transport);
      } catch {
        transport.destroy();
        continue;
      }
      transport.start();
    }
  };
  void acceptLoop();

  let closed: Promise<void> | undefined;
  const listener: Listener = {
    address,
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        try {
          inner.close();
        } catch {
          // Already closed.
        }
        if (path !== undefined) removeFile(api, path);
        await new Promise((resolve) => setTimeout(resolve, 0));
      })();
      return closed;
    },
  };
  return Promise.resolve(listener);
};

/**
 * Creates a `Server` (unless `options.server` is given) and serves it with Deno's sockets.
 *
 * @example
 * ```ts
 * import { serve } from "./deno.ts";
 *
 * const running = await serve({ port: 0 });
 * console.log(running.address);
 * await running.close();
 * ```
 */
export function serve(options: ServeOptions = {}): Promise<RunningServer> {
  return serveWith(listen, options);
}
