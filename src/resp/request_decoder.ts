/**
 * The server side of the protocol: requests (multibulk and inline) to argument vectors,
 * with Redis 7.0's exact framing rules and protocol errors.
 *
 * @module
 */

import { IncompleteError, ProtocolError } from "./errors.ts";
import { BIG_PAYLOAD, InputBuffer } from "./input_buffer.ts";
import { FRESH_MAX, SUBARRAY } from "./engine.ts";
import { type DecoderLimits, resolveLimits } from "./limits.ts";
import { parseRange } from "./bytes.ts";

/** Options of {@link RequestDecoder}. */
export interface RequestDecoderOptions {
  /** Limits (Redis defaults for those not given). */
  limits?: Partial<DecoderLimits>;
}

const E_INLINE = "Protocol error: too big inline request";
const E_QUOTES = "Protocol error: unbalanced quotes in request";
const E_MBULK_STRING = "Protocol error: too big mbulk count string";
const E_MBULK = "Protocol error: invalid multibulk length";
const E_BULK_STRING = "Protocol error: too big bulk count string";
const E_BULK = "Protocol error: invalid bulk length";
const E_UNAUTH_MBULK = "Protocol error: unauthenticated multibulk length";
const E_UNAUTH_BULK = "Protocol error: unauthenticated bulk length";

/** No arguments yet (never written: each multibulk gets its own array). */
const NO_ARGS: Uint8Array[] = [];

/** Longer first arguments are not remembered by {@link nameAt} (no command name is as long). */
const NAME_MAX = 32;
/** The last command name {@link nameAt} returned, shared by every decoder. */
let lastName = new Uint8Array(0);

/**
 * The command name `buf[pos:pos+length]`: the last name returned when the bytes are the same
 * (a pipeline repeats its command, and so do clients running the same workload: no array to
 * create), else a copy that becomes the one remembered (a copy, so that it keeps no chunk
 * alive; one for all decoders, so that an idle connection keeps none).
 */
function nameAt(buf: Uint8Array, pos: number, length: number): Uint8Array {
  const last = lastName;
  if (last.length === length) {
    let i = 0;
    while (i < length && last[i] === buf[pos + i]) i++;
    if (i === length) return last;
  }
  const name = new Uint8Array(length);
  for (let j = 0; j < length; j++) name[j] = buf[pos + j];
  return lastName = name;
}

/** Pre-AUTH limits (Redis networking.c). */
const UNAUTH_MULTIBULK = 10;
const UNAUTH_BULK = 16384;

/**
 * Decodes a stream of requests into argument vectors, like Redis's `processInputBuffer`:
 * multibulk (`*<n>` of `$<len>` bulks) and inline commands split like `sdssplitargs`.
 * Feed chunks of any size; `next()` returns whole commands and keeps partial state, so
 * that no byte is scanned twice and large bulks are collected as they arrive.
 *
 * After a {@link ProtocolError} the decoder stays failed: every later `next()` throws the
 * same error until `reset()` (Redis closes the connection).
 *
 * Ownership of the arguments: each is safe to keep (in a Map, say): the decoder never writes
 * its bytes again. `feed` hands a chunk over (the caller must not write to it afterwards), and
 * an argument that lies wholly inside a fed chunk is a view of that chunk, with no copy (on
 * JavaScriptCore, arguments of at most 32 bytes are fresh copies instead, which is cheaper
 * there). The command name (`argv[0]`) is usually an array shared with earlier commands of
 * the same name, from any decoder. An argument whose bytes crossed a chunk boundary is a
 * copy: assembled in an append-only buffer of the decoder (never reused: a full one is
 * replaced), or, when it is large (32 KiB or more) and collected across chunks, in a buffer
 * of its own. So a kept
 * argument keeps the bytes of the read it came in alive (the whole chunk, or the decoder's
 * buffer of at most 64 KiB it was assembled in); copy (`slice()`) what you keep long if that
 * matters.
 *
 * @example
 * ```ts
 * import { RequestDecoder, bytesToString } from "./mod.ts";
 * const decoder = new RequestDecoder();
 * decoder.feed(new TextEncoder().encode("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\nPING\r\n"));
 * for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
 *   console.log(argv.map(bytesToString)); // ["GET", "key"] then ["PING"]
 * }
 * ```
 */
