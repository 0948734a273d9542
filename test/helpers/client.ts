/**
 * A small raw RESP client over `node:net` for black-box tests: it sends exact bytes and reads
 * decoded replies, so that tests see what a real client would see. Runs on Node, Deno and Bun.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ReplyDecoder } from "../../src/resp/reply_decoder.ts";
import { encodeCommand } from "../../src/resp/writer.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** Where to connect: a TCP port (on 127.0.0.1 unless `host` is given) or a Unix socket. */
export interface ClientTarget {
  port?: number;
  host?: string;
  path?: string;
  tls?: { ca?: string; rejectUnauthorized?: boolean };
}

/** A connected raw client. */
export class RawClient {
  readonly socket: Socket;
  #decoder: ReplyDecoder;
  #replies: RespValue[] = [];
  #waiters: Array<() => void> = [];
  #closed = false;
  #bytes: Uint8Array[] = [];
  /** Every byte received so far, for byte-for-byte comparisons. */
  received: Uint8Array = new Uint8Array(0);
  error: Error | undefined;

  constructor(socket: Socket, options: { bulkAsString?: boolean } = {}) {
    this.socket = socket;
    this.#decoder = new ReplyDecoder({ bulkAsString: options.bulkAsString ?? true });
    socket.on("data", (data: Uint8Array) => {
      const chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      this.#bytes.push(chunk);
      this.#decoder.feed(chunk);
      try {
        for (let v = this.#decoder.next(); v !== undefined; v = this.#decoder.next()) {
          this.#replies.push(v);
        }
      } catch (error) {
        this.error = error as Error;
      }
      this.#wake();
    });
    socket.on("error", (error) => {
      this.error = error;
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #wait(timeoutMs: number, what: string, done: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else if (this.#closed) {
          clearTimeout(timer);
          reject(new Error(`Connection closed while waiting for ${what}`));
        } else this.#waiters.push(check);
      };
      check();
    });
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends raw bytes or a string as is. */
  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Sends a command as a multibulk request. */
  send(...args: Array<string | Uint8Array | number>): void {
    this.socket.write(encodeCommand(args));
  }

  /** Reads the next `count` replies. */
  async read(count = 1, timeoutMs = 5000): Promise<RespValue[]> {
    await this.#wait(timeoutMs, `${count} replies`, () => this.#replies.length >= count);
    return this.#replies.splice(0, count);
  }

  /** Reads one reply. */
  async readOne(timeoutMs = 5000): Promise<RespValue> {
    return (await this.read(1, timeoutMs))[0];
  }

  /** Sends one command and returns its reply. */
  async call(...args: Array<string | Uint8Array | number>): Promise<RespValue> {
    this.send(...args);
    return await this.readOne();
  }

  /** Replies received but not read yet. */
  get pending(): number {
    return this.#replies.length;
  }

  /** All bytes received so far, concatenated. */
  allBytes(): Uint8Array {
    let size = 0;
    for (const b of this.#bytes) size += b.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const b of this.#bytes) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }

  /** Waits until at least `size` bytes have arrived; returns them all. */
  async readBytes(size: number, timeoutMs = 5000): Promise<Uint8Array> {
    await this.#wait(timeoutMs, `${size} bytes`, () => {
      let n = 0;
      for (const b of this.#bytes) n += b.length;
      return n >= size;
    });
    return this.allBytes();
  }

  /** Waits for the server to close the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for close`)),
        timeoutMs,
      );
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Closes from the client side. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 1000).unref?.();
    });
  }

  /** Drops the connection at once (RST-like). */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens a raw client to `target`. */
export function connectClient(
  target: ClientTarget,
  options: { bulkAsString?: boolean } = {},
): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    let socket: Socket;
    const onError = (error: Error) => reject(error);
    const onConnect = () => {
      socket.off("error", onError);
      resolve(new RawClient(socket, options));
    };
    if (target.tls) {
      socket = tlsConnect({
        host: target.host ?? "127.0.0.1",
        port: target.port,
        ca: target.tls.ca,
        rejectUnauthorized: target.tls.rejectUnauthorized ?? true,
        servername: "localhost",
      }, onConnect);
    } else if (target.path) {
      socket = netConnect({ path: target.path }, onConnect);
    } else {
      socket = netConnect({ host: target.host ?? "127.0.0.1", port: target.port! }, onConnect);
    }
    socket.once("error", onError);
  });
}
