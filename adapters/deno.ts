/**
 * The Deno adapter: maps `Deno.listen` / `Deno.listenTls` / `Deno.listen({ transport: "unix" })`
 * onto the core's {@link Transport}. Deno's API is reached through `globalThis` with small
 * local types, so that this file type-checks with plain `tsc` as well as `deno check`.
 *
 * Deno quirks handled here:
 * - Reading is pull-based (`conn.read(buffer)` resolves to a byte count, `null` at EOF): each
 *   settled read starts the next one from a callback made once per connection (an `async`
 *   loop would keep a suspended frame and its promises alive per idle connection); no read
 *   is started while paused, and a read already in flight when `pause()` is called is held
 *   back and delivered on `resume()`.
 * - Buffers: a pending `conn.read` holds its buffer for as long as the connection is idle, so
 *   the read size is adaptive: it starts at {@link MIN_READ_SIZE} (128 bytes), doubles
 *   whenever a read fills it (up to {@link MAX_READ_SIZE}), and halves after
 *   {@link SHRINK_AFTER} reads in a row that would have fitted in half of it. Reads of up to
 *   {@link SLAB_READ_MAX} bytes read into a region of a shared append-only slab: the chunk
 *   handed over is a view of the bytes read (Deno gives every new typed array a backing store
 *   of its own, a few hundred nanoseconds, where a view costs a dozen), the unread tail of the
 *   region goes back to the slab when nothing was reserved after it, and 10,000 idle
 *   connections hold 1.3 MB of slab between them. A larger read that fills its buffer at
 *   least three quarters hands the buffer itself over and allocates the next one; a smaller
 *   one hands over a copy of exactly the bytes read (`slice`) and the buffer is reused.
 *   Handed-over chunks are never touched again.
 * - `conn.write` is async and may write only part: a {@link WriteQueue} (allocated while
 *   there is something to write) and a single write loop, small queued chunks coalesced into
 *   one write; `write()` reports false above `HIGH_WATER_MARK` (64 KiB) and `drained()` follows
 *   when the queue is empty.
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
  LINGER_TIMEOUT,
  type RunningServer,
  type ServeOptions,
  serveWith,
} from "./common.ts";
import { removeSocketFile, removeStaleSocket } from "./socket_file.ts";
import { WriteQueue } from "./write_queue.ts";

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
}

function deno(): DenoApi {
  const api = (globalThis as unknown as { Deno?: DenoApi }).Deno;
  if (api === undefined) throw new Error("The Deno adapter needs the Deno runtime");
  return api;
}

/** The read buffer's first and smallest size. */
const MIN_READ_SIZE = 128;
/** The read buffer's largest size. */
const MAX_READ_SIZE = 64 * 1024;
/** Reads in a row that fit in half the read buffer before it is halved. */
const SHRINK_AFTER = 8;
/** Reads of at most this many bytes read into a region of the shared read slab. */
const SLAB_READ_MAX = 4096;
/** The size of one read slab. */
const READ_SLAB_SIZE = 64 * 1024;
let readSlab = new ArrayBuffer(0);
let readSlabUsed = 0;

/** A region of `size` bytes of the read slab, for one read. */
function reserveRead(size: number): Uint8Array {
  if (readSlab.byteLength - readSlabUsed < size) {
    readSlab = new ArrayBuffer(READ_SLAB_SIZE);
    readSlabUsed = 0;
  }
  const region = new Uint8Array(readSlab, readSlabUsed, size);
  readSlabUsed += size;
  return region;
}

/** Gives the slab back what a read left of its region, when nothing was reserved after it. */
function releaseRead(region: Uint8Array, used: number): void {
  if (region.buffer === readSlab && readSlabUsed === region.byteOffset + region.length) {
    readSlabUsed = region.byteOffset + used;
  }
}
const NO_BUFFER = new Uint8Array(0);

