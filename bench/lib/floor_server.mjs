/**
 * The floor for the memory benchmark: the least a server on this runtime can hold per idle
 * connection. It accepts connections on 127.0.0.1, keeps one pending read per connection (a
 * 128-byte buffer on Deno, as our adapter starts with) and answers `+PONG` to every chunk, with
 * nothing else: no protocol, no state. Plain JavaScript so that Node runs it without a loader.
 *
 * ```sh
 * node bench/lib/floor_server.mjs --port 7000
 * deno run -A bench/lib/floor_server.mjs --port 7000
 * bun bench/lib/floor_server.mjs --port 7000
 * ```
 */
const at = globalThis.Deno
  ? Deno.args.indexOf("--port")
  : globalThis.process.argv.indexOf("--port");
const args = globalThis.Deno ? Deno.args : globalThis.process.argv;
const port = Number(args[at + 1]);
const PONG = new TextEncoder().encode("+PONG\r\n");

if (globalThis.Deno) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const serve = (conn) => {
    const buffer = new Uint8Array(128);
    const onRead = (n) => {
      if (n === null) return conn.close();
      conn.write(PONG).catch(() => {});
      conn.read(buffer).then(onRead, () => conn.close());
    };
    conn.read(buffer).then(onRead, () => conn.close());
  };
  for await (const conn of listener) serve(conn);
} else if (globalThis.Bun) {
  Bun.listen({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(socket) {
        socket.write(PONG);
      },
    },
  });
} else {
  const { createServer } = await import("node:net");
  const onData = function () {
    this.write(PONG);
  };
  createServer((socket) => {
    socket.on("data", onData);
    socket.on("error", () => {});
  }).listen(port, "127.0.0.1");
}
