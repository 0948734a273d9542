/**
 * The client side of the protocol: every RESP2 and RESP3 reply type, streamed ones too.
 *
 * @module
 */

import { IncompleteError, ProtocolError } from "./errors.ts";
import { BIG_PAYLOAD, InputBuffer } from "./input_buffer.ts";
import { FRESH_MAX, SUBARRAY } from "./engine.ts";
import { type DecoderLimits, resolveLimits } from "./limits.ts";
import { decodeRange } from "./bytes.ts";
import { Push, type RespValue, VerbatimString } from "./types.ts";
import {
  Frame,
  K_ARRAY,
  K_ATTRIBUTE,
  K_MAP,
  K_PUSH,
  K_SET,
  K_STRING,
  K_WRAP,
} from "./reply_frame.ts";
import { parseDouble, replyError } from "./reply_values.ts";

/** Options of {@link ReplyDecoder}. */
export interface ReplyDecoderOptions {
  /** Limits (defaults: {@link DEFAULT_LIMITS}). */
  limits?: Partial<DecoderLimits>;
  /** Decode bulk strings as UTF-8 strings instead of `Uint8Array`. */
  bulkAsString?: boolean;
}

const NEED: unique symbol = Symbol("need");
const OPEN: unique symbol = Symbol("open");
const END: unique symbol = Symbol("end");
type Step = RespValue | typeof NEED | typeof OPEN | typeof END;

const E_TYPE = "Protocol error: invalid reply type";

/** `#number()` results that are not lengths. */
const LINE_NEEDED = -0.5;
const STREAMED = -0.25;
/** `#numberOrText()`: the line is complete but not a plain number. */
const LINE_TEXT = -0.75;

/**
 * Decodes a stream of replies into {@link RespValue}s: every RESP2 and RESP3 type,
 * attributes (wrapped in {@link Attributed}), push, streamed strings (`$?`) and streamed
 * aggregates (`*?` ... `.`). Feed chunks of any size; aggregates and large bulks keep
 * partial state, so input is never rescanned. After a {@link ProtocolError} every later
 * `next()` throws it again. Bulk strings are safe to keep, and shared like the arguments of
 * `RequestDecoder`: views of the chunk they arrived in (which `feed` hands over), or copies
 * when they crossed a chunk boundary.
 *
 * @example
 * ```ts
 * import { ReplyDecoder } from "./mod.ts";
 * const decoder = new ReplyDecoder({ bulkAsString: true });
 * decoder.feed(new TextEncoder().encode("%1\r\n+key\r\n$5\r\nva"));
 * console.log(decoder.next()); // undefined: more bytes needed
 * decoder.feed(new TextEncoder().encode("lue\r\n"));
 * console.log(decoder.next()); // Map { "key" => "value" }
 * ```
 */
export class ReplyDecoder extends InputBuffer {
  #limits: DecoderLimits;
  #strings: boolean;
  #stack: Frame[] = [];
  /** Type byte of a large payload being collected. */
  #payloadType = 0;
  #error: ProtocolError | undefined = undefined;

  /** Creates a decoder. */
  constructor(options?: ReplyDecoderOptions) {
    super();
    this.#limits = resolveLimits(options?.limits);
    this.#strings = options?.bulkAsString === true;
  }

  /** Bytes held and not yet returned. */
  get bufferedBytes(): number {
    return this.heldBytes;
  }

  /** Drops all buffered input and partial state (and a previous error). */
  reset(): void {
    this.clearInput();
    this.#stack = [];
    this.#error = undefined;
  }

  /** Next whole value, or `undefined` when more bytes are needed. Throws ProtocolError. */
  next(): RespValue | undefined {
    const buf = this.buf;
    const pos = this.pos;
    const end = this.end;
    // Fast path: a whole top-level integer (other common replies: `#fast`).
    if (
      pos < end && buf[pos] === 58 && this.want === 0 && this.#stack.length === 0 &&
      this.payload === undefined && this.#error === undefined
    ) {
      let i = pos + 1;
      const negative = buf[i] === 45;
      if (negative) i++;
      const first = i;
      let value = 0;
      for (; i < end; i++) {
        const digit = buf[i] - 48;
        if (digit >>> 0 > 9) break;
        value = value * 10 + digit;
      }
      if (buf[i] === 13 && i + 1 < end && i !== first && i - first <= 15) {
        this.pos = i + 2;
        this.scan = 0;
        return negative ? -value : value;
      }
    }
    return this.#fast();
  }

