/**
 * An in-memory Transport for unit tests of the server core: it records every write, can
 * simulate a full socket buffer (write() → false, then drained()), and counts pause/resume.
 */
import { ReplyDecoder } from "../../src/resp/reply_decoder.ts";
import type { RespValue } from "../../src/resp/types.ts";
import type { Server } from "../../src/server/server.ts";
import type { Transport, TransportHandler } from "../../src/server/transport.ts";

const encoder = new TextEncoder();

/** Text of bytes, one char per byte (exact for comparisons of RESP output). */
export function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/** `args` as one RESP multibulk command (UTF-8 lengths). */
export function command(...args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${encoder.encode(a).length}\r\n${a}\r\n`;
  return out;
}

/** Sends `commands` in one chunk and returns the replies decoded since the last call. */
export async function ask(t: MemoryTransport, ...commands: string[][]): Promise<unknown[]> {
  t.send(commands.map((c) => command(...c)).join(""));
  await tick();
  return t.replies();
}

/** A transport connected to a server in memory. */
export class MemoryTransport implements Transport {
  readonly remoteAddress: string;
  readonly localAddress = "127.0.0.1:6379";
  /** Every write, in order. */
  readonly writes: Uint8Array[] = [];
  /** While true, write() returns false (the socket buffer is "full"). */
  full = false;
  /** Whether reading is paused (pause() was called without resume()). */
  paused = false;
  pauseCalls = 0;
  resumeCalls = 0;
  /** close() or destroy() was called. */
  closeCalled = false;
  destroyed = false;
  /** The adapter reported closed() to the core. */
  closedReported = false;
  handler!: TransportHandler;
  #decoder = new ReplyDecoder({ bulkAsString: true });
  #decoded = 0;
  #replies: RespValue[] = [];

  constructor(port = 50000) {
    this.remoteAddress = `127.0.0.1:${port}`;
  }

  write(bytes: Uint8Array): boolean {
    if (this.closedReported) throw new Error("write after closed");
    this.writes.push(bytes);
    return !this.full;
  }

  pause(): void {
    this.pauseCalls++;
    this.paused = true;
  }

  resume(): void {
    this.resumeCalls++;
    this.paused = false;
  }

  close(): void {
    if (this.closeCalled) return;
    this.closeCalled = true;
    // Like a real adapter: closed() comes later, once pending writes are out.
    queueMicrotask(() => this.reportClosed());
  }

  destroy(): void {
    this.destroyed = true;
    this.close();
  }

  /** Simulates the peer going away (or our close completing). */
  reportClosed(): void {
    if (this.closedReported) return;
    this.closedReported = true;
    this.handler.closed();
  }

  /** Delivers bytes from the "client". */
  send(data: string | Uint8Array): void {
    this.handler.receive(typeof data === "string" ? encoder.encode(data) : data);
  }

  /** Makes write() succeed again and tells the core. */
  drain(): void {
    this.full = false;
    this.handler.drained();
  }

  /** All output so far as a latin1 string. */
  get output(): string {
    return this.writes.map(latin1).join("");
  }

  /** Total bytes written. */
  get bytesWritten(): number {
    let n = 0;
    for (const w of this.writes) n += w.length;
    return n;
  }

  /** Decodes the replies written since the last call. */
  replies(): RespValue[] {
    for (; this.#decoded < this.writes.length; this.#decoded++) {
      this.#decoder.feed(this.writes[this.#decoded].slice());
    }
    for (let v = this.#decoder.next(); v !== undefined; v = this.#decoder.next()) {
      this.#replies.push(v);
    }
    return this.#replies.splice(0);
  }
}

/** Accepts a new in-memory connection on `server`. */
export function connect(server: Server, port?: number): MemoryTransport {
  const transport = new MemoryTransport(port);
  transport.handler = server.accept(transport);
  return transport;
}

/** Lets queued microtasks and promise callbacks run. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
