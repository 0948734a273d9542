/**
 * The transport interface: the only way the runtime-agnostic core talks to sockets. The
 * adapters in `adapters/` (Deno, Bun, Node) implement it; the core never touches a runtime API.
 *
 * Data flow: the adapter calls {@link TransportHandler.receive} with each chunk it reads, the
 * core answers with {@link Transport.write}; when `write` returns false the core stops
 * producing output (and usually calls {@link Transport.pause}) until the adapter calls
 * {@link TransportHandler.drained}.
 *
 * @module
 */

/**
 * One connected socket as the core sees it. Implemented by the adapters.
 *
 * @example
 * ```ts
 * import type { Transport } from "./transport.ts";
 *
 * function reply(transport: Transport, bytes: Uint8Array): void {
 *   if (!transport.write(bytes)) transport.pause(); // wait for drained()
 * }
 * ```
 */
export interface Transport {
  /**
   * Writes bytes (owned by the transport from now on: the caller must not mutate them).
   * Returns false once the transport's own buffer is above its high-water mark; the adapter
   * calls {@link TransportHandler.drained} later, when the buffer has emptied.
   */
  write(bytes: Uint8Array): boolean;
  /** Stops delivering {@link TransportHandler.receive} calls until {@link Transport.resume}. */
  pause(): void;
  /** Restarts delivering {@link TransportHandler.receive} calls after {@link Transport.pause}. */
  resume(): void;
  /** Ends the connection after pending writes flush; the adapter then calls `closed()`. */
  close(): void;
  /** Aborts the connection at once, dropping pending writes; the adapter calls `closed()`. */
  destroy?(): void;
  /** The peer: "127.0.0.1:53422", "[::1]:53422", a Unix socket path, or "". */
  readonly remoteAddress: string;
  /** The local end, in the same format as {@link Transport.remoteAddress}. */
  readonly localAddress: string;
}

/**
 * The core's side of one socket, returned by `Server.accept` for each connection.
 *
 * @example
 * ```ts
 * import type { Transport, TransportHandler } from "./transport.ts";
 *
 * function echo(transport: Transport): TransportHandler {
 *   return {
 *     receive: (chunk) => void transport.write(chunk),
 *     drained: () => {},
 *     closed: () => {},
 *   };
 * }
 * ```
 */
export interface TransportHandler {
  /** Bytes read from the socket. The chunk is handed over: the adapter never reuses it. */
  receive(chunk: Uint8Array): void;
  /** The transport's output buffer, which was above its high-water mark, has emptied. */
  drained(): void;
  /** The connection is gone (peer close, error, or our close): called exactly once. */
  closed(error?: unknown): void;
}

/**
 * TLS material, all PEM-encoded.
 *
 * @example
 * ```ts
 * import type { TlsOptions } from "./transport.ts";
 *
 * const tls: TlsOptions = { cert: "-----BEGIN CERTIFICATE-----...", key: "-----BEGIN..." };
 * ```
 */
export interface TlsOptions {
  /** The certificate chain, PEM. */
  cert: string;
  /** The private key, PEM. */
  key: string;
  /** Extra certificate authorities, PEM. */
  ca?: string;
}

/**
 * Where and how to listen.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "./transport.ts";
 *
 * const tcp: ListenOptions = { hostname: "127.0.0.1", port: 0 };
 * const unix: ListenOptions = { path: "/tmp/rediserver.sock" };
 * ```
 */
export interface ListenOptions {
  /** The interface to bind, default "127.0.0.1". */
  hostname?: string;
  /** The TCP port, default 6379; 0 picks any free port (see {@link Listener.address}). */
  port?: number;
  /** A Unix socket path; when given, `hostname` and `port` are ignored. */
  path?: string;
  /** Serve TLS with this certificate and key. */
  tls?: TlsOptions;
}

/**
 * The address a listener is bound to (with the real port when port 0 was asked for).
 *
 * @example
 * ```ts
 * import type { ListenAddress } from "./transport.ts";
 *
 * function describe(address: ListenAddress): string {
 *   return address.transport === "unix" ? address.path : `${address.hostname}:${address.port}`;
 * }
 * ```
 */
export type ListenAddress =
  | { transport: "tcp"; hostname: string; port: number }
  | { transport: "unix"; path: string };

/**
 * A listening socket, as returned by a {@link ListenFunction}.
 *
 * @example
 * ```ts
 * import type { Listener } from "./transport.ts";
 *
 * async function stop(listener: Listener): Promise<void> {
 *   await listener.close(); // no new connections; existing ones stay open
 * }
 * ```
 */
export interface Listener {
  /** The bound address. */
  readonly address: ListenAddress;
  /** Stops accepting new connections (open connections are left alone) and resolves. */
  close(): Promise<void>;
}

/**
 * Starts listening and calls `onConnection` for every accepted socket. Each adapter exports
 * one (`adapters/node.ts`, `adapters/deno.ts`, `adapters/bun.ts`).
 *
 * @example
 * ```ts
 * import type { ListenFunction, Listener } from "./transport.ts";
 *
 * async function echoServer(listen: ListenFunction): Promise<Listener> {
 *   return await listen({ port: 0 }, (transport) => ({
 *     receive: (chunk) => void transport.write(chunk),
 *     drained: () => {},
 *     closed: () => {},
 *   }));
 * }
 * ```
 */
export type ListenFunction = (
  options: ListenOptions,
  onConnection: (transport: Transport) => TransportHandler,
) => Promise<Listener>;