  /**
   * The rest of `next()`'s fast path: a whole top-level bulk string, simple string or error
   * (anything else, or anything incomplete, is left to the general path). Kept apart so that
   * `next()` stays small enough for JavaScriptCore to inline.
   */
  #fast(): RespValue | undefined {
    const buf = this.buf;
    const pos = this.pos;
    const end = this.end;
    if (
      pos < end && this.want === 0 && this.#stack.length === 0 && this.payload === undefined &&
      this.#error === undefined
    ) {
      const type = buf[pos];
      let i = pos + 1;
      if (type === 36) {
        let length = 0;
        for (; i < end; i++) {
          const digit = buf[i] - 48;
          if (digit >>> 0 > 9) break;
          length = length * 10 + digit;
        }
        const start = i + 2;
        if (
          buf[i] === 13 && i !== pos + 1 && i - pos <= 16 && end - start >= length + 2 &&
          length <= this.#limits.maxBulkLength
        ) {
          this.pos = start + length + 2;
          this.scan = 0;
          if (this.#strings) return decodeRange(buf, start, start + length);
          if (length <= FRESH_MAX) {
            const out = new Uint8Array(length);
            for (let j = 0; j < length; j++) out[j] = buf[start + j];
            return out;
          }
          if (SUBARRAY) return buf.subarray(start, start + length);
          return new Uint8Array(this.viewData(), this.offset + start, length);
        }
      } else if (type === 43 || type === 45) {
        const stop = end - pos > 128 ? pos + 128 : end;
        while (i < stop && buf[i] !== 13) i++;
        if (i < stop && i + 1 < end) {
          this.pos = i + 2;
          this.scan = 0;
          if (type === 45) return replyError(decodeRange(buf, pos + 1, i), false);
          if (i === pos + 3 && buf[pos + 1] === 79 && buf[pos + 2] === 75) return "OK";
          return decodeRange(buf, pos + 1, i);
        }
      }
    } else if (pos >= end && this.#error === undefined && this.drained()) {
      return undefined;
    }
    return this.#general();
  }

  /** The general path of `next()`: any reply, aggregates, partial state, pending chunks. */
  #general(): RespValue | undefined {
    if (this.#error !== undefined) throw this.#error;
    // Still short of the bytes the parser waits for (a payload arriving in small pieces).
    if (this.end - this.pos < this.want) return undefined;
    this.want = 0;
    if (this.pos >= this.end && this.drained()) return undefined;
    try {
      for (;;) {
        const value = this.#next();
        if (value !== undefined || !this.refill()) return value;
      }
    } catch (error) {
      if (error instanceof ProtocolError) this.#error = error;
      throw error;
    }
  }

