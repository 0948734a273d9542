/**
 * The speed floor of a runtime for `bench/ab.ts --floor`: the least a server written on that
 * runtime's socket API can do per request. It frames RESP requests (multibulk and inline, split
 * across reads) and answers `+PONG` to each, in one write per read, with nothing else: no
 * argument objects, no dispatch, no keyspace. redis-benchmark only counts replies, so every
 * test runs against it; what our key-value server costs above this floor is ours to remove, and
 * what the floor costs above redis-server is the runtime's.
 *
 * ```sh
 * node bench/lib/floor_resp_server.mjs --port 7000
 * deno run -A bench/lib/floor_resp_server.mjs --port 7000
 * bun bench/lib/floor_resp_server.mjs --port 7000
 * ```
 */
const args = globalThis.Deno ? Deno.args : globalThis.process.argv;
const port = Number(args[args.indexOf("--port") + 1]);

const PONG = new TextEncoder().encode("+PONG\r\n");
const REPLIES = 4096;
const replies = new Uint8Array(PONG.length * REPLIES);
for (let i = 0; i < REPLIES; i++) replies.set(PONG, i * PONG.length);

const CR = 13;
const LF = 10;

/** Reads a decimal number ending in CRLF at `at`; returns [value, next] or undefined. */
function number(buf, at, end) {
  let value = 0;
  for (let i = at; i < end; i++) {
    const c = buf[i];
    if (c === CR) return i + 1 < end ? [value, i + 2] : undefined;
    value = value * 10 + (c - 48);
  }
  return undefined;
}

/**
 * One connection's framing state: `count(chunk)` returns how many whole requests the bytes
 * seen so far complete, keeping an incomplete tail for the next read.
 */
function framer() {
  let tail = null;
  return (chunk) => {
    let buf = chunk;
    if (tail !== null) {
      buf = new Uint8Array(tail.length + chunk.length);
      buf.set(tail);
      buf.set(chunk, tail.length);
      tail = null;
    }
    const end = buf.length;
    let at = 0;
    let requests = 0;
    outer: while (at < end) {
      const start = at;
      if (buf[at] === 42 /* '*' */) {
        const header = number(buf, at + 1, end);
        if (header === undefined) {
          tail = buf.slice(start);
          break;
        }
        at = header[1];
        for (let i = 0; i < header[0]; i++) {
          const bulk = at < end ? number(buf, at + 1, end) : undefined;
          if (bulk === undefined || bulk[1] + bulk[0] + 2 > end) {
            tail = buf.slice(start);
            break outer;
          }
          at = bulk[1] + bulk[0] + 2;
        }
      } else {
        const lf = buf.indexOf(LF, at);
        if (lf === -1) {
          tail = buf.slice(start);
          break;
        }
        at = lf + 1;
      }
      requests++;
    }
    return requests;
  };
}

/** The reply bytes for `requests` requests (one buffer, shared: every reply is the same). */
function repliesFor(requests) {
  if (requests <= REPLIES) return replies.subarray(0, requests * PONG.length);
  const out = new Uint8Array(requests * PONG.length);
  for (let i = 0; i < requests; i++) out.set(PONG, i * PONG.length);
  return out;
}

if (globalThis.Deno) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const serve = async (conn) => {
    const count = framer();
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        const out = repliesFor(count(buffer.subarray(0, n)));
        for (let off = 0; off < out.length;) off += await conn.write(out.subarray(off));
      }
    } catch { /* peer gone */ }
    try {
      conn.close();
    } catch { /* closed */ }
  };
  for await (const conn of listener) serve(conn);
} else if (globalThis.Bun) {
  Bun.listen({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(socket) {
        socket.data = { count: framer(), pending: null };
      },
      data(socket, chunk) {
        const state = socket.data;
        let out = repliesFor(state.count(chunk));
        if (state.pending !== null) {
          const both = new Uint8Array(state.pending.length + out.length);
          both.set(state.pending);
          both.set(out, state.pending.length);
          out = both;
          state.pending = null;
        }
        const written = socket.write(out);
        if (written < out.length) state.pending = out.slice(Math.max(written, 0));
      },
      drain(socket) {
        const state = socket.data;
        if (state.pending === null) return;
        const out = state.pending;
        state.pending = null;
        const written = socket.write(out);
        if (written < out.length) state.pending = out.slice(Math.max(written, 0));
      },
    },
  });
} else {
  const { createServer } = await import("node:net");
  createServer((socket) => {
    const count = framer();
    socket.on("data", (chunk) => socket.write(repliesFor(count(chunk))));
    socket.on("error", () => {});
  }).listen(port, "127.0.0.1");
}
