/**
 * The byte buffer shared by the decoders: parsing in place in the fed chunks (payloads are
 * handed out as views of them), an append-only buffer for the bytes of items that cross chunk
 * boundaries, and a list of pieces for large payloads so that they are never rescanned or
 * copied twice.
 *
 * @module
 */

import { FRESH_MAX, SUBARRAY } from "./engine.ts";

/** Also exported by `engine.ts`, where it is decided. */
export { FRESH_MAX };

const EMPTY = new Uint8Array(0);
const NO_BUFFER = new ArrayBuffer(0);
/** Payloads at least this long that are incomplete are collected chunk by chunk. */
export const BIG_PAYLOAD: number = 32 * 1024;
/** Sizes of `own`: a full one is replaced by one twice its size (within these bounds, and
 * larger when an item needs it). */
const OWN_MIN = 4096;
const OWN_MAX = 64 * 1024;
/** A chunk fed while an item is incomplete is appended to `own` when it is at most this long;
 * a longer one waits (`pending`) and only the bytes that complete the item are copied. */
const APPEND_MAX = 1024;
/** Pieces of a collected payload shorter than this are copied together into a coalescing
 * buffer instead of being kept one by one: one of exactly the bytes still needed when that is
 * at most {@link COALESCE_MAX} (a payload that arrives in small pieces is then handed out
 * from it, with no second copy), else of {@link COALESCE_MIN} to {@link COALESCE_MAX} bytes,
 * doubling as bytes arrive. */
const COALESCE_BELOW = 1024;
const COALESCE_MIN = 4096;
const COALESCE_MAX = 64 * 1024;
/** The parts of no payload (shared: an idle connection holds no array). */
const NO_PARTS: Uint8Array[] = [];