  #next(): RespValue | undefined {
    const stack = this.#stack;
    for (;;) {
      let step: Step;
      if (this.payload !== undefined) {
        const payload = this.payload;
        this.payload = undefined;
        step = this.#payloadValue(this.#payloadType, payload, 0, payload.length);
      } else if (this.collectTotal >= 0) {
        return undefined;
      } else {
        if (stack.length > 0 && this.scan === 0) {
          const top = stack[stack.length - 1];
          if (top.kind === K_ARRAY && top.remaining > 1) this.#fastItems(top);
        }
        step = this.#item();
      }
      if (step === NEED) {
        if (this.pos >= this.end) this.release();
        return undefined;
      }
      if (step === OPEN) continue;
      let value: RespValue;
      if (step === END) {
        const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
        if (top === undefined || top.remaining !== -1 || top.kind === K_STRING || top.hasKey) {
          throw new ProtocolError("Protocol error: unexpected end of streamed aggregate");
        }
        stack.pop();
        const closed = this.#close(top);
        if (closed === OPEN) continue;
        value = closed;
      } else {
        value = step;
      }
      // Attach the value to the open aggregates, closing those that are complete.
      for (;;) {
        const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
        if (top === undefined) return value;
        if (!top.add(value)) break;
        stack.pop();
        const closed = this.#close(top);
        if (closed === OPEN) break;
        value = closed;
      }
    }
  }

  /**
   * Tight loop for the common array items (whole bulks and integers), leaving the last item
   * (which closes the array) and anything unusual to the general path.
   */
  #fastItems(frame: Frame): void {
    const buf = this.buf;
    const end = this.end;
    const items = frame.items;
    const strings = this.#strings;
    const maxBulk = this.#limits.maxBulkLength;
    let pos = this.pos;
    let remaining = frame.remaining;
    while (remaining > 1 && pos + 3 < end) {
      const type = buf[pos];
      let i = pos + 1;
      let c = buf[i];
      if (type === 36) {
        if (c < 48 || c > 57) break;
        let value = c - 48;
        if (c === 48) c = buf[++i];
        else {
          for (c = buf[++i]; c >= 48 && c <= 57 && i < end; c = buf[++i]) {
            value = value * 10 + c - 48;
          }
        }
        if (c !== 13 || i - pos > 16 || value > maxBulk) break;
        const start = i + 2;
        if (end - start < value + 2) break;
        if (strings) items.push(decodeRange(buf, start, start + value));
        else items.push(this.take(start, value));
        pos = start + value + 2;
      } else if (type === 58) {
        let negative = false;
        if (c === 45) {
          negative = true;
          c = buf[++i];
        }
        const first = i;
        let value = 0;
        for (; c >= 48 && c <= 57 && i < end; c = buf[++i]) value = value * 10 + c - 48;
        if (c !== 13 || i + 1 >= end || i === first || i - first > 15) break;
        items.push(negative ? -value : value);
        pos = i + 2;
      } else break;
      remaining--;
    }
    this.pos = pos;
    frame.remaining = remaining;
  }

  /** The value of a complete frame, or OPEN when it opened another (an attribute's value). */
  #close(frame: Frame): RespValue | typeof OPEN {
    if (frame.kind !== K_ATTRIBUTE) return frame.value(this.#strings);
    const wrap = new Frame(K_WRAP, 1);
    wrap.map = frame.map;
    this.#open(wrap);
    return OPEN;
  }

  #open(frame: Frame): void {
    if (this.#stack.length >= this.#limits.maxDepth) {
      throw new ProtocolError("Protocol error: too deep nesting");
    }
    this.#stack.push(frame);
  }

  /** Finds the '\r' ending the line at `pos`; -1 when the line (and its '\n') is not here. */
  #lineEnd(): number {
    const end = this.end;
    let cr = this.indexOf(13, this.pos + this.scan);
    if (cr < 0) {
      this.scan = end - this.pos;
      return -1;
    }
    if (cr + 1 >= end) {
      this.scan = cr - this.pos;
      cr = -1;
    } else this.scan = 0;
    return cr;
  }

  /**
   * Reads the number line at `pos`: its value when it is a plain number. Otherwise
   * LINE_NEEDED when the line is not complete (a ProtocolError `tooLong` once it is longer
   * than the inline limit), or LINE_TEXT when it is: `pos` is then past the line, and the
   * caller parses its text, `buf[pos + 1 : this.pos - 2]`.
   */
  #numberOrText(tooLong: string): number {
    const pos = this.pos;
    if (this.scan < 24) {
      const buf = this.buf;
      const end = this.end;
      let i = pos + 1;
      let negative = false;
      if (i < end && buf[i] === 45) {
        negative = true;
        i++;
      }
      let value = 0;
      let c = 0;
      const first = i;
      while (i < end) {
        c = buf[i];
        if (c < 48 || c > 57) break;
        value = value * 10 + c - 48;
        i++;
      }
      if (c === 13 && i + 1 < end && i > first && i - first < 16) {
        this.scan = 0;
        this.pos = i + 2;
        return negative ? -value : value;
      }
    }
    const cr = this.#lineEnd();
    if (cr < 0) {
      if (this.end - pos > this.#limits.maxInlineLength) throw new ProtocolError(tooLong);
      return LINE_NEEDED;
    }
    this.pos = cr + 2;
    return LINE_TEXT;
  }

  /**
   * Parses the number on the header line at `pos` (after the type byte). Returns LINE_NEEDED
   * when the line is not complete, moving `pos` past the line otherwise; `?` is STREAMED.
   */
  #number(): number {
    const pos = this.pos;
    const value = this.#numberOrText("Protocol error: too big count string");
    if (value !== LINE_TEXT) return value;
    const buf = this.buf;
    const cr = this.pos - 2;
    if (cr === pos + 2 && buf[pos + 1] === 63) return STREAMED;
    const text = decodeRange(buf, pos + 1, cr);
    if (!/^-?\d+$/.test(text)) throw new ProtocolError("Protocol error: invalid length");
    return Number(text);
  }

  /** Reads one item at `pos`. */
  #item(): Step {
    const buf = this.buf;
    const pos = this.pos;
    if (pos >= this.end) return NEED;
    const type = buf[pos];
    const depth = this.#stack.length;
    if (depth > 0 && type !== 59 && this.#stack[depth - 1].kind === K_STRING) {
      throw new ProtocolError("Protocol error: expected ';' in streamed string");
    }
    switch (type) {
      case 58: // ':'
        return this.#integer();
      case 36: // '$'
      case 33: // '!'
      case 61: // '='
      case 59: // ';'
        return this.#bulk(type);
      case 43: // '+'
      case 45: { // '-'
        const cr = this.#lineEnd();
        if (cr < 0) return NEED;
        this.pos = cr + 2;
        if (type === 43) {
          if (cr === pos + 3 && buf[pos + 1] === 79 && buf[pos + 2] === 75) return "OK";
          return decodeRange(buf, pos + 1, cr);
        }
        return replyError(decodeRange(buf, pos + 1, cr), false);
      }
      case 42: // '*'
      case 37: // '%'
      case 126: // '~'
      case 62: // '>'
      case 124: // '|'
        return this.#aggregate(type);
      case 95: { // '_'
        const cr = this.#lineEnd();
        if (cr < 0) return NEED;
        this.pos = cr + 2;
        if (cr !== pos + 1) throw new ProtocolError("Protocol error: invalid null");
        return null;
      }
      case 35: { // '#'
        const cr = this.#lineEnd();
        if (cr < 0) return NEED;
        this.pos = cr + 2;
        if (cr === pos + 2) {
          if (buf[pos + 1] === 116) return true;
          if (buf[pos + 1] === 102) return false;
        }
        throw new ProtocolError("Protocol error: invalid boolean");
      }
      case 44: { // ','
        const cr = this.#lineEnd();
        if (cr < 0) return NEED;
        this.pos = cr + 2;
        return parseDouble(decodeRange(buf, pos + 1, cr));
      }
      case 40: { // '('
        const cr = this.#lineEnd();
        if (cr < 0) return NEED;
        this.pos = cr + 2;
        const text = decodeRange(buf, pos + 1, cr);
        if (!/^[-+]?\d+$/.test(text)) throw new ProtocolError("Protocol error: invalid big number");
        return BigInt(text);
      }
      case 46: { // '.'
        const cr = this.#lineEnd();
        if (cr < 0) return NEED;
        this.pos = cr + 2;
        if (cr !== pos + 1) throw new ProtocolError(E_TYPE);
        return END;
      }
      default:
        throw new ProtocolError(E_TYPE);
    }
  }

  #integer(): Step {
    const pos = this.pos;
    const value = this.#numberOrText("Protocol error: invalid integer");
    if (value === LINE_NEEDED) return NEED;
    if (value !== LINE_TEXT) return value;
    const text = decodeRange(this.buf, pos + 1, this.pos - 2);
    if (!/^[-+]?\d+$/.test(text)) throw new ProtocolError("Protocol error: invalid integer");
    const big = BigInt(text);
    return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
  }

  /** `$`, `!`, `=` and `;`: a length, then that many bytes and CRLF. */
  #bulk(type: number): Step {
    const stack = this.#stack;
    const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
    const inStream = top !== undefined && top.kind === K_STRING;
    if (inStream !== (type === 59)) {
      throw new ProtocolError(
        inStream ? "Protocol error: expected ';' in streamed string" : E_TYPE,
      );
    }
    const start = this.pos;
    const length = this.#number();
    if (length === LINE_NEEDED) return NEED;
    if (length === STREAMED) {
      if (type !== 36) throw new ProtocolError("Protocol error: invalid bulk length");
      const frame = new Frame(K_STRING, -1);
      frame.chunks = [];
      this.#open(frame);
      return OPEN;
    }
    if (length < 0) {
      if (length === -1 && type === 36) return null;
      throw new ProtocolError("Protocol error: invalid bulk length");
    }
    if (length > this.#limits.maxBulkLength) {
      throw new ProtocolError("Protocol error: invalid bulk length");
    }
    if (type === 59) {
      if (length === 0) {
        stack.pop();
        // The streamed string is complete: hand it to the caller as a value.
        return this.#close(top!) as RespValue;
      }
    }
    const pos = this.pos;
    if (this.end - pos < length + 2) {
      if (length >= BIG_PAYLOAD) {
        this.#payloadType = type;
        this.startCollect(length);
      } else {
        this.want = pos + length + 2 - start;
        this.pos = start;
      }
      return NEED;
    }
    this.pos = pos + length + 2;
    return this.#payloadValue(type, this.buf, pos, pos + length);
  }

  #payloadValue(type: number, bytes: Uint8Array, start: number, end: number): Step {
    switch (type) {
      case 36:
        if (this.#strings) return decodeRange(bytes, start, end);
        // A collected payload (all of `bytes`) is already owned.
        return bytes === this.buf ? this.take(start, end - start) : bytes;
      case 33:
        return replyError(decodeRange(bytes, start, end), true);
      case 61: {
        if (end - start < 4 || bytes[start + 3] !== 58) {
          throw new ProtocolError("Protocol error: invalid verbatim string");
        }
        return new VerbatimString(
          decodeRange(bytes, start, start + 3),
          decodeRange(bytes, start + 4, end),
        );
      }
      default: {
        // ';' chunk of a streamed string
        const top = this.#stack[this.#stack.length - 1];
        top.chunks!.push(
          bytes === this.buf ? this.take(start, end - start) : bytes,
        );
        return OPEN;
      }
    }
  }

  #aggregate(type: number): Step {
    const length = this.#number();
    if (length === LINE_NEEDED) return NEED;
    if (length === -1 && (type === 42 || type === 37 || type === 126)) return null;
    if (length < 0 && length !== STREAMED) {
      throw new ProtocolError("Protocol error: invalid multibulk length");
    }
    if (length > this.#limits.maxMultibulkLength) {
      throw new ProtocolError("Protocol error: invalid multibulk length");
    }
    const remaining = length === STREAMED ? -1 : length;
    let frame: Frame;
    switch (type) {
      case 42:
        if (remaining === 0) return [];
        frame = new Frame(K_ARRAY, remaining);
        break;
      case 37:
        if (remaining === 0) return new Map();
        frame = new Frame(K_MAP, remaining);
        frame.map = new Map();
        break;
      case 126:
        if (remaining === 0) return new Set();
        frame = new Frame(K_SET, remaining);
        frame.set = new Set();
        break;
      case 62:
        if (remaining === 0) return new Push([]);
        frame = new Frame(K_PUSH, remaining);
        break;
      default:
        frame = new Frame(K_ATTRIBUTE, remaining);
        frame.map = new Map();
        if (remaining === 0) {
          this.#open(frame);
          this.#stack.pop();
          this.#close(frame);
          return OPEN;
        }
    }
    this.#open(frame);
    return OPEN;
  }
}

/**
 * Decodes exactly one reply from `bytes` (one-shot). Throws {@link IncompleteError} if the
 * input ends before a whole value, and {@link ProtocolError} on invalid input or trailing
 * bytes after the value.
 *
 * @example
 * ```ts
 * import { decodeReply } from "./mod.ts";
 * console.log(decodeReply(new TextEncoder().encode(",3.5\r\n"))); // 3.5
 * ```
 */
export function decodeReply(bytes: Uint8Array, options?: ReplyDecoderOptions): RespValue {
  const decoder = new ReplyDecoder(options);
  decoder.feed(bytes);
  const value = decoder.next();
  if (value === undefined) throw new IncompleteError();
  if (decoder.bufferedBytes > 0) {
    throw new ProtocolError("Protocol error: unexpected bytes after the reply");
  }
  return value;
}
