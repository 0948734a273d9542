/**
 * The encoder: replies (RESP3, or RESP2 with Redis's downgrades) and commands, written into
 * one growable buffer that is reused.
 *
 * @module
 */

import { formatDouble } from "./bytes.ts";
import { Attributed, Push, ReplyError, VerbatimString } from "./types.ts";
import { Slab } from "./slab.ts";

/**
 * The protocol version of a connection: 2 (default) or 3 after `HELLO 3`.
 *
 * @example
 * ```ts
 * import { type ProtocolVersion, Writer } from "./mod.ts";
 * const version: ProtocolVersion = 3;
 * const writer = new Writer();
 * writer.protocol = version;
 * ```
 */
export type ProtocolVersion = 2 | 3;

const encoder = new TextEncoder();
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const TWO_63 = 2 ** 63;
/** Strings up to this length are copied by a JS loop, longer ones with encodeInto. */
const SHORT_STRING = 64;
const EMPTY = new Uint8Array(0);
/** Default size of the first buffer (allocated on the first write). */
const INITIAL_CAPACITY = 512;
/** `take()` hands the buffer over (instead of copying out of it) from this many bytes on, if
 * they fill at least half of it. */
const HAND_OVER = 1024;
/** Where `take()` copies short output to: one allocation per 64 KiB, not one per flush. */
const OUTPUT_SLAB = new Slab(64 * 1024, HAND_OVER);
/** Largest buffer size remembered for the next buffer or kept for reuse. */
const MAX_KEEP = 1024 * 1024;
/** Flushes in a row that use at most a quarter of the buffer before it is halved. */
const SHRINK_AFTER = 8;
/** The first takes hand the buffer over whatever its fill; from then on small flushes reuse it. */
const KEEP_AFTER = 4;

/** Number of decimal digits of a non-negative safe integer. */
function digitCount(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  let count = 6;
  let limit = 1000000;
  while (n >= limit && count < 16) {
    count++;
    limit *= 10;
  }
  return count;
}

/** UTF-8 byte length of `text` as TextEncoder encodes it (lone surrogates: 3 bytes). */
function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        length += 2;
        i++;
      } else length += 2;
    } else length += 2;
  }
  return length;
}

/**
 * Encodes RESP replies and commands into one growable buffer, reused across calls. With
 * `protocol = 2` (the default) RESP3 types are downgraded like Redis does: map to a flat
 * array, set and push to an array, null to `$-1` (`*-1` for `nullArray`), boolean to `:1`/`:0`,
 * double, big number and verbatim to bulk strings, bulk error to a simple error, and
 * attributes are not sent.
 *
 * @example
 * ```ts
 * import { Writer } from "./mod.ts";
 * const writer = new Writer();
 * writer.protocol = 3;
 * writer.mapHeader(1);
 * writer.bulk("key");
 * writer.integer(42);
 * const bytes = writer.take(); // "%1\r\n$3\r\nkey\r\n:42\r\n"
 * console.log(new TextDecoder().decode(bytes));
 * ```
 */
export class Writer {
  /** Protocol version of the replies: 2 (default) downgrades RESP3 types. */
  protocol: ProtocolVersion = 2;
  /** The buffer being written (EMPTY until the first write after creation or hand-over). */
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  /** Smallest buffer size. */
  #initial: number;
  /** Size of the next buffer: follows the traffic seen, between `#initial` and MAX_KEEP. */
  #capacity: number;
  /** Flushes in a row that used at most a quarter of the buffer. */
  #small = 0;
  /** Takes so far, counted up to KEEP_AFTER. */
  #takes = 0;

  /**
   * Creates a writer. Its buffer is allocated on the first write, `initialCapacity` bytes
   * (default 512) at first; later buffers are sized for the traffic seen: a buffer handed over
   * by {@link Writer.take} is followed by one of the same size, and the size halves after
   * several flushes in a row that use at most a quarter of it. So idle connections cost little
   * and busy ones do not regrow on every flush.
   */
  constructor(initialCapacity: number = INITIAL_CAPACITY) {
    this.#initial = initialCapacity > 64 ? initialCapacity : 64;
    this.#capacity = this.#initial;
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#pos;
  }

