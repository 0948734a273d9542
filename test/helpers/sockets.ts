/**
 * Socket clients for the adapter tests, and the clean-up list they register with: a test body
 * wrapped in `bounded()` has a time bound, and every server, client and temporary folder it
 * made is closed or removed afterwards, even when it fails. Runs on Node, Deno and Bun.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ListenAddress } from "../../src/server/transport.ts";
import { within } from "./timing.ts";

/** What the running test made, undone in reverse order by `bounded()`. */
export const cleanups: Array<() => unknown> = [];

/** Runs every clean-up (best effort), newest first. */
export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch {
      // best effort
    }
  }
}

/** A test body with an overall time bound, followed by `cleanup()`. */
export function bounded(ms: number, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await within(body(), ms, "the test");
    } finally {
      await cleanup();
    }
  };
}

/** A path `name` in a fresh temporary folder (removed by `cleanup()`). */
export function tempPath(name: string, prefix = "rediserver-test-"): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { path: join(dir, name), dir };
}

/** Connects a plain TCP / Unix / TLS (trusting `ca`) client; destroyed by `cleanup()`. */
export async function connectClient(address: ListenAddress, ca?: string): Promise<Socket> {
  const socket = address.transport === "unix"
    ? netConnect({ path: address.path })
    : ca !== undefined
    ? tlsConnect({ host: address.hostname, port: address.port, ca, servername: "localhost" })
    : netConnect({ host: address.hostname, port: address.port });
  socket.on("error", () => {});
  cleanups.push(() => socket.destroy());
  await within(
    new Promise<void>((resolve, reject) => {
      socket.once(ca !== undefined ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    }),
    5000,
    "client connect",
  );
  return socket;
}
