/**
 * The byte buffer shared by the decoders: zero-copy for whole chunks, a reused growable buffer
 * for tails, and a chunk list for large payloads so that they are never rescanned or copied
 * twice.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);
const NO_BUFFER = new ArrayBuffer(0);
/** Payloads at least this long that are incomplete are collected chunk by chunk. */
export const BIG_PAYLOAD: number = 32 * 1024;
const MIN_OWN = 4096;
const KEEP_OWN = 1024 * 1024;

/** Size of a slab (see {@link InputBuffer.carve}). */
export const SLAB_SIZE: number = 16 * 1024;
/** Longest payload that starts a new slab copy; longer ones not already copied get a buffer
 * of their own (or a view of the chunk they sit in, see {@link LARGE_VIEW}). */
const SLAB_MAX = 4 * 1024;
/** Bytes copied to the slab at once: enough to hold many small commands, little waste when a
 * large payload (copied on its own) follows. */
const COPY_WINDOW = 4 * 1024;
/** Payloads at least this long that fill at least half of a fed chunk's memory are returned
 * as views of that chunk (it is handed over and never written again): no copy, and the view
 * pins at most twice its own size. */
export const LARGE_VIEW: number = 16 * 1024;

/**
 * The slab shared by all decoders (like Node's Buffer pool): append-only, so bytes handed out
 * as views are never written again; a new slab is started when it is full.
 */
let slabBuffer: ArrayBuffer = NO_BUFFER;
let slab: Uint8Array = EMPTY;
let slabUsed = 0;

/**
 * Buffered input: `buf[pos:end]` holds the unconsumed bytes. Subclasses parse from it.
 * @internal
 */
export class InputBuffer {
  /** Current bytes: a fed chunk (not ours to write) or `own`. */
  protected buf: Uint8Array = EMPTY;
  /** Parse position in `buf`. */
  protected pos = 0;
  /** End of valid bytes in `buf`. */
  protected end = 0;
  /** Bytes after `pos` already searched for the current line's terminator. */
  protected scan = 0;
  /** Our growable buffer for tails. */
  #own: Uint8Array = EMPTY;
  /** Total bytes (payload + CRLF) of a large payload being collected, or -1. */
  protected collectTotal = -1;
  /** Payload length of the collected payload. */
  protected collectLength = 0;
  /** Bytes collected so far. */
  protected collected = 0;
  #parts: Uint8Array[] = [];
  /** A large payload completed by `feed`, for the parser to pick up. */
  protected payload: Uint8Array | undefined = undefined;
  /** The buffer whose bytes `[copyFrom, copyTo)` were copied to the slab (EMPTY: none). */
  protected copySource: Uint8Array = EMPTY;
  protected copyFrom = 0;
  protected copyTo = 0;
  /** The slab's memory, and the offset of a source byte in it minus its offset in source. */
  protected copyBuffer: ArrayBuffer = NO_BUFFER;
  protected copyDelta = 0;
  /** Bytes to copy to the slab at once (COPY_WINDOW to SLAB_SIZE). */
  #window = COPY_WINDOW;

  /** Adds bytes. `chunk` is handed over: the decoder may keep it and return views of it
   * (large payloads), so do not write to it afterwards. */
  feed(chunk: Uint8Array): void {
    let length = chunk.length;
    if (length === 0) return;
    // `own` may be rewritten below: forget what was copied from it.
    this.copySource = EMPTY;
    if (this.collectTotal >= 0) {
      const need = this.collectTotal - this.collected;
      if (length < need) {
        this.#parts.push(chunk);
        this.collected += length;
        return;
      }
      this.#parts.push(need === length ? chunk : chunk.subarray(0, need));
      this.#finishCollect();
      if (need === length) return;
      chunk = chunk.subarray(need);
      length = chunk.length;
    }
    const pos = this.pos;
    const end = this.end;
    if (pos >= end) {
      this.buf = chunk;
      this.pos = 0;
      this.end = length;
      return;
    }
    const tail = end - pos;
    let own = this.#own;
    if (this.buf === own) {
      if (own.length - end >= length) {
        if (length <= 16) { for (let i = 0; i < length; i++) own[end + i] = chunk[i]; }
        else own.set(chunk, end);
        this.end = end + length;
        return;
      }
      if (tail + length <= own.length >> 1) {
        own.copyWithin(0, pos, end);
        own.set(chunk, tail);
        this.pos = 0;
        this.end = tail + length;
        return;
      }
    } else if (own.length >= tail + length) {
      const buf = this.buf;
      if (tail + length <= 64) {
        for (let i = 0; i < tail; i++) own[i] = buf[pos + i];
        for (let i = 0; i < length; i++) own[tail + i] = chunk[i];
      } else {
        own.set(buf.subarray(pos, end));
        own.set(chunk, tail);
      }
      this.buf = own;
      this.pos = 0;
      this.end = tail + length;
      return;
    }
    let size = own.length < MIN_OWN ? MIN_OWN : own.length;
    while (size < 2 * (tail + length)) size *= 2;
    own = new Uint8Array(size);
    own.set(this.buf.subarray(pos, end));
    own.set(chunk, tail);
    this.#own = own;
    this.buf = own;
    this.pos = 0;
    this.end = tail + length;
  }