export class RequestDecoder extends InputBuffer {
  /** When false, Redis's pre-AUTH limits apply: multibulk count > 10 and bulk length >
   * 16384 are protocol errors. Default true. */
  authenticated: boolean = true;
  #limits: DecoderLimits;
  /** Bulks still to read in the current multibulk (0: between commands). */
  #remaining = 0;
  /** Length of the bulk being read, -1 while its header is not read. */
  #bulk = -1;
  /** Arguments read so far of the current multibulk of `#count` bulks. */
  #args: Uint8Array[] = NO_ARGS;
  #count = 0;
  #argBytes = 0;
  #error: ProtocolError | undefined = undefined;
  /** A NUL byte came before the line terminator: Redis never finds it. */
  #stuck = false;
  /** `buf[start:end]` for the caller (plain tokens of inline commands); made on first use. */
  #token: ((start: number, end: number) => Uint8Array) | undefined = undefined;

  /** Creates a decoder. */
  constructor(options?: RequestDecoderOptions) {
    super();
    this.#limits = resolveLimits(options?.limits);
  }

  /** Bytes held but not yet returned as commands (for the query-buffer limit). */
  get bufferedBytes(): number {
    return this.heldBytes + this.#argBytes;
  }

  /** Drops all buffered input and partial state (and a previous error). */
  reset(): void {
    this.clearInput();
    this.#remaining = 0;
    this.#bulk = -1;
    this.#args = NO_ARGS;
    this.#argBytes = 0;
    this.#error = undefined;
    this.#stuck = false;
  }

  /**
   * Next whole command as its arguments (argv[0] is the command name), or `undefined` when
   * more bytes are needed. Empty inline lines and `*0`/`*-1` are skipped. The arguments are
   * the caller's (see the class documentation for what they may share). Throws
   * {@link ProtocolError}.
   */
  next(): Uint8Array[] | undefined {
    if (this.#error !== undefined) throw this.#error;
    const pos = this.pos;
    // Still short of the bytes the parser waits for (a payload arriving in small pieces).
    if (this.end - pos < this.want) return undefined;
    this.want = 0;
    if (pos >= this.end && this.drained()) return undefined;
    // (The shortest command, "*1\r\n$1\r\nx\r\n", is 11 bytes.)
    if (this.#remaining === 0 && this.buf[pos] === 42 && this.end - pos >= 11) {
      const argv = this.#whole();
      if (argv !== undefined) return argv;
    }
    return this.#general();
  }

  /** The general path of `next()`: any request, partial state, pending chunks. */
  #general(): Uint8Array[] | undefined {
    try {
      for (;;) {
        const argv = this.#next();
        if (argv !== undefined || !this.refill()) return argv;
      }
    } catch (error) {
      if (error instanceof ProtocolError) this.#error = error;
      throw error;
    }
  }

  /**
   * Fast path: a whole plain multibulk command at `pos` (`*` count, `$` lengths without
   * leading zeros, within the limits, every byte there). Returns undefined, having consumed
   * nothing, for anything else: the general path then reads it (with Redis's errors).
   */
  #whole(): Uint8Array[] | undefined {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let i = pos + 1;
    let c = buf[i];
    if (c < 49 || c > 57) return undefined;
    let count = c - 48;
    for (c = buf[++i]; c >= 48 && c <= 57 && i < end && i - pos < 12; c = buf[++i]) {
      count = count * 10 + c - 48;
    }
    if (c !== 13 || i + 1 >= end || i - pos > 10) return undefined;
    let maxBulk = this.#limits.maxBulkLength;
    if (this.authenticated) {
      if (count > this.#limits.maxMultibulkLength) return undefined;
    } else {
      if (count > UNAUTH_MULTIBULK) return undefined;
      if (maxBulk > UNAUTH_BULK) maxBulk = UNAUTH_BULK;
    }
    pos = i + 2;
    let data: ArrayBufferLike | undefined;
    // Preallocated for the common short commands (a claimed count allocates nothing).
    const args: Uint8Array[] = count <= 16 ? new Array(count) : [];
    for (let k = 0; k < count; k++) {
      if (buf[pos] !== 36) return undefined;
      i = pos + 1;
      c = buf[i];
      let length = c - 48;
      if (c >= 49 && c <= 57) {
        for (c = buf[++i]; c >= 48 && c <= 57 && i < end && i - pos < 18; c = buf[++i]) {
          length = length * 10 + c - 48;
        }
      } else if (c === 48) c = buf[++i];
      else return undefined;
      if (c !== 13 || i - pos > 16 || length > maxBulk) return undefined;
      pos = i + 2;
      if (end - pos < length + 2) return undefined;
      if (k === 0 && length <= NAME_MAX) args[0] = nameAt(buf, pos, length);
      else if (length > FRESH_MAX) {
        if (SUBARRAY) args[k] = buf.subarray(pos, pos + length);
        else {
          if (data === undefined) data = this.viewData();
          args[k] = new Uint8Array(data, this.offset + pos, length);
        }
      } else {
        const arg = new Uint8Array(length);
        for (let j = 0; j < length; j++) arg[j] = buf[pos + j];
        args[k] = arg;
      }
      pos += length + 2;
    }
    this.pos = pos;
    this.scan = 0;
    return args;
  }

