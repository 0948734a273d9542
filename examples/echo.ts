/**
 * An echo server in rediserver's API: one callback answers every command that
 * is not built in by echoing the command and its arguments back (PING, HELLO, INFO, ... are
 * still answered by the built-ins, so stock clients can connect).
 *
 *   node --import tsx examples/echo.ts --port 6380
 *   npx deno run -A examples/echo.ts --port 6380
 *   npx bun examples/echo.ts --port 6380
 *
 *   redis-cli -p 6380 hello-world a b   →  1) "hello-world" 2) "a" 3) "b"
 *
 * @module
 */
import process from "node:process";
import { serve } from "../adapters/serve.ts";
import { Server } from "../src/server/mod.ts";

function option(name: string): string | undefined {
  const args = process.argv;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(name + "=")) return args[i].slice(name.length + 1);
  }
  return undefined;
}

const server = new Server({
  // One callback, (command, reply, connection), for every command that is not built in.
  handler: (command, reply) => {
    reply.encode(command.argv);
  },
});

const running = await serve({
  server,
  hostname: option("--host") ?? "127.0.0.1",
  port: Number(option("--port") ?? 6380),
});
const address = running.address;
const versions = process.versions as Record<string, string | undefined>;
const runtime = versions.deno !== undefined
  ? `Deno ${versions.deno}`
  : versions.bun !== undefined
  ? `Bun ${versions.bun}`
  : `Node ${versions.node}`;
console.log(
  address.transport === "tcp"
    ? `echo server (${runtime}) listening on ${address.hostname}:${address.port}`
    : `echo server (${runtime}) listening on ${address.path}`,
);

const stop = () => {
  server.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
