/**
 * The byte buffer shared by the decoders: zero-copy for whole chunks, a reused growable buffer
 * for tails, and a chunk list for large payloads so that they are never rescanned or copied
 * twice.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);
/** Payloads at least this long that are incomplete are collected chunk by chunk. */
export const BIG_PAYLOAD: number = 32 * 1024;
const MIN_OWN = 4096;
const KEEP_OWN = 1024 * 1024;

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

  /** Adds bytes. The decoder may keep a reference to `chunk`; do not mutate it afterwards. */
  feed(chunk: Uint8Array): void {
    let length = chunk.length;
    if (length === 0) return;
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
      own.set(this.buf.subarray(pos, end));
      own.set(chunk, tail);
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
    }
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