  /** Marks everything consumed up to `pos`; drops references that are no longer needed. */
  protected release(): void {
    if (this.pos >= this.end) {
      if (this.#own.length > KEEP_OWN) this.#own = EMPTY;
      this.buf = EMPTY;
      this.pos = 0;
      this.end = 0;
      this.copySource = EMPTY;
      this.copyBuffer = NO_BUFFER;
    }
  }

  /**
   * `buf[pos:pos+length]` as an array the caller owns, cheaply: a view of the shared slab (the
   * bytes from `pos` to the end of the buffered input, as many as fit, are copied there at
   * once, so that the next payloads are views of the same copy), a view of a large payload's
   * fed chunk (see {@link LARGE_VIEW}), or a copy of its own. Never a view of `own` or of a
   * chunk it would pin more than twice over. Callers first try the view of the current copy
   * inline: `buf === copySource && pos >= copyFrom && pos + length <= copyTo`.
   */
  protected carve(pos: number, length: number): Uint8Array {
    const buf = this.buf;
    const to = pos + length;
    if (buf === this.copySource && pos >= this.copyFrom && to <= this.copyTo) {
      return new Uint8Array(this.copyBuffer, pos + this.copyDelta, length);
    }
    if (length > SLAB_MAX) {
      this.#window = COPY_WINDOW;
      if (length >= LARGE_VIEW && buf !== this.#own && 2 * length >= buf.buffer.byteLength) {
        return buf.subarray(pos, to);
      }
      return buf.slice(pos, to);
    }
    let target = slab;
    let at = slabUsed;
    if (target.length - at < length) {
      slabBuffer = new ArrayBuffer(SLAB_SIZE);
      slab = target = new Uint8Array(slabBuffer);
      at = 0;
    }
    const room = target.length - at;
    // The window doubles while the input goes on through copied bytes (small payloads only).
    let window = this.#window;
    if (buf === this.copySource && pos <= this.copyTo + 64 && window < SLAB_SIZE) {
      this.#window = window *= 2;
    }
    let count = this.end - pos;
    if (count > window) count = length > window ? length : window;
    if (count > room) count = room;
    if (count <= 64) {
      for (let i = 0; i < count; i++) target[at + i] = buf[pos + i];
    } else {
      target.set(pos === 0 && count === buf.length ? buf : buf.subarray(pos, pos + count), at);
    }
    slabUsed = at + count;
    const delta = at - pos;
    this.copySource = buf;
    this.copyFrom = pos;
    this.copyTo = pos + count;
    this.copyBuffer = slabBuffer;
    this.copyDelta = delta;
    return new Uint8Array(slabBuffer, at, length);
  }

  /**
   * Starts collecting a payload of `length` bytes (plus CRLF) at `pos` that is not complete
   * yet: the bytes held move to the chunk list and later chunks are appended to it.
   */
  protected startCollect(length: number): void {
    const pos = this.pos;
    const end = this.end;
    this.collectTotal = length + 2;
    this.collectLength = length;
    this.collected = end - pos;
    if (end > pos) {
      this.#parts.push(
        this.buf === this.#own ? this.buf.slice(pos, end) : this.buf.subarray(pos, end),
      );
    }
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
  }

  #finishCollect(): void {
    const length = this.collectLength;
    const out = new Uint8Array(length);
    let at = 0;
    for (const part of this.#parts) {
      if (at >= length) break;
      const room = length - at;
      out.set(part.length > room ? part.subarray(0, room) : part, at);
      at += part.length;
    }
    this.#parts = [];
    this.collectTotal = -1;
    this.collected = 0;
    this.payload = out;
  }

  /** Drops all state. */
  protected clearInput(): void {
    this.copySource = EMPTY;
    this.copyBuffer = NO_BUFFER;
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
    this.scan = 0;
    this.#own = EMPTY;
    this.collectTotal = -1;
    this.collected = 0;
    this.#parts = [];
    this.payload = undefined;
  }

  /** Bytes of memory held: buffered input, collected chunks and the reusable buffer. */
  get retainedBytes(): number {
    let total = this.#own.length + this.collected;
    if (this.buf !== this.#own) total += this.buf.length;
    if (this.payload !== undefined) total += this.payload.length;
    return total;
  }
}
