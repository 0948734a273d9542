/**
 * Loading and reading a server's memory for the benchmarks: pipelined loading over one
 * connection, INFO's `used_memory`, and the preload that makes our servers' INFO memory
 * follow a full collection.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Runtime } from "./proc.ts";

/**
 * Sends RESP commands in pipelined batches over one connection; resolves with the sum of the
 * integer replies once every command has replied, rejects on an error reply. Replies may be
 * integers, statuses and bulk strings (a nil counts as one reply, an integer as its value).
 */
export function pipeline(
  port: number,
  total: number,
  command: (i: number) => string[],
  batch = 10_000,
): Promise<number> {
  const encode = (args: string[]) =>
    `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let sent = 0, replies = 0, sum = 0, tail = "";
    const sendBatch = () => {
      let chunk = "";
      const end = Math.min(total, sent + batch);
      for (; sent < end; sent++) chunk += encode(command(sent));
      socket.write(chunk);
    };
    socket.setEncoding("latin1");
    socket.on("connect", sendBatch);
    socket.on("error", reject);
    socket.on("data", (data: string) => {
      const text = tail + data;
      let at = 0;
      for (;;) {
        const nl = text.indexOf("\r\n", at);
        if (nl === -1) break;
        const first = text[at];
        if (first === "-") {
          socket.destroy();
          return reject(new Error(text.slice(at, nl)));
        }
        if (first === "$" && text[at + 1] !== "-") {
          // A bulk string: its header line, then its payload line.
          const next = text.indexOf("\r\n", nl + 2);
          if (next === -1) break;
          at = next + 2;
        } else {
          if (first === ":") sum += Number(text.slice(at + 1, nl));
          at = nl + 2;
        }
        replies++;
      }
      tail = text.slice(at);
      if (replies === total) {
        socket.end();
        resolve(sum);
      } else if (replies === sent) sendBatch();
    });
  });
}

/** `used_memory` from INFO memory (on our servers started with {@link preloadFlags}: after a full collection). */
export async function usedMemory(port: number): Promise<number> {
  const socket = createConnection({ port, host: "127.0.0.1" });
  const text = await new Promise<string>((resolve, reject) => {
    let data = "";
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write("INFO memory\r\n"));
    socket.on("data", (chunk: string) => {
      data += chunk;
      if (/used_memory_peak:/.test(data) && data.endsWith("\r\n")) resolve(data);
    });
    socket.on("error", reject);
  });
  socket.destroy();
  return Number(/used_memory:(\d+)/.exec(text)![1]);
}

/**
 * Preloaded by our servers: INFO memory's `process.memoryUsage()` follows a full collection
 * (Redis frees at once; a collector's pending garbage is not the data's memory), and on Bun
 * leaves `external` out of `heapUsed` (JSC's heap size already counts array buffers).
 */
const MEMORY_PRELOAD = `
const original = process.memoryUsage.bind(process);
process.memoryUsage = () => {
  if (globalThis.Bun === undefined) {
    globalThis.gc();
    return original();
  }
  globalThis.Bun.gc(true);
  const usage = original();
  return { ...usage, heapUsed: Math.max(0, usage.heapUsed - usage.external) };
};
`;

/** Runtime flags that preload {@link MEMORY_PRELOAD} (written to a temporary file). */
export function preloadFlags(runtime: Runtime): string[] {
  const file = join(tmpdir(), `rediserver-bench-memory-${process.pid}.mjs`);
  writeFileSync(file, MEMORY_PRELOAD);
  switch (runtime) {
    case "node":
      return ["--expose-gc", "--import", file];
    case "deno":
      return ["--v8-flags=--expose-gc", "--preload", file];
    case "bun":
      return ["--preload", file];
  }
}