  /**
   * Finds `byte` after `pos` like C's strchr on the query buffer: a NUL byte before it means
   * "not found" for good (Redis then waits until the line is too long). Returns -1 when not
   * found, remembering how far it searched.
   */
  #find(byte: number): number {
    const buf = this.buf;
    const pos = this.pos;
    const end = this.end;
    const from = pos + this.scan;
    if (!this.#stuck) {
      const at = this.indexOf(byte, from);
      const stop = at < 0 ? end : at;
      if (stop - from < 64) {
        for (let i = from; i < stop; i++) if (buf[i] === 0) this.#stuck = true;
      } else if (buf.subarray(from, stop).indexOf(0) >= 0) this.#stuck = true;
      if (!this.#stuck && at >= 0) return at;
    }
    this.scan = end - pos;
    return -1;
  }

  #fail(message: string): never {
    throw new ProtocolError(message);
  }

  #next(): Uint8Array[] | undefined {
    for (;;) {
      if (this.#remaining === 0) {
        if (this.pos >= this.end) {
          this.release();
          return undefined;
        }
        if (this.buf[this.pos] !== 42) {
          const argv = this.#inline();
          if (argv === undefined) return undefined;
          if (argv.length === 0) continue;
          return argv;
        }
        let count: number | undefined = -1;
        // Fast path: "*<1-9 digits>" then CR and one more byte, within the limits.
        const buf = this.buf;
        const end = this.end;
        const pos = this.pos;
        if (this.scan < 24 && pos + 3 < end) {
          let i = pos + 1;
          let c = buf[i];
          let value = c - 48;
          if (c >= 49 && c <= 57) {
            for (c = buf[++i]; c >= 48 && c <= 57 && i < end; c = buf[++i]) {
              value = value * 10 + c - 48;
            }
            if (
              c === 13 && i + 1 < end && i - pos < 10 &&
              value <= (this.authenticated ? this.#limits.maxMultibulkLength : UNAUTH_MULTIBULK)
            ) {
              count = value;
              this.scan = 0;
              this.pos = i + 2;
            }
          }
        }
        if (count < 0) {
          count = this.#header(true);
          if (count === undefined) return undefined;
        }
        if (count <= 0) continue;
        this.#remaining = count;
        this.#count = count;
        // Preallocated for the common short commands (a claimed count allocates nothing).
        this.#args = count <= 16 ? new Array(count) : [];
      }
      const argv = this.#bulks();
      if (argv !== undefined) return argv;
      return undefined;
    }
  }

  /**
   * Reads a `*<n>` (multibulk true) or `$<len>` header line at `pos`. Returns the number, or
   * undefined when the line is not complete. Moves `pos` past the line.
   */
  #header(multibulk: boolean): number | undefined {
    const buf = this.buf;
    const pos = this.pos;
    const end = this.end;
    if (this.scan < 24) {
      // Fast path: digits straight to '\r' (a short line may be rescanned: constant work).
      let i = pos + 1;
      let c = 0;
      let value = 0;
      while (i < end) {
        c = buf[i];
        if (c < 48 || c > 57) break;
        value = value * 10 + c - 48;
        i++;
      }
      const digits = i - pos - 1;
      if (
        digits > 0 && digits < 16 && (buf[pos + 1] !== 48 || digits === 1) &&
        (multibulk || buf[pos] === 36)
      ) {
        if (i + 1 < end && c === 13) {
          if (multibulk) {
            if (value > this.#limits.maxMultibulkLength) this.#fail(E_MBULK);
            if (value > UNAUTH_MULTIBULK && !this.authenticated) this.#fail(E_UNAUTH_MBULK);
          } else {
            if (value > this.#limits.maxBulkLength) this.#fail(E_BULK);
            if (value > UNAUTH_BULK && !this.authenticated) this.#fail(E_UNAUTH_BULK);
          }
          this.scan = 0;
          this.pos = i + 2;
          return value;
        }
        // Digits up to the end, or CR as the last byte: the line is not complete yet.
        if (
          (i >= end || (c === 13 && i + 1 === end)) &&
          end - pos <= this.#limits.maxInlineLength
        ) {
          this.want = end - pos + 1;
          return undefined;
        }
      }
    }
    return this.#headerSlow(multibulk);
  }

  #headerSlow(multibulk: boolean): number | undefined {
    const buf = this.buf;
    const pos = this.pos;
    const end = this.end;
    // Redis: strchr(querybuf + pos, '\r'), which also stops at a NUL byte.
    const cr = this.#find(13);
    if (cr < 0) {
      if (end - pos > this.#limits.maxInlineLength) {
        this.#fail(multibulk ? E_MBULK_STRING : E_BULK_STRING);
      }
      this.want = end - pos + 1;
      return undefined;
    }
    this.scan = cr - pos;
    // The '\r' must be followed by one more byte (not checked to be '\n', as in Redis).
    if (cr + 1 >= end) {
      this.want = end - pos + 1;
      return undefined;
    }
    if (!multibulk && buf[pos] !== 36) {
      this.#fail(`Protocol error: expected '$', got '${String.fromCharCode(buf[pos])}'`);
    }
    const value = parseRange(buf, pos + 1, cr);
    if (multibulk) {
      if (value === undefined || value > this.#limits.maxMultibulkLength) this.#fail(E_MBULK);
      if (value > UNAUTH_MULTIBULK && !this.authenticated) this.#fail(E_UNAUTH_MBULK);
    } else {
      if (value === undefined || value < 0 || value > this.#limits.maxBulkLength) {
        this.#fail(E_BULK);
      }
      if (value > UNAUTH_BULK && !this.authenticated) this.#fail(E_UNAUTH_BULK);
    }
    this.scan = 0;
    this.pos = cr + 2;
    return value;
  }

  /** Reads the bulks of the current multibulk; returns argv when all are read. */
  #bulks(): Uint8Array[] | undefined {
    const payload = this.payload;
    if (payload !== undefined) {
      this.payload = undefined;
      this.#args[this.#count - this.#remaining] = payload;
      this.#argBytes += payload.length;
      this.#bulk = -1;
      if (--this.#remaining === 0) return this.#done();
    }
    if (this.collectTotal >= 0) return undefined;
    const args = this.#args;
    const count = this.#count;
    const maxBulk = this.authenticated
      ? this.#limits.maxBulkLength
      : Math.min(this.#limits.maxBulkLength, UNAUTH_BULK);
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let remaining = this.#remaining;
    let argBytes = this.#argBytes;
    for (;;) {
      let length = this.#bulk;
      if (length < 0) {
        // Fast path: "$<digits>" then CR and one more byte, no leading zero, within the limits.
        if (this.scan < 24 && pos + 3 < end && buf[pos] === 36) {
          let i = pos + 1;
          let c = buf[i];
          let value = c - 48;
          if (c >= 49 && c <= 57) {
            for (c = buf[++i]; c >= 48 && c <= 57 && i < end; c = buf[++i]) {
              value = value * 10 + c - 48;
            }
          } else if (c === 48) c = buf[++i];
          else c = 0; // No digit ("$\r\n", "$-1"...): the slow path reports it.
          if (c === 13 && i + 1 < end && i - pos < 16 && value <= maxBulk) {
            length = value;
            this.scan = 0;
            pos = i + 2;
          }
        }
        if (length < 0) {
          this.pos = pos;
          this.#remaining = remaining;
          this.#argBytes = argBytes;
          if (pos >= end) {
            this.release();
            return undefined;
          }
          const header = this.#header(false);
          if (header === undefined) return undefined;
          length = header;
          pos = this.pos;
        }
      }
      if (end - pos < length + 2) {
        this.pos = pos;
        this.#remaining = remaining;
        this.#argBytes = argBytes;
        this.#bulk = length;
        if (length >= BIG_PAYLOAD) this.startCollect(length);
        else this.want = length + 2;
        return undefined;
      }
      if (length > FRESH_MAX) {
        args[count - remaining] = SUBARRAY
          ? buf.subarray(pos, pos + length)
          : new Uint8Array(this.viewData(), this.offset + pos, length);
      } else {
        const arg = new Uint8Array(length);
        for (let i = 0; i < length; i++) arg[i] = buf[pos + i];
        args[count - remaining] = arg;
      }
      argBytes += length;
      pos += length + 2;
      this.#bulk = -1;
      if (--remaining === 0) {
        this.pos = pos;
        this.#remaining = 0;
        return this.#done();
      }
    }
  }

  #done(): Uint8Array[] {
    const argv = this.#args;
    this.#args = NO_ARGS;
    this.#argBytes = 0;
    return argv;
  }

  /** Reads an inline command at `pos` (empty array for an empty line). */
  #inline(): Uint8Array[] | undefined {
    const buf = this.buf;
    const pos = this.pos;
    const end = this.end;
    // Redis: strchr(querybuf + pos, '\n'), which also stops at a NUL byte.
    const lf = this.#find(10);
    if (lf < 0) {
      if (end - pos > this.#limits.maxInlineLength) this.#fail(E_INLINE);
      this.want = end - pos + 1;
      return undefined;
    }
    this.scan = 0;
    const lineEnd = lf > pos && buf[lf - 1] === 13 ? lf - 1 : lf;
    // Plain tokens are taken like bulk arguments (views, see the class documentation).
    const argv = splitArgs(
      buf,
      pos,
      lineEnd,
      this.#token ??= (start, end) => this.take(start, end - start),
    );
    if (argv === undefined) this.#fail(E_QUOTES);
    this.pos = lf + 1;
    return argv;
  }
}