  /** Bytes of memory the writer holds (its buffer; 0 before the first write). */
  get capacity(): number {
    return this.#buf.length;
  }

  #grow(extra: number): void {
    const buf = this.#buf;
    const need = this.#pos + extra;
    let size = buf.length === 0 ? this.#capacity : buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    if (this.#pos > 0) next.set(buf.subarray(0, this.#pos));
    this.#buf = next;
    if (size > this.#capacity) this.#capacity = size < MAX_KEEP ? size : MAX_KEEP;
  }

  /** Writes the decimal digits of a non-negative safe integer. */
  #digits(n: number): void {
    const buf = this.#buf;
    if (n < 10) {
      buf[this.#pos++] = 48 + n;
      return;
    }
    const count = digitCount(n);
    let at = this.#pos + count;
    this.#pos = at;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--at] = 48 + (n - q * 10);
      n = q;
    }
    buf[--at] = 48 + n;
  }

  /** Writes `<type><n>\r\n` for a non-negative count or length. */
  #header(type: number, n: number): void {
    if (this.#pos + 24 > this.#buf.length) this.#grow(24);
    const buf = this.#buf;
    buf[this.#pos++] = type;
    this.#digits(n);
    buf[this.#pos++] = 13;
    buf[this.#pos++] = 10;
  }

  #crlf(): void {
    const buf = this.#buf;
    buf[this.#pos++] = 13;
    buf[this.#pos++] = 10;
  }

  /** Writes `<type>text\r\n`; CR and LF in `text` become spaces (they would break framing). */
  #line(type: number, text: string): void {
    const length = text.length;
    if (this.#pos + length * 3 + 3 > this.#buf.length) this.#grow(length * 3 + 3);
    const buf = this.#buf;
    let pos = this.#pos;
    buf[pos++] = type;
    let i = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos++] = c === 13 || c === 10 ? 32 : c;
    }
    if (i < length) {
      const start = pos;
      pos += encoder.encodeInto(text.slice(i), buf.subarray(pos)).written;
      for (let j = start; j < pos; j++) if (buf[j] === 13 || buf[j] === 10) buf[j] = 32;
    }
    buf[pos++] = 13;
    buf[pos++] = 10;
    this.#pos = pos;
  }

  /** Writes `<type><byte length>\r\n<utf-8 of text>\r\n`. */
  #stringPayload(type: number, text: string): void {
    const length = text.length;
    if (length > SHORT_STRING) {
      this.#longString(type, text);
      return;
    }
    if (this.#pos + length * 3 + 26 > this.#buf.length) this.#grow(length * 3 + 26);
    const buf = this.#buf;
    const start = this.#pos;
    this.#header(type, length);
    let pos = this.#pos;
    let i = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos++] = c;
    }
    if (i === length) {
      buf[pos++] = 13;
      buf[pos++] = 10;
      this.#pos = pos;
      return;
    }
    this.#pos = start;
    this.#header(type, utf8Length(text));
    this.#pos += encoder.encodeInto(text, buf.subarray(this.#pos)).written;
    this.#crlf();
  }

  /** Long strings: room for the ASCII case only (not 3 bytes a character), encoded once;
   * other text is encoded again after its exact UTF-8 length. */
  #longString(type: number, text: string): void {
    const length = text.length;
    if (this.#pos + length + 26 > this.#buf.length) this.#grow(length + 26);
    const start = this.#pos;
    this.#header(type, length);
    const dataStart = this.#pos;
    let buf = this.#buf;
    const result = encoder.encodeInto(text, buf.subarray(dataStart, buf.length - 2));
    if (result.read === length && result.written === length) {
      this.#pos = dataStart + length;
      this.#crlf();
      return;
    }
    const size = utf8Length(text);
    this.#pos = start;
    if (start + size + 26 > buf.length) this.#grow(size + 26);
    buf = this.#buf;
    this.#header(type, size);
    this.#pos += encoder.encodeInto(text, buf.subarray(this.#pos)).written;
    this.#crlf();
  }

  #bytesPayload(type: number, bytes: Uint8Array): void {
    const length = bytes.length;
    if (this.#pos + length + 26 > this.#buf.length) this.#grow(length + 26);
    this.#header(type, length);
    const buf = this.#buf;
    if (length < 16) {
      let pos = this.#pos;
      for (let i = 0; i < length; i++) buf[pos++] = bytes[i];
      this.#pos = pos;
    } else {
      buf.set(bytes, this.#pos);
      this.#pos += length;
    }
    this.#crlf();
  }

  /** `+text` (CR/LF replaced by spaces). */
  simple(text: string): void {
    this.#line(43, text);
  }

  /** `-message` as given (the `ERR ` prefix rule is the caller's job). */
  error(message: string): void {
    this.#line(45, message);
  }

  /** `:n`. Throws a TypeError for non-integers and values outside int64. */
  integer(value: number | bigint): void {
    if (typeof value === "number") {
      if (value >= 0 && value <= 9007199254740991 && Number.isInteger(value)) {
        this.#header(58, value);
        return;
      }
      if (value < 0 && value >= -9007199254740991 && Number.isInteger(value)) {
        this.#header(58, 0);
        // Rewrite as negative: ":-digits".
        this.#pos -= 3;
        const buf = this.#buf;
        buf[this.#pos++] = 45;
        this.#digits(-value);
        this.#crlf();
        return;
      }
      if (!Number.isInteger(value) || Math.abs(value) >= TWO_63) {
        throw new TypeError(`Not an integer in the int64 range: ${value}`);
      }
      value = BigInt(value);
    }
    if (value > INT64_MAX || value < INT64_MIN) {
      throw new TypeError(`Not an integer in the int64 range: ${value}`);
    }
    this.#line(58, value.toString());
  }

  /** `$len\r\n...\r\n` (strings as UTF-8). */
  bulk(value: Uint8Array | string): void {
    if (typeof value === "string") this.#stringPayload(36, value);
    else this.#bytesPayload(36, value);
  }

  /**
   * `$len\r\n...\r\n` of chars `start`..`end` (exclusive) of a binary string, one byte per
   * char (Latin-1, as the store holds keys and list elements): no UTF-8, no copy of the part.
   */
  bulkLatin1(text: string, start: number, end: number): void {
    const length = end - start;
    if (this.#pos + length + 26 > this.#buf.length) this.#grow(length + 26);
    this.#header(36, length);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = start; i < end; i++) buf[pos++] = text.charCodeAt(i);
    buf[pos++] = 13;
    buf[pos++] = 10;
    this.#pos = pos;
  }

  /** RESP3 `_`, RESP2 `$-1`. */
  null(): void {
    if (this.protocol === 3) this.#line(95, "");
    else this.#line(36, "-1");
  }

  /** RESP3 `_`, RESP2 `*-1` (the null of array replies). */
  nullArray(): void {
    if (this.protocol === 3) this.#line(95, "");
    else this.#line(42, "-1");
  }

  /** `*n`. */
  arrayHeader(count: number): void {
    this.#header(42, count);
  }

  /** `%n` (RESP2: `*2n`, followed by key, value, ...). */
  mapHeader(count: number): void {
    if (this.protocol === 3) this.#header(37, count);
    else this.#header(42, count * 2);
  }

  /** `~n` (RESP2: `*n`). */
  setHeader(count: number): void {
    this.#header(this.protocol === 3 ? 126 : 42, count);
  }

  /** `>n` (RESP2: `*n`). */
  pushHeader(count: number): void {
    this.#header(this.protocol === 3 ? 62 : 42, count);
  }

  /** `|n` followed by n key-value pairs, then the value they describe. RESP3 only: throws
   * in RESP2 (use `value()` with an {@link Attributed}, which drops the attributes). */
  attributeHeader(count: number): void {
    if (this.protocol !== 3) throw new TypeError("Attributes cannot be sent in RESP2");
    this.#header(124, count);
  }

  /** `,formatDouble` (RESP2: a bulk string of the same text). */
  double(value: number): void {
    const text = formatDouble(value);
    if (this.protocol === 3) this.#line(44, text);
    else this.#stringPayload(36, text);
  }

  /** `#t`/`#f` (RESP2: `:1`/`:0`). */
  boolean(value: boolean): void {
    if (this.protocol === 3) this.#line(35, value ? "t" : "f");
    else this.#header(58, value ? 1 : 0);
  }

  /** `(n` (RESP2: a bulk string of the digits). */
  bigNumber(value: bigint | string): void {
    const text = typeof value === "bigint" ? value.toString() : value;
    if (this.protocol === 3) this.#line(40, text);
    else this.#stringPayload(36, text);
  }

  /** `=len\r\nfmt:text\r\n` (RESP2: a bulk string of the text). Format defaults to `txt`. */
  verbatim(text: string | Uint8Array, format: string = "txt"): void {
    if (this.protocol !== 3) {
      this.bulk(text);
      return;
    }
    const prefix = (format + "   ").slice(0, 3) + ":";
    if (typeof text === "string") this.#stringPayload(61, prefix + text);
    else {
      const bytes = new Uint8Array(text.length + 4);
      for (let i = 0; i < 4; i++) bytes[i] = prefix.charCodeAt(i) & 0xff;
      bytes.set(text, 4);
      this.#bytesPayload(61, bytes);
    }
  }

  /** `!len\r\nmessage\r\n` (RESP2: `-message`). */
  bulkError(message: string): void {
    if (this.protocol === 3) this.#stringPayload(33, message);
    else this.#line(45, message);
  }

  /**
   * Any JS value: string -> bulk, number -> integer if it is an integer within int64 else
   * double, bigint -> integer within int64 else big number, boolean, null/undefined -> null,
   * Uint8Array -> bulk, Array -> array, Map/plain object -> map, Set -> set,
   * ReplyError/Error -> error (bulk error for a bulk ReplyError; message as is),
   * VerbatimString, Push, Attributed (RESP2: the value only). Throws TypeError otherwise.
   */
  value(value: unknown): void {
    switch (typeof value) {
      case "string":
        this.#stringPayload(36, value);
        return;
      case "number":
        if (Number.isInteger(value) && Math.abs(value) < TWO_63) this.integer(value);
        else this.double(value);
        return;
      case "bigint":
        if (value <= INT64_MAX && value >= INT64_MIN) this.integer(value);
        else this.bigNumber(value);
        return;
      case "boolean":
        this.boolean(value);
        return;
      case "undefined":
        this.null();
        return;
      case "object":
        break;
      default:
        throw new TypeError(`Cannot encode a ${typeof value} as RESP`);
    }
    if (value === null) {
      this.null();
    } else if (value instanceof Uint8Array) {
      this.#bytesPayload(36, value);
    } else if (Array.isArray(value)) {
      this.#header(42, value.length);
      for (let i = 0; i < value.length; i++) this.value(value[i]);
    } else if (value instanceof Map) {
      this.mapHeader(value.size);
      for (const [k, v] of value) {
        this.value(k);
        this.value(v);
      }
    } else if (value instanceof Set) {
      this.setHeader(value.size);
      for (const item of value) this.value(item);
    } else if (value instanceof ReplyError) {
      if (value.bulk) this.bulkError(value.message);
      else this.error(value.message);
    } else if (value instanceof Error) {
      this.error(value.message);
    } else if (value instanceof VerbatimString) {
      this.verbatim(value.text, value.format);
    } else if (value instanceof Push) {
      this.pushHeader(value.items.length);
      for (const item of value.items) this.value(item);
    } else if (value instanceof Attributed) {
      if (this.protocol === 3) {
        this.attributeHeader(value.attributes.size);
        for (const [k, v] of value.attributes) {
          this.value(k);
          this.value(v);
        }
      }
      this.value(value.value);
    } else {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`Cannot encode a ${proto?.constructor?.name ?? "object"} as RESP`);
      }
      const keys = Object.keys(value);
      this.mapHeader(keys.length);
      for (const key of keys) {
        this.#stringPayload(36, key);
        this.value((value as Record<string, unknown>)[key]);
      }
    }
  }

  /** A command in the client direction: `*n` of bulk strings. */
  command(args: ReadonlyArray<string | Uint8Array | number>): void {
    this.#header(42, args.length);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === "string") this.#stringPayload(36, arg);
      else if (typeof arg === "number") this.#stringPayload(36, String(arg));
      else this.#bytesPayload(36, arg);
    }
  }

  /** Raw bytes as is. */
  raw(bytes: Uint8Array): void {
    if (this.#pos + bytes.length > this.#buf.length) this.#grow(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /**
   * Everything written since the last take, as a Uint8Array the caller owns; resets length
   * to 0. A buffer at least half full is handed over (the next write starts a buffer of the
   * same size), otherwise the bytes are copied (into a shared slab, like Node's Buffer pool:
   * never written again, and a kept copy keeps that 64 KiB slab alive) and the buffer reused;
   * but the first few takes always hand the buffer over, so that a writer used only once or
   * twice (an idle connection's) keeps no buffer.
   */
  take(): Uint8Array {
    const length = this.#pos;
    if (length === 0) return OUTPUT_SLAB.copy(EMPTY, 0, 0);
    this.#pos = 0;
    const buf = this.#buf;
    const size = buf.length;
    if ((length >= size >> 1 && length >= HAND_OVER) || this.#takes < KEEP_AFTER) {
      if (this.#takes < KEEP_AFTER) this.#takes++;
      this.#buf = EMPTY;
      this.#small = 0;
      return buf.subarray(0, length);
    }
    const out = OUTPUT_SLAB.copy(buf, 0, length);
    if (size > MAX_KEEP) {
      // After an unusually large reply: no huge buffer kept for the next ones.
      this.#small = 0;
      this.#capacity = MAX_KEEP;
      this.#buf = EMPTY;
    } else if (length > size >> 2 || size <= this.#initial) this.#small = 0;
    else if (++this.#small >= SHRINK_AFTER) {
      // Flushes stay small: the next buffer is half the size.
      this.#small = 0;
      this.#capacity = size >> 1 > this.#initial ? size >> 1 : this.#initial;
      this.#buf = EMPTY;
    }
    return out;
  }

  /**
   * Drops the bytes written after the first `length` ones (nothing if `length` is not less
   * than {@link Writer.length}): a reply that failed half-way can be taken back.
   *
   * @example
   * ```ts
   * import { Writer } from "./mod.ts";
   * const writer = new Writer();
   * writer.simple("OK");
   * const mark = writer.length;
   * writer.arrayHeader(2);
   * writer.truncate(mark); // the unfinished array is gone
   * console.log(writer.length); // 5
   * ```
   */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`Invalid length to truncate to: ${length}`);
    }
    if (length < this.#pos) this.#pos = length;
  }

  /** Discards everything written since the last take. */
  reset(): void {
    this.#pos = 0;
  }
}

/**
 * Encodes one reply (protocol 2 by default, like {@link Writer}).
 *
 * @example
 * ```ts
 * import { encodeReply } from "./mod.ts";
 * console.log(new TextDecoder().decode(encodeReply(new Map([["a", 1]]), 3))); // "%1\r\n$1\r\na\r\n:1\r\n"
 * ```
 */
export function encodeReply(value: unknown, protocol: ProtocolVersion = 2): Uint8Array {
  const writer = new Writer(256);
  writer.protocol = protocol;
  writer.value(value);
  return writer.take();
}

/**
 * Encodes a command as a multibulk request (client direction).
 *
 * @example
 * ```ts
 * import { encodeCommand } from "./mod.ts";
 * console.log(new TextDecoder().decode(encodeCommand(["SET", "key", 1]))); // "*3\r\n$3\r\nSET\r\n..."
 * ```
 */
export function encodeCommand(args: ReadonlyArray<string | Uint8Array | number>): Uint8Array {
  const writer = new Writer(256);
  writer.command(args);
  return writer.take();
}