/**
 * Buffered input: `buf[pos:end]` holds the unconsumed bytes. Subclasses parse from it and
 * hand out payloads with {@link InputBuffer.take} (views: no buffer they view is ever written
 * again). When they need more bytes than `end` they set {@link InputBuffer.want} and call
 * {@link InputBuffer.refill} before giving up. Published in the .d.ts (the decoders' types
 * extend it), though not exported by any entry point.
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
  /** `buf.buffer` once fetched (NO_BUFFER: not yet, see `viewData`) and `buf.byteOffset`. */
  protected data: ArrayBufferLike = NO_BUFFER;
  /** `buf.byteOffset`, fetched with `data`. */
  protected offset = 0;
  /**
   * Set by the parser when it stops for lack of bytes: how many bytes from `pos` it needs
   * before it can go on (at least one more than it has; the exact size of a payload it
   * waits for). The parser does not run again until they are there.
   */
  protected want = 0;
  /**
   * Append-only buffer for the bytes of items that cross chunk boundaries: bytes before
   * `#ownUsed` are never written again (payloads are views of them); a full one is replaced,
   * never reused.
   */
  #own: Uint8Array = EMPTY;
  #ownBuffer: ArrayBuffer = NO_BUFFER;
  #ownUsed = 0;
  /** A fed chunk that follows `buf[pos:end]`, from `#pendingPos` (EMPTY: none). */
  #pending: Uint8Array = EMPTY;
  #pendingPos = 0;
  /** Total bytes (payload + CRLF) of a large payload being collected, or -1. */
  protected collectTotal: number = -1;
  /** Payload length of the collected payload. */
  protected collectLength = 0;
  /** Bytes collected so far. */
  protected collected = 0;
  #parts: Uint8Array[] = NO_PARTS;
  /**
   * Coalescing buffer for small pieces (`[#coStart, #coUsed)` is not in `#parts` yet). Its
   * bytes are copied out when the payload completes, so it is reused for the next one.
   */
  #co: Uint8Array = EMPTY;
  #coStart = 0;
  #coUsed = 0;
  /** How many of `#parts` are regions of coalescing buffers. */
  #coParts = 0;
  /** Bytes of the collected payload that the coalescing buffer takes without a check: room
   * left in it, less than the payload still needs (-1 when not collecting). */
  #coRoom = -1;
  /** A large payload completed by `feed`, for the parser to pick up. */
  protected payload: Uint8Array | undefined = undefined;

  /** Adds bytes. `chunk` is handed over: the decoder keeps it and returns views of it, so do
   * not write to it afterwards. */
  feed(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length <= this.#coRoom && length <= 16) {
      // A small piece of a collected payload (not its last): into the coalescing buffer.
      const co = this.#co;
      const used = this.#coUsed;
      for (let i = 0; i < length; i++) co[used + i] = chunk[i];
      this.#coUsed = used + length;
      this.#coRoom -= length;
      this.collected += length;
      return;
    }
    if (this.collectTotal < 0) {
      if (this.#pending === EMPTY && length > 0) {
        const end = this.end;
        if (this.pos >= end) {
          // Nothing buffered: parse in the chunk itself.
          this.buf = chunk;
          this.pos = 0;
          this.end = length;
          this.data = NO_BUFFER;
          return;
        }
        if (length <= APPEND_MAX) {
          // An incomplete item continues: the chunk goes after it, in `own`.
          const own = this.#own;
          if (this.buf === own && length <= 16 && own.length - end >= length) {
            for (let i = 0; i < length; i++) own[end + i] = chunk[i];
            this.end = this.#ownUsed = end + length;
          } else {
            this.#append(chunk, 0, length);
          }
          return;
        }
      }
    }
    if (length > 0) this.#feed(chunk);
  }

  #feed(chunk: Uint8Array): void {
    let length = chunk.length;
    if (this.collectTotal >= 0) {
      const need = this.collectTotal - this.collected;
      if (length < need) {
        this.#collect(chunk);
        return;
      }
      this.#collect(need === length ? chunk : chunk.subarray(0, need));
      this.#finishCollect();
      if (need === length) return;
      chunk = chunk.subarray(need);
      length = chunk.length;
    }
    if (this.#pending !== EMPTY) {
      // A chunk is already waiting: its bytes join the tail.
      const pending = this.#pending;
      this.#pending = EMPTY;
      this.#append(pending, this.#pendingPos, pending.length);
    }
    if (this.pos >= this.end) {
      this.buf = chunk;
      this.pos = 0;
      this.end = length;
      this.data = NO_BUFFER;
      return;
    }
    if (length > APPEND_MAX) {
      this.#pending = chunk;
      this.#pendingPos = 0;
      this.want = 0;
      return;
    }
    this.#append(chunk, 0, length);
  }

  /**
   * Called by the parser when it needs more bytes than `buf[pos:end]`: moves on to a pending
   * chunk (when nothing is left of `buf`) or copies the bytes of the pending chunk that the
   * incomplete item needs (`want`, or up to the end of a line) after it. Returns false when
   * there is nothing pending (the parser has to wait for `feed`).
   */
  protected refill(): boolean {
    const chunk = this.#pending;
    if (chunk === EMPTY) return false;
    const at = this.#pendingPos;
    this.#pending = EMPTY;
    if (this.collectTotal >= 0) {
      this.feed(at === 0 ? chunk : chunk.subarray(at));
      return true;
    }
    const pos = this.pos;
    const end = this.end;
    const want = this.want;
    this.want = 0;
    if (pos >= end) {
      this.buf = chunk;
      this.pos = at;
      this.end = chunk.length;
      this.data = NO_BUFFER;
      this.scan = 0;
      return true;
    }
    let count = want - (end - pos);
    if (count <= 1) {
      const lf = chunk.indexOf(10, at);
      count = lf < 0 ? chunk.length - at : lf + 1 - at;
    }
    if (count < chunk.length - at) {
      this.#pending = chunk;
      this.#pendingPos = at + count;
      this.#append(chunk, at, at + count);
    } else {
      this.#append(chunk, at, chunk.length);
    }
    return true;
  }

  /** Appends `chunk[from:to]` to the unconsumed bytes, in `own`. */
  #append(chunk: Uint8Array, from: number, to: number): void {
    const length = to - from;
    const buf = this.buf;
    const pos = this.pos;
    const end = this.end;
    const tail = end - pos;
    let own = this.#own;
    if (buf === own) {
      // `end` is `#ownUsed`.
      if (own.length - end >= length) {
        if (length <= 16) { for (let i = 0; i < length; i++) own[end + i] = chunk[from + i]; }
        else own.set(chunk.subarray(from, to), end);
        this.end = this.#ownUsed = end + length;
        return;
      }
    } else {
      const used = this.#ownUsed;
      if (own.length - used >= tail + length) {
        if (tail + length <= 64) {
          for (let i = 0; i < tail; i++) own[used + i] = buf[pos + i];
          const at = used + tail;
          for (let i = 0; i < length; i++) own[at + i] = chunk[from + i];
        } else {
          own.set(buf.subarray(pos, end), used);
          own.set(chunk.subarray(from, to), used + tail);
        }
        this.buf = own;
        this.data = this.#ownBuffer;
        this.offset = 0;
        this.pos = used;
        this.end = this.#ownUsed = used + tail + length;
        return;
      }
    }
    // A new buffer: the old one keeps the bytes handed out as views of it.
    let size = own.length < OWN_MIN ? OWN_MIN : own.length < OWN_MAX ? own.length * 2 : OWN_MAX;
    while (size < 2 * (tail + length)) size *= 2;
    const data = new ArrayBuffer(size);
    own = new Uint8Array(data);
    if (tail + length <= 64) {
      for (let i = 0; i < tail; i++) own[i] = buf[pos + i];
      for (let i = 0; i < length; i++) own[tail + i] = chunk[from + i];
    } else {
      own.set(buf.subarray(pos, end));
      own.set(chunk.subarray(from, to), tail);
    }
    this.#own = own;
    this.#ownBuffer = data;
    this.buf = own;
    this.data = data;
    this.offset = 0;
    this.pos = 0;
    this.end = this.#ownUsed = tail + length;
  }

  /** Marks everything consumed up to `pos`; drops references that are no longer needed. */
  protected release(): void {
    if (this.pos >= this.end) {
      if (this.#own.length > OWN_MAX) this.#dropOwn();
      if (this.collectTotal < 0) this.#co = EMPTY;
      this.buf = EMPTY;
      this.data = NO_BUFFER;
      this.pos = 0;
      this.end = 0;
    }
  }

  #dropOwn(): void {
    this.#own = EMPTY;
    this.#ownBuffer = NO_BUFFER;
    this.#ownUsed = 0;
  }

  /** True when nothing is left to parse (no bytes, no pending chunk, no collected payload):
   * then drops the references it no longer needs. */
  protected drained(): boolean {
    if (this.pos < this.end || this.#pending !== EMPTY || this.payload !== undefined) {
      return false;
    }
    this.release();
    return true;
  }

  /** The first `byte` in `buf[from:end]`, or -1 (`own` has room after `end`: not searched). */
  protected indexOf(byte: number, from: number): number {
    const buf = this.buf;
    const end = this.end;
    if (end - from <= 16) {
      for (let i = from; i < end; i++) if (buf[i] === byte) return i;
      return -1;
    }
    if (end === buf.length) return buf.indexOf(byte, from);
    const at = buf.subarray(from, end).indexOf(byte);
    return at < 0 ? -1 : from + at;
  }

  /** `buf.buffer` (and `offset`, its `byteOffset`): fetched once per chunk, the getter is
   * slow on V8. */
  protected viewData(): ArrayBufferLike {
    let data = this.data;
    if (data === NO_BUFFER) {
      const buf = this.buf;
      this.data = data = buf.buffer;
      this.offset = buf.byteOffset;
    }
    return data;
  }

  /**
   * `buf[pos:pos+length]` for the caller to keep: a view (of a fed chunk or of `own`, neither
   * ever written again), or a fresh copy when at most {@link FRESH_MAX} bytes.
   */
  protected take(pos: number, length: number): Uint8Array {
    const buf = this.buf;
    if (length > FRESH_MAX) {
      if (SUBARRAY) return buf.subarray(pos, pos + length);
      return new Uint8Array(this.viewData(), this.offset + pos, length);
    }
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = buf[pos + i];
    return out;
  }

  /**
   * Starts collecting a payload of `length` bytes (plus CRLF) at `pos` that is not complete
   * yet: the bytes held move to the list of pieces and later chunks are added to it.
   */
  protected startCollect(length: number): void {
    const pos = this.pos;
    const end = this.end;
    this.collectTotal = length + 2;
    this.collectLength = length;
    this.collected = 0;
    this.want = 1;
    // The previous payload's bytes were copied out of the coalescing buffer: reuse it, unless
    // one buffer of the right size can hold all of this one.
    this.#coStart = this.#coUsed = 0;
    if (this.#co.length < length + 2 && length + 2 <= COALESCE_MAX) this.#co = EMPTY;
    if (end > pos) this.#collect(this.buf.subarray(pos, end));
    this.#setRoom();
    this.buf = EMPTY;
    this.data = NO_BUFFER;
    this.pos = 0;
    this.end = 0;
  }

  /** Adds `piece` (at most the bytes still needed; never written again) to the payload being
   * collected. */
  #collect(piece: Uint8Array): void {
    const length = piece.length;
    this.collected += length;
    if (length >= COALESCE_BELOW) {
      if (this.#coUsed > this.#coStart) {
        this.#addPart(this.#co.subarray(this.#coStart, this.#coUsed));
        this.#coParts++;
        this.#coStart = this.#coUsed;
      }
      this.#addPart(piece);
      this.#setRoom();
      return;
    }
    let co = this.#co;
    let used = this.#coUsed;
    if (co.length - used < length) {
      if (used > this.#coStart) {
        this.#addPart(co.subarray(this.#coStart, used));
        this.#coParts++;
      }
      // A new buffer (the full one's bytes are still to be copied out): all the payload still
      // needs when that is at most COALESCE_MAX, else twice the size as bytes arrive.
      const left = this.collectTotal - this.collected + length;
      let size = left;
      if (left > COALESCE_MAX) {
        size = co.length < COALESCE_MIN ? COALESCE_MIN : co.length * 2;
        if (size > COALESCE_MAX) size = COALESCE_MAX;
      }
      this.#co = co = new Uint8Array(size);
      this.#coStart = used = 0;
    }
    if (length <= 16) { for (let i = 0; i < length; i++) co[used + i] = piece[i]; }
    else co.set(piece, used);
    this.#coUsed = used + length;
    this.#setRoom();
  }

  #addPart(part: Uint8Array): void {
    if (this.#parts === NO_PARTS) this.#parts = [part];
    else this.#parts.push(part);
  }

  #setRoom(): void {
    const room = this.#co.length - this.#coUsed;
    const left = this.collectTotal - this.collected - 1;
    this.#coRoom = room < left ? room : left;
  }

  #finishCollect(): void {
    if (this.#coUsed > this.#coStart) {
      this.#addPart(this.#co.subarray(this.#coStart, this.#coUsed));
      this.#coParts++;
    }
    const length = this.collectLength;
    const parts = this.#parts;
    let out: Uint8Array;
    if (parts[0].length >= length) {
      // One piece holds it all: a fed one (never written again) or a region of a coalescing
      // buffer, which is then not reused.
      out = parts[0].subarray(0, length);
      if (this.#coParts !== 0) this.#co = EMPTY;
    } else {
      out = new Uint8Array(length);
      let at = 0;
      for (const part of parts) {
        if (at >= length) break;
        const room = length - at;
        out.set(part.length > room ? part.subarray(0, room) : part, at);
        at += part.length;
      }
    }
    this.#parts = NO_PARTS;
    this.#coParts = 0;
    this.#coStart = this.#coUsed = 0;
    this.#coRoom = -1;
    this.collectTotal = -1;
    this.collected = 0;
    this.want = 0;
    this.payload = out;
  }

  /** Bytes held that the parser has not reached: `buf[pos:end]`, a pending chunk and the
   * pieces of a payload being collected. */
  protected get heldBytes(): number {
    let held = this.end - this.pos + this.collected;
    if (this.#pending !== EMPTY) held += this.#pending.length - this.#pendingPos;
    return held;
  }

  /** Drops all state. */
  protected clearInput(): void {
    this.buf = EMPTY;
    this.data = NO_BUFFER;
    this.pos = 0;
    this.end = 0;
    this.scan = 0;
    this.want = 0;
    this.#dropOwn();
    this.#pending = EMPTY;
    this.#pendingPos = 0;
    this.collectTotal = -1;
    this.collected = 0;
    this.#parts = NO_PARTS;
    this.#co = EMPTY;
    this.#coStart = this.#coUsed = 0;
    this.#coRoom = -1;
    this.#coParts = 0;
    this.payload = undefined;
  }

  /** Bytes of memory held: buffered input, a pending chunk, collected pieces and `own`. */
  get retainedBytes(): number {
    let total = this.#own.length + this.collected + this.#pending.length;
    if (this.buf !== this.#own) total += this.buf.length;
    total += this.#co.length - this.#coUsed;
    if (this.payload !== undefined) total += this.payload.length;
    return total;
  }
}
