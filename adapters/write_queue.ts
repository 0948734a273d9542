/**
 * The output queue of an adapter whose runtime does not buffer writes itself (Deno's async
 * `conn.write`, Bun's `socket.write` that takes what the kernel takes): the chunks still to
 * write, in order, their byte count, and the high-water flag behind `Transport.write`'s
 * return value.
 *
 * @module
 */
import { HIGH_WATER_MARK } from "./common.ts";

/** Queued chunks smaller than this are coalesced into one write of at most this size. */
const COALESCE_SIZE = 64 * 1024;

/**
 * Chunks waiting to be written, oldest first. `push` reports false once more than
 * {@link HIGH_WATER_MARK} bytes are queued; the queue stays `full` until
 * {@link WriteQueue.takeFull} is asked, which the adapter does when the queue has emptied
 * (and then calls the handler's `drained()`).
 *
 * @example
 * ```ts
 * import { WriteQueue } from "./write_queue.ts";
 *
 * const queue = new WriteQueue();
 * queue.push(new Uint8Array([1, 2, 3]));
 * const chunk = queue.first();
 * queue.written(2); // the runtime took 2 bytes: [3] is left
 * console.log(queue.bytes, chunk.length); // 1 3
 * ```
 */
export class WriteQueue {
  readonly #chunks: Uint8Array[] = [];
  #bytes = 0;
  #full = false;

  /** Number of chunks queued. */
  get length(): number {
    return this.#chunks.length;
  }

  /** Bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True once more than {@link HIGH_WATER_MARK} bytes were queued, until `takeFull()`. */
  get full(): boolean {
    return this.#full;
  }

  /** Queues `bytes` (handed over: not copied); returns `Transport.write`'s result. */
  push(bytes: Uint8Array): boolean {
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    if (this.#bytes > HIGH_WATER_MARK) this.#full = true;
    return !this.#full;
  }

  /** The oldest chunk (the queue must not be empty). */
  first(): Uint8Array {
    return this.#chunks[0];
  }

  /**
   * The oldest chunk, after joining it with the small chunks behind it into one of at most
   * 64 KiB (one write instead of many); the queue must not be empty.
   */
  coalesceFirst(): Uint8Array {
    const chunks = this.#chunks;
    let count = 0;
    let size = 0;
    while (count < chunks.length && size + chunks[count].length <= COALESCE_SIZE) {
      size += chunks[count].length;
      count++;
    }
    if (count < 2) return chunks[0];
    const joined = new Uint8Array(size);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      joined.set(chunks[i], offset);
      offset += chunks[i].length;
    }
    chunks.splice(0, count, joined);
    return joined;
  }

  /** The runtime wrote `n` bytes of the oldest chunk. */
  written(n: number): void {
    const chunks = this.#chunks;
    const chunk = chunks[0];
    this.#bytes -= n;
    if (n < chunk.length) chunks[0] = chunk.subarray(n);
    else chunks.shift();
  }

  /** Whether the queue was full (the handler is owed `drained()`); clears the flag. */
  takeFull(): boolean {
    const full = this.#full;
    this.#full = false;
    return full;
  }
}