/** One `Deno.Conn` as a {@link Transport}. */
class DenoTransport implements Transport {
  handler: TransportHandler | undefined;
  #conn: DenoConn;
  #remote: string | undefined;
  #local: string | undefined;
  /** Chunks waiting to be written; undefined when none (an idle connection holds no queue). */
  #queue: WriteQueue | undefined = undefined;
  #writing = false;
  #paused = false;
  /** The buffer the pending read fills; NO_BUFFER until the next read takes one. */
  #buffer: Uint8Array = NO_BUFFER;
  /** The size of the next read (adaptive, see the module documentation). */
  #size = MIN_READ_SIZE;
  /** Reads in a row that fitted in half the buffer. */
  #small = 0;
  /** A `conn.read` is in flight. */
  #reading = false;
  /** A chunk read while paused, delivered on resume(). */
  #held: Uint8Array | undefined = undefined;
  /** close() was asked for (by us or after the peer's EOF): input is discarded. */
  #closing = false;
  /** The peer's EOF was read. */
  #eof = false;
  /** Our side was shut down (closeWrite). */
  #shut = false;
  #done = false;
  #linger: ReturnType<typeof setTimeout> | undefined;
  /**
   * Settles every read, made once per connection: no async function frame stays suspended
   * per idle connection, only the runtime's own pending read. `conn.read` resolves to a
   * count or null and rejects with an Error, so one function can tell the two apart.
   */
  #onRead = (result: number | null | Error): void => {
    if (typeof result === "number" || result === null) this.#readDone(result);
    else {
      this.#reading = false;
      this.#finish(result);
    }
  };

  constructor(conn: DenoConn, path: string | undefined) {
    this.#conn = conn;
    // Formatted on first use (the runtime keeps the addresses, even after the close).
    this.#remote = path;
    this.#local = path;
  }

  get remoteAddress(): string {
    return this.#remote ??= addressOf(this.#conn.remoteAddr);
  }

  get localAddress(): string {
    return this.#local ??= addressOf(this.#conn.localAddr);
  }

  start(): void {
    this.#read();
  }

  /** Starts the next read unless one is in flight, paused (resume() reads), or done. */
  #read(): void {
    if (this.#reading || this.#done || (this.#paused && !this.#closing)) return;
    if (this.#held !== undefined) return;
    this.#reading = true;
    if (this.#buffer === NO_BUFFER) {
      const size = this.#size;
      this.#buffer = size <= SLAB_READ_MAX ? reserveRead(size) : new Uint8Array(size);
    }
    try {
      this.#conn.read(this.#buffer).then(this.#onRead, this.#onRead);
    } catch (error) {
      this.#onRead(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #readDone(n: number | null): void {
    this.#reading = false;
    if (this.#done) return;
    if (n === null) {
      this.#eof = true;
      if (this.#shut) this.#finish(undefined);
      else this.close();
      return;
    }
    if (n > 0) {
      const buffer = this.#buffer;
      const size = buffer.length;
      if (this.#closing) {
        // Discarding until the peer's EOF: the buffer is reused, let it shrink at once.
        if (size > MIN_READ_SIZE && n < size) {
          releaseRead(buffer, 0);
          this.#buffer = NO_BUFFER;
          this.#size = MIN_READ_SIZE;
        }
        this.#read();
        return;
      }
      let chunk: Uint8Array;
      if (size <= SLAB_READ_MAX) {
        // A region of the slab: hand over a view of what was read, the next read takes a new one.
        chunk = buffer.subarray(0, n);
        releaseRead(buffer, n);
        this.#buffer = NO_BUFFER;
      } else if (n >= size - (size >> 2)) {
        chunk = n === size ? buffer : buffer.subarray(0, n);
        this.#buffer = NO_BUFFER;
      } else {
        chunk = buffer.slice(0, n);
      }
      if (n === size) {
        // Full: more is probably waiting, read more at once next time.
        if (size < MAX_READ_SIZE) {
          this.#size = size * 2;
          this.#buffer = NO_BUFFER;
        }
        this.#small = 0;
      } else if (n > size >> 1 || size === MIN_READ_SIZE) this.#small = 0;
      else if (++this.#small >= SHRINK_AFTER) {
        this.#size = size >> 1;
        this.#buffer = NO_BUFFER;
        this.#small = 0;
      }
      if (this.#paused) {
        // A read that was in flight when pause() was called: held until resume().
        this.#held = chunk;
        return;
      }
      if (!this.#deliver(chunk)) return;
    }
    this.#read();
  }

  /** Hands a chunk to the handler; false (the transport finished) when the handler threw. */
  #deliver(chunk: Uint8Array): boolean {
    try {
      this.handler?.receive(chunk);
      return true;
    } catch (error) {
      this.#finish(error);
      return false;
    }
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closing || this.#done) return true;
    const queue = this.#queue ??= new WriteQueue();
    if (bytes.length === 0) return !queue.full;
    const below = queue.push(bytes);
    if (!this.#writing) void this.#writeLoop(queue);
    return below;
  }

  async #writeLoop(queue: WriteQueue): Promise<void> {
    this.#writing = true;
    try {
      while (queue.length > 0 && !this.#done) {
        const chunk = queue.coalesceFirst();
        const n = await this.#conn.write(chunk);
        if (this.#done) return;
        queue.written(n);
      }
      this.#writing = false;
      if (this.#done) return;
      // Everything is written: drop the queue (the next write makes a new one).
      if (this.#queue === queue) this.#queue = undefined;
      if (queue.takeFull()) this.handler?.drained(); // may write again: that starts a new loop
      if (this.#closing && !this.#writing && this.#queue === undefined) await this.#shutdown();
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
    // Later, not inside the caller (the core calls resume() from its own dispatch).
    if (!this.#reading && !this.#done) queueMicrotask(() => this.#continue());
  }

  /** After resume() or close(): delivers a held chunk (unless closing), then reads on. */
  #continue(): void {
    if (this.#done || (this.#paused && !this.#closing)) return;
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      if (!this.#closing && !this.#deliver(held)) return;
    }
    this.#read();
  }

  close(): void {
    if (this.#closing || this.#done) return;
    this.#closing = true;
    // Keep reading (and discarding) to see the peer's EOF.
    if (!this.#reading) queueMicrotask(() => this.#continue());
    if (!this.#writing && this.#queue === undefined) void this.#shutdown();
  }

  destroy(): void {
    this.#finish(undefined);
  }

  #finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#closing = true;
    if (this.#linger !== undefined) clearTimeout(this.#linger);
    this.#queue = undefined;
    this.#held = undefined;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    this.handler?.closed(error);
  }
}

function addressOf(addr: DenoAddr): string {
  return "path" in addr ? addr.path : formatAddress(addr.hostname, addr.port);
}

/**
 * Listens on TCP, TLS or a Unix socket with `Deno.listen` / `Deno.listenTls`, and calls
 * `onConnection` for every accepted connection.
 *
 * @example
 * ```ts
 * import { listen } from "rediserver/adapters/deno";
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
      removeStaleSocket(path);
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
  // Settles once the pending accept failed after close(): only then is the socket closed.
  const accepting = acceptLoop();

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
        if (path !== undefined) removeSocketFile(path);
        await accepting;
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
 * import { serve } from "rediserver/adapters/deno";
 *
 * const running = await serve({ port: 0 });
 * console.log(running.address);
 * await running.close();
 * ```
 */
export function serve(options: ServeOptions = {}): Promise<RunningServer> {
  return serveWith(listen, options);
}