function isSpace(c: number): boolean {
  // C isspace() in the C locale.
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits `bytes[start:end]` exactly like Redis's `sdssplitargs`; undefined on unbalanced
 * quotes. Tokens are owned copies, except that plain tokens (without quotes) come from
 * `take(start, end)` when it is given.
 * @internal
 */
export function splitArgs(
  bytes: Uint8Array,
  start: number,
  end: number,
  take?: (start: number, end: number) => Uint8Array,
): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(bytes[p])) p++;
    if (p >= end) return out;
    // Fast path: a plain token without quotes.
    const tokenStart = p;
    while (p < end) {
      const c = bytes[p];
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 34 || c === 39) break;
      p++;
    }
    if (p >= end || (bytes[p] !== 34 && bytes[p] !== 39)) {
      out.push(take === undefined ? bytes.slice(tokenStart, p) : take(tokenStart, p));
      continue;
    }
    // Slow path: the token has quotes; build it byte by byte into a scratch array.
    const token: number[] = [];
    for (let i = tokenStart; i < p; i++) token.push(bytes[i]);
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = p < end ? bytes[p] : 0;
      const next = p + 1 < end ? bytes[p + 1] : 0;
      if (inq) {
        if (
          c === 92 && next === 120 && p + 3 < end && hexValue(bytes[p + 2]) >= 0 &&
          hexValue(bytes[p + 3]) >= 0
        ) {
          token.push(hexValue(bytes[p + 2]) * 16 + hexValue(bytes[p + 3]));
          p += 3;
        } else if (c === 92 && p + 1 < end) {
          p++;
          switch (next) {
            case 110:
              token.push(10);
              break;
            case 114:
              token.push(13);
              break;
            case 116:
              token.push(9);
              break;
            case 98:
              token.push(8);
              break;
            case 97:
              token.push(7);
              break;
            default:
              token.push(next);
          }
        } else if (c === 34) {
          if (p + 1 < end && !isSpace(next)) return undefined;
          done = true;
        } else if (p >= end) {
          return undefined;
        } else {
          token.push(c);
        }
      } else if (insq) {
        if (c === 92 && next === 39 && p + 1 < end) {
          p++;
          token.push(39);
        } else if (c === 39) {
          if (p + 1 < end && !isSpace(next)) return undefined;
          done = true;
        } else if (p >= end) {
          return undefined;
        } else {
          token.push(c);
        }
      } else if (p >= end || c === 32 || c === 10 || c === 13 || c === 9) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        token.push(c);
      }
      if (p < end) p++;
    }
    out.push(new Uint8Array(token));
  }
}

/**
 * Decodes every whole request in `bytes` (one-shot). Throws {@link IncompleteError} if the
 * input ends inside a request, {@link ProtocolError} on invalid input.
 *
 * @example
 * ```ts
 * import { decodeRequest } from "./mod.ts";
 * const commands = decodeRequest(new TextEncoder().encode("PING\r\nECHO hi\r\n"));
 * console.log(commands.length); // 2
 * ```
 */
export function decodeRequest(
  bytes: Uint8Array,
  options?: RequestDecoderOptions,
): Uint8Array[][] {
  const decoder = new RequestDecoder(options);
  decoder.feed(bytes);
  const out: Uint8Array[][] = [];
  for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) out.push(argv);
  if (decoder.bufferedBytes > 0) throw new IncompleteError();
  return out;
}
