/**
 * What the runtime adapters share: the {@link ServeOptions} / {@link RunningServer} types,
 * the `serve()` body common to every runtime, and small helpers. The only runtime API used here
 * is `node:process` (Node, Deno and Bun all have it), loaded by `serve()` for the server's
 * `memoryUsage` / `cpuUsage` hooks.
 *
 * @module
 */
import type { Server, ServerOptions } from "../src/server/server.ts";
import type {
  ListenAddress,
  Listener,
  ListenFunction,
  ListenOptions,
} from "../src/server/transport.ts";

/**
 * Options of `serve()`: the server's options and where to listen. Pass `server` to serve an
 * existing {@link Server} (its options are then ignored) on one more address.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "./common.ts";
 *
 * const options: ServeOptions = { port: 6380, password: "secret" };
 * ```
 */
export interface ServeOptions extends ServerOptions, ListenOptions {
  /** Serve this server instead of creating one from the options. */
  server?: Server;
}

/**
 * A server that is listening, as returned by `serve()`.
 *
 * @example
 * ```ts
 * import type { RunningServer } from "./common.ts";
 *
 * async function stop(running: RunningServer): Promise<void> {
 *   await running.close();
 * }
 * ```
 */
export interface RunningServer {
  /** The server (created by `serve()` unless one was given). */
  readonly server: Server;
  /** The bound address (with the real port when port 0 was asked for). */
  readonly address: ListenAddress;
  /**
   * Closes the server gracefully when `serve()` created it; when a `server` was given, stops
   * only this listener (removed from `server.listeners`; open connections stay) and leaves
   * the server (and its other listeners) running: `serve({ server })` can listen again.
   */
  close(): Promise<void>;
}

/**
 * The output bytes an adapter holds per connection above which `Transport.write` returns
 * false (the core then waits for `drained()`). 64 KiB: large enough that pipelined small
 * replies never hit it, small enough that a slow reader pins little memory in the adapter.
 *
 * @example
 * ```ts
 * import { HIGH_WATER_MARK } from "./common.ts";
 *
 * console.log(HIGH_WATER_MARK); // 65536
 * ```
 */
export const HIGH_WATER_MARK: number = 64 * 1024;

/**
 * How long (ms) a connection that we ended gracefully waits for the peer to close its side
 * before it is destroyed, so that a peer that never closes cannot keep it open forever.
 *
 * @example
 * ```ts
 * import { LINGER_TIMEOUT } from "./common.ts";
 *
 * console.log(LINGER_TIMEOUT); // 2000
 * ```
 */
export const LINGER_TIMEOUT: number = 2000;

/**
 * Formats a TCP address as "ip:port", with IPv6 addresses in brackets ("[::1]:6379").
 *
 * @example
 * ```ts
 * import { formatAddress } from "./common.ts";
 *
 * formatAddress("::1", 6379); // "[::1]:6379"
 * formatAddress("127.0.0.1", 6379); // "127.0.0.1:6379"
 * ```
 */
export function formatAddress(hostname: string | undefined, port: number | undefined): string {
  if (!hostname) return "";
  // join() makes one flat string (a template literal would keep a rope of three strings per
  // connection).
  return (hostname.includes(":") ? ["[", hostname, "]:", port ?? 0] : [hostname, ":", port ?? 0])
    .join("");
}

/**
 * The body of every adapter's `serve()`: creates a {@link Server} unless one is given,
 * fills the server's `memoryUsage` / `cpuUsage` hooks from `node:process` where the
 * application gave none (INFO memory and cpu), listens with `listen`, registers the listener
 * with the server, and returns the {@link RunningServer}.
 *
 * @example
 * ```ts
 * import { serveWith } from "./common.ts";
 * import { listen } from "./node.ts";
 *
 * const running = await serveWith(listen, { port: 0 });
 * await running.close();
 * ```
 */
export async function serveWith(
  listen: ListenFunction,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const own = options.server === undefined;
  // Loaded on first use, so that `listen` alone does not pull in the whole core.
  const server = options.server ?? new (await import("../src/server/server.ts")).Server(options);
  const listenOptions: ListenOptions = {
    hostname: options.hostname,
    port: options.port,
    path: options.path,
    tls: options.tls,
  };
  await useRuntimeUsage(server);
  let listener: Listener;
  try {
    listener = await listen(listenOptions, (transport) => server.accept(transport));
  } catch (error) {
    if (own) await server.close();
    throw error;
  }
  server.addListener(listener);
  return {
    server,
    address: listener.address,
    close: own ? () => server.close() : () => {
      server.removeListener(listener);
      return listener.close();
    },
  };
}

/**
 * Gives `server` the runtime's `process.memoryUsage()` / `process.cpuUsage()` for the hooks
 * the application did not set, then takes the first memory reading (INFO
 * `used_memory_startup`). Without `node:process` the hooks stay unset (figures read 0).
 *
 * The server counts `heapUsed` plus `external` (memory outside the heap: ArrayBuffers). On
 * Bun `heapUsed` is JavaScriptCore's heap size, which already includes `external`, so the
 * hook hands the server Bun's `heapUsed` without it: array buffers are counted once.
 */
async function useRuntimeUsage(server: Server): Promise<void> {
  const options = server.options;
  if (options.memoryUsage === undefined || options.cpuUsage === undefined) {
    try {
      const process = (await import("node:process")).default;
      const onBun = (process.versions as Record<string, string | undefined>).bun !== undefined;
      server.setRuntimeStats({
        memoryUsage: onBun
          ? () => {
            const m = process.memoryUsage();
            return { ...m, heapUsed: Math.max(0, m.heapUsed - m.external) };
          }
          : () => process.memoryUsage(),
        cpuUsage: () => process.cpuUsage(),
      });
    } catch { /* no node:process in this runtime */ }
  }
  server.memoryReading();
}
