/**
 * Pieces of a connection's output queue: the slot an async handler's reply waits in, the
 * shared sink muted replies go to, and how the ready prefix of the queue becomes one write.
 *
 * @module
 */

import { stringToBytes } from "../resp/bytes.ts";
import { Writer } from "../resp/writer.ts";
import type { Reply } from "./reply.ts";

/**
 * A reply slot reserved by an async handler, in request order.
 *
 * @example
 * ```ts
 * import type { Slot } from "./output.ts";
 *
 * const waiting = (slot: Slot) => !slot.done;
 * ```
 */
export interface Slot {
  /** The handler's reply, writing into a writer of its own. */
  reply: Reply;
  /** The handler has answered (or the core answered for it). */
  done: boolean;
  /** Set instead of the reply's bytes when the slot was answered by the core (timeout). */
  data: Uint8Array | null;
  /** The command timeout's timer, while it runs. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Where muted replies (CLIENT REPLY OFF/SKIP) go; reset after each command. */
export const SINK: Writer = new Writer(64);
/** What a slot answers when its handler ran past `commandTimeout`. */
export const TIMED_OUT: Uint8Array = stringToBytes("-ERR command timed out\r\n");
/** Initial size of an async handler's own writer. */
export const ASYNC_WRITER_SIZE = 256;

function concat(pieces: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/**
 * Takes everything ready from the head of an output queue (byte arrays and finished slots,
 * up to the first unfinished slot), then the writer's bytes when the queue is empty: one
 * array to write, or undefined. `freed` receives the queued byte arrays' total length.
 *
 * @example
 * ```ts
 * import { Writer } from "../resp/writer.ts";
 * import { takeReady } from "./output.ts";
 *
 * const writer = new Writer();
 * writer.simple("OK");
 * takeReady([new Uint8Array([43, 49, 13, 10])], writer, { freed: 0 })?.length; // 9
 * ```
 */
export function takeReady(
  queue: Array<Uint8Array | Slot>,
  writer: Writer,
  count: { freed: number },
): Uint8Array | undefined {
  const pieces: Uint8Array[] = [];
  let size = 0;
  while (queue.length > 0) {
    const head = queue[0];
    let bytes: Uint8Array;
    if (head instanceof Uint8Array) {
      bytes = head;
      count.freed += bytes.length;
    } else if (head.done) {
      bytes = head.data ?? head.reply.writer.take();
    } else break;
    queue.shift();
    if (bytes.length > 0) {
      pieces.push(bytes);
      size += bytes.length;
    }
  }
  if (queue.length === 0 && writer.length > 0) {
    const bytes = writer.take();
    pieces.push(bytes);
    size += bytes.length;
  }
  if (pieces.length === 0) return undefined;
  return pieces.length === 1 ? pieces[0] : concat(pieces, size);
}

/**
 * `-message\r\n` with the message as a byte string (chars 0-255 are bytes), each CR or LF
 * byte turned into a space as Redis does: errors that quote the client's bytes send them
 * back as sent, not re-encoded as UTF-8.
 *
 * @example
 * ```ts
 * import { errorBytes } from "./output.ts";
 *
 * errorBytes("ERR bad\n").length; // 11: "-ERR bad \r\n"
 * ```
 */
export function errorBytes(message: string): Uint8Array {
  const bytes = new Uint8Array(message.length + 3);
  bytes[0] = 45; // "-"
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i) & 0xff;
    bytes[i + 1] = c === 13 || c === 10 ? 32 : c;
  }
  bytes[message.length + 1] = 13;
  bytes[message.length + 2] = 10;
  return bytes;
}
